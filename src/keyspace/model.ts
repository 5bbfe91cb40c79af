// cspell:words listpack quicklist zset zsets hashtable skiplist
import type { RedisType } from '../rdb/constants.js';
import { bin, unbin } from './bytes.js';
import { HashValue } from './types/hash.js';
import { ListValue } from './types/list.js';
import { SetValue } from './types/set.js';
import { StreamValue, idParts, sortedPel } from './types/stream.js';
import type { ConsumerGroup } from './types/stream.js';
import { DEFAULT_ZSET_LIMITS, ZsetValue } from './types/zset.js';
import type { ZsetLimits } from './types/zset.js';
import { KeyTable } from './table.js';

/*
 * The keyspace model: what a Redis server holds in memory, held more compactly.
 *
 * Representation:
 * - Each database is a KeyTable (table.ts): keys, and string values up to 4 KiB, laid out as bytes in a
 *   few large arenas, indexed by an open-addressing table of integer ids, with the absolute expiry time (ms)
 *   of each key in a typed array beside it. A key costs its bytes plus about 30 bytes, instead of a JS
 *   string and a Map entry (~70 bytes) per key; other values are referenced from the table.
 * - Byte strings held as JS values (members of small collections, long values) are "binary strings", JS
 *   strings with one char per byte (bytes.ts): V8 stores them flat at one byte per char behind a 16-byte
 *   header, where a Uint8Array costs an object of ~100 bytes. String values above 64 KiB, and values edited
 *   bit by bit (SETBIT, SETRANGE, BITFIELD, HyperLogLogs), are Uint8Array instead: mutable in place and
 *   held outside the V8 heap.
 * - Small collections are packs (pack.ts): one binary string holding all elements (scores as 1 to 9 bytes),
 *   like Redis's listpacks, so a small hash, set or sorted set costs one object with one field and one
 *   string. They convert to hashed forms past 128 elements or 4 KiB (sorted sets exactly when Redis
 *   converts its listpacks, because the -0 score is visible). Lists are quicklists of packs of at most
 *   2 KiB; streams are nodes of packs of at most 100 entries or 4 KiB.
 * - Large hashes, sets and sorted sets are KeyTables too (field values and scores inline, field TTLs in
 *   the time array); a sorted set adds its order as sorted blocks of 128 packed entries (sorted-index.ts).
 * - A value's type is its class (a string value is a binary string or a Uint8Array).
 *
 * Measured with bench/keyspace-memory.ts (bytes per key, model vs Redis 7.0's used_memory, 100k keys):
 * 16-byte keys with 10-byte strings 57 vs 91, with a TTL 64 vs 133; hashes of 5 fields 166 vs 170;
 * lists of 20 254 vs 363; sets of 20 286 vs 1484; sorted sets of 20 343 vs 397; 1000-field hashes 57k vs
 * 73k, 1000-member sets 41k vs 57k, sorted sets 76k vs 111k, lists 13k vs 14k; streams of 10 entries
 * 1.4k vs 4.3k.
 *
 * Large datasets: the model lives in the process's memory like the server's dataset, and needs somewhat
 * less than the server's used_memory (above); the command that replays raises V8's heap limit
 * accordingly. Arenas, typed arrays and values over 64 KiB live outside the V8 heap, so the heap itself
 * holds mostly the packed collections. A table splits into 64 past 2^24 keys (about a billion keys per
 * database). Nothing else grows with the input: AOF commands are applied as they stream past.
 *
 * Walking: `Keyspace.databases()` yields the non-empty databases in index order, `Database.keys()` every
 * key with its type, value, TTL, in a stable order (the key table's id order); values expose their
 * elements as Uint8Array (see the `*Bytes` walkers) and the writer decides encodings.
 */

/** A Redis string value: a binary string, or bytes (large or edited in place). */
export type StringValue = string | Uint8Array;

/**
 * A module value, kept as the module serialised it: it cannot be read or changed without the module, but a
 * writer can copy it (RDB load and RESTORE keep it; COPY, MOVE and RENAME carry it).
 */
export interface ModuleValue {
  readonly type: 'module';
  moduleId: bigint;
  moduleName: string;
  encver: number;
  /**
   * The serialised value: every module opcode and operand after the module id through the EOF opcode, as in
   * the file or DUMP payload (undefined when the reader did not build values).
   */
  raw: Uint8Array | undefined;
}

export type Value = StringValue | ListValue | SetValue | ZsetValue | HashValue | StreamValue | ModuleValue;

/** Strings up to this many bytes are stored as binary strings. */
export const STRING_INLINE_MAX = 64 * 1024;

/** The Redis type of a value. */
export function typeOf(value: Value): RedisType {
  if (typeof value === 'string' || value instanceof Uint8Array) return 'string';
  return value.type;
}

/** A string value's bytes (a copy for binary strings, the stored array itself otherwise: do not modify). */
export function stringBytes(value: StringValue): Uint8Array {
  return typeof value === 'string' ? unbin(value) : value;
}

