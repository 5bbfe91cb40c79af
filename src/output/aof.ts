import { ByteWriter } from '../bytes/writer.js';
import { UsageError } from '../errors.js';
import type { RdbRecord } from '../rdb/model.js';
import { newWriteReport } from './report.js';
import type { RecordBatches, WriteReport } from './report.js';
import { CommandRewriter } from './rewrite.js';
import type { RewriteOptions } from './rewrite.js';

/*
 * cspell:words PEXPIREAT
 *
 * Two writers on the commands of rewrite.ts: an AOF as Redis's rewrite makes it (`--to aof`), and the RESP
 * a user pipes into `redis-cli --pipe` (`--to resp`).
 */

/** Bytes gathered before the writer hands them out. */
const HIGH_WATER = 1 << 20;

/** Options of {@link writeAof}. */
export interface AofOutputOptions extends Pick<RewriteOptions, 'dumpRdbVersion' | 'target' | 'dropUnsupported' | 'tempDir' | 'spillInMemory' | 'stringPiece' | 'file'> {
  /**
   * Start the file with a `#TS:<unix seconds>` annotation, as Redis does when `aof-timestamp-enabled` is on
   * (a whole number of seconds).
   */
  timestamp?: number;
}

/** Options of {@link writeResp}. */
export interface RespOutputOptions extends Pick<RewriteOptions, 'dumpRdbVersion' | 'target' | 'dropUnsupported' | 'tempDir' | 'spillInMemory' | 'stringPiece' | 'file'> {
  /**
   * Replace what the live server already holds under the same names (default true): DEL before each key
   * that is not a string, RESTORE … REPLACE, FUNCTION LOAD REPLACE. With false, a key that exists is added
   * to (RPUSH, SADD…) and an existing function library or module key is an error reply.
   */
  replace?: boolean;
}

/**
 * Writes records as a RESP AOF in the style of Redis's AOF rewrite (see rewrite.ts): what a Redis server
 * loads with `appendonly yes` into the same dataset. AUX fields, module AUX records, LRU/LFU and KEY_META
 * have no command and are counted in `report.dropped`. Yields the output in pieces (take each before asking
 * for the next). Throws what the records' reader throws, and {@link CorruptError} for records out of order.
 */
export async function* writeAof(records: RecordBatches, options: AofOutputOptions = {}, report: WriteReport = newWriteReport()): AsyncGenerator<Uint8Array> {
  const w = new ByteWriter();
  if (options.timestamp !== undefined) {
    if (!Number.isSafeInteger(options.timestamp) || options.timestamp < 0) throw new UsageError(`not a time in whole seconds: ${options.timestamp}`);
    w.latin1(`#TS:${options.timestamp}\r\n`);
  }
  yield* rewrite(records, w, new CommandRewriter(w, { ...options, replace: false }, report));
}

/**
 * Writes records as the commands a user pipes into `redis-cli --pipe` to load them into a live server: the
 * commands of {@link writeAof} (SELECT before each database's keys, since the connection starts in db 0),
 * replacing existing keys and functions unless `replace: false`. Values longer than 64 MiB are sent as
 * SET then APPENDs, below the 512 MiB a server accepts in one argument. Yields the output in pieces.
 */
export async function* writeResp(records: RecordBatches, options: RespOutputOptions = {}, report: WriteReport = newWriteReport()): AsyncGenerator<Uint8Array> {
  const w = new ByteWriter();
  yield* rewrite(records, w, new CommandRewriter(w, { ...options, replace: options.replace ?? true }, report));
}

async function* rewrite(records: RecordBatches, w: ByteWriter, rewriter: CommandRewriter): AsyncGenerator<Uint8Array> {
  let done = false;
  try {
    for await (const batch of records) {
      yield* writeBatch(batch, w, rewriter);
      yield* w.take();
    }
    rewriter.finish();
    yield* w.take();
    done = true;
  } finally {
    if (!done) await rewriter.abort();
  }
}

async function* writeBatch(batch: readonly RdbRecord[], w: ByteWriter, rewriter: CommandRewriter): AsyncGenerator<Uint8Array> {
  for (const record of batch) {
    const steps = rewriter.record(record);
    if (steps) {
      for await (const unusedStep of steps) yield* w.take();
    }
    if (w.pendingBytes >= HIGH_WATER) yield* w.take();
  }
}
