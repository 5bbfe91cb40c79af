// cspell:words listpack listpacks quicklist zset resizedb selectdb
import { Buffer } from 'node:buffer';
import type { HashEntry, RdbRecord, StreamEntry, StreamGroup, ValueChunk, ZsetEntry } from '../rdb/model.js';
import type { RedisType } from '../rdb/constants.js';
import { typeInfo } from '../rdb/constants.js';
import { ascii } from './bytes.js';
import type { Database, Keyspace, ModuleValue, Value } from './model.js';
import { HashValue, ListValue, SetValue, StreamValue, ZsetValue, streamGroups, streamMeta, typeOf } from './model.js';
import { idParts } from './types/stream.js';

/*
 * The keyspace walked as the RDB reader's records (src/rdb/model.ts), so that every writer — the RDB writer,
 * the AOF rewrite, the multi-part set, the JSON dump — takes a replayed dataset as it takes a file: a header,
 * the function libraries, then per non-empty database SELECTDB and RESIZEDB, each key as a key record, value
 * records holding its elements in bounded chunks, and a key-end record; EOF last. There are no raw records
 * (the model holds no RDB encoding), so an RDB writer encodes every value as its target would.
 *
 * Memory: the records of one batch at most — about `batchBytes` of element bytes or `batchRecords` records —
 * besides the model itself. A string value held as bytes (over 64 KiB) goes out as the stored array without a
 * copy. Element bytes are views into per-batch slabs, which nothing reuses: a writer may keep them.
 * Records carry offset 0 and length 0 (there is no file behind them).
 */

/** Options of {@link walkKeyspace}. */
export interface WalkOptions {
  /** The RDB header the records start with (the release the dataset is for); default REDIS, version 12. */
  header?: { magic: 'REDIS' | 'VALKEY'; version: number };
  /** Element bytes per batch before it is handed out (default 1 MiB). */
  batchBytes?: number;
  /** Records per batch before it is handed out (default 1024). */
  batchRecords?: number;
  /** Elements per value chunk (default 1024). */
  chunkElements?: number;
}

/** What a walk wrote, filled in as it goes. */
export interface WalkStats {
  keys: number;
  functions: number;
  databases: number;
}

/** The RDB type byte a key record names for each model type (the current encodings; writers re-encode). */
const TYPE_CODE: Record<RedisType, number> = { string: 0, list: 18, set: 2, zset: 5, hash: 4, stream: 21, module: 7 };
/** RDB_TYPE_HASH_METADATA (Redis 7.4+): a hash with field TTLs. */
const HASH_WITH_TTLS = 24;

const SLAB = 64 * 1024;
const SLAB_ELEMENT_MAX = 4096;
const latin1Write = Buffer.prototype.latin1Write as (this: Uint8Array, text: string, offset: number, length: number) => number;

/** Carves element bytes out of fresh slabs (never reused), so one element costs a view, not a buffer. */
class Slabs {
  private slab = new Uint8Array(0);
  private used = 0;
  /** Bytes handed out since the last {@link reset}. */
  bytes = 0;

  of(text: string): Uint8Array {
    const n = text.length;
    this.bytes += n;
    if (n > SLAB_ELEMENT_MAX) {
      const out = Buffer.allocUnsafeSlow(n);
      latin1Write.call(out, text, 0, n);
      return new Uint8Array(out.buffer, out.byteOffset, n);
    }
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(SLAB);
      this.used = 0;
    }
    const start = this.used;
    latin1Write.call(this.slab, text, start, n);
    this.used += n;
    return this.slab.subarray(start, start + n);
  }
}

/**
 * Walks a keyspace as record batches (see the top of this file). `stats`, when given, counts what was
 * walked. The keyspace must not change while the walk runs.
 */
export function* walkKeyspace(keyspace: Keyspace, options: WalkOptions = {}, stats?: WalkStats): Generator<RdbRecord[]> {
  const walker = new Walker(options, stats ?? { keys: 0, functions: 0, databases: 0 });
  yield* walker.walk(keyspace);
}

