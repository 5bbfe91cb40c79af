import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ioError } from '../errors.js';

/**
 * A temporary file for data that does not fit in memory (the members of a huge key during its duplicate
 * check). Synchronous, because the RDB parser that spills is: blocks are appended, read back by position,
 * and the file is emptied to be used again.
 *
 * Nothing is left behind, whatever way the process ends: the file is created in a fresh private directory
 * and both are removed from the file system as soon as the file is open, so only the open descriptor keeps
 * its bytes (released by {@link close}, or by the system when the process dies). Where the system refuses to
 * remove an open file, they are removed by {@link close} instead.
 */
export class SpillFile {
  /** The file's path while it existed (for error messages). */
  readonly path: string;
  private fd: number | undefined;
  private end = 0;
  private readonly removeOnClose: string | undefined;

  /**
   * Creates the file in a new directory under `dir` (default: the system's temporary directory).
   * @throws InputOutputError when it cannot be created.
   */
  constructor(dir = tmpdir()) {
    let home: string;
    try {
      home = mkdtempSync(join(dir, 'redback-spill-'));
    } catch (error) {
      throw ioError(error, join(dir, 'redback-spill-*'));
    }
    this.path = join(home, 'spill');
    try {
      this.fd = openSync(this.path, 'w+', 0o600);
    } catch (error) {
      rmSync(home, { recursive: true, force: true });
      throw ioError(error, this.path);
    }
    let removed = false;
    try {
      unlinkSync(this.path);
      rmSync(home, { recursive: true, force: true });
      removed = true;
    } catch {
      // Windows: an open file cannot be removed; close() does it.
    }
    this.removeOnClose = removed ? undefined : home;
  }

  /** Bytes written since the file was created or last emptied. */
  get size(): number {
    return this.end;
  }

  /**
   * Appends `data[start, end)`; returns the position it was written at.
   * @throws InputOutputError when the write fails (a full disk).
   */
  append(data: Uint8Array, start = 0, end = data.length): number {
    const fd = this.descriptor();
    const position = this.end;
    let done = 0;
    while (start + done < end) {
      try {
        done += writeSync(fd, data, start + done, end - start - done, position + done);
      } catch (error) {
        throw ioError(error, this.path);
      }
    }
    this.end += done;
    return position;
  }

  /**
   * Reads `length` bytes from `position` into `target` at `offset`.
   * @throws InputOutputError when the read fails or the file holds fewer bytes.
   */
  read(position: number, target: Uint8Array, offset: number, length: number): void {
    const fd = this.descriptor();
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(fd, target, offset + done, length - done, position + done);
      } catch (error) {
        throw ioError(error, this.path);
      }
      if (n === 0) throw ioError(new Error(`spill file ends at ${position + done}, ${length - done} bytes short`), this.path);
      done += n;
    }
  }

  /**
   * Empties the file, giving its disk space back, for the next use.
   * @throws InputOutputError when the file cannot be truncated.
   */
  clear(): void {
    if (this.end === 0) return;
    this.end = 0;
    try {
      ftruncateSync(this.descriptor(), 0);
    } catch (error) {
      throw ioError(error, this.path);
    }
  }

  /** Releases the file (and removes it where that could not be done at once). Safe to call twice. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } finally {
      if (this.removeOnClose !== undefined) rmSync(this.removeOnClose, { recursive: true, force: true });
    }
  }

  private descriptor(): number {
    if (this.fd === undefined) throw ioError(new Error('spill file already closed'), this.path);
    return this.fd;
  }
}
