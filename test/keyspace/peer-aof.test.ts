/**
 * Every AOF under ../shared/fixtures/peer replays, or fails with the documented error. Where Debian's
 * redis-server 7.0 loads the same AOF, the replayed state must equal what it loaded; the Redis 7.4 hash-field
 * TTL AOFs (which 7.0 cannot load) must give what their source project's expected JSON says.
 */
// cspell:words appendonly appendonlydir hdt hfe keyspace listpack replicator
import { cp, copyFile, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptError, RedbackError } from '../../src/errors.js';
import { HashValue } from '../../src/keyspace/types/hash.js';
import { NotReplayableError, replayAof } from '../../src/keyspace/replay.js';
import { compareStates, modelState, serverState } from '../support/keyspace-state.js';
import { haveRedis, makeTempDir, startRedis } from '../support/redis.js';
import type { RedisHandle } from '../support/redis.js';

const PEER = path.resolve(import.meta.dirname, '../../../shared/fixtures/peer');

/** AOF inputs: every .aof outside an AOF directory, and every .manifest. */
async function findAofs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findAofs(full)));
    else if (entry.name.endsWith('.manifest')) out.push(full);
    else if (entry.name.endsWith('.aof') && !path.basename(dir).includes('appendonlydir')) out.push(full);
  }
  return out.sort();
}

/** What each peer AOF must do (anything not listed must replay, and match redis-server where it loads). */
const EXPECTED_ERRORS: Record<string, RegExp> = {
  // Redis 2.x/3.x AOFs with scripts replicated verbatim: no Lua here.
  'leonchen83__redis-replicator/src/test/resources/appendonly5.aof': /cannot replay 'eval'/,
  'leonchen83__redis-replicator/src/test/resources/appendonly6.aof': /cannot replay 'eval'/,
  // Lines end in a bare LF: Redis refuses the file too ("Bad file format").
  'tair-opensource__RedisShake/test/aof_test/appendonlydir/appendonly.aof.manifest': /offset 0: Expected \\r\\n/,
};

/** Peer AOFs written by Redis 7.4+ (hash-field TTLs), with the JSON their project expects. */
const HFE: Record<string, string> = {
  'HDT3213__rdb/cases/hash_with_hfe.aof': 'HDT3213__rdb/cases/hash_with_hfe.json',
  'HDT3213__rdb/cases/hash_as_listpack_with_hfe.aof': 'HDT3213__rdb/cases/hash_as_listpack_with_hfe.json',
  'HDT3213__rdb/cases/valkey_hash2_with_hfe.aof': 'HDT3213__rdb/cases/valkey_hash2_with_hfe.json',
};

async function startFrom(file: string): Promise<RedisHandle | undefined> {
  const dir = await makeTempDir('redback-peer-aof-');
  try {
    if (file.endsWith('.manifest')) {
      await cp(path.dirname(file), path.join(dir, 'appendonlydir'), { recursive: true });
      return await startRedis({ dir, appendonly: true, appenddirname: 'appendonlydir', appendfilename: path.basename(file).slice(0, -'.manifest'.length) });
    }
    await copyFile(file, path.join(dir, 'appendonly.aof'));
    return await startRedis({ dir, appendonly: true, appenddirname: 'appendonlydir', appendfilename: 'appendonly.aof' });
  } catch {
    return undefined; // redis-server refuses it
  }
}

describe('peer AOF files', async () => {
  const exists = await stat(PEER).then(
    () => true,
    () => false,
  );
  const files = exists ? await findAofs(PEER) : [];
  const servers: RedisHandle[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it('are found', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    const name = path.relative(PEER, file);
    it(name, async () => {
      const expectedError = EXPECTED_ERRORS[name];
      if (expectedError) {
        const error = await replayAof(file, { now: 0 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(RedbackError);
        const e = error as RedbackError;
        expect(e.toLine()).toMatch(expectedError);
        expect(e.file).toBeDefined();
        expect(e.offset).toBeDefined();
        if (e instanceof NotReplayableError) {
          expect(e.hint).toBeDefined();
          // With the skip option the rest replays, and the report counts what was skipped.
          const { report } = await replayAof(file, { now: 0, skipUnsupported: true });
          expect(Object.values(report.skipped).reduce((n, s) => n + s.count, 0)).toBeGreaterThan(0);
        } else {
          expect(e).toBeInstanceOf(CorruptError);
        }
        return;
      }
      const now = Date.now();
      const { keyspace } = await replayAof(file, { now });
      const json = HFE[name];
      if (json) {
        const expected = JSON.parse(await readFile(path.join(PEER, json), 'utf8')) as { db: number; key: string; hash: Record<string, string>; expire: Record<string, number> }[];
        for (const record of expected) {
          const hash = keyspace.db(record.db).get(record.key);
          expect(hash).toBeInstanceOf(HashValue);
          const fields = Object.fromEntries([...(hash as HashValue).entries()].map(([f, v, when]) => [f, [v, when ?? 0]]));
          expect(fields).toEqual(Object.fromEntries(Object.entries(record.hash).map(([f, v]) => [f, [v, record.expire[f] ?? 0]])));
        }
        return;
      }
      if (!haveRedis) {
        if (process.env.CI === 'true') throw new Error('redis-server not found: the peer AOF comparison cannot be skipped when CI=true');
        console.warn(`redis-server not found: ${name} replayed but not compared with a server`);
        return;
      }
      const server = await startFrom(file);
      expect(server, `redis-server 7.0 should load ${name}`).toBeDefined();
      servers.push(server as RedisHandle);
      const loaded = await serverState(server as RedisHandle);
      expect(compareStates(loaded, modelState(keyspace, now), { ignoreSeenTime: true })).toEqual([]);
    });
  }
});
