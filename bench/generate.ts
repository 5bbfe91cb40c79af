/**
 * Generates the bench inputs with a real redis-server:
 * - bench.rdb: a SAVE of ≥ 256 MiB of mixed data (every type and encoding Redis 7.0 writes, TTLs, 6 dbs);
 * - bench.aof: the RESP incr file of an appendonly server after ≥ 256 MiB of writes (small commands,
 *   100 KiB–2 MiB values, MULTI/EXEC blocks, several dbs).
 * Data comes from a seeded PRNG, so two generations write the same commands.
 */
// cspell:words appendonly appenddirname intset intsets listpack listpacks skiplist hashtable quicklist
// cspell:words XADD XGROUP XREADGROUP XACK XDEL PXAT PEXPIREAT HSET ZADD RPUSH SADD MSET INCRBY SETRANGE
// cspell:words LPUSH HINCRBY ZINCRBY SREM LTRIM mkid incr xorshift zsets keyspace appendfsync

import { copyFile, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Arg, RespClient } from './resp-client.js';
import { startRedis } from './redis-server.js';

export const MIB = 1024 * 1024;
export const MIN_SIZE = 256 * MIB;
/** Multiplier of the RDB key counts: 0.7 gives a ~300 MiB file. */
export const RDB_SCALE = 0.7;

/** Bump when the generated data changes, so stale caches are rebuilt. */
export const GENERATOR_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Deterministic data

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** xorshift32. */
  u32(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return x;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
}

class Data {
  readonly rng: Rng;
  private readonly textPool: string;
  private readonly bytePool: Buffer;
  private readonly words = ['user', 'order', 'session', 'cart', 'page', 'item', 'login', 'view', 'click', 'search', 'price', 'stock'];

  constructor(seed: number) {
    this.rng = new Rng(seed);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:.';
    const chars: string[] = [];
    for (let i = 0; i < 1 << 20; i++) chars.push(alphabet[this.rng.int(alphabet.length)] ?? 'x');
    this.textPool = chars.join('');
    this.bytePool = Buffer.allocUnsafe(24 * MIB);
    for (let i = 0; i < this.bytePool.length; i += 4) this.bytePool.writeUInt32LE(this.rng.u32(), i);
  }

  /** Random printable text of `length` characters (a slice of the pool). */
  text(length: number): string {
    const start = this.rng.int(this.textPool.length - length);
    return this.textPool.slice(start, start + length);
  }

  textIn(lo: number, hi: number): string {
    return this.text(this.rng.range(lo, hi));
  }

  /** Incompressible bytes (a view into the pool: do not modify). */
  bytes(length: number): Buffer {
    if (length <= this.bytePool.length) {
      const start = this.rng.int(this.bytePool.length - length);
      return this.bytePool.subarray(start, start + length);
    }
    const out = Buffer.allocUnsafe(length);
    for (let at = 0; at < length; at += this.bytePool.length) this.bytePool.copy(out, at, 0, Math.min(this.bytePool.length, length - at));
    return out;
  }

  /** One of a few event words. */
  word(i: number): string {
    return this.words[i % this.words.length] ?? 'event';
  }

  /** Log-like text that LZF compresses well. */
  compressible(length: number, id: number): string {
    const parts: string[] = [];
    let size = 0;
    let n = 0;
    while (size < length) {
      const word = this.word(id + n);
      const line = `${word} id=${id} seq=${n % 50} status=ok latency_ms=${(id * 7 + n) % 100} region=eu-west-1;`;
      parts.push(line);
      size += line.length;
      n++;
    }
    return parts.join('').slice(0, length);
  }

  /** An integer as a string, of mixed magnitude (int8 … int64 encodings). */
  integer(): string {
    switch (this.rng.int(4)) {
      case 0:
        return String(this.rng.int(200) - 100);
      case 1:
        return String(this.rng.int(60000) - 30000);
      case 2:
        return String(this.rng.u32() - 2147483648);
      default:
        return `${this.rng.chance(0.5) ? '-' : ''}${this.rng.range(1, 9)}${String(this.rng.u32()).padStart(10, '0')}${String(this.rng.int(100000)).padStart(5, '0')}`;
    }
  }
}

/** A PXAT/PEXPIREAT time between 2100 and 2130. */
function farFuture(data: Data): number {
  return Date.UTC(2100, 0, 1) + data.rng.int(30 * 365) * 86_400_000 + data.rng.int(86_400_000);
}

// ---------------------------------------------------------------------------------------------
// Progress

export type Log = (line: string) => void;

