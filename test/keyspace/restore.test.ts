/**
 * RESTORE and FUNCTION RESTORE.
 * - Against redis-server: keys of every type and encoding are DUMPed and RESTOREd (with REPLACE, ABSTTL, a
 *   relative TTL, IDLETIME, FREQ, and with bad payloads), on the server and in the engine; the restored keys
 *   and function libraries must be the same.
 * - Every key of every peer RDB file (RDB versions 2 to 12, and Valkey's) is wrapped in a DUMP payload of its
 *   file's version; RESTORE must give the value the RDB loader gives.
 */
// cspell:words testmodul absttl idletime busykey keyspace listpack quicklist intset hashtable skiplist hyperloglog
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../src/codecs/crc64.js';
import { RedbackError } from '../../src/errors.js';
import { Keyspace } from '../../src/keyspace/model.js';
import { RdbLoader } from '../../src/keyspace/rdb-loader.js';
import { replayCommands } from '../../src/keyspace/replay.js';
import type { KeyRecord, RdbRecord } from '../../src/rdb/model.js';
import { readRdbSync } from '../../src/rdb/reader.js';
import { compareStates, modelState, serverState } from '../support/keyspace-state.js';
import { describeWithRedis, startRedis } from '../support/redis.js';
import type { RedisArg, RedisHandle } from '../support/redis.js';

const far = String(Date.now() + 86_400_000);

