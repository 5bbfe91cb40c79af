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

/**
 * Reads the RESP records of an AOF from a {@link ChunkedInput}, from its current offset to the end.
 *
 * A command is yielded only once all of its arguments are buffered; its arguments are views into the
 * input's buffer, which stay valid after later reads. Memory is bounded by the largest single command
 * plus one read of the input. Throws a {@link CorruptError} at the offset redis-check-aof would report for
 * wrong bytes, and a {@link TruncatedError} when the data ends inside a command. Nothing is yielded for a
 * command that is cut off, so everything yielded before an error is complete.
 */
export async function* readAof(input: ChunkedInput, options: ReadAofOptions = {}): AsyncGenerator<AofRecord> {
  for await (const batch of readAofBatches(input, options)) yield* batch;
}

/**
 * {@link readAof} in batches of up to `options.recordsPerBatch` records (default 1024): the same records and
 * errors, without an async step per record. A batch is handed out before the input's window moves, so an
 * input that reuses its buffer (`reuseBuffer`) serves it too: the records' views are then valid until the
 * next batch is asked for.
 */
export async function* readAofBatches(input: ChunkedInput, options: ReadAofOptions & { recordsPerBatch?: number } = {}): AsyncGenerator<AofRecord[]> {
  const scanner = new RespScanner({ file: options.file ?? input.name, startLine: options.startLine });
  const perBatch = options.recordsPerBatch ?? 1024;
  scanner.cursor = input.offset;
  scanner.sizeLimit = input.source.size ?? Infinity;
  let fresh = true;
  let eof = false;
  let batch: AofRecord[] = [];
  for (;;) {
    if (fresh) {
      const window = input.reader();
      eof = input.eof;
      scanner.setWindow(window.data, window.end, window.base, eof);
      fresh = false;
    }
    let kind: number;
    try {
      kind = scanner.step();
    } catch (error) {
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
      if (!(error instanceof TruncatedError) || eof || error === scanner.finalError) throw error;
      input.consumeTo(scanner.boundary);
      if (!(await input.refillFor(error)) && !input.eof) throw error;
      fresh = true;
      continue;
    }
    if (kind === STEP_END) {
      if (batch.length > 0) yield batch;
      return;
    }
    batch.push(makeRecord(scanner, kind));
    input.consumeTo(scanner.cursor);
    if (batch.length >= perBatch) {
      yield batch;
      batch = [];
    }
  }
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
