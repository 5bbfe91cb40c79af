/**
 * The RDB writer without a server: round trips on generated data (every encoding of an input, every target
 * release, with the input's bytes and without), byte-identical copies of files Redis 7.0 wrote, re-encoding
 * as Redis encodes, the choices at the thresholds, spooling of big values, and the errors.
 * (test/rdb/rdb-writer.oracle.test.ts holds the same files to a real redis-server.)
 */
// cspell:words listpack listpacks ziplist zipmap intset quicklist zset zsets hashtable skiplist genmodule
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/bytes/reader.js';
import { CorruptError, UsageError } from '../../src/errors.js';
import { RdbType } from '../../src/rdb/constants.js';
import { DEFAULT_ENCODING_CONFIG, type EncodingConfig } from '../../src/rdb/encoding-config.js';
import type { KeyRecord, RdbRecord, ValueChunk } from '../../src/rdb/model.js';
import { readLength, skipString } from '../../src/rdb/primitives.js';
import { readRdbAll } from '../../src/rdb/reader.js';
import { RDB_TARGETS, resolveTarget, type RdbTarget } from '../../src/rdb/targets.js';
import { newWriteReport, type WriteReport } from '../../src/rdb/write-report.js';
import { writeRdbRecords, type RdbWriteOptions } from '../../src/rdb/writer.js';
import { concat } from '../support/bytes.js';
import { logicalKeys, type LogicalOptions } from '../support/logical-keys.js';
import { REPO_ROOT } from '../support/paths.js';
import { latin1 } from '../support/rdb-collect.js';
import { toBytes, writeRdb, type BlobItem, type Bytes, type KeySpec, type RdbFileSpec, type RdbItem, type StreamSpec, type ValueSpec } from '../support/rdb-writer.js';

const NOW = 1_700_000_000_000;

/** Runs the writer over records; returns the file and the report. */
async function write(records: readonly RdbRecord[], options: RdbWriteOptions = {}): Promise<{ data: Uint8Array; report: WriteReport }> {
  const report = newWriteReport();
  const pieces: Uint8Array[] = [];
  for await (const piece of writeRdbRecords([records], { now: NOW, ...options }, report)) pieces.push(piece);
  return { data: concat(pieces), report };
}

const withoutRaw = (records: readonly RdbRecord[]): RdbRecord[] => records.filter((r) => r.kind !== 'raw');

/** What a target keeps of a key's data, for comparisons. */
function heldBy(target: RdbTarget, inputStreamType: number): LogicalOptions {
  return {
    streamType: Math.min(inputStreamType, target.writes.stream ?? 0),
    fieldTtls: target.writes.fieldTtl !== undefined,
    lruLfu: target.records.idleFreq,
  };
}

function streamTypeOf(records: readonly RdbRecord[]): number {
  let type: number = RdbType.STREAM_LISTPACKS_3;
  for (const r of records) if (r.kind === 'key' && r.type === 'stream') type = Math.min(type, r.typeCode);
  return type;
}

/** The input's keys the target can hold at all (streams from 5.0, module values from 4.0). */
function holdable(records: readonly RdbRecord[], target: RdbTarget): RdbRecord[] {
  const out: RdbRecord[] = [];
  let skip = false;
  for (const r of records) {
    if (r.kind === 'key') skip = (r.type === 'stream' && target.writes.stream === undefined) || (r.type === 'module' && !target.loads.has('module-value'));
    if (!skip) out.push(r);
    if (r.kind === 'key-end') skip = false;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generated inputs: files in every encoding the reader knows (written by test/support/rdb-writer.ts)

const bytes: fc.Arbitrary<Bytes> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.uint8Array({ maxLength: 24 }),
  fc.integer({ min: -70000, max: 70000 }).map(String),
  fc.constantFrom('', '007', 'x'.repeat(70), 'ab'.repeat(40), '9223372036854775807'),
);
const nonEmpty = bytes.filter((b) => toBytes(b).length > 0);
const blobItem: fc.Arbitrary<BlobItem> = fc.oneof(bytes, fc.integer({ min: -(2 ** 40), max: 2 ** 40 }));
const textOf = (b: BlobItem): string => (typeof b === 'number' || typeof b === 'bigint' ? b.toString() : latin1(toBytes(b)));
const distinct = <T>(arb: fc.Arbitrary<T>, show: (t: T) => string, max = 10): fc.Arbitrary<T[]> => fc.uniqueArray(arb, { minLength: 1, maxLength: max, selector: show });
const score = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1, 1e21));
const fieldTtl = fc.option(fc.integer({ min: 1, max: 2 ** 45 }), { nil: undefined });

