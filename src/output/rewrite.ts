import { ByteWriter } from '../bytes/writer.js';
import { latin1 } from '../bytes/text.js';
import { HeldEntries, idBytes } from './held-entries.js';
import type { Cut } from './held-entries.js';
import { CorruptError, UsageError } from '../errors.js';
import { moduleDumpPayload } from '../rdb/dump.js';
import { printable } from '../rdb/parser.js';
import type {
  Element,
  FunctionRecord,
  HashEntry,
  KeyRecord,
  RdbRecord,
  StreamEntry,
  StreamGroup,
  StreamId,
  StreamMeta,
  StreamPendingEntry,
  ValueChunk,
  ZsetEntry,
} from '../rdb/model.js';
import { addWarning, countDropped } from './report.js';
import type { DropKind, WriteReport } from './report.js';
import { RespEncoder, bulkConstant, formatStreamId } from './resp-encoder.js';
import { estimateEntriesRead, isZeroStreamId, loadedStreamState } from './stream-state.js';

/*
 * cspell:words HMSET HPEXPIREAT PEXPIREAT RPUSH SADD XADD XCLAIM XDEL XSETID XTRIM ZADD CREATECONSUMER
 * cspell:words ENTRIESADDED ENTRIESREAD JUSTID MAXDELETEDID MAXLEN MINID RETRYCOUNT
 *
 * The commands that rebuild a dataset, in the style of Redis's AOF rewrite (redis/redis src/aof.c
 * rewriteAppendOnlyFileRio and its rewrite*Object helpers):
 * - FUNCTION LOAD for each function library; SELECT before the keys of each database;
 * - a string: SET (a value arriving in pieces, or above 64 MiB: SET, then APPEND for each further piece);
 * - lists, sets, sorted sets, hashes: RPUSH, SADD, ZADD, HMSET with at most 64 items each
 *   (AOF_REWRITE_ITEMS_PER_CMD); a hash field with a TTL: HPEXPIREAT key ms FIELDS 1 field after its HMSET;
 * - a stream: XADD per entry (XADD key MAXLEN 0 0-1 x y for an empty one), XSETID with ENTRIESADDED and
 *   MAXDELETEDID, XGROUP CREATE … ENTRIESREAD per group, XGROUP CREATECONSUMER for a consumer with no pending
 *   entries, XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n JUSTID FORCE per pending entry;
 * - a module value: RESTORE key 0 <DUMP payload> (Redis asks the module; redback has its serialised value);
 * - a key's TTL: PEXPIREAT key ms after its value.
 *
 * One order differs from Redis's: a sorted set's members scored -0 come after its other members, so that
 * Redis, which stores -0 as 0 in a listpack, adds them to the skiplist the others made and keeps their sign.
 *
 * One thing goes beyond Redis: XCLAIM cannot claim an entry that is not in the stream, so Redis's rewrite
 * loses pending entries whose message was deleted (XDEL, XTRIM). Here such an entry is added as a
 * placeholder in ID order, claimed, then removed (XTRIM MINID for those before the first entry, XDEL for the
 * others), and XSETID runs last to put back the stream's counters. Entries are therefore held back
 * (in memory, or in a temporary file beyond 8 MiB) until the stream's groups are known.
 */

/** AOF_REWRITE_ITEMS_PER_CMD: most items (elements, members, pairs) one rewritten command carries. */
export const ITEMS_PER_COMMAND = 64;

/** Most members scored -0 one sorted set holds back for its end (see CommandRewriter.negativeZeros). */
const NEGATIVE_ZEROS_HELD = 4096;

/** Longest piece of a string value one command carries (Redis refuses bulk strings over 512 MiB from clients). */
export const STRING_PIECE_MAX = 64 << 20;

/** Field and value of the placeholder entry that stands for a deleted message with pending deliveries. */
const PLACEHOLDER_FIELD = new TextEncoder().encode('redback:placeholder');
const PLACEHOLDER_VALUE = new TextEncoder().encode('pending entry of a deleted message');

