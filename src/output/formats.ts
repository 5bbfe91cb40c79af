import type { Compression } from '../io/atomic.js';
import type { EncodingConfig } from '../rdb/encoding-config.js';
import type { AnyRdbRecord, RdbRecord } from '../rdb/model.js';
import type { RdbTarget } from '../rdb/targets.js';
import { copiesType, writeRdbRecords } from '../rdb/writer.js';
import type { WriteReport } from '../rdb/write-report.js';
import { writeAof, writeResp } from './aof.js';
import { writeJson, writeJsonl } from './json.js';
import { writeMultipart, type BaseWriter } from './multipart.js';

/*
 * The output formats of `convert`: one table from a format's name to its writer. A writer consumes the
 * reader's record batches (src/rdb/model.ts: values built, and for RDB inputs each key's raw bytes) and
 * yields the output's pieces in order, filling the report as it goes; `convert` writes the pieces to a file
 * atomically (or to standard output) and never looks inside them. A directory format (a multi-part AOF)
 * writes its files itself, crash-safe, its manifest last. Adding a format is adding a row here.
 */

/** What `convert` passes to every writer. */
export interface WriterOptions {
  /** The release an RDB (or an RDB preamble or BASE) is written for, or the release that loads the commands; undefined: the input's own version (for commands: the newest release). */
  target: RdbTarget | undefined;
  /** Encoding thresholds (`--redis-conf`). */
  encoding: EncodingConfig;
  /** Leave out (and count) what the output cannot hold instead of failing (`--drop-unsupported`). */
  dropUnsupported: boolean;
  /** The time of writing, ms since the epoch (`--now`). */
  now: number;
  /** Where writers may spool values too big to hold (default: the system's temporary directory). */
  tempDir: string | undefined;
  /** An AOF's dataset as an RDB preamble (`--preamble`: `aof-use-rdb-preamble yes`; for a multi-part set, an RDB BASE). */
  preamble: boolean;
  /** The input's name, for messages. */
  file: string | undefined;
}

/**
 * A writer of one output stream: record batches in, output pieces out (see the top of this file). The
 * records may hold keys without values (`values: false`) only when the format's `copies` accepted their type.
 */
export type RecordWriter = (records: AsyncIterable<readonly AnyRdbRecord[]>, options: WriterOptions, report: WriteReport) => AsyncGenerator<Uint8Array>;

/** What a directory writer wrote. */
export interface DirectoryWritten {
  /** The files written, the manifest last. */
  files: string[];
  /** Bytes on disk, all files together. */
  bytes: number;
}

/** A writer of a directory (a multi-part AOF): it writes its files itself, crash-safe. */
export type DirectoryWriter = (dir: string, records: AsyncIterable<readonly AnyRdbRecord[]>, options: WriterOptions, report: WriteReport, compression: Compression) => Promise<DirectoryWritten>;

/**
 * For a writer that copies encodings from the input's raw bytes: whether, for this target, it copies keys of
 * an RDB type byte (in an input of this magic) without looking at their values, so that the reader need not
 * build them.
 */
export type CopiesType = (target: RdbTarget, inputMagic: 'REDIS' | 'VALKEY', typeCode: number) => boolean;

interface FormatInfo {
  /** Binary output: refused on a terminal (`-o -` with stdout a TTY). */
  readonly binary: boolean;
  /** May be written to standard output (`-o -`). */
  readonly stdout: boolean;
  /** Takes `--preamble` (an RDB preamble or BASE). */
  readonly preamble: boolean;
  /** One line for `--help`. */
  readonly description: string;
  /**
   * When the writer, with these options, copies some encodings from the raw bytes (an RDB, an RDB preamble):
   * which keys it copies. Undefined: it needs every value built.
   */
  readonly copies?: (options: Pick<WriterOptions, 'preamble'>) => CopiesType | undefined;
}