/** A string value's binary string. */
export function stringText(value: StringValue): string {
  return typeof value === 'string' ? value : bin(value);
}

/** Length in bytes of a string value. */
export function stringLength(value: StringValue): number {
  return value.length;
}

/** A string value for `bytes` (copied): a binary string when short, bytes when long. */
export function makeString(bytes: Uint8Array): StringValue {
  return bytes.length <= STRING_INLINE_MAX ? bin(bytes) : new Uint8Array(bytes);
}

/** A string value from a binary string: kept when short, bytes when long. */
export function makeStringFromText(text: string): StringValue {
  return text.length <= STRING_INLINE_MAX ? text : unbin(text);
}

/** One key as a walk yields it. */
export interface KeyEntry {
  /** The key's bytes. */
  key: Uint8Array;
  type: RedisType;
  /** Absolute expiry in ms since the epoch, when the key has a TTL. */
  expireMs: number | undefined;
  value: Value;
}

/** A function library (FUNCTION LOAD): its name, engine and code. */
export interface FunctionLibrary {
  /** Library name from the code's `#!<engine> name=<name>` line. */
  name: string;
  engine: string;
  /** The whole code, shebang line included. */
  code: Uint8Array;
}

/** One database: keys to values and absolute expiry times (ms), in a {@link KeyTable}. */
export class Database {
  /** The database's number (changes with SWAPDB). */
  index: number;
  private readonly dict = new KeyTable<Value>();

  constructor(index: number) {
    this.index = index;
  }

  /** Number of keys. */
  get size(): number {
    return this.dict.size;
  }

  /** Number of keys with a TTL. */
  get expiresSize(): number {
    return this.dict.timedCount;
  }

  get(key: string): Value | undefined {
    return this.dict.get(key);
  }

  has(key: string): boolean {
    return this.dict.has(key);
  }

  /** Sets a key's value, keeping its TTL unless `dropTtl`. */
  set(key: string, value: Value, dropTtl = true): void {
    this.dict.set(key, value, !dropTtl);
  }

  /** Deletes a key (and its TTL); true when it existed. */
  delete(key: string): boolean {
    return this.dict.delete(key);
  }

  /** The key's absolute expiry in ms, or undefined. */
  expireOf(key: string): number | undefined {
    return this.dict.timeOf(key);
  }

  /** Sets the absolute expiry of an existing key (nothing when the key is absent). */
  setExpire(key: string, whenMs: number): void {
    this.dict.setTime(key, whenMs);
  }

  /** Removes the TTL; true when there was one. */
  persist(key: string): boolean {
    return this.dict.clearTime(key);
  }

  /** Removes every key. */
  clear(): void {
    this.dict.clear();
  }

  /** Keys as binary strings, in the table's order. */
  keyNames(): IterableIterator<string> {
    return this.dict.keys();
  }

  /** Every key with its value and TTL, binary-string keys (for the engine and tests). */
  entries(): IterableIterator<[key: string, value: Value, expireMs: number | undefined]> {
    return this.dict.entries();
  }

  /** Keys with a TTL, with it. */
  expiring(): IterableIterator<[key: string, expireMs: number]> {
    return this.dict.timed();
  }

  /** Every key with its type, value and TTL, keys as bytes (for writers). */
  *keys(): IterableIterator<KeyEntry> {
    for (const [k, v, when] of this.dict) yield { key: unbin(k), type: typeOf(v), expireMs: when, value: v };
  }
}

/** Settings that change what Redis stores (the server's configuration when it loads the AOF). */
export interface KeyspaceConfig {
  /** `databases` (default 16). */
  databases: number;
  /** `zset-max-listpack-entries` / `zset-max-listpack-value` (128 / 64). */
  zset: ZsetLimits;
  /** `hll-sparse-max-bytes` (3000). */
  hllSparseMaxBytes: number;
  /** `proto-max-bulk-len` (512 MiB): the largest string SETRANGE, APPEND and SETBIT may make. */
  protoMaxBulkLen: number;
}

export const DEFAULT_CONFIG: KeyspaceConfig = {
  databases: 16,
  zset: DEFAULT_ZSET_LIMITS,
  hllSparseMaxBytes: 3000,
  protoMaxBulkLen: 512 * 1024 * 1024,
};

/** Every database and the function libraries. */
export class Keyspace {
  readonly config: KeyspaceConfig;
  private readonly dbs: (Database | undefined)[] = [];
  /** Function libraries by name (binary string). */
  readonly functions = new Map<string, FunctionLibrary>();

  constructor(config: Partial<KeyspaceConfig> = {}) {
    this.config = { ...DEFAULT_CONFIG, ...config };
  }

  /** The database at `index` (created empty on first use). */
  db(index: number): Database {
    let d = this.dbs[index];
    if (!d) {
      d = new Database(index);
      this.dbs[index] = d;
    }
    return d;
  }

