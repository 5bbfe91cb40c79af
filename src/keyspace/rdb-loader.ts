// cspell:words nack listpacks
import { CorruptError } from '../errors.js';
import type { Element, KeyRecord, RdbRecord, StreamId } from '../rdb/model.js';
import { bin } from './bytes.js';
import type { Keyspace, ModuleValue, Value } from './model.js';
import { makeString } from './model.js';
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
  return e instanceof Uint8Array ? bin(e) : String(e);
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
  /** Module values (kept as the module serialised them, see ModuleValue). */
  moduleValues: number;
}

interface Pending {
  record: KeyRecord;
  strings: Uint8Array[];
  value: Value | undefined;
  /** Elements not yet in `value` (list elements, set members, hash field/value pairs, zset members). */
  parts: string[];
  /** Scores of the pending zset members. */
  scores: number[];
  /** Field TTLs of the pending hash fields. */
  ttls: [string, number][];
  stream: StreamValue | undefined;
  streamMeta: boolean;
  elements: number;
}

/** Pending elements applied to the value past this many (small collections are built in one go). */
const FLUSH_AT = 4096;

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
        this.pending = { record, strings: [], value: undefined, parts: [], scores: [], ttls: [], stream: undefined, streamMeta: false, elements: 0 };
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
    switch (chunk.type) {
      case 'string':
        p.strings.push(chunk.value);
        p.elements = 1;
        return;
      case 'list':
        for (const e of chunk.elements) p.parts.push(text(e));
        break;
      case 'set':
        for (const m of chunk.members) p.parts.push(text(m));
        break;
      case 'zset':
        for (const e of chunk.entries) {
          p.parts.push(text(e.member));
          p.scores.push(e.score);
        }
        break;
      case 'hash':
        for (const e of chunk.entries) {
          const f = text(e.field);
          p.parts.push(f, text(e.value));
          if (e.expireMs !== undefined) p.ttls.push([f, e.expireMs]);
        }
        break;
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
        const v: ModuleValue = { type: 'module', moduleId: chunk.moduleId, moduleName: chunk.moduleName, encver: chunk.encver, raw: chunk.body?.slice() };
        p.value = v;
        p.elements = 1;
        this.stats.moduleValues++;
        return;
      }
    }
    if (p.parts.length >= FLUSH_AT) this.flush(p);
  }

  /** Applies the pending elements to the value (creating it; in bulk while it is empty). */
  private flush(p: Pending): void {
    const type = p.record.type;
    if (type === 'list') {
      const list = (p.value as ListValue | undefined) ?? new ListValue();
      list.pushTailAll(p.parts);
      p.value = list;
      p.elements = list.length;
    } else if (type === 'set') {
      const set = (p.value as SetValue | undefined) ?? new SetValue();
      set.addAll(p.parts);
      p.value = set;
      p.elements = set.size;
    } else if (type === 'zset') {
      // Built as a skiplist; converted to a listpack at the end when Redis would load it as one.
      const limits = this.keyspace.config.zset;
      const zset = (p.value as ZsetValue | undefined) ?? ZsetValue.fromEntries(p.parts, p.scores, limits);
      if (p.value !== undefined) for (let i = 0; i < p.parts.length; i++) zset.set(p.parts[i] as string, p.scores[i] as number, limits);
      p.value = zset;
      p.elements = zset.size;
    } else if (type === 'hash') {
      const hash = (p.value as HashValue | undefined) ?? new HashValue();
      hash.setAll(p.parts);
      for (const [f, when] of p.ttls) hash.setExpire(f, when);
      p.value = hash;
      p.elements = hash.size;
    }
    p.parts = [];
    p.scores = [];
    p.ttls = [];
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
      if (p.parts.length > 0) this.flush(p);
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
