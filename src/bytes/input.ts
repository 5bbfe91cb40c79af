import { ByteReader } from './reader.js';
import { TruncatedError } from '../errors.js';

/**
 * Where bytes come from. A source fills a caller's buffer, so a file can be read straight into the parse
 * buffer without an intermediate chunk copy.
 */
export interface ByteSource {
  /** Name used in error messages (the path as the user gave it). */
  readonly name: string;
  /** Total number of bytes the source will deliver, when known in advance (for progress bars). */
  readonly size: number | undefined;
  /** Reads up to `length` bytes into `target` at `offset`; resolves to the count read, 0 at the end. */
  readInto(target: Uint8Array, offset: number, length: number): Promise<number>;
  /**
   * Passes over the next `count` bytes without reading them, when the source can (a file seeks); resolves
   * to the count passed over, fewer at the end. Without it, skipped bytes are read and dropped.
   */
  skip?(count: number): Promise<number>;
  /** Releases the underlying resource. Safe to call twice. */
  close(): Promise<void>;
}

/** A {@link ByteSource} over bytes already in memory. */
export function bufferSource(data: Uint8Array, name = '<buffer>'): ByteSource {
  let pos = 0;
  return {
    name,
    size: data.length,
    async readInto(target, offset, length) {
      const n = Math.min(length, data.length - pos);
      target.set(data.subarray(pos, pos + n), offset);
      pos += n;
      return n;
    },
    async close() {},
  };
}

/** A {@link ByteSource} over an async iterable of chunks (a decompressor, a pipe). */
export function iterableSource(chunks: AsyncIterable<Uint8Array>, name: string, size?: number): ByteSource {
  const iterator = chunks[Symbol.asyncIterator]();
  let pending: Uint8Array | undefined;
  let done = false;
  return {
    name,
    size,
    async readInto(target, offset, length) {
      while (pending === undefined || pending.length === 0) {
        if (done) return 0;
        const next = await iterator.next();
        if (next.done) {
          done = true;
          return 0;
        }
        pending = next.value;
      }
      const n = Math.min(length, pending.length);
      target.set(pending.subarray(0, n), offset);
      pending = pending.subarray(n);
      return n;
    },
    async close() {
      if (!done) {
        done = true;
        await iterator.return?.();
      }
    },
  };
}

/** Largest single read asked of a source (Node's file reads take 32-bit lengths). */
const MAX_READ = 1 << 30;

/** Default size of one read from the source. */
export const DEFAULT_READ_SIZE = 1 << 20;

/**
 * A sliding window over a {@link ByteSource} for parsers that work record by record.
 *
 * The parser reads a record through {@link reader}; if it runs out of bytes it throws a
 * {@link TruncatedError}, the driver calls {@link refillFor} with that error and retries the record.
 * Bytes before {@link end} are never overwritten, so views handed out for earlier records stay valid:
 * when the window must grow or move, a new buffer is allocated and the unread tail copied into it.
 * Memory is bounded by the largest single record plus one read.
 */
export class ChunkedInput {
  readonly source: ByteSource;
  private data: Uint8Array;
  private pos = 0;
  private end = 0;
  /** Absolute offset of data[0]. */
  private base = 0;
  private finished = false;
  private readonly readSize: number;
  private readonly reuse: boolean;

  /**
   * @param readSize bytes asked of the source per read
   * @param options.reuseBuffer move unread bytes to the front of the same buffer instead of allocating a
   *   new one; only for consumers that keep no views into records they have already processed
   * @param options.base absolute offset of the source's first byte (a source opened in the middle of a file)
   */
  constructor(source: ByteSource, readSize = DEFAULT_READ_SIZE, options: { reuseBuffer?: boolean; base?: number } = {}) {
    this.source = source;
    this.base = options.base ?? 0;
    this.readSize = readSize;
    this.reuse = options.reuseBuffer ?? false;
    this.data = new Uint8Array(readSize * 2);
  }

  /** Name of the source, for error messages. */
  get name(): string {
    return this.source.name;
  }

  /** Absolute offset of the next unconsumed byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Unconsumed bytes held in memory. */
  get buffered(): number {
    return this.end - this.pos;
  }

  /** True once the source is exhausted (the buffered bytes are all that is left). */
  get eof(): boolean {
    return this.finished;
  }

  /** True when nothing is buffered and the source is exhausted. */
  async atEnd(): Promise<boolean> {
    if (this.end > this.pos) return false;
    await this.fill(1);
    return this.end === this.pos;
  }

