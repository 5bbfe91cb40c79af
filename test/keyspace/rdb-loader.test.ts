/**
 * The RDB → keyspace loader against redis-server: every RDB file the reader accepts and Redis 7.0 can load
 * (our fixture and the peer files up to RDB 10) is loaded by the server (DEBUG RELOAD NOSAVE) and by the
 * loader; the states must be equal. Plus the walk API writers use: stable order, types, bytes.
 */
// cspell:words keyspace nosave ziplist zipmap
import { copyFile, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyspace, hashBytes, listBytes, setBytes, streamEntryBytes, streamGroups, streamMeta, zsetBytes } from '../../src/keyspace/model.js';
import type { StreamValue } from '../../src/keyspace/model.js';
import { RdbLoader } from '../../src/keyspace/rdb-loader.js';
import { readRdbSync } from '../../src/rdb/reader.js';
import { compareStates, modelState, serverState } from '../support/keyspace-state.js';
import { describeWithRedis, startRedis } from '../support/redis.js';
import type { RedisHandle } from '../support/redis.js';

const PEER = path.resolve(import.meta.dirname, '../../../shared/fixtures/peer');
const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/redis-7.0-all-types.rdb');

async function findRdbFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findRdbFiles(full)));
    else if (entry.name.endsWith('.rdb')) out.push(full);
  }
  return out.sort();
}

/** The keyspace a file loads into, or undefined when the reader (deep checks on, like a careful server) refuses it. */
function load(data: Uint8Array): Keyspace | undefined {
  const keyspace = new Keyspace();
  const loader = new RdbLoader(keyspace);
  try {
    let version = 0;
    for (const record of readRdbSync(data)) {
      if (record.kind === 'header') version = record.version;
      if (record.kind === 'module-aux') return undefined; // Redis cannot load it without the module
      loader.accept(record);
    }
    if (version > 10) return undefined;
    if (loader.stats.moduleValues > 0) return undefined;
  } catch {
    return undefined;
  }
  return keyspace;
}

const peerPresent = await stat(PEER).then(
  () => true,
  () => false,
);
const files = [FIXTURE, ...(peerPresent ? await findRdbFiles(PEER) : [])];

describeWithRedis('RDB loader against redis-server', () => {
  let server: RedisHandle | undefined;
  const seen = new Set<string>();
  beforeAll(async () => {
    server = await startRedis({ dbfilename: 'dump.rdb' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const file of files) {
    it(path.relative(path.resolve(PEER, '..'), file), async () => {
      const data = new Uint8Array(await readFile(file));
      if (data.length > 1 << 20) return; // the one large peer file (92k keys) would take most of this suite's time
      const digest = Buffer.from(data).toString('base64');
      if (seen.has(digest)) return; // the same bytes under another name
      seen.add(digest);
      const keyspace = load(data);
      if (!keyspace) return;
      if (!server) server = await startRedis({ dbfilename: 'dump.rdb' });
      await copyFile(file, path.join(server.dir, 'dump.rdb'));
      const now = Date.now();
      try {
        await server.call('DEBUG', 'RELOAD', 'NOSAVE');
      } catch (error) {
        // Redis refuses this file (a format it does not take, such as a Valkey or hand-patched RDB).
        expect(String(error)).toMatch(/Error trying to load the RDB/);
        return;
      }
      const loaded = await serverState(server);
      expect(compareStates(loaded, modelState(keyspace, now))).toEqual([]);
    });
  }
});

describe('walking a keyspace (what writers read)', () => {
  it('yields databases in order, keys in a stable order, values as bytes', async () => {
    const keyspace = new Keyspace();
    const loader = new RdbLoader(keyspace);
    for (const record of readRdbSync(new Uint8Array(await readFile(FIXTURE)))) loader.accept(record);
    const first = [...keyspace.databases()].map((db) => [db.index, [...db.keys()].map((k) => Buffer.from(k.key).toString('latin1'))]);
    const second = [...keyspace.databases()].map((db) => [db.index, [...db.keys()].map((k) => Buffer.from(k.key).toString('latin1'))]);
    expect(first).toEqual(second);
    const indexes = first.map(([i]) => i as number);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    let elements = 0;
    for (const db of keyspace.databases()) {
      for (const entry of db.keys()) {
        expect(entry.key).toBeInstanceOf(Uint8Array);
        const v = entry.value;
        switch (entry.type) {
          case 'list':
            for (const e of listBytes(v as never)) elements += e instanceof Uint8Array ? 1 : 0;
            break;
          case 'set':
            for (const m of setBytes(v as never)) elements += m instanceof Uint8Array ? 1 : 0;
            break;
          case 'zset':
            for (const z of zsetBytes(v as never)) elements += typeof z.score === 'number' ? 1 : 0;
            break;
          case 'hash':
            for (const h of hashBytes(v as never)) elements += h.value instanceof Uint8Array ? 1 : 0;
            break;
          case 'stream': {
            const s = v as StreamValue;
            const meta = streamMeta(s);
            expect(meta.length).toBe([...streamEntryBytes(s)].length);
            for (const g of streamGroups(s)) expect(g.pending.every((p) => g.consumers.some((c) => Buffer.from(c.name).equals(Buffer.from(p.consumer))))).toBe(true);
            break;
          }
          default:
            break;
        }
      }
    }
    expect(elements).toBeGreaterThan(0);
  });
});
