// cspell:words nack listpacks
import { CorruptError } from '../errors.js';
import type { Element, KeyRecord, RdbRecord, StreamId } from '../rdb/model.js';
import { bin } from './bytes.js';
import type { Keyspace, ModuleValue, Value } from './model.js';
import { makeString } from './model.js';
import { intText } from './numbers.js';
import { HashValue } from './types/hash.js';
import { ListValue } from './types/list.js';
import { SetValue } from './types/set.js';
import { ID_MAX, StreamValue, makeId } from './types/stream.js';
import type { Consumer, ConsumerGroup, Nack } from './types/stream.js';
import { ZsetValue } from './types/zset.js';

/*
 * RDB records → keyspace. A small adapter: a key's value may arrive as several consecutive chunks of the same
 * kind (a big string in pieces, a collection in batches), which are concatenated; the key is stored at its
 * key-end record. Defaults for fields older RDB versions do not store follow Redis's rdbLoadObject.
 */

function text(e: Element): string {
  return e instanceof Uint8Array ? bin(e) : bin(intText(e));
}

function streamId(id: StreamId): string {
  return makeId(id.ms, id.seq);
}

/** What was loaded. */
export interface RdbLoadStats {
  keys: number;
  /** Empty collections, which Redis skips while loading. */
  emptyKeysSkipped: number;
  functions: number;
  /** Module values kept without their serialized body (they cannot be re-encoded). */
  moduleValues: number;
}

interface Pending {
  record: KeyRecord;
  strings: Uint8Array[];
  value: Value | undefined;
  stream: StreamValue | undefined;
  streamMeta: boolean;
  elements: number;
}

/** Feeds RDB records into a keyspace. */
export class RdbLoader {
  readonly stats: RdbLoadStats = { keys: 0, emptyKeysSkipped: 0, functions: 0, moduleValues: 0 };
  private pending: Pending | undefined;
  private file: string | undefined;

  constructor(
    private readonly keyspace: Keyspace,
    options: { file?: string } = {},
  ) {
    this.file = options.file;
  }

  /** Applies one record. Throws CorruptError for a key that is already in its database (Redis refuses those). */
  accept(record: RdbRecord): void {
    switch (record.kind) {
      case 'function': {
        const name = record.library ?? '';
        this.keyspace.functions.set(bin(new TextEncoder().encode(name)), { name, engine: record.engine ?? 'LUA', code: record.code.slice() });
        this.stats.functions++;
        return;
      }
      case 'key':
        this.pending = { record, strings: [], value: undefined, stream: undefined, streamMeta: false, elements: 0 };
        if (record.type === 'stream') this.pending.stream = new StreamValue();
        return;
      case 'value':
        this.value(record.chunk);
        return;
      case 'key-end':
        this.finishKey(record.offset);
        return;
      default:
        return;
    }
  }