class Progress {
  private readonly started = performance.now();
  constructor(
    private readonly log: Log,
    private readonly client: RespClient,
    private readonly what: string,
  ) {}
  phase(name: string): void {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    this.log(`  [${this.what} ${seconds.padStart(6)} s] ${name} (${(this.client.bytesSent / MIB).toFixed(0)} MiB sent)`);
  }
}

async function checkErrors(client: RespClient, what: string): Promise<void> {
  await client.sync();
  if (client.errorCount > 0) throw new Error(`${what}: ${client.errorCount} error replies, e.g. ${client.errors.join(' | ')}`);
}

// ---------------------------------------------------------------------------------------------
// RDB

async function fillStrings(c: RespClient, data: Data, p: Progress, scale: number): Promise<void> {
  const rng = data.rng;
  await c.call(['SELECT', 0]);
  p.phase('db0: small strings');
  const small = Math.round(1_200_000 * scale);
  for (let i = 0; i < small; ) {
    const batch: Arg[] = ['MSET'];
    for (let j = 0; j < 100 && i < small; j++, i++) {
      if (i % 10 === 0) {
        await c.send(['SET', `s:${i}`, data.textIn(4, 40), 'PXAT', farFuture(data)]);
      } else {
        batch.push(`s:${i}`, data.textIn(4, 40));
      }
    }
    if (batch.length > 1) await c.send(batch);
  }
  p.phase('db0: integer strings');
  const ints = Math.round(300_000 * scale);
  for (let i = 0; i < ints; ) {
    const batch: Arg[] = ['MSET'];
    for (let j = 0; j < 100 && i < ints; j++, i++) batch.push(`n:${i}`, data.integer());
    await c.send(batch);
  }
  p.phase('db0: long compressible strings (LZF)');
  const compressible = Math.round(30_000 * scale);
  for (let i = 0; i < compressible; i++) {
    const args: Arg[] = ['SET', `c:${i}`, data.compressible(rng.range(1024, 8192), i)];
    if (i % 4 === 0) args.push('PXAT', farFuture(data));
    await c.send(args);
  }
  p.phase('db0: long random strings');
  const random = Math.round(15_000 * scale);
  for (let i = 0; i < random; i++) {
    const args: Arg[] = ['SET', `r:${i}`, data.bytes(rng.range(1024, 6144))];
    if (i % 5 === 0) args.push('PXAT', farFuture(data));
    await c.send(args);
  }
  await checkErrors(c, 'db0');
}

async function fillListsAndSets(c: RespClient, data: Data, p: Progress, scale: number): Promise<void> {
  const rng = data.rng;
  await c.call(['SELECT', 1]);
  p.phase('db1: small lists (quicklist of one listpack)');
  const lists = Math.round(100_000 * scale);
  for (let i = 0; i < lists; i++) {
    const args: Arg[] = ['RPUSH', `l:${i}`];
    const n = rng.range(3, 30);
    for (let j = 0; j < n; j++) args.push(rng.chance(0.2) ? data.integer() : data.textIn(4, 40));
    await c.send(args);
    if (i % 8 === 0) await c.send(['PEXPIREAT', `l:${i}`, farFuture(data)]);
  }
  p.phase('db1: long lists with big elements');
  for (let i = 0; i < 8; i++) {
    for (let b = 0; b < 40; b++) {
      const args: Arg[] = ['RPUSH', `L:${i}`];
      for (let j = 0; j < 100; j++) args.push(data.bytes(rng.range(100, 3000)));
      await c.send(args);
    }
  }
  p.phase('db1: lists with plain quicklist nodes');
  await c.sync();
  await c.call(['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '16384']);
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 300; j++) {
      await c.send(['RPUSH', `P:${i}`, rng.chance(0.5) ? data.bytes(rng.range(16 * 1024, 64 * 1024)) : data.textIn(10, 200)]);
    }
  }
  await c.sync();
  await c.call(['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0']);
  p.phase('db1: intsets');
  const intsets = Math.round(60_000 * scale);
  for (let i = 0; i < intsets; i++) {
    const args: Arg[] = ['SADD', `si:${i}`];
    const n = rng.range(5, 100);
    const kind = i % 3;
    for (let j = 0; j < n; j++) {
      args.push(kind === 0 ? rng.int(30000) : kind === 1 ? rng.u32() - 2147483648 : data.integer());
    }
    await c.send(args);
  }
  p.phase('db1: hashtable sets');
  const sets = Math.round(5_000 * scale);
  for (let i = 0; i < sets; i++) {
    const n = rng.range(20, 600);
    for (let done = 0; done < n; ) {
      const args: Arg[] = ['SADD', `sh:${i}`];
      for (let j = 0; j < 200 && done < n; j++, done++) args.push(data.textIn(6, 20));
      await c.send(args);
    }
    if (i % 10 === 0) await c.send(['PEXPIREAT', `sh:${i}`, farFuture(data)]);
  }
  for (let i = 0; i < Math.round(200 * scale); i++) {
    const n = rng.range(600, 2000);
    for (let done = 0; done < n; ) {
      const args: Arg[] = ['SADD', `sn:${i}`];
      for (let j = 0; j < 500 && done < n; j++, done++) args.push(rng.u32());
      await c.send(args);
    }
  }
  await checkErrors(c, 'db1');
}

