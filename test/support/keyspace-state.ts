/**
 * The reply-visible state of a dataset, read the same way from a real redis-server and from a replayed
 * keyspace model, so the two can be compared key by key:
 * - every key of every database with its TYPE, absolute expiry (PEXPIRETIME) and value (GET, LRANGE, sorted
 *   SMEMBERS, ZRANGE WITHSCORES, sorted HGETALL, XRANGE plus XINFO STREAM FULL: metadata, groups, PELs,
 *   consumers);
 * - the function libraries (FUNCTION LIST WITHCODE).
 * Byte strings are binary strings (one char per byte), scores are numbers ("-0" kept apart from "0").
 * `compareStates` lists the differences; time fields that depend on when a command ran (relative TTLs,
 * delivery and seen times set to "now") can be compared with a tolerance.
 */
// cspell:words pexpiretime smembers hgetall xrange xinfo withcode keyspace
import { ascii } from '../../src/keyspace/bytes.js';
import type { Keyspace, Value } from '../../src/keyspace/model.js';
import { typeOf } from '../../src/keyspace/model.js';
import { HashValue } from '../../src/keyspace/types/hash.js';
import { ListValue } from '../../src/keyspace/types/list.js';
import { SetValue } from '../../src/keyspace/types/set.js';
import { StreamValue, idText, sortedPel } from '../../src/keyspace/types/stream.js';
import { ZsetValue } from '../../src/keyspace/types/zset.js';
import type { RedisArg, RespValue } from './redis.js';

/** Something that answers Redis commands (a RedisHandle). */
export interface CommandTarget {
  call(...args: RedisArg[]): Promise<RespValue>;
  callMany(commands: readonly (readonly RedisArg[])[]): Promise<RespValue[]>;
}

export interface StreamGroupState {
  name: string;
  lastId: string;
  entriesRead: string | null;
  pel: { id: string; consumer: string; deliveryTime: number; deliveryCount: string }[];
  consumers: { name: string; seenTime: number; pel: { id: string; deliveryTime: number; deliveryCount: string }[] }[];
}

export interface StreamState {
  entries: [id: string, pairs: string[]][];
  length: number;
  lastId: string;
  maxDeletedId: string;
  entriesAdded: string;
  firstId: string;
  groups: StreamGroupState[];
}

export interface KeyState {
  type: string;
  /** Absolute expiry in ms, or -1. */
  expire: number;
  value: string | string[] | [string, string][] | StreamState;
}

export interface DatasetState {
  dbs: Record<number, Record<string, KeyState>>;
  functions: Record<string, string>;
}

