// cspell:words HMSET HPEXPIREAT PEXPIREAT RPUSH XADD XCLAIM XDEL XSETID XTRIM ZADD CREATECONSUMER ENTRIESADDED ENTRIESREAD JUSTID MAXDELETEDID MAXLEN MINID RETRYCOUNT
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAofSync } from '../../src/aof/resp.js';
import { crc64 } from '../../src/codecs/crc64.js';
import { writeAof, writeResp } from '../../src/output/aof.js';
import { newWriteReport } from '../../src/output/report.js';
import { ITEMS_PER_COMMAND } from '../../src/output/rewrite.js';
import type { KeyRecord, RdbRecord, StreamGroup, StreamId, ValueChunk } from '../../src/rdb/model.js';
import { encodeModuleId } from '../../src/rdb/primitives.js';
import { drain } from '../support/record-sources.js';

const text = new TextEncoder();
const b = (s: string): Uint8Array => text.encode(s);
const id = (ms: number, seq: number): StreamId => ({ ms: BigInt(ms), seq: BigInt(seq) });

/** Records of one key: its key record, the value chunks, its key-end. */
function key(name: string, type: KeyRecord['type'], chunks: ValueChunk[], extra: Partial<KeyRecord> = {}): RdbRecord[] {
  const record: KeyRecord = {
    kind: 'key',
    db: 0,
    key: b(name),
    typeCode: 0,
    type,
    encoding: 'test',
    expireMs: undefined,
    idle: undefined,
    freq: undefined,
    metaClasses: undefined,
    meta: undefined,
    module: undefined,
    values: true,
    offset: 0,
    length: 0,
    ...extra,
  };
  return [
    record,
    ...chunks.map((chunk): RdbRecord => ({ kind: 'value', chunk, offset: 0, length: 0 })),
    { kind: 'key-end', key: record.key, type, encoding: 'test', objectEncoding: 'test', elements: 0, encodedBytes: 0, keyOffset: 0, fieldTtls: false, offset: 0, length: 0 },
  ];
}

async function* batches(records: RdbRecord[]): AsyncGenerator<RdbRecord[]> {
  yield records;
}

/** The commands of an output, each as its arguments in latin1. */
function commands(data: Uint8Array): string[][] {
  const out: string[][] = [];
  for (const record of readAofSync(data)) {
    if (record.kind === 'command') out.push(record.args.map((arg) => Buffer.from(arg).toString('latin1')));
  }
  return out;
}

async function aofCommands(records: RdbRecord[], options: Parameters<typeof writeAof>[1] = {}): Promise<string[][]> {
  return commands(await drain(writeAof(batches(records), options)));
}