describeWithRedis('RESTORE against redis-server', () => {
  let server: RedisHandle;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('restores DUMP payloads of every type and encoding, with every option', async () => {
    const big = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();
    await server.callMany([
      ['FLUSHALL'],
      ['SET', 'str', 'hello'], ['SET', 'int', '12345'], ['SET', 'long', 'x'.repeat(5000)], ['SET', 'bin', Buffer.from([0, 1, 2, 255, 254, 13, 10])],
      ['RPUSH', 'list', 'a', 'b', '1', '2'], ['RPUSH', 'bigList', ...big(3000, (i) => [`element-${i}`])],
      ['SADD', 'intset', '1', '2', '3', '-5'], ['SADD', 'set', 'a', 'b', 'c'], ['SADD', 'bigset', ...big(600, (i) => [`m${i}`])],
      ['ZADD', 'zset', '1', 'a', '2.5', 'b', '-0', 'c'], ['ZADD', 'bigZset', ...big(300, (i) => [String(i / 7), `z${i}`])], ['ZADD', 'bigZset', '-0', 'neg'],
      ['HSET', 'hash', 'f', 'v', 'n', '1'], ['HSET', 'bigHash', ...big(600, (i) => [`f${i}`, `v${i}`])],
      ['XADD', 'stream', '1-1', 'a', '1'], ['XADD', 'stream', '2-1', 'a', '2', 'b', '3'], ['XGROUP', 'CREATE', 'stream', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'stream', '>'], ['XDEL', 'stream', '1-1'],
      ['PFADD', 'hll', 'a', 'b', 'c'], ['PFADD', 'denseHll', ...big(3000, (i) => [`e${i}`])],
    ]);
    const keys = ['str', 'int', 'long', 'bin', 'list', 'bigList', 'intset', 'set', 'bigset', 'zset', 'bigZset', 'hash', 'bigHash', 'stream', 'hll', 'denseHll'];
    const restores: RedisArg[][] = [];
    const options: string[][] = [[], ['REPLACE'], ['ABSTTL'], ['IDLETIME', '100'], ['FREQ', '5']];
    for (const [i, k] of keys.entries()) {
      const payload = (await server.call('DUMP', k)) as Buffer;
      const opts = options[i % options.length] as string[];
      const ttl = opts.includes('ABSTTL') ? far : i % 2 === 0 ? '0' : '3600000';
      restores.push(['RESTORE', `r:${k}`, ttl, payload, ...opts]);
      if (i === 0) {
        restores.push(['RESTORE', `r:${k}`, '0', payload]); // BUSYKEY
        restores.push(['RESTORE', 'r:corrupt', '0', Buffer.concat([payload.subarray(0, 2), Buffer.from([payload[2] as number ^ 1]), payload.subarray(3)])]);
        const future = Buffer.from(payload);
        future.writeUInt16LE(99, future.length - 10);
        restores.push(['RESTORE', 'r:future', '0', future]);
        restores.push(['RESTORE', 'r:bad', '-1', payload], ['RESTORE', 'r:bad', '0', payload, 'IDLETIME', '1', 'FREQ', '1'], ['RESTORE', 'r:bad', '0', payload, 'FREQ', '300']);
      }
    }
    await server.call('FLUSHALL');
    const now = Date.now();
    await server.callMany(restores).catch(() => undefined);
    const expected = await serverState(server);
    const { keyspace, report } = replayCommands(restores as (string | Uint8Array)[][], { now });
    expect(compareStates(expected, modelState(keyspace), { timeToleranceMs: 5_000 })).toEqual([]);
    expect(Object.values(report.rejected).reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('restores FUNCTION DUMP payloads with APPEND, REPLACE and FLUSH', async () => {
    const lib = (name: string, n: number): string => `#!lua name=${name}\nredis.register_function('${name}_f', function() return ${n} end)`;
    await server.callMany([['FLUSHALL'], ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', lib('one', 1)], ['FUNCTION', 'LOAD', lib('two', 2)]]);
    const dump = (await server.call('FUNCTION', 'DUMP')) as Buffer;
    await server.callMany([['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', lib('one', 9)], ['FUNCTION', 'LOAD', lib('three', 3)]]);
    const commands: RedisArg[][] = [
      ['FUNCTION', 'RESTORE', dump],
      ['FUNCTION', 'RESTORE', dump, 'APPEND'],
      ['FUNCTION', 'RESTORE', Buffer.concat([dump.subarray(0, 5), Buffer.from('x'), dump.subarray(6)]), 'FLUSH'],
      ['FUNCTION', 'RESTORE', dump, 'REPLACE'],
    ];
    const start: RedisArg[][] = [['FUNCTION', 'LOAD', lib('one', 9)], ['FUNCTION', 'LOAD', lib('three', 3)]];
    await server.callMany(commands).catch(() => undefined);
    const afterReplace = await serverState(server);
    const { keyspace } = replayCommands([...start, ...commands] as (string | Uint8Array)[][]);
    expect(compareStates(afterReplace, modelState(keyspace))).toEqual([]);
    await server.call('FUNCTION', 'RESTORE', dump, 'FLUSH');
    const afterFlush = await serverState(server);
    const flushed = replayCommands([...start, ...commands, ['FUNCTION', 'RESTORE', dump, 'FLUSH']] as (string | Uint8Array)[][]);
    expect(compareStates(afterFlush, modelState(flushed.keyspace))).toEqual([]);
    expect(Object.keys(afterFlush.functions).sort()).toEqual(['one', 'two']);
  });
});

// ---------------------------------------------------------------------------------------------
// Every RDB version the reader knows, through DUMP payloads made from peer files.

const PEER = path.resolve(import.meta.dirname, '../../../shared/fixtures/peer');

async function findRdbFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findRdbFiles(full)));
    else if (entry.name.endsWith('.rdb')) out.push(full);
  }
  return out.sort();
}

function payloadOf(typeCode: number, body: Uint8Array, version: number): Uint8Array {
  const out = new Uint8Array(1 + body.length + 10);
  out[0] = typeCode;
  out.set(body, 1);
  out[1 + body.length] = version & 0xff;
  out[2 + body.length] = version >> 8;
  const crc = crc64(out.subarray(0, out.length - 8));
  for (let i = 0; i < 8; i++) out[out.length - 8 + i] = Number((crc >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Keys restored per file before only new encodings are. */
const SAMPLE = 2000;

describe('RESTORE of DUMP payloads of every RDB version', async () => {
  const present = await stat(PEER).then(
    () => true,
    () => false,
  );
  const files = present ? await findRdbFiles(PEER) : [];
  it.runIf(present)('covers the peer RDB files', () => {
    expect(files.length).toBeGreaterThan(50);
  });
  for (const file of files) {
    it(path.relative(PEER, file), async () => {
      const data = new Uint8Array(await readFile(file));
      let records: RdbRecord[];
      try {
        records = [...readRdbSync(data, { deep: false, verifyChecksum: false })];
      } catch (error) {
        expect(error).toBeInstanceOf(RedbackError); // files the reader refuses (corrupt on purpose) are another suite's
        return;
      }
      const header = records.find((r) => r.kind === 'header');
      const version = header?.kind === 'header' ? header.version : 0;
      // Every key up to SAMPLE, then the first key of each further encoding (keeps big files quick).
      const typeCodes = new Set<number>();
      let taken = 0;
      let keep = true;
      records = records.filter((r) => {
        if (r.kind === 'key') {
          keep = taken < SAMPLE || !typeCodes.has(r.typeCode);
          if (keep) taken++;
          typeCodes.add(r.typeCode);
        }
        const kept = keep;
        if (r.kind === 'key-end') keep = true;
        return kept;
      });
      const loaded = new Keyspace();
      const loader = new RdbLoader(loaded);
      try {
        for (const r of records) loader.accept(r);
      } catch (error) {
        expect(String(error)).toMatch(/duplicate key/); // a file Redis refuses to load (written by another tool)
        return;
      }
      const commands: Uint8Array[][] = [];
      const enc = new TextEncoder();
      let open: KeyRecord | undefined;
      let restored = 0;
      for (const r of records) {
        if (r.kind === 'key') open = r;
        else if (r.kind === 'key-end' && open) {
          if (loaded.db(open.db).has(Buffer.from(open.key).toString('latin1'))) {
            const body = data.subarray(open.offset + open.length, r.offset);
            commands.push([enc.encode('SELECT'), enc.encode(String(open.db))], [enc.encode('RESTORE'), open.key, enc.encode('0'), payloadOf(open.typeCode, body, version)]);
            restored++;
          }
          open = undefined;
        }
      }
      const { keyspace, report } = replayCommands(commands);
      expect(report.rejected).toEqual({});
      const a = modelState(loaded, 0);
      const b = modelState(keyspace, 0);
      // RESTORE sets no TTL here (ttl 0); compare values and types only.
      for (const db of Object.values(a.dbs)) for (const k of Object.values(db)) k.expire = -1;
      a.functions = {};
      expect(compareStates(a, b)).toEqual([]);
      expect(restored).toBe(keyspace.size);
    });
  }
});

describe('RESTORE and COPY of a module value', () => {
  it('keep the value as the module serialised it', () => {
    const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = 0n;
    for (const ch of 'testmodul') id = (id << 6n) | BigInt(charset.indexOf(ch));
    id = (id << 10n) | 3n; // encver 3
    const idBytes = [0x81, ...Array.from({ length: 8 }, (_, i) => Number((id >> BigInt(8 * (7 - i))) & 0xffn))];
    const opcodes = [2, 42, 5, 3, 0x61, 0x62, 0x63, 0]; // UINT 42, STRING "abc", EOF
    const payload = payloadOf(7, new Uint8Array([...idBytes, ...opcodes]), 9);
    const enc = new TextEncoder();
    const { keyspace } = replayCommands([
      [enc.encode('RESTORE'), enc.encode('m'), enc.encode('0'), payload],
      [enc.encode('COPY'), enc.encode('m'), enc.encode('m2')],
    ]);
    for (const k of ['m', 'm2']) {
      const v = keyspace.db(0).get(k);
      expect(v).toMatchObject({ type: 'module', moduleName: 'testmodul', encver: 3 });
      expect([...((v as { raw: Uint8Array }).raw ?? [])]).toEqual(opcodes);
    }
  });
});
