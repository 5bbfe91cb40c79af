import type { ChunkedInput } from '../bytes/input.js';
import { ChecksumError, CorruptError, InputOutputError, RedbackError, TruncatedError, UnsupportedError } from '../errors.js';
import type { KeyEndRecord, KeyRecord, RdbRecord } from '../rdb/model.js';
import type { RdbParser } from '../rdb/parser.js';
import { readRdbBatches } from '../rdb/reader.js';
import type { RdbReadOptions } from '../rdb/reader.js';

/** How a scan ended when it did not succeed. */
export interface ScanFailure {
  /** 'truncated' (ran out of bytes), 'corrupt', 'checksum', 'unsupported' or 'io'. */
  kind: 'truncated' | 'corrupt' | 'checksum' | 'unsupported' | 'io';
  /** The one-line message, with file and offset. */
  message: string;
  /** The problem alone. */
  detail: string;
  offset: number | undefined;
  /** What was being read ("key 'user:1'"), when known. */
  context: string | undefined;
}

/** Classifies a thrown error as a {@link ScanFailure}; rethrows errors that are not ours. */
export function toFailure(error: unknown): ScanFailure {
  if (!(error instanceof RedbackError)) throw error;
  const kind =
    error instanceof TruncatedError
      ? 'truncated'
      : error instanceof ChecksumError
        ? 'checksum'
        : error instanceof UnsupportedError
          ? 'unsupported'
          : error instanceof InputOutputError
            ? 'io'
            : error instanceof CorruptError
              ? 'corrupt'
              : 'corrupt';
  return { kind, message: error.toLine(), detail: error.detail, offset: error.offset, context: error.context };
}

/** Callbacks of {@link scanRdb}; each is optional. */
export interface RdbVisitor {
  record?(record: RdbRecord): void;
  key?(key: KeyRecord): void;
  keyEnd?(end: KeyEndRecord, key: KeyRecord): void;
}

/**
 * Streams an RDB through a visitor. Returns the parser (for version, warnings) once the EOF and checksum
 * have been read, or once it stopped at one of `options.stopAt`; throws the reader's errors.
 */
export async function scanRdb(
  input: ChunkedInput,
  visitor: RdbVisitor,
  options: Omit<RdbReadOptions, 'parser'> & { onParser?: (parser: RdbParser) => void } = {},
): Promise<RdbParser> {
  let parser: RdbParser | undefined;
  let current: KeyRecord | undefined;
  const { onParser, ...rest } = options;
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
        visitor.keyEnd?.(record, current as KeyRecord);
        current = undefined;
      }
    }
  }
  return parser as unknown as RdbParser;
}
