// cspell:words evalsha fcall
import { commandRows, newerCommandRows } from '../aof/command-table.js';
import { validateCommand } from '../aof/commands.js';
import { readAofBatches, readAofSync } from '../aof/resp.js';
import type { AofPart, AofSet } from '../aof/set.js';
import { resolveAof } from '../aof/set.js';
import { resolve as resolvePath } from 'node:path';
import { TruncatedError, UnsupportedError, UsageError } from '../errors.js';
import { openInput } from '../io/open.js';
import { hasRdbPreamble } from '../io/sniff.js';
import { readRdb, readRdbSync } from '../rdb/reader.js';
import { ascii } from './bytes.js';
import { NotReplayable, ReplyError } from './commands/common.js';
import type { Context } from './commands/common.js';
import { handlers } from './commands/index.js';
import { Keyspace } from './model.js';
import type { KeyspaceConfig } from './model.js';
import { RdbLoader } from './rdb-loader.js';
import type { RdbLoadStats } from './rdb-loader.js';

/*
 * The replay engine: applies, in order, what Redis's AOF loader applies — the RDB preamble or base, then
 * every command of every file of the set — with the loader's rules (loadSingleAppendOnlyFile):
 * - each file starts in database 0 with no transaction open (Redis makes a new fake client per file);
 * - a command Redis answers with an error (wrong type, bad option, missing key) changes nothing, and loading
 *   goes on; we count it;
 * - MULTI queues commands until EXEC, which runs them; a file ending inside MULTI drops the queued commands
 *   when it is the last file (Redis truncates the tail) and is an error otherwise;
 * - a command cut off at the end of the last file ends the replay there (aof-load-truncated yes, the
 *   default); anywhere else, a cut or a format error is an error;
 * - an unknown command, a command with a wrong number of arguments (which the loader does not check and may
 *   crash on), and what cannot be replayed offline (script bodies, module commands, random choices) stop
 *   the replay with a NotReplayableError naming the command, file and offset — unless `skipUnsupported`, and
 *   then each is counted in the report.
 * Time is the AOF's own: Redis writes absolute expiry times; where a command needs "now" (a relative TTL in an
 * old AOF, XCLAIM without TIME, a new consumer's seen time), the replay clock `now` stands in for the moment
 * of loading.
 */

/** A command the engine cannot replay, with where it is and a hint (well-formed input it cannot handle: exit code 4, as UnsupportedError). */
export class NotReplayableError extends UnsupportedError {}

export interface ReplayOptions {
  /** The replay clock in ms since the epoch (default: the time the replay starts). */
  now?: number;
  /** Skip commands that cannot be replayed instead of stopping (each is counted in the report). */
  skipUnsupported?: boolean;
  /** The server configuration that shapes stored values (databases, zset listpack limits, HLL sparse limit). */
  config?: Partial<KeyspaceConfig>;
  /** Like `aof-load-truncated yes` (default true): a last file cut inside a command loads up to the cut. */
  loadTruncated?: boolean;
}

/** A point in an AOF to replay up to: the command starting at `offset` of `file` and all after it are left out. */
export interface ReplayCut {
  /** The file, as a path of the set's parts or its name in the manifest. */
  file: string;
  /** Byte offset in that file (in the decompressed stream for `.lz4`); 0 leaves the whole file out. */
  offset: number;
}

/** Options of {@link replayAof}. */
export interface ReplayAofOptions extends ReplayOptions {
  /** Replay into this keyspace instead of a new one. */
  into?: Keyspace;
  /** Stop before this point (see {@link ReplayCut}); a transaction cut in two is dropped, as Redis drops one at the end of a truncated AOF. */
  stopBefore?: ReplayCut;
  /**
   * Progress: bytes read over all files (offsets in the decompressed stream of `.lz4` files), and the total
   * bytes on disk (undefined when a file is compressed). Called about every 256 KiB and at each file's end.
   */
  onProgress?: (done: number, total: number | undefined) => void;
}

