/**
 * Memory of the keyspace model against Redis: for a few datasets, the same commands go to a real
 * redis-server (its INFO used_memory growth is Redis's cost) and through the replay engine (V8 heap plus
 * external memory growth after a full GC is the model's cost). Prints bytes per key for both.
 *
 *   npm run build && node --expose-gc dist/bench/keyspace-memory.js [--keys N]
 *   node --expose-gc --max-old-space-size=8192 dist/bench/keyspace-memory.js --rdb bench/.cache/bench.rdb
 *
 * With --rdb, the measure is a whole RDB file instead (made by the bench generator when missing): Redis
 * loads it at startup, the model through the RDB loader.
 *
 * A report, not a gate: memory goals are measured here, never asserted in unit tests.
 */
// cspell:words keyspace bigzset biglist
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Keyspace } from '../src/keyspace/model.js';
import { RdbLoader } from '../src/keyspace/rdb-loader.js';
import { ReplayEngine } from '../src/keyspace/replay.js';
import { openInput } from '../src/io/open.js';
import { readRdb } from '../src/rdb/reader.js';
import { generateRdb } from './generate.js';
import { startRedis } from './redis-server.js';

type Cmd = string[];

interface Dataset {
  name: string;
  /** Commands for key number i. */
  commands(i: number): Cmd[];
}

const datasets: Dataset[] = [
  { name: 'strings (16-byte key, 10-byte value)', commands: (i) => [['SET', `key:${String(i).padStart(10, '0')}`, `v${String(i).padStart(9, '0')}`]] },
  { name: 'strings with TTL', commands: (i) => [['SET', `key:${String(i).padStart(10, '0')}`, `v${String(i).padStart(9, '0')}`, 'PXAT', String(4_000_000_000_000 + i)]] },
  { name: 'integers', commands: (i) => [['SET', `int:${i}`, String(i * 7919)]] },
  { name: 'hashes of 5 fields', commands: (i) => [['HSET', `hash:${i}`, 'name', `user${i}`, 'age', String(i % 90), 'city', 'Paris', 'score', String(i * 3), 'email', `u${i}@example.com`]] },
  { name: 'lists of 20 elements', commands: (i) => [['RPUSH', `list:${i}`, ...Array.from({ length: 20 }, (_, j) => `item-${j}`)]] },
  { name: 'sets of 20 members', commands: (i) => [['SADD', `set:${i}`, ...Array.from({ length: 20 }, (_, j) => `member-${j}`)]] },
  { name: 'zsets of 20 members', commands: (i) => [['ZADD', `zset:${i}`, ...Array.from({ length: 20 }, (_, j) => [String(j * 1.5), `member-${j}`]).flat()]] },
  { name: 'large hashes (1 key per 1000, 1000 fields)', commands: (i) => (i % 1000 === 0 ? Array.from({ length: 10 }, (_, b) => ['HSET', `big:${i}`, ...Array.from({ length: 100 }, (_, j) => [`field-${b * 100 + j}`, `value-${b * 100 + j}`]).flat()]) : []) },
  { name: 'large sets (1 key per 1000, 1000 members)', commands: (i) => (i % 1000 === 0 ? Array.from({ length: 10 }, (_, b) => ['SADD', `bigset:${i}`, ...Array.from({ length: 100 }, (_, j) => `member-${b * 100 + j}`)]) : []) },
  { name: 'large zsets (1 key per 1000, 1000 members)', commands: (i) => (i % 1000 === 0 ? Array.from({ length: 10 }, (_, b) => ['ZADD', `bigzset:${i}`, ...Array.from({ length: 100 }, (_, j) => [String((b * 100 + j) * 0.25), `member-${b * 100 + j}`]).flat()]) : []) },
  { name: 'large lists (1 key per 1000, 1000 elements)', commands: (i) => (i % 1000 === 0 ? Array.from({ length: 10 }, (_, b) => ['RPUSH', `biglist:${i}`, ...Array.from({ length: 100 }, (_, j) => `element-${b * 100 + j}`)]) : []) },
  { name: 'streams of 10 entries', commands: (i) => Array.from({ length: 10 }, (_, j) => ['XADD', `stream:${i}`, `${j + 1}-0`, 'sensor', 'temp', 'value', String(j * 0.5)]) },
];