/** Options of {@link CommandRewriter}. */
export interface RewriteOptions {
  /**
   * Replace what a live server may already hold, for RESP piped into `redis-cli --pipe`: DEL before
   * each key that is not a string (SET replaces a string), RESTORE … REPLACE, FUNCTION LOAD REPLACE.
   * Off for an AOF, which Redis loads into an empty server.
   */
  replace?: boolean;
  /** The RDB version written into the DUMP payloads of module values (default: the input's RDB version, else 9). */
  dumpRdbVersion?: number;
  /** Where streams spill their held-back entries (default: the system's temporary directory). */
  tempDir?: string;
  /** Bytes of held-back stream entries kept in memory before spilling (default 8 MiB). */
  spillInMemory?: number;
  /**
   * The release that loads the commands (default: the newest, Redis 7.4+). Older releases lack commands: hash
   * field TTLs (HPEXPIREAT, Redis 7.4, Valkey 9.0), functions and stream counters (FUNCTION LOAD, XSETID
   * ENTRIESADDED/MAXDELETEDID, XGROUP CREATE ENTRIESREAD: 7.0), XGROUP CREATECONSUMER and XTRIM MINID (6.2),
   * streams (5.0). What the release cannot hold is a {@link UsageError} naming the key, unless
   * `dropUnsupported`; the DUMP payloads of module values carry its RDB version.
   */
  target?: CommandTarget;
  /** Leave out (and count) what the target cannot hold instead of failing. */
  dropUnsupported?: boolean;
  /** Longest piece of a string one command carries (default {@link STRING_PIECE_MAX}; smaller in tests). */
  stringPiece?: number;
  /** The input's name, for messages. */
  file?: string;
}

/** The release that loads the commands: the fields of an RDB target the rewrite needs. */
export interface CommandTarget {
  /** For messages: `redis-6.2`. */
  name: string;
  product: 'redis' | 'valkey';
  /** Release line: `6.2`, `7.0`, `9.0`. */
  release: string;
  /** Its RDB version, written into DUMP payloads. */
  rdbVersion: number;
}

/** What a target's commands can do. */
interface Capabilities {
  streams: boolean;
  /** XGROUP CREATECONSUMER, XTRIM MINID. */
  since62: boolean;
  /** FUNCTION LOAD, XSETID ENTRIESADDED/MAXDELETEDID, XGROUP CREATE ENTRIESREAD. */
  since70: boolean;
  /** HPEXPIREAT. */
  fieldTtl: boolean;
}

function capabilities(target: CommandTarget | undefined): Capabilities {
  if (target === undefined) return { streams: true, since62: true, since70: true, fieldTtl: true };
  const [major = 0, minor = 0] = target.release.split('.').map(Number);
  const at = (m: number, n: number): boolean => major > m || (major === m && minor >= n);
  if (target.product === 'valkey') return { streams: true, since62: true, since70: true, fieldTtl: at(9, 0) };
  return { streams: at(5, 0), since62: at(6, 2), since70: at(7, 0), fieldTtl: at(7, 4) };
}

const C = {
  SELECT: bulkConstant('SELECT'),
  SET: bulkConstant('SET'),
  APPEND: bulkConstant('APPEND'),
  DEL: bulkConstant('DEL'),
  RPUSH: bulkConstant('RPUSH'),
  SADD: bulkConstant('SADD'),
  ZADD: bulkConstant('ZADD'),
  HMSET: bulkConstant('HMSET'),
  HPEXPIREAT: bulkConstant('HPEXPIREAT'),
  FIELDS: bulkConstant('FIELDS'),
  ONE: bulkConstant('1'),
  ZERO: bulkConstant('0'),
  PEXPIREAT: bulkConstant('PEXPIREAT'),
  FUNCTION: bulkConstant('FUNCTION'),
  LOAD: bulkConstant('LOAD'),
  REPLACE: bulkConstant('REPLACE'),
  RESTORE: bulkConstant('RESTORE'),
  XADD: bulkConstant('XADD'),
  MAXLEN: bulkConstant('MAXLEN'),
  MINID: bulkConstant('MINID'),
  XSETID: bulkConstant('XSETID'),
  ENTRIESADDED: bulkConstant('ENTRIESADDED'),
  MAXDELETEDID: bulkConstant('MAXDELETEDID'),
  XGROUP: bulkConstant('XGROUP'),
  CREATE: bulkConstant('CREATE'),
  CREATECONSUMER: bulkConstant('CREATECONSUMER'),
  ENTRIESREAD: bulkConstant('ENTRIESREAD'),
  XCLAIM: bulkConstant('XCLAIM'),
  TIME: bulkConstant('TIME'),
  RETRYCOUNT: bulkConstant('RETRYCOUNT'),
  JUSTID: bulkConstant('JUSTID'),
  FORCE: bulkConstant('FORCE'),
  XTRIM: bulkConstant('XTRIM'),
  XDEL: bulkConstant('XDEL'),
  X: bulkConstant('x'),
  Y: bulkConstant('y'),
  ID_0_1: bulkConstant('0-1'),
} as const;