describe('the AOF writer (Redis rewrite style)', () => {
  it('writes at most 64 items per command, whatever the chunks', async () => {
    const elements = Array.from({ length: 150 }, (_, i) => (i % 2 ? b(`e${i}`) : i));
    const out = await aofCommands(key('l', 'list', [{ type: 'list', elements: elements.slice(0, 100) }, { type: 'list', elements: elements.slice(100) }]));
    expect(out.map((c) => [c[0], c.length - 2])).toEqual([
      ['SELECT', 0],
      ['RPUSH', ITEMS_PER_COMMAND],
      ['RPUSH', ITEMS_PER_COMMAND],
      ['RPUSH', 150 - 2 * ITEMS_PER_COMMAND],
    ]);
    expect(out.slice(1).flatMap((c) => c.slice(2))).toEqual(elements.map((e) => (typeof e === 'number' ? String(e) : Buffer.from(e).toString('latin1'))));
  });

  it('selects each database before its keys and sets TTLs with PEXPIREAT after the value', async () => {
    const out = await aofCommands([
      ...key('a', 'string', [{ type: 'string', value: b('1') }]),
      ...key('b', 'set', [{ type: 'set', members: [b('x'), 7] }], { db: 3, expireMs: 4102444800000 }),
      ...key('c', 'string', [{ type: 'string', value: b('2') }], { db: 3 }),
      ...key('d', 'string', [{ type: 'string', value: b('3') }]),
    ]);
    expect(out).toEqual([
      ['SELECT', '0'],
      ['SET', 'a', '1'],
      ['SELECT', '3'],
      ['SADD', 'b', 'x', '7'],
      ['PEXPIREAT', 'b', '4102444800000'],
      ['SET', 'c', '2'],
      ['SELECT', '0'],
      ['SET', 'd', '3'],
    ]);
  });

  it('writes scores that read back as the same doubles, and refuses NaN', async () => {
    const entries = [1, 2.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e300, 0.1, -3].map((score, i) => ({ member: b(`m${i}`), score }));
    const out = await aofCommands(key('z', 'zset', [{ type: 'zset', entries }]));
    expect(out[1]).toEqual(['ZADD', 'z', '1', 'm0', '2.5', 'm1', 'inf', 'm2', '-inf', 'm3', '-0', 'm4', '1e+300', 'm5', '0.1', 'm6', '-3', 'm7']);
    await expect(aofCommands(key('z', 'zset', [{ type: 'zset', entries: [{ member: b('n'), score: Number.NaN }] }]))).rejects.toThrow(/NaN score/);
  });

  it('gives hash fields their TTLs with HPEXPIREAT after the HMSET that adds them', async () => {
    const out = await aofCommands(
      key('h', 'hash', [{ type: 'hash', entries: [{ field: b('f'), value: b('v'), expireMs: 4102444800123 }, { field: b('g'), value: 5 }] }]),
    );
    expect(out.slice(1)).toEqual([
      ['HMSET', 'h', 'f', 'v', 'g', '5'],
      ['HPEXPIREAT', 'h', '4102444800123', 'FIELDS', '1', 'f'],
    ]);
  });

  it('writes a string in pieces as SET then APPEND', async () => {
    const out = await aofCommands(key('s', 'string', [{ type: 'string', value: b('abcdefghij') }, { type: 'string', value: b('kl') }]), { stringPiece: 4 });
    expect(out.slice(1)).toEqual([
      ['SET', 's', 'abcd'],
      ['APPEND', 's', 'efgh'],
      ['APPEND', 's', 'ij'],
      ['APPEND', 's', 'kl'],
    ]);
  });

  it('writes functions with FUNCTION LOAD and counts what an AOF cannot hold', async () => {
    const report = newWriteReport();
    const records: RdbRecord[] = [
      { kind: 'header', magic: 'REDIS', version: 10, offset: 0, length: 9 },
      { kind: 'aux', key: b('redis-ver'), value: b('7.0.15'), offset: 0, length: 0 },
      { kind: 'function', code: b('#!lua name=lib\nreturn 1'), engine: 'lua', library: 'lib', preRelease: false, offset: 0, length: 0 },
      { kind: 'module-aux', moduleId: 1n, moduleName: 'x', encver: 0, when: 2, body: new Uint8Array([0]), offset: 0, length: 0 },
      ...key('a', 'string', [{ type: 'string', value: b('1') }], { idle: 5 }),
      ...key('b', 'string', [{ type: 'string', value: b('1') }], { freq: 5 }),
      ...key('empty', 'list', []),
    ];
    const out = commands(await drain(writeAof(batches(records), {}, report)));
    expect(out[0]).toEqual(['FUNCTION', 'LOAD', '#!lua name=lib\nreturn 1']);
    expect(report).toEqual({ keys: 2, functions: 1, dropped: { aux: 1, 'module-aux': 1, idle: 1, freq: 1, empty: 1 }, notes: [], warnings: [] });
  });

  it('starts with #TS when asked', async () => {
    const data = await drain(writeAof(batches(key('a', 'string', [{ type: 'string', value: b('1') }])), { timestamp: 1700000000 }));
    expect(Buffer.from(data).toString('latin1')).toMatch(/^#TS:1700000000\r\n\*2\r\n\$6\r\nSELECT/);
  });

  it('writes a module value as RESTORE with a DUMP payload', async () => {
    const moduleId = encodeModuleId('test-type', 3);
    const body = new Uint8Array([2, 5, 0]); // UINT 5, EOF
    const out = await aofCommands([
      { kind: 'header', magic: 'REDIS', version: 9, offset: 0, length: 9 },
      ...key('m', 'module', [{ type: 'module', moduleId, moduleName: 'test-type', encver: 3, opcodes: 1, body }]),
    ]);
    expect(out[1]?.slice(0, 3)).toEqual(['RESTORE', 'm', '0']);
    const payload = Buffer.from(out[1]?.[3] ?? '', 'latin1');
    expect(payload[0]).toBe(7);
    expect(payload.readUInt16LE(payload.length - 10)).toBe(9);
    expect(payload.readBigUInt64LE(payload.length - 8)).toBe(crc64(payload.subarray(0, payload.length - 8)));
    expect(payload.subarray(payload.length - 13, payload.length - 10)).toEqual(Buffer.from(body));
  });
});

describe('streams', () => {
  const entries = [
    { id: id(1, 1), fields: [b('a')], values: [b('1')] },
    { id: id(3, 1), fields: [b('b')], values: [2] },
  ];
  const group: StreamGroup = {
    name: b('g'),
    lastId: id(3, 1),
    entriesRead: 5n,
    pending: [
      { id: id(0, 5), deliveryTimeMs: 1000, deliveryCount: 2, consumer: b('alice') },
      { id: id(1, 1), deliveryTimeMs: 1001, deliveryCount: 1, consumer: b('alice') },
      { id: id(2, 1), deliveryTimeMs: 1002, deliveryCount: 3, consumer: b('bob') },
      { id: id(4, 1), deliveryTimeMs: 1003, deliveryCount: 4, consumer: b('bob') },
    ],
    consumers: [
      { name: b('alice'), seenTimeMs: 1, pending: [id(0, 5), id(1, 1)] },
      { name: b('bob'), seenTimeMs: 2, pending: [id(2, 1), id(4, 1)] },
      { name: b('carol'), seenTimeMs: 3, pending: [] },
    ],
  };
  const stream = key('s', 'stream', [
    { type: 'stream-entries', entries: [entries[0] as (typeof entries)[0]], deleted: 0 },
    { type: 'stream-entries', entries: [entries[1] as (typeof entries)[0]], deleted: 1 },
    { type: 'stream-meta', meta: { length: 2n, lastId: id(4, 1), firstId: id(1, 1), maxDeletedId: id(4, 1), entriesAdded: 6n, groupCount: 1 } },
    { type: 'stream-group', group },
  ]);
  const expected = [
    ['XADD', 's', '0-5', 'redback:placeholder', 'pending entry of a deleted message'],
    ['XADD', 's', '1-1', 'a', '1'],
    ['XADD', 's', '2-1', 'redback:placeholder', 'pending entry of a deleted message'],
    ['XADD', 's', '3-1', 'b', '2'],
    ['XADD', 's', '4-1', 'redback:placeholder', 'pending entry of a deleted message'],
    ['XGROUP', 'CREATE', 's', 'g', '3-1', 'ENTRIESREAD', '5'],
    ['XCLAIM', 's', 'g', 'alice', '0', '0-5', 'TIME', '1000', 'RETRYCOUNT', '2', 'JUSTID', 'FORCE'],
    ['XCLAIM', 's', 'g', 'alice', '0', '1-1', 'TIME', '1001', 'RETRYCOUNT', '1', 'JUSTID', 'FORCE'],
    ['XCLAIM', 's', 'g', 'bob', '0', '2-1', 'TIME', '1002', 'RETRYCOUNT', '3', 'JUSTID', 'FORCE'],
    ['XCLAIM', 's', 'g', 'bob', '0', '4-1', 'TIME', '1003', 'RETRYCOUNT', '4', 'JUSTID', 'FORCE'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'carol'],
    ['XTRIM', 's', 'MINID', '1-1'],
    ['XDEL', 's', '2-1', '4-1'],
    ['XSETID', 's', '4-1', 'ENTRIESADDED', '6', 'MAXDELETEDID', '4-1'],
  ];
  let temp = '';
  beforeAll(async () => {
    temp = await mkdtemp(path.join(tmpdir(), 'redback-rewrite-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('rebuilds pending entries of deleted messages with placeholders, trimmed and deleted before XSETID', async () => {
    expect((await aofCommands(stream)).slice(1)).toEqual(expected);
  });

  it('writes the same when the held-back entries spill to a temporary file, and removes it', async () => {
    expect((await aofCommands(stream, { spillInMemory: 1, tempDir: temp })).slice(1)).toEqual(expected);
    expect(await readdir(temp)).toEqual([]);
  });

  it('removes the temporary file when the consumer stops in the middle of a stream', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ id: id(i + 1, 0), fields: [b('f')], values: [b('x'.repeat(500))] }));
    const big = key('big', 'stream', [
      { type: 'stream-entries', entries: many, deleted: 0 },
      { type: 'stream-meta', meta: { length: 5000n, lastId: id(5000, 0), groupCount: 0 } },
    ]);
    const output = writeAof(
      (async function* () {
        yield big.slice(0, 2);
        expect((await readdir(temp)).length).toBeGreaterThan(0); // the entries went to temporary files
        yield big.slice(2);
      })(),
      { spillInMemory: 1024, tempDir: temp },
    );
    let pieces = 0;
    for await (const piece of output) {
      pieces += piece.length > 0 ? 1 : 0;
      if (pieces > 3) break;
    }
    expect(pieces).toBe(4);
    expect(await readdir(temp)).toEqual([]);
  });

  it("writes Redis's own commands when no pending entry lost its message", async () => {
    const plain = key('p', 'stream', [
      { type: 'stream-entries', entries, deleted: 0 },
      { type: 'stream-meta', meta: { length: 2n, lastId: id(3, 1), groupCount: 1 } },
      { type: 'stream-group', group: { name: b('g'), lastId: id(1, 1), pending: [], consumers: [] } },
    ]);
    expect((await aofCommands(plain)).slice(1)).toEqual([
      ['XADD', 'p', '1-1', 'a', '1'],
      ['XADD', 'p', '3-1', 'b', '2'],
      // A type-15 stream: entries added = length, no deleted ID, and entries read estimated as Redis does.
      ['XSETID', 'p', '3-1', 'ENTRIESADDED', '2', 'MAXDELETEDID', '0-0'],
      ['XGROUP', 'CREATE', 'p', 'g', '1-1', 'ENTRIESREAD', '1'],
    ]);
  });

  it('creates an empty stream with XADD MAXLEN 0', async () => {
    const empty = key('e', 'stream', [{ type: 'stream-meta', meta: { length: 0n, lastId: id(7, 0), firstId: id(0, 0), maxDeletedId: id(0, 0), entriesAdded: 3n, groupCount: 0 } }]);
    expect((await aofCommands(empty)).slice(1)).toEqual([
      ['XADD', 'e', 'MAXLEN', '0', '0-1', 'x', 'y'],
      ['XSETID', 'e', '7-0', 'ENTRIESADDED', '3', 'MAXDELETEDID', '0-0'],
    ]);
  });
});