const streamSpec: fc.Arbitrary<StreamSpec> = fc
  .record({
    entries: fc.array(fc.record({ fields: distinct(nonEmpty, textOf, 3), deleted: fc.boolean(), seqStep: fc.integer({ min: 0, max: 2 }) }), { maxLength: 8 }),
    extraAdded: fc.integer({ min: 0, max: 3 }),
    groups: fc.uniqueArray(
      fc.record({
        name: nonEmpty,
        lastIndex: fc.integer({ min: -1, max: 7 }),
        entriesRead: fc.bigInt({ min: 0n, max: 20n }),
        consumers: fc.uniqueArray(fc.record({ name: nonEmpty, seen: fc.integer({ min: 0, max: 2 ** 42 }), active: fc.integer({ min: 0, max: 2 ** 42 }) }), { minLength: 1, maxLength: 2, selector: (c) => textOf(c.name) }),
        pendingMask: fc.integer({ min: 0, max: 255 }),
      }),
      { maxLength: 2, selector: (g) => textOf(g.name) },
    ),
  })
  .map(({ entries, extraAdded, groups }) => {
    let ms = 1000n;
    const all = entries.map((e, i) => {
      ms += BigInt(1 + e.seqStep * 7);
      return { id: { ms, seq: BigInt(e.seqStep) }, deleted: i % 3 === 0 ? false : e.deleted, fields: e.fields.map(toBytes), values: e.fields.map((f, j) => toBytes(`${textOf(f)}-${i}-${j}`)) };
    });
    const nodes: StreamSpec['nodes'] = [];
    for (let i = 0; i < all.length; i += 3) nodes.push({ masterId: (all[i] as (typeof all)[number]).id, entries: all.slice(i, i + 3) });
    const live = all.filter((e) => !e.deleted);
    const deleted = all.filter((e) => e.deleted);
    const zero = { ms: 0n, seq: 0n };
    return {
      nodes,
      length: BigInt(live.length),
      lastId: all.at(-1)?.id ?? zero,
      firstId: live[0]?.id ?? zero,
      maxDeletedId: deleted.at(-1)?.id ?? zero,
      entriesAdded: BigInt(all.length + extraAdded),
      groups: groups.map((g) => {
        const ids = live.filter((_, i) => (g.pendingMask >> i) & 1).map((e) => e.id);
        return {
          name: g.name,
          lastId: g.lastIndex >= 0 && all[g.lastIndex] ? (all[g.lastIndex] as (typeof all)[number]).id : zero,
          entriesRead: g.entriesRead,
          pending: ids.map((id, i) => ({ id, deliveryTimeMs: 1_600_000_000_000 + i, deliveryCount: 1 + i })),
          consumers: g.consumers.map((c, ci) => ({ name: c.name, seenTimeMs: c.seen, activeTimeMs: c.active, pending: ids.filter((_, i) => i % g.consumers.length === ci) })),
        };
      }),
    };
  });