/** How many commands were skipped for one command name, and the first one's place. */
export interface SkippedCommands {
  count: number;
  reason: string;
  file: string;
  offset: number;
}

export interface ReplayFileReport {
  name: string;
  role: AofPart['role'] | 'buffer';
  /** The file started with an RDB (a preamble or an RDB base). */
  rdb: boolean;
  commands: number;
}

export interface ReplayReport {
  files: ReplayFileReport[];
  /** Commands read from RESP, MULTI/EXEC/SELECT included. */
  commands: number;
  /** Commands Redis answers with an error reply (they change nothing), by the error's first word. */
  rejected: Record<string, number>;
  /** Read-only commands found in the AOF (no effect). */
  ignored: number;
  /** Commands skipped because they cannot be replayed (only with `skipUnsupported`), by name. */
  skipped: Record<string, SkippedCommands>;
  /** The last file ended inside a command: the replay stopped at `offset` (Redis truncates there). */
  truncated: { file: string; offset: number; detail: string } | undefined;
  /** The last file ended inside MULTI: the transaction was dropped, as Redis does. */
  droppedTransaction: { file: string; offset: number; commands: number } | undefined;
  /** What the RDB parts held. */
  rdb: RdbLoadStats;
  /** The last `#TS:` annotation seen (unix seconds). */
  lastTimestamp: number | undefined;
  /** The header of the first RDB part (preamble or RDB BASE), when there is one. */
  rdbHeader: { magic: 'REDIS' | 'VALKEY'; version: number } | undefined;
  /** Bytes read from the files (decompressed for `.lz4`), up to the cut when there is one. */
  bytes: number;
  /** The cut the replay stopped at, when `stopBefore` was given and reached. */
  stoppedAt: ReplayCut | undefined;
}

interface Queued {
  args: Uint8Array[];
  offset: number;
}

const nameCache = new Map<string, string>();

function commandName(arg0: Uint8Array): string {
  const written = ascii(arg0);
  let lower = nameCache.get(written);
  if (lower === undefined) {
    lower = written.toLowerCase();
    if (nameCache.size < 4096) nameCache.set(written, lower);
  }
  return lower;
}

const SCRIPT_HINT =
  'this AOF replicates scripts verbatim (written by Redis before 5.0, or with lua-replicate-commands no); load it in a server and rewrite it there, or skip these commands';

const noEffect = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro', 'script', 'publish', 'spublish', 'ping', 'echo', 'watch', 'unwatch', 'wait', 'waitaof']);

/** Applies AOF commands to a keyspace with the AOF loader's rules (see the module comment). */
export class ReplayEngine {
  readonly keyspace: Keyspace;
  readonly report: ReplayReport;
  private readonly skip: boolean;
  private readonly context: Context;
  private file = '';
  private multi: { offset: number; queued: Queued[] } | undefined;

  constructor(keyspace: Keyspace, options: ReplayOptions = {}) {
    this.keyspace = keyspace;
    this.skip = options.skipUnsupported ?? false;
    this.report = {
      files: [],
      commands: 0,
      rejected: {},
      ignored: 0,
      skipped: {},
      truncated: undefined,
      droppedTransaction: undefined,
      rdb: { keys: 0, emptyKeysSkipped: 0, functions: 0, moduleValues: 0 },
      lastTimestamp: undefined,
      rdbHeader: undefined,
      bytes: 0,
      stoppedAt: undefined,
    };
    const context: Context = {
      keyspace,
      db: keyspace.db(0),
      now: options.now ?? Date.now(),
      select: (index: number) => {
        context.db = keyspace.db(index);
      },
    };
    this.context = context;
  }

  /** Starts a file: database 0, no transaction (a fresh loading client, as Redis makes per file). */
  beginFile(name: string, role: ReplayFileReport['role'], rdb: boolean): void {
    this.file = name;
    this.context.select(0);
    this.multi = undefined;
    this.report.files.push({ name, role, rdb, commands: 0 });
  }