const latin1 = (b: Buffer | Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

function text(v: RespValue): string {
  if (v === null) return '';
  if (Buffer.isBuffer(v)) return latin1(v);
  return String(v);
}

function sortedStrings(values: string[]): string[] {
  return values.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A score as a comparable string: "-0" apart from "0", Infinity as "inf". */
export function scoreText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

function serverScore(v: RespValue): string {
  const t = text(v);
  if (t === 'inf' || t === '+inf') return 'inf';
  if (t === '-inf') return '-inf';
  return scoreText(Number(t));
}

function pairs(flat: RespValue[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([text(flat[i] as RespValue), text(flat[i + 1] as RespValue)]);
  return out;
}

function mapOf(flat: RespValue[]): Map<string, RespValue> {
  const m = new Map<string, RespValue>();
  for (let i = 0; i < flat.length; i += 2) m.set(text(flat[i] as RespValue), flat[i + 1] as RespValue);
  return m;
}

async function serverStream(server: CommandTarget, key: Buffer): Promise<StreamState> {
  const range = (await server.call('XRANGE', key, '-', '+')) as RespValue[];
  const info = mapOf((await server.call('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0')) as RespValue[]);
  const groups: StreamGroupState[] = [];
  for (const g of (info.get('groups') as RespValue[] | null) ?? []) {
    const gm = mapOf(g as RespValue[]);
    const er = gm.get('entries-read');
    groups.push({
      name: text(gm.get('name') as RespValue),
      lastId: text(gm.get('last-delivered-id') as RespValue),
      entriesRead: er === null || er === undefined ? null : String(er),
      pel: ((gm.get('pending') as RespValue[]) ?? []).map((p) => {
        const a = p as RespValue[];
        return { id: text(a[0] as RespValue), consumer: text(a[1] as RespValue), deliveryTime: Number(a[2]), deliveryCount: String(a[3]) };
      }),
      consumers: ((gm.get('consumers') as RespValue[]) ?? []).map((c) => {
        const cm = mapOf(c as RespValue[]);
        return {
          name: text(cm.get('name') as RespValue),
          seenTime: Number(cm.get('seen-time')),
          pel: ((cm.get('pending') as RespValue[]) ?? []).map((p) => {
            const a = p as RespValue[];
            return { id: text(a[0] as RespValue), deliveryTime: Number(a[1]), deliveryCount: String(a[2]) };
          }),
        };
      }),
    });
  }
  return {
    entries: range.map((e) => {
      const a = e as RespValue[];
      return [text(a[0] as RespValue), ((a[1] as RespValue[]) ?? []).map(text)];
    }),
    length: Number(info.get('length')),
    lastId: text(info.get('last-generated-id') as RespValue),
    maxDeletedId: text(info.get('max-deleted-entry-id') as RespValue),
    entriesAdded: String(info.get('entries-added')),
    firstId: text(info.get('recorded-first-entry-id') as RespValue),
    groups,
  };
}

/** Reads every database (0 … `databases`-1) and the functions of a running server. */
export async function serverState(server: CommandTarget, databases = 16): Promise<DatasetState> {
  const state: DatasetState = { dbs: {}, functions: {} };
  for (let db = 0; db < databases; db++) {
    await server.call('SELECT', String(db));
    const keys: Buffer[] = [];
    let cursor = '0';
    do {
      const [next, batch] = (await server.call('SCAN', cursor, 'COUNT', '1000')) as [Buffer, Buffer[]];
      cursor = text(next);
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) continue;
    const dbState: Record<string, KeyState> = {};
    const meta = await server.callMany(keys.flatMap((k) => [['TYPE', k], ['PEXPIRETIME', k]]));
    const reads: RedisArg[][] = [];
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as Buffer;
      switch (String(meta[i * 2])) {
        case 'string':
          reads.push(['GET', k]);
          break;
        case 'list':
          reads.push(['LRANGE', k, '0', '-1']);
          break;
        case 'set':
          reads.push(['SMEMBERS', k]);
          break;
        case 'zset':
          reads.push(['ZRANGE', k, '0', '-1', 'WITHSCORES']);
          break;
        case 'hash':
          reads.push(['HGETALL', k]);
          break;
        default:
          reads.push(['PING']);
      }
    }
    const values: RespValue[] = [];
    for (let i = 0; i < reads.length; i += 1000) values.push(...(await server.callMany(reads.slice(i, i + 1000))));
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as Buffer;
      const type = String(meta[i * 2]);
      const expire = Number(meta[i * 2 + 1]);
      const reply = values[i] as RespValue;
      let value: KeyState['value'];
      switch (type) {
        case 'string':
          value = text(reply);
          break;
        case 'list':
          value = (reply as RespValue[]).map(text);
          break;
        case 'set':
          value = sortedStrings((reply as RespValue[]).map(text));
          break;
        case 'zset': {
          const flat = reply as RespValue[];
          const out: [string, string][] = [];
          for (let j = 0; j < flat.length; j += 2) out.push([text(flat[j] as RespValue), serverScore(flat[j + 1] as RespValue)]);
          value = out;
          break;
        }
        case 'hash':
          value = pairs(reply as RespValue[]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
          break;
        case 'stream':
          value = await serverStream(server, k);
          break;
        default:
          value = `<${type}>`;
      }
      dbState[latin1(k)] = { type, expire, value };
    }
    state.dbs[db] = dbState;
  }
  await server.call('SELECT', '0');
  const libs = (await server.call('FUNCTION', 'LIST', 'WITHCODE')) as RespValue[];
  for (const lib of libs) {
    const m = mapOf(lib as RespValue[]);
    state.functions[text(m.get('library_name') as RespValue)] = text(m.get('library_code') as RespValue);
  }
  return state;
}

function modelValue(value: Value): KeyState['value'] {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return latin1(value);
  if (value instanceof ListValue) return [...value.elements()];
  if (value instanceof SetValue) return sortedStrings([...value.members()]);
  if (value instanceof ZsetValue) return [...value.entries()].map(([m, s]) => [m, scoreText(s)] as [string, string]);
  if (value instanceof HashValue) return [...value.entries()].map(([f, v]) => [f, v] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (value instanceof StreamValue) {
    return {
      entries: [...value.entries()].map((e) => [idText(e.id), e.pairs]),
      length: value.length,
      lastId: idText(value.lastId),
      maxDeletedId: idText(value.maxDeletedId),
      entriesAdded: String(value.entriesAdded),
      firstId: idText(value.firstId),
      groups: value.sortedGroups().map((g) => ({
        name: g.name,
        lastId: idText(g.lastId),
        entriesRead: g.entriesRead < 0n ? null : String(g.entriesRead),
        pel: sortedPel(g).map(([id, n]) => ({ id: idText(id), consumer: n.consumer ?? '', deliveryTime: n.deliveryTime, deliveryCount: String(n.deliveryCount) })),
        consumers: [...g.consumers.values()]
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .map((c) => ({
            name: c.name,
            seenTime: c.seenTime,
            pel: [...c.pel].sort().map((id) => {
              const n = g.pel.get(id);
              return { id: idText(id), deliveryTime: n?.deliveryTime ?? -1, deliveryCount: String(n?.deliveryCount ?? -1) };
            }),
          })),
      })),
    };
  }
  // A module value (a server shows it only through DUMP): its module and serialised bytes.
  return `<module ${value.moduleName}/${value.encver} ${value.raw ? Buffer.from(value.raw).toString('hex') : ''}>`;
}

/** The same view of a keyspace model (after dropping keys expired at `now`, as a server's SCAN would hide them). */
export function modelState(keyspace: Keyspace, now = Date.now()): DatasetState {
  keyspace.dropExpired(now);
  const state: DatasetState = { dbs: {}, functions: {} };
  for (const db of keyspace.databases()) {
    const dbState: Record<string, KeyState> = {};
    for (const [k, v, when] of db.entries()) dbState[k] = { type: typeOf(v), expire: when ?? -1, value: modelValue(v) };
    state.dbs[db.index] = dbState;
  }
  for (const lib of keyspace.functions.values()) state.functions[lib.name] = ascii(lib.code);
  return state;
}

export interface CompareOptions {
  /** Allowed difference for time fields (expiry, delivery, seen times), in ms; default 0 (exact). */
  timeToleranceMs?: number;
  /** Do not compare consumers' seen times (they are the time of loading on a server that loaded an AOF). */
  ignoreSeenTime?: boolean;
  /** Do not compare groups' entries-read (Redis's AOF replay does not restore it; see reference notes). */
  ignoreEntriesRead?: boolean;
  /**
   * Take a -0 score as 0: Redis itself loses the sign when a sorted set is rebuilt as a listpack (AOF rewrite
   * batches, RDB load of a small skiplist), so a server and a load of its AOF can differ there.
   */
  ignoreZeroSign?: boolean;
}

const TIME_FIELDS = new Set(['expire', 'deliveryTime', 'seenTime']);

/** Every difference between two states, as "path: expected … got …" lines (empty when equal). */
export function compareStates(expected: DatasetState, actual: DatasetState, options: CompareOptions = {}): string[] {
  const out: string[] = [];
  const tolerance = options.timeToleranceMs ?? 0;
  const show = (v: unknown): string => {
    const s = JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  };
  const walk = (path: string, a: unknown, b: unknown, field: string): void => {
    if (out.length > 50) return;
    if (field === 'seenTime' && options.ignoreSeenTime) return;
    if (field === 'entriesRead' && options.ignoreEntriesRead) return;
    if (typeof a === 'number' && typeof b === 'number' && TIME_FIELDS.has(field)) {
      if (a === b || (a !== -1 && b !== -1 && Math.abs(a - b) <= tolerance)) return;
      out.push(`${path}: expected ${a}, got ${b}`);
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        out.push(`${path}: expected ${a.length} items ${show(a)}, got ${b.length} ${show(b)}`);
        return;
      }
      for (let i = 0; i < a.length; i++) walk(`${path}[${i}]`, a[i], b[i], field);
      return;
    }
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys) {
        const av = (a as Record<string, unknown>)[k];
        const bv = (b as Record<string, unknown>)[k];
        if (av === undefined) out.push(`${path}.${show(k)}: unexpected ${show(bv)}`);
        else if (bv === undefined) out.push(`${path}.${show(k)}: missing (expected ${show(av)})`);
        else walk(`${path}.${show(k)}`, av, bv, k);
      }
      return;
    }
    if (options.ignoreZeroSign && (a === '-0' || a === '0') && (b === '-0' || b === '0')) return;
    if (a !== b) out.push(`${path}: expected ${show(a)}, got ${show(b)}`);
  };
  walk('state', expected, actual, '');
  return out;
}
