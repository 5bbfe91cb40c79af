/**
 * decode(encode(x)) = x for whole files: what the writer is told to write (a list of keys, each in a named
 * encoding) is what the reader reads back — every type and encoding, prefix opcodes, dbs, aux fields,
 * functions — for the generated files and for random ones (fast-check).
 */
// cspell:words listpack ziplist zipmap intset quicklist genmodule
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { typeInfo } from '../../src/rdb/constants.js';
import type { RdbRecord } from '../../src/rdb/model.js';
import { readRdbAll } from '../../src/rdb/reader.js';
import { generatedRdbs } from '../support/generated-rdbs.js';
import { collectKeys, elementKey, latin1, type CollectedKey } from '../support/rdb-collect.js';
import { toBytes, writeRdb, type BlobItem, type Bytes, type KeySpec, type RdbFileSpec, type RdbItem, type ValueSpec } from '../support/rdb-writer.js';

const text = (value: Bytes): string => latin1(toBytes(value));
const item = (value: BlobItem): string => (typeof value === 'number' || typeof value === 'bigint' ? value.toString() : text(value));
const id = (value: { ms: bigint; seq: bigint }): string => `${value.ms}-${value.seq}`;

/** A key's value in a comparable form, from the spec. */
function expectedValue(value: ValueSpec, magic: 'REDIS' | 'VALKEY'): unknown {
  switch (value.encoding) {
    case 'string':
      return typeof value.value === 'number' ? String(value.value) : text(value.value);
    case 'list-linked':
    case 'list-ziplist':
      return value.elements.map(item);
    case 'quicklist':
      return value.nodes.flatMap((node) => node.elements.map(item));
    case 'quicklist-v2':
      return value.nodes.flatMap((node) => ('plain' in node ? [text(node.plain)] : node.elements.map(item)));
    case 'set-hashtable':
    case 'set-listpack':
      return value.members.map(item).sort();
    case 'set-intset':
      return value.members.map((m) => m.toString()).sort();
    case 'zset-v1':
    case 'zset-v2':
    case 'zset-ziplist':
    case 'zset-listpack':
      return value.entries.map(([member, score]) => [text(member), score === 0 ? 0 : score]);
    case 'hash-hashtable':
    case 'hash-zipmap':
    case 'hash-ziplist':
    case 'hash-listpack':
      return { fields: value.fields.map(([f, v]) => [text(f), item(v)]), expires: [] };
    case 'hash-hashtable-md':
    case 'hash-listpack-md':
    case 'hash-hashtable-md-pre-release':
    case 'hash-listpack-md-pre-release':
    case 'hash-2':
      void magic;
      return {
        fields: value.fields.map(([f, v]) => [text(f), text(v)]),
        expires: value.fields.filter(([, , ttl]) => (ttl ?? 0) > 0).map(([f, , ttl]) => [text(f), ttl]),
      };
    case 'stream':
    case 'stream-v2':
    case 'stream-v3': {
      const s = value.stream;
      return {
        entries: s.nodes.flatMap((node) => node.entries.filter((e) => !e.deleted).map((e) => [id(e.id), e.fields.map(text), e.values.map(text)])),
        deleted: s.nodes.reduce((n, node) => n + node.entries.filter((e) => e.deleted).length, 0),
        length: s.length,
        lastId: id(s.lastId),
        groups: s.groups.map((g) => ({
          name: text(g.name),
          lastId: id(g.lastId),
          pending: g.pending.map((p) => [id(p.id), p.deliveryTimeMs, p.deliveryCount]),
          consumers: g.consumers.map((c) => [text(c.name), c.seenTimeMs, c.pending.map(id)]),
        })),
      };
    }
    case 'module-value':
      return { moduleName: value.moduleName, encver: value.encver, opcodes: value.operands.length };
  }
}

/** A read key's value in the same form. */
function actualValue(key: CollectedKey): unknown {
  const v = key.value;
  switch (v.type) {
    case 'string':
      return latin1(v.value);
    case 'list':
      return v.elements.map(elementKey);
    case 'set':
      return v.members.map(elementKey).sort();
    case 'zset':
      return v.entries.map(([member, score]) => [elementKey(member), score === 0 ? 0 : score]);
    case 'hash':
      return { fields: [...v.fields].map(([f, value]) => [f, elementKey(value)]), expires: [...v.fieldExpires] };
    case 'stream':
      return {
        entries: v.entries.map((e) => [id(e.id), e.fields.map(elementKey), e.values.map(elementKey)]),
        deleted: v.deleted,
        length: v.meta?.length,
        lastId: v.meta ? id(v.meta.lastId) : undefined,
        groups: v.groups.map((g) => ({
          name: latin1(g.name),
          lastId: id(g.lastId),
          pending: g.pending.map((p) => [id(p.id), p.deliveryTimeMs, p.deliveryCount]),
          consumers: g.consumers.map((c) => [latin1(c.name), c.seenTimeMs, c.pending.map(id)]),
        })),
      };
    case 'module':
      return { moduleName: v.moduleName, encver: v.encver, opcodes: v.opcodes };
  }
}