/** Values in the encodings an RDB of `version` under `magic` can hold. */
function valueArb(version: number, magic: 'REDIS' | 'VALKEY'): fc.Arbitrary<ValueSpec> {
  const options: fc.Arbitrary<ValueSpec>[] = [
    fc.record({ encoding: fc.constant('string' as const), value: fc.oneof(bytes, fc.integer(), fc.constant('y'.repeat(300))) }),
    fc.record({ encoding: fc.constantFrom('list-linked' as const, 'list-ziplist' as const), elements: fc.array(blobItem, { minLength: 1, maxLength: 12 }) }),
    fc.record({ encoding: fc.constantFrom('set-hashtable' as const), members: distinct(blobItem, textOf) }),
    fc.record({ encoding: fc.constant('set-intset' as const), members: distinct(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), String) }),
    fc.record({ encoding: fc.constantFrom('zset-v1' as const, 'zset-ziplist' as const), entries: distinct(fc.tuple(bytes, score), ([m]) => textOf(m)) }),
    fc.record({ encoding: fc.constantFrom('hash-hashtable' as const, 'hash-zipmap' as const, 'hash-ziplist' as const), fields: distinct(fc.tuple(bytes, blobItem), ([f]) => textOf(f)) }),
  ];
  if (version >= 7) options.push(fc.record({ encoding: fc.constant('quicklist' as const), nodes: fc.array(fc.record({ elements: fc.array(blobItem, { minLength: 1, maxLength: 5 }) }), { minLength: 1, maxLength: 3 }) }));
  if (version >= 8) {
    options.push(fc.record({ encoding: fc.constant('zset-v2' as const), entries: distinct(fc.tuple(bytes, score), ([m]) => textOf(m)) }));
    options.push(
      fc.record({
        encoding: fc.constant('module-value' as const),
        moduleName: fc.constantFrom('genmodule', 'ReJSON-RL'),
        encver: fc.integer({ min: 0, max: 1023 }),
        operands: fc.array(fc.oneof(fc.record({ uint: fc.bigInt({ min: 0n, max: 1000n }) }), fc.record({ string: bytes })), { maxLength: 3 }),
      }),
    );
  }
  if (version >= 9) options.push(fc.record({ encoding: fc.constant('stream' as const), stream: streamSpec }));
  if (version >= 10) {
    options.push(fc.record({ encoding: fc.constant('quicklist-v2' as const), nodes: fc.array(fc.oneof(fc.record({ elements: fc.array(blobItem, { minLength: 1, maxLength: 5 }), lzf: fc.boolean() }), fc.record({ plain: nonEmpty })), { minLength: 1, maxLength: 3 }) }));
    options.push(fc.record({ encoding: fc.constant('zset-listpack' as const), entries: distinct(fc.tuple(bytes, score), ([m]) => textOf(m)) }));
    options.push(fc.record({ encoding: fc.constant('hash-listpack' as const), fields: distinct(fc.tuple(bytes, blobItem), ([f]) => textOf(f)) }));
    options.push(fc.record({ encoding: fc.constant('stream-v2' as const), stream: streamSpec }));
  }
  if (version >= 11) {
    options.push(fc.record({ encoding: fc.constant('set-listpack' as const), members: distinct(blobItem, textOf) }));
    options.push(fc.record({ encoding: fc.constant('stream-v3' as const), stream: streamSpec }));
  }
  if (version >= 12 && magic === 'REDIS') {
    options.push(fc.record({ encoding: fc.constantFrom('hash-hashtable-md' as const, 'hash-listpack-md' as const), fields: distinct(fc.tuple(bytes, bytes, fieldTtl), ([f]) => textOf(f)) }));
  }
  if (magic === 'VALKEY') options.push(fc.record({ encoding: fc.constant('hash-2' as const), fields: distinct(fc.tuple(bytes, bytes, fieldTtl), ([f]) => textOf(f)) }));
  return fc.oneof(...options);
}

const inputFile: fc.Arbitrary<RdbFileSpec> = fc
  .constantFrom<[number, 'REDIS' | 'VALKEY']>([6, 'REDIS'], [7, 'REDIS'], [8, 'REDIS'], [9, 'REDIS'], [10, 'REDIS'], [11, 'REDIS'], [12, 'REDIS'], [80, 'VALKEY'])
  .chain(([version, magic]) =>
    fc
      .record({
        dbs: fc.array(
          fc.uniqueArray(
            fc.record(
              {
                key: bytes,
                value: valueArb(version, magic),
                expireMs: fc.integer({ min: 1, max: 2 ** 45 }),
                idle: fc.integer({ min: 0, max: 2 ** 20 }),
                freq: fc.integer({ min: 0, max: 255 }),
              },
              { requiredKeys: ['key', 'value'] },
            ),
            { maxLength: 6, selector: (k) => textOf(k.key) },
          ),
          { minLength: 1, maxLength: 3 },
        ),
        compress: fc.boolean(),
      })
      .map(({ dbs, compress }): RdbFileSpec => {
        const items: RdbItem[] = [{ aux: ['redis-ver', '7.2.0'] }, { aux: ['used-mem', 123456] }];
        dbs.forEach((keys, db) => {
          items.push({ selectDb: db * 3 }, { resizeDb: [keys.length, 0] });
          for (const key of keys) {
            const fixed: KeySpec = version >= 9 ? key : { key: key.key, value: key.value, expireMs: key.expireMs };
            items.push({ key: fixed });
          }
        });
        return { magic, version, items, compress };
      }),
  );

/** Tiny thresholds, so that small generated values take the big encodings and the spool. */
const TINY: EncodingConfig = {
  ...DEFAULT_ENCODING_CONFIG,
  hashMaxEntries: 2,
  hashMaxValue: 8,
  zsetMaxEntries: 2,
  zsetMaxValue: 8,
  setMaxIntsetEntries: 3,
  setMaxListpackEntries: 2,
  setMaxListpackValue: 8,
  listMaxSize: 2,
  listMaxZiplistEntries: 2,
  listMaxZiplistValue: 8,
  streamNodeMaxEntries: 2,
  streamNodeMaxBytes: 64,
};

const spoolDir = mkdtempSync(join(tmpdir(), 'redback-writer-test-'));
afterAll(() => rmSync(spoolDir, { recursive: true, force: true }));

