// cspell:words ud800
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptError, TruncatedError, UnsupportedError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { identifyConvertInput, identifyFormat, sniffDump } from '../../src/input/detect.js';
import { readDumpBytes, readDumpFile } from '../../src/input/json-dump.js';
import { dumpRecordSource } from '../../src/input/dump-records.js';
import { writeJson, writeJsonl } from '../../src/output/json.js';
import type { Element, HashEntry, KeyRecord, RdbRecord, StreamEntry, StreamGroup, ValueChunk, ZsetEntry } from '../../src/rdb/model.js';
import { encodeModuleId } from '../../src/rdb/primitives.js';
import { readRdbAll } from '../../src/rdb/reader.js';
import { inRepoRdbs } from '../support/generated-rdbs.js';
import { logicalRecords } from '../support/logical-records.js';
import { drain } from '../support/record-sources.js';
import { makeTempDir, stopAll } from '../support/redis.js';

const utf8 = new TextEncoder();
const b = (s: string): Uint8Array => utf8.encode(s);

async function* once(records: readonly RdbRecord[]): AsyncGenerator<readonly RdbRecord[]> {
  yield records;
}

/** `records` in batches of `size`, as a reader yields them. */
async function* inBatches(records: readonly RdbRecord[], size: number): AsyncGenerator<readonly RdbRecord[]> {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size);
}

async function jsonl(records: readonly RdbRecord[], lineBudget?: number): Promise<Buffer> {
  return drain(writeJsonl(once(records), { lineBudget }));
}

function keyRecord(name: Uint8Array, type: KeyRecord['type'], extra: Partial<KeyRecord> = {}): KeyRecord {
  return { kind: 'key', db: 0, key: name, typeCode: 0, type, encoding: 'string', expireMs: undefined, idle: undefined, freq: undefined, metaClasses: undefined, meta: undefined, module: undefined, values: true, offset: 0, length: 0, ...extra };
}

function keyEnd(record: KeyRecord): RdbRecord {
  return { kind: 'key-end', key: record.key, type: record.type, encoding: record.encoding, objectEncoding: '', elements: 0, encodedBytes: 0, keyOffset: 0, fieldTtls: false, offset: 0, length: 0 };
}

const TYPE_CODES: Record<KeyRecord['type'], [number, string]> = {
  string: [0, 'string'],
  list: [18, 'quicklist-v2'],
  set: [2, 'set-hashtable'],
  zset: [5, 'zset-v2'],
  hash: [4, 'hash-hashtable'],
  stream: [21, 'stream-v3'],
  module: [7, 'module-value'],
};

function key(name: string | Uint8Array, type: KeyRecord['type'], chunks: ValueChunk[], extra: Partial<KeyRecord> = {}): RdbRecord[] {
  const [typeCode, encoding] = TYPE_CODES[type];
  const record = keyRecord(typeof name === 'string' ? b(name) : name, type, { typeCode, encoding, ...extra });
  return [record, ...chunks.map((chunk): RdbRecord => ({ kind: 'value', chunk, offset: 0, length: 0 })), keyEnd(record)];
}

const HEADER: RdbRecord = { kind: 'header', magic: 'REDIS', version: 11, offset: 0, length: 9 };
const EOF: RdbRecord = { kind: 'eof', storedChecksum: 0n, computedChecksum: 0n, checksum: 'ok', offset: 0, length: 9 };

describe('the JSON dump: RDB → records → dump → records', () => {
  for (const file of inRepoRdbs()) {
    it(`${file.name} comes back the same, as JSONL and as JSON, in lines of any length`, async () => {
      const records = readRdbAll(file.data);
      const expected = logicalRecords(records);
      for (const lineBudget of [undefined, 64]) {
        for (const write of [writeJsonl, writeJson]) {
          const text = await drain(write(inBatches(records, 7), { lineBudget }));
          expect(logicalRecords(await readDumpBytes(text, { recordsPerBatch: 5 }))).toEqual(expected);
        }
      }
    });
  }
});