describe('the RESP writer (redis-cli --pipe)', () => {
  it('replaces what a live server holds: DEL before collections, FUNCTION LOAD REPLACE, RESTORE REPLACE', async () => {
    const records: RdbRecord[] = [
      { kind: 'function', code: b('#!lua name=lib\nreturn 1'), engine: 'lua', library: 'lib', preRelease: false, offset: 0, length: 0 },
      ...key('s', 'string', [{ type: 'string', value: b('v') }]),
      ...key('l', 'list', [{ type: 'list', elements: [b('x')] }]),
      ...key('m', 'module', [{ type: 'module', moduleId: encodeModuleId('test-type', 1), moduleName: 'test-type', encver: 1, opcodes: 0, body: new Uint8Array([0]) }]),
    ];
    const out = commands(await drain(writeResp(batches(records))));
    expect(out.map((c) => c.filter((_, i) => i !== 3 || c[0] !== 'RESTORE'))).toEqual([
      ['FUNCTION', 'LOAD', 'REPLACE', '#!lua name=lib\nreturn 1'],
      ['SELECT', '0'],
      ['SET', 's', 'v'],
      ['DEL', 'l'],
      ['RPUSH', 'l', 'x'],
      ['RESTORE', 'm', '0', 'REPLACE'],
    ]);
    const plain = commands(await drain(writeResp(batches(records), { replace: false })));
    expect(plain.map((c) => c[0])).toEqual(['FUNCTION', 'SELECT', 'SET', 'RPUSH', 'RESTORE']);
  });
});