/** A stream being rebuilt: its XADD commands held back, its metadata and groups. */
interface StreamBuild {
  held: HeldEntries;
  encoder: RespEncoder;
  meta: StreamMeta | undefined;
  groups: StreamGroup[];
}

/** The key being written. */
interface OpenKey {
  record: KeyRecord;
  /** Items written (or waiting) so far: elements, members, pairs, string pieces, entries. */
  items: number;
  stream: StreamBuild | undefined;
}

/** Bytes written out of a held-back stream before the caller is asked to take them. */
const STEP_BYTES = 1 << 20;

/**
 * Turns RDB records into the commands that rebuild them (see the file comment), written as RESP into a
 * {@link ByteWriter}. Feed every record in order with {@link record} (await it when it returns a promise:
 * only a stream's end does), then call {@link finish}. Throws {@link CorruptError} for records out of
 * order (a value without its key).
 */
export class CommandRewriter {
  private readonly out: RespEncoder;
  private readonly options: RewriteOptions;
  private readonly report: WriteReport;
  private selectedDb = -1;
  private rdbVersion: number | undefined;
  private key: OpenKey | undefined;
  private list: Element[] = [];
  private zset: ZsetEntry[] = [];
  /**
   * Members of the open sorted set scored -0, written after the others (up to {@link NEGATIVE_ZEROS_HELD}):
   * Redis 7 stores a -0 score in a listpack as the integer 0, so a member scored -0 keeps its sign only when
   * it is added once the set has become a skiplist — which, for a set that is one, the members before it make.
   */
  private negativeZeros: ZsetEntry[] = [];
  private hash: HashEntry[] = [];

  private readonly can: Capabilities;
  /** The key being skipped (a stream for a target without streams, left out with dropUnsupported). */
  private skipping = false;

  constructor(writer: ByteWriter, options: RewriteOptions, report: WriteReport) {
    this.out = new RespEncoder(writer);
    this.options = options;
    this.report = report;
    this.can = capabilities(options.target);
  }

  /**
   * Something the target cannot hold: a {@link UsageError} naming the key, or with `dropUnsupported` a count
   * in the report (and false: leave it out).
   */
  private unsupported(kind: DropKind, what: string, offset: number): false {
    if (!this.options.dropUnsupported) {
      throw new UsageError(`${what}, which ${this.options.target?.name ?? 'the target'} cannot hold (--drop-unsupported leaves it out)`, { file: this.options.file, offset });
    }
    countDropped(this.report, kind);
    return false;
  }