describe('the dump format', () => {
  it('writes the documented objects, one per line', async () => {
    const moduleId = encodeModuleId('test-type', 2);
    const records: RdbRecord[] = [
      HEADER,
      { kind: 'aux', key: b('redis-ver'), value: b('7.2.4'), offset: 0, length: 0 },
      { kind: 'function', code: b('#!lua name=lib\nreturn 1'), engine: 'lua', library: 'lib', preRelease: false, offset: 0, length: 0 },
      { kind: 'module-aux', moduleId, moduleName: 'test-type', encver: 2, when: 2, body: new Uint8Array([0]), offset: 0, length: 0 },
      { kind: 'selectdb', db: 2, offset: 0, length: 0 },
      { kind: 'resizedb', dbSize: 6, expiresSize: 1, offset: 0, length: 0 },
      ...key('s', 'string', [{ type: 'string', value: new Uint8Array([0xff, 0x00]) }], { db: 2, expireMs: 4102444800000, idle: 7 }),
      ...key('l', 'list', [{ type: 'list', elements: [b('a"\n'), 12, 2n ** 63n - 1n] }], { db: 2 }),
      ...key('z', 'zset', [{ type: 'zset', entries: [{ member: b('m'), score: -0 }, { member: b('n'), score: Number.NEGATIVE_INFINITY }, { member: b('o'), score: 0.1 }] }], { db: 2 }),
      ...key('h', 'hash', [{ type: 'hash', entries: [{ field: b('f'), value: b('v'), expireMs: 4102444800001 }, { field: b('g'), value: b('w') }] }], { db: 2, freq: 3 }),
      ...key(
        'x',
        'stream',
        [
          { type: 'stream-entries', entries: [{ id: { ms: 1n, seq: 0n }, fields: [b('f')], values: [b('v')] }], deleted: 1 },
          { type: 'stream-meta', meta: { length: 1n, lastId: { ms: 2n, seq: 0n }, firstId: { ms: 1n, seq: 0n }, maxDeletedId: { ms: 2n, seq: 0n }, entriesAdded: 2n, groupCount: 1 } },
          {
            type: 'stream-group',
            group: {
              name: b('g'),
              lastId: { ms: 1n, seq: 0n },
              entriesRead: 2n ** 64n - 1n,
              pending: [{ id: { ms: 1n, seq: 0n }, deliveryTimeMs: 1700000000000, deliveryCount: 2, consumer: b('c') }],
              consumers: [{ name: b('c'), seenTimeMs: 1700000000001, activeTimeMs: 1700000000002, pending: [{ ms: 1n, seq: 0n }] }],
            },
          },
        ],
        { db: 2 },
      ),
      ...key('m', 'module', [{ type: 'module', moduleId, moduleName: 'test-type', encver: 2, opcodes: 1, body: new Uint8Array([2, 5, 0]) }], {
        db: 2,
        module: { moduleId, moduleName: 'test-type', encver: 2 },
      }),
      EOF,
    ];
    const text = (await jsonl(records)).toString('utf8');
    expect(text.split('\n')).toEqual([
      '{"schemaVersion":1,"format":"redback-dump","magic":"REDIS","rdbVersion":11}',
      '{"kind":"aux","key":"redis-ver","value":"7.2.4"}',
      '{"kind":"function","code":"#!lua name=lib\\nreturn 1"}',
      `{"kind":"module-aux","module":{"id":"${moduleId}","name":"test-type","encver":2},"when":2,"value":{"base64":"AA=="}}`,
      '{"kind":"resizedb","db":2,"keys":6,"expires":1}',
      '{"db":2,"key":"s","type":"string","rdbType":"string","expireAt":4102444800000,"idle":7,"value":{"base64":"/wA="}}',
      '{"db":2,"key":"l","type":"list","rdbType":"quicklist-v2","value":["a\\"\\n","12","9223372036854775807"]}',
      '{"db":2,"key":"z","type":"zset","rdbType":"zset-v2","value":[["m",-0],["n","-inf"],["o",0.1]]}',
      '{"db":2,"key":"h","type":"hash","rdbType":"hash-hashtable","freq":3,"value":[["f","v",4102444800001],["g","w"]]}',
      '{"db":2,"key":"x","type":"stream","rdbType":"stream-v3","value":{"entries":[["1-0",["f","v"]]],"length":"1","lastId":"2-0","firstId":"1-0","maxDeletedId":"2-0","entriesAdded":"2","deleted":1,' +
        '"groups":[{"name":"g","lastId":"1-0","entriesRead":"-1","pending":[["1-0",1700000000000,2]],"consumers":[{"name":"c","seenTime":1700000000001,"activeTime":1700000000002,"pending":["1-0"]}]}]}}',
      `{"db":2,"key":"m","type":"module","rdbType":"module-value","module":{"id":"${moduleId}","name":"test-type","encver":2},"value":{"base64":"AgUA"}}`,
      '{"kind":"end"}',
      '',
    ]);
    expect(logicalRecords(await readDumpBytes(Buffer.from(text)))).toEqual(logicalRecords(records));
    const document = (await drain(writeJson(once(records)))).toString('utf8');
    expect(JSON.parse(document)).toEqual({ schemaVersion: 1, format: 'redback-dump', magic: 'REDIS', rdbVersion: 11, records: text.trim().split('\n').slice(1).map((line) => JSON.parse(line)) });
  });

  it('keeps lines bounded: a large string and a long list continue on "more" lines', async () => {
    const big = new Uint8Array(3 << 20).fill(0x61);
    big.set(b('é€'), (1 << 20) - 1); // a character across the first cut
    const elements = Array.from({ length: 100_000 }, (_, i) => b(`element-${i}`));
    const records = [HEADER, ...key('big', 'string', [{ type: 'string', value: big }]), ...key('long', 'list', [{ type: 'list', elements }]), EOF];
    const text = await jsonl(records);
    const lines = text.toString('utf8').trimEnd().split('\n');
    expect(Math.max(...lines.map((line) => Buffer.byteLength(line)))).toBeLessThan((1 << 20) + 200);
    expect(lines.filter((line) => line.startsWith('{"kind":"more"')).length).toBeGreaterThan(3);
    expect(lines.every((line) => !line.includes('base64'))).toBe(true); // cut at character boundaries: still UTF-8
    expect(logicalRecords(await readDumpBytes(text))).toEqual(logicalRecords(records));
  });

  it('reads a document however it is laid out (pretty-printed, CRLF, a BOM)', async () => {
    const records = readRdbAll(inRepoRdbs()[0]?.data as Uint8Array);
    const expected = logicalRecords(records);
    const document = JSON.parse((await drain(writeJson(once(records)))).toString('utf8')) as unknown;
    expect(logicalRecords(await readDumpBytes(Buffer.from(JSON.stringify(document, null, 2))))).toEqual(expected);
    const lines = (await jsonl(records)).toString('utf8');
    expect(logicalRecords(await readDumpBytes(Buffer.from(`\ufeff${lines.replaceAll('\n', '\r\n')}`)))).toEqual(expected);
    const spread = lines
      .trim()
      .split('\n')
      .map((line) => JSON.stringify(JSON.parse(line), null, 1))
      .join('\n\n');
    expect(logicalRecords(await readDumpBytes(Buffer.from(spread)))).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Round trips of generated records

const bytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => b(s)),
  fc.uint8Array({ maxLength: 12 }),
  fc.constantFrom(b(''), b('"\\\n\t\u0001'), new Uint8Array([0xc3]), b('123')),
);
const element: fc.Arbitrary<Element> = fc.oneof(bytes, fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
const time = fc.integer({ min: 0, max: 2 ** 45 });
const streamId = fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([ms, seq]) => ({ ms, seq }));

/** Cuts an array into 1–3 consecutive pieces (a reader's chunks). */
function pieces<T>(items: T[], cut: number): T[][] {
  if (items.length < 2) return [items];
  const at = 1 + (cut % (items.length - 1));
  return [items.slice(0, at), items.slice(at)];
}

const uniqueBytes = (max: number): fc.Arbitrary<Uint8Array[]> => fc.uniqueArray(bytes, { maxLength: max, selector: (x) => Buffer.from(x).toString('latin1') });

const keyValue: fc.Arbitrary<{ type: KeyRecord['type']; chunks: ValueChunk[]; module?: KeyRecord['module'] }> = fc.oneof(
  fc.tuple(bytes, fc.nat()).map(([value, cut]) => ({ type: 'string' as const, chunks: cut % 3 === 0 ? [{ type: 'string' as const, value }, { type: 'string' as const, value: b('tail') }] : [{ type: 'string' as const, value }] })),
  fc.tuple(fc.array(element, { minLength: 1, maxLength: 8 }), fc.nat()).map(([elements, cut]) => ({ type: 'list' as const, chunks: pieces(elements, cut).map((e) => ({ type: 'list' as const, elements: e })) })),
  fc.tuple(uniqueBytes(8), fc.nat()).filter(([m]) => m.length > 0).map(([members, cut]) => ({ type: 'set' as const, chunks: pieces(members, cut).map((m) => ({ type: 'set' as const, members: m })) })),
  fc
    .tuple(uniqueBytes(6), fc.array(fc.double({ noNaN: true }), { minLength: 6, maxLength: 6 }), fc.nat())
    .filter(([m]) => m.length > 0)
    .map(([members, scores, cut]) => {
      const entries: ZsetEntry[] = members.map((member, i) => ({ member, score: scores[i] as number }));
      return { type: 'zset' as const, chunks: pieces(entries, cut).map((e) => ({ type: 'zset' as const, entries: e })) };
    }),
  fc
    .tuple(uniqueBytes(6), fc.array(fc.tuple(element, fc.option(time, { nil: undefined })), { minLength: 6, maxLength: 6 }), fc.nat())
    .filter(([f]) => f.length > 0)
    .map(([fields, values, cut]) => {
      const entries: HashEntry[] = fields.map((field, i) => {
        const [value, expireMs] = values[i] as [Element, number | undefined];
        return expireMs === undefined ? { field, value } : { field, value, expireMs };
      });
      return { type: 'hash' as const, chunks: pieces(entries, cut).map((e) => ({ type: 'hash' as const, entries: e })) };
    }),
  fc
    .tuple(
      fc.uniqueArray(streamId, { maxLength: 5, selector: (id) => `${id.ms}-${id.seq}` }),
      fc.array(fc.array(fc.tuple(element, element), { maxLength: 3 }), { minLength: 5, maxLength: 5 }),
      fc.boolean(),
      fc.array(fc.tuple(bytes, streamId, fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }), fc.array(fc.tuple(bytes, time, fc.boolean()), { maxLength: 3 })), { maxLength: 2 }),
      fc.nat(),
      fc.nat({ max: 9 }),
    )
    .map(([ids, fieldSets, v2, groupSpecs, cut, deleted]) => {
      const sorted = [...ids].sort((x, y) => (x.ms !== y.ms ? (x.ms < y.ms ? -1 : 1) : x.seq < y.seq ? -1 : x.seq > y.seq ? 1 : 0));
      const entries: StreamEntry[] = sorted.map((id, i) => {
        const pairs = fieldSets[i] ?? [];
        return { id, fields: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) };
      });
      const groups: StreamGroup[] = groupSpecs.map(([name, lastId, entriesRead, consumerSpecs], g) => {
        const pending = sorted.slice(0, consumerSpecs.length).map((id, i) => ({ id, deliveryTimeMs: (consumerSpecs[i] as [Uint8Array, number, boolean])[1], deliveryCount: i + g, consumer: b(`c${i}`) }));
        const consumers = consumerSpecs.map(([, seen, active], i) => ({
          name: b(`c${i}`),
          seenTimeMs: seen,
          ...(active ? { activeTimeMs: seen + 1 } : {}),
          pending: i < pending.length ? [(pending[i] as { id: { ms: bigint; seq: bigint } }).id] : [],
        }));
        return { name: Buffer.concat([Buffer.from(`g${g}`), name]), lastId, ...(entriesRead === undefined ? {} : { entriesRead }), pending, consumers };
      });
      const last = sorted.at(-1) ?? { ms: 0n, seq: 0n };
      const meta = {
        length: BigInt(entries.length),
        lastId: last,
        groupCount: groups.length,
        ...(v2 ? { firstId: sorted[0] ?? { ms: 0n, seq: 0n }, maxDeletedId: { ms: 0n, seq: 0n }, entriesAdded: BigInt(entries.length + deleted) } : {}),
      };
      const chunks: ValueChunk[] = [
        ...pieces(entries, cut).map((e, i) => ({ type: 'stream-entries' as const, entries: e, deleted: i === 0 ? deleted : 0 })),
        { type: 'stream-meta' as const, meta },
        ...groups.map((group) => ({ type: 'stream-group' as const, group })),
      ];
      return { type: 'stream' as const, chunks };
    }),
  fc.tuple(fc.nat({ max: 1023 }), fc.uint8Array({ maxLength: 6 })).map(([encver, payload]) => {
    const moduleId = encodeModuleId('test-type', encver);
    // A body of one STRING opcode then EOF: 5, length, bytes, 0.
    const body = new Uint8Array([5, payload.length, ...payload, 0]);
    return { type: 'module' as const, module: { moduleId, moduleName: 'test-type', encver }, chunks: [{ type: 'module' as const, moduleId, moduleName: 'test-type', encver, opcodes: 1, body }] };
  }),
);