describe('round trips on generated data', () => {
  it('records → RDB → records hold the same data for every target that can hold it, with and without the input bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(inputFile, fc.boolean(), fc.boolean(), async (spec, tiny, raw) => {
        const input = readRdbAll(writeRdb(spec), { raw: true });
        const source = raw ? input : withoutRaw(input);
        for (const target of RDB_TARGETS) {
          const { data, report } = await write(source, {
            target,
            dropUnsupported: true,
            encoding: tiny ? TINY : DEFAULT_ENCODING_CONFIG,
            memoryLimit: tiny ? 48 : undefined,
            tempDir: spoolDir,
          });
          const output = readRdbAll(data, { raw: true });
          const options = heldBy(target, streamTypeOf(input));
          expect(logicalKeys(output, options), `${target.name} from RDB ${spec.version}`).toEqual(logicalKeys(holdable(input, target), options));
          const header = output[0];
          expect(header).toMatchObject({ kind: 'header', magic: target.magic, version: target.rdbVersion });
          expect(output.at(-1)).toMatchObject({ kind: 'eof', checksum: 'ok' });
          if (target.writes.fieldTtl === undefined) {
            const ttls = input.filter((r) => r.kind === 'value' && r.chunk.type === 'hash').flatMap((r) => (r.kind === 'value' && r.chunk.type === 'hash' ? r.chunk.entries : [])).filter((e) => e.expireMs !== undefined).length;
            expect(report.dropped['field-ttl'] ?? 0).toBe(ttls);
          }
          expect(report.keys).toBe(collectCount(holdable(input, target)));
        }
        expect(readdirSync(spoolDir)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('RDB → RDB at the input\'s own version copies every value unchanged (property)', async () => {
    await fc.assert(
      fc.asyncProperty(inputFile, async (spec) => {
        const first = await write(readRdbAll(writeRdb(spec), { raw: true }), { target: ownTarget(spec) });
        const second = await write(readRdbAll(first.data, { raw: true }), { target: ownTarget(spec) });
        expect(Buffer.from(second.data).equals(Buffer.from(first.data))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

function ownTarget(spec: RdbFileSpec): RdbTarget {
  const found = [...RDB_TARGETS].reverse().find((t) => t.magic === (spec.magic ?? 'REDIS') && t.rdbVersion === spec.version);
  if (!found) throw new Error(`no target for RDB ${spec.version}`);
  return found;
}

function collectCount(records: readonly RdbRecord[]): number {
  return records.filter((r) => r.kind === 'key-end').length;
}

// ---------------------------------------------------------------------------------------------------
// Files Redis 7.0 wrote

const FIXTURES = join(REPO_ROOT, 'fixtures');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

/** The input's ctime, for a `now` that writes the same AUX fields. */
function ctimeOf(records: readonly RdbRecord[]): number {
  const aux = records.find((r) => r.kind === 'aux' && latin1(r.key) === 'ctime');
  return aux?.kind === 'aux' ? Number(latin1(aux.value)) * 1000 : NOW;
}

describe('files written by Redis 7.0', () => {
  it.each(['redis-7.0-all-types.rdb', 'redis-7.0-no-checksum.rdb', 'redis-7.0-no-compression.rdb'])('%s converted for Redis 7.0 is the same file, byte for byte', async (name) => {
    const data = fixture(name);
    const records = readRdbAll(data, { raw: true });
    const checksum = name !== 'redis-7.0-no-checksum.rdb';
    const { data: out } = await write(records, { now: ctimeOf(records), encoding: { ...DEFAULT_ENCODING_CONFIG, rdbChecksum: checksum, rdbCompression: name !== 'redis-7.0-no-compression.rdb' } });
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
  });

  it('re-encoded without the input bytes, every key is what Redis wrote but those its history shaped', async () => {
    const data = fixture('redis-7.0-all-types.rdb');
    const records = readRdbAll(data, { raw: true });
    const { data: out } = await write(withoutRaw(records), { now: ctimeOf(records) });
    const differing = [...keyBytes(data).entries()].filter(([key, bytes]) => !Buffer.from(keyBytes(out).get(key) ?? []).equals(Buffer.from(bytes))).map(([key]) => key);
    // Lists built under other list-max-listpack-size / list-compress-depth / packed-threshold settings, and a
    // stream with deleted entries (its nodes keep tombstones that a re-encoding leaves out).
    expect(differing.sort()).toEqual([
      '0:list:quicklist:compressed-middle-nodes',
      '0:list:quicklist:plain-node-over-packed-threshold',
      '0:list:quicklist:three-nodes-of-max-4',
      '0:stream:listpacks:groups-pel-deletions',
    ]);
  });

  it('converted for every release, holds the same data (what the release can hold)', async () => {
    const data = fixture('redis-7.0-all-types.rdb');
    const input = readRdbAll(data, { raw: true });
    for (const target of RDB_TARGETS) {
      const { data: out, report } = await write(input, { target, dropUnsupported: true });
      const options = heldBy(target, RdbType.STREAM_LISTPACKS_2);
      expect(logicalKeys(readRdbAll(out), options), target.name).toEqual(logicalKeys(holdable(input, target), options));
      if (!target.records.functions) expect(report.dropped.function).toBe(1);
    }
  });
});

/** Each key's bytes in a file (prefix opcodes to the end of its value), by `db:name`. */
function keyBytes(data: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let db = 0;
  for (const r of readRdbAll(data)) {
    if (r.kind === 'key') db = r.db;
    if (r.kind === 'key-end') out.set(`${db}:${latin1(r.key)}`, data.subarray(r.keyOffset, r.offset));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Hand-made records

let offset = 0;
function keyRecord(key: string, type: KeyRecord['type'], typeCode: number, encoding: string, extra: Partial<KeyRecord> = {}): KeyRecord {
  return { kind: 'key', db: 0, key: toBytes(key), typeCode, type, encoding, expireMs: undefined, idle: undefined, freq: undefined, metaClasses: undefined, meta: undefined, module: undefined, values: true, offset: offset++, length: 1, ...extra };
}
const value = (chunk: ValueChunk): RdbRecord => ({ kind: 'value', chunk, offset: 0, length: 0 });
const keyEnd = (key: string, type: KeyRecord['type']): RdbRecord => ({ kind: 'key-end', key: toBytes(key), type, encoding: '', objectEncoding: '', elements: 0, encodedBytes: 0, keyOffset: 0, fieldTtls: false, offset: 0, length: 0 });
const text = (s: string): Uint8Array => toBytes(s);

function hashKey(name: string, fields: number, valueLength = 1, ttl?: number): RdbRecord[] {
  const entries = Array.from({ length: fields }, (_, i) => ({ field: text(`f${i}`), value: text('v'.repeat(valueLength)), ...(ttl === undefined ? {} : { expireMs: ttl + i }) }));
  return [keyRecord(name, 'hash', RdbType.HASH, 'hash-hashtable'), value({ type: 'hash', entries }), keyEnd(name, 'hash')];
}

async function encodingsOf(records: RdbRecord[], options: RdbWriteOptions): Promise<Record<string, string>> {
  const { data } = await write(records, options);
  return Object.fromEntries(readRdbAll(data).flatMap((r) => (r.kind === 'key' ? [[latin1(r.key), r.encoding]] : [])));
}

describe('encodings chosen as Redis chooses them', () => {
  it('hashes: listpack (ziplist before 7.0) up to 512 fields of up to 64 bytes, hashtable beyond', async () => {
    const records = [...hashKey('h512', 512), ...hashKey('h513', 513), ...hashKey('v64', 3, 64), ...hashKey('v65', 3, 65)];
    expect(await encodingsOf(records, { target: resolveTarget('7.0') })).toEqual({ h512: 'hash-listpack', h513: 'hash-hashtable', v64: 'hash-listpack', v65: 'hash-hashtable' });
    expect(await encodingsOf(records, { target: resolveTarget('6.2') })).toEqual({ h512: 'hash-ziplist', h513: 'hash-hashtable', v64: 'hash-ziplist', v65: 'hash-hashtable' });
    const conf = { ...DEFAULT_ENCODING_CONFIG, hashMaxEntries: 10 };
    expect(await encodingsOf(hashKey('h11', 11), { target: resolveTarget('7.0'), encoding: conf })).toEqual({ h11: 'hash-hashtable' });
  });

  it('hashes with field TTLs: listpack-ex or metadata hashtable (Redis 7.4), HASH_2 (Valkey 9); dropped TTLs before', async () => {
    const records = [...hashKey('small', 3, 1, 1_800_000_000_000), ...hashKey('big', 600, 1, 1_800_000_000_000)];
    expect(await encodingsOf(records, { target: resolveTarget('7.4') })).toEqual({ small: 'hash-listpack-md', big: 'hash-hashtable-md' });
    expect(await encodingsOf(records, { target: resolveTarget('valkey-9.0') })).toEqual({ small: 'hash-2', big: 'hash-2' });
    const { report } = await write(records, { target: resolveTarget('7.2'), dropUnsupported: true });
    expect(report.dropped['field-ttl']).toBe(603);
    await expect(write(records, { target: resolveTarget('7.2') })).rejects.toThrow(/key 'small' \(db 0\): a hash field TTL, which Redis 7\.2 \(RDB 11\) cannot hold/);
  });

  it('listpack-ex fields are ordered by TTL, those without one last, and HASH_METADATA TTLs are relative to the smallest', async () => {
    const entries = [
      { field: text('late'), value: text('1'), expireMs: 3000 },
      { field: text('none'), value: text('2') },
      { field: text('early'), value: text('3'), expireMs: 1000 },
    ];
    const records = [keyRecord('h', 'hash', RdbType.HASH, 'hash-hashtable'), value({ type: 'hash', entries }), keyEnd('h', 'hash')];
    for (const conf of [DEFAULT_ENCODING_CONFIG, { ...DEFAULT_ENCODING_CONFIG, hashMaxEntries: 1 }]) {
      const { data } = await write(records, { target: resolveTarget('7.4'), encoding: conf });
      const chunk = readRdbAll(data).find((r) => r.kind === 'value');
      expect(chunk?.kind === 'value' && chunk.chunk.type === 'hash' ? chunk.chunk.entries.map((e) => [latin1(e.field as Uint8Array), e.expireMs]) : undefined).toEqual(
        conf.hashMaxEntries === 1 ? [['late', 3000], ['none', undefined], ['early', 1000]] : [['early', 1000], ['late', 3000], ['none', undefined]],
      );
    }
  });

  it('sets: intset up to 512 integers, listpack up to 128 members of up to 64 bytes (7.2+), hashtable beyond', async () => {
    const set = (name: string, members: (string | number)[]): RdbRecord[] => [keyRecord(name, 'set', RdbType.SET, 'set-hashtable'), value({ type: 'set', members: members.map((m) => (typeof m === 'number' ? m : text(m))) }), keyEnd(name, 'set')];
    const ints = (n: number): number[] => Array.from({ length: n }, (_, i) => i * 3 - 100);
    const strings = (n: number): string[] => Array.from({ length: n }, (_, i) => `m${i}`);
    const records = [...set('i512', ints(512)), ...set('i513', ints(513)), ...set('s128', strings(128)), ...set('s129', strings(129)), ...set('mixed', [1, '2', 'x']), ...set('long', ['x'.repeat(65)])];
    expect(await encodingsOf(records, { target: resolveTarget('7.2') })).toEqual({ i512: 'set-intset', i513: 'set-hashtable', s128: 'set-listpack', s129: 'set-hashtable', mixed: 'set-listpack', long: 'set-hashtable' });
    expect(await encodingsOf(records, { target: resolveTarget('7.0') })).toEqual({ i512: 'set-intset', i513: 'set-hashtable', s128: 'set-hashtable', s129: 'set-hashtable', mixed: 'set-hashtable', long: 'set-hashtable' });
  });

  it('zsets: listpack (ziplist before 7.0) up to 128 members of up to 64 bytes, skiplist beyond (ASCII scores before 4.0)', async () => {
    const zset = (name: string, n: number, length = 2): RdbRecord[] => [
      keyRecord(name, 'zset', RdbType.ZSET_2, 'zset-v2'),
      value({ type: 'zset', entries: Array.from({ length: n }, (_, i) => ({ member: text(`m${i}`.padEnd(length, '.')), score: i / 3 })) }),
      keyEnd(name, 'zset'),
    ];
    const records = [...zset('z128', 128), ...zset('z129', 129), ...zset('long', 2, 65)];
    expect(await encodingsOf(records, { target: resolveTarget('7.0') })).toEqual({ z128: 'zset-listpack', z129: 'zset-v2', long: 'zset-v2' });
    expect(await encodingsOf(records, { target: resolveTarget('6.2') })).toEqual({ z128: 'zset-ziplist', z129: 'zset-v2', long: 'zset-v2' });
    expect(await encodingsOf(records, { target: resolveTarget('3.2') })).toEqual({ z128: 'zset-ziplist', z129: 'zset-v1', long: 'zset-v1' });
  });

  it('lists: quicklist nodes of 8 KiB, PLAIN nodes for elements over the node limit from 7.2; ziplist or linked list before 3.2', async () => {
    const list = (name: string, elements: Uint8Array[]): RdbRecord[] => [keyRecord(name, 'list', RdbType.LIST, 'list-linked'), value({ type: 'list', elements }), keyEnd(name, 'list')];
    const small = Array.from({ length: 1000 }, (_, i) => text(`element-${i}-${'x'.repeat(90)}`));
    const records = [...list('small', small), ...list('big', [text('a'), new Uint8Array(10_000).fill(65), text('b')])];
    const layout = async (target: string): Promise<{ counts: number[]; containers: number[] }> => {
      const { data } = await write(records, { target: resolveTarget(target), encoding: { ...DEFAULT_ENCODING_CONFIG, rdbCompression: false } });
      const read = readRdbAll(data, { raw: true });
      const counts = read.filter((r) => r.kind === 'value' && r.chunk.type === 'list').map((r) => (r.kind === 'value' && r.chunk.type === 'list' ? r.chunk.elements.length : 0));
      // The containers of the last key's nodes (quicklist v2: 1 PLAIN, 2 PACKED).
      const last = read.findLastIndex((r) => r.kind === 'key');
      const raw = concat(read.slice(last).flatMap((r) => (r.kind === 'raw' ? [r.bytes] : [])));
      const containers: number[] = [];
      if (target !== '6.2') {
        const r = new ByteReader(raw);
        for (let n = readLength(r); n > 0; n--) {
          containers.push(readLength(r));
          skipString(r);
        }
      }
      return { counts, containers };
    };
    // What Redis 7.0 writes for the same RPUSH commands (rdb-writer.oracle.test.ts checks it on a real server).
    const counts = [78, 78, ...Array<number>(10).fill(77), 74, 1, 1, 1];
    expect(await layout('7.2')).toEqual({ counts, containers: [2, 1, 2] });
    expect(await layout('7.0')).toEqual({ counts, containers: [2, 2, 2] });
    expect(await layout('6.2')).toEqual({ counts, containers: [] });
    const tiny = { ...DEFAULT_ENCODING_CONFIG, listMaxSize: 4 };
    const { data } = await write(list('four', small.slice(0, 10)), { target: resolveTarget('7.0'), encoding: tiny });
    expect(readRdbAll(data).flatMap((r) => (r.kind === 'value' && r.chunk.type === 'list' ? [r.chunk.elements.length] : []))).toEqual([4, 4, 2]);
    expect(await encodingsOf(records, { target: resolveTarget('2.8') })).toEqual({ small: 'list-linked', big: 'list-linked' });
    expect(await encodingsOf(list('tiny', [text('a'), text('b')]), { target: resolveTarget('2.8') })).toEqual({ tiny: 'list-ziplist' });
  });
});

describe('values too big to hold', () => {
  it('are spooled to a temporary file and written the same, which is removed', async () => {
    const members = Array.from({ length: 5000 }, (_, i) => text(`member-${i}`));
    const records: RdbRecord[] = [
      keyRecord('set', 'set', RdbType.SET, 'set-hashtable'),
      value({ type: 'set', members: members.slice(0, 2500) }),
      value({ type: 'set', members: members.slice(2500) }),
      keyEnd('set', 'set'),
      ...hashKey('hash', 3000, 10, 1_900_000_000_000),
      keyRecord('list', 'list', RdbType.LIST, 'list-linked'),
      value({ type: 'list', elements: members }),
      keyEnd('list', 'list'),
    ];
    const dir = mkdtempSync(join(spoolDir, 'big-'));
    for (const target of ['6.2', '7.4', 'valkey-9.0']) {
      const inMemory = await write(records, { target: resolveTarget(target), dropUnsupported: true });
      const spooled = await write(records, { target: resolveTarget(target), dropUnsupported: true, memoryLimit: 1024, tempDir: dir });
      expect(Buffer.from(spooled.data).equals(Buffer.from(inMemory.data)), target).toBe(true);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('a string in several chunks beyond the limit is written plain', async () => {
    const part = new Uint8Array(3000).fill(120);
    const records: RdbRecord[] = [keyRecord('s', 'string', RdbType.STRING, 'string'), value({ type: 'string', value: part }), value({ type: 'string', value: part }), keyEnd('s', 'string')];
    const { data } = await write(records, { target: resolveTarget('7.0'), memoryLimit: 4000, tempDir: spoolDir });
    const read = readRdbAll(data).find((r) => r.kind === 'value');
    expect(read?.kind === 'value' && read.chunk.type === 'string' ? read.chunk.value.length : 0).toBe(6000);
    expect(data.length).toBeGreaterThan(6000); // not LZF-compressed
    const compressed = await write(records, { target: resolveTarget('7.0') });
    expect(compressed.data.length).toBeLessThan(1000);
  });
});

describe('what a target cannot hold', () => {
  const records = readRdbAll(fixture('redis-7.0-all-types.rdb'), { raw: true });

  it('is an error naming the key or record, or left out and counted with dropUnsupported', async () => {
    await expect(write(records, { target: resolveTarget('6.2') })).rejects.toThrow(UsageError);
    await expect(write(records, { target: resolveTarget('6.2') })).rejects.toThrow(/function library mylib, which Redis 6\.2 \(RDB 9\) cannot hold/);
    const { report } = await write(records, { target: resolveTarget('4.0'), dropUnsupported: true });
    expect(report.dropped).toMatchObject({ function: 1, stream: 3 });
    const error = await write(records.filter((r) => r.kind !== 'function'), { target: resolveTarget('4.0') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).offset).toBeGreaterThan(0);
    expect((error as UsageError).message).toMatch(/key 'stream:.*' \(db \d+\): a stream, which Redis 4\.0 \(RDB 8\) cannot hold/);
  });

  it('stream metadata an older stream type loses is reported, what it rebuilds is not', async () => {
    const { report } = await write(records, { target: resolveTarget('6.2'), dropUnsupported: true });
    expect(report.dropped['stream-metadata']).toBe(3);
    const derivable: StreamSpec = {
      nodes: [{ masterId: { ms: 5n, seq: 0n }, entries: [{ id: { ms: 5n, seq: 0n }, deleted: false, fields: [text('f')], values: [text('v')] }, { id: { ms: 6n, seq: 0n }, deleted: false, fields: [text('f')], values: [text('w')] }] }],
      length: 2n,
      lastId: { ms: 6n, seq: 0n },
      firstId: { ms: 5n, seq: 0n },
      maxDeletedId: { ms: 0n, seq: 0n },
      entriesAdded: 2n,
      groups: [{ name: 'g', lastId: { ms: 5n, seq: 0n }, entriesRead: 1n, pending: [], consumers: [{ name: 'c', seenTimeMs: 1, activeTimeMs: 2, pending: [] }] }],
    };
    const file = writeRdb({ version: 11, items: [{ key: { key: 's', value: { encoding: 'stream-v3', stream: derivable } } }] });
    const converted = await write(readRdbAll(file, { raw: true }), { target: resolveTarget('6.2') });
    expect(converted.report.dropped).toEqual({ 'consumer-active-time': 1 });
    // Back to 7.2 without the bytes (7.2 loads type 15 and would get a copy): the metadata Redis rebuilds.
    const back = await write(readRdbAll(converted.data), { target: resolveTarget('7.2') });
    expect(logicalKeys(readRdbAll(back.data), { streamType: 21 })).toEqual(logicalKeys(readRdbAll(file), { streamType: 21 }).map((k) => withActive(k)));
  });
});

/** The key with its consumers' active time replaced by their seen time (what an older stream type gives back). */
function withActive(key: unknown): unknown {
  const k = key as { value: { groups: { consumers: { seen: number; active: number }[] }[] } };
  return { ...k, value: { ...k.value, groups: k.value.groups.map((g) => ({ ...g, consumers: g.consumers.map((c) => ({ ...c, active: c.seen })) })) } };
}

describe('records out of order', () => {
  it('are errors; a record stream without a header needs a target', async () => {
    const key = keyRecord('k', 'string', RdbType.STRING, 'string');
    await expect(write([value({ type: 'string', value: text('v') })], { target: resolveTarget('7.0') })).rejects.toThrow(/records out of RDB section order: a value record outside a key/);
    await expect(write([key, key], { target: resolveTarget('7.0') })).rejects.toThrow(/a key record inside the value of key 'k'/);
    await expect(write([key, value({ type: 'string', value: text('v') })], { target: resolveTarget('7.0') })).rejects.toThrow(/the records ended inside the value of key 'k'/);
    await expect(write([key, value({ type: 'list', elements: [] }), keyEnd('k', 'string')], { target: resolveTarget('7.0') })).rejects.toThrow(CorruptError);
    const eof: RdbRecord = { kind: 'eof', storedChecksum: 0n, computedChecksum: 0n, checksum: 'disabled', offset: 0, length: 9 };
    await expect(write([eof, key], { target: resolveTarget('7.0') })).rejects.toThrow(/key 'k' after the end of the file/);
    await expect(write([key, value({ type: 'string', value: text('v') }), keyEnd('k', 'string')])).rejects.toThrow(/no target release/);
  });

  it('an empty collection is left out and counted', async () => {
    const { data, report } = await write([keyRecord('e', 'set', RdbType.SET, 'set-hashtable'), keyEnd('e', 'set')], { target: resolveTarget('7.0') });
    expect(report).toMatchObject({ keys: 0, dropped: { empty: 1 } });
    expect(readRdbAll(data).filter((r) => r.kind === 'key')).toEqual([]);
  });
});
