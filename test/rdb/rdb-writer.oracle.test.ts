/**
 * The oracle for the RDB writer: a real Redis 7.0. For RDB files Redis wrote (the fixtures, seeded workloads
 * covering every type and encoding) and every peer RDB Redis 7.0 loads, the conversions for Redis 6.2
 * (RDB 9, which 7.0 loads), 7.0 and the input's own version load to the input's DEBUG DIGEST, with the same
 * TTLs (PEXPIRETIME) and stream state (XINFO STREAM FULL). RDB 11 and 12 peers converted for 7.0 hold the
 * same keys and values, read back with commands. And re-encoding without the input's bytes gives Redis's
 * own bytes for every key whose layout depends only on its content. Conversions go through `convert` (the
 * operation behind the command: file in, file out).
 */
// cspell:words asis pexpiretime xinfo listpack quicklist workloads
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AnyRdbRecord, Element, RdbRecord } from '../../src/rdb/model.js';
import { readRdbAll } from '../../src/rdb/reader.js';
import { resolveTarget, targetForRdbVersion, type RdbTarget } from '../../src/rdb/targets.js';
import { convert, type ConvertReport } from '../../src/operations/convert.js';
import { newWriteReport } from '../../src/rdb/write-report.js';
import { writeRdbRecords } from '../../src/rdb/writer.js';
import { concat } from '../support/bytes.js';
import { convertWorkload } from '../support/convert-workload.js';
import { REPO_ROOT } from '../support/paths.js';
import { HAVE_PEER, loadPeer, peerRdbNames } from '../support/prerequisites.js';
import { collectKeys, elementKey, latin1, type CollectedKey } from '../support/rdb-collect.js';
import { describeWithRedis, makeTempDir, startRedis, type RedisArg, type RedisHandle, type RespValue } from '../support/redis.js';
import { existsSync, readFileSync } from 'node:fs';

const NOW = Date.now();

/** Re-encodes records without their input bytes (the writer alone: `convert` always has the bytes of an RDB input). */
async function encodeAgain(records: readonly AnyRdbRecord[], target: RdbTarget): Promise<Uint8Array> {
  const report = newWriteReport();
  const pieces: Uint8Array[] = [];
  for await (const piece of writeRdbRecords([records.filter((r) => r.kind !== 'raw')], { target, now: NOW, dropUnsupported: true }, report)) pieces.push(piece);
  return concat(pieces);
}

let scratch: string | undefined;

/** `redback convert IN -o OUT --to rdb --target-redis … --drop-unsupported` (the operation) on the file `data`. */
async function convertWith(data: Uint8Array, target: RdbTarget): Promise<{ data: Uint8Array; report: ConvertReport }> {
  // Temporary folders are removed after each describe block.
  if (scratch === undefined || !existsSync(scratch)) scratch = await makeTempDir('redback-rdb-oracle-');
  const input = join(scratch, 'input.rdb');
  const output = join(scratch, 'output.rdb');
  await writeFile(input, data);
  const report = await convert(input, { to: 'rdb', output, force: true, targetRedis: target.name, now: NOW, dropUnsupported: true });
  return { data: new Uint8Array(readFileSync(output)), report };
}

/** What a loaded dataset is, for comparisons: digest, TTLs, streams. */
interface Loaded {
  digest: string;
  ttls: [string, unknown][];
  streams: [string, unknown][];
}

const field = (list: RespValue[], name: string): RespValue => list[list.findIndex((v, i) => i % 2 === 0 && String(v) === name) + 1] as RespValue;
const pairs = (list: RespValue[], skip: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < list.length; i += 2) if (!skip.includes(String(list[i]))) out[String(list[i])] = norm(list[i + 1] as RespValue);
  return out;
};
const norm = (value: RespValue): unknown => (Array.isArray(value) ? value.map(norm) : Buffer.isBuffer(value) ? value.toString('latin1') : value instanceof Error ? value.message : value);

/** XINFO STREAM FULL without the node layout (and without the counters an older stream type loses, with `lossy`). */
function streamState(info: RespValue[], lossy: boolean): unknown {
  const lost = lossy ? ['max-deleted-entry-id', 'entries-added', 'recorded-first-entry-id'] : [];
  const top = pairs(info, ['radix-tree-keys', 'radix-tree-nodes', 'groups', ...lost]);
  const groups = ((field(info, 'groups') as RespValue[] | null) ?? []).map((g) => pairs(g as RespValue[], lossy ? ['entries-read', 'lag'] : []));
  return { ...top, groups };
}