async function fillZsetsAndHashes(c: RespClient, data: Data, p: Progress, scale: number): Promise<void> {
  const rng = data.rng;
  await c.call(['SELECT', 2]);
  p.phase('db2: listpack zsets');
  const zsets = Math.round(40_000 * scale);
  for (let i = 0; i < zsets; i++) {
    const args: Arg[] = ['ZADD', `z:${i}`];
    const n = rng.range(5, 40);
    for (let j = 0; j < n; j++) args.push(rng.chance(0.5) ? rng.int(100000) : (rng.u32() / 1000).toFixed(3), data.textIn(4, 30));
    await c.send(args);
  }
  p.phase('db2: skiplist zsets');
  for (let i = 0; i < Math.round(30 * scale); i++) {
    for (let b = 0; b < 60; b++) {
      const args: Arg[] = ['ZADD', `Z:${i}`];
      for (let j = 0; j < 500; j++) args.push((rng.u32() / 7).toFixed(4), data.textIn(8, 24));
      await c.send(args);
    }
  }
  p.phase('db2: listpack hashes');
  const hashes = Math.round(50_000 * scale);
  for (let i = 0; i < hashes; i++) {
    const args: Arg[] = ['HSET', `h:${i}`];
    const n = rng.range(5, 40);
    for (let j = 0; j < n; j++) args.push(`f${j}:${data.textIn(2, 10)}`, rng.chance(0.3) ? data.integer() : data.textIn(4, 40));
    await c.send(args);
    if (i % 10 === 0) await c.send(['PEXPIREAT', `h:${i}`, farFuture(data)]);
  }
  p.phase('db2: hashtable hashes');
  for (let i = 0; i < Math.round(1_000 * scale); i++) {
    const n = rng.range(600, 1000);
    for (let done = 0; done < n; ) {
      const args: Arg[] = ['HSET', `H:${i}`];
      for (let j = 0; j < 250 && done < n; j++, done++) args.push(`field:${done}`, data.textIn(8, 40));
      await c.send(args);
    }
  }
  for (let i = 0; i < Math.round(2_000 * scale); i++) {
    const args: Arg[] = ['HSET', `Hv:${i}`, 'big', data.text(rng.range(65, 300))];
    for (let j = 0; j < 8; j++) args.push(`f${j}`, data.textIn(4, 20));
    await c.send(args);
  }
  await checkErrors(c, 'db2');
}

async function fillStreams(c: RespClient, data: Data, p: Progress, scale: number): Promise<void> {
  const rng = data.rng;
  await c.call(['SELECT', 3]);
  p.phase('db3: streams with consumer groups');
  const entries = Math.round(100_000 * scale);
  for (let s = 0; s < 6; s++) {
    const key = `x:${s}`;
    const base = 1_700_000_000_000 + s * 10_000_000;
    for (let i = 0; i < entries; i++) {
      const id = `${base + Math.floor(i / 3)}-${i % 3}`;
      const args: Arg[] = ['XADD', key, id, 'event', data.word(i), 'user', rng.int(100000), 'payload', data.textIn(10, 60)];
      if (i % 50 === 0) args.push('extra', data.textIn(5, 20));
      await c.send(args);
    }
    await c.send(['XGROUP', 'CREATE', key, 'g1', '0']);
    await c.send(['XGROUP', 'CREATE', key, 'g2', '0']);
    for (let consumer = 0; consumer < 3; consumer++) {
      await c.send(['XREADGROUP', 'GROUP', 'g1', `consumer-${consumer}`, 'COUNT', 4000, 'STREAMS', key, '>']);
    }
    await c.send(['XREADGROUP', 'GROUP', 'g2', 'solo', 'COUNT', 1000, 'STREAMS', key, '>']);
    // Acknowledge part of g1's pending list; delete a few entries.
    for (let i = 0; i < 2000; i += 100) {
      const args: Arg[] = ['XACK', key, 'g1'];
      for (let j = i; j < i + 50; j++) args.push(`${base + Math.floor(j / 3)}-${j % 3}`);
      await c.send(args);
    }
    const del: Arg[] = ['XDEL', key];
    for (let j = 50_000; j < 50_000 + 300 * 7; j += 7) del.push(`${base + Math.floor(j / 3)}-${j % 3}`);
    if (entries > 52_100) await c.send(del);
  }
  await checkErrors(c, 'db3');
}