interface Expected {
  db: number;
  key: string;
  encoding: string;
  expireMs: number | undefined;
  idle: number | undefined;
  freq: number | undefined;
  value: unknown;
}

function expectedKeys(spec: RdbFileSpec): Expected[] {
  let db = 0;
  const out: Expected[] = [];
  for (const entry of spec.items) {
    if ('selectDb' in entry) db = entry.selectDb;
    if (!('key' in entry)) continue;
    const key = entry.key;
    out.push({
      db,
      key: text(key.key),
      encoding: key.value.encoding,
      expireMs: key.expireMs ?? (key.expireSeconds === undefined ? undefined : key.expireSeconds * 1000),
      idle: key.idle,
      freq: key.freq,
      value: expectedValue(key.value, spec.magic ?? 'REDIS'),
    });
  }
  return out;
}

function actualKeys(records: RdbRecord[]): Expected[] {
  return collectKeys(records).map((key) => ({
    db: key.db,
    key: key.key,
    encoding: key.encoding,
    expireMs: key.expireMs,
    idle: key.idle,
    freq: key.freq,
    value: actualValue(key),
  }));
}

/** The top-level records other than keys, in a comparable form. */
function expectedOthers(spec: RdbFileSpec): unknown[] {
  const out: unknown[] = [];
  for (const entry of spec.items) {
    if ('aux' in entry) out.push(['aux', text(entry.aux[0]), typeof entry.aux[1] === 'number' ? String(entry.aux[1]) : text(entry.aux[1])]);
    else if ('selectDb' in entry) out.push(['selectdb', entry.selectDb]);
    else if ('resizeDb' in entry) out.push(['resizedb', ...entry.resizeDb]);
    else if ('function' in entry) out.push(['function', text(entry.function)]);
    else if ('functionPreGa' in entry) out.push(['function', `#!${text(entry.functionPreGa.engine)} name=${text(entry.functionPreGa.name)}\n${text(entry.functionPreGa.code)}`]);
    else if ('moduleAux' in entry) out.push(['module-aux', entry.moduleAux.moduleName, entry.moduleAux.encver, entry.moduleAux.when]);
    else if ('slotInfo' in entry) out.push(['slot-info', ...entry.slotInfo]);
    else if ('slotImport' in entry) out.push(['slot-import', text(entry.slotImport.job), entry.slotImport.ranges]);
  }
  return out;
}

function actualOthers(records: RdbRecord[]): unknown[] {
  const out: unknown[] = [];
  for (const r of records) {
    if (r.kind === 'aux') out.push(['aux', latin1(r.key), latin1(r.value)]);
    else if (r.kind === 'selectdb') out.push(['selectdb', r.db]);
    else if (r.kind === 'resizedb') out.push(['resizedb', r.dbSize, r.expiresSize]);
    else if (r.kind === 'function') out.push(['function', latin1(r.code)]);
    else if (r.kind === 'module-aux') out.push(['module-aux', r.moduleName, r.encver, r.when]);
    else if (r.kind === 'slot-info') out.push(['slot-info', r.slot, r.slotSize, r.expiresSlotSize]);
    else if (r.kind === 'slot-import') out.push(['slot-import', latin1(r.jobName), r.ranges]);
  }
  return out;
}

function expectRoundTrip(spec: RdbFileSpec, data: Uint8Array): void {
  const records = readRdbAll(data, { file: 'generated' });
  expect(actualKeys(records)).toEqual(expectedKeys(spec));
  expect(actualOthers(records)).toEqual(expectedOthers(spec));
  const eof = records.at(-1);
  expect(eof?.kind).toBe('eof');
  if (eof?.kind === 'eof' && spec.version >= 5) expect(eof.checksum).toBe(spec.checksum === false ? 'disabled' : 'ok');
}

describe('the generated files read back as written', () => {
  it.each(generatedRdbs().map((f) => [f.name, f] as const))('%s', (_, file) => {
    expectRoundTrip(file.spec, file.data);
  });
});

// ---------------------------------------------------------------------------------------------------
// Random files