/** One output format: a file (or standard output) format, or a directory format. */
export type OutputFormat = FormatInfo & ({ readonly directory: false; readonly write: RecordWriter } | { readonly directory: true; readonly writeDirectory: DirectoryWriter });

/** Only the records of a writer that does not copy: it is never given keys without values. */
const built = (records: AsyncIterable<readonly AnyRdbRecord[]>): AsyncIterable<readonly RdbRecord[]> => records as AsyncIterable<readonly RdbRecord[]>;

/** The RDB writer with convert's options (`aofPreamble` for a preamble or a set's BASE). */
function rdbWriter(options: WriterOptions, aofPreamble: boolean): (records: AsyncIterable<readonly AnyRdbRecord[]>, report: WriteReport) => AsyncGenerator<Uint8Array> {
  return (records, report) =>
    writeRdbRecords(records, { target: options.target, encoding: options.encoding, dropUnsupported: options.dropUnsupported, now: options.now, tempDir: options.tempDir, aofPreamble }, report);
}

/** The options the command writers (AOF, RESP) take from convert's. */
function commandOptions(options: WriterOptions): { target: RdbTarget | undefined; dropUnsupported: boolean; tempDir: string | undefined; file: string | undefined } {
  return { target: options.target, dropUnsupported: options.dropUnsupported, tempDir: options.tempDir, file: options.file };
}

/** The formats `convert --to` accepts. */
export const OUTPUT_FORMATS = {
  rdb: {
    directory: false,
    write: (records, options, report) => rdbWriter(options, false)(records, report),
    copies: () => copiesType,
    binary: true,
    stdout: true,
    preamble: false,
    description: 'an RDB file for the target release (--target-redis, --rdb-version)',
  },
  aof: {
    directory: false,
    write: (records, options, report) => (options.preamble ? rdbWriter(options, true)(records, report) : writeAof(built(records), commandOptions(options), report)),
    copies: (options) => (options.preamble ? copiesType : undefined),
    binary: false,
    stdout: true,
    preamble: true,
    description: "a single-file AOF in the style of Redis's rewrite (--preamble: the dataset as an RDB preamble)",
  },
  multipart: {
    directory: true,
    writeDirectory: async (dir, records, options, report, compression) => {
      const base: BaseWriter | undefined = options.preamble ? { format: 'rdb', write: (batches, r) => rdbWriter(options, true)(batches, r) } : undefined;
      const written = await writeMultipart(dir, built(records), { base, aof: commandOptions(options), compression }, report);
      return { files: written.files.concat(written.manifestPath), bytes: written.bytes };
    },
    copies: (options) => (options.preamble ? copiesType : undefined),
    binary: true,
    stdout: false,
    preamble: true,
    description: 'a Redis 7 multi-part AOF directory: BASE, empty INCR, manifest (--preamble: an RDB BASE)',
  },
  resp: {
    directory: false,
    write: (records, options, report) => writeResp(built(records), commandOptions(options), report),
    binary: false,
    stdout: true,
    preamble: false,
    description: 'RESP commands to pipe into redis-cli --pipe (replacing existing keys)',
  },
  json: {
    directory: false,
    write: (records, options, report) => writeJson(built(records), { file: options.file }, report),
    binary: false,
    stdout: true,
    preamble: false,
    description: 'one JSON document (the dump schema in the README; convert reads it back)',
  },
  jsonl: {
    directory: false,
    write: (records, options, report) => writeJsonl(built(records), { file: options.file }, report),
    binary: false,
    stdout: true,
    preamble: false,
    description: 'JSON lines: a header line, then one line per key (convert reads it back)',
  },
} satisfies Record<string, OutputFormat>;

/** A name of {@link OUTPUT_FORMATS}. */
export type OutputFormatName = keyof typeof OUTPUT_FORMATS;

/** The format named `name`, or undefined. */
export function outputFormat(name: string): OutputFormat | undefined {
  return Object.hasOwn(OUTPUT_FORMATS, name) ? (OUTPUT_FORMATS as Record<string, OutputFormat>)[name] : undefined;
}