  /** A reader over every buffered unconsumed byte, reporting absolute offsets. */
  reader(): ByteReader {
    return new ByteReader(this.data, { pos: this.pos, end: this.end, base: this.base, file: this.source.name });
  }

  /** Marks everything before absolute offset `offset` as consumed. */
  consumeTo(offset: number): void {
    const pos = offset - this.base;
    if (pos < this.pos || pos > this.end) throw new RangeError(`consumeTo(${offset}) outside the buffered window`);
    this.pos = pos;
  }

  /**
   * Buffers at least `count` unconsumed bytes, or everything that is left when the source ends first.
   * Resolves to true when `count` bytes are available.
   */
  async fill(count: number): Promise<boolean> {
    const size = this.source.size;
    while (this.end - this.pos < count && !this.finished) {
      // Grow with the data that actually arrives (at most doubling), never past what the source can still
      // give, so a corrupt declared length cannot make us allocate it.
      const unread = this.end - this.pos;
      const left = size === undefined ? Number.POSITIVE_INFINITY : Math.max(0, size - (this.base + this.end));
      const target = Math.min(count, unread + Math.max(this.readSize, unread), unread + left + this.readSize);
      const want = Math.max(target - unread, this.readSize);
      if (this.data.length - this.end < want) this.grow(target);
      const room = Math.min(this.data.length - this.end, MAX_READ);
      const n = await this.source.readInto(this.data, this.end, room);
      if (n === 0) this.finished = true;
      this.end += n;
    }
    return this.end - this.pos >= count;
  }

  /**
   * Responds to a {@link TruncatedError} thrown while parsing from {@link reader}: buffers enough bytes
   * that the same read would succeed (or, for a read in pieces, take its next step: {@link TruncatedError.resume})
   * and resolves to true, or resolves to false when the source ended
   * (the error is a real truncation) or when the error was not about running out of this buffer.
   */
  async refillFor(error: TruncatedError): Promise<boolean> {
    const want = error.resume ?? (error.offset === undefined ? undefined : { offset: error.offset, needed: error.needed });
    if (want === undefined) return false;
    const required = want.offset + want.needed - (this.base + this.pos);
    if (required <= this.end - this.pos) return false; // raised inside a nested blob: not about our buffer
    if (this.finished) return false;
    return this.fill(required);
  }

  /**
   * Discards bytes up to absolute offset `offset` without holding them: the source passes over them when it
   * can ({@link ByteSource.skip}), otherwise they are read in bounded pieces. Resolves to false when the
   * source ends first.
   */
  async skipTo(offset: number): Promise<boolean> {
    const skip = this.source.skip;
    if (skip !== undefined && offset - this.offset > this.end - this.pos && !this.finished) {
      // Drop what is buffered and let the source pass over the rest.
      const rest = offset - (this.base + this.end);
      this.base += this.end;
      this.pos = 0;
      this.end = 0;
      const skipped = await skip.call(this.source, rest);
      this.base += skipped;
      return skipped === rest;
    }
    while (this.offset < offset) {
      if (this.end === this.pos && !(await this.fill(Math.min(offset - this.offset, this.readSize)))) {
        if (this.end === this.pos) return false;
      }
      this.pos += Math.min(offset - this.offset, this.end - this.pos);
    }
    return true;
  }

  /** Reads and consumes exactly `count` bytes (for simple headers); throws {@link TruncatedError} at the end. */
  async take(count: number): Promise<Uint8Array> {
    if (!(await this.fill(count))) {
      throw new TruncatedError(count, this.end - this.pos, { file: this.source.name, offset: this.offset });
    }
    const out = this.data.subarray(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  /** Closes the source. */
  async close(): Promise<void> {
    await this.source.close();
  }

  private grow(count: number): void {
    const unread = this.end - this.pos;
    const capacity = Math.max(unread + this.readSize, count + this.readSize, this.readSize * 2);
    if (this.reuse && this.data.length >= capacity) {
      this.data.copyWithin(0, this.pos, this.end);
      this.base += this.pos;
      this.end = unread;
      this.pos = 0;
      return;
    }
    const next = new Uint8Array(capacity);
    next.set(this.data.subarray(this.pos, this.end), 0);
    this.base += this.pos;
    this.end = unread;
    this.pos = 0;
    this.data = next;
  }
}