async function loadedState(server: RedisHandle, data: Uint8Array, keys: readonly CollectedKey[], lossy: boolean): Promise<Loaded> {
  await writeFile(join(server.dir, 'dump.rdb'), data);
  await server.call('DEBUG', 'RELOAD', 'NOSAVE');
  const digest = await server.digest();
  const ttls: [string, unknown][] = [];
  const streams: [string, unknown][] = [];
  const byDb = new Map<number, CollectedKey[]>();
  for (const key of keys) {
    const list = byDb.get(key.db);
    if (list) list.push(key);
    else byDb.set(key.db, [key]);
  }
  for (const [db, list] of byDb) {
    await server.call('SELECT', String(db));
    const withTtl = list.filter((k) => k.expireMs !== undefined);
    const replies = await server.callMany(withTtl.map((k) => ['PEXPIRETIME', k.keyBytes]));
    withTtl.forEach((k, i) => ttls.push([`${db}:${k.key}`, replies[i]]));
    for (const k of list.filter((key) => key.type === 'stream')) {
      streams.push([`${db}:${k.key}`, streamState((await server.call('XINFO', 'STREAM', k.keyBytes, 'FULL')) as RespValue[], lossy)]);
    }
  }
  await server.call('SELECT', '0');
  return { digest, ttls, streams };
}

/** The files Redis wrote: the fixtures, and seeded workloads saved by a fresh server. */
async function redisWrittenFiles(): Promise<[string, Uint8Array][]> {
  const files: [string, Uint8Array][] = ['redis-7.0-all-types.rdb', 'redis-7.0-no-checksum.rdb', 'redis-7.0-no-compression.rdb'].map((name) => [name, new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures', name)))]);
  for (const seed of [1, 2, 3]) files.push([`workload-${seed}.rdb`, await workloadRdb(seed)]);
  return files;
}

async function workloadRdb(seed: number): Promise<Uint8Array> {
  const server = await startRedis({ dbfilename: 'dump.rdb' });
  try {
    await server.callMany(convertWorkload(seed, 12) as RedisArg[][]);
    await server.call('SAVE');
    return new Uint8Array(readFileSync(join(server.dir, 'dump.rdb')));
  } finally {
    await server.stop();
  }
}

/** The input's keys, or undefined when our reader refuses the file. */
function keysOf(data: Uint8Array): { records: RdbRecord[]; keys: CollectedKey[] } | undefined {
  try {
    const records = readRdbAll(data, { raw: true });
    return { records, keys: collectKeys(records.filter((r) => r.kind !== 'raw')) };
  } catch {
    return undefined;
  }
}

describeWithRedis('RDB files converted for Redis 6.2, 7.0 and their own version, loaded in Redis 7.0', () => {
  let server: RedisHandle;
  let inputs: [string, Uint8Array][] = [];
  beforeAll(async () => {
    server = await startRedis({ dbfilename: 'dump.rdb' });
    inputs = await redisWrittenFiles();
    if (HAVE_PEER) {
      for (const name of peerRdbNames()) {
        const data = loadPeer(name);
        const read = keysOf(data);
        const header = read?.records[0];
        // What Redis 7.0 can load: RDB 10 or older, no module data (no module is loaded), read to the end by us.
        if (!read || header?.kind !== 'header' || header.magic !== 'REDIS' || header.version > 10) continue;
        if (read.records.some((r) => r.kind === 'module-aux' || (r.kind === 'key' && r.type === 'module'))) continue;
        inputs.push([`peer/${name}`, data]);
      }
    }
  }, 120_000);
  afterAll(async () => server?.stop());

  it('every conversion loads to the input\'s digest, TTLs and stream state', async () => {
    let checked = 0;
    const refused: string[] = [];
    for (const [name, data] of inputs) {
      const read = keysOf(data);
      if (!read) throw new Error(`${name}: our reader refuses a file Redis wrote`);
      const header = read.records[0];
      if (header?.kind !== 'header') throw new Error(`${name}: no header`);
      const live = read.keys.filter((k) => k.expireMs === undefined || k.expireMs > NOW);
      let before: Loaded;
      try {
        before = await loadedState(server, data, live, false);
      } catch (error) {
        // Some peer files were written by other tools, and Redis 7.0 refuses (or crashes on) a few.
        if (!name.startsWith('peer/')) throw error;
        refused.push(name);
        await server.stop();
        server = await startRedis({ dbfilename: 'dump.rdb' });
        continue;
      }
      for (const target of [resolveTarget('6.2'), resolveTarget('7.0'), targetForRdbVersion(Math.max(header.version, 6))]) {
        const { data: converted, report } = await convertWith(data, target);
        const lossy = report.dropped['stream-metadata'] !== undefined;
        const after = await loadedState(server, converted, live, lossy);
        const expected = lossy ? await loadedState(server, data, live, true) : before;
        expect(after.digest, `${name} for ${target.name}`).toBe(before.digest);
        expect(after.ttls, `${name} for ${target.name}: TTLs`).toEqual(expected.ttls);
        expect(after.streams, `${name} for ${target.name}: streams`).toEqual(expected.streams);
        if (target.records.functions) {
          const functions = read.records.filter((r) => r.kind === 'function').length;
          expect(((await server.call('FUNCTION', 'LIST')) as RespValue[]).length, `${name}: functions`).toBe(functions);
        }
        checked++;
      }
    }
    expect(checked).toBe((inputs.length - refused.length) * 3);
    expect(inputs.length - refused.length).toBeGreaterThanOrEqual(HAVE_PEER ? 40 : 6);
    expect(refused.length).toBeLessThanOrEqual(10);
  }, 600_000);

  it('re-encoded without the input bytes, keys built in one command are what Redis 7.0 wrote, byte for byte', async () => {
    for (const [name, data] of inputs.filter(([n]) => n.startsWith('workload-'))) {
      const records = readRdbAll(data, { raw: true });
      const encoded = await encodeAgain(records, resolveTarget('7.0'));
      const original = keyBytes(data);
      const mine = keyBytes(encoded);
      let compared = 0;
      for (const [key, bytes] of original) {
        if (!/^\d+:asis:/.test(key)) continue;
        expect(Buffer.from(mine.get(key) ?? []).equals(Buffer.from(bytes)), `${name}: ${key}`).toBe(true);
        compared++;
      }
      expect(compared).toBeGreaterThan(300);
    }
  });
});

/** Each key's bytes (prefix opcodes to the end of its value), by `db:name`. */
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
// RDB 11 and 12 inputs, which Redis 7.0 cannot load as they are

/** A key's value read back with commands, in the form of {@link expectedValue}. */
async function valueInRedis(server: RedisHandle, key: CollectedKey): Promise<unknown> {
  const k = key.keyBytes;
  const text = (v: RespValue): string => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v));
  switch (key.type) {
    case 'string':
      return text((await server.call('GET', k)) as RespValue);
    case 'list':
      return ((await server.call('LRANGE', k, '0', '-1')) as RespValue[]).map(text);
    case 'set':
      return ((await server.call('SMEMBERS', k)) as RespValue[]).map(text).sort();
    case 'zset': {
      const flat = ((await server.call('ZRANGE', k, '0', '-1', 'WITHSCORES')) as RespValue[]).map(text);
      const out: [string, number][] = [];
      for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, Number(flat[i + 1] === 'inf' ? Infinity : flat[i + 1] === '-inf' ? -Infinity : flat[i + 1])]);
      return out.sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
    }
    case 'hash': {
      const flat = ((await server.call('HGETALL', k)) as RespValue[]).map(text);
      const out: [string, string][] = [];
      for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
      return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    }
    case 'stream':
      return ((await server.call('XRANGE', k, '-', '+')) as RespValue[][]).map(([id, fields]) => [text(id as RespValue), (fields as RespValue[]).map(text)]);
    default:
      return undefined;
  }
}

