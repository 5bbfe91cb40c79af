import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ioError } from '../errors.js';

/** Lines written to a temporary file, to be read back last first (see {@link readLinesBackwards}). */
export interface LineSpill {
  /** The temporary file. */
  readonly path: string;
  /** Lines written so far. */
  readonly lines: number;
  /** Appends one line (without its newline; it must hold none). */
  write(line: string): Promise<void>;
  /** Flushes what is buffered; the file is then complete. */
  finish(): Promise<void>;
  /** Deletes the file and its directory (safe to call more than once, and after a failure). */
  remove(): Promise<void>;
}

const FLUSH_AT = 1 << 20;

/**
 * Creates a {@link LineSpill} in a new private directory under `dir` (default: the system's temporary
 * directory). Throws {@link InputOutputError} when it cannot be created or written.
 */
export async function writeLineSpill(dir = tmpdir()): Promise<LineSpill> {
  let folder: string;
  let handle: FileHandle | undefined;
  try {
    folder = await mkdtemp(join(dir, 'redback-'));
  } catch (error) {
    throw ioError(error, dir);
  }
  const path = join(folder, 'lines');
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw ioError(error, path);
  }
  let pending: string[] = [];
  let pendingBytes = 0;
  let lines = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0 || !handle) return;
    const text = pending.join('');
    pending = [];
    pendingBytes = 0;
    try {
      await handle.write(text);
    } catch (error) {
      throw ioError(error, path);
    }
  };
  return {
    path,
    get lines() {
      return lines;
    },
    async write(line) {
      pending.push(line, '\n');
      pendingBytes += line.length + 1;
      lines++;
      if (pendingBytes >= FLUSH_AT) await flush();
    },
    async finish() {
      await flush();
      await handle?.close();
      handle = undefined;
    },
    async remove() {
      await handle?.close().catch(() => undefined);
      handle = undefined;
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Reads a file of newline-terminated UTF-8 lines from the last to the first, in blocks, holding one block
 * and at most one line at a time. Throws {@link InputOutputError} when the file cannot be read.
 */
export async function* readLinesBackwards(path: string, blockSize = 1 << 20): AsyncGenerator<string> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw ioError(error, path);
  }
  try {
    const size = (await handle.stat()).size;
    let position = size;
    let tail = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(blockSize, position);
      position -= length;
      const block = Buffer.alloc(length);
      await handle.read(block, 0, length, position);
      let data = Buffer.concat([block, tail]);
      // The file ends with a newline: drop it once, so the last line is not followed by an empty one.
      if (position + data.length === size && data.at(-1) === 0x0a) data = data.subarray(0, data.length - 1);
      let end = data.length;
      for (let i = data.length - 1; i >= 0; i--) {
        if (data[i] !== 0x0a) continue;
        yield data.toString('utf8', i + 1, end);
        end = i;
      }
      tail = data.subarray(0, end);
    }
    if (tail.length > 0 || size > 0) yield tail.toString('utf8');
  } finally {
    await handle.close();
  }
}
