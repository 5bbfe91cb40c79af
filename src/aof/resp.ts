// cspell:words appendonly strtol
import type { ChunkedInput } from '../bytes/input.js';
import { TruncatedError } from '../errors.js';
import { RespScanner, STEP_COMMAND, STEP_END } from './scanner.js';

/*
 * Reading RESP AOF files (the plain "appendonly.aof", a RESP BASE, every INCR file), record by record.
 * The parsing rules are redis-check-aof's (see scanner.ts), so whatever this reader accepts, redis-check-aof
 * accepts too, with one exception: a command header of zero or fewer arguments (`*0\r\n`), which
 * redis-check-aof lets through but the server refuses to load, is a CorruptError here.
 */

export { encodeCommand, AofWriter } from './writer.js';
export type { ByteSink, AofWriterOptions } from './writer.js';
export { checkAofStream, checkAofSync } from './check.js';
export type { AofCheckOptions, AofCheckResult } from './check.js';

/** A command: every argument is present. */
export interface AofCommand {
  kind: 'command';
  /** The arguments, command name first, as views into the input buffer (no copies). */
  args: Uint8Array[];
  /** Absolute offset of the `*` that starts the command. */
  offset: number;
  /** Bytes from `offset` through the last argument's "\r\n". */
  length: number;
  /** RESP line number where the command starts, counted like redis-check-aof's ok_up_to_line (from 1). */
  line: number;
}

/** An annotation line (`#...`). Redis writes only `#TS:<unix seconds>`; others are kept as they are. */
export interface AofAnnotation {
  kind: 'annotation';
  /** The bytes after '#', without the line's "\r\n" (or lone "\n"); a view into the input buffer. */
  text: Uint8Array;
  /** Absolute offset of the '#'. */
  offset: number;
  /** Bytes of the whole line including its end (at most 1023, like Redis reads them). */
  length: number;
  /**
   * The `#TS:` value, when the line is one Redis's --truncate-to-timestamp would accept: strtol syntax
   * (optional blanks and sign, then digits) followed by '\r'. Note that Redis reads `#TS:\r\n` as 0.
   */
  timestamp?: number;
}

export type AofRecord = AofCommand | AofAnnotation;

export interface ReadAofOptions {
  /** File name for error messages (default: the input's name). */
  file?: string;
  /** RESP line number of the first line, for a file that continues another (default 1). */
  startLine?: number;
}

function makeRecord(scanner: RespScanner, kind: number): AofRecord {
  if (kind === STEP_COMMAND) {
    return {
      kind: 'command',
      args: scanner.args(),
      offset: scanner.recordStart,
      length: scanner.cursor - scanner.recordStart,
      line: scanner.line - scanner.recordLines,
    };
  }
  const record: AofAnnotation = {
    kind: 'annotation',
    text: scanner.annotationText(),
    offset: scanner.recordStart,
    length: scanner.cursor - scanner.recordStart,
  };
  if (scanner.timestamp !== undefined) record.timestamp = scanner.timestamp;
  return record;
}

/** Most records in one batch of {@link readAofBatches}. */
const BATCH_RECORDS = 256;

/**
 * Reads the RESP records of an AOF from a {@link ChunkedInput}, from its current offset to the end, as
 * batches: every complete record in the buffered window, then the next window's.
 *
 * A command is yielded only once all of its arguments are buffered; its arguments are views into the
 * input's buffer, valid until the consumer asks for the next batch. Memory is bounded by the largest single
 * command plus one read of the input. Throws a {@link CorruptError} at the offset redis-check-aof would
 * report for wrong bytes, and a {@link TruncatedError} when the data ends inside a command — after yielding
 * the complete records before it, so everything yielded is complete.
 */
export async function* readAofBatches(input: ChunkedInput, options: ReadAofOptions = {}): AsyncGenerator<AofRecord[]> {
  const scanner = new RespScanner({ file: options.file ?? input.name, startLine: options.startLine });
  scanner.cursor = input.offset;
  scanner.sizeLimit = input.source.size ?? Infinity;
  for (;;) {
    const window = input.reader();
    const eof = input.eof;
    scanner.setWindow(window.data, window.end, window.base, eof);
    let batch: AofRecord[] = [];
    let kind: number;
    let failure: unknown;
    for (;;) {
      try {
        kind = scanner.step();
      } catch (error) {
        failure = error;
        break;
      }
      if (kind === STEP_END) break;
      batch.push(makeRecord(scanner, kind));
      // Small batches die young: the garbage collector reclaims them cheaply (a window can hold 100k records).
      if (batch.length === BATCH_RECORDS) {
        yield batch;
        batch = [];
      }
    }
    input.consumeTo(failure === undefined ? scanner.cursor : scanner.boundary);
    if (batch.length > 0) yield batch;
    if (failure === undefined) return;
    if (!(failure instanceof TruncatedError) || eof || failure === scanner.finalError) throw failure;
    if (!(await input.refillFor(failure)) && !input.eof) throw failure;
  }
}

/** Reads the RESP records of an AOF one at a time (see {@link readAofBatches}). */
export async function* readAof(input: ChunkedInput, options: ReadAofOptions = {}): AsyncGenerator<AofRecord> {
  for await (const batch of readAofBatches(input, options)) yield* batch;
}

/** Reads the RESP records of a whole in-memory AOF; the same rules and errors as {@link readAof}. */
export function* readAofSync(data: Uint8Array, file?: string, options: Omit<ReadAofOptions, 'file'> = {}): Generator<AofRecord> {
  const scanner = new RespScanner({ file, startLine: options.startLine });
  scanner.setWindow(data, data.length, 0, true);
  for (;;) {
    const kind = scanner.step();
    if (kind === STEP_END) return;
    yield makeRecord(scanner, kind);
  }
}