  /** Adds an RDB part's statistics to the report. */
  addRdbStats(stats: RdbLoadStats): void {
    const r = this.report.rdb;
    r.keys += stats.keys;
    r.emptyKeysSkipped += stats.emptyKeysSkipped;
    r.functions += stats.functions;
    r.moduleValues += stats.moduleValues;
  }

  /** Notes a `#TS:` annotation. */
  timestamp(seconds: number): void {
    this.report.lastTimestamp = seconds;
  }

  /** Applies one command read at `offset` of the current file. */
  apply(args: Uint8Array[], offset: number): void {
    this.report.commands++;
    const current = this.report.files.at(-1);
    if (current) current.commands++;
    const name = commandName(args[0] as Uint8Array);
    if (this.multi && name !== 'exec') {
      if (!this.checkKnown(args, name, offset)) return;
      this.multi.queued.push({ args, offset });
      return;
    }
    if (name === 'multi') {
      if (!this.checkKnown(args, name, offset)) return;
      this.multi = { offset, queued: [] };
      return;
    }
    if (name === 'exec') {
      if (!this.multi) {
        this.reject('ERR');
        return;
      }
      const { queued } = this.multi;
      this.multi = undefined;
      for (const q of queued) this.execute(q.args, commandName(q.args[0] as Uint8Array), q.offset, true);
      return;
    }
    this.execute(args, name, offset, false);
  }

  /** Ends the current file; `last` when it is the last file of the set. */
  endFile(last: boolean, offset: number): void {
    if (!this.multi) return;
    const { offset: at, queued } = this.multi;
    this.multi = undefined;
    if (!last) {
      throw new NotReplayableError('the file ends inside a MULTI/EXEC transaction and is not the last file: Redis refuses to load this AOF', {
        file: this.file,
        offset,
      });
    }
    this.report.droppedTransaction = { file: this.file, offset: at, commands: queued.length };
  }

  /** Notes that the last file was cut inside a command at `offset`. */
  truncatedAt(offset: number, detail: string): void {
    this.report.truncated = { file: this.file, offset, detail };
  }

  private reject(code: string): void {
    this.report.rejected[code] = (this.report.rejected[code] ?? 0) + 1;
  }

  /** What the loader's lookupCommand would refuse: unknown commands and subcommands, and bad arities. */
  private checkKnown(args: Uint8Array[], name: string, offset: number): boolean {
    const problem = validateCommand(args);
    if (!problem) return true;
    const hint =
      problem.kind === 'wrong-arity'
        ? 'Redis does not check argument counts while loading an AOF and may crash on this one; the file is damaged or was edited ("redback check" lists such commands)'
        : 'Redis refuses to load an AOF with a command it does not know; a module command needs its module loaded in a server';
    this.notReplayable(name, offset, problem.message, hint);
    return false;
  }

  private notReplayable(name: string, offset: number, reason: string, hint: string | undefined): void {
    if (!this.skip) {
      const error = new NotReplayableError(`cannot replay '${name}': ${reason}`, { file: this.file, offset });
      error.hint = hint;
      throw error;
    }
    const s = this.report.skipped[name];
    if (s) s.count++;
    else this.report.skipped[name] = { count: 1, reason, file: this.file, offset };
  }

  private execute(args: Uint8Array[], name: string, offset: number, inTransaction: boolean): void {
    if (!this.checkKnown(args, name, offset)) return;
    if (name === 'select') {
      this.select(args, offset);
      return;
    }
    if (name === 'multi' || name === 'discard') {
      if (inTransaction && name === 'discard') this.notReplayable(name, offset, 'DISCARD inside a transaction', 'Redis never writes this to an AOF');
      else this.reject('ERR');
      return;
    }
    if (name === 'eval' || name === 'evalsha' || name === 'fcall') {
      this.notReplayable(name, offset, 'the script runs in Lua, which is not available offline', SCRIPT_HINT);
      return;
    }
    const handler = handlers.get(name);
    if (!handler) {
      if (noEffect.has(name) || !isWrite(args)) {
        this.report.ignored++;
        return;
      }
      this.notReplayable(name, offset, 'this command is not supported by the replay engine', undefined);
      return;
    }
    try {
      handler(this.context, args);
    } catch (error) {
      if (error instanceof ReplyError) {
        this.reject(error.message.split(' ')[0] ?? 'ERR');
        return;
      }
      if (error instanceof NotReplayable) {
        this.notReplayable(name, offset, error.message, error.hint);
        return;
      }
      throw error;
    }
  }