/** {@link walkKeyspace} as an async generator, for consumers that take record batches asynchronously. */
export async function* walkKeyspaceAsync(keyspace: Keyspace, options: WalkOptions = {}, stats?: WalkStats): AsyncGenerator<RdbRecord[]> {
  yield* walkKeyspace(keyspace, options, stats);
}

const AT = { offset: 0, length: 0 } as const;

class Walker {
  private batch: RdbRecord[] = [];
  private readonly slabs = new Slabs();
  private readonly batchBytes: number;
  private readonly batchRecords: number;
  private readonly chunkElements: number;
  private readonly header: { magic: 'REDIS' | 'VALKEY'; version: number };
  private readonly infos = new Map<number, { encoding: string; objectEncoding: string }>();

  constructor(
    options: WalkOptions,
    private readonly stats: WalkStats,
  ) {
    this.batchBytes = options.batchBytes ?? 1 << 20;
    this.batchRecords = options.batchRecords ?? 1024;
    this.chunkElements = options.chunkElements ?? 1024;
    this.header = options.header ?? { magic: 'REDIS', version: 12 };
  }

  private get full(): boolean {
    return this.batch.length >= this.batchRecords || this.slabs.bytes >= this.batchBytes;
  }

  private take(): RdbRecord[] {
    const out = this.batch;
    this.batch = [];
    this.slabs.bytes = 0;
    return out;
  }