async function fillOtherDbs(c: RespClient, data: Data, p: Progress, scale: number): Promise<void> {
  const rng = data.rng;
  p.phase('db5, db9: mixed keys with TTLs');
  for (const db of [5, 9]) {
    await c.call(['SELECT', db]);
    for (let i = 0; i < Math.round(50_000 * scale); i++) {
      const t = farFuture(data);
      switch (i % 4) {
        case 0:
          await c.send(['SET', `k:${i}`, data.textIn(5, 80), 'PXAT', t]);
          break;
        case 1:
          await c.send(['HSET', `k:${i}`, 'a', data.textIn(3, 20), 'b', rng.int(1000)]);
          await c.send(['PEXPIREAT', `k:${i}`, t]);
          break;
        case 2:
          await c.send(['SADD', `k:${i}`, rng.int(1000), rng.int(1000), data.textIn(3, 10)]);
          break;
        default:
          await c.send(['ZADD', `k:${i}`, rng.int(50), data.textIn(3, 10), rng.int(50), data.textIn(3, 10)]);
          await c.send(['PEXPIREAT', `k:${i}`, t]);
      }
    }
  }
  await checkErrors(c, 'db5/db9');
}

/** Adds incompressible strings to db 4 (used when the RDB came out below the minimum). */
async function fillExtra(c: RespClient, data: Data, bytes: number, round: number): Promise<void> {
  await c.call(['SELECT', 4]);
  const count = Math.ceil(bytes / 4096);
  for (let i = 0; i < count; i++) await c.send(['SET', `fill:${round}:${i}`, data.bytes(4096)]);
  await checkErrors(c, 'db4');
}

export interface RdbInfo {
  size: number;
  keys: number;
  seconds: number;
}

