import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChunkedInput, iterableSource } from '../bytes/input.js';
import { ioError } from '../errors.js';
import { fileSource } from './file-source.js';

/** Default bytes a {@link ByteSpill} keeps in memory before it moves to a temporary file. */
export const SPILL_IN_MEMORY = 8 << 20;

/** Bytes read from the temporary file at a time. */
const READ_BLOCK = 1 << 20;

/** Options of {@link ByteSpill}. */
export interface ByteSpillOptions {
  /** Bytes kept in memory before the spill moves to a temporary file (default 8 MiB). */
  inMemory?: number;
  /** Where the temporary file's private folder is made (default: the system's temporary directory). */
  tempDir?: string;
}

/**
 * Bytes put aside to be read back once, in order: held in memory up to a limit, then in a temporary file in a
 * private folder (removed by {@link ByteSpill.remove}), so what a writer must hold back (a stream's entries
 * until its consumer groups are known) costs bounded memory whatever its size. Pieces are copied on
 * {@link append}: the caller may reuse its buffers. Throws {@link InputOutputError} when the temporary file
 * cannot be made, written or read.
 */
export class ByteSpill {
  private readonly limit: number;
  private readonly tempDir: string;
  private memory: Uint8Array[] = [];
  private memoryBytes = 0;
  private folder: string | undefined;
  private path: string | undefined;
  private handle: FileHandle | undefined;
  private size = 0;

  constructor(options: ByteSpillOptions = {}) {
    this.limit = options.inMemory ?? SPILL_IN_MEMORY;
    this.tempDir = options.tempDir ?? tmpdir();
  }

  /** Bytes appended so far. */
  get length(): number {
    return this.size;
  }

  /** True once the bytes live in a temporary file. */
  get onDisk(): boolean {
    return this.path !== undefined;
  }

  /**
   * Appends `pieces`: copies of them, or with `adopt` the pieces themselves (the caller never changes them
   * again, and they hold no memory the spill should not keep alive).
   */
  async append(pieces: readonly Uint8Array[], options: { adopt?: boolean } = {}): Promise<void> {
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      this.memory.push(options.adopt ? piece : piece.slice());
      this.memoryBytes += piece.length;
      this.size += piece.length;
    }
    if (this.memoryBytes > this.limit) await this.flushToDisk();
  }

  /**
   * The bytes appended, from the first, as a {@link ChunkedInput} (the caller closes it). Appending after this
   * is not allowed.
   */
  async reader(): Promise<ChunkedInput> {
    if (this.path === undefined) {
      const chunks = this.memory;
      this.memory = [];
      this.memoryBytes = 0;
      async function* replay(): AsyncGenerator<Uint8Array> {
        yield* chunks;
      }
      return new ChunkedInput(iterableSource(replay(), '<spill>', this.size));
    }
    await this.flushToDisk();
    await this.closeHandle();
    return new ChunkedInput(await fileSource(this.path, this.path));
  }

  /**
   * The bytes appended, from the first, as pieces: those held in memory, or blocks of the temporary file (each
   * a new array the caller may keep). Appending after this is not allowed.
   */
  async *chunks(): AsyncGenerator<Uint8Array> {
    if (this.path === undefined) {
      const pieces = this.memory;
      this.memory = [];
      this.memoryBytes = 0;
      yield* pieces;
      return;
    }
    await this.flushToDisk();
    await this.closeHandle();
    const path = this.path;
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw ioError(error, path);
    }
    try {
      while (true) {
        const block = new Uint8Array(READ_BLOCK);
        let filled: number;
        try {
          filled = (await handle.read(block, 0, READ_BLOCK)).bytesRead;
        } catch (error) {
          throw ioError(error, path);
        }
        if (filled === 0) return;
        yield block.subarray(0, filled);
      }
    } finally {
      await handle.close();
    }
  }

  /** Drops the bytes: closes and deletes the temporary file and its folder. Safe to call more than once. */
  async remove(): Promise<void> {
    this.memory = [];
    this.memoryBytes = 0;
    await this.closeHandle().catch(() => undefined);
    if (this.folder !== undefined) {
      const folder = this.folder;
      this.folder = undefined;
      this.path = undefined;
      await rm(folder, { recursive: true, force: true });
    }
  }

  private async flushToDisk(): Promise<void> {
    if (this.handle === undefined) {
      if (this.path !== undefined) throw new Error('ByteSpill: appended after reading');
      try {
        this.folder = await mkdtemp(join(this.tempDir, 'redback-spill-'));
      } catch (error) {
        throw ioError(error, this.tempDir);
      }
      this.path = join(this.folder, 'spill');
      try {
        this.handle = await open(this.path, 'wx');
      } catch (error) {
        throw ioError(error, this.path);
      }
    }
    const pieces = this.memory;
    const path = this.path as string;
    this.memory = [];
    this.memoryBytes = 0;
    try {
      for (const piece of pieces) {
        let offset = 0;
        while (offset < piece.length) offset += (await this.handle.write(piece, offset, piece.length - offset)).bytesWritten;
      }
    } catch (error) {
      throw ioError(error, path);
    }
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) await handle.close();
  }
}