  *walk(keyspace: Keyspace): Generator<RdbRecord[]> {
    this.batch.push({ kind: 'header', magic: this.header.magic, version: this.header.version, ...AT });
    for (const library of [...keyspace.functions.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      this.batch.push({ kind: 'function', code: library.code, engine: library.engine, library: ascii(this.slabs.of(library.name)), preRelease: false, ...AT });
      this.stats.functions++;
    }
    for (const db of keyspace.databases()) {
      yield* this.database(db);
    }
    this.batch.push({ kind: 'eof', storedChecksum: undefined, computedChecksum: undefined, checksum: 'skipped', ...AT });
    yield this.take();
  }

  private *database(db: Database): Generator<RdbRecord[]> {
    this.stats.databases++;
    this.batch.push({ kind: 'selectdb', db: db.index, ...AT }, { kind: 'resizedb', dbSize: db.size, expiresSize: db.expiresSize, ...AT });
    const small = this.chunkElements;
    for (const [name, value, expireMs] of db.entries()) {
      // Most keys fit in one chunk: walked without a generator of their own.
      if (elementCount(value) <= small) this.smallKey(db.index, name, value, expireMs);
      else yield* this.largeKey(db.index, name, value, expireMs);
      this.stats.keys++;
      if (this.full) yield this.take();
    }
  }

  /** Pushes the key record; returns what its key-end record needs. */
  private startKey(dbIndex: number, name: string, value: Value, expireMs: number | undefined): OpenKey {
    const type = typeOf(value);
    const fieldTtls = value instanceof HashValue && value.hasFieldTtls;
    const typeCode = fieldTtls ? HASH_WITH_TTLS : TYPE_CODE[type];
    const info = this.info(typeCode);
    const key = this.slabs.of(name);
    const module = type === 'module' ? (value as ModuleValue) : undefined;
    this.batch.push({
      kind: 'key',
      db: dbIndex,
      key,
      typeCode,
      type,
      encoding: info.encoding,
      expireMs,
      idle: undefined,
      freq: undefined,
      metaClasses: undefined,
      meta: undefined,
      module: module ? { moduleId: module.moduleId, moduleName: module.moduleName, encver: module.encver } : undefined,
      values: true,
      ...AT,
    });
    return { key, type, encoding: info.encoding, objectEncoding: info.objectEncoding, fieldTtls };
  }

  private endKey(open: OpenKey, elements: number): void {
    this.batch.push({
      kind: 'key-end',
      key: open.key,
      type: open.type,
      encoding: open.encoding,
      objectEncoding: open.objectEncoding,
      elements,
      encodedBytes: 0,
      keyOffset: 0,
      fieldTtls: open.fieldTtls,
      ...AT,
    });
  }

  private info(typeCode: number): { encoding: string; objectEncoding: string } {
    let info = this.infos.get(typeCode);
    if (info === undefined) {
      const found = typeInfo(typeCode, this.header.magic);
      info = { encoding: found?.encoding ?? String(typeCode), objectEncoding: found?.objectEncoding ?? 'raw' };
      this.infos.set(typeCode, info);
    }
    return info;
  }

  private chunk(chunk: ValueChunk): void {
    this.batch.push({ kind: 'value', chunk, ...AT });
  }

  /** A key whose elements fit in one chunk. */
  private smallKey(dbIndex: number, name: string, value: Value, expireMs: number | undefined): void {
    const open = this.startKey(dbIndex, name, value, expireMs);
    let elements = 1;
    if (typeof value === 'string') {
      this.chunk({ type: 'string', value: this.slabs.of(value) });
    } else if (value instanceof Uint8Array) {
      this.chunk({ type: 'string', value });
      this.slabs.bytes += value.length;
    } else if (value instanceof ListValue) {
      const items: Uint8Array[] = [];
      for (const e of value.elements()) items.push(this.slabs.of(e));
      if (items.length > 0) this.chunk({ type: 'list', elements: items });
      elements = items.length;
    } else if (value instanceof SetValue) {
      const items: Uint8Array[] = [];
      for (const m of value.members()) items.push(this.slabs.of(m));
      if (items.length > 0) this.chunk({ type: 'set', members: items });
      elements = items.length;
    } else if (value instanceof ZsetValue) {
      const items: ZsetEntry[] = [];
      for (const [m, score] of value.entries()) items.push({ member: this.slabs.of(m), score });
      if (items.length > 0) this.chunk({ type: 'zset', entries: items });
      elements = items.length;
    } else if (value instanceof HashValue) {
      const items: HashEntry[] = [];
      for (const [f, v, when] of value.entries()) items.push(this.hashEntry(f, v, when));
      if (items.length > 0) this.chunk({ type: 'hash', entries: items });
      elements = items.length;
    } else if (value instanceof StreamValue) {
      const items: StreamEntry[] = [];
      for (const e of value.entries()) items.push(this.streamEntry(e.id, e.pairs));
      if (items.length > 0) this.chunk({ type: 'stream-entries', entries: items, deleted: 0 });
      this.streamTail(value);
      elements = items.length;
    } else {
      const module = value;
      this.chunk({ type: 'module', moduleId: module.moduleId, moduleName: module.moduleName, encver: module.encver, opcodes: 0, body: module.raw });
    }
    this.endKey(open, elements);
  }

  /** A key whose elements take several chunks, handed out in bounded batches. */
  private *largeKey(dbIndex: number, name: string, value: Value, expireMs: number | undefined): Generator<RdbRecord[]> {
    const open = this.startKey(dbIndex, name, value, expireMs);
    let elements = 0;
    const max = this.chunkElements;
    if (value instanceof ListValue) {
      let items: Uint8Array[] = [];
      for (const e of value.elements()) {
        items.push(this.slabs.of(e));
        elements++;
        if (items.length >= max || this.full) {
          this.chunk({ type: 'list', elements: items });
          items = [];
          if (this.full) yield this.take();
        }
      }
      if (items.length > 0) this.chunk({ type: 'list', elements: items });
    } else if (value instanceof SetValue) {
      let items: Uint8Array[] = [];
      for (const m of value.members()) {
        items.push(this.slabs.of(m));
        elements++;
        if (items.length >= max || this.full) {
          this.chunk({ type: 'set', members: items });
          items = [];
          if (this.full) yield this.take();
        }
      }
      if (items.length > 0) this.chunk({ type: 'set', members: items });
    } else if (value instanceof ZsetValue) {
      let items: ZsetEntry[] = [];
      for (const [m, score] of value.entries()) {
        items.push({ member: this.slabs.of(m), score });
        elements++;
        if (items.length >= max || this.full) {
          this.chunk({ type: 'zset', entries: items });
          items = [];
          if (this.full) yield this.take();
        }
      }
      if (items.length > 0) this.chunk({ type: 'zset', entries: items });
    } else if (value instanceof HashValue) {
      let items: HashEntry[] = [];
      for (const [f, v, when] of value.entries()) {
        items.push(this.hashEntry(f, v, when));
        elements++;
        if (items.length >= max || this.full) {
          this.chunk({ type: 'hash', entries: items });
          items = [];
          if (this.full) yield this.take();
        }
      }
      if (items.length > 0) this.chunk({ type: 'hash', entries: items });
    } else if (value instanceof StreamValue) {
      let items: StreamEntry[] = [];
      for (const e of value.entries()) {
        items.push(this.streamEntry(e.id, e.pairs));
        elements++;
        if (items.length >= max || this.full) {
          this.chunk({ type: 'stream-entries', entries: items, deleted: 0 });
          items = [];
          if (this.full) yield this.take();
        }
      }
      if (items.length > 0) this.chunk({ type: 'stream-entries', entries: items, deleted: 0 });
      yield* this.streamTailBatches(value);
    }
    this.endKey(open, elements);
  }

  private hashEntry(f: string, v: string, when: number | undefined): HashEntry {
    const entry: HashEntry = { field: this.slabs.of(f), value: this.slabs.of(v) };
    if (when !== undefined) entry.expireMs = when;
    return entry;
  }

  private streamEntry(id: string, pairs: readonly string[]): StreamEntry {
    const fields: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      fields.push(this.slabs.of(pairs[i] as string));
      values.push(this.slabs.of(pairs[i + 1] as string));
    }
    return { id: idParts(id), fields, values };
  }