describe('commands for an older release (target)', () => {
  const redis = (release: string, rdbVersion: number) => ({ name: `redis-${release}`, product: 'redis' as const, release, rdbVersion });
  const fn: RdbRecord = { kind: 'function', code: b('#!lua name=lib\nreturn 1'), engine: 'lua', library: 'lib', preRelease: false, offset: 3, length: 0 };
  const hash = key('h', 'hash', [{ type: 'hash', entries: [{ field: b('f'), value: b('v'), expireMs: 4102444800123 }, { field: b('g'), value: b('w'), expireMs: 4102444800124 }] }]);
  const stream = key('s', 'stream', [
    { type: 'stream-entries', entries: [{ id: id(2, 0), fields: [b('a')], values: [b('1')] }], deleted: 0 },
    { type: 'stream-meta', meta: { length: 1n, lastId: id(2, 0), firstId: id(2, 0), maxDeletedId: id(1, 0), entriesAdded: 2n, groupCount: 1 } },
    {
      type: 'stream-group',
      group: {
        name: b('g'),
        lastId: id(2, 0),
        entriesRead: 2n,
        pending: [{ id: id(1, 0), deliveryTimeMs: 5, deliveryCount: 1, consumer: b('c') }],
        consumers: [
          { name: b('c'), seenTimeMs: 1, pending: [id(1, 0)] },
          { name: b('idle'), seenTimeMs: 1, pending: [] },
        ],
      },
    },
  ]);

  it('refuses what the release cannot hold, naming the key, unless told to drop it', async () => {
    await expect(aofCommands([fn], { target: redis('6.2', 9) })).rejects.toThrow(/function library 'lib', which redis-6.2 cannot hold/);
    await expect(aofCommands(hash, { target: redis('7.2', 11) })).rejects.toThrow(/key 'h' has hash fields with TTLs, which redis-7.2 cannot hold/);
    await expect(aofCommands(stream, { target: redis('6.2', 9) })).rejects.toThrow(/stream 's' has entries-added/);
    await expect(aofCommands(stream, { target: redis('4.0', 8) })).rejects.toThrow(/key 's' is a stream, which redis-4.0 cannot hold/);
  });

  it('with dropUnsupported, leaves it out and counts it (6.0: no XGROUP CREATECONSUMER, no XTRIM MINID)', async () => {
    const report = newWriteReport();
    const out = commands(await drain(writeAof(batches([fn, ...hash, ...stream]), { target: redis('6.0', 9), dropUnsupported: true }, report)));
    expect(out).toEqual([
      ['SELECT', '0'],
      ['HMSET', 'h', 'f', 'v', 'g', 'w'],
      ['XADD', 's', '1-0', 'redback:placeholder', 'pending entry of a deleted message'],
      ['XADD', 's', '2-0', 'a', '1'],
      ['XGROUP', 'CREATE', 's', 'g', '2-0'],
      ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'TIME', '5', 'RETRYCOUNT', '1', 'JUSTID', 'FORCE'],
      ['XDEL', 's', '1-0'],
      ['XSETID', 's', '2-0'],
    ]);
    expect(report.dropped).toEqual({ function: 1, 'field-ttl': 2, 'stream-metadata': 1, 'stream-consumer': 1, 'stream-consumer-times': 2 });
    const old = newWriteReport();
    expect(commands(await drain(writeAof(batches(stream), { target: redis('4.0', 8), dropUnsupported: true }, old)))).toEqual([]);
    expect(old).toMatchObject({ keys: 0, dropped: { stream: 1 } });
  });

  it("stamps module payloads with the release's RDB version", async () => {
    const moduleId = encodeModuleId('test-type', 3);
    const out = await aofCommands(key('m', 'module', [{ type: 'module', moduleId, moduleName: 'test-type', encver: 3, opcodes: 0, body: new Uint8Array([0]) }]), { target: redis('6.2', 9) });
    const payload = Buffer.from(out[1]?.[3] ?? '', 'latin1');
    expect(payload.readUInt16LE(payload.length - 10)).toBe(9);
  });
});
