/**
 * Test helpers that turn the RDB reader's record stream back into whole keys, so tests can compare what
 * was read with what another tool says a file holds, and compare several ways of reading the same file.
 *
 * Key names are decoded as **latin1**: one character per byte, so the mapping is lossless and two keys
 * that differ in any byte stay different. Use {@link utf8Text} to compare with UTF-8 text from elsewhere.
 * Hash fields are Map keys in the same form ({@link elementKey}: latin1 for bytes, decimal for integers).
 */
import type { RedisType } from '../../src/rdb/constants.js';
import type { Element, RdbRecord, StreamEntry, StreamGroup, StreamMeta } from '../../src/rdb/model.js';

/** The value of one key, assembled from all of its value chunks. */
export type CollectedValue =
  | { type: 'string'; value: Uint8Array }
  | { type: 'list'; elements: Element[] }
  | { type: 'set'; members: Element[] }
  | { type: 'zset'; entries: [member: Element, score: number][] }
  | {
      type: 'hash';
      /** Field (see {@link elementKey}) to value, in file order. */
      fields: Map<string, Element>;
      /** Field to absolute expiry in ms, only for fields that have one. */
      fieldExpires: Map<string, number>;
    }
  | {
      type: 'stream';
      /** Live entries over all nodes, in file order. */
      entries: StreamEntry[];
      /** Listpack nodes read (one stream-entries chunk each). */
      nodes: number;
      /** Entries flagged deleted inside the nodes (not in {@link entries}). */
      deleted: number;
      meta: StreamMeta | undefined;
      groups: StreamGroup[];
    }
  | { type: 'module'; moduleId: bigint; moduleName: string; encver: number; opcodes: number };

/** One key as a whole. */
export interface CollectedKey {
  db: number;
  /** The key name decoded as latin1 (lossless, one character per byte). */
  key: string;
  keyBytes: Uint8Array;
  type: RedisType;
  typeCode: number;
  encoding: string;
  expireMs: number | undefined;
  idle: number | undefined;
  freq: number | undefined;
  value: CollectedValue;
  /** The element count the key-end record reported. */
  elements: number;
}

const latin1Decoder = new TextDecoder('latin1');
const utf8Decoder = new TextDecoder('utf-8');

/** Bytes as latin1 text (lossless). */
export function latin1(bytes: Uint8Array): string {
  return latin1Decoder.decode(bytes);
}

/** Latin1 text back to bytes (each character must be below 256). */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** An element as a lossless string key: latin1 for bytes, decimal for integers. */
export function elementKey(element: Element): string {
  return element instanceof Uint8Array ? latin1(element) : element.toString();
}

/** An element as UTF-8 text (invalid sequences become U+FFFD, WHATWG style); integers in decimal. */
export function utf8Text(element: Element): string {
  return element instanceof Uint8Array ? utf8Decoder.decode(element) : element.toString();
}

/** The UTF-8 bytes of a text, as the latin1 key form {@link elementKey} uses. */
export function keyOfText(text: string): string {
  return latin1(new TextEncoder().encode(text));
}