function heapBytes(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function usedMemory(client: { call(args: readonly string[]): Promise<unknown> }): Promise<number> {
  const info = String(await client.call(['INFO', 'memory']));
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

/** Redis's and the model's memory for a whole RDB file. */
async function measureRdb(file: string): Promise<void> {
  if (!existsSync(file)) {
    await mkdir(path.dirname(file), { recursive: true });
    process.stdout.write(`generating ${file}\n`);
    await generateRdb(file, (line) => process.stdout.write(`${line}\n`));
  }
  const empty = await startRedis([]);
  const baseline = await usedMemory(empty.client);
  await empty.dispose();
  const server = await startRedis(['--dir', path.dirname(path.resolve(file)), '--dbfilename', path.basename(file)]);
  let redisBytes: number;
  try {
    redisBytes = (await usedMemory(server.client)) - baseline;
  } finally {
    // The server runs in the file's directory: stop it without saving over the file.
    server.process.kill('SIGKILL');
    await server.dispose();
  }
  const base = heapBytes();
  const started = performance.now();
  const keyspace = new Keyspace();
  const loader = new RdbLoader(keyspace, { file });
  const input = await openInput(file, file);
  try {
    for await (const record of readRdb(input, { file, deep: false })) loader.accept(record);
  } finally {
    await input.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const modelBytes = heapBytes() - base;
  const n = keyspace.size;
  const m = process.memoryUsage();
  process.stdout.write(
    `${path.basename(file)}: ${n} keys loaded in ${seconds.toFixed(1)} s\n` +
      `  redis used_memory  ${(redisBytes / 2 ** 20).toFixed(1)} MiB (${(redisBytes / n).toFixed(1)} B/key)\n` +
      `  model              ${(modelBytes / 2 ** 20).toFixed(1)} MiB (${(modelBytes / n).toFixed(1)} B/key), ${(modelBytes / redisBytes).toFixed(2)} of Redis; ` +
      `V8 heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB, outside it ${(m.external / 2 ** 20).toFixed(0)} MiB\n`,
  );
}

async function main(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc');
  const rdbArg = process.argv.indexOf('--rdb');
  if (rdbArg > 0) {
    await measureRdb(process.argv[rdbArg + 1] as string);
    return;
  }
  const keysArg = process.argv.indexOf('--keys');
  const keys = keysArg > 0 ? Number(process.argv[keysArg + 1]) : 200_000;
  const encoder = new TextEncoder();
  process.stdout.write(`dataset                                        keys     redis B/key  model B/key  model/redis\n`);
  for (const d of datasets) {
    const server = await startRedis([]);
    try {
      const before = await usedMemory(server.client);
      for (let i = 0; i < keys; i++) for (const c of d.commands(i)) await server.client.send(c);
      await server.client.sync();
      const redisBytes = (await usedMemory(server.client)) - before;
      const base = heapBytes();
      const keyspace = new Keyspace();
      const engine = new ReplayEngine(keyspace, { now: 0 });
      engine.beginFile('bench', 'buffer', false);
      for (let i = 0; i < keys; i++) for (const c of d.commands(i)) engine.apply(c.map((a) => encoder.encode(a)), 0);
      const modelBytes = heapBytes() - base;
      const n = keyspace.size;
      process.stdout.write(
        `${d.name.padEnd(46)} ${String(n).padStart(8)} ${(redisBytes / n).toFixed(1).padStart(12)} ${(modelBytes / n).toFixed(1).padStart(12)} ${(modelBytes / redisBytes).toFixed(2).padStart(12)}\n`,
      );
      if (keyspace.size === 0) throw new Error('no keys');
    } finally {
      await server.dispose();
    }
  }
}

await main();