  /**
   * Takes one record. The end of a stream returns steps to run: iterate them, and take the writer's pieces
   * at each step (a stream's entries are written out from where they were held back, in bounded slices).
   */
  record(record: RdbRecord): AsyncGenerator<void> | undefined {
    if (this.skipping) {
      if (record.kind === 'key-end') this.skipping = false;
      return undefined;
    }
    switch (record.kind) {
      case 'header':
        this.rdbVersion = record.version;
        return undefined;
      case 'aux':
        countDropped(this.report, 'aux');
        return undefined;
      case 'function':
        this.writeFunction(record);
        return undefined;
      case 'module-aux':
        countDropped(this.report, 'module-aux');
        return undefined;
      case 'slot-import':
        countDropped(this.report, 'slot-import');
        return undefined;
      case 'selectdb':
      case 'resizedb':
      case 'slot-info':
      case 'raw':
      case 'eof':
        return undefined;
      case 'key':
        this.startKey(record);
        return undefined;
      case 'value':
        this.value(record.chunk, record.offset);
        return this.key?.stream && this.key.stream.held.pendingBytes >= STEP_BYTES ? this.holdBack(this.key.stream) : undefined;
      case 'key-end':
        return this.endKey(record.offset);
    }
  }

  /** Ends the output (a key still open is an error). */
  finish(): void {
    if (this.key) throw new CorruptError('the records end inside a key', { file: this.options.file });
  }

  /** Releases what an interrupted rewrite holds (a stream's temporary file). */
  async abort(): Promise<void> {
    await this.key?.stream?.held.remove();
    this.key = undefined;
  }

  private writeFunction(record: FunctionRecord): void {
    if (!this.can.since70) {
      this.unsupported('function', `function library '${record.library ?? '?'}'`, record.offset);
      return;
    }
    const o = this.out;
    o.array(this.options.replace ? 4 : 3);
    o.constant(C.FUNCTION);
    o.constant(C.LOAD);
    if (this.options.replace) o.constant(C.REPLACE);
    o.bulk(record.code);
    this.report.functions += 1;
  }

  private startKey(record: KeyRecord): void {
    if (this.key) throw new CorruptError('a key starts before the previous one ended', { file: this.options.file, offset: record.offset });
    if (record.type === 'stream' && !this.can.streams) {
      this.skipping = !this.unsupported('stream', `key '${printable(record.key)}' is a stream`, record.offset);
      return;
    }
    const o = this.out;
    if (record.db !== this.selectedDb) {
      o.array(2);
      o.constant(C.SELECT);
      o.integer(record.db);
      this.selectedDb = record.db;
    }
    if (record.idle !== undefined) countDropped(this.report, 'idle');
    if (record.freq !== undefined) countDropped(this.report, 'freq');
    if (record.meta !== undefined) countDropped(this.report, 'key-meta');
    if (this.options.replace && record.type !== 'string' && record.type !== 'module') {
      o.array(2);
      o.constant(C.DEL);
      o.bulk(record.key);
    }
    this.key = {
      record,
      items: 0,
      stream: record.type === 'stream' ? this.newStream() : undefined,
    };
  }

  private newStream(): StreamBuild {
    const held = new HeldEntries({ inMemory: this.options.spillInMemory, tempDir: this.options.tempDir });
    return { held, encoder: new RespEncoder(held.commands), meta: undefined, groups: [] };
  }

  private value(chunk: ValueChunk, offset: number): void {
    const key = this.key;
    if (!key) throw new CorruptError('a value outside a key', { file: this.options.file, offset });
    switch (chunk.type) {
      case 'string':
        this.stringPiece(key, chunk.value);
        return;
      case 'list':
        this.items(key, chunk.elements, C.RPUSH);
        return;
      case 'set':
        this.items(key, chunk.members, C.SADD);
        return;
      case 'zset': {
        const entries = this.holdNegativeZeros(chunk.entries);
        const pending = this.zset;
        let i = this.topUp(entries, pending);
        if (pending.length === ITEMS_PER_COMMAND) this.flushZset(key);
        if (pending.length === 0) {
          for (; entries.length - i >= ITEMS_PER_COMMAND; i += ITEMS_PER_COMMAND) this.writeZset(key, entries, i, i + ITEMS_PER_COMMAND);
          while (i < entries.length) pending.push(entries[i++] as ZsetEntry);
        }
        return;
      }
      case 'hash': {
        const entries = chunk.entries;
        const pending = this.hash;
        let i = this.topUp(entries, pending);
        if (pending.length === ITEMS_PER_COMMAND) this.flushHash(key);
        if (pending.length === 0) {
          for (; entries.length - i >= ITEMS_PER_COMMAND; i += ITEMS_PER_COMMAND) this.writeHash(key, entries, i, i + ITEMS_PER_COMMAND);
          while (i < entries.length) pending.push(entries[i++] as HashEntry);
        }
        return;
      }
      case 'stream-entries':
        this.streamEntries(key, chunk.entries);
        return;
      case 'stream-meta':
        if (key.stream) key.stream.meta = chunk.meta;
        return;
      case 'stream-group':
        key.stream?.groups.push(chunk.group);
        return;
      case 'module':
        this.module(key, chunk.moduleId, chunk.body, offset);
        return;
    }
  }

