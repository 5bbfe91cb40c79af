import { Buffer } from 'node:buffer';
import type { ChunkedInput } from '../bytes/input.js';
import { checkAofStream } from '../aof/check.js';
import type { AofCheckOptions, AofCheckResult } from '../aof/check.js';
import { readAofBatches } from '../aof/resp.js';
import { NameCache } from '../aof/scanner.js';
import type { AofAnnotation, AofRecord } from '../aof/resp.js';
import type { AofPart, AofSet } from '../aof/set.js';
import { latin1 } from '../bytes/text.js';
import { failureError } from '../errors.js';
import { openInput } from '../io/open.js';
import { scanRdbInput } from '../rdb/scan.js';
import type { RdbScanOutcome, RdbVisitor } from '../rdb/scan.js';

/*
 * cspell:words preamble
 *
 * The one reader of a whole AOF — a single file or every file of a multi-part set, in load order — for every
 * command that reads AOFs (inspect, check, fix, log, truncate, filter, replay). It opens each file once, reads
 * its RDB preamble or RDB BASE through a visitor, then its commands, and says for each command where it is
 * and in what context Redis would run it: the database selected, the MULTI block around it, the last `#TS`
 * annotation before it.
 */

/** A file of the AOF as the reader opens it. */
export interface AofFileInfo {
  part: AofPart;
  /** Position in load order (0 for the BASE or the single file). */
  index: number;
  /** Bytes on disk. */
  size: number;
  compressed: boolean;
  /** The file starts with an RDB (an RDB preamble, or a `.base.rdb`). */
  rdb: boolean;
}

/** A command, with where it is and the state Redis would run it in. */
export interface AofSetCommand {
  /** The arguments, command name first, as bytes. */
  args: Uint8Array[];
  /** The command name in upper case. */
  name: string;
  /** Absolute offset of the command's `*` in its file (in the decompressed stream for `.lz4`). */
  offset: number;
  /** Bytes of the command. */
  length: number;
  /** RESP line of the command's first line in its file, from 1. */
  line: number;
  /** The database selected when the command runs (each file starts in db 0, as Redis loads it). */
  db: number;
  /** Offset of the MULTI that opened the transaction this command belongs to (MULTI and EXEC included). */
  multi: number | undefined;
  /** The last `#TS` annotation before the command, in unix seconds (across files), if any. */
  timestamp: number | undefined;
}

/** A command as {@link readAofSetBatches} yields it: the command itself, and its file. */
export interface AofSetCommandEvent extends AofSetCommand {
  kind: 'command';
  file: AofFileInfo;
}

/** What {@link readAofSet} yields, in order, for each file: `file`, then `rdb` (if any), its records, `end`. */
export type AofSetEvent =
  | { kind: 'file'; file: AofFileInfo }
  /** The RDB part of the file was read through `options.rdb` (an error in it is thrown, unless checking). */
  | { kind: 'rdb'; file: AofFileInfo; outcome: RdbScanOutcome }
  | AofSetCommandEvent
  | { kind: 'annotation'; file: AofFileInfo; annotation: AofAnnotation }
  /** The file was read to its end; with `check`, its redis-check-aof verdict. */
  | { kind: 'end'; file: AofFileInfo; verdict: AofCheckResult | undefined };

/** Options of {@link readAofSet}. */
export interface ReadAofSetOptions {
  /** Receives the records of each RDB preamble or BASE (read without building values unless `materialize`). */
  rdb?: (file: AofFileInfo) => RdbVisitor;
  /** Build the values of RDB records (for consumers that copy or replay them). */
  materialize?: boolean;
  /**
   * Judge each file as redis-check-aof does instead of yielding its commands: the RESP part is checked with
   * the same rules (ok_up_to, MULTI balance, line counts continued across files) and the verdict comes with
   * the file's `end`; a broken RDB part gives an `rdb` event with the error and no `end`. Reading stops after
   * a file that is not valid, as redis-check-aof does.
   */
  check?: Pick<AofCheckOptions, 'onCommand'>;
  /** Called with the file and the absolute offset reached in it. */
  onProgress?: (file: AofFileInfo, offset: number) => void;
}