const keys = fc.array(
  fc.tuple(fc.nat({ max: 15 }), bytes, keyValue, fc.option(time, { nil: undefined }), fc.option(fc.nat({ max: 1 << 20 }), { nil: undefined }), fc.option(fc.nat({ max: 255 }), { nil: undefined })),
  { maxLength: 8 },
);

describe('round trips of generated records', () => {
  it('records → JSONL → records are equal (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(keys, fc.array(fc.tuple(bytes, bytes), { maxLength: 3 }), fc.constantFrom(undefined, 40), fc.boolean(), async (keySpecs, aux, lineBudget, document) => {
        const records: RdbRecord[] = [HEADER, ...aux.map(([k, v]): RdbRecord => ({ kind: 'aux', key: k, value: v, offset: 0, length: 0 }))];
        for (const [db, name, value, expireMs, idle, freq] of keySpecs) {
          records.push(...key(name, value.type, value.chunks, { db, expireMs, idle, freq, module: value.module }));
        }
        records.push(EOF);
        const text = await drain((document ? writeJson : writeJsonl)(inBatches(records, 3), { lineBudget }));
        expect(logicalRecords(await readDumpBytes(text))).toEqual(logicalRecords(records));
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input

const VALID_HEADER = '{"schemaVersion":1,"format":"redback-dump","magic":"REDIS","rdbVersion":10}\n';

async function readText(text: string): Promise<RdbRecord[]> {
  return readDumpBytes(Buffer.from(text), { file: 'dump.jsonl' });
}

describe('bad dumps are refused with the file, the offset and the line', () => {
  const cases: [string, string, RegExp, new (...args: never[]) => Error][] = [
    ['without its end record (truncated)', `${VALID_HEADER}{"db":0,"key":"a","type":"string","value":"x"}\n`, /without its "end" record/, TruncatedError],
    ['cut inside a record', `${VALID_HEADER}{"db":0,"key":"a","type":"str`, /ends inside a value/, TruncatedError],
    ['a line that is not JSON', `${VALID_HEADER}{"db":0,"key":"a",}\n{"kind":"end"}\n`, /line 2: not valid JSON/, CorruptError],
    ['an unknown kind', `${VALID_HEADER}{"kind":"bogus"}\n{"kind":"end"}\n`, /line 2: unknown record kind "bogus"/, CorruptError],
    ['"more" without a key', `${VALID_HEADER}{"kind":"more","value":[]}\n{"kind":"end"}\n`, /line 2: a "more" record without a key/, CorruptError],
    ['bad base64', `${VALID_HEADER}{"db":0,"key":{"base64":"@@"},"type":"string","value":"x"}\n{"kind":"end"}\n`, /line 2: "key": not valid base64/, CorruptError],
    ['a lone surrogate', `${VALID_HEADER}{"db":0,"key":"\\ud800","type":"string","value":"x"}\n{"kind":"end"}\n`, /lone surrogate/, CorruptError],
    ['a wrong type name', `${VALID_HEADER}{"db":0,"key":"a","type":"text","value":"x"}\n{"kind":"end"}\n`, /"type" must be one of/, CorruptError],
    ['an RDB type of another type', `${VALID_HEADER}{"db":0,"key":"a","type":"list","rdbType":"hash-listpack","value":[]}\n{"kind":"end"}\n`, /not an encoding of a list/, CorruptError],
    ['stream IDs out of order', `${VALID_HEADER}{"db":0,"key":"s","type":"stream","value":{"entries":[["2-0",[]],["1-0",[]]]}}\n{"kind":"end"}\n`, /IDs must increase/, CorruptError],
    ['a record after the end', `${VALID_HEADER}{"kind":"end"}\n{"kind":"end"}\n`, /line 3: a record after the end record/, CorruptError],
    ['another JSON file', '{"name":"package","version":"1.0.0"}\n', /not a redback dump/, CorruptError],
    ['a document cut short', '{"schemaVersion":1,"format":"redback-dump","magic":"REDIS","rdbVersion":10,"records":[\n{"kind":"end"}', /the file ends inside the "records" array/, TruncatedError],
  ];
  for (const [what, text, message, kind] of cases) {
    it(what, async () => {
      const error = await readText(text).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(kind);
      expect((error as CorruptError).message).toMatch(message);
      expect((error as CorruptError).file).toBe('dump.jsonl');
      expect((error as CorruptError).offset).toBeTypeOf('number');
    });
  }

  it('names the offset of the bad line', async () => {
    const error = (await readText(`${VALID_HEADER}{"kind":"bogus"}\n{"kind":"end"}\n`).catch((e: unknown) => e)) as CorruptError;
    expect(error.offset).toBe(VALID_HEADER.length);
  });

  it('a newer schema version is unsupported, not corrupt', async () => {
    const error = await readText('{"schemaVersion":2,"format":"redback-dump","magic":"REDIS","rdbVersion":10}\n{"kind":"end"}\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toMatch(/schema version 2 is newer/);
  });

  it('unknown fields are ignored (new fields may appear without a new schema version)', async () => {
    const records = await readText(`${VALID_HEADER.replace('}', ',"createdBy":"x"}')}{"db":0,"key":"a","type":"string","value":"x","future":true}\n{"kind":"end","keys":1}\n`);
    expect(records.map((r) => r.kind)).toEqual(['header', 'selectdb', 'key', 'value', 'key-end', 'eof']);
  });
});

// ---------------------------------------------------------------------------------------------
// Files

describe('dump files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir('redback-dump-');
  });
  afterAll(stopAll);

  it('are recognised by their content, plain or LZ4, whatever their name', async () => {
    const records = readRdbAll(inRepoRdbs()[0]?.data as Uint8Array);
    const expected = logicalRecords(records);
    const lines = await jsonl(records);
    const document = await drain(writeJson(once(records)));
    const files: [string, Uint8Array, 'json' | 'jsonl'][] = [
      ['backup.txt', lines, 'jsonl'],
      ['backup.data', document, 'json'],
      ['pretty', Buffer.from(JSON.stringify(JSON.parse(document.toString('utf8')), null, 2)), 'json'],
    ];
    for (const [name, data, layout] of files) {
      const file = path.join(dir, name);
      await writeFile(file, data);
      expect(await sniffDump(file)).toBe(layout);
      expect(await identifyConvertInput(file)).toEqual({ kind: 'dump', path: file, layout });
      const back: RdbRecord[] = [];
      for await (const batch of readDumpFile(file)) back.push(...batch);
      expect(logicalRecords(back)).toEqual(expected);
    }
    const compressed = path.join(dir, 'backup.jsonl.lz4');
    await writeFileAtomic(compressed, [lines], 'lz4');
    expect(await sniffDump(compressed)).toBe('jsonl');
    const back: RdbRecord[] = [];
    for await (const batch of readDumpFile(compressed)) back.push(...batch);
    expect(logicalRecords(back)).toEqual(expected);
  });

  it('open as a record source for convert: header, records, key sizes', async () => {
    const records = readRdbAll(inRepoRdbs()[0]?.data as Uint8Array);
    const file = path.join(dir, 'source.jsonl');
    await writeFile(file, await jsonl(records));
    const source = await dumpRecordSource(file, 'jsonl');
    expect(source).toMatchObject({ format: 'jsonl', path: file, compressed: false, header: { magic: 'REDIS', version: 10 } });
    const back: RdbRecord[] = [];
    for await (const batch of source.records()) back.push(...batch);
    expect(logicalRecords(back)).toEqual(logicalRecords(records));
    const sizes: number[] = [];
    for await (const batch of source.keySizes()) sizes.push(...batch);
    expect(sizes.length).toBe(records.filter((r) => r.kind === 'key').length);
    expect(sizes.every((size) => size > 0)).toBe(true);
  });

  it('are not RDB or AOF files for check and inspect, which say what they are', async () => {
    const file = path.join(dir, 'dump.jsonl');
    await writeFile(file, VALID_HEADER + '{"kind":"end"}\n');
    await expect(identifyFormat(file)).rejects.toThrow(/a redback JSON dump, not an RDB or AOF/);
    const other = path.join(dir, 'other.json');
    await writeFile(other, '{"a":1}\n');
    expect(await sniffDump(other)).toBeUndefined();
    await expect(identifyFormat(other)).rejects.toThrow(/unknown signature/);
  });
});