  /** Non-empty databases in index order. */
  *databases(): IterableIterator<Database> {
    for (const d of this.dbs) if (d && d.size > 0) yield d;
  }

  /** Total keys over all databases. */
  get size(): number {
    let n = 0;
    for (const d of this.dbs) if (d) n += d.size;
    return n;
  }

  /** Swaps two databases (SWAPDB). */
  swap(a: number, b: number): void {
    const da = this.db(a);
    const db = this.db(b);
    this.dbs[a] = db;
    this.dbs[b] = da;
    db.index = a;
    da.index = b;
  }

  /** Empties every database (FLUSHALL; functions stay, as in Redis). */
  flushAll(): void {
    for (const d of this.dbs) d?.clear();
  }

  /**
   * Removes keys whose TTL is at or before `nowMs`, and hash fields whose field TTL is; returns the number of
   * keys removed (hashes left empty count as removed keys).
   */
  dropExpired(nowMs: number): { keys: number; fields: number } {
    let keys = 0;
    let fields = 0;
    for (const d of this.dbs) {
      if (!d) continue;
      const doomed: string[] = [];
      for (const [k, v, when] of d.entries()) {
        if (when !== undefined && when <= nowMs) doomed.push(k);
        else if (v instanceof HashValue && v.hasFieldTtls) {
          for (const f of v.expiredFields(nowMs)) {
            v.delete(f);
            fields++;
          }
          if (v.size === 0) doomed.push(k);
        }
      }
      for (const k of doomed) d.delete(k);
      keys += doomed.length;
    }
    return { keys, fields };
  }
}

// ---------------------------------------------------------------------------------------------
// Walkers: values as bytes, for writers.

/** A list's elements head to tail. */
export function* listBytes(list: ListValue): IterableIterator<Uint8Array> {
  for (const e of list.elements()) yield unbin(e);
}

/** A set's members. */
export function* setBytes(set: SetValue): IterableIterator<Uint8Array> {
  for (const m of set.members()) yield unbin(m);
}

/** A sorted set's members with scores, in (score, member) order. */
export function* zsetBytes(zset: ZsetValue): IterableIterator<{ member: Uint8Array; score: number }> {
  for (const [m, s] of zset.entries()) yield { member: unbin(m), score: s };
}

/** A hash's fields with values and field TTLs (absolute ms). */
export function* hashBytes(hash: HashValue): IterableIterator<{ field: Uint8Array; value: Uint8Array; expireMs: number | undefined }> {
  for (const [f, v, when] of hash.entries()) yield { field: unbin(f), value: unbin(v), expireMs: when };
}

/** A stream ID as two unsigned 64-bit parts. */
export interface StreamIdParts {
  ms: bigint;
  seq: bigint;
}

/** A stream's entries in ID order. */
export function* streamEntryBytes(stream: StreamValue): IterableIterator<{ id: StreamIdParts; fields: Uint8Array[]; values: Uint8Array[] }> {
  for (const e of stream.entries()) {
    const fields: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    for (let i = 0; i < e.pairs.length; i += 2) {
      fields.push(unbin(e.pairs[i] as string));
      values.push(unbin(e.pairs[i + 1] as string));
    }
    yield { id: idParts(e.id), fields, values };
  }
}

/** A stream's metadata as RDB 11 stores it. */
export function streamMeta(stream: StreamValue): { length: number; lastId: StreamIdParts; firstId: StreamIdParts; maxDeletedId: StreamIdParts; entriesAdded: bigint } {
  return {
    length: stream.length,
    lastId: idParts(stream.lastId),
    firstId: idParts(stream.firstId),
    maxDeletedId: idParts(stream.maxDeletedId),
    entriesAdded: stream.entriesAdded,
  };
}

/** A consumer group as writers need it: PEL and consumers in ID / name order. */
export interface GroupView {
  name: Uint8Array;
  lastId: StreamIdParts;
  /** -1n when unknown. */
  entriesRead: bigint;
  pending: { id: StreamIdParts; deliveryTimeMs: number; deliveryCount: bigint; consumer: Uint8Array }[];
  consumers: { name: Uint8Array; seenTimeMs: number; activeTimeMs: number; pending: StreamIdParts[] }[];
}

/** A stream's groups sorted by name, each with its PEL and consumers sorted (Redis's radix-tree order). */
export function streamGroups(stream: StreamValue): GroupView[] {
  return stream.sortedGroups().map((g: ConsumerGroup) => ({
    name: unbin(g.name),
    lastId: idParts(g.lastId),
    entriesRead: g.entriesRead,
    pending: sortedPel(g).map(([id, n]) => ({ id: idParts(id), deliveryTimeMs: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: unbin(n.consumer ?? '') })),
    consumers: [...g.consumers.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((c) => ({ name: unbin(c.name), seenTimeMs: c.seenTime, activeTimeMs: c.activeTime, pending: [...c.pel].sort().map(idParts) })),
  }));
}

export { HashValue, ListValue, SetValue, StreamValue, ZsetValue };