  private value(chunk: Extract<RdbRecord, { kind: 'value' }>['chunk']): void {
    const p = this.pending;
    if (!p) return;
    const limits = this.keyspace.config.zset;
    switch (chunk.type) {
      case 'string':
        p.strings.push(chunk.value);
        p.elements = 1;
        return;
      case 'list': {
        const list = (p.value as ListValue | undefined) ?? new ListValue();
        for (const e of chunk.elements) list.pushTail(text(e));
        p.value = list;
        p.elements = list.length;
        return;
      }
      case 'set': {
        const set = (p.value as SetValue | undefined) ?? new SetValue();
        for (const m of chunk.members) set.add(text(m));
        p.value = set;
        p.elements = set.size;
        return;
      }
      case 'zset': {
        // Built as a skiplist; converted to a listpack at the end when Redis would load it as one.
        const zset = (p.value as ZsetValue | undefined) ?? new ZsetValue(false);
        for (const e of chunk.entries) zset.set(text(e.member), e.score, limits);
        p.value = zset;
        p.elements = zset.size;
        return;
      }
      case 'hash': {
        const hash = (p.value as HashValue | undefined) ?? new HashValue();
        for (const e of chunk.entries) {
          const f = text(e.field);
          hash.set(f, text(e.value));
          if (e.expireMs !== undefined) hash.setExpire(f, e.expireMs);
        }
        p.value = hash;
        p.elements = hash.size;
        return;
      }
      case 'stream-entries': {
        const s = p.stream as StreamValue;
        for (const e of chunk.entries) {
          const pairs: string[] = [];
          for (let i = 0; i < e.fields.length; i++) pairs.push(text(e.fields[i] as Element), text(e.values[i] as Element));
          s.append(streamId(e.id), pairs);
        }
        return;
      }
      case 'stream-meta': {
        const s = p.stream as StreamValue;
        const m = chunk.meta;
        // Redis takes the stored length as it is (files exist where it differs from the entries present).
        s.length = Number(m.length);
        s.lastId = streamId(m.lastId);
        if (m.firstId !== undefined) {
          s.firstId = streamId(m.firstId);
          s.maxDeletedId = streamId(m.maxDeletedId as StreamId);
          s.entriesAdded = m.entriesAdded as bigint;
        } else {
          // RDB_TYPE_STREAM_LISTPACKS: entries_added starts at the length, first_id is the first entry
          // (streamGetEdgeID gives the largest ID for an empty stream).
          s.entriesAdded = BigInt(s.length);
          s.firstId = s.firstEntryId() ?? ID_MAX;
        }
        p.streamMeta = true;
        return;
      }
      case 'stream-group': {
        const s = p.stream as StreamValue;
        const g = chunk.group;
        const name = bin(g.name);
        const lastId = streamId(g.lastId);
        const group: ConsumerGroup = {
          name,
          lastId,
          entriesRead: g.entriesRead !== undefined ? BigInt.asIntN(64, g.entriesRead) : s.estimateDistanceFromFirstEverEntry(lastId),
          pel: new Map<string, Nack>(),
          consumers: new Map<string, Consumer>(),
        };
        for (const n of g.pending) {
          group.pel.set(streamId(n.id), { deliveryTime: n.deliveryTimeMs, deliveryCount: BigInt(n.deliveryCount), consumer: n.consumer ? bin(n.consumer) : undefined });
        }
        for (const c of g.consumers) {
          const cname = bin(c.name);
          group.consumers.set(cname, { name: cname, seenTime: c.seenTimeMs, activeTime: c.activeTimeMs ?? c.seenTimeMs, pel: new Set(c.pending.map(streamId)) });
        }
        s.groups.set(name, group);
        return;
      }
      case 'module': {
        const v: ModuleValue = { type: 'module', moduleId: chunk.moduleId, moduleName: chunk.moduleName, encver: chunk.encver, raw: undefined };
        p.value = v;
        p.elements = 1;
        this.stats.moduleValues++;
        return;
      }
    }
  }

  private finishKey(offset: number): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    const r = p.record;
    let value: Value | undefined;
    if (r.type === 'string') {
      if (p.strings.length === 1) value = makeString(p.strings[0] as Uint8Array);
      else {
        let total = 0;
        for (const s of p.strings) total += s.length;
        const all = new Uint8Array(total);
        let at = 0;
        for (const s of p.strings) {
          all.set(s, at);
          at += s.length;
        }
        value = makeString(all);
      }
    } else if (r.type === 'stream') {
      value = p.stream;
    } else {
      value = p.value;
      if (value === undefined || p.elements === 0) {
        this.stats.emptyKeysSkipped++;
        return;
      }
      if (value instanceof ZsetValue) value.convertToListpackIfNeeded(this.keyspace.config.zset);
    }
    if (value === undefined) return;
    const db = this.keyspace.db(r.db);
    const k = bin(r.key);
    if (db.has(k)) throw new CorruptError(`duplicate key '${k.length > 40 ? `${k.slice(0, 40)}…` : k}' in database ${r.db}`, { file: this.file, offset });
    db.set(k, value);
    if (r.expireMs !== undefined) db.setExpire(k, r.expireMs);
    this.stats.keys++;
  }
}
