import { writeAofSet } from '../aof/set-edit.js';
import type { AofSetWritten } from '../aof/set-edit.js';
import type { Compression } from '../io/atomic.js';
import { writeAof } from './aof.js';
import type { AofOutputOptions } from './aof.js';
import { newWriteReport } from './report.js';
import type { RecordBatches, WriteReport } from './report.js';

/*
 * cspell:words appendfilename
 *
 * A Redis 7 multi-part AOF made from records: what BGREWRITEAOF leaves in `appenddirname` — a BASE holding
 * the dataset, an empty INCR for the commands to come, and the manifest naming both.
 */

/** Writes the BASE of a set from the records. */
export interface BaseWriter {
  /** `rdb`: the BASE is an RDB (`….base.rdb`, Redis's `aof-use-rdb-preamble yes`); `aof`: RESP (`….base.aof`). */
  format: 'rdb' | 'aof';
  write(records: RecordBatches, report: WriteReport): AsyncIterable<Uint8Array>;
}

/** Options of {@link writeMultipart}. */
export interface MultipartOutputOptions {
  /** The BASE's writer (default: the RESP AOF of {@link writeAof}, as with `aof-use-rdb-preamble no`). */
  base?: BaseWriter;
  /** Options of the default RESP BASE. */
  aof?: AofOutputOptions;
  /** `appendfilename`, the prefix of every name (default `appendonly.aof`). */
  prefix?: string;
  /** Compress the files as LZ4 frames. */
  compression?: Compression;
}

/** The RESP BASE: {@link writeAof}. */
export function respBase(options: AofOutputOptions = {}): BaseWriter {
  return { format: 'aof', write: (records, report) => writeAof(records, options, report) };
}

/**
 * Writes a fresh multi-part AOF into `dir` (made if missing): `<prefix>.1.base.rdb|aof` from the records, an
 * empty `<prefix>.1.incr.aof`, and `<prefix>.manifest`, each through a temporary file, fsync and rename,
 * the manifest last — so a crash leaves no manifest naming an incomplete file. A Redis 7 server started with
 * `appendonly yes`, `appenddirname` set to `dir` and `appendfilename` to the prefix loads it. Throws
 * {@link InputOutputError} when a file cannot be written, and what the records' reader and the BASE's
 * writer throw.
 */
export async function writeMultipart(dir: string, records: RecordBatches, options: MultipartOutputOptions = {}, report: WriteReport = newWriteReport()): Promise<AofSetWritten> {
  const base = options.base ?? respBase(options.aof);
  return writeAofSet(
    dir,
    { base: { format: base.format, chunks: base.write(records, report) }, incrs: [[]] },
    { prefix: options.prefix, compression: options.compression },
  );
}
