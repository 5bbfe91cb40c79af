/**
 * `convert` as an operation: the streaming pipeline (file read in 1 MiB pieces with its buffer reused, values
 * built only where the writer re-encodes) gives the same file as the writer on records in memory; filters,
 * atomic output, standard output, LZ4, --redis-conf, refusals, and the report. Every other format: the same
 * output as its writer, filters, standard output, LZ4, multi-part sets (RESP or RDB BASE, refusals, nothing
 * left by a failure), the RDB preamble, JSON/JSONL dumps read back.
 */
// cspell:words listpack quicklist zset ziplist hashtable skiplist appendonly
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lz4DecodeBuffer, lz4EncodeBuffer } from '../../src/codecs/lz4.js';
import { UsageError } from '../../src/errors.js';
import { convert, type ConvertOptions } from '../../src/operations/convert.js';
import { readDumpFile } from '../../src/input/json-dump.js';
import { writeAof, writeResp } from '../../src/output/aof.js';
import { writeJson, writeJsonl } from '../../src/output/json.js';
import type { RdbRecord } from '../../src/rdb/model.js';
import { readRdbAll } from '../../src/rdb/reader.js';
import { resolveTarget, targetForRdbVersion } from '../../src/rdb/targets.js';
import { newWriteReport } from '../../src/rdb/write-report.js';
import { writeRdbRecords } from '../../src/rdb/writer.js';
import { concat } from '../support/bytes.js';
import { logicalKeys } from '../support/logical-keys.js';
import { REPO_ROOT } from '../support/paths.js';
import { collectRecords, latin1 } from '../support/rdb-collect.js';
import { drain } from '../support/record-sources.js';
import { makeTempDir, stopAll } from '../support/redis.js';
import { writeRdb, type KeySpec, type RdbItem, type StreamSpec } from '../support/rdb-writer.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');
let dir: string;
let input: string;
let data: Uint8Array;

/** MiBs of every kind of value, so that reads of 1 MiB end inside keys. */
function bigInput(): Uint8Array {
  const items: RdbItem[] = [{ aux: ['redis-ver', '7.0.15'] }, { aux: ['ctime', 1_700_000_000] }, { function: '#!lua name=lib\nredis.register_function("f", function() return 1 end)' }];
  const text = (s: string, n: number): string => s.repeat(Math.ceil(n / s.length)).slice(0, n);
  for (const db of [0, 2]) {
    items.push({ selectDb: db }, { resizeDb: [40, 5] });
    for (let i = 0; i < 8; i++) {
      const keys: KeySpec[] = [
        { key: `string:${i}`, value: { encoding: 'string', value: text(`value ${i} `, 150_000 + i) } },
        { key: `int:${i}`, value: { encoding: 'string', value: i * 1000 }, expireMs: i % 2 === 0 ? NOW + 86_400_000 : NOW - 1000 },
        { key: `list:${i}`, value: { encoding: 'quicklist-v2', nodes: Array.from({ length: 30 }, (_, n) => ({ elements: Array.from({ length: 90 }, (_, e) => `element ${n}.${e} ${'x'.repeat(e % 70)}`) })) } },
        { key: `hash:${i}`, value: { encoding: 'hash-hashtable', fields: Array.from({ length: 2000 }, (_, f) => [`field:${f}`, text(`v${f}`, 20 + (f % 90))] as [string, string]) } },
        { key: `small-hash:${i}`, value: { encoding: 'hash-listpack', fields: [['a', '1'], ['b', 'two']] } },
        { key: `zset:${i}`, value: { encoding: 'zset-v2', entries: Array.from({ length: 3000 }, (_, m) => [`member:${m}`, m / 7] as [string, number]) } },
        { key: `small-zset:${i}`, value: { encoding: 'zset-listpack', entries: [['a', 1.5], ['b', -2]] } },
        { key: `set:${i}`, value: { encoding: 'set-hashtable', members: Array.from({ length: 1500 }, (_, m) => `m${m}`) } },
        { key: `intset:${i}`, value: { encoding: 'set-intset', members: [1, 2, 3, 100_000 + i] } },
        { key: `stream:${i}`, value: { encoding: 'stream-v2', stream: stream(i) } },
      ];
      for (const key of keys) items.push({ key });
    }
  }
  return writeRdb({ version: 10, items });
}