const bytes = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 30 }),
  fc.integer({ min: -70000, max: 70000 }).map(String),
  fc.constantFrom('', '-0', '007', 'x'.repeat(70), 'ab'.repeat(40)),
);
const blobItem: fc.Arbitrary<BlobItem> = fc.oneof(bytes, fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }));
/** Distinct by their text, as set members and hash fields must be. */
const distinct = <T>(arb: fc.Arbitrary<T>, show: (t: T) => string, max = 12): fc.Arbitrary<T[]> => fc.uniqueArray(arb, { minLength: 1, maxLength: max, selector: show });
const score = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -1000, max: 1000 }));
const ttl = fc.option(fc.integer({ min: 1, max: 2 ** 45 }), { nil: undefined });
const textOf = (b: Bytes): string => latin1(toBytes(b));

const value: fc.Arbitrary<ValueSpec> = fc.oneof(
  fc.record({ encoding: fc.constant('string' as const), value: fc.oneof(bytes, fc.integer()) }),
  fc.record({ encoding: fc.constantFrom('list-linked' as const, 'list-ziplist' as const), elements: fc.array(blobItem, { minLength: 1, maxLength: 15 }) }),
  fc.record({ encoding: fc.constant('quicklist' as const), nodes: fc.array(fc.record({ elements: fc.array(blobItem, { minLength: 1, maxLength: 6 }) }), { minLength: 1, maxLength: 4 }) }),
  fc.record({
    encoding: fc.constant('quicklist-v2' as const),
    nodes: fc.array(
      fc.oneof(fc.record({ elements: fc.array(blobItem, { minLength: 1, maxLength: 6 }), lzf: fc.boolean() }), fc.record({ plain: bytes.filter((b) => toBytes(b).length > 0) })),
      { minLength: 1, maxLength: 4 },
    ),
  }),
  fc.record({ encoding: fc.constantFrom('set-hashtable' as const, 'set-listpack' as const), members: distinct(blobItem, (m) => (typeof m === 'object' ? textOf(m) : typeof m === 'string' ? textOf(m) : m.toString())) }),
  fc.record({ encoding: fc.constant('set-intset' as const), members: distinct(fc.oneof(fc.integer(), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })), (m) => m.toString()) }),
  fc.record({
    encoding: fc.constantFrom('zset-v1' as const, 'zset-v2' as const, 'zset-ziplist' as const, 'zset-listpack' as const),
    entries: distinct(fc.tuple(bytes, score), ([m]) => textOf(m)),
  }),
  fc.record({
    encoding: fc.constantFrom('hash-hashtable' as const, 'hash-zipmap' as const, 'hash-ziplist' as const, 'hash-listpack' as const),
    fields: distinct(fc.tuple(bytes, bytes), ([f]) => textOf(f)),
  }),
  fc.record({
    encoding: fc.constantFrom('hash-hashtable-md' as const, 'hash-listpack-md' as const, 'hash-hashtable-md-pre-release' as const, 'hash-listpack-md-pre-release' as const),
    fields: distinct(fc.tuple(bytes, bytes, ttl), ([f]) => textOf(f)),
  }),
  fc.record({
    encoding: fc.constant('module-value' as const),
    moduleName: fc.constantFrom('genmodule', 'ReJSON-RL'),
    encver: fc.integer({ min: 0, max: 1023 }),
    operands: fc.array(fc.oneof(fc.record({ uint: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }), fc.record({ string: bytes }), fc.record({ double: fc.double() })), { maxLength: 5 }),
  }),
);

const keySpec: fc.Arbitrary<KeySpec> = fc.record(
  {
    key: bytes,
    value,
    expireMs: fc.integer({ min: 0, max: 2 ** 45 }),
    idle: fc.integer({ min: 0, max: 2 ** 31 }),
    freq: fc.integer({ min: 0, max: 255 }),
  },
  { requiredKeys: ['key', 'value'] },
);

describe('random files read back as written (property)', () => {
  it('every encoding, in a file of the version that knows it', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(keySpec, { maxLength: 8, selector: (k) => textOf(k.key) }),
        fc.constantFrom(9, 10, 11, 12),
        fc.boolean(),
        fc.boolean(),
        (keys, version, compress, checksum) => {
          const usable = keys.filter((k) => (typeInfo(typeCode(k.value), 'REDIS')?.sinceVersion ?? 99) <= Math.max(version, 10));
          const items: RdbItem[] = [{ aux: ['redis-ver', '7.2.0'] }, { selectDb: 0 }, ...usable.map((key): RdbItem => ({ key }))];
          const spec: RdbFileSpec = { version: Math.max(version, ...usable.map((k) => typeInfo(typeCode(k.value), 'REDIS')?.sinceVersion ?? 0)), items, compress, checksum };
          expectRoundTrip(spec, writeRdb(spec));
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** The type byte of an encoding name (through a one-key file, to keep the table in one place). */
function typeCode(value: ValueSpec): number {
  const data = writeRdb({ version: 12, items: [{ key: { key: 'k', value } }] });
  return data[9] as number;
}
