import type { EncodingConfig } from '../rdb/encoding-config.js';
import type { AnyRdbRecord, RdbRecord } from '../rdb/model.js';
import type { RdbTarget } from '../rdb/targets.js';
import { copiesType, writeRdbRecords } from '../rdb/writer.js';
import type { WriteReport } from '../rdb/write-report.js';

/*
 * The output formats of `convert`: one table from a format's name to its writer. A writer consumes the
 * reader's record batches (src/rdb/model.ts: values built, and for RDB inputs each key's raw bytes) and
 * yields the output's pieces in order, filling the report as it goes; `convert` writes the pieces to a file
 * atomically (or to standard output) and never looks inside them. Adding a format is adding a row here.
 */

/** What `convert` passes to every writer. */
export interface WriterOptions {
  /** The release an RDB (or an AOF's RDB preamble) is written for; undefined: the input's own version. */
  target: RdbTarget | undefined;
  /** Encoding thresholds (`--redis-conf`). */
  encoding: EncodingConfig;
  /** Leave out (and count) what the output cannot hold instead of failing (`--drop-unsupported`). */
  dropUnsupported: boolean;
  /** The time of writing, ms since the epoch (`--now`). */
  now: number;
  /** Where writers may spool values too big to hold (default: the system's temporary directory). */
  tempDir: string | undefined;
}

/** A writer: record batches in, output pieces out (see the top of this file). */
export type RecordWriter = (records: AsyncIterable<readonly RdbRecord[]>, options: WriterOptions, report: WriteReport) => AsyncGenerator<Uint8Array>;

/**
 * A writer that copies some encodings from the input's raw bytes: it also takes keys whose values were not
 * built (`values: false`) when `copies` says it copies their encoding.
 */
export type CopyingWriter = (records: AsyncIterable<readonly AnyRdbRecord[]>, options: WriterOptions, report: WriteReport) => AsyncGenerator<Uint8Array>;

/** One output format: its writer, and for a writer that copies raw bytes, which keys it copies. */
export type OutputFormat = FormatInfo & ({ readonly write: RecordWriter; readonly copies?: undefined } | { readonly write: CopyingWriter; readonly copies: CopiesType });

/**
 * For a {@link CopyingWriter}: whether, for this target, it copies keys of an RDB type byte (in an input of
 * this magic) from their raw bytes without looking at their values, so that the reader need not build them.
 */
export type CopiesType = (target: RdbTarget, inputMagic: 'REDIS' | 'VALKEY', typeCode: number) => boolean;

interface FormatInfo {
  /** Binary output: refused on a terminal (`-o -` with stdout a TTY). */
  readonly binary: boolean;
  /** May be written to standard output (`-o -`). */
  readonly stdout: boolean;
  /** One line for `--help`. */
  readonly description: string;
}

/** The formats `convert --to` accepts. */
export const OUTPUT_FORMATS = {
  rdb: {
    write: writeRdbRecords,
    copies: copiesType,
    binary: true,
    stdout: true,
    description: 'an RDB file for the target release (--target-redis, --rdb-version)',
  },
} satisfies Record<string, OutputFormat>;

/** A name of {@link OUTPUT_FORMATS}. */
export type OutputFormatName = keyof typeof OUTPUT_FORMATS;

/** The format named `name`, or undefined. */
export function outputFormat(name: string): OutputFormat | undefined {
  return (OUTPUT_FORMATS as Record<string, OutputFormat>)[name];
}
