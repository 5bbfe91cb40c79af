/** The test harness against a real redis-server. */
// cspell:words appendfsync appendonly appenddirname appendonlydir DBSIZE FLUSHALL HSET INCRBY keyspace LPUSH PEXPIREAT RPUSH WRONGTYPE
import { existsSync, readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RedisStartError,
  describeWithRedis,
  encodeCommand,
  loadAofDigest,
  loadRdbDigest,
  makeTempDir,
  runTool,
  startRedis,
  stopAll,
  type RedisHandle,
} from './redis.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const ALL_TYPES = path.join(FIXTURES, 'redis-7.0-all-types.rdb');

interface ExpectedFile {
  digest: string;
  keyCount: number;
  digestAfterExpiry: string;
  keyCountAfterExpiry: number;
  keys: { ttlMs: number }[];
  companions: Record<string, { digest: string; keyCount: number }>;
}

function readExpected(): ExpectedFile {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'redis-7.0-all-types.expected.json'), 'utf8')) as ExpectedFile;
}

describeWithRedis('redis test harness', () => {
  afterAll(stopAll);

  describe('a running server', () => {
    let redis: RedisHandle;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('answers commands with Buffers, numbers and server errors', async () => {
      expect(await redis.call('SET', 'k', Buffer.from([0, 1, 255]))).toBe('OK');
      expect(await redis.call('GET', 'k')).toEqual(Buffer.from([0, 1, 255]));
      expect(await redis.call('GET', 'missing')).toBeNull();
      expect(await redis.call('INCRBY', 'n', '41')).toBe(41);
      await expect(redis.call('INCR', 'k')).rejects.toThrow('ERR value is not an integer or out of range');
      await expect(redis.call('LPUSH', 'k', 'x')).rejects.toMatchObject({ name: 'RedisReplyError', command: 'LPUSH' });
    });

    it('pipelines thousands of commands and reports digests', async () => {
      await redis.call('FLUSHALL');
      const emptyDigest = await redis.digest();
      expect(emptyDigest).toBe('0'.repeat(40));
      const commands = Array.from({ length: 5_000 }, (_, i) => ['SET', `key:${i}`, `value:${i}`]);
      const replies = await redis.callMany(commands);
      expect(replies).toHaveLength(5_000);
      expect(replies.every((reply) => reply === 'OK')).toBe(true);
      expect(await redis.call('DBSIZE')).toBe(5_000);
      expect(await redis.digest()).toMatch(/^[0-9a-f]{40}$/);
      expect(await redis.digestValue('key:7')).toMatch(/^[0-9a-f]{40}$/);
      await expect(redis.callMany([['SET', 'a', '1'], ['INCR', 'a', 'extra'], ['GET', 'a']]))
        .rejects.toMatchObject({ index: 1, command: 'INCR' });
      expect(await redis.call('GET', 'a')).toEqual(Buffer.from('1')); // the batch ran in full
    });
  });

  it('stop() ends the process and removes its temp dir', async () => {
    const redis = await startRedis();
    expect(existsSync(redis.dir)).toBe(true);
    await redis.stop();
    expect(() => process.kill(redis.pid, 0)).toThrow();
    expect(existsSync(redis.dir)).toBe(false);
    expect(redis.log()).toContain('Ready to accept connections');
    await redis.stop(); // idempotent
  });

  it('loadRdbDigest reproduces the digests recorded in the fixtures', async () => {
    const expected = readExpected();
    const before = Date.now();
    const loaded = await loadRdbDigest(ALL_TYPES);
    const after = Date.now();
    const expiries = expected.keys.map((key) => key.ttlMs).filter((ms) => ms !== -1);
    // A key whose expiry fell while the server was loading may or may not be there.
    if (!expiries.some((ms) => ms >= before && ms <= after)) {
      const expired = expiries.filter((ms) => ms < before).length;
      expect(expired).toBeLessThanOrEqual(1);
      expect(loaded).toMatchObject(expired === 0
        ? { digest: expected.digest, keys: expected.keyCount }
        : { digest: expected.digestAfterExpiry, keys: expected.keyCountAfterExpiry });
    }
    for (const [name, companion] of Object.entries(expected.companions)) {
      expect(await loadRdbDigest(path.join(FIXTURES, name))).toMatchObject({ digest: companion.digest, keys: companion.keyCount });
    }
  });

  it('loadRdbDigest reports a file the server refuses, with its log', async () => {
    const dir = await makeTempDir();
    const truncated = path.join(dir, 'truncated.rdb');
    await writeFile(truncated, readFileSync(ALL_TYPES).subarray(0, 2_000));
    const failure = await loadRdbDigest(truncated).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RedisStartError);
    expect((failure as RedisStartError).message).toMatch(/could not load .*truncated\.rdb/);
    expect((failure as RedisStartError).log).toMatch(/Short read|Internal error in RDB/);
  });

  it('loadAofDigest loads a manifest dir and a single file, and refuses a torn tail', async () => {
    const dir = await makeTempDir();
    const writer = await startRedis({ dir, appendonly: true, extraConfig: { appendfsync: 'always' } });
    await writer.callMany([['SET', 'a', '1'], ['RPUSH', 'list', 'x', 'y'], ['HSET', 'h', 'f', 'v'], ['PEXPIREAT', 'a', '4102444800000']]);
    const digest = await writer.digest();
    await writer.stop();
    expect(await readdir(path.join(dir, 'appendonlydir'))).toContain('appendonly.aof.manifest');
    expect(await loadAofDigest(path.join(dir, 'appendonlydir'))).toMatchObject({ digest, keys: 3 });

    const commands = [['SELECT', '0'], ['SET', 'a', '1'], ['RPUSH', 'list', 'x', 'y'], ['HSET', 'h', 'f', 'v'], ['PEXPIREAT', 'a', '4102444800000']];
    const aof = Buffer.concat(commands.map((command) => encodeCommand(command)));
    const single = path.join(dir, 'single.aof');
    await writeFile(single, aof);
    expect(await loadAofDigest(single)).toMatchObject({ digest, keys: 3 });

    const torn = path.join(dir, 'torn.aof');
    await writeFile(torn, aof.subarray(0, aof.length - 3));
    await expect(loadAofDigest(torn)).rejects.toThrow(/Unexpected end of file|truncated/i);
  });

  it('runTool runs redis-check-rdb', async () => {
    const result = await runTool('redis-check-rdb', [ALL_TYPES]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/RDB looks OK/);
  });
});
