import type { ChunkedInput } from '../bytes/input.js';
import { InputOutputError, RedbackError, toFailure } from '../errors.js';
import type { ScanFailure } from '../errors.js';
import type { AnyKeyRecord, AnyRdbRecord, KeyEndRecord } from './model.js';
import type { RdbParser } from './parser.js';
import { readRdbBatches } from './reader.js';
import type { RdbReadOptions } from './reader.js';

/**
 * The RDB reading engine: one streaming pass over an RDB that hands every record to a visitor. `check` and
 * `inspect` visit with a summary (summary.ts); writers and the replay engine visit with what they build.
 * {@link scanRdb} throws the reader's errors; {@link scanRdbInput} turns them into an outcome (the verdict of
 * a check) and rethrows only input/output errors.
 */

/** Callbacks of {@link scanRdb}; each is optional. Records are handed over in file order. */
export interface RdbVisitor {
  record?(record: AnyRdbRecord): void;
  key?(key: AnyKeyRecord): void;
  keyEnd?(end: KeyEndRecord, key: AnyKeyRecord): void;
}

/** Options of {@link scanRdb}. */
export type RdbScanOptions = Omit<RdbReadOptions, 'parser'> & {
  /** Receives the parser before the first record (for its version and warnings). */
  onParser?: (parser: RdbParser) => void;
  /** Called with the absolute offset just past each batch's last complete record. */
  onRecordsEnd?: (offset: number) => void;
};

/**
 * Streams an RDB through a visitor. Values are validated but not built unless `materialize: true`.
 * Returns the parser (for version, warnings, stored checksum) once the EOF and checksum have been read;
 * throws the reader's errors (see {@link readRdbBatches}).
 */
export async function scanRdb(input: ChunkedInput, visitor: RdbVisitor, options: RdbScanOptions = {}): Promise<RdbParser> {
  let parser: RdbParser | undefined;
  let current: AnyKeyRecord | undefined;
  const { onParser, onRecordsEnd, ...rest } = options;
  const capture = (p: RdbParser): void => {
    parser = p;
    onParser?.(p);
  };
  for await (const batch of readRdbBatches(input, { materialize: false, ...rest, parser: capture })) {
    for (const record of batch) {
      visitor.record?.(record);
      if (record.kind === 'key') {
        current = record;
        visitor.key?.(record);
      } else if (record.kind === 'key-end') {
        visitor.keyEnd?.(record, current as AnyKeyRecord);
        current = undefined;
      }
    }
    const last = batch[batch.length - 1];
    if (last && onRecordsEnd) onRecordsEnd(last.offset + last.length);
  }
  return parser as unknown as RdbParser;
}

/** How a pass over an RDB ended: the verdict of `check`, with what it learnt on the way. */
export interface RdbScanOutcome {
  /** The EOF opcode and checksum were read (and the checksum, when there is one, matched). */
  done: boolean;
  magic: 'REDIS' | 'VALKEY' | undefined;
  version: number | undefined;
  /** Absolute offset just past the last complete record. */
  okUpTo: number;
  /** 'ok', 'disabled' (stored 0), 'absent' (RDB < 5), 'skipped'; undefined when not reached. */
  checksum: 'ok' | 'disabled' | 'absent' | 'skipped' | undefined;
  storedChecksum: { value: bigint; offset: number } | undefined;
  /** Bytes found after the checksum (how many, when the size of the source is known). */
  trailing: { offset: number; bytes: number | undefined } | undefined;
  /** The first problem, when the pass did not reach the end. */
  error: ScanFailure | undefined;
  /** Findings that do not stop the pass. */
  warnings: { offset: number; message: string }[];
}

/**
 * {@link scanRdb} that never throws for bad bytes: the first problem is the outcome's `error`. Throws
 * {@link InputOutputError} when the input cannot be read, and errors that are not ours.
 */
export async function scanRdbInput(input: ChunkedInput, visitor: RdbVisitor, options: RdbScanOptions = {}): Promise<RdbScanOutcome> {
  const outcome: RdbScanOutcome = {
    done: false,
    magic: undefined,
    version: undefined,
    okUpTo: input.offset,
    checksum: undefined,
    storedChecksum: undefined,
    trailing: undefined,
    error: undefined,
    warnings: [],
  };
  let parser: RdbParser | undefined;
  const watch: RdbVisitor = {
    record(record) {
      if (record.kind === 'header') {
        outcome.magic = record.magic;
        outcome.version = record.version;
      } else if (record.kind === 'eof') {
        outcome.checksum = record.checksum;
      }
      visitor.record?.(record);
    },
    key: visitor.key?.bind(visitor),
    keyEnd: visitor.keyEnd?.bind(visitor),
  };
  try {
    await scanRdb(input, watch, {
      ...options,
      onParser: (p) => {
        parser = p;
        options.onParser?.(p);
      },
      onRecordsEnd: (offset) => {
        outcome.okUpTo = offset;
        options.onRecordsEnd?.(offset);
      },
    });
    outcome.done = true;
    outcome.storedChecksum = parser?.storedChecksum;
    if (!(await input.atEnd())) {
      const size = input.source.size;
      outcome.trailing = { offset: input.offset, bytes: size === undefined ? undefined : size - input.offset };
    }
  } catch (error) {
    if (error instanceof InputOutputError || !(error instanceof RedbackError)) throw error;
    outcome.error = toFailure(error);
  }
  if (parser) for (const warning of parser.warnings) outcome.warnings.push({ offset: warning.offset, message: warning.message });
  return outcome;
}