const MULTI = 'MULTI';
const EXEC = 'EXEC';
const SELECT = 'SELECT';
const RDB_MAGIC = [Buffer.from('REDIS'), Buffer.from('VALKEY')];

/**
 * Reads an AOF file by file in load order (see the module comment), as batches of events: the commands of
 * one buffered window at a time (their arguments are views valid until the next batch is asked for).
 * Throws the readers' errors for a broken file (with its name and offset) after the events before the
 * error, {@link InputOutputError} for an unreadable one; with `check`, problems are verdicts instead. A
 * consumer may stop early with `break`: the open file is closed.
 */
export async function* readAofSetBatches(set: AofSet, options: ReadAofSetOptions = {}): AsyncGenerator<AofSetEvent[]> {
  let timestamp: number | undefined;
  let line = 1;
  const names = new NameCache(true);
  for (let index = 0; index < set.parts.length; index++) {
    const part = set.parts[index] as AofPart;
    const input = await openInput(part.path, part.path, { reuseBuffer: options.materialize !== true });
    try {
      const file: AofFileInfo = { part, index, size: input.fileSize, compressed: input.compressed, rdb: await startsWithRdb(input) };
      yield [{ kind: 'file', file }];
      const progress = options.onProgress && ((offset: number) => options.onProgress?.(file, offset));
      if (file.rdb) {
        const outcome = await scanRdbInput(input, options.rdb?.(file) ?? {}, { file: part.path, materialize: options.materialize, onProgress: progress });
        yield [{ kind: 'rdb', file, outcome }];
        if (outcome.error) {
          if (options.check) return;
          throw failureError(outcome.error);
        }
      }
      if (options.check) {
        const verdict = await checkAofStream(input, { file: part.path, startLine: line, onCommand: options.check.onCommand, onProgress: progress });
        if (input.compressed) file.size = verdict.size;
        line = verdict.okUpToLine;
        yield [{ kind: 'end', file, verdict }];
        if (!verdict.valid) return;
        continue;
      }
      let db = 0;
      let multi: number | undefined;
      for await (const records of readAofBatches(input, { file: part.path })) {
        const events: AofSetEvent[] = new Array(records.length);
        for (let i = 0; i < records.length; i++) {
          const record = records[i] as AofRecord;
          if (record.kind === 'annotation') {
            if (record.timestamp !== undefined) timestamp = record.timestamp;
            events[i] = { kind: 'annotation', file, annotation: record };
            continue;
          }
          const first = record.args[0] as Uint8Array;
          const name = names.name(first, 0, first.length);
          if (name === MULTI) multi = record.offset;
          events[i] = { kind: 'command', file, args: record.args, name, offset: record.offset, length: record.length, line: record.line, db, multi, timestamp };
          if (name === EXEC) multi = undefined;
          else if (name === SELECT && record.args.length === 2) db = selectedDb(record.args[1] as Uint8Array, db);
        }
        yield events;
        progress?.(input.offset);
      }
      if (input.compressed) file.size = input.offset;
      yield [{ kind: 'end', file, verdict: undefined }];
    } finally {
      await input.close();
    }
  }
}

/** {@link readAofSetBatches} one event at a time (simpler to consume; slower on large files). */
export async function* readAofSet(set: AofSet, options: ReadAofSetOptions = {}): AsyncGenerator<AofSetEvent> {
  for await (const batch of readAofSetBatches(set, options)) yield* batch;
}

/** True when the input starts with an RDB: the magic and at least 8 bytes, as Redis's loader decides. */
async function startsWithRdb(input: ChunkedInput): Promise<boolean> {
  await input.fill(9);
  const r = input.reader();
  if (r.remaining < 8) return false;
  return RDB_MAGIC.some((magic) => magic.every((byte, i) => r.data[r.pos + i] === byte));
}

/** The db a SELECT argument names, as Redis's SELECT parses it; an invalid one leaves the db unchanged. */
function selectedDb(arg: Uint8Array, current: number): number {
  const text = latin1(arg);
  if (!/^-?\d{1,19}$/.test(text)) return current;
  const db = Number(text);
  return Number.isSafeInteger(db) && db >= 0 ? db : current;
}