  private stringPiece(key: OpenKey, value: Uint8Array): void {
    const o = this.out;
    const most = this.options.stringPiece ?? STRING_PIECE_MAX;
    let at = 0;
    do {
      const piece = value.length - at > most ? value.subarray(at, at + most) : at === 0 ? value : value.subarray(at);
      o.array(3);
      o.constant(key.items === 0 ? C.SET : C.APPEND);
      o.bulk(key.record.key);
      o.bulk(piece);
      key.items += 1;
      at += piece.length;
    } while (at < value.length);
  }

  /**
   * Moves items from the front of `items` into `pending` (what the last chunk left, fewer than 64) until it holds
   * 64 or `items` runs out; returns how many were moved. Commands hold 64 items counted from the key's start,
   * whatever the chunks.
   */
  private topUp<T>(items: readonly T[], pending: T[]): number {
    if (pending.length === 0) return 0;
    let i = 0;
    while (pending.length < ITEMS_PER_COMMAND && i < items.length) pending.push(items[i++] as T);
    return i;
  }

  private items(key: OpenKey, elements: readonly Element[], command: Uint8Array): void {
    const pending = this.list;
    let i = this.topUp(elements, pending);
    if (pending.length === ITEMS_PER_COMMAND) this.flushItems(key, command);
    if (pending.length > 0) return;
    for (; elements.length - i >= ITEMS_PER_COMMAND; i += ITEMS_PER_COMMAND) this.writeItems(key, command, elements, i, i + ITEMS_PER_COMMAND);
    while (i < elements.length) pending.push(elements[i++] as Element);
  }

  private flushItems(key: OpenKey, command: Uint8Array): void {
    const pending = this.list;
    if (pending.length === 0) return;
    this.writeItems(key, command, pending, 0, pending.length);
    pending.length = 0;
  }

  private writeItems(key: OpenKey, command: Uint8Array, elements: readonly Element[], from: number, to: number): void {
    const o = this.out;
    o.array(2 + to - from);
    o.constant(command);
    o.bulk(key.record.key);
    for (let i = from; i < to; i++) o.element(elements[i] as Element);
    key.items += to - from;
  }

  /** The entries without those scored -0, which are held for the end of the key while there are few. */
  private holdNegativeZeros(entries: ZsetEntry[]): ZsetEntry[] {
    if (!entries.some((e) => Object.is(e.score, -0))) return entries;
    const rest: ZsetEntry[] = [];
    for (const e of entries) {
      if (Object.is(e.score, -0) && this.negativeZeros.length < NEGATIVE_ZEROS_HELD) this.negativeZeros.push(e);
      else rest.push(e);
    }
    return rest;
  }

  private flushZset(key: OpenKey): void {
    const pending = this.zset;
    if (pending.length === 0) return;
    this.writeZset(key, pending, 0, pending.length);
    pending.length = 0;
  }

  private writeZset(key: OpenKey, entries: readonly ZsetEntry[], from: number, to: number): void {
    const o = this.out;
    o.array(2 + (to - from) * 2);
    o.constant(C.ZADD);
    o.bulk(key.record.key);
    for (let i = from; i < to; i++) {
      const entry = entries[i] as ZsetEntry;
      const score = entry.score;
      if (Number.isInteger(score) && score > -9007199254740992 && score < 9007199254740992 && !Object.is(score, -0)) o.integer(score);
      else if (Number.isNaN(score)) throw new CorruptError('a sorted set member has a NaN score', { file: this.options.file, offset: key.record.offset });
      else o.score(score);
      o.element(entry.member);
    }
    key.items += to - from;
  }