  /** The stream's metadata and consumer groups (after its entries). */
  private streamTail(value: StreamValue): void {
    for (const unusedBatch of this.streamTailBatches(value, false)) {
      // Without yielding: every group goes into the current batch.
    }
  }

  private *streamTailBatches(value: StreamValue, yielding = true): Generator<RdbRecord[]> {
    const meta = streamMeta(value);
    const groups = streamGroups(value);
    this.chunk({
      type: 'stream-meta',
      meta: { length: BigInt(meta.length), lastId: meta.lastId, firstId: meta.firstId, maxDeletedId: meta.maxDeletedId, entriesAdded: meta.entriesAdded, groupCount: groups.length },
    });
    for (const g of groups) {
      const group: StreamGroup = {
        name: g.name,
        lastId: g.lastId,
        entriesRead: BigInt.asUintN(64, g.entriesRead),
        pending: g.pending.map((n) => ({ id: n.id, deliveryTimeMs: n.deliveryTimeMs, deliveryCount: Number(n.deliveryCount), consumer: n.consumer })),
        consumers: g.consumers.map((c) => ({ name: c.name, seenTimeMs: c.seenTimeMs, activeTimeMs: c.activeTimeMs, pending: c.pending })),
      };
      this.chunk({ type: 'stream-group', group });
      if (yielding && this.full) yield this.take();
    }
  }
}

/** What a key's key-end record repeats from its key record. */
interface OpenKey {
  key: Uint8Array;
  type: RedisType;
  encoding: string;
  objectEncoding: string;
  fieldTtls: boolean;
}

/** Elements of a value (1 for a string or module value). */
function elementCount(value: Value): number {
  if (typeof value === 'string' || value instanceof Uint8Array) return 1;
  if (value instanceof ListValue || value instanceof StreamValue) return value.length;
  if (value instanceof SetValue || value instanceof ZsetValue || value instanceof HashValue) return value.size;
  return 1;
}

