import { ByteReader } from '../bytes/reader.js';
import type { ChunkedInput } from '../bytes/input.js';
import { RedbackError, TruncatedError } from '../errors.js';
import { openInput } from '../io/open.js';
import type { RdbCheckRecord, RdbRecord } from './model.js';
import { RdbParser, printable } from './parser.js';
import type { RdbParserOptions } from './parser.js';

/** Options of the RDB readers. */
export interface RdbReadOptions extends RdbParserOptions {
  /** Records per yielded batch (default 1024). */
  recordsPerBatch?: number;
  /**
   * Input bytes after which a batch is yielded even when it holds fewer records (default 256 KiB): a batch of
   * big records (the nodes of a stream, of a quicklist) would otherwise hold a thousand of them, built.
   */
  bytesPerBatch?: number;
  /** Called with the absolute offset reached after each batch (for progress bars). */
  onProgress?: (offset: number) => void;
  /** Receives the parser before the first record, to read its warnings or version afterwards. */
  parser?: (parser: RdbParser) => void;
}

function addKeyContext(error: unknown, parser: RdbParser): unknown {
  if (error instanceof RedbackError && error.context === undefined && parser.currentKey) {
    error.during(`value of key '${printable(parser.currentKey)}'`);
  }
  return error;
}

/**
 * Streams an RDB from `input` as batches of records, each record with its absolute offset.
 * Stops right after the checksum, leaving `input` positioned there (an AOF's RESP tail may follow).
 * Memory is bounded by the largest single blob in the file plus one read (a long string value is read in
 * pieces; the duplicate check of a huge key spills to temporary files, released however the read ends).
 *
 * Throws {@link TruncatedError} when the file ends early, {@link CorruptError} for bad bytes,
 * {@link ChecksumError} for a CRC64 mismatch, {@link UnsupportedError} for unknown versions.
 */
export function readRdbBatches(input: ChunkedInput, options: RdbReadOptions & { materialize: false }): AsyncGenerator<RdbCheckRecord[]>;
export function readRdbBatches(input: ChunkedInput, options?: RdbReadOptions & { materialize?: true }): AsyncGenerator<RdbRecord[]>;
export function readRdbBatches(input: ChunkedInput, options?: RdbReadOptions): AsyncGenerator<RdbRecord[] | RdbCheckRecord[]>;
export async function* readRdbBatches(input: ChunkedInput, options: RdbReadOptions = {}): AsyncGenerator<RdbRecord[] | RdbCheckRecord[]> {
  const parser = new RdbParser({ ...options, file: options.file ?? input.name });
  options.parser?.(parser);
  const perBatch = options.recordsPerBatch ?? 1024;
  const bytesPerBatch = options.bytesPerBatch ?? 256 * 1024;
  let out: RdbRecord[] = [];
  try {
    while (!parser.done) {
      const r = input.reader();
      let good = r.pos;
      const stop = r.pos + bytesPerBatch;
      try {
        while (!parser.done && out.length < perBatch && r.pos < stop) {
          parser.step(r, out);
          good = r.pos;
          if (parser.skippable > 0) break;
        }
      } catch (error) {
        input.consumeTo(r.base + good);
        parser.flushChecksum(r);
        if (out.length > 0) {
          options.onProgress?.(input.offset);
          yield out;
          out = [];
        }
        if (error instanceof TruncatedError) {
          const before = input.buffered;
          if (await input.refillFor(error)) continue;
          // The source ended, but maybe after giving more bytes: run the step again so the error describes
          // the final data (with nothing more to come, that attempt's error is the real one).
          if (input.buffered > before) continue;
        }
        throw addKeyContext(parser.close(error), parser);
      }
      input.consumeTo(r.base + good);
      options.onProgress?.(input.offset);
      if (out.length > 0) {
        yield out;
        out = [];
      }
      const skippable = parser.skippable;
      if (skippable > 0) {
        // Bytes nothing reads (the rest of a long string, with the CRC computed elsewhere): passed over.
        const from = input.offset;
        await input.skipTo(from + skippable);
        parser.skipped(input.offset - from);
      }
    }
  } finally {
    parser.close();
  }
}