  private flushHash(key: OpenKey): void {
    const pending = this.hash;
    if (pending.length === 0) return;
    this.writeHash(key, pending, 0, pending.length);
    pending.length = 0;
  }

  private writeHash(key: OpenKey, entries: readonly HashEntry[], from: number, to: number): void {
    const o = this.out;
    o.array(2 + (to - from) * 2);
    o.constant(C.HMSET);
    o.bulk(key.record.key);
    let ttls = 0;
    for (let i = from; i < to; i++) {
      const entry = entries[i] as HashEntry;
      o.element(entry.field);
      o.element(entry.value);
      if (entry.expireMs !== undefined) ttls += 1;
    }
    if (ttls > 0 && !this.can.fieldTtl) {
      this.unsupported('field-ttl', `key '${printable(key.record.key)}' has hash fields with TTLs`, key.record.offset);
      // Counted per field: each keeps its value, without its TTL.
      countDropped(this.report, 'field-ttl', ttls - 1);
      ttls = 0;
    }
    if (ttls > 0) {
      for (let i = from; i < to; i++) {
        const entry = entries[i] as HashEntry;
        if (entry.expireMs === undefined) continue;
        o.array(6);
        o.constant(C.HPEXPIREAT);
        o.bulk(key.record.key);
        o.integer(entry.expireMs);
        o.constant(C.FIELDS);
        o.constant(C.ONE);
        o.element(entry.field);
      }
    }
    key.items += to - from;
  }

  private module(key: OpenKey, moduleId: bigint, body: Uint8Array | undefined, offset: number): void {
    if (body === undefined) throw new CorruptError('a module value without its serialised body (read with values built)', { file: this.options.file, offset });
    const payload = moduleDumpPayload(moduleId, body, this.options.dumpRdbVersion ?? this.options.target?.rdbVersion ?? this.rdbVersion ?? 9);
    const o = this.out;
    o.array(this.options.replace ? 5 : 4);
    o.constant(C.RESTORE);
    o.bulk(key.record.key);
    o.constant(C.ZERO);
    o.bulk(payload);
    if (this.options.replace) o.constant(C.REPLACE);
    key.items += 1;
  }

  private streamEntries(key: OpenKey, entries: readonly StreamEntry[]): void {
    const stream = key.stream;
    if (!stream) return;
    const o = stream.encoder;
    const name = key.record.key;
    for (const entry of entries) {
      const fields = entry.fields.length;
      o.array(3 + fields * 2);
      o.constant(C.XADD);
      o.bulk(name);
      o.id(entry.id);
      for (let i = 0; i < fields; i++) {
        o.element(entry.fields[i] as Element);
        o.element(entry.values[i] as Element);
      }
      stream.held.added(entry.id);
    }
  }

  private endKey(offset: number): AsyncGenerator<void> | undefined {
    const key = this.key;
    if (!key) throw new CorruptError('a key ends that did not start', { file: this.options.file, offset });
    switch (key.record.type) {
      case 'list':
      case 'set':
        this.flushItems(key, key.record.type === 'list' ? C.RPUSH : C.SADD);
        break;
      case 'zset':
        this.flushZset(key);
        if (this.negativeZeros.length > 0) {
          this.writeZset(key, this.negativeZeros, 0, this.negativeZeros.length);
          this.negativeZeros = [];
        }
        break;
      case 'hash':
        this.flushHash(key);
        break;
      case 'stream':
        return this.endStream(key);
      default:
        break;
    }
    this.closeKey(key);
    return undefined;
  }

  private closeKey(key: OpenKey): void {
    this.key = undefined;
    const record = key.record;
    if (key.items === 0 && record.type !== 'stream') {
      // An empty collection (only a damaged or hand-made input has one): no command can create it.
      countDropped(this.report, 'empty');
      return;
    }
    if (record.expireMs !== undefined) {
      const o = this.out;
      o.array(3);
      o.constant(C.PEXPIREAT);
      o.bulk(record.key);
      o.integer(record.expireMs);
    }
    this.report.keys += 1;
  }

