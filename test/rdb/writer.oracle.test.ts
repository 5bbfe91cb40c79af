/**
 * The oracle for the files the writer makes: redis-check-rdb 7.0 accepts every generated file it can read,
 * and a Redis 7.0 server loads each one to the same DEBUG DIGEST as the same data built with commands
 * (plus, for streams, the same consumer groups, pending entries and consumers, which the digest leaves out).
 */
// cspell:words zadd PEXPIREAT XADD XDEL XGROUP CREATECONSUMER XCLAIM RETRYCOUNT JUSTID ENTRIESREAD SETID FLUSHALL MAXDELETEDID ENTRIESADDED dbfilename
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generatedForRedis70, generatedLoadableByRedis70, type GeneratedRdb } from '../support/generated-rdbs.js';
import { describeWithRedis, makeTempDir, runTool, startRedis, type RedisArg, type RedisHandle, type RespValue } from '../support/redis.js';
import { scoreText, toBytes, type BlobItem, type KeySpec, type StreamSpec } from '../support/rdb-writer.js';

const arg = (value: BlobItem): RedisArg => (typeof value === 'number' || typeof value === 'bigint' ? value.toString() : toBytes(value));
const id = (value: { ms: bigint; seq: bigint }): string => `${value.ms}-${value.seq}`;
const zaddScore = (score: number): string => (Object.is(score, -0) ? '-0' : scoreText(score));

/** The commands that build one key as the spec describes it. */
function commandsFor(spec: KeySpec): RedisArg[][] {
  const key = toBytes(spec.key);
  const value = spec.value;
  const out: RedisArg[][] = [];
  switch (value.encoding) {
    case 'string':
      out.push(['SET', key, arg(value.value)]);
      break;
    case 'list-linked':
    case 'list-ziplist':
      out.push(['RPUSH', key, ...value.elements.map(arg)]);
      break;
    case 'quicklist':
      out.push(['RPUSH', key, ...value.nodes.flatMap((node) => node.elements.map(arg))]);
      break;
    case 'quicklist-v2':
      out.push(['RPUSH', key, ...value.nodes.flatMap((node) => ('plain' in node ? [arg(node.plain)] : node.elements.map(arg)))]);
      break;
    case 'set-hashtable':
    case 'set-listpack':
    case 'set-intset':
      out.push(['SADD', key, ...value.members.map(arg)]);
      break;
    case 'zset-v1':
    case 'zset-v2':
    case 'zset-ziplist':
    case 'zset-listpack':
      out.push(['ZADD', key, ...value.entries.flatMap(([member, score]) => [zaddScore(score), toBytes(member)])]);
      break;
    case 'hash-hashtable':
    case 'hash-zipmap':
    case 'hash-ziplist':
    case 'hash-listpack':
      out.push(['HSET', key, ...value.fields.flatMap(([field, v]) => [toBytes(field), arg(v)])]);
      break;
    case 'stream':
    case 'stream-v2':
    case 'stream-v3':
      out.push(...streamCommands(key, value.stream));
      break;
    default:
      throw new Error(`${value.encoding} cannot be built on Redis 7.0`);
  }
  const expireMs = spec.expireMs ?? (spec.expireSeconds === undefined ? undefined : spec.expireSeconds * 1000);
  if (expireMs !== undefined) out.push(['PEXPIREAT', key, String(expireMs)]);
  return out;
}

function streamCommands(key: Uint8Array, stream: StreamSpec): RedisArg[][] {
  const out: RedisArg[][] = [];
  for (const node of stream.nodes) {
    for (const entry of node.entries) {
      out.push(['XADD', key, id(entry.id), ...entry.fields.flatMap((f, i) => [f, entry.values[i] as Uint8Array])]);
      if (entry.deleted) out.push(['XDEL', key, id(entry.id)]);
    }
  }
  if (stream.nodes.length === 0) out.push(['XADD', key, 'MAXLEN', '0', '1-1', 'x', 'y']);
  out.push(['XSETID', key, id(stream.lastId), 'ENTRIESADDED', String(stream.entriesAdded ?? stream.length), 'MAXDELETEDID', id(stream.maxDeletedId ?? { ms: 0n, seq: 0n })]);
  for (const group of stream.groups) {
    out.push(['XGROUP', 'CREATE', key, group.name, id(group.lastId), 'ENTRIESREAD', String(group.entriesRead ?? 0n)]);
    for (const consumer of group.consumers) {
      out.push(['XGROUP', 'CREATECONSUMER', key, group.name, consumer.name]);
      for (const pendingId of consumer.pending) {
        const entry = group.pending.find((p) => id(p.id) === id(pendingId));
        if (!entry) throw new Error('consumer PEL entry not in the group PEL');
        out.push(['XCLAIM', key, group.name, consumer.name, '0', id(pendingId), 'TIME', String(entry.deliveryTimeMs), 'RETRYCOUNT', String(entry.deliveryCount), 'FORCE', 'JUSTID']);
      }
    }
  }
  return out;
}

