/**
 * Every third-party RDB under ../shared/fixtures/peer/ (see PROVENANCE.md there) is read to its EOF
 * record, except the four that are broken on purpose, which must be rejected with our own error classes.
 * Where the source repository says what a file holds (HDT3213/rdb's JSON and AOF twins, the assertions of
 * redis-rdb-tools, redis-replicator and Redis' own Tcl tests, redis-rdb-cli's expected outputs), we check
 * that we read exactly that.
 *
 * The files are read in place and never copied into this repository.
 */
// cspell:words HPEXPIREAT HPERSIST HMSET RDBs rdbtools ReJSON hellotype zimap replicator listpackex hashex quicklist2 zset2 aembke
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChunkedInput, bufferSource } from '../../src/bytes/input.js';
import { CorruptError, RedbackError, UnsupportedError } from '../../src/errors.js';
import type { Element, KeyRecord, RdbRecord, StreamGroup, StreamId } from '../../src/rdb/model.js';
import { readRdb, readRdbAll } from '../../src/rdb/reader.js';
import { collectKeys, collectRecords, elementKey, keyOfText, keysByDb, latin1, utf8Text } from '../support/rdb-collect.js';
import type { CollectedKey, CollectedValue } from '../support/rdb-collect.js';
import { PEER_DIR } from '../support/paths.js';
import { inRepoRdbs } from '../support/generated-rdbs.js';
import { describePeer } from '../support/prerequisites.js';