  /** Moves a stream's held-back entries from memory to its spill (which goes to disk past its limit). */
  private async *holdBack(stream: StreamBuild): AsyncGenerator<void> {
    await stream.held.hold();
    yield;
  }

  private async *endStream(key: OpenKey): AsyncGenerator<void> {
    const stream = key.stream as StreamBuild;
    try {
      yield* this.writeStream(key, stream);
    } finally {
      await stream.held.remove();
    }
    this.closeKey(key);
  }

  private async *writeStream(key: OpenKey, stream: StreamBuild): AsyncGenerator<void> {
    const o = this.out;
    const name = key.record.key;
    const meta = stream.meta;
    if (!meta) throw new CorruptError('a stream without its metadata', { file: this.options.file, offset: key.record.offset });
    const held = stream.held;

    // Pending entries, by ID, of every group: those whose message is not in the stream get a placeholder.
    const pel = new Map<string, Uint8Array>();
    for (const group of stream.groups) {
      for (const nack of group.pending) {
        const bytes = idBytes(nack.id);
        pel.set(latin1(bytes), bytes);
      }
    }
    const pending = [...pel.keys()].sort().map((k) => pel.get(k) as Uint8Array);
    const cuts = (await held.cuts(pending)).filter((cut) => {
      if (cut.key.some((byte) => byte !== 0)) return true;
      addWarning(this.report, `stream '${printable(name)}': a pending entry with ID 0-0 cannot be rebuilt; left out`);
      return false;
    });
    const head: StreamId[] = [];
    const middle: StreamId[] = [];
    const placeholder = (cut: Cut): void => {
      const view = new DataView(cut.key.buffer, cut.key.byteOffset, 16);
      const id = { ms: view.getBigUint64(0), seq: view.getBigUint64(8) };
      (cut.head ? head : middle).push(id);
      o.array(5);
      o.constant(C.XADD);
      o.bulk(name);
      o.id(id);
      o.bulk(PLACEHOLDER_FIELD);
      o.bulk(PLACEHOLDER_VALUE);
    };
    for await (const piece of held.replay(cuts, placeholder)) {
      o.w.bytes(piece);
      if (o.w.pendingBytes >= STEP_BYTES) yield;
    }
    const entryCount = held.entries;
    const firstEntry = held.firstId;

    if (entryCount === 0 && head.length === 0) {
      // Redis's trick for an empty stream: add one entry and trim it at once.
      o.array(7);
      o.constant(C.XADD);
      o.bulk(name);
      o.constant(C.MAXLEN);
      o.constant(C.ZERO);
      o.constant(C.ID_0_1);
      o.constant(C.X);
      o.constant(C.Y);
    }
    if (meta.length !== BigInt(entryCount)) {
      addWarning(this.report, `stream '${printable(name)}': its metadata says ${meta.length} entries but it holds ${entryCount}; the commands rebuild ${entryCount}`);
    }
    const state = loadedStreamState(meta, firstEntry);
    if (state.entriesAdded < BigInt(entryCount)) {
      addWarning(this.report, `stream '${printable(name)}': entries-added ${state.entriesAdded} is below its ${entryCount} entries; Redis refuses it (XSETID)`);
    }
    // Before 7.0 a stream has no entries-added counter, maximal deleted ID or groups' entries-read.
    const counters = this.can.since70;
    if (!counters && (meta.entriesAdded !== undefined || stream.groups.some((group) => group.entriesRead !== undefined))) {
      this.unsupported('stream-metadata', `stream '${printable(name)}' has entries-added, max-deleted-id and entries-read counters`, key.record.offset);
    }
    const setId = (): void => {
      o.array(counters ? 7 : 3);
      o.constant(C.XSETID);
      o.bulk(name);
      o.id(state.lastId);
      if (!counters) return;
      o.constant(C.ENTRIESADDED);
      o.text(state.entriesAdded.toString());
      o.constant(C.MAXDELETEDID);
      o.id(state.maxDeletedId);
    };
    const placeholders = head.length + middle.length;
    if (placeholders === 0) setId();
    for (const group of stream.groups) yield* this.writeGroup(name, group, state, key.record.offset);
    if (placeholders > 0) {
      if (!this.can.since62) {
        // No XTRIM MINID before 6.2 (and no deleted-ID counter for XDEL to move): delete them all.
        middle.unshift(...head);
        head.length = 0;
      }
      if (head.length > 0) {
        o.array(4);
        o.constant(C.XTRIM);
        o.bulk(name);
        if (firstEntry) {
          o.constant(C.MINID);
          o.id(firstEntry);
        } else {
          o.constant(C.MAXLEN);
          o.constant(C.ZERO);
        }
      }
      for (let i = 0; i < middle.length; i += ITEMS_PER_COMMAND) {
        const batch = middle.slice(i, i + ITEMS_PER_COMMAND);
        o.array(2 + batch.length);
        o.constant(C.XDEL);
        o.bulk(name);
        for (const id of batch) o.id(id);
      }
      if (middle.length > 0 && isZeroStreamId(state.maxDeletedId)) {
        addWarning(
          this.report,
          `stream '${printable(name)}': its max-deleted-entry-id becomes ${formatStreamId(middle[middle.length - 1] as StreamId)} instead of 0-0 (XSETID cannot set 0-0 back)`,
        );
      }
      setId();
    }
  }

