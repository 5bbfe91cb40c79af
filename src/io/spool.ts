import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ioError } from '../errors.js';

/** Options of {@link Spool}. */
export interface SpoolOptions {
  /** Bytes kept in memory before the spool moves to a temporary file (default 8 MiB). */
  memoryLimit?: number;
  /** Where the temporary file goes (default: the system's temporary directory). */
  dir?: string;
  /** Size of the pieces read back from the file (default 1 MiB). */
  readSize?: number;
}

const DEFAULT_LIMIT = 8 << 20;
const DEFAULT_READ = 1 << 20;

/**
 * Bytes written now and read back once, in order, later: a writer that must put a count before data it has
 * not finished producing (an RDB collection whose element count or node count is known only at its end)
 * writes the data here, then the count, then drains the spool. Up to `memoryLimit` bytes stay in memory;
 * beyond, everything goes to a temporary file in a private directory, removed when the spool is drained or
 * disposed. File access is synchronous: a spool is written and read in bursts between the reads of the
 * input, and only for values too big to hold.
 *
 * Throws {@link InputOutputError} when the temporary file cannot be created, written or read.
 */
export class Spool {
  private readonly limit: number;
  private readonly dir: string | undefined;
  private readonly readSize: number;
  private pieces: Uint8Array[] = [];
  private memoryBytes = 0;
  private fd: number | undefined;
  private folder: string | undefined;
  private path: string | undefined;
  private fileBytes = 0;

  constructor(options: SpoolOptions = {}) {
    this.limit = options.memoryLimit ?? DEFAULT_LIMIT;
    this.dir = options.dir;
    this.readSize = options.readSize ?? DEFAULT_READ;
  }

  /** Bytes written and not yet drained. */
  get size(): number {
    return this.memoryBytes + this.fileBytes;
  }

  /** True once the spool has moved to a file. */
  get onDisk(): boolean {
    return this.fd !== undefined;
  }

  /**
   * Appends `piece`. The spool keeps it (or a copy, when it is a small view into a larger buffer, so that
   * it does not pin that buffer) until drained: the caller must not change it afterwards.
   */
  write(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.fd === undefined && this.memoryBytes + piece.length <= this.limit) {
      this.pieces.push(piece.byteLength * 2 < piece.buffer.byteLength ? piece.slice() : piece);
      this.memoryBytes += piece.length;
      return;
    }
    if (this.fd === undefined) this.openFile();
    for (const held of this.pieces) this.writeFile(held);
    this.pieces = [];
    this.memoryBytes = 0;
    this.writeFile(piece);
  }

  /** Yields everything written, in order, and empties the spool (the temporary file is removed at the end). */
  *drain(): Generator<Uint8Array> {
    const pieces = this.pieces;
    this.pieces = [];
    this.memoryBytes = 0;
    yield* pieces;
    if (this.fd === undefined) return;
    const fd = this.fd;
    const total = this.fileBytes;
    try {
      let position = 0;
      while (position < total) {
        const buffer = new Uint8Array(Math.min(this.readSize, total - position));
        let filled = 0;
        while (filled < buffer.length) {
          const n = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
          if (n === 0) throw new Error('temporary file ended early');
          filled += n;
        }
        position += filled;
        yield buffer;
      }
    } catch (error) {
      throw ioError(error, this.path ?? 'temporary file');
    } finally {
      this.dispose();
    }
  }

  /** Removes the temporary file, if any, and forgets the content. Safe to call more than once. */
  dispose(): void {
    this.pieces = [];
    this.memoryBytes = 0;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
    if (this.folder !== undefined) rmSync(this.folder, { recursive: true, force: true });
    this.folder = undefined;
    this.path = undefined;
    this.fileBytes = 0;
  }

  private openFile(): void {
    try {
      this.folder = mkdtempSync(join(this.dir ?? tmpdir(), 'redback-spool-'));
      this.path = join(this.folder, 'spool');
      this.fd = openSync(this.path, 'wx+');
    } catch (error) {
      const where = this.path ?? this.dir ?? tmpdir();
      this.dispose();
      throw ioError(error, where);
    }
  }

  private writeFile(piece: Uint8Array): void {
    let offset = 0;
    try {
      while (offset < piece.length) offset += writeSync(this.fd as number, piece, offset, piece.length - offset, this.fileBytes + offset);
    } catch (error) {
      throw ioError(error, this.path ?? 'temporary file');
    }
    this.fileBytes += piece.length;
  }
}
