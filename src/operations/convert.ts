import { existsSync } from 'node:fs';
import { readFile, readdir, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { recoverAofEdit } from '../aof/set-edit.js';
import { DEFAULT_AOF_FILENAME, manifestFileName } from '../aof/manifest.js';
import { RedbackError, UsageError, ioError } from '../errors.js';
import { writeFileAtomic, type Compression } from '../io/atomic.js';
import { openRecords, type RecordSource } from '../input/records.js';
import { OUTPUT_FORMATS, outputFormat, type WriterOptions } from '../output/formats.js';
import { DEFAULT_ENCODING_CONFIG, parseRedisConf, type EncodingConfig } from '../rdb/encoding-config.js';
import type { AnyRdbRecord } from '../rdb/model.js';
import { describeTarget, resolveTarget, targetForRdbVersion, type RdbTarget } from '../rdb/targets.js';
import { newWriteReport, type DropKind } from '../rdb/write-report.js';
import { KeyFilter, type FilterReason, type KeyFilterOptions } from './key-filter.js';

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** Output format, a name of the format table (`--to`). */
  to: string;
  /** Output path, or `-` for standard output (through `stdout`). */
  output: string;
  /** Where `-o -` writes: the caller's standard output (it waits for each piece to be accepted). */
  stdout?: (piece: Uint8Array) => Promise<void>;
  /** Replace an existing output file (`--force`). */
  force?: boolean;
  /** Compress the output file (`--compress lz4`). */
  compress?: Compression;
  /** Target release for RDB output (`--target-redis`: `7.0`, `valkey-9.0`…). */
  targetRedis?: string;
  /** Target RDB version (`--rdb-version`). */
  rdbVersion?: number;
  /** A redis.conf whose `*-max-*` settings (and `rdbcompression`, `rdbchecksum`) replace Redis's defaults (`--redis-conf`). */
  redisConf?: string;
  /** Leave out what the output cannot hold, and count it, instead of failing (`--drop-unsupported`). */
  dropUnsupported?: boolean;
  /** AOF and multi-part outputs: the dataset as an RDB preamble, or an RDB BASE (`--preamble`). */
  preamble?: boolean;
  /** Key filters. */
  filter?: KeyFilterOptions;
  /** The time of the conversion, ms since the epoch (`--now`: the `ctime` written, and `--drop-expired`'s clock). */
  now?: number;
  /** Where values too big to hold are spooled (default: the system's temporary directory). */
  tempDir?: string;
  /** Progress: bytes of the input read, its size (undefined for a compressed input) and the pass ('sizes', 'convert'). */
  onProgress?: (done: number, total: number | undefined, pass: 'sizes' | 'convert') => void;
}

/** What `redback convert --json` reports. */
export interface ConvertReport {
  input: { file: string; format: string; size: number; compressed: boolean };
  output: {
    /** The path written, or `-` for standard output. */
    file: string;
    format: string;
    compressed: boolean;
    /** Bytes of output (before compression; for a directory, its files' bytes on disk). */
    bytes: number;
    /** Bytes written to the file (after compression; equal to `bytes` without it), or to the directory's files. */
    fileBytes: number;
    /** A directory output (multipart): the files written, the manifest last. */
    files?: string[];
  };
  /** The release an RDB was written for, when the format has one. */
  target?: { name: string; magic: 'REDIS' | 'VALKEY'; rdbVersion: number };
  /** Keys written. */
  keys: number;
  /** Function libraries written. */
  functions: number;
  /** Keys left out by the filters, by filter. */
  filtered: Partial<Record<FilterReason, number>>;
  /** What the output cannot hold and was left out (with `--drop-unsupported`) or approximated, by kind. */
  dropped: Partial<Record<DropKind, number>>;
  /** The settings read from `--redis-conf`. */
  redisConf?: { file: string; applied: string[] };
  /** The time used for `ctime` and `--drop-expired`, ms since the epoch. */
  now: number;
  /** Notes on choices made (the target taken from the input…). */
  notes: string[];
  /** What the user should know that is not an error (a stream whose stored length is wrong…). */
  warnings: string[];
}

/**
 * `redback convert`: reads the input as records (src/input/records.ts), applies the key filters, and writes
 * the records in the output format (the format table of src/output/formats.ts), to a file atomically
 * (temporary file, fsync, rename, directory fsync; an existing file is replaced only with `force`) or to
 * standard output. `--min-bytes` needs each key's size before the key is written: a first, validating pass
 * over the input notes which keys qualify (one bit per key).
 *
 * Throws {@link UsageError} for bad options (unknown format or target, an existing output without `force`,
 * `-o -` for a format that cannot go there, something the target cannot hold without `dropUnsupported`),
 * the readers' errors for a bad input (with the input's name), and {@link InputOutputError}.
 */