  private select(args: Uint8Array[], offset: number): void {
    const text = ascii(args[1] as Uint8Array);
    const index = /^(0|-?[1-9]\d{0,9})$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(index) || index < -(2 ** 31) || index >= 2 ** 31) {
      this.reject('ERR');
      return;
    }
    if (index < 0 || index >= this.keyspace.config.databases) {
      const error = new NotReplayableError(`SELECT ${index}: database index out of range for ${this.keyspace.config.databases} databases`, {
        file: this.file,
        offset,
      });
      error.hint = 'the server that wrote this AOF had more databases: pass its "databases" setting';
      throw error;
    }
    this.context.select(index);
  }
}

function isWrite(args: Uint8Array[]): boolean {
  // validateCommand has accepted the name: look up its write flag through the same table.
  return writeCommands.has(commandName(args[0] as Uint8Array));
}


const writeCommands = new Set<string>();
for (const [name, , writes] of commandRows) if (writes && !name.includes('|')) writeCommands.add(name);
for (const [name, , writes] of newerCommandRows) if (writes && !name.includes('|')) writeCommands.add(name);
for (const [name, , writes] of commandRows) if (writes && name.includes('|')) writeCommands.add(name.split('|')[0] as string);

/** The keyspace after replaying an AOF, and what happened. */
export interface ReplayResult {
  keyspace: Keyspace;
  report: ReplayReport;
}

/**
 * Replays an AOF — a single file (with or without an RDB preamble), a multi-part set, a directory or a
 * manifest, LZ4-compressed or not — into a new keyspace (or `into`).
 *
 * Throws NotReplayableError (exit 1) for what cannot be replayed (unless `skipUnsupported`), CorruptError or
 * TruncatedError where Redis would refuse to load the AOF, InputOutputError for file-system failures.
 */
export async function replayAof(path: string | AofSet, options: ReplayAofOptions = {}): Promise<ReplayResult> {
  const set = typeof path === 'string' ? await resolveAof(path) : path;
  const keyspace = options.into ?? new Keyspace(options.config);
  const engine = new ReplayEngine(keyspace, options);
  const loadTruncated = options.loadTruncated ?? true;
  const report = engine.report;
  const cut = options.stopBefore;
  let cutIndex = set.parts.length;
  if (cut !== undefined) {
    cutIndex = set.parts.findIndex((p) => p.path === cut.file || p.name === cut.file || resolvePath(p.path) === resolvePath(cut.file));
    if (cutIndex < 0) throw new UsageError(`the cut names '${cut.file}', which is not a file this AOF loads`, { file: set.manifestPath ?? set.parts[0]?.path });
    if (!Number.isSafeInteger(cut.offset) || cut.offset < 0) throw new UsageError(`the cut's offset must be a byte offset, not ${cut.offset}`, { file: cut.file });
  }
  const parts = set.parts.slice(0, cutIndex + 1);
  const progress = options.onProgress;
  let before = 0;
  let total: number | undefined = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as AofPart;
    const atCut = cut !== undefined && i === cutIndex;
    const last = i === parts.length - 1;
    if (atCut && cut.offset === 0) {
      report.stoppedAt = { file: part.path, offset: 0 };
      break;
    }
    const rdb = await hasRdbPreamble(part.path);
    engine.beginFile(part.path, part.role, rdb);
    const input = await openInput(part.path, part.path);
    if (total !== undefined) total = input.compressed ? undefined : total + input.fileSize;
    let end = 0;
    let nextReport = 0;
    try {
      if (rdb) {
        const loader = new RdbLoader(keyspace, { file: part.path });
        for await (const record of readRdb(input, { file: part.path, deep: false })) {
          loader.accept(record);
          if (record.kind === 'header' && report.rdbHeader === undefined) report.rdbHeader = { magic: record.magic, version: record.version };
          else if (record.kind === 'eof') end = record.offset + record.length;
        }
        engine.addRdbStats(loader.stats);
        if (atCut && cut.offset < end) {
          throw new UsageError(`the cut at offset ${cut.offset} is inside the file's RDB part (it ends at ${end}): cut at 0 or at ${end} or later`, { file: part.path, offset: cut.offset });
        }
      }
      try {
        // In batches: one async step per batch, not per command.
        batches: for await (const batch of readAofBatches(input, { file: part.path })) {
          for (const record of batch) {
            if (atCut && record.offset >= cut.offset) {
              report.stoppedAt = { file: part.path, offset: record.offset };
              break batches;
            }
            end = record.offset + record.length;
            if (record.kind === 'command') engine.apply(record.args, record.offset);
            else if (record.timestamp !== undefined) engine.timestamp(record.timestamp);
          }
          if (progress !== undefined && end >= nextReport) {
            progress(before + end, total);
            nextReport = end + PROGRESS_STEP;
          }
        }
        if (atCut && report.stoppedAt === undefined) report.stoppedAt = { file: part.path, offset: end };
      } catch (error) {
        if (!(error instanceof TruncatedError) || !last || !loadTruncated) throw error;
        engine.truncatedAt(end, error.detail);
      }
      engine.endFile(last, end);
    } finally {
      await input.close();
    }
    before += end;
    report.bytes = before;
    progress?.(before, total);
  }
  return { keyspace, report };
}