/** Streams an RDB from `input` one record at a time (see {@link readRdbBatches}). */
export function readRdb(input: ChunkedInput, options: RdbReadOptions & { materialize: false }): AsyncGenerator<RdbCheckRecord>;
export function readRdb(input: ChunkedInput, options?: RdbReadOptions & { materialize?: true }): AsyncGenerator<RdbRecord>;
export function readRdb(input: ChunkedInput, options?: RdbReadOptions): AsyncGenerator<RdbRecord | RdbCheckRecord>;
export async function* readRdb(input: ChunkedInput, options: RdbReadOptions = {}): AsyncGenerator<RdbRecord | RdbCheckRecord> {
  for await (const batch of readRdbBatches(input, options)) yield* batch;
}

/**
 * Streams the RDB file at `path` one record at a time (see {@link readRdb}); an `.lz4` file is decompressed
 * on the fly (offsets are then in the decompressed stream). The reader owns the file: it is closed when the
 * records end, when reading fails, and when the consumer stops early (`break` or `return` in a
 * `for await` loop). Throws {@link InputOutputError} when the file cannot be opened or read, and the errors
 * of {@link readRdb}.
 */
export function readRdbFile(path: string, options: RdbReadOptions & { materialize: false }): AsyncGenerator<RdbCheckRecord>;
export function readRdbFile(path: string, options?: RdbReadOptions & { materialize?: true }): AsyncGenerator<RdbRecord>;
export function readRdbFile(path: string, options?: RdbReadOptions): AsyncGenerator<RdbRecord | RdbCheckRecord>;
export async function* readRdbFile(path: string, options: RdbReadOptions = {}): AsyncGenerator<RdbRecord | RdbCheckRecord> {
  const input = await openInput(path, options.file ?? path);
  try {
    yield* readRdb(input, options);
  } finally {
    await input.close();
  }
}

/**
 * The synchronous twin of {@link readRdb} over a whole file in memory. Same parser, same records — except
 * that the value of a plain-encoded collection may be cut into chunks at other places when the streaming
 * reader receives its bytes in pieces; merged, the chunks are the same. Running out of bytes is a truncated file. `options.base` shifts reported offsets (for an RDB embedded elsewhere).
 */
export function readRdbSync(data: Uint8Array, options: SyncReadOptions & { materialize: false }): Generator<RdbCheckRecord>;
export function readRdbSync(data: Uint8Array, options?: SyncReadOptions & { materialize?: true }): Generator<RdbRecord>;
export function readRdbSync(data: Uint8Array, options?: SyncReadOptions): Generator<RdbRecord | RdbCheckRecord>;
export function* readRdbSync(data: Uint8Array, options: SyncReadOptions = {}): Generator<RdbRecord | RdbCheckRecord> {
  const parser = new RdbParser(options);
  options.parser?.(parser);
  const r = new ByteReader(data, { base: options.base ?? 0, file: options.file });
  const out: RdbRecord[] = [];
  try {
    while (!parser.done) {
      try {
        parser.step(r, out);
      } catch (error) {
        throw addKeyContext(parser.close(error), parser);
      }
      yield* out;
      out.length = 0;
    }
  } finally {
    parser.close();
  }
}

/** Reads a whole in-memory RDB and returns its records (for tests and small files). */
export function readRdbAll(data: Uint8Array, options: RdbParserOptions & { materialize: false }): RdbCheckRecord[];
export function readRdbAll(data: Uint8Array, options?: RdbParserOptions & { materialize?: true }): RdbRecord[];
export function readRdbAll(data: Uint8Array, options?: RdbParserOptions): (RdbRecord | RdbCheckRecord)[];
export function readRdbAll(data: Uint8Array, options: RdbParserOptions = {}): (RdbRecord | RdbCheckRecord)[] {
  return [...readRdbSync(data, options)];
}

/** Options of {@link readRdbSync}. */
export type SyncReadOptions = RdbParserOptions & {
  /** Added to every reported offset (for an RDB embedded elsewhere). */
  base?: number;
  /** Receives the parser before the first record. */
  parser?: (p: RdbParser) => void;
};