export async function convert(input: string, options: ConvertOptions): Promise<ConvertReport> {
  const format = outputFormat(options.to);
  if (!format) throw new UsageError(`--to: unknown format '${options.to}': known are ${Object.keys(OUTPUT_FORMATS).join(', ')}`);
  const toStdout = options.output === '-';
  let createdDir = false;
  const preamble = options.preamble === true;
  if (preamble && !format.preamble) throw new UsageError(`--preamble: ${options.to} has no RDB preamble (aof and multipart have)`);
  if (toStdout && (!format.stdout || options.stdout === undefined)) throw new UsageError(`-o -: ${options.to} cannot be written to standard output`);
  if (toStdout && options.compress === 'lz4') throw new UsageError('--compress lz4 applies to an output file, not to standard output');
  if (!toStdout) {
    if (resolve(options.output) === resolve(input) && !options.force) throw new UsageError('the output is the input: converting in place needs --force', { file: options.output });
    if (format.directory) {
      // A multi-part set is committed by its manifest's rename: it goes into an empty (or new) directory,
      // never over another set (replacing one is an edit of that set, not a conversion).
      // An earlier run killed part-way left a journal: finish undoing it first (what a rerun is for).
      if ((await directoryEntries(options.output)) !== 'file') await recoverAofEdit(join(options.output, manifestFileName(DEFAULT_AOF_FILENAME)));
      const entries = await directoryEntries(options.output);
      createdDir = entries === 0 && !existsSync(options.output);
      if (entries === 'file') throw new UsageError('is a file: multipart writes a directory', { file: options.output });
      if (entries > 0) throw new UsageError('is not empty: multipart writes into a new or empty directory (--force does not replace a set)', { file: options.output });
    } else if (existsSync(options.output) && !options.force) {
      const error = new UsageError('already exists', { file: options.output });
      error.hint = '--force replaces it';
      throw error;
    }
  }
  const now = options.now ?? Date.now();
  let target = resolveTargetOption(options);
  let encoding: EncodingConfig = DEFAULT_ENCODING_CONFIG;
  let redisConf: ConvertReport['redisConf'];
  if (options.redisConf !== undefined) {
    let text: string;
    try {
      text = await readFile(options.redisConf, 'utf8');
    } catch (error) {
      throw ioError(error, options.redisConf);
    }
    const settings = parseRedisConf(text, DEFAULT_ENCODING_CONFIG, options.redisConf);
    encoding = settings.config;
    redisConf = { file: options.redisConf, applied: settings.applied };
  }
  const filter = new KeyFilter({ ...options.filter, now });
  const report = newWriteReport();
  const source = await openRecords(input);
  const copies = format.copies?.({ preamble });
  if (target === undefined && copies && source.header) {
    // The input's own version, for a writer that needs to know what it will copy before the reading starts.
    target = targetForRdbVersion(Math.max(source.header.version, 6), source.header.magic);
    report.notes.push(`target ${describeTarget(target)}, the input's own version${source.header.version < 6 ? ' (RDB 6 is the oldest written)' : ''}`);
  }
  const filtered: Partial<Record<FilterReason, number>> = {};
  const writerOptions: WriterOptions = { target, encoding, dropUnsupported: options.dropUnsupported === true, now, tempDir: options.tempDir, preamble, file: input };
  if (target !== undefined) report.target = target;
  let bytes = 0;
  let fileBytes: number;
  let files: string[] | undefined;
  try {
    const sizes = filter.minBytes === undefined ? undefined : await qualifyingKeys(source, filter, options);
    const onProgress = (done: number, total: number | undefined): void => options.onProgress?.(done, total, 'convert');
    const header = source.header;
    let records: AsyncIterable<AnyRdbRecord[]>;
    if (copies !== undefined && target !== undefined && header !== undefined && source.copyRecords !== undefined) {
      // A writer that copies the encodings its target loads needs no values for those keys: they are only validated.
      const copyTarget = target;
      const needsValues = Array.from({ length: 256 }, (_, code) => !copies(copyTarget, header.magic, code));
      records = filterRecords(source.copyRecords((code) => needsValues[code] === true, { onProgress }), filter, sizes, filtered);
    } else {
      // Raw bytes only for a writer that copies encodings (an RDB writer whose target was not known up front).
      records = filterRecords(source.records({ onProgress, raw: copies !== undefined }), filter, sizes, filtered);
    }
    if (format.directory) {
      const written = await format.writeDirectory(options.output, records, writerOptions, report, options.compress ?? 'none');
      files = written.files;
      bytes = fileBytes = written.bytes;
    } else if (toStdout) {
      const pieces = counted(format.write(records, writerOptions, report), (n) => (bytes += n));
      const write = options.stdout as (piece: Uint8Array) => Promise<void>;
      for await (const piece of pieces) await write(piece);
      fileBytes = bytes;
    } else {
      const pieces = counted(format.write(records, writerOptions, report), (n) => (bytes += n));
      fileBytes = await writeFileAtomic(options.output, pieces, options.compress ?? 'none');
    }
  } catch (error) {
    // A set that failed before its commit was undone by writeAofSet: remove the directory if it made it.
    if (createdDir) await rmdir(options.output).catch(() => undefined);
    // Errors about a key or a record carry the input's offsets: name the input.
    if (error instanceof RedbackError && error.file === undefined) error.at({ file: input });
    throw error;
  }
  const out: ConvertReport = {
    input: { file: input, format: source.format, size: source.size, compressed: source.compressed },
    output: { file: options.output, format: options.to, compressed: options.compress === 'lz4', bytes, fileBytes },
    keys: report.keys,
    functions: report.functions,
    filtered,
    dropped: report.dropped,
    now,
    notes: report.notes,
    warnings: report.warnings,
  };
  if (files) out.output.files = files;
  const usedTarget = report.target;
  if (usedTarget) out.target = { name: usedTarget.name, magic: usedTarget.magic, rdbVersion: usedTarget.rdbVersion };
  if (redisConf) out.redisConf = redisConf;
  return out;
}