/** The same from our reader's view of the input. */
function expectedValue(key: CollectedKey): unknown {
  const v = key.value;
  const t = (e: Element): string => elementKey(e);
  switch (v.type) {
    case 'string':
      return latin1(v.value);
    case 'list':
      return v.elements.map(t);
    case 'set':
      return v.members.map(t).sort();
    case 'zset':
      return v.entries.map(([m, s]) => [t(m), Object.is(s, -0) ? 0 : s] as [string, number]).sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
    case 'hash':
      return [...v.fields].map(([f, value]) => [f, t(value)]).sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
    case 'stream':
      return v.entries.map((e) => [`${e.id.ms}-${e.id.seq}`, e.fields.flatMap((f, i) => [t(f), t(e.values[i] as Element)])]);
    default:
      return undefined;
  }
}

describeWithRedis('RDB 11 and 12 files converted for Redis 7.0', () => {
  const names = peerRdbNames().filter((name) => {
    const head = latin1(loadPeer(name).subarray(0, 9));
    return head === 'REDIS0011' || head === 'REDIS0012';
  });

  it('load in Redis 7.0 and hold the same keys and values (field TTLs dropped and counted)', async () => {
    if (HAVE_PEER) expect(names.length).toBeGreaterThanOrEqual(10);
    const server = await startRedis({ dbfilename: 'dump.rdb' });
    try {
      let compared = 0;
      for (const name of names) {
        const read = keysOf(loadPeer(name));
        if (!read || read.records.some((r) => r.kind === 'key' && r.type === 'module')) continue;
        const { data, report } = await convertWith(loadPeer(name), resolveTarget('7.0'));
        const ttls = read.keys.reduce((n, k) => n + (k.value.type === 'hash' ? k.value.fieldExpires.size : 0), 0);
        expect(report.dropped['field-ttl'] ?? 0, name).toBe(ttls);
        await writeFile(join(server.dir, 'dump.rdb'), data);
        await server.call('DEBUG', 'RELOAD', 'NOSAVE');
        const live = read.keys.filter((k) => k.expireMs === undefined || k.expireMs > NOW);
        let keys = 0;
        for (const db of new Set(live.map((k) => k.db))) {
          await server.call('SELECT', String(db));
          keys += Number(await server.call('DBSIZE'));
        }
        expect(keys, `${name}: keys`).toBe(live.length);
        for (const key of live) {
          await server.call('SELECT', String(key.db));
          expect(await valueInRedis(server, key), `${name}: ${key.key}`).toEqual(expectedValue(key));
          if (key.expireMs !== undefined) expect(await server.call('PEXPIRETIME', key.keyBytes), `${name}: ${key.key} TTL`).toBe(key.expireMs);
          compared++;
        }
      }
      if (HAVE_PEER) expect(compared).toBeGreaterThanOrEqual(20);
    } finally {
      await server.stop();
    }
  }, 300_000);
});