function fail(message: string): never {
  throw new Error(`collectKeys: ${message}`);
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function emptyValue(type: RedisType, key: string): CollectedValue {
  switch (type) {
    case 'string':
      return { type: 'string', value: new Uint8Array(0) };
    case 'list':
      return { type: 'list', elements: [] };
    case 'set':
      return { type: 'set', members: [] };
    case 'zset':
      return { type: 'zset', entries: [] };
    case 'hash':
      return { type: 'hash', fields: new Map(), fieldExpires: new Map() };
    case 'stream':
      return { type: 'stream', entries: [], nodes: 0, deleted: 0, meta: undefined, groups: [] };
    case 'module':
      return { type: 'module', moduleId: 0n, moduleName: '', encver: 0, opcodes: 0 };
    default:
      return fail(`key '${key}' has unknown type ${String(type)}`);
  }
}

function elementCount(value: CollectedValue): number {
  switch (value.type) {
    case 'string':
    case 'module':
      return 1;
    case 'list':
      return value.elements.length;
    case 'set':
      return value.members.length;
    case 'zset':
      return value.entries.length;
    case 'hash':
      return value.fields.size;
    case 'stream':
      return value.entries.length;
  }
}

/**
 * Assembles whole keys from a record stream. Checks the stream's shape on the way: every key record is
 * followed by value chunks of its own type and one key-end for the same key whose element count matches
 * what was assembled; a hash field never appears twice. Throws a plain Error (not a RedbackError) when the
 * shape is wrong, so a test can tell a broken stream from a rejected file.
 */
export function collectKeys(records: Iterable<RdbRecord>): CollectedKey[] {
  const keys: CollectedKey[] = [];
  let open: CollectedKey | undefined;
  let stringChunks: Uint8Array[] = [];
  for (const record of records) {
    switch (record.kind) {
      case 'key': {
        if (open) fail(`key '${latin1(record.key)}' starts before key '${open.key}' ended`);
        const key = latin1(record.key);
        open = {
          db: record.db,
          key,
          keyBytes: record.key,
          type: record.type,
          typeCode: record.typeCode,
          encoding: record.encoding,
          expireMs: record.expireMs,
          idle: record.idle,
          freq: record.freq,
          value: emptyValue(record.type, key),
          elements: -1,
        };
        stringChunks = [];
        break;
      }
      case 'value': {
        if (!open) fail(`value chunk at offset ${record.offset} outside a key`);
        const value = open.value;
        const chunk = record.chunk;
        const mismatch = (): Error => new Error(`collectKeys: key '${open?.key}' of type ${value.type} got a ${chunk.type} chunk`);
        switch (chunk.type) {
          case 'string':
            // A long string arrives as several chunks: its bytes in order.
            if (value.type !== 'string') throw mismatch();
            stringChunks.push(chunk.value);
            value.value = stringChunks.length === 1 ? chunk.value : concatBytes(stringChunks);
            break;
          case 'list':
            if (value.type !== 'list') throw mismatch();
            value.elements.push(...chunk.elements);
            break;
          case 'set':
            if (value.type !== 'set') throw mismatch();
            value.members.push(...chunk.members);
            break;
          case 'zset':
            if (value.type !== 'zset') throw mismatch();
            for (const entry of chunk.entries) value.entries.push([entry.member, entry.score]);
            break;
          case 'hash':
            if (value.type !== 'hash') throw mismatch();
            for (const entry of chunk.entries) {
              const field = elementKey(entry.field);
              if (value.fields.has(field)) fail(`hash '${open.key}' repeats field '${field}'`);
              value.fields.set(field, entry.value);
              if (entry.expireMs !== undefined) value.fieldExpires.set(field, entry.expireMs);
            }
            break;
          case 'stream-entries':
            if (value.type !== 'stream') throw mismatch();
            value.entries.push(...chunk.entries);
            value.nodes += 1;
            value.deleted += chunk.deleted;
            break;
          case 'stream-meta':
            if (value.type !== 'stream') throw mismatch();
            if (value.meta) fail(`stream '${open.key}' has two meta chunks`);
            value.meta = chunk.meta;
            break;
          case 'stream-group':
            if (value.type !== 'stream') throw mismatch();
            value.groups.push(chunk.group);
            break;
          case 'module':
            if (value.type !== 'module') throw mismatch();
            open.value = { type: 'module', moduleId: chunk.moduleId, moduleName: chunk.moduleName, encver: chunk.encver, opcodes: chunk.opcodes };
            break;
        }
        break;
      }
      case 'key-end': {
        if (!open) fail(`key-end at offset ${record.offset} outside a key`);
        if (!sameBytes(record.key, open.keyBytes)) fail(`key-end for '${latin1(record.key)}' closes key '${open.key}'`);
        if (record.type !== open.type) fail(`key-end type ${record.type} for key '${open.key}' of type ${open.type}`);
        const count = elementCount(open.value);
        if (record.elements !== count) fail(`key '${open.key}': key-end says ${record.elements} elements, chunks held ${count}`);
        open.elements = record.elements;
        keys.push(open);
        open = undefined;
        break;
      }
      default:
        if (open) fail(`${record.kind} record at offset ${record.offset} inside key '${open.key}'`);
    }
  }
  if (open) fail(`key '${open.key}' never ended`);
  return keys;
}

/** Drains an async record stream into an array. */
export async function collectRecords<T>(records: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/**
 * A deep copy in which every Uint8Array is a fresh array of its own (not a view into a shared buffer),
 * so records from different readers compare by content only.
 */
export function detached<T>(value: T): T {
  return detach(value) as T;
}

function detach(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(detach);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [detach(k), detach(v)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = detach(v);
    return out;
  }
  return value;
}

/**
 * Merges runs of adjacent value chunks of one string or collection (list, set, zset, hash) into one chunk
 * spanning them all, so record lists that differ only in where a big value was cut into batches compare equal.
 * Chunks merge only when each starts exactly where the previous one ended.
 */
export function coalesceValueChunks(records: RdbRecord[]): RdbRecord[] {
  const out: RdbRecord[] = [];
  for (const record of records) {
    const last = out.at(-1);
    if (
      record.kind === 'value' &&
      last?.kind === 'value' &&
      last.chunk.type === record.chunk.type &&
      last.offset + last.length === record.offset
    ) {
      const a = last.chunk;
      const b = record.chunk;
      let merged: RdbRecord | undefined;
      const span = { kind: 'value' as const, offset: last.offset, length: last.length + record.length };
      if (a.type === 'string' && b.type === 'string') merged = { ...span, chunk: { type: 'string', value: concatBytes([a.value, b.value]) } };
      else if (a.type === 'list' && b.type === 'list') merged = { ...span, chunk: { type: 'list', elements: [...a.elements, ...b.elements] } };
      else if (a.type === 'set' && b.type === 'set') merged = { ...span, chunk: { type: 'set', members: [...a.members, ...b.members] } };
      else if (a.type === 'zset' && b.type === 'zset') merged = { ...span, chunk: { type: 'zset', entries: [...a.entries, ...b.entries] } };
      else if (a.type === 'hash' && b.type === 'hash') merged = { ...span, chunk: { type: 'hash', entries: [...a.entries, ...b.entries] } };
      if (merged) {
        out[out.length - 1] = merged;
        continue;
      }
    }
    out.push(record);
  }
  return out;
}

/**
 * Exact structural equality for records, keys and what they hold, much faster than vitest's toEqual on
 * large inputs: byte strings by content (whatever buffer they view), numbers with Object.is (so NaN equals
 * NaN and -0 differs from 0), bigints by value, Maps by entries in order, plain objects by own keys with
 * properties whose value is undefined treated as absent (as toEqual does).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'number' || !Object.is(a, -0) === !Object.is(b, -0);
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    return sameValue([...a], [...b]);
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const xKeys = Object.keys(x).filter((k) => x[k] !== undefined);
  const yKeys = Object.keys(y).filter((k) => y[k] !== undefined);
  if (xKeys.length !== yKeys.length) return false;
  for (const k of xKeys) if (!Object.hasOwn(y, k) || !sameValue(x[k], y[k])) return false;
  return true;
}

/** Keys grouped by database number, each as a Map from latin1 key name to the key. */
export function keysByDb(keys: CollectedKey[]): Map<number, Map<string, CollectedKey>> {
  const out = new Map<number, Map<string, CollectedKey>>();
  for (const key of keys) {
    let db = out.get(key.db);
    if (!db) out.set(key.db, (db = new Map()));
    db.set(key.key, key);
  }
  return out;
}