  private *writeGroup(name: Uint8Array, group: StreamGroup, state: ReturnType<typeof loadedStreamState>, offset: number): Generator<void> {
    const o = this.out;
    const counters = this.can.since70;
    o.array(counters ? 7 : 5);
    o.constant(C.XGROUP);
    o.constant(C.CREATE);
    o.bulk(name);
    o.bulk(group.name);
    o.id(group.lastId);
    if (counters) {
      o.constant(C.ENTRIESREAD);
      // Redis stores an unknown counter (-1) as the unsigned length 2^64-1.
      o.text((group.entriesRead === undefined ? estimateEntriesRead(state, group.lastId) : BigInt.asIntN(64, group.entriesRead)).toString());
    }
    const pendingById = new Map<string, StreamPendingEntry>();
    for (const nack of group.pending) pendingById.set(idKey(nack.id), nack);
    let claimed = 0;
    for (const consumer of group.consumers) {
      countDropped(this.report, 'stream-consumer-times');
      if (consumer.pending.length === 0) {
        if (!this.can.since62) {
          this.unsupported('stream-consumer', `stream '${printable(name)}' group '${printable(group.name)}' has consumer '${printable(consumer.name)}' without pending entries (XGROUP CREATECONSUMER)`, offset);
          continue;
        }
        o.array(5);
        o.constant(C.XGROUP);
        o.constant(C.CREATECONSUMER);
        o.bulk(name);
        o.bulk(group.name);
        o.bulk(consumer.name);
        continue;
      }
      for (const id of consumer.pending) {
        const nack = pendingById.get(idKey(id));
        if (!nack) {
          addWarning(this.report, `stream '${printable(name)}' group '${printable(group.name)}': consumer entry ${formatStreamId(id)} is not in the group's pending list; left out`);
          continue;
        }
        if (isZeroStreamId(id)) continue;
        o.array(12);
        o.constant(C.XCLAIM);
        o.bulk(name);
        o.bulk(group.name);
        o.bulk(consumer.name);
        o.constant(C.ZERO);
        o.id(id);
        o.constant(C.TIME);
        o.integer(nack.deliveryTimeMs);
        o.constant(C.RETRYCOUNT);
        o.integer(nack.deliveryCount);
        o.constant(C.JUSTID);
        o.constant(C.FORCE);
        claimed += 1;
        if (o.w.pendingBytes >= STEP_BYTES) yield;
      }
    }
    const orphans = group.pending.length - claimed;
    if (orphans > 0) {
      addWarning(this.report, `stream '${printable(name)}' group '${printable(group.name)}': ${orphans} pending entries belong to no consumer; left out`);
    }
  }
}

/** A stream ID as a map key. */
function idKey(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}
