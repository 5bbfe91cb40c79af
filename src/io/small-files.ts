import { closeSync, existsSync, readSync } from 'node:fs';
import { InputOutputError, ioError } from '../errors.js';
import { openRegularFileSync } from './regular-file.js';

/*
 * Reading many small files in order, fast: a multi-part AOF may name a hundred thousand INCR files of a few
 * hundred bytes, and opening, checking and reading each costs more than checking its contents. Each file is
 * opened (never blocking: see regular-file.ts), checked to be a regular file and read whole into one reused
 * buffer with synchronous calls, which cost a fraction of their asynchronous twins. (A worker thread reading
 * ahead was tried: on two busy cores it was no faster and took 40 MiB more.)
 */

/** One file as the reader hands it out, with its path. */
export type SmallFile =
  /** A regular file of at most `maxSize` bytes, whole; the view is valid until the next call of `next`. */
  | { kind: 'bytes'; path: string; bytes: Uint8Array }
  /** A regular file larger than `maxSize`, not read: read it some other way (stream it). */
  | { kind: 'unread'; path: string }
  /** Missing, unreadable, or not a regular file; `missing` when it does not exist. */
  | { kind: 'error'; path: string; error: InputOutputError; missing: boolean };

/** Hands out files in order; see {@link readFilesInOrder}. */
export interface SmallFileReader {
  /** The next file of the list (call once per path, in order). */
  next(): SmallFile;
}

/**
 * Reads the files at `paths(0) … paths(count - 1)` in that order, each whole when it is a regular file of at
 * most `maxSize` bytes. `paths(i)` is asked for when file `i` is read, so a list of a hundred thousand paths
 * is never held at once.
 */
export function readFilesInOrder(count: number, paths: (index: number) => string, maxSize: number): SmallFileReader {
  let index = 0;
  let buffer = new Uint8Array(64 * 1024);
  return {
    next() {
      if (index >= count) throw new RangeError('readFilesInOrder: no more files');
      const path = paths(index++);
      let opened: { fd: number; size: number };
      try {
        opened = openRegularFileSync(path);
      } catch (error) {
        if (!(error instanceof InputOutputError)) throw error;
        return { kind: 'error', path, error, missing: !existsSync(path) };
      }
      try {
        if (opened.size > maxSize) return { kind: 'unread', path };
        if (buffer.length < opened.size) buffer = new Uint8Array(Math.max(opened.size, buffer.length * 2));
        let filled = 0;
        while (filled < opened.size) {
          const n = readSync(opened.fd, buffer, filled, opened.size - filled, filled);
          if (n === 0) break;
          filled += n;
        }
        return { kind: 'bytes', path, bytes: buffer.subarray(0, filled) };
      } catch (error) {
        return { kind: 'error', path, error: ioError(error, path), missing: false };
      } finally {
        closeSync(opened.fd);
      }
    },
  };
}