/** The groups of a stream as XINFO STREAM FULL shows them, in a comparable form. */
async function groupsOf(server: RedisHandle, key: Uint8Array): Promise<unknown> {
  const info = (await server.call('XINFO', 'STREAM', key, 'FULL')) as RespValue[];
  const field = (list: RespValue[], name: string): RespValue => list[list.findIndex((v, i) => i % 2 === 0 && String(v) === name) + 1] as RespValue;
  return ((field(info, 'groups') as RespValue[]) ?? []).map((g) => {
    const group = g as RespValue[];
    return {
      name: String(field(group, 'name')),
      lastId: String(field(group, 'last-delivered-id')),
      pending: (field(group, 'pending') as RespValue[][]).map((p) => [String(p[0]), String(p[1]), Number(p[2]), Number(p[3])]),
      consumers: (field(group, 'consumers') as RespValue[][]).map((c) => [String(field(c, 'name')), (field(c, 'pending') as RespValue[][]).map((p) => String(p[0]))]),
    };
  });
}

/** Groups (and consumers) sorted by name, as Redis keeps them in radix trees. */
function expectedGroups(stream: StreamSpec): unknown {
  const byName = <T extends { name: unknown }>(list: readonly T[]): T[] => [...list].sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));
  return byName(stream.groups).map((g) => ({
    name: String(g.name),
    lastId: id(g.lastId),
    pending: g.pending.map((p) => {
      const owner = g.consumers.find((c) => c.pending.some((q) => id(q) === id(p.id)));
      return [id(p.id), String(owner?.name), p.deliveryTimeMs, p.deliveryCount];
    }),
    consumers: byName(g.consumers).map((c) => [String(c.name), c.pending.map(id)]),
  }));
}

async function loadAndCompare(file: GeneratedRdb): Promise<void> {
  const dir = await makeTempDir('redback-writer-oracle-');
  await writeFile(join(dir, 'dump.rdb'), file.data);
  const server = await startRedis({ dir, dbfilename: 'dump.rdb' });
  try {
    const loaded = await server.digest();
    const streams: [number, KeySpec & { value: { stream: StreamSpec } }][] = [];
    const libraries: string[] = [];
    let db = 0;
    const commands: RedisArg[][] = [['FLUSHALL'], ['SELECT', '0']];
    for (const item of file.spec.items) {
      if ('selectDb' in item) {
        db = item.selectDb;
        commands.push(['SELECT', String(db)]);
      } else if ('function' in item) libraries.push(/name=(\S+)/.exec(String(item.function))?.[1] as string);
      else if ('functionPreGa' in item) libraries.push(String(item.functionPreGa.name));
      else if ('key' in item) {
        commands.push(...commandsFor(item.key));
        if ('stream' in item.key.value) streams.push([db, item.key as KeySpec & { value: { stream: StreamSpec } }]);
      }
    }
    for (const [streamDb, key] of streams) {
      await server.call('SELECT', String(streamDb));
      expect(await groupsOf(server, toBytes(key.key)), String(key.key)).toEqual(expectedGroups(key.value.stream));
    }
    const listed = (await server.call('FUNCTION', 'LIST')) as RespValue[][];
    expect(listed.map((library) => String(library[1])).sort()).toEqual(libraries.sort());
    await server.callMany(commands);
    expect(await server.digest(), 'the file and the same data built with commands').toBe(loaded);
    expect(loaded).not.toBe('0'.repeat(40));
  } finally {
    await server.stop();
  }
}

describeWithRedis('files written by the writer, in Redis 7.0', () => {
  it('redis-check-rdb accepts every generated file of version 10 or lower', async () => {
    const dir = await makeTempDir('redback-writer-check-');
    const files = generatedForRedis70();
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      await writeFile(join(dir, file.name), file.data);
      const result = await runTool('redis-check-rdb', [join(dir, file.name)], { cwd: dir });
      expect(result.code, `${file.name}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  });

  it.each(generatedLoadableByRedis70().map((f) => [f.name, f] as const))('%s loads to the digest of the same data built with commands', async (_, file) => {
    await loadAndCompare(file);
  });
});