function stream(seed: number): StreamSpec {
  const nodes: StreamSpec['nodes'] = [];
  let ms = 1_600_000_000_000n + BigInt(seed);
  for (let n = 0; n < 20; n++) {
    const entries = Array.from({ length: 50 }, (_, e) => ({ id: { ms: ms + BigInt(e), seq: 0n }, deleted: e === 7, fields: [new TextEncoder().encode('f')], values: [new TextEncoder().encode(`v${n}.${e}`)] }));
    nodes.push({ masterId: (entries[0] as (typeof entries)[number]).id, entries });
    ms += 100n;
  }
  const last = nodes.at(-1)?.entries.at(-1)?.id ?? { ms: 0n, seq: 0n };
  return {
    nodes,
    length: 980n,
    lastId: last,
    firstId: nodes[0]?.entries[0]?.id,
    maxDeletedId: { ms: 1_600_000_001_907n + BigInt(seed), seq: 0n },
    entriesAdded: 1000n,
    groups: [{ name: 'g', lastId: last, entriesRead: 1000n, pending: [], consumers: [{ name: 'c', seenTimeMs: 5, activeTimeMs: 6, pending: [] }] }],
  };
}

beforeAll(async () => {
  dir = await makeTempDir('redback-convert-');
  data = bigInput();
  input = join(dir, 'input.rdb');
  await writeFile(input, data);
  expect(data.length).toBeGreaterThan(2 << 20);
});
afterAll(() => stopAll());

async function inMemory(target: string | undefined, drop = true): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  const resolved = target === undefined ? targetForRdbVersion(10) : resolveTarget(target);
  for await (const piece of writeRdbRecords([readRdbAll(data, { raw: true })], { target: resolved, now: NOW, dropUnsupported: drop }, newWriteReport())) pieces.push(piece);
  return concat(pieces);
}

let counter = 0;
const out = (): string => join(dir, `out-${counter++}.rdb`);
const run = (options: Partial<ConvertOptions> & { output: string }, file = input) => convert(file, { to: 'rdb', now: NOW, ...options });