/** The number of entries of the directory at `path` (0 when it does not exist), or 'file' for something else. */
async function directoryEntries(path: string): Promise<number | 'file'> {
  try {
    if (!(await stat(path)).isDirectory()) return 'file';
    return (await readdir(path)).length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw ioError(error, path);
  }
}

function resolveTargetOption(options: ConvertOptions): RdbTarget | undefined {
  if (options.targetRedis !== undefined && options.rdbVersion !== undefined) throw new UsageError('--target-redis and --rdb-version exclude each other');
  if (options.targetRedis !== undefined) return resolveTarget(options.targetRedis);
  if (options.rdbVersion !== undefined) return targetForRdbVersion(options.rdbVersion);
  return undefined;
}

/** A growable bit set over key ordinals. */
class KeyBits {
  private bits = new Uint8Array(1024);

  set(index: number): void {
    if (index >> 3 >= this.bits.length) {
      const next = new Uint8Array(Math.max(this.bits.length * 2, (index >> 3) + 1));
      next.set(this.bits);
      this.bits = next;
    }
    this.bits[index >> 3] = (this.bits[index >> 3] as number) | (1 << (index & 7));
  }

  has(index: number): boolean {
    return ((this.bits[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
  }
}

/** The first pass of `--min-bytes`: which keys (by their ordinal in the input) are big enough. */
async function qualifyingKeys(source: RecordSource, filter: KeyFilter, options: ConvertOptions): Promise<KeyBits> {
  const bits = new KeyBits();
  let index = 0;
  for await (const batch of source.keySizes({ onProgress: (done, total) => options.onProgress?.(done, total, 'sizes') })) {
    for (const size of batch) {
      if (filter.bySize(size) === undefined) bits.set(index);
      index++;
    }
  }
  return bits;
}

/**
 * Applies the key filters to a record stream: a key left out goes with all its records. RESIZEDB hints are
 * left out too when a filter may drop keys (they would promise keys that are not there).
 */
async function* filterRecords<R extends AnyRdbRecord>(
  batches: AsyncIterable<R[]>,
  filter: KeyFilter,
  sizes: KeyBits | undefined,
  filtered: Partial<Record<FilterReason, number>>,
): AsyncGenerator<R[]> {
  if (!filter.active) {
    yield* batches;
    return;
  }
  let index = 0;
  let skipping = false;
  for await (const batch of batches) {
    const out: R[] = [];
    for (const record of batch) {
      if (skipping) {
        if (record.kind === 'key-end') skipping = false;
        continue;
      }
      if (record.kind === 'key') {
        const ordinal = index++;
        const reason = filter.byHeader(record.db, record.key, record.type, record.expireMs) ?? (sizes !== undefined && !sizes.has(ordinal) ? 'minBytes' : undefined);
        if (reason !== undefined) {
          filtered[reason] = (filtered[reason] ?? 0) + 1;
          skipping = true;
          continue;
        }
      } else if (record.kind === 'resizedb') {
        continue;
      }
      out.push(record);
    }
    if (out.length > 0) yield out;
  }
}

/** Output is written in blocks of this size (fewer, larger writes). */
const BLOCK = 1 << 20;

/**
 * Passes pieces through in blocks of {@link BLOCK} bytes, adding up their sizes. The block buffer is reused:
 * each consumer (the atomic file writer, the LZ4 encoder, standard output) is done with a block, or has
 * copied it, when it asks for the next one. Pieces of a block's size or more go through as they are.
 */
async function* counted(pieces: AsyncIterable<Uint8Array>, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  const block = new Uint8Array(BLOCK);
  let filled = 0;
  for await (const piece of pieces) {
    add(piece.length);
    if (piece.length >= BLOCK) {
      if (filled > 0) yield block.subarray(0, filled);
      filled = 0;
      yield piece;
      continue;
    }
    let at = 0;
    while (at < piece.length) {
      const n = Math.min(BLOCK - filled, piece.length - at);
      block.set(at === 0 && n === piece.length ? piece : piece.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === BLOCK) {
        yield block;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield block.subarray(0, filled);
}