/** Bytes between two progress calls of {@link replayAof}. */
const PROGRESS_STEP = 256 * 1024;

/**
 * Replays one in-memory AOF file (RDB preamble allowed) — the synchronous twin of {@link replayAof} for tests
 * and small inputs.
 */
export function replayAofBuffer(data: Uint8Array, options: ReplayOptions & { into?: Keyspace; name?: string } = {}): ReplayResult {
  const keyspace = options.into ?? new Keyspace(options.config);
  const engine = new ReplayEngine(keyspace, options);
  const name = options.name ?? '<buffer>';
  const head = ascii(data.subarray(0, 8));
  const rdb = data.length >= 8 && (head.startsWith('REDIS') || head.startsWith('VALKEY'));
  engine.beginFile(name, 'buffer', rdb);
  let start = 0;
  if (rdb) {
    const loader = new RdbLoader(keyspace, { file: name });
    for (const record of readRdbSync(data, { file: name, deep: false })) {
      loader.accept(record);
      if (record.kind === 'eof') start = record.offset + record.length;
    }
    engine.addRdbStats(loader.stats);
  }
  let end = start;
  try {
    for (const record of readAofSync(data.subarray(start), name, {})) {
      end = start + record.offset + record.length;
      if (record.kind === 'command') engine.apply(record.args, start + record.offset);
      else if (record.timestamp !== undefined) engine.timestamp(record.timestamp);
    }
  } catch (error) {
    if (!(error instanceof TruncatedError) || options.loadTruncated === false) throw error;
    engine.truncatedAt(end, error.detail);
  }
  engine.endFile(true, end);
  return { keyspace, report: engine.report };
}

/** Applies commands given as argument lists (for tests: what a client sent, not an AOF). */
export function replayCommands(commands: Iterable<readonly (string | Uint8Array)[]>, options: ReplayOptions & { into?: Keyspace } = {}): ReplayResult {
  const keyspace = options.into ?? new Keyspace(options.config);
  const engine = new ReplayEngine(keyspace, options);
  engine.beginFile('<commands>', 'buffer', false);
  const encoder = new TextEncoder();
  let i = 0;
  for (const cmd of commands) engine.apply(cmd.map((a) => (typeof a === 'string' ? encoder.encode(a) : a)), i++);
  engine.endFile(true, i);
  return { keyspace, report: engine.report };
}