describe('convert to rdb', () => {
  it.each([['6.2'], ['7.0'], ['7.4'], ['valkey-9.0'], ['2.8']])('streams the file for %s to the same bytes as the writer on records in memory', async (target) => {
    const output = out();
    const report = await run({ output, targetRedis: target, dropUnsupported: true });
    expect(Buffer.from(readFileSync(output)).equals(Buffer.from(await inMemory(target)))).toBe(true);
    expect(report.target?.name).toBe(resolveTarget(target).name);
    expect(report.output.bytes).toBe(readFileSync(output).length);
  });

  it("writes for the input's own version by default, copying every value", async () => {
    const output = out();
    const report = await run({ output });
    expect(Buffer.from(readFileSync(output)).equals(Buffer.from(await inMemory(undefined)))).toBe(true);
    expect(report).toMatchObject({ keys: 160, target: { name: 'redis-7.0', rdbVersion: 10 }, dropped: {} });
    expect(report.notes[0]).toMatch(/target Redis 7\.0 \(RDB 10\), the input's own version/);
  });

  it('reads an LZ4 input, writes an LZ4 output, and writes standard output', async () => {
    const compressed = join(dir, 'input.rdb.lz4');
    await writeFile(compressed, lz4EncodeBuffer(data));
    const output = join(dir, 'out.rdb.lz4');
    const report = await run({ output, targetRedis: '7.0', compress: 'lz4' }, compressed);
    expect(report.input.compressed).toBe(true);
    const plain = lz4DecodeBuffer(new Uint8Array(readFileSync(output)));
    expect(report.output).toMatchObject({ compressed: true, bytes: plain.length, fileBytes: readFileSync(output).length });
    expect(Buffer.from(plain).equals(Buffer.from(await inMemory('7.0')))).toBe(true);
    const pieces: Uint8Array[] = [];
    await run({ output: '-', targetRedis: '7.0', stdout: async (piece) => void pieces.push(piece.slice()) });
    expect(Buffer.from(concat(pieces)).equals(Buffer.from(plain))).toBe(true);
    await expect(run({ output: '-', compress: 'lz4', stdout: async () => undefined })).rejects.toThrow(/--compress lz4 applies to an output file/);
  });

  it('keeps what the filters select, and counts what they leave out', async () => {
    const keysOf = (file: string): string[] => readRdbAll(readFileSync(file)).flatMap((r) => (r.kind === 'key' ? [`${r.db}:${latin1(r.key)}`] : []));
    const output = out();
    const report = await run({ output, targetRedis: '7.0', filter: { db: [2], key: ['*:1', 'small-*'], excludeKey: ['small-zset:*'], type: ['string', 'hash'] } });
    expect(keysOf(output).sort()).toEqual(['2:hash:1', '2:int:1', '2:string:1', ...Array.from({ length: 8 }, (_, i) => `2:small-hash:${i}`)].sort());
    expect(report.filtered).toEqual({ db: 80, key: 64, type: 5 });
    // No RESIZEDB once keys are filtered out: its counts would be wrong.
    expect(readRdbAll(readFileSync(output)).filter((r) => r.kind === 'resizedb')).toEqual([]);

    const expired = out();
    const dropped = await run({ output: expired, filter: { dropExpired: true } });
    expect(dropped.filtered).toEqual({ expired: 8 });
    expect(keysOf(expired).filter((k) => /:int:[1357]$/.test(k))).toEqual([]);

    // --min-bytes: the keys of at least the median size (a first pass over the input finds them).
    const sizes = readRdbAll(data).flatMap((r) => (r.kind === 'key-end' ? [[`${latin1(r.key)}@${r.keyOffset}`, r.encodedBytes] as const] : []));
    const threshold = [...sizes.map(([, n]) => n)].sort((a, b) => a - b)[80] as number;
    const big = out();
    const sized = await run({ output: big, filter: { minBytes: threshold } });
    const expected = sizes.filter(([, n]) => n >= threshold).length;
    expect(sized.keys).toBe(expected);
    expect(sized.filtered).toEqual({ minBytes: 160 - expected });
    expect(keysOf(big).length).toBe(expected);
  });

  it('applies --redis-conf thresholds', async () => {
    const conf = join(dir, 'redis.conf');
    await writeFile(conf, 'hash-max-listpack-entries 1\nzset-max-ziplist-entries 1\nrdbcompression no\n');
    const output = out();
    const report = await run({ output, targetRedis: '6.2', redisConf: conf, dropUnsupported: true });
    expect(report.redisConf).toEqual({ file: conf, applied: ['hash-max-listpack-entries 1', 'zset-max-ziplist-entries 1', 'rdbcompression no'] });
    const encodings = new Set(readRdbAll(readFileSync(output)).flatMap((r) => (r.kind === 'key' && /^small-/.test(latin1(r.key)) ? [r.encoding] : [])));
    expect([...encodings].sort()).toEqual(['hash-hashtable', 'zset-v2']);
  });

  it('writes atomically: nothing is left behind when the conversion fails, and an existing output is kept without --force', async () => {
    const output = join(dir, 'failing', 'out.rdb');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'failing'));
    const error = await run({ output, targetRedis: '6.2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/input\.rdb: offset \d+: function library lib, which Redis 6\.2 \(RDB 9\) cannot hold/);
    expect(readdirSync(join(dir, 'failing'))).toEqual([]);

    const existing = out();
    await writeFile(existing, 'keep me');
    await expect(run({ output: existing })).rejects.toThrow(/already exists/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    await run({ output: existing, force: true });
    expect(readFileSync(existing).subarray(0, 5).toString()).toBe('REDIS');
    await expect(run({ output: input })).rejects.toThrow(/the output is the input: converting in place needs --force/);
  });

  it('refuses what it cannot do with a usage error', async () => {
    await expect(run({ output: out(), to: 'xml' })).rejects.toThrow(/--to: unknown format 'xml': known are rdb/);
    await expect(run({ output: out(), targetRedis: '9.9' })).rejects.toThrow(/unknown target '9\.9'/);
    await expect(run({ output: out(), targetRedis: '7.0', rdbVersion: 9 })).rejects.toThrow(/exclude each other/);
    await expect(run({ output: '-' })).rejects.toThrow(/cannot be written to standard output/);
    const aof = join(dir, 'appendonly.aof');
    await writeFile(aof, '*1\r\n$4\r\nPING\r\n');
    const error = await run({ output: out() }, aof).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/is an AOF: converting an AOF means replaying its commands .*redback rewrite/);
    expect(existsSync(join(dir, 'missing.rdb'))).toBe(false);
    await expect(run({ output: out() }, join(dir, 'missing.rdb'))).rejects.toThrow(/no such file or directory/);
  });
});

describe("convert to rdb at the input's own version", () => {
  /** The bytes after the header and AUX fields up to the EOF opcode: everything but the AUX fields and the checksum. */
  const body = (file: Uint8Array): Buffer => {
    const records = readRdbAll(file);
    const first = records.find((r) => r.kind !== 'header' && r.kind !== 'aux');
    const eof = records.find((r) => r.kind === 'eof');
    return Buffer.from(file.subarray(first?.offset ?? 0, eof?.offset ?? 0));
  };

  it.each(['redis-7.0-all-types.rdb', 'redis-7.0-no-checksum.rdb', 'redis-7.0-no-compression.rdb'])('%s: the same bytes but for the AUX fields', async (name) => {
    const source = join(REPO_ROOT, 'fixtures', name);
    const output = join(dir, `same-${name}`);
    const report = await convert(source, { to: 'rdb', output, now: NOW });
    expect(report.target?.name).toBe('redis-7.0');
    const original = new Uint8Array(readFileSync(source));
    expect(body(new Uint8Array(readFileSync(output))).equals(body(original))).toBe(true);
  });
});

describe('convert to aof, resp, json, jsonl and multipart', () => {
  const records = async function* (): AsyncGenerator<RdbRecord[]> {
    yield readRdbAll(data, { raw: true });
  };
  const writers = {
    aof: () => writeAof(records(), {}),
    resp: () => writeResp(records(), {}),
    json: () => writeJson(records(), {}),
    jsonl: () => writeJsonl(records(), {}),
  } as const;

  it.each(Object.keys(writers) as (keyof typeof writers)[])('--to %s writes what its writer writes, to a file and to standard output, and reports it', async (to) => {
    const output = join(dir, `every.${to}`);
    const report = await run({ output, to });
    const expected = await drain(writers[to]());
    expect(Buffer.from(readFileSync(output)).equals(expected)).toBe(true);
    expect(report).toMatchObject({ keys: 160, functions: 1, output: { format: to, bytes: expected.length, fileBytes: expected.length, compressed: false } });
    expect(report.warnings).toEqual([]);
    const pieces: Uint8Array[] = [];
    await run({ output: '-', to, stdout: async (piece) => void pieces.push(piece.slice()) });
    expect(Buffer.from(concat(pieces)).equals(expected)).toBe(true);
    const compressed = join(dir, `every.${to}.lz4`);
    const lz4 = await run({ output: compressed, to, compress: 'lz4' });
    expect(Buffer.from(lz4DecodeBuffer(new Uint8Array(readFileSync(compressed)))).equals(expected)).toBe(true);
    expect(lz4.output).toMatchObject({ compressed: true, bytes: expected.length, fileBytes: readFileSync(compressed).length });
  });

  it('applies the key filters to every format', async () => {
    const filter = { db: [2], key: ['*:1', 'small-*'], excludeKey: ['small-zset:*'], type: ['string' as const, 'hash' as const] };
    const expected = ['2:hash:1', '2:int:1', '2:string:1', ...Array.from({ length: 8 }, (_, i) => `2:small-hash:${i}`)].sort();
    for (const to of ['aof', 'resp', 'jsonl', 'json'] as const) {
      const output = join(dir, `filtered.${to}`);
      const report = await run({ output, to, filter });
      expect(report.keys, to).toBe(expected.length);
      expect(report.filtered, to).toEqual({ db: 80, key: 64, type: 5 });
      // Read back: the dump through the dump reader; the commands by their key arguments.
      if (to === 'json' || to === 'jsonl') {
        const keys = (await collectRecords(readDumpFile(output))).flat().flatMap((r) => (r.kind === 'key' ? [`${r.db}:${latin1(r.key)}`] : []));
        expect(keys.sort(), to).toEqual(expected);
      } else {
        const text = readFileSync(output, 'latin1');
        const named = new Set([...text.matchAll(/\r\n\$\d+\r\n((?:string|int|hash|small-hash|list|zset|small-zset|set|intset|stream):\d+)\r\n/g)].map((m) => `2:${m[1]}`));
        expect([...named].sort(), to).toEqual(expected);
      }
    }
    const set = join(dir, 'filtered-set');
    const report = await run({ output: set, to: 'multipart', filter: { dropExpired: true } });
    expect(report.filtered).toEqual({ expired: 8 });
    expect(report.keys).toBe(152);
  });

  it('reads a JSON or JSONL dump back: --to rdb holds the same keys, values and TTLs as the input', async () => {
    const original = logicalKeys(readRdbAll(data), { streamType: 21 });
    for (const layout of ['jsonl', 'json'] as const) {
      const dump = join(dir, `back.${layout}`);
      await run({ output: dump, to: layout });
      const rdb = join(dir, `back-from-${layout}.rdb`);
      const report = await run({ output: rdb, to: 'rdb' }, dump);
      expect(report.input).toMatchObject({ format: layout, compressed: false });
      expect(report).toMatchObject({ keys: 160, functions: 1, target: { name: 'redis-7.0', rdbVersion: 10 } });
      expect(logicalKeys(readRdbAll(readFileSync(rdb)), { streamType: 21 }), layout).toEqual(original);
      expect(readRdbAll(readFileSync(rdb)).filter((r) => r.kind === 'function').length).toBe(1);
      // And a dump to a dump: the same text.
      const again = join(dir, `again.${layout}`);
      await run({ output: again, to: layout }, dump);
      expect(readFileSync(again, 'utf8')).toBe(readFileSync(dump, 'utf8'));
    }
    // LZ4-framed dumps are read too, and filters apply to them.
    const framed = join(dir, 'back.jsonl.lz4');
    await writeFile(framed, lz4EncodeBuffer(new Uint8Array(readFileSync(join(dir, 'back.jsonl')))));
    const filtered = await run({ output: join(dir, 'back-filtered.rdb'), to: 'rdb', filter: { type: ['stream'] } }, framed);
    expect(filtered).toMatchObject({ keys: 16, filtered: { type: 144 }, input: { compressed: true, format: 'jsonl' } });
  });

  it('--to multipart writes a set into a new or empty directory, its manifest last, with a RESP or an RDB BASE', async () => {
    const set = join(dir, 'set');
    const report = await run({ output: set, to: 'multipart' });
    expect(readdirSync(set).sort()).toEqual(['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    expect(readFileSync(join(set, 'appendonly.aof.1.base.aof')).equals(await drain(writers.aof()))).toBe(true);
    expect(readFileSync(join(set, 'appendonly.aof.manifest'), 'latin1')).toBe('file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(report.output.files?.map((f) => f.slice(set.length + 1))).toEqual(['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    expect(report.output.bytes).toBe(readFileSync(join(set, 'appendonly.aof.1.base.aof')).length);

    const withRdb = join(dir, 'set-rdb');
    const rdbReport = await run({ output: withRdb, to: 'multipart', preamble: true, targetRedis: '7.0' });
    const base = readFileSync(join(withRdb, 'appendonly.aof.1.base.rdb'));
    expect(rdbReport.target?.name).toBe('redis-7.0');
    const aux = readRdbAll(base).flatMap((r) => (r.kind === 'aux' ? [`${latin1(r.key)}=${latin1(r.value)}`] : []));
    expect(aux).toContain('aof-base=1');
    expect(logicalKeys(readRdbAll(base), { streamType: 21 })).toEqual(logicalKeys(readRdbAll(data), { streamType: 21 }));

    await expect(run({ output: set, to: 'multipart' })).rejects.toThrow(/is not empty: multipart writes into a new or empty directory/);
    await expect(run({ output: set, to: 'multipart', force: true })).rejects.toThrow(/is not empty/);
    await expect(run({ output: '-', to: 'multipart', stdout: async () => undefined })).rejects.toThrow(/multipart cannot be written to standard output/);
    // A failure before the commit leaves nothing: no directory, no journal.
    const failing = join(dir, 'set-failing');
    await expect(run({ output: failing, to: 'multipart', targetRedis: '6.2' })).rejects.toThrow(/function library 'lib', which redis-6\.2 cannot hold/);
    expect(existsSync(failing)).toBe(false);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(failing);
    await expect(run({ output: failing, to: 'multipart', preamble: true, targetRedis: '6.2' })).rejects.toThrow(/cannot hold/);
    expect(readdirSync(failing)).toEqual([]);
  });

  it('--to aof --preamble writes the dataset as an RDB preamble; --preamble elsewhere is refused', async () => {
    const output = join(dir, 'preamble.aof');
    await run({ output, to: 'aof', preamble: true });
    const file = readRdbAll(readFileSync(output));
    expect(file.flatMap((r) => (r.kind === 'aux' && latin1(r.key) === 'aof-base' ? [latin1(r.value)] : []))).toEqual(['1']);
    expect(logicalKeys(file, { streamType: 21 })).toEqual(logicalKeys(readRdbAll(data), { streamType: 21 }));
    await expect(run({ output: join(dir, 'x.rdb'), preamble: true })).rejects.toThrow(/--preamble: rdb has no RDB preamble/);
    await expect(run({ output: join(dir, 'x.jsonl'), to: 'jsonl', preamble: true })).rejects.toThrow(/--preamble: jsonl has no RDB preamble/);
  });

  it('--target-redis applies to commands: what the release cannot run is an error naming the key, or dropped and counted', async () => {
    const error = await run({ output: join(dir, 'old.aof'), to: 'aof', targetRedis: '6.2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ file: input, message: expect.stringMatching(/^function library 'lib', which redis-6\.2 cannot hold/) });
    expect((error as UsageError).offset).toBeGreaterThan(0);
    const report = await run({ output: join(dir, 'old.aof'), to: 'aof', targetRedis: '6.2', dropUnsupported: true });
    expect(report.dropped).toMatchObject({ function: 1, 'stream-metadata': 16 });
    expect(report.target?.name).toBe('redis-6.2');
  });
});
