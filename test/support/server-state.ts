/**
 * What a real server holds after loading a file, for oracle tests that go beyond `DEBUG DIGEST`: the digest
 * covers every value but of a key's TTL only whether it has one, and of a stream only its entries. So the
 * state also holds, per key, its type and absolute expiry (PEXPIRETIME), and for a stream what
 * `XINFO STREAM key FULL` says about it except what depends on the memory layout (radix tree sizes) or on
 * the moment it was loaded (consumers' seen and active times).
 */
// cspell:words keyspace appendonly appenddirname appendfilename appendonlydir dbfilename PEXPIRETIME XINFO
import { spawn } from 'node:child_process';
import { cp, copyFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, startRedis } from './redis.js';
import type { RedisHandle, RespValue, StartRedisOptions } from './redis.js';

/** The state of a loaded server. */
export interface ServerState {
  digest: string;
  keys: number;
  /** `<db>:<key as latin1>` → for keys with a TTL its PEXPIRETIME (`expireAt`), for streams their state. */
  perKey: Map<string, unknown>;
  /** FUNCTION LIST WITHCODE, libraries sorted by name. */
  functions: unknown;
}

function text(value: RespValue): string {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return String(value);
}

function fieldsOf(reply: RespValue): Map<string, RespValue> {
  const out = new Map<string, RespValue>();
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out.set(text(reply[i] as RespValue), reply[i + 1] as RespValue);
  return out;
}

function plain(value: RespValue): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  return typeof value === 'bigint' ? value.toString() : value;
}

/** XINFO STREAM FULL without the entries (the digest covers them), radix tree sizes and consumer times. */
function streamState(reply: RespValue): unknown {
  const info = fieldsOf(reply);
  const groups = (info.get('groups') as RespValue[] | null) ?? [];
  return {
    length: plain(info.get('length') ?? null),
    lastId: plain(info.get('last-generated-id') ?? null),
    maxDeletedId: plain(info.get('max-deleted-entry-id') ?? null),
    entriesAdded: plain(info.get('entries-added') ?? null),
    firstId: plain(info.get('recorded-first-entry-id') ?? null),
    groups: groups.map((groupReply) => {
      const group = fieldsOf(groupReply);
      const consumers = (group.get('consumers') as RespValue[] | null) ?? [];
      return {
        name: plain(group.get('name') ?? null),
        lastId: plain(group.get('last-delivered-id') ?? null),
        entriesRead: plain(group.get('entries-read') ?? null),
        lag: plain(group.get('lag') ?? null),
        pelCount: plain(group.get('pel-count') ?? null),
        pending: plain(group.get('pending') ?? null),
        consumers: consumers.map((consumerReply) => {
          const consumer = fieldsOf(consumerReply);
          return { name: plain(consumer.get('name') ?? null), pelCount: plain(consumer.get('pel-count') ?? null), pending: plain(consumer.get('pending') ?? null) };
        }),
      };
    }),
  };
}

async function scan(server: RedisHandle, ...filter: string[]): Promise<Buffer[]> {
  let cursor = '0';
  const names: Buffer[] = [];
  do {
    const reply = (await server.call('SCAN', cursor, 'COUNT', '10000', ...filter)) as RespValue[];
    cursor = text(reply[0] as RespValue);
    for (const name of reply[1] as RespValue[]) names.push(name as Buffer);
  } while (cursor !== '0');
  return names;
}

/**
 * Reads the state of a running server (every database). The digest already mixes in every key's type and
 * whether it has a TTL, so per key the state keeps the TTL of keys that have one and the stream state.
 */