const PEER = PEER_DIR;
const havePeer = existsSync(join(PEER, 'PROVENANCE.md'));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function startsWith(data: Uint8Array, text: string): boolean {
  if (data.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (data[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Peer files whose first bytes are an RDB magic, as paths relative to PEER. */
function discoverRdbFiles(): string[] {
  if (!havePeer) return [];
  return walk(PEER)
    .filter((path) => {
      const head = readFileSync(path).subarray(0, 9);
      return startsWith(head, 'REDIS') || startsWith(head, 'VALKEY');
    })
    .map((path) => relative(PEER, path))
    .sort();
}

const rdbFiles = discoverRdbFiles();
const cache = new Map<string, Uint8Array>();

function load(name: string): Uint8Array {
  let data = cache.get(name);
  if (!data) {
    data = new Uint8Array(readFileSync(join(PEER, name)));
    cache.set(name, data);
  }
  return data;
}

const readCache = new Map<string, { records: RdbRecord[]; keys: CollectedKey[] }>();

/** Records and keys of a peer file (cached: tests only read them). */
function read(name: string): { records: RdbRecord[]; keys: CollectedKey[] } {
  let result = readCache.get(name);
  if (!result) {
    const records = readRdbAll(load(name), { file: name });
    result = { records, keys: collectKeys(records) };
    readCache.set(name, result);
  }
  return result;
}

function keyNamed(keys: CollectedKey[], name: string, db = 0): CollectedKey {
  const found = keys.find((k) => k.key === keyOfText(name) && k.db === db);
  if (!found) throw new Error(`no key '${name}' in db ${db}; have ${keys.length} keys: ${keys.slice(0, 10).map((k) => `${k.db}:${k.key}`).join(', ')}…`);
  return found;
}

function text(bytes: Uint8Array): string {
  return utf8Text(bytes);
}

function stringOf(key: CollectedKey): string {
  if (key.value.type !== 'string') throw new Error(`key '${key.key}' is a ${key.value.type}, not a string`);
  return text(key.value.value);
}

function listOf(key: CollectedKey): string[] {
  if (key.value.type !== 'list') throw new Error(`key '${key.key}' is a ${key.value.type}, not a list`);
  return key.value.elements.map(utf8Text);
}

function setOf(key: CollectedKey): string[] {
  if (key.value.type !== 'set') throw new Error(`key '${key.key}' is a ${key.value.type}, not a set`);
  return key.value.members.map(utf8Text).sort();
}

function zsetOf(key: CollectedKey): [string, number][] {
  if (key.value.type !== 'zset') throw new Error(`key '${key.key}' is a ${key.value.type}, not a zset`);
  return key.value.entries.map(([member, score]) => [utf8Text(member), score]);
}

function hashOf(key: CollectedKey): Record<string, string> {
  if (key.value.type !== 'hash') throw new Error(`key '${key.key}' is a ${key.value.type}, not a hash`);
  const out: Record<string, string> = {};
  for (const [field, value] of key.value.fields) out[text(bytesOfKey(field))] = utf8Text(value);
  return out;
}

function hashExpiresOf(key: CollectedKey): Record<string, number> {
  if (key.value.type !== 'hash') throw new Error(`key '${key.key}' is a ${key.value.type}, not a hash`);
  const out: Record<string, number> = {};
  for (const [field, ms] of key.value.fieldExpires) out[text(bytesOfKey(field))] = ms;
  return out;
}

function bytesOfKey(latin1Key: string): Uint8Array {
  return Uint8Array.from(latin1Key, (c) => c.charCodeAt(0));
}

function streamOf(key: CollectedKey): Extract<CollectedValue, { type: 'stream' }> {
  if (key.value.type !== 'stream') throw new Error(`key '${key.key}' is a ${key.value.type}, not a stream`);
  return key.value;
}

function idText(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/**
 * Bytes as Go's encoding/json shows a []byte-converted string: valid UTF-8 kept, every byte of an invalid
 * sequence replaced by its own U+FFFD (utf8.DecodeRune's width-1 error), unlike WHATWG's maximal subparts.
 */
function goText(element: Element): string {
  if (!(element instanceof Uint8Array)) return element.toString();
  const bytes = element;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    let length: number;
    let cp: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [length, cp, min] = [2, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [length, cp, min] = [3, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [length, cp, min] = [4, b & 0x07, 0x10000];
    else {
      out += '\ufffd';
      i++;
      continue;
    }
    let ok = i + length <= bytes.length;
    for (let j = 1; ok && j < length; j++) {
      const c = bytes[i + j] as number;
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      out += '\ufffd';
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += length;
  }
  return out;
}

/** Parses a RESP2 command stream (arrays of bulk strings) into commands of latin1 strings. */
function parseRespCommands(data: Uint8Array): string[][] {
  const source = latin1(data);
  const commands: string[][] = [];
  let pos = 0;
  const line = (): string => {
    const end = source.indexOf('\r\n', pos);
    if (end < 0) throw new Error(`RESP line without CRLF at ${pos}`);
    const out = source.slice(pos, end);
    pos = end + 2;
    return out;
  };
  while (pos < source.length) {
    const head = line();
    if (!head.startsWith('*')) throw new Error(`RESP array expected at ${pos}: '${head}'`);
    const count = Number(head.slice(1));
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const bulk = line();
      if (!bulk.startsWith('$')) throw new Error(`RESP bulk expected: '${bulk}'`);
      const length = Number(bulk.slice(1));
      args.push(source.slice(pos, pos + length));
      pos += length + 2;
    }
    commands.push(args);
  }
  return commands;
}

/** The hash a series of HMSET / HPEXPIREAT / HPERSIST commands builds, fields and values as latin1. */
function hashFromAof(commands: string[][], key: string): { fields: Map<string, string>; expires: Map<string, number> } {
  const fields = new Map<string, string>();
  const expires = new Map<string, number>();
  for (const [name, target, ...args] of commands) {
    if (target !== key) continue;
    switch (name?.toUpperCase()) {
      case 'HMSET':
      case 'HSET':
        for (let i = 0; i + 1 < args.length; i += 2) fields.set(args[i] as string, args[i + 1] as string);
        break;
      case 'HPEXPIREAT': {
        const [ms, fieldsWord, count, ...names] = args;
        expect(fieldsWord?.toUpperCase()).toBe('FIELDS');
        expect(names.length).toBe(Number(count));
        for (const field of names) expires.set(field, Number(ms));
        break;
      }
      case 'HPERSIST': {
        const [, , ...names] = args;
        for (const field of names) expires.delete(field);
        break;
      }
      default:
        throw new Error(`unexpected AOF command ${name}`);
    }
  }
  return { fields, expires };
}


// ---------------------------------------------------------------------------------------------------
// Every file reads to EOF, or fails on purpose

/** Files that are broken on purpose, with the error class and message we must give. */
const CORRUPT_ON_PURPOSE: Record<string, { error: typeof CorruptError; message: RegExp }> = {
  // A ziplist whose header is cut short; Redis exits with an integrity error on load.
  'redis__redis/tests/assets/corrupt_ziplist.rdb': { error: CorruptError, message: /ziplist/ },
  // Nine empty keys; Redis skips them, redis-check-rdb (deep sanitisation) rejects them.
  'redis__redis/tests/assets/corrupt_empty_keys.rdb': { error: CorruptError, message: /^empty set \(set-hashtable\)$/ },
  // Hand-edited zipmap length byte (255); redis-check-rdb rejects it too.
  'HDT3213__rdb/cases/zipmap_big_len.rdb': { error: CorruptError, message: /zipmap/ },
  // Pre-GA module type 6: not even Redis can load it without the module.
  'leonchen83__redis-replicator/src/test/resources/module.rdb': { error: UnsupportedError, message: /module.*type 6/ },
};

/** Files with bytes after the RDB's checksum that are not part of the RDB. */
const TRAILING_DATA: Record<string, number> = {
  // An old-style AOF: RDB preamble, then RESP commands.
  'redis__redis/tests/assets/rdb-preamble.aof': 52,
  // 40 hex digits (a SHA-1) appended after the checksum.
  'sripathikrishnan__redis-rdb-tools/tests/dumps/redis_40_with_module.rdb': 40,
};

/**
 * A file read to its end: one header and one EOF record (with a valid or disabled checksum from version 5
 * on), `trailing` bytes after it, records that follow each other without overlap, keys that are whole.
 */
function expectReadToTheEnd(data: Uint8Array, records: RdbRecord[], keys: CollectedKey[], trailing: number): void {
  const header = records[0];
  const eof = records.at(-1);
  expect(header?.kind).toBe('header');
  expect(eof?.kind).toBe('eof');
  if (header?.kind !== 'header' || eof?.kind !== 'eof') throw new Error('no header or no EOF record');
  expect(records.filter((r) => r.kind === 'header' || r.kind === 'eof')).toHaveLength(2);
  expect(data[eof.offset]).toBe(0xff);
  const end = eof.offset + eof.length;
  expect(data.length - end).toBe(trailing);
  if (header.version >= 5) expect(['ok', 'disabled']).toContain(eof.checksum);
  else expect(eof.checksum).toBe('absent');
  // Records follow each other without overlap. The only bytes no record covers sit between a key record
  // and its first value chunk: element counts, a module id, a hash's minimum field expiry.
  // (Checked by hand and reported once: dumpV8.rdb has 270,000 records.)
  let at = 0;
  let previous: RdbRecord['kind'] = 'header';
  const problems: string[] = [];
  for (const record of records) {
    if (record.kind === 'eof') break;
    const gap = record.offset - at;
    const allowed = record.kind === 'key' ? gap >= 0 : record.kind === 'value' && previous === 'key' ? gap >= 0 && gap <= 8 + 9 + 9 : gap === 0;
    if (!allowed && problems.length < 5) problems.push(`${record.kind} record after ${previous} at ${record.offset}, expected ${at}`);
    at = record.offset + record.length;
    previous = record.kind;
  }
  expect(problems).toEqual([]);
  // Assembling whole keys checks the chunk sequence and the key-end element counts.
  expect(keys.filter((key) => key.elements < (key.type === 'stream' ? 0 : 1)).map((key) => key.key)).toEqual([]);
}

describe('in-repo RDB files: read to the end', () => {
  const files = inRepoRdbs();
  it('has the fixtures and the generated files', () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
  });
  it.each(files.map((f) => [f.name, f.data] as const))('%s', (name, data) => {
    const records = readRdbAll(data, { file: name });
    expectReadToTheEnd(data, records, collectKeys(records), 0);
  });
});

describePeer('peer RDB files: read to the end', () => {
  it('finds the files PROVENANCE.md describes', () => {
    expect(rdbFiles.length).toBeGreaterThanOrEqual(130);
    for (const name of Object.keys(CORRUPT_ON_PURPOSE)) expect(rdbFiles).toContain(name);
    expect(rdbFiles.some((name) => startsWith(load(name), 'VALKEY'))).toBe(true);
  });

  const readable = rdbFiles.filter((name) => !(name in CORRUPT_ON_PURPOSE));

  it.each(readable)('%s', (name) => {
    const { records, keys } = read(name);
    expectReadToTheEnd(load(name), records, keys, TRAILING_DATA[name] ?? 0);
  });

  it.each(Object.entries(CORRUPT_ON_PURPOSE))('rejects %s', async (name, expected) => {
    const data = load(name);
    let thrown: unknown;
    try {
      readRdbAll(data, { file: name });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(expected.error);
    const error = thrown as RedbackError;
    expect(error.file).toBe(name);
    expect(error.offset).toBeGreaterThan(9);
    expect(error.offset).toBeLessThan(data.length);
    expect(error.detail).toMatch(expected.message);
    expect(error.message.startsWith(`${name}: offset ${error.offset}: `)).toBe(true);
    expect(error.message).toMatch(/while reading .*key '/);
    // The streaming reader gives the same error at the same place.
    let streamed: unknown;
    try {
      await collectRecords(readRdb(new ChunkedInput(bufferSource(data, name), 64)));
    } catch (caught) {
      streamed = caught;
    }
    expect(streamed).toBeInstanceOf(expected.error);
    expect((streamed as RedbackError).detail).toBe(error.detail);
    expect((streamed as RedbackError).offset).toBe(error.offset);
  });

  it('corrupt_empty_keys.rdb: without deep checks it holds the 9 empty keys Redis skips on load', () => {
    const name = 'redis__redis/tests/assets/corrupt_empty_keys.rdb';
    const keys = collectKeys(readRdbAll(load(name), { file: name, deep: false }));
    expect(keys).toHaveLength(9);
    for (const key of keys) expect(key.elements).toBe(0);
    expect(keys.map((k) => k.key).sort()).toEqual(
      ['hash', 'hash_ziplist', 'list_quicklist', 'list_quicklist_empty_ziplist', 'list_ziplist', 'set', 'zset', 'zset_listpack', 'zset_ziplist'],
    );
  });

  it('zipmap_big_len.rdb differs from zipmap_that_doesnt_compress.rdb only in the zipmap count byte', () => {
    const bad = load('HDT3213__rdb/cases/zipmap_big_len.rdb');
    const good = load('HDT3213__rdb/cases/zipmap_that_doesnt_compress.rdb');
    expect(bad.length).toBe(good.length);
    const differing = [...bad.keys()].filter((i) => bad[i] !== good[i]);
    expect(differing).toEqual([35]);
    expect(bad[35]).toBe(255);
  });
});

// ---------------------------------------------------------------------------------------------------
// HDT3213/rdb: X.json beside X.rdb

interface HdtStreamMessage {
  id: string;
  fields: Record<string, string>;
  deleted: boolean;
}

interface HdtObject {
  db: number;
  key: string;
  type: string;
  encoding: string;
  expiration?: string;
  value?: string;
  values?: string[];
  members?: string[];
  entries?: unknown[];
  hash?: Record<string, string>;
  expire?: Record<string, number>;
  functionsLua?: string;
  version?: number;
  isV2?: boolean;
  len?: number;
  lastId?: string;
  firstId?: string;
  maxDeletedId?: string;
  addedEntriesCount?: number;
  groups?: {
    name: string;
    lastId: string;
    entriesRead?: number;
    pending?: { id: string; deliveryTime: number; deliveryCount: number }[];
    consumers?: { name: string; seenTime: number; activeTime?: number; pending?: string[] }[];
  }[];
}

/** HDT3213/rdb's encoding names, by type, mapped to redis-check-rdb's (ours). */
const HDT_ENCODINGS: Record<string, string[]> = {
  'string:string': ['string'],
  'list:list': ['list-linked'],
  'list:ziplist': ['list-ziplist'],
  'list:quicklist': ['quicklist'],
  'list:quicklist2': ['quicklist-v2'],
  'set:set': ['set-hashtable'],
  'set:intset': ['set-intset'],
  'set:listpack': ['set-listpack'],
  'zset:zset': ['zset-v1'],
  'zset:zset2': ['zset-v2'],
  'zset:ziplist': ['zset-ziplist'],
  'zset:listpack': ['zset-listpack'],
  'hash:hash': ['hash-hashtable'],
  'hash:zipmap': ['hash-zipmap'],
  'hash:ziplist': ['hash-ziplist'],
  'hash:listpack': ['hash-listpack'],
  'hash:listpackex': ['hash-listpack-md'],
  'hash:hashex': ['hash-hashtable-md', 'hash-2'],
  'stream:listpack': ['stream', 'stream-v2', 'stream-v3'],
};

/** HDT's stream `version` field to our stream type byte. */
const HDT_STREAM_VERSIONS: Record<number, number> = { 1: 15, 2: 19, 3: 21 };

function hdtCases(): string[] {
  if (!havePeer) return [];
  const dir = join(PEER, 'HDT3213__rdb/cases');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && existsSync(join(dir, name.replace(/\.json$/, '.rdb'))))
    .map((name) => name.replace(/\.json$/, ''))
    .filter((name) => `HDT3213__rdb/cases/${name}.rdb` in CORRUPT_ON_PURPOSE === false)
    .sort();
}

function readHdtJson(name: string): HdtObject[] {
  const source = readFileSync(join(PEER, 'HDT3213__rdb/cases', `${name}.json`), 'utf8').trim();
  if (source.startsWith('[')) return JSON.parse(source) as HdtObject[];
  return source
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as HdtObject);
}

function compareHdtStream(ours: CollectedKey, expected: HdtObject): void {
  const stream = streamOf(ours);
  const nodes = (expected.entries ?? []) as { firstMsgId: string; msgs: HdtStreamMessage[] }[];
  expect(stream.nodes).toBe(nodes.length);
  const messages = nodes.flatMap((node) => node.msgs);
  expect(stream.deleted).toBe(messages.filter((m) => m.deleted).length);
  const live = messages.filter((m) => !m.deleted);
  expect(stream.entries.map((e) => idText(e.id))).toEqual(live.map((m) => m.id));
  expect(stream.entries.every((entry) => entry.fields.length === entry.values.length)).toBe(true);
  const ourFields = stream.entries.map((entry) => Object.fromEntries(entry.fields.map((field, j) => [goText(field), goText(entry.values[j] as Element)])));
  expect(ourFields).toEqual(live.map((m) => m.fields));
  const meta = stream.meta;
  expect(meta).toBeDefined();
  if (!meta) return;
  expect(meta.length).toBe(BigInt(expected.len ?? -1));
  expect(idText(meta.lastId)).toBe(expected.lastId);
  if (expected.firstId !== undefined) expect(meta.firstId && idText(meta.firstId)).toBe(expected.firstId);
  if (expected.maxDeletedId !== undefined) expect(meta.maxDeletedId && idText(meta.maxDeletedId)).toBe(expected.maxDeletedId);
  if (expected.addedEntriesCount !== undefined) expect(meta.entriesAdded).toBe(BigInt(expected.addedEntriesCount));
  if (expected.version !== undefined) expect(ours.typeCode).toBe(HDT_STREAM_VERSIONS[expected.version]);
  if (expected.isV2) expect(ours.typeCode).toBe(19);
  const groups = expected.groups ?? [];
  expect(meta.groupCount).toBe(groups.length);
  expect(stream.groups.map(comparableGroup)).toEqual(
    groups.map((g, i) => ({
      name: g.name,
      lastId: g.lastId,
      entriesRead: g.entriesRead,
      pending: (g.pending ?? []).map((p) => ({ id: p.id, deliveryTime: p.deliveryTime, deliveryCount: p.deliveryCount })),
      consumers: (g.consumers ?? []).map((c, j) => ({
        name: c.name,
        seenTime: c.seenTime,
        // HDT fills activeTime with seenTime for streams older than type 21; we report it only when stored.
        activeTime: stream.groups[i]?.consumers[j]?.activeTimeMs === undefined ? undefined : c.activeTime,
        pending: c.pending ?? [],
      })),
    })),
  );
}

function comparableGroup(group: StreamGroup): unknown {
  return {
    name: goText(group.name),
    lastId: idText(group.lastId),
    entriesRead: group.entriesRead === undefined ? undefined : Number(group.entriesRead),
    pending: group.pending.map((p) => ({ id: idText(p.id), deliveryTime: p.deliveryTimeMs, deliveryCount: p.deliveryCount })),
    consumers: group.consumers.map((c) => ({
      name: goText(c.name),
      seenTime: c.seenTimeMs,
      activeTime: c.activeTimeMs,
      pending: c.pending.map(idText),
    })),
  };
}

function compareHdtKey(ours: CollectedKey, expected: HdtObject): void {
  expect(ours.db).toBe(expected.db);
  expect(goText(ours.keyBytes)).toBe(expected.key);
  expect(ours.type).toBe(expected.type);
  if (expected.encoding !== '') {
    const allowed = HDT_ENCODINGS[`${expected.type}:${expected.encoding}`];
    expect(allowed, `HDT encoding ${expected.type}:${expected.encoding}`).toBeDefined();
    expect(allowed).toContain(ours.encoding);
  }
  if (expected.expiration === undefined) expect(ours.expireMs).toBeUndefined();
  else expect(ours.expireMs).toBe(Date.parse(expected.expiration));
  const value = ours.value;
  switch (value.type) {
    case 'string':
      expect(goText(value.value)).toBe(expected.value);
      break;
    case 'list':
      expect(value.elements.map(goText)).toEqual(expected.values);
      break;
    case 'set':
      expect(value.members.map(goText).sort()).toEqual([...(expected.members ?? [])].sort());
      break;
    case 'zset':
      expect(value.entries.map(([member, score]) => ({ member: goText(member), score }))).toEqual(expected.entries);
      break;
    case 'hash': {
      const fields: Record<string, string> = {};
      for (const [field, v] of value.fields) fields[goText(bytesOfKey(field))] = goText(v);
      expect(fields).toEqual(expected.hash);
      expect(value.fields.size).toBe(Object.keys(expected.hash ?? {}).length);
      if (expected.expire) {
        const expires: Record<string, number> = {};
        for (const field of value.fields.keys()) expires[goText(bytesOfKey(field))] = value.fieldExpires.get(field) ?? 0;
        expect(expires).toEqual(expected.expire);
      } else {
        expect(value.fieldExpires.size).toBe(0);
      }
      break;
    }
    case 'stream':
      compareHdtStream(ours, expected);
      break;
    case 'module':
      throw new Error('HDT3213/rdb has no module cases');
  }
}

describePeer('HDT3213/rdb cases: the .json beside each .rdb', () => {
  const cases = hdtCases();

  it('has the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
  });

  it.each(cases)('%s', (name) => {
    const expected = readHdtJson(name);
    const { records, keys } = read(`HDT3213__rdb/cases/${name}.rdb`);
    const aux = expected.filter((o) => o.type === 'aux');
    const functions = expected.filter((o) => o.type === 'functions');
    const expectedKeys = expected.filter((o) => o.type !== 'aux' && o.type !== 'functions');
    if (aux.length > 0) {
      const ourAux = records.flatMap((r) => (r.kind === 'aux' ? [{ key: text(r.key), value: text(r.value) }] : []));
      expect(ourAux).toEqual(aux.map((o) => ({ key: o.key, value: o.value })));
    }
    if (functions.length > 0) {
      const ourFunctions = records.flatMap((r) => (r.kind === 'function' ? [text(r.code)] : []));
      expect(ourFunctions).toEqual(functions.map((o) => o.functionsLua));
    }
    expect(keys.map((k) => `${k.db}:${goText(k.keyBytes)}`)).toEqual(expectedKeys.map((o) => `${o.db}:${o.key}`));
    keys.forEach((key, i) => compareHdtKey(key, expectedKeys[i] as HdtObject));
  });

  it('expiration.rdb: one key each side of 1751817600 (the expiry-filter test)', () => {
    const { keys } = read('HDT3213__rdb/cases/expiration.rdb');
    expect(keys.map((k) => k.key)).toEqual(['noexpire', 'expired']);
    expect(keyNamed(keys, 'noexpire').expireMs).toBeUndefined();
    expect(keyNamed(keys, 'expired').expireMs).toBeLessThan(1751817600_000);
    expect(keyNamed(keys, 'expired').expireMs).toBeGreaterThan(1735689600_000);
  });
});

// ---------------------------------------------------------------------------------------------------
// Hash field expiration: the .aof twins hold the HPEXPIREAT commands with absolute milliseconds

/** Reads the i64le minimum expiry stored right after the key name of a type 24/25 hash. */
function storedMinExpire(name: string, key: KeyRecord): number {
  const data = load(name);
  const at = key.offset + key.length;
  return Number(new DataView(data.buffer, data.byteOffset + at, 8).getBigInt64(0, true));
}

describePeer('hash field TTLs (types 22 under VALKEY, 24, 25)', () => {
  const hfeCases: [file: string, key: string, typeCode: number, encoding: string][] = [
    ['hash_with_hfe', 'hash-hfe', 24, 'hash-hashtable-md'],
    ['hash_as_listpack_with_hfe', 'listpack-hfe', 25, 'hash-listpack-md'],
    ['valkey_hash2_with_hfe', 'hash2-hfe', 22, 'hash-2'],
  ];

  it.each(hfeCases)('%s.rdb holds what %s.aof builds', (file, keyName, typeCode, encoding) => {
    const name = `HDT3213__rdb/cases/${file}.rdb`;
    const commands = parseRespCommands(load(`HDT3213__rdb/cases/${file}.aof`));
    const expected = hashFromAof(commands, keyName);
    const { records, keys } = read(name);
    expect(keys).toHaveLength(1);
    const key = keyNamed(keys, keyName);
    expect(key.typeCode).toBe(typeCode);
    expect(key.encoding).toBe(encoding);
    expect(key.expireMs).toBeUndefined();
    if (key.value.type !== 'hash') throw new Error('not a hash');
    expect(new Map([...key.value.fields].map(([f, v]) => [f, elementKey(v)]))).toEqual(expected.fields);
    expect(key.value.fieldExpires).toEqual(expected.expires);
    expect(expected.expires.size).toBeGreaterThan(0);
    expect(expected.expires.size).toBeLessThan(expected.fields.size);
    if (typeCode !== 22) {
      const keyRecord = records.find((r): r is KeyRecord => r.kind === 'key');
      if (!keyRecord) throw new Error('no key record');
      expect(storedMinExpire(name, keyRecord)).toBe(Math.min(...expected.expires.values()));
    }
  });

  it('hash_with_hfe.rdb (type 24): field TTLs are stored relative to the minimum, plus one', () => {
    const { keys } = read('HDT3213__rdb/cases/hash_with_hfe.rdb');
    expect(hashExpiresOf(keyNamed(keys, 'hash-hfe'))).toEqual({ F1: 2755482424661, F2: 2755483429282, F3: 2755484433842 });
    expect(hashOf(keyNamed(keys, 'hash-hfe'))).toEqual({ F1: 'V1', F2: 'V2', F3: 'V3', F4: 'V4', F5: 'V5', F6: 'V6', F7: 'V7', F8: 'V8' });
  });

  it('hash_as_listpack_with_hfe.rdb (type 25): absolute TTLs in the listpack, 0 for none', () => {
    const { keys } = read('HDT3213__rdb/cases/hash_as_listpack_with_hfe.rdb');
    expect(hashExpiresOf(keyNamed(keys, 'listpack-hfe'))).toEqual({ F1: 2755482478325, F3: 2755484483878 });
  });

  it('valkey_hash2_with_hfe.rdb (VALKEY080 type 22): i64 TTL after each value, -1 for none', () => {
    const name = 'HDT3213__rdb/cases/valkey_hash2_with_hfe.rdb';
    const { records, keys } = read(name);
    expect(records[0]).toMatchObject({ kind: 'header', magic: 'VALKEY', version: 80 });
    expect(records.some((r) => r.kind === 'aux' && text(r.key) === 'valkey-ver' && text(r.value) === '9.0.1')).toBe(true);
    expect(hashExpiresOf(keyNamed(keys, 'hash2-hfe'))).toEqual({ F1: 2715785640000, F2: 2400425640000 });
    expect(hashOf(keyNamed(keys, 'hash2-hfe'))).toEqual({ F1: 'V1', F2: 'V2', F3: 'V3' });
  });

  it('dump-ttlhash.rdb (Redis 8.0.2): TTLs are consistent with the stored minimum and the save time', () => {
    const name = 'leonchen83__redis-replicator/src/test/resources/dump-ttlhash.rdb';
    const { records, keys } = read(name);
    const ctimeRecord = records.find((r) => r.kind === 'aux' && text(r.key) === 'ctime');
    const savedMs = Number(ctimeRecord?.kind === 'aux' ? text(ctimeRecord.value) : Number.NaN) * 1000;
    expect(savedMs).toBe(1749301834000);
    expect(keys.map((k) => [k.key, k.typeCode, k.elements])).toEqual([
      ['iterttlhash', 25, 128],
      ['ttlhash1', 24, 1024],
      ['ttlhash', 25, 3],
    ]);
    const expiring: Record<string, number> = { iterttlhash: 4, ttlhash1: 9, ttlhash: 2 };
    for (const key of keys) {
      if (key.value.type !== 'hash') throw new Error('not a hash');
      const ttls = [...key.value.fieldExpires.values()];
      expect(ttls).toHaveLength(expiring[key.key] as number);
      for (const ms of ttls) {
        // Set a few hours to a few days before the save, never in the past.
        expect(ms).toBeGreaterThan(savedMs);
        expect(ms).toBeLessThan(savedMs + 7 * 24 * 3600 * 1000);
      }
      const keyRecord = records.find((r): r is KeyRecord => r.kind === 'key' && latin1(r.key) === key.key);
      if (!keyRecord) throw new Error('no key record');
      expect(storedMinExpire(name, keyRecord)).toBe(Math.min(...ttls));
    }
    // The small listpack hash, field by field.
    const small = keyNamed(keys, 'ttlhash');
    expect(hashOf(small)).toEqual({ f1: 'v1', f2: 'v2', f3: 'v3' });
    expect(hashExpiresOf(small)).toEqual({ f1: 1749382305204, f2: 1749482309994 });
  });
});

// ---------------------------------------------------------------------------------------------------
// sripathikrishnan/redis-rdb-tools: tests/parser_tests.py and memprofiler_tests.py

const RDB_TOOLS = 'sripathikrishnan__redis-rdb-tools/tests/dumps';

describePeer('redis-rdb-tools dumps (parser_tests.py)', () => {
  const dump = (file: string): CollectedKey[] => read(`${RDB_TOOLS}/${file}`).keys;

  it('empty_database.rdb has no database', () => {
    const { records } = read(`${RDB_TOOLS}/empty_database.rdb`);
    expect(records.map((r) => r.kind)).toEqual(['header', 'eof']);
  });

  it('multiple_databases.rdb: db 0 and db 2, nothing in db 1', () => {
    const byDb = keysByDb(dump('multiple_databases.rdb'));
    expect([...byDb.keys()]).toEqual([0, 2]);
    expect(stringOf(keyNamed(dump('multiple_databases.rdb'), 'key_in_zeroth_database', 0))).toBe('zero');
    expect(stringOf(keyNamed(dump('multiple_databases.rdb'), 'key_in_second_database', 2))).toBe('second');
  });

  it('keys_with_expiry.rdb: 2022-12-25 10:11:12.573 UTC', () => {
    const key = keyNamed(dump('keys_with_expiry.rdb'), 'expires_ms_precision');
    expect(key.expireMs).toBe(Date.UTC(2022, 11, 25, 10, 11, 12, 573));
    expect(key.expireMs).toBe(1671963072573);
  });

  it('integer_keys.rdb: keys stored as integers read as their decimal text', () => {
    const keys = dump('integer_keys.rdb');
    const cases: [number, string][] = [
      [125, 'Positive 8 bit integer'],
      [0xabab, 'Positive 16 bit integer'],
      [0x0aedd325, 'Positive 32 bit integer'],
      [-123, 'Negative 8 bit integer'],
      [-0x7325, 'Negative 16 bit integer'],
      [-0x0aedd325, 'Negative 32 bit integer'],
    ];
    expect(keys).toHaveLength(cases.length);
    for (const [key, value] of cases) expect(stringOf(keyNamed(keys, String(key)))).toBe(value);
  });

  it('easily_compressible_string_key.rdb: LZF key of 200 a', () => {
    expect(stringOf(keyNamed(dump('easily_compressible_string_key.rdb'), 'a'.repeat(200)))).toBe('Key that redis should compress easily');
  });

  it('zipmaps and the v4 ziplist hash', () => {
    expect(hashOf(keyNamed(dump('zipmap_that_compresses_easily.rdb'), 'zipmap_compresses_easily'))).toEqual({ a: 'aa', aa: 'aaaa', aaaaa: 'aaaaaaaaaaaaaa' });
    expect(hashOf(keyNamed(dump('hash_as_ziplist.rdb'), 'zipmap_compresses_easily'))).toEqual({ a: 'aa', aa: 'aaaa', aaaaa: 'aaaaaaaaaaaaaa' });
    expect(hashOf(keyNamed(dump('zipmap_that_doesnt_compress.rdb'), 'zimap_doesnt_compress'))).toEqual({ MKD1G6: '2', YNNXK: 'F7TI' });
    const big = hashOf(keyNamed(dump('zipmap_with_big_values.rdb'), 'zipmap_with_big_values'));
    expect(Object.fromEntries(Object.entries(big).map(([f, v]) => [f, v.length]))).toEqual({
      '253bytes': 253,
      '254bytes': 254,
      '255bytes': 255,
      '300bytes': 300,
      '20kbytes': 20000,
    });
  });

  it('dictionary.rdb: 1000 fields', () => {
    const hash = hashOf(keyNamed(dump('dictionary.rdb'), 'force_dictionary'));
    expect(Object.keys(hash)).toHaveLength(1000);
    expect(hash.ZMU5WEJDG7KU89AOG5LJT6K7HMNB3DEI43M6EYTJ83VRJ6XNXQ).toBe('T63SOS8DQJF0Q0VJEZ0D1IQFCYTIPSBOUIAI9SB0OV57MQR1FI');
    expect(hash.UHS5ESW4HLK8XOGTM39IK1SJEUGVV9WOPK6JYA5QBZSJU84491).toBe('6VULTCV52FXJ8MGVSFTZVAGK2JXZMGQ5F8OVJI0X6GEDDR27RZ');
  });

  it('ziplists', () => {
    expect(listOf(keyNamed(dump('ziplist_that_compresses_easily.rdb'), 'ziplist_compresses_easily'))).toEqual([6, 12, 18, 24, 30, 36].map((n) => 'a'.repeat(n)));
    expect(listOf(keyNamed(dump('ziplist_that_doesnt_compress.rdb'), 'ziplist_doesnt_compress'))).toEqual([
      'aj2410',
      'cc953a17a8e096e76a44169ad3f9ac87c5f8248a403274416179aa9fbd852344',
    ]);
    const key = keyNamed(dump('ziplist_with_integers.rdb'), 'ziplist_with_integers');
    if (key.value.type !== 'list') throw new Error('not a list');
    expect(key.value.elements).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -2, 13, 25, -61, 63, 16380, -16000, 65535, -65523, 4194304, 0x7fffffffffffffffn]);
  });

  it('linkedlist.rdb: 1000 elements', () => {
    const list = listOf(keyNamed(dump('linkedlist.rdb'), 'force_linkedlist'));
    expect(list).toHaveLength(1000);
    expect(list).toContain('JYY4GIFI0ETHKP4VAJF5333082J4R1UPNPLE329YT0EYPGHSJQ');
    expect(list).toContain('TKBXHJOX9Q99ICF4V78XTCA2Y1UYW6ERL35JCIL1O0KSGXS58S');
    expect(list.slice(0, 2)).toEqual(['41PJSO2KRV6SK1WJ6936L06YQDPV68R5J2TAZO3YAR5IL5GUI8', 'E41JRQX2DB4P1AQZI86BAT7NHPBHPRIIHQKA4UXG94ELZZ7P3Y']);
  });

  it('intsets of 16, 32 and 64 bits', () => {
    const members = (file: string, key: string): Element[] => {
      const found = keyNamed(dump(file), key);
      if (found.value.type !== 'set') throw new Error('not a set');
      return [...found.value.members].sort((a, b) => (BigInt(a as number | bigint) < BigInt(b as number | bigint) ? -1 : 1));
    };
    expect(members('intset_16.rdb', 'intset_16')).toEqual([0x7ffc, 0x7ffd, 0x7ffe]);
    expect(members('intset_32.rdb', 'intset_32')).toEqual([0x7ffefffc, 0x7ffefffd, 0x7ffefffe]);
    expect(members('intset_64.rdb', 'intset_64')).toEqual([0x7ffefffefffefffcn, 0x7ffefffefffefffdn, 0x7ffefffefffefffen]);
  });

  it('regular_set.rdb', () => {
    expect(setOf(keyNamed(dump('regular_set.rdb'), 'regular_set'))).toEqual(['alpha', 'beta', 'delta', 'gamma', 'kappa', 'phi']);
  });

  it('sorted_set_as_ziplist.rdb: scores', () => {
    expect(zsetOf(keyNamed(dump('sorted_set_as_ziplist.rdb'), 'sorted_set_as_ziplist'))).toEqual([
      ['8b6ba6718a786daefa69438148361901', 1],
      ['cb7a24bb7528f934b841b34c3a73e0c7', 2.37],
      ['523af537946b79c4f8369ed39ba78605', 3.423],
    ]);
  });

  it('parser_filters.rdb: k1, k3 and the four sorted sets', () => {
    const keys = dump('parser_filters.rdb');
    expect(keys).toHaveLength(43);
    expect(stringOf(keyNamed(keys, 'k1'))).toBe('ssssssss');
    expect(stringOf(keyNamed(keys, 'k3'))).toBe('wwwwwwww');
    expect(keys.filter((k) => /^k[0-9]/.test(k.key)).map((k) => k.key)).toEqual(['k1', 'k3']);
    expect(keys.filter((k) => k.type === 'zset').map((k) => k.key).sort()).toEqual(['z1', 'z2', 'z3', 'z4']);
  });

  it('rdb_version_5_with_checksum.rdb', () => {
    const keys = dump('rdb_version_5_with_checksum.rdb');
    const values = Object.fromEntries(keys.map((k) => [k.key, stringOf(k)]));
    expect(values).toEqual({ abcd: 'efgh', foo: 'bar', bar: 'baz', abcdef: 'abcdef', longerstring: 'thisisalongerstring.idontknowwhatitmeans', abc: 'def' });
  });

  it('rdb_version_8_with_64b_length_and_scores.rdb', () => {
    const keys = dump('rdb_version_8_with_64b_length_and_scores.rdb');
    expect(stringOf(keyNamed(keys, 'foo'))).toBe('bar');
    const zset = new Map(zsetOf(keyNamed(keys, 'bigset')));
    expect(zset.size).toBe(1000);
    expect(zset.get('finalfield')).toBe(2.718);
  });

  it('redis_40_with_module.rdb: module ReJSON-RL beside a plain string', () => {
    const keys = dump('redis_40_with_module.rdb');
    expect(keys.map((k) => [k.key, k.type])).toEqual([
      ['simplekey', 'string'],
      ['foo', 'module'],
    ]);
    expect(stringOf(keyNamed(keys, 'simplekey'))).toBe('someval');
    const foo = keyNamed(keys, 'foo');
    expect(foo.value).toMatchObject({ type: 'module', moduleName: 'ReJSON-RL', encver: 0 });
  });

  it('redis_50_with_streams.rdb: mystream has 4 entries in 1 listpack', () => {
    const keys = dump('redis_50_with_streams.rdb');
    expect(keys).toHaveLength(14);
    const stream = streamOf(keyNamed(keys, 'mystream'));
    expect(stream.meta?.length).toBe(4n);
    expect(stream.entries).toHaveLength(4);
    expect(stream.nodes).toBe(1);
  });

  it('redis_60_with_module_aux.rdb: a module AUX record and no keys', () => {
    const { records, keys } = read(`${RDB_TOOLS}/redis_60_with_module_aux.rdb`);
    expect(keys).toHaveLength(0);
    expect(records.filter((r) => r.kind === 'module-aux')).toHaveLength(1);
  });

  it('non_ascii_values.rdb: binary and UTF-8 strings byte for byte', () => {
    const keys = dump('non_ascii_values.rdb');
    const bin = keyNamed(keys, 'bin');
    if (bin.value.type !== 'string') throw new Error('not a string');
    expect([...bin.value.value]).toEqual([0x00, 0x24, 0x20, 0x7e, 0x30, 0x7f, 0xff, 0x0a, 0xaa, 0x09, 0x80, 0x0d, 0x41, 0x62]);
    expect(stringOf(keyNamed(keys, 'utf8'))).toBe('בדיקה𐀏123עברית');
    expect(stringOf(keyNamed(keys, '378'))).toBe('int_key_name');
    expect(stringOf(keyNamed(keys, 'int_value'))).toBe('123');
  });
});

// ---------------------------------------------------------------------------------------------------
// leonchen83/redis-replicator: JUnit assertions

const REPLICATOR = 'leonchen83__redis-replicator/src/test/resources';

describePeer('redis-replicator resources', () => {
  const replicator = (file: string): { records: RdbRecord[]; keys: CollectedKey[] } => read(`${REPLICATOR}/${file}`);
  const storedChecksum = (records: RdbRecord[]): bigint | undefined => {
    const eof = records.at(-1);
    return eof?.kind === 'eof' ? eof.storedChecksum : undefined;
  };

  it.each([
    ['dumpV6.rdb', 132],
    ['dumpV7.rdb', 19],
    ['dumpV8.rdb', 92499],
    ['listpack-bug.rdb', 237],
  ])('%s holds %i keys', (file, count) => {
    expect(replicator(file).keys).toHaveLength(count);
  });

  it('dumpV6.rdb and dumpV7.rdb: stored checksums', () => {
    expect(storedChecksum(replicator('dumpV6.rdb').records)).toBe(BigInt.asUintN(64, -3409494954737929802n));
    expect(storedChecksum(replicator('dumpV7.rdb').records)).toBe(6576517133597126869n);
  });

  it('dumpV7.rdb: 13 strings, abcd, foo and aaa', () => {
    const keys = replicator('dumpV7.rdb').keys;
    expect(keys.filter((k) => k.typeCode === 0)).toHaveLength(13);
    for (const [key, value] of [
      ['abcd', 'abcd'],
      ['foo', 'bar'],
      ['aaa', 'bbb'],
    ] as const) {
      for (const found of keys.filter((k) => k.key === key)) expect(stringOf(found)).toBe(value);
    }
  });

  it('dumpV8.rdb: 7 AUX fields', () => {
    expect(replicator('dumpV8.rdb').records.filter((r) => r.kind === 'aux')).toHaveLength(7);
  });

  it('dump-lru.rdb: LRU idle times and a ms expiry', () => {
    const keys = replicator('dump-lru.rdb').keys;
    expect(keyNamed(keys, 'key')).toMatchObject({ expireMs: 1528592665231, idle: 4, freq: undefined });
    expect(keyNamed(keys, 'key1')).toMatchObject({ expireMs: undefined, idle: 1914611, freq: undefined });
  });

  it('dump-lfu.rdb: LFU frequencies and a ms expiry', () => {
    const keys = replicator('dump-lfu.rdb').keys;
    expect(keyNamed(keys, 'key')).toMatchObject({ expireMs: 1528592896226, freq: 4, idle: undefined });
    expect(keyNamed(keys, 'key1')).toMatchObject({ expireMs: undefined, freq: 1, idle: undefined });
  });

  it('dump-slot.rdb: SLOT_INFO before the keys of each slot', () => {
    const { records, keys } = replicator('dump-slot.rdb');
    expect(keys).toHaveLength(5);
    const slots = records.flatMap((r) => (r.kind === 'slot-info' ? [[r.slot, r.slotSize, r.expiresSlotSize]] : []));
    expect(slots).toEqual([
      [98, 1, 0],
      [230, 1, 0],
      [4163, 1, 0],
      [4772, 2, 0],
    ]);
  });

  it('function.rdb: two libraries in the Redis 7.0 RC format', () => {
    const functions = replicator('function.rdb').records.flatMap((r) => (r.kind === 'function' ? [r] : []));
    expect(functions.map((f) => [f.library, f.engine, f.preRelease])).toEqual([
      ['lib2', 'LUA', true],
      ['lib1', 'LUA', true],
    ]);
    expect(text(functions[0]?.code ?? new Uint8Array())).toContain("local function test2() return 2 end redis.register_function('test2', test2)");
    expect(text(functions[1]?.code ?? new Uint8Array())).toContain("local function test1() return 1 end redis.register_function('test1', test1)");
  });

  it('function2.rdb: one FUNCTION2 library', () => {
    const functions = replicator('function2.rdb').records.flatMap((r) => (r.kind === 'function' ? [r] : []));
    expect(functions.map((f) => [f.library, f.engine, f.preRelease])).toEqual([['mylib', 'lua', false]]);
  });

  it('dump-module-2.rdb: one hellotype module value', () => {
    const keys = replicator('dump-module-2.rdb').keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]?.value).toMatchObject({ type: 'module', moduleName: 'hellotype', encver: 0 });
  });

  it('dump-stream.rdb: listpack, trim and nums streams (StreamTest.java)', () => {
    const keys = replicator('dump-stream.rdb').keys;
    const listpack = streamOf(keyNamed(keys, 'listpack'));
    listpack.entries.forEach((entry, i) => {
      expect(entry.fields.map(utf8Text)).toContain(`field${i}`);
      expect(entry.values.map(utf8Text)).toContain(`value${i}`);
    });
    const groups = Object.fromEntries(listpack.groups.map((g) => [text(g.name), g]));
    expect(Object.keys(groups).sort()).toEqual(['g1', 'g2', 'g3', 'g4']);
    expect(groups.g1?.pending).toHaveLength(4);
    expect(groups.g1?.consumers.map((c) => c.pending.length)).toEqual([2, 2]);
    expect(groups.g2?.pending).toHaveLength(1);
    expect(groups.g2?.consumers.map((c) => c.pending.length)).toEqual([1]);
    expect(groups.g3?.pending).toHaveLength(2);
    expect(groups.g3?.consumers).toHaveLength(2);
    expect(groups.g3?.consumers[0]?.pending).toHaveLength(2);
    expect(groups.g4?.pending).toHaveLength(0);
    expect(groups.g4?.consumers).toHaveLength(0);

    const trim = streamOf(keyNamed(keys, 'trim'));
    const ids = trim.entries.map((e) => idText(e.id));
    expect(ids).not.toContain('1528512149341-0');
    expect(ids).not.toContain('1528512149742-0');

    const nums = streamOf(keyNamed(keys, 'nums'));
    const magnitudes = [2, 2000, 20000, 200000, 20000000, 2000000000, 200000000000, 20000000000000];
    const expected = [...magnitudes, ...magnitudes, 20, 200];
    expect(nums.entries.map((e) => [e.fields.map(utf8Text), e.values.map(utf8Text)])).toEqual(expected.map((n) => [[String(-n)], [String(n)]]));
  });

  it('stream2.rdb and dumpV11.rdb: the same stream as type 19 and type 21', () => {
    const v2 = streamOf(keyNamed(replicator('stream2.rdb').keys, 'mystream'));
    const v3Key = keyNamed(replicator('dumpV11.rdb').keys, 'mystream');
    const v3 = streamOf(v3Key);
    expect(v3Key.typeCode).toBe(21);
    expect(v2.entries).toEqual(v3.entries);
    expect(v2.meta).toEqual(v3.meta);
    expect(v2.meta).toMatchObject({ length: 9n, groupCount: 6, entriesAdded: 16n });
    // Type 21 adds the consumers' active time and nothing else.
    const withoutActive = v3.groups.map((g) => ({ ...g, consumers: g.consumers.map(({ activeTimeMs, ...rest }) => (void activeTimeMs, rest)) }));
    expect(withoutActive).toEqual(v2.groups);
    for (const group of v3.groups) for (const consumer of group.consumers) expect(consumer.activeTimeMs).toBeTypeOf('number');
    expect(setOf(keyNamed(replicator('dumpV11.rdb').keys, 'setlistpack'))).toEqual(['mem1', 'mem2', 'mem3', 'mem4']);
  });

  it('binarydump.rdb: Java-serialised values start with the stream magic 0xACED', () => {
    const keys = replicator('binarydump.rdb').keys;
    expect(keys.map((k) => [k.key, k.type])).toEqual([
      ['seri1', 'string'],
      ['seri2', 'hash'],
      ['seri3', 'list'],
    ]);
    const seri1 = keyNamed(keys, 'seri1');
    if (seri1.value.type !== 'string') throw new Error('not a string');
    expect([...seri1.value.value.subarray(0, 4)]).toEqual([0xac, 0xed, 0x00, 0x05]);
  });

  it('the rdb-tools dumps it shares are byte-identical to rdb-tools\' own', () => {
    const shared = readdirSync(join(PEER, REPLICATOR)).filter((f) => existsSync(join(PEER, RDB_TOOLS, f)));
    expect(shared.length).toBeGreaterThanOrEqual(20);
    for (const file of shared) expect(Buffer.compare(load(`${REPLICATOR}/${file}`), load(`${RDB_TOOLS}/${file}`)), file).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------
// redis/redis tests/assets: what the Tcl tests check after loading

describePeer('redis/redis test assets', () => {
  const asset = (file: string): CollectedKey[] => read(`redis__redis/tests/assets/${file}`).keys;

  it('encodings.rdb: the csvdump of rdb.tcl "RDB encoding loading test"', () => {
    const keys = asset('encodings.rdb');
    const csv = keys
      .map((key) => {
        let items: string[];
        switch (key.value.type) {
          case 'string':
            return `"${key.key}","string","${stringOf(key)}"`;
          case 'hash':
            items = Object.entries(hashOf(key))
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .flat();
            break;
          case 'list':
            items = listOf(key);
            break;
          case 'set':
            items = setOf(key);
            break;
          case 'zset':
            items = zsetOf(key)
              .sort(([m1, s1], [m2, s2]) => s1 - s2 || (m1 < m2 ? -1 : 1))
              .flatMap(([member, score]) => [member, String(score)]);
            break;
          default:
            throw new Error(`unexpected ${key.value.type}`);
        }
        return `"${key.key}","${key.type}",${items.map((item) => `"${item}",`).join('')}`;
      })
      .sort()
      .join('\n');
    expect(csv).toBe(
      [
        `"compressible","string","${'a'.repeat(137)}"`,
        '"hash","hash","a","1","aa","10","aaa","100","b","2","bb","20","bbb","200","c","3","cc","30","ccc","300","ddd","400","eee","5000000000",',
        '"hash_zipped","hash","a","1","b","2","c","3",',
        '"list","list","1","2","3","a","b","c","100000","6000000000","1","2","3","a","b","c","100000","6000000000","1","2","3","a","b","c","100000","6000000000",',
        '"list_zipped","list","1","2","3","a","b","c","100000","6000000000",',
        '"number","string","10"',
        '"set","set","1","100000","2","3","6000000000","a","b","c",',
        '"set_zipped_1","set","1","2","3","4",',
        '"set_zipped_2","set","100000","200000","300000","400000",',
        '"set_zipped_3","set","1000000000","2000000000","3000000000","4000000000","5000000000","6000000000",',
        '"string","string","Hello World"',
        '"zset","zset","a","1","b","2","c","3","aa","10","bb","20","cc","30","aaa","100","bbb","200","ccc","300","aaaa","1000","cccc","123456789","bbbb","5000000000",',
        '"zset_zipped","zset","a","1","b","2","c","3",',
      ].join('\n'),
    );
  });

  it('hash-zipmap.rdb and hash-ziplist.rdb: hash f1=v1 f2=v2', () => {
    for (const file of ['hash-zipmap.rdb', 'hash-ziplist.rdb']) {
      const keys = asset(file);
      expect(keys).toHaveLength(1);
      expect(hashOf(keyNamed(keys, 'hash'))).toEqual({ f1: 'v1', f2: 'v2' });
    }
    expect(keyNamed(asset('hash-zipmap.rdb'), 'hash').encoding).toBe('hash-zipmap');
    expect(keyNamed(asset('hash-ziplist.rdb'), 'hash').encoding).toBe('hash-ziplist');
  });

  it('zset-ziplist.rdb: one 1, two 2', () => {
    const key = keyNamed(asset('zset-ziplist.rdb'), 'zset');
    expect(key.encoding).toBe('zset-ziplist');
    expect(zsetOf(key)).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
  });

  it('list-quicklist.rdb: x is 7 and the list starts with 7 (Redis 4.0 quicklist)', () => {
    const keys = asset('list-quicklist.rdb');
    expect(stringOf(keyNamed(keys, 'x'))).toBe('7');
    const list = keyNamed(keys, 'list');
    expect(list.encoding).toBe('quicklist');
    expect(listOf(list)[0]).toBe('7');
  });

  it('scriptbackup.rdb: a lua AUX field and no keys', () => {
    const { records, keys } = read('redis__redis/tests/assets/scriptbackup.rdb');
    expect(keys).toHaveLength(0);
    expect(records.some((r) => r.kind === 'aux' && text(r.key) === 'lua')).toBe(true);
  });

  it('swap/kv.rdb: GET k', () => {
    const keys = asset('swap/kv.rdb');
    expect(keys).toHaveLength(1);
    expect(stringOf(keyNamed(keys, 'k'))).toBe('v');
  });

  it('rdb-preamble.aof: the RDB part ends where the RESP tail starts', () => {
    const name = 'redis__redis/tests/assets/rdb-preamble.aof';
    const data = load(name);
    const { records } = read(name);
    const eof = records.at(-1);
    if (eof?.kind !== 'eof') throw new Error('no eof');
    expect(String.fromCharCode(data[eof.offset + eof.length] as number)).toBe('*');
  });
});

// ---------------------------------------------------------------------------------------------------
// leonchen83/redis-rdb-cli: rct/all.rdb and its expected outputs

describePeer('redis-rdb-cli rct/all.rdb', () => {
  const dir = 'leonchen83__redis-rdb-cli/src/test/resources/rct';
  const beside = (suffix: string): string => readFileSync(join(PEER, dir, `all.rdb.${suffix}`), 'utf8');
  const ourTypeNames: Record<string, string> = { zset: 'sortedset', set: 'set', string: 'string', stream: 'stream', module: 'module', list: 'list', hash: 'hash' };

  it('all.rdb.count: keys per type', () => {
    const [header, counts] = beside('count').trim().split('\n');
    const expected = Object.fromEntries((header ?? '').split(',').map((name, i) => [name, Number((counts ?? '').split(',')[i])]));
    const { keys } = read(`${dir}/all.rdb`);
    const ours: Record<string, number> = { summary: keys.length };
    for (const key of keys) {
      const name = ourTypeNames[key.type] as string;
      ours[name] = (ours[name] ?? 0) + 1;
    }
    expect(ours).toEqual(expected);
  });

  it('all.rdb.key: every key in file order', () => {
    const expected = beside('key')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as string);
    expect(read(`${dir}/all.rdb`).keys.map((k) => utf8Text(k.keyBytes))).toEqual(expected);
  });

  it('all.rdb.jsonl: db, type and value of every key', () => {
    const lines = beside('jsonl')
      .split('\n')
      .filter((line) => line !== '');
    const { keys } = read(`${dir}/all.rdb`);
    expect(keys).toHaveLength(lines.length);
    const perDb = new Map<number, number>();
    let compared = 0;
    let withExpiry = 0;
    lines.forEach((line, i) => {
      const key = keys[i] as CollectedKey;
      const tail = /,"db":(\d+),"type":"([a-z]+)"(?:,"expiry":(\d+))?\}$/.exec(line);
      const head = /^\{"key":("(?:[^"\\]|\\.)*"),"value":/.exec(line);
      expect(tail, line.slice(0, 80)).not.toBeNull();
      expect(head, line.slice(0, 80)).not.toBeNull();
      const db = Number(tail?.[1]);
      perDb.set(db, (perDb.get(db) ?? 0) + 1);
      expect([key.db, ourTypeNames[key.type], utf8Text(key.keyBytes)]).toEqual([db, tail?.[2], JSON.parse(head?.[1] ?? '""')]);
      expect(key.expireMs).toBe(tail?.[3] === undefined ? undefined : Number(tail[3]));
      if (key.expireMs !== undefined) withExpiry++;
      if (key.type === 'stream' || key.type === 'module') {
        compareDumpPayload(i, key, line);
        return;
      }
      const value = (JSON.parse(line) as { value: unknown }).value;
      compared++;
      switch (key.value.type) {
        case 'string':
          expect(stringOf(key)).toBe(value);
          break;
        case 'list':
          expect(listOf(key)).toEqual(value);
          break;
        case 'set':
          expect(setOf(key)).toEqual([...(value as string[])].sort());
          break;
        case 'zset':
          expect(Object.fromEntries(zsetOf(key))).toEqual(value);
          break;
        case 'hash':
          expect(hashOf(key)).toEqual(value);
          break;
      }
    });
    expect(compared).toBe(258);
    expect(withExpiry).toBeGreaterThan(0);
    const ourPerDb = new Map<number, number>();
    for (const key of keys) ourPerDb.set(key.db, (ourPerDb.get(key.db) ?? 0) + 1);
    expect(ourPerDb).toEqual(perDb);
  });

  /**
   * rdb-cli prints stream and module values as their DUMP payload (type byte, the value as the RDB stores
   * it, 2-byte RDB version, CRC64) escaped like redis-cli does; the middle must be our value's exact bytes.
   */
  function compareDumpPayload(index: number, key: CollectedKey, line: string): void {
    const raw = /,"value":"((?:[^"\\]|\\.)*)","db":/.exec(line)?.[1] ?? '';
    const bytes: number[] = [];
    const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, r: 13, '\\': 92, '"': 34 };
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i] as string;
      if (c !== '\\') {
        bytes.push(c.charCodeAt(0));
        continue;
      }
      const next = raw[i + 1] as string;
      if (next === 'x') {
        bytes.push(Number.parseInt(raw.slice(i + 2, i + 4), 16));
        i += 3;
      } else {
        expect(escapes[next], `escape \\${next}`).toBeDefined();
        bytes.push(escapes[next] as number);
        i += 1;
      }
    }
    const payload = Uint8Array.from(bytes);
    expect(payload[0]).toBe(key.typeCode);
    const data = load(`${dir}/all.rdb`);
    const { records } = read(`${dir}/all.rdb`);
    // The file holds the same key name twice in one db (rdb-cli merged several files): go by position.
    const start = records.filter((r): r is KeyRecord => r.kind === 'key')[index];
    const end = records.filter((r) => r.kind === 'key-end')[index];
    if (!start || !end) throw new Error(`no key ${index}`);
    expect(latin1(start.key)).toBe(key.key);
    const value = data.subarray(start.offset + start.length, end.offset);
    expect(Buffer.compare(payload.subarray(1, payload.length - 10), value), `DUMP payload of ${key.key}`).toBe(0);
  }
});

// ---------------------------------------------------------------------------------------------------
// Other small facts

describePeer('other peer files', () => {
  it('aembke/fred.rs base RDB: two function libraries and no keys', () => {
    const { records, keys } = read('aembke__fred.rs/appendonlydir/appendonly.aof.4.base.rdb');
    expect(keys).toHaveLength(0);
    const functions = records.filter((r) => r.kind === 'function');
    expect(functions).toHaveLength(2);
    for (const f of functions) if (f.kind === 'function') expect(f.engine).toBe('LUA'.toLowerCase());
  });

  it('rdb-cli rdt/dump.rdb is the merge of 12.rdb, 34.rdb and 89.rdb', () => {
    const base = 'leonchen83__redis-rdb-cli/src/test/resources/rdt';
    const summary = (file: string): string[] => read(`${base}/${file}`).keys.map((k) => `${k.db}:${k.key}:${k.type}:${k.elements}`);
    const parts = [...summary('12.rdb'), ...summary('34.rdb'), ...summary('89.rdb')].sort();
    expect(summary('dump.rdb').sort()).toEqual(parts);
  });
});