export async function generateRdb(target: string, log: Log, scale = RDB_SCALE): Promise<RdbInfo> {
  const started = performance.now();
  const server = await startRedis([]);
  try {
    const c = server.client;
    log(`  redis-server on 127.0.0.1:${server.port}, dir ${server.dir}`);
    const data = new Data(0x5eed_0001);
    const p = new Progress(log, c, 'rdb');
    await fillStrings(c, data, p, scale);
    await fillListsAndSets(c, data, p, scale);
    await fillZsetsAndHashes(c, data, p, scale);
    await fillStreams(c, data, p, scale);
    await fillOtherDbs(c, data, p, scale);
    const dump = path.join(server.dir, 'dump.rdb');
    for (let round = 0; ; round++) {
      p.phase('SAVE');
      await c.call(['SAVE']);
      const size = (await stat(dump)).size;
      log(`  dump.rdb: ${(size / MIB).toFixed(1)} MiB (${size} bytes)`);
      if (size >= MIN_SIZE) break;
      const missing = MIN_SIZE - size + 8 * MIB;
      p.phase(`below 256 MiB: adding ${(missing / MIB).toFixed(0)} MiB of strings to db4`);
      await fillExtra(c, data, missing, round);
    }
    let keys = 0;
    const info = await c.call(['INFO', 'keyspace']);
    for (const match of String(info).matchAll(/keys=(\d+)/g)) keys += Number(match[1]);
    await server.stop();
    await copyFile(dump, `${target}.tmp`);
    await rename(`${target}.tmp`, target);
    const size = (await stat(target)).size;
    return { size, keys, seconds: (performance.now() - started) / 1000 };
  } finally {
    await server.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// AOF

export interface AofInfo {
  size: number;
  commands: number;
  bigValues: number;
  transactions: number;
  seconds: number;
}

async function incrFile(dir: string): Promise<string> {
  const manifest = await readFile(path.join(dir, 'aof', 'appendonly.aof.manifest'), 'utf8');
  const incr = manifest.split('\n').filter((line) => / type i\b/.test(line));
  const name = /^file (\S+)/.exec(incr[0] ?? '')?.[1];
  if (incr.length !== 1 || name === undefined) throw new Error(`expected exactly one incr file in the manifest:\n${manifest}`);
  return path.join(dir, 'aof', name);
}

async function smallCommand(c: RespClient, data: Data, n: number): Promise<void> {
  const rng = data.rng;
  const key = rng.int(200_000);
  switch (n % 10) {
    case 0:
    case 1:
      await c.send(['SET', `s:${key}`, data.textIn(4, 60)]);
      break;
    case 2:
      await c.send(['SET', `t:${key}`, data.textIn(4, 60), 'EX', rng.range(86_400, 10 * 86_400)]);
      break;
    case 3:
      await c.send(['HSET', `h:${key % 20_000}`, `f${rng.int(50)}`, data.textIn(4, 40), `g${rng.int(50)}`, rng.int(100_000)]);
      break;
    case 4:
      await c.send(['ZADD', `z:${key % 20_000}`, (rng.u32() / 1000).toFixed(3), data.textIn(4, 24)]);
      break;
    case 5:
      await c.send(['RPUSH', `l:${key % 20_000}`, data.textIn(4, 40), data.textIn(4, 40)]);
      if (rng.chance(0.05)) await c.send(['LTRIM', `l:${key % 20_000}`, -20, -1]);
      break;
    case 6:
      await c.send(['SADD', `set:${key % 20_000}`, rng.int(1_000_000), data.textIn(4, 16)]);
      break;
    case 7:
      await c.send(['INCRBY', `n:${key % 50_000}`, rng.int(1000)]);
      break;
    case 8:
      await c.send(['HINCRBY', `h:${key % 20_000}`, `cnt${rng.int(5)}`, 1]);
      break;
    default:
      if (rng.chance(0.3)) await c.send(['DEL', `s:${key}`]);
      else await c.send(['SET', `s:${key}`, data.bytes(rng.range(8, 200))]);
  }
}

export async function generateAof(target: string, log: Log, minSize = MIN_SIZE + 24 * MIB): Promise<AofInfo> {
  const started = performance.now();
  const server = await startRedis([
    '--appendonly', 'yes',
    '--aof-use-rdb-preamble', 'no',
    '--appenddirname', 'aof',
    '--appendfsync', 'no',
    '--auto-aof-rewrite-percentage', '0',
  ]);
  try {
    const c = server.client;
    log(`  redis-server (appendonly) on 127.0.0.1:${server.port}, dir ${server.dir}`);
    const data = new Data(0x5eed_0002);
    const rng = data.rng;
    const p = new Progress(log, c, 'aof');
    const file = await incrFile(server.dir);
    let commands = 0;
    let bigValues = 0;
    let transactions = 0;
    let size = 0;
    let lastReport = 0;
    for (let round = 0; size < minSize; round++) {
      // 10,000 small commands over dbs 0-2 with MULTI/EXEC blocks, then one big value.
      for (let i = 0; i < 10_000; i++) {
        if (i % 2_500 === 0) {
          await c.send(['SELECT', rng.int(3)]);
          commands++;
        }
        if (i % 97 === 0) {
          const n = rng.range(2, 8);
          await c.send(['MULTI']);
          for (let j = 0; j < n; j++) await smallCommand(c, data, rng.int(10));
          await c.send(['EXEC']);
          commands += n + 2;
          transactions++;
        } else {
          await smallCommand(c, data, rng.int(10));
          commands++;
        }
      }
      const big = data.bytes(rng.range(100 * 1024, 2 * MIB));
      if (round % 5 === 4) {
        await c.send(['MULTI']);
        await c.send(['SET', `big:${round % 16}`, big]);
        await c.send(['RPUSH', `bl:${round % 4}`, data.bytes(rng.range(100 * 1024, 400 * 1024))]);
        await c.send(['LTRIM', `bl:${round % 4}`, -3, -1]);
        await c.send(['EXEC']);
        commands += 5;
        bigValues += 2;
        transactions++;
      } else {
        await c.send(['SET', `big:${round % 16}`, big]);
        commands++;
        bigValues++;
      }
      if (round % 10 === 9) {
        await c.sync();
        size = (await stat(file)).size;
        if (size - lastReport >= 32 * MIB) {
          p.phase(`${(size / MIB).toFixed(0)} MiB of AOF, ${commands} commands`);
          lastReport = size;
        }
      }
    }
    await checkErrors(c, 'aof');
    await server.stop();
    await copyFile(file, `${target}.tmp`);
    await rename(`${target}.tmp`, target);
    size = (await stat(target)).size;
    return { size, commands, bigValues, transactions, seconds: (performance.now() - started) / 1000 };
  } finally {
    await server.dispose();
  }
}
