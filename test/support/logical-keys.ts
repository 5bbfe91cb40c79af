/**
 * Keys as data, whatever their encoding: for tests that compare what two files hold (an input and its
 * conversion) — the same key names, TTLs and values, encodings aside. Byte strings and integers compare by
 * their text (Redis stores "12" and 12 alike), sets and hashes as sorted lists, zsets by score and member.
 * What an older release cannot hold is left out of the comparison on request (stream metadata of a stream
 * type, consumers' active time, hash field TTLs, LRU/LFU data).
 */
// cspell:words zset zsets
import type { Element, StreamId } from '../../src/rdb/model.js';
import { RdbType } from '../../src/rdb/constants.js';
import { collectKeys, elementKey, latin1, type CollectedKey } from './rdb-collect.js';
import type { RdbRecord } from '../../src/rdb/model.js';

/** What the comparison keeps. */
export interface LogicalOptions {
  /** Stream type whose metadata is compared (15: length and last ID only, 19: + first/max-deleted/entries-added and entries-read, 21: + active time). */
  streamType?: number;
  /** Compare hash field TTLs (default true). */
  fieldTtls?: boolean;
  /** Compare IDLE/FREQ (default false). */
  lruLfu?: boolean;
}

const id = (value: StreamId): string => `${value.ms}-${value.seq}`;
const text = (element: Element): string => elementKey(element);
const score = (value: number): number => (Object.is(value, -0) ? 0 : value);

/** One key as data. */
export function logicalKey(key: CollectedKey, options: LogicalOptions = {}): unknown {
  const value = key.value;
  const base = { db: key.db, key: key.key, type: key.type, expireMs: key.expireMs ?? null, ...(options.lruLfu ? { idle: key.idle ?? null, freq: key.freq ?? null } : {}) };
  switch (value.type) {
    case 'string':
      return { ...base, value: latin1(value.value) };
    case 'list':
      return { ...base, value: value.elements.map(text) };
    case 'set':
      return { ...base, value: value.members.map(text).sort() };
    case 'zset':
      return {
        ...base,
        value: value.entries.map(([member, s]) => [text(member), score(s)] as const).sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
      };
    case 'hash':
      return {
        ...base,
        value: [...value.fields]
          .map(([field, v]) => [field, text(v), options.fieldTtls === false ? null : (value.fieldExpires.get(field) ?? null)] as const)
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
      };
    case 'stream': {
      const level = options.streamType ?? RdbType.STREAM_LISTPACKS_3;
      const meta = value.meta;
      return {
        ...base,
        value: {
          entries: value.entries.map((e) => [id(e.id), e.fields.map((f, i) => [text(f), text(e.values[i] as Element)])]),
          meta: meta && {
            length: meta.length.toString(),
            lastId: id(meta.lastId),
            ...(level >= RdbType.STREAM_LISTPACKS_2
              ? { firstId: meta.firstId && id(meta.firstId), maxDeletedId: meta.maxDeletedId && id(meta.maxDeletedId), entriesAdded: meta.entriesAdded?.toString() }
              : {}),
          },
          groups: value.groups.map((g) => ({
            name: latin1(g.name),
            lastId: id(g.lastId),
            ...(level >= RdbType.STREAM_LISTPACKS_2 ? { entriesRead: g.entriesRead?.toString() } : {}),
            pending: g.pending.map((p) => [id(p.id), p.deliveryTimeMs, p.deliveryCount, p.consumer && latin1(p.consumer)]),
            consumers: g.consumers.map((c) => ({
              name: latin1(c.name),
              seen: c.seenTimeMs,
              ...(level >= RdbType.STREAM_LISTPACKS_3 ? { active: c.activeTimeMs ?? c.seenTimeMs } : {}),
              pending: c.pending.map(id),
            })),
          })),
        },
      };
    }
    case 'module':
      return { ...base, value: { moduleId: value.moduleId.toString(), opcodes: value.opcodes } };
  }
}

/** Every key of a record stream as data, sorted by db and name. */
export function logicalKeys(records: Iterable<RdbRecord>, options: LogicalOptions = {}): unknown[] {
  return collectKeys([...records].filter((r) => r.kind !== 'raw'))
    .sort((a, b) => a.db - b.db || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((key) => logicalKey(key, options));
}