export async function serverState(server: RedisHandle): Promise<ServerState> {
  const perKey = new Map<string, unknown>();
  let keys = 0;
  const keyspace = text(await server.call('INFO', 'keyspace'));
  const expiresByDb = new Map<number, number>();
  for (const match of keyspace.matchAll(/^db(\d+):keys=(\d+),expires=(\d+)/gm)) {
    keys += Number(match[2]);
    expiresByDb.set(Number(match[1]), Number(match[3]));
  }
  for (const [db, expires] of expiresByDb) {
    await server.call('SELECT', String(db));
    const entry = (name: Buffer): Record<string, unknown> => {
      const id = `${db}:${name.toString('latin1')}`;
      let value = perKey.get(id) as Record<string, unknown> | undefined;
      if (!value) perKey.set(id, (value = {}));
      return value;
    };
    if (expires > 0) {
      const names = await scan(server);
      for (let i = 0; i < names.length; i += 5000) {
        const batch = names.slice(i, i + 5000);
        const replies = await server.callMany(batch.map((name) => ['PEXPIRETIME', name]));
        batch.forEach((name, j) => {
          const at = replies[j] as RespValue;
          if (at !== -1) entry(name).expireAt = plain(at);
        });
      }
    }
    const streams = await scan(server, 'TYPE', 'stream');
    for (let i = 0; i < streams.length; i += 100) {
      const batch = streams.slice(i, i + 100);
      const infos = await server.callMany(batch.map((name) => ['XINFO', 'STREAM', name, 'FULL', 'COUNT', '0']));
      batch.forEach((name, j) => (entry(name).stream = streamState(infos[j] as RespValue)));
    }
  }
  await server.call('SELECT', '0');
  const libraries = plain(await server.call('FUNCTION', 'LIST', 'WITHCODE')) as unknown[][];
  const functions = libraries.map((library) => JSON.stringify(library)).sort();
  return { digest: await server.digest(), keys, perKey, functions };
}

async function stateAfterStart(options: StartRedisOptions): Promise<ServerState> {
  const server = await startRedis(options);
  try {
    return await serverState(server);
  } finally {
    await server.stop();
  }
}

/** Loads an RDB into a fresh server and reads its state. @throws RedisStartError when the server refuses it. */
export async function rdbState(rdbPath: string): Promise<ServerState> {
  const dir = await makeTempDir('redback-state-');
  await copyFile(rdbPath, path.join(dir, 'dump.rdb'));
  return stateAfterStart({ dir, dbfilename: 'dump.rdb' });
}

/**
 * Loads an AOF (one file, placed as `appendonly.aof`, or a directory holding a manifest, placed as
 * `appendonlydir/`) into a fresh server with `appendonly yes` and `aof-load-truncated no`, and reads its
 * state. @throws RedisStartError when the server refuses it.
 */
export async function aofState(aofPath: string): Promise<ServerState> {
  const dir = await makeTempDir('redback-state-');
  let appendfilename = 'appendonly.aof';
  if ((await stat(aofPath)).isDirectory()) {
    const manifests = (await readdir(aofPath)).filter((name) => name.endsWith('.manifest'));
    if (manifests.length !== 1) throw new Error(`${aofPath}: expected one manifest, found ${manifests.length}`);
    appendfilename = (manifests[0] as string).slice(0, -'.manifest'.length);
    await cp(aofPath, path.join(dir, 'appendonlydir'), { recursive: true });
  } else {
    await copyFile(aofPath, path.join(dir, appendfilename));
  }
  return stateAfterStart({ dir, appendonly: true, appenddirname: 'appendonlydir', appendfilename, extraConfig: { 'aof-load-truncated': 'no' } });
}

/** What `redis-cli --pipe` said. */
export interface PipeResult {
  code: number | null;
  output: string;
}

/** Pipes a file into `redis-cli --pipe` against a running server. */
export function pipeInto(server: RedisHandle, file: string): Promise<PipeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `redis-cli -h 127.0.0.1 -p ${server.port} --pipe --pipe-timeout 0 < "$0"`, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Pipes RESP into a fresh empty server with `redis-cli --pipe` and reads its state. */
export async function pipedState(respPath: string): Promise<ServerState & { pipe: PipeResult }> {
  const server = await startRedis();
  try {
    const pipe = await pipeInto(server, respPath);
    return { ...(await serverState(server)), pipe };
  } finally {
    await server.stop();
  }
}
