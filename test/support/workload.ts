/**
 * A seeded random workload over every command family the replay engine covers, for oracle tests that drive
 * a real redis-server with `appendonly yes` and then compare what the server holds with what replaying its
 * AOF gives (and, for issue 11 §3, what the rewrite/convert outputs load as).
 *
 * - `generateWorkload({ seed, commands })`: the same seed gives the same commands. Keys are drawn from a small
 *   space per type, so commands hit existing keys, and about one in twelve uses a key of another type (the
 *   server answers WRONGTYPE and the AOF never sees it). Values mix text, integers, floats and binary bytes.
 *   It includes MULTI/EXEC blocks, SELECT across databases, SWAPDB/MOVE/COPY, TTLs (relative and absolute,
 *   an hour or more ahead, or already past), scripts and functions (replicated by their effects), blocking
 *   pops on non-empty keys, XREADGROUP (propagated as XCLAIM and XGROUP), SPOP (propagated as SREM), PFCOUNT
 *   (propagated when it refreshes the cache), INCRBYFLOAT (propagated as SET), SORT … STORE and DUMP/RESTORE.
 *   It leaves out what makes Redis 7.0's own AOF differ from its memory, so the server and any replay of its
 *   AOF can be compared: SETBIT … 0 and BITFIELD … OVERFLOW FAIL that grow a string without changing a bit
 *   (not propagated), and XREADGROUP that delivers nothing (its new consumer is not propagated) — every
 *   XREADGROUP follows an XADD to its stream. What still differs is documented Redis behaviour: groups'
 *   entries-read after XCLAIM … LASTID, and consumers' seen times (the time of loading).
 * - `runWorkload(server, commands)`: pipelines the commands in batches, counting error replies; a
 *   `['__DUMP_RESTORE__', src, dst]` pseudo-command DUMPs src and RESTOREs it as dst.
 * - `aofOfServer(server)`: the server's AOF directory (manifest and files) once no rewrite is running.
 * - `startFromAof(aofDir)`: a fresh server that loaded a copy of that directory.
 */
// cspell:words appendonlydir appendonly bgrewriteaof evalsha fcall keyspace lpush rpush linsert lrem ltrim lmove lmpop blpop sadd srem smove spop sinterstore sunionstore sdiffstore zadd zincrby zrem zremrangebyrank zremrangebyscore zremrangebylex zpopmin zpopmax zmpop zunionstore zinterstore zdiffstore zrangestore byscore bylex hset hsetnx hdel hincrby hincrbyfloat xadd xtrim xdel xsetid xgroup xack xclaim xautoclaim xreadgroup createconsumer delconsumer mkstream entriesread justid nomkstream minid maxlen pfadd pfcount pfmerge geoadd setnx setex psetex msetnx getset getdel getex setrange incrby decrby incrbyfloat keepttl pxat exat setbit bitop bitfield swapdb flushdb renamenx pexpire pexpireat unlink absttl noack
import { cp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, startRedis } from './redis.js';
import type { RedisArg, RedisHandle, RespValue } from './redis.js';

/** A small seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkloadOptions {
  seed: number;
  /** Top-level commands to generate (a MULTI block counts once). */
  commands: number;
  /** Keys per type (default 6). */
  keysPerType?: number;
  /** Databases used (default 3). */
  databases?: number;
  /** Milliseconds since the epoch the TTLs are based on (default: now). */
  now?: number;
}

type Cmd = RedisArg[];

const SCRIPT_WRITE = "redis.call('SET', KEYS[1], ARGV[1]); redis.call('INCR', KEYS[2]); return 1";
const FUNCTION_LIB = "#!lua name=wl\nredis.register_function('wl_push', function(keys, args) redis.call('RPUSH', keys[1], args[1]); return redis.call('LLEN', keys[1]) end)";

/** The deterministic command list for a seed (see the module comment). */
export function generateWorkload(options: WorkloadOptions): Cmd[] {
  const random = seededRandom(options.seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const chance = (p: number): boolean => random() < p;
  const oneOf = <T>(items: readonly T[]): T => items[pick(items.length)] as T;
  const perType = options.keysPerType ?? 6;
  const databases = options.databases ?? 3;
  const now = options.now ?? Date.now();
  const future = (): string => String(now + 3_600_000 + pick(86_400_000));
  const past = (): string => String(now - 1000 - pick(100_000));

  const keyOf = (type: string): string => (chance(1 / 12) ? `${oneOf(['str', 'list', 'set', 'zset', 'hash', 'stream', 'hll', 'geo'])}:${pick(perType)}` : `${type}:${pick(perType)}`);
  // Sorted sets whose scores are all 0 (lex ranges); other types never write to them.
  keyOf.lex = (): string => `lex:${pick(perType)}`;
  const text = (): string => oneOf(['a', 'b', 'c', 'hello', 'world', 'x'.repeat(pick(90)), String(pick(1000)), String(pick(2_000_000) - 1_000_000), `${pick(100)}.${pick(100)}`, '-0', '0', '']);
  const binary = (): Buffer => Buffer.from(Array.from({ length: 1 + pick(24) }, () => pick(256)));
  const value = (): RedisArg => (chance(0.15) ? binary() : text());
  const member = (): string => oneOf(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'long'.repeat(20), String(pick(20))]);
  const score = (): string => oneOf(['0', '-0', '1', '2.5', '-3', '1e3', 'inf', '-inf', String(pick(100)), `${pick(50)}.${pick(1000)}`]);
  const field = (): string => oneOf(['f1', 'f2', 'f3', 'f4', 'num', 'float']);
  let streamId = 1;

  const families: [weight: number, make: () => Cmd[]][] = [
    // strings
    [6, () => {
      const k = keyOf('str');
      switch (pick(14)) {
        case 0: return [['SET', k, value()]];
        case 1: return [['SET', k, value(), oneOf(['NX', 'XX']), oneOf(['GET', 'KEEPTTL'])]];
        case 2: return [['SET', k, value(), oneOf(['EX', 'PX']), String(3600 + pick(1000)) + (chance(0.5) ? '000' : '')]];
        case 3: return [['SET', k, value(), 'PXAT', chance(0.8) ? future() : past()]];
        case 4: return [['APPEND', k, value()]];
        case 5: return [['SETRANGE', k, String(pick(40)), value()]];
        case 6: return [[oneOf(['INCR', 'DECR']), k]];
        case 7: return [[oneOf(['INCRBY', 'DECRBY']), k, String(pick(2000) - 1000)]];
        case 8: return [['INCRBYFLOAT', k, oneOf(['0.1', '1.5', '-2.25', '1e3', '3'])]];
        case 9: return [['MSET', k, value(), keyOf('str'), value()]];
        case 10: return [[oneOf(['GETSET', 'SETNX']), k, value()]];
        case 11: return [chance(0.5) ? ['GETEX', k, 'PERSIST'] : ['GETEX', k, 'PXAT', future()]];
        case 12: return [['GETDEL', k]];
        default: return [['SETBIT', k, String(pick(200)), '1']];
      }
    }],
    [2, () => {
      const k = keyOf('str');
      switch (pick(4)) {
        case 0: return [['BITOP', oneOf(['AND', 'OR', 'XOR']), keyOf('str'), k, keyOf('str')]];
        case 1: return [['BITOP', 'NOT', keyOf('str'), k]];
        case 2: return [['BITFIELD', k, 'OVERFLOW', oneOf(['WRAP', 'SAT']), oneOf(['SET', 'INCRBY']), oneOf(['i8', 'u4', 'i16', 'u7']), `#${pick(6)}`, String(pick(600) - 300)]];
        default: return [['GETEX', k, oneOf(['EX', 'PX']), '7200']];
      }
    }],
    // keys
    [3, () => {
      const k = keyOf(oneOf(['str', 'list', 'set', 'zset', 'hash']));
      switch (pick(12)) {
        case 0: return [['EXPIRE', k, String(3600 + pick(3600)), ...(chance(0.3) ? [oneOf(['NX', 'XX', 'GT', 'LT'])] : [])]];
        case 1: return [['PEXPIREAT', k, chance(0.85) ? future() : past()]];
        case 2: return [['PERSIST', k]];
        case 3: return [[oneOf(['DEL', 'UNLINK']), k]];
        case 4: return [[oneOf(['RENAME', 'RENAMENX']), k, keyOf(k.split(':')[0] as string)]];
        case 5: return [['MOVE', k, String(pick(databases))]];
        case 6: return [['COPY', k, keyOf(k.split(':')[0] as string), ...(chance(0.5) ? ['REPLACE'] : []), ...(chance(0.3) ? ['DB', String(pick(databases))] : [])]];
        case 7: return [['SELECT', String(pick(databases))]];
        case 8: return chance(0.1) ? [['SWAPDB', String(pick(databases)), String(pick(databases))]] : [['SELECT', String(pick(databases))]];
        case 9: return chance(0.05) ? [['FLUSHDB']] : [['EXPIREAT', k, String(Math.floor(now / 1000) + 7200)]];
        case 10: return [['__DUMP_RESTORE__', k, keyOf(k.split(':')[0] as string)]];
        default: return [['DEL', keyOf('str')]];
      }
    }],
    // lists
    [5, () => {
      const k = keyOf('list');
      switch (pick(12)) {
        case 0: return [[oneOf(['LPUSH', 'RPUSH']), k, value(), value(), value()]];
        case 1: return [[oneOf(['LPUSHX', 'RPUSHX']), k, value()]];
        case 2: return [['LINSERT', k, oneOf(['BEFORE', 'AFTER']), oneOf(['a', 'b', 'hello']), value()]];
        case 3: return [['LSET', k, String(pick(6) - 3), value()]];
        case 4: return [['LREM', k, String(pick(5) - 2), oneOf(['a', 'b', 'c', 'hello'])]];
        case 5: return [['LTRIM', k, String(pick(4)), String(pick(20) - 5)]];
        case 6: return [[oneOf(['LPOP', 'RPOP']), k, ...(chance(0.5) ? [String(pick(4))] : [])]];
        case 7: return [['LMOVE', k, keyOf('list'), oneOf(['LEFT', 'RIGHT']), oneOf(['LEFT', 'RIGHT'])]];
        case 8: return [['RPOPLPUSH', k, keyOf('list')]];
        case 9: return [['LMPOP', '2', k, keyOf('list'), oneOf(['LEFT', 'RIGHT']), 'COUNT', String(1 + pick(3))]];
        case 10: return [['RPUSH', k, 'x'], [oneOf(['BLPOP', 'BRPOP']), k, '0.01']];
        default: return [['RPUSH', k, ...Array.from({ length: 1 + pick(200) }, (_, i) => `e${i}`)]];
      }
    }],
    // sets
    [4, () => {
      const k = keyOf('set');
      switch (pick(8)) {
        case 0: return [['SADD', k, member(), member(), member()]];
        case 1: return [['SADD', k, ...Array.from({ length: 1 + pick(150) }, () => String(pick(1000)))]];
        case 2: return [['SREM', k, member(), member()]];
        case 3: return [['SMOVE', k, keyOf('set'), member()]];
        case 4: return [['SPOP', k, ...(chance(0.5) ? [String(pick(4))] : [])]];
        case 5: return [[oneOf(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), keyOf('set'), k, keyOf('set')]];
        default: return [['SADD', k, member()]];
      }
    }],
    // sorted sets
    [5, () => {
      const k = keyOf('zset');
      switch (pick(13)) {
        case 0: return [['ZADD', k, score(), member(), score(), member()]];
        case 1: return [['ZADD', k, ...(chance(0.5) ? [oneOf(['NX', 'XX'])] : []), ...(chance(0.4) ? [oneOf(['GT', 'LT'])] : []), 'CH', score(), member()]];
        case 2: return [['ZINCRBY', k, score(), member()]];
        case 3: return [['ZREM', k, member()]];
        case 4: return [['ZREMRANGEBYRANK', k, String(pick(3)), String(pick(6) - 2)]];
        case 5: return [['ZREMRANGEBYSCORE', k, oneOf(['-inf', '0', '(1']), oneOf(['+inf', '2', '(50'])]];
        case 6: {
          // Lex ranges are defined only when all scores are equal (on a skiplist Redis's answer otherwise depends on random node levels).
          const lk = keyOf.lex();
          return [['ZADD', lk, '0', member(), '0', member()], ['ZREMRANGEBYLEX', lk, oneOf(['-', '[m2', '(m1']), oneOf(['+', '[m4', '(m5'])]];
        }
        case 7: return [[oneOf(['ZPOPMIN', 'ZPOPMAX']), k, ...(chance(0.5) ? [String(pick(3))] : [])]];
        case 8: return [['ZMPOP', '2', k, keyOf('zset'), oneOf(['MIN', 'MAX']), 'COUNT', String(1 + pick(2))]];
        case 9: return [[oneOf(['ZUNIONSTORE', 'ZINTERSTORE']), keyOf('zset'), '2', k, oneOf([keyOf('zset'), keyOf('set')]), 'WEIGHTS', score(), oneOf(['1', '-1', '0.5']), 'AGGREGATE', oneOf(['SUM', 'MIN', 'MAX'])]];
        case 10: return [['ZDIFFSTORE', keyOf('zset'), '2', k, keyOf('zset')]];
        case 11: return [chance(0.5) ? ['ZRANGESTORE', keyOf('zset'), k, ...oneOf([['0', '-1'], ['(0', '+inf', 'BYSCORE', 'LIMIT', '0', '3']])] : ['ZRANGESTORE', keyOf.lex(), keyOf.lex(), '[m5', '-', 'BYLEX', 'REV']];
        default: return [['ZADD', k, ...Array.from({ length: 1 + pick(150) }, (_, i) => [chance(0.1) ? '-0' : String(pick(100)), `z${i}`]).flat()]];
      }
    }],
    // hashes
    [5, () => {
      const k = keyOf('hash');
      switch (pick(8)) {
        case 0: return [['HSET', k, field(), value(), field(), value()]];
        case 1: return [['HSETNX', k, field(), value()]];
        case 2: return [['HDEL', k, field(), field()]];
        case 3: return [['HINCRBY', k, 'num', String(pick(200) - 100)]];
        case 4: return [['HINCRBYFLOAT', k, 'float', oneOf(['0.1', '2.5', '-1e2'])]];
        case 5: return [['HSET', k, ...Array.from({ length: 1 + pick(150) }, (_, i) => [`bf${i}`, value()]).flat()]];
        default: return [['HMSET', k, field(), value()]];
      }
    }],
    // streams
    [5, () => {
      const k = keyOf('stream');
      const id = (): string => `${1 + pick(Math.max(1, streamId))}-${pick(3)}`;
      switch (pick(14)) {
        case 0: return [['XADD', k, '*', 'f', value(), 'g', value()]];
        case 1: return [['XADD', k, `${streamId++ * 10}-*`, 'f', value()]];
        case 2: return [['XADD', k, 'MAXLEN', oneOf(['~', '=']), String(5 + pick(10)), '*', 'f', value()]];
        case 3: return [['XADD', k, 'NOMKSTREAM', '*', 'f', value()]];
        case 4: return [['XTRIM', k, 'MAXLEN', oneOf(['~', '=']), String(pick(10))]];
        case 5: return [['XDEL', k, id(), id()]];
        case 6: return [['XGROUP', 'CREATE', k, oneOf(['g1', 'g2']), oneOf(['0', '$']), 'MKSTREAM']];
        case 7: return [['XADD', k, '*', 'f', value()], ['XREADGROUP', 'GROUP', oneOf(['g1', 'g2']), oneOf(['alice', 'bob']), 'COUNT', String(1 + pick(3)), 'STREAMS', k, '>']];
        case 8: return [['XACK', k, oneOf(['g1', 'g2']), id(), id()]];
        case 9: return [['XCLAIM', k, oneOf(['g1', 'g2']), oneOf(['alice', 'carol']), '0', id(), id(), ...(chance(0.5) ? ['JUSTID'] : [])]];
        case 10: return [['XAUTOCLAIM', k, oneOf(['g1', 'g2']), 'dave', '0', '0-0', 'COUNT', String(1 + pick(3))]];
        case 11: return [['XGROUP', oneOf(['CREATECONSUMER', 'DELCONSUMER']), k, oneOf(['g1', 'g2']), oneOf(['alice', 'erin'])]];
        case 12: return [['XGROUP', 'SETID', k, oneOf(['g1', 'g2']), oneOf(['0', '$'])]];
        default: return [['XADD', k, '*', 'f', value()], ['XREADGROUP', 'GROUP', oneOf(['g1', 'g2']), oneOf(['bob', 'frank']), 'NOACK', 'STREAMS', k, '>']];
      }
    }],
    // HyperLogLog and GEO
    [3, () => {
      const k = keyOf('hll');
      switch (pick(5)) {
        case 0: return [['PFADD', k, ...Array.from({ length: 1 + pick(40) }, () => `e${pick(5000)}`)]];
        case 1: return [['PFCOUNT', k]];
        case 2: return [['PFMERGE', k, keyOf('hll'), keyOf('hll')]];
        case 3: return [['PFADD', k, ...Array.from({ length: 500 + pick(1500) }, () => `big${pick(100000)}`)]];
        default: return [['PFCOUNT', k, keyOf('hll')]];
      }
    }],
    [2, () => [['GEOADD', keyOf('geo'), ...(chance(0.2) ? [oneOf(['NX', 'XX'])] : []), String(pick(36000) / 100 - 180), String(pick(17000) / 100 - 85), member()]]],
    // scripts and functions (replicated as their effects)
    [1, () => [['EVAL', SCRIPT_WRITE, '2', keyOf('str'), keyOf('str'), value()]]],
    [1, () => (chance(0.3) ? [['FUNCTION', 'LOAD', 'REPLACE', FUNCTION_LIB]] : [['FCALL', 'wl_push', '1', keyOf('list'), value()]])],
    // SORT … STORE
    [1, () => [['SORT', oneOf([keyOf('list'), keyOf('set'), keyOf('zset')]), 'ALPHA', ...(chance(0.5) ? ['DESC'] : []), 'LIMIT', '0', String(1 + pick(10)), 'STORE', keyOf('list')]]],
  ];
  const total = families.reduce((s, [w]) => s + w, 0);
  const one = (): Cmd[] => {
    let r = random() * total;
    for (const [w, make] of families) {
      r -= w;
      if (r < 0) return make();
    }
    return (families[0] as [number, () => Cmd[]])[1]();
  };
  const out: Cmd[] = [['FUNCTION', 'LOAD', 'REPLACE', FUNCTION_LIB]];
  for (let i = 0; i < options.commands; i++) {
    if (chance(0.04)) {
      out.push(['MULTI']);
      for (let j = 1 + pick(4); j > 0; j--) out.push(...one().filter((c) => c[0] !== '__DUMP_RESTORE__'));
      out.push(['EXEC']);
    } else {
      out.push(...one());
    }
  }
  out.push(['SELECT', '0']);
  return out;
}

/**
 * Sends the commands in pipelined batches on one connection (so SELECT and MULTI apply in order) and returns
 * how many got an error reply.
 */
export async function runWorkload(server: RedisHandle, commands: readonly Cmd[], batchSize = 200): Promise<{ errors: number }> {
  let errors = 0;
  let batch: Cmd[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const settled = await Promise.allSettled(batch.map((c) => server.call(...c)));
    errors += settled.filter((s) => s.status === 'rejected').length;
    batch = [];
  };
  for (const cmd of commands) {
    if (cmd[0] === '__DUMP_RESTORE__') {
      await flush();
      const dump = (await server.call('DUMP', cmd[1] as RedisArg)) as RespValue;
      if (Buffer.isBuffer(dump)) {
        const ttl = Number(await server.call('PTTL', cmd[1] as RedisArg));
        await server.call('RESTORE', cmd[2] as RedisArg, ttl > 0 ? String(ttl) : '0', dump, 'REPLACE').catch(() => errors++);
      }
      continue;
    }
    batch.push(cmd);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { errors };
}

/** Waits until no AOF rewrite is running or scheduled. */
export async function waitForRewrite(server: RedisHandle, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = String(await server.call('INFO', 'persistence'));
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) return;
    if (Date.now() > deadline) throw new Error('AOF rewrite did not finish in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The server's AOF directory, after any rewrite has finished. */
export async function aofOfServer(server: RedisHandle, dirname = 'appendonlydir'): Promise<string> {
  await waitForRewrite(server);
  return path.join(server.dir, dirname);
}

/** A fresh server that loaded a copy of an AOF directory (with its manifest). */
export async function startFromAof(aofDir: string): Promise<RedisHandle> {
  const dir = await makeTempDir('redback-aof-load-');
  await cp(aofDir, path.join(dir, 'appendonlydir'), { recursive: true });
  const manifest = (await readdir(aofDir)).find((n) => n.endsWith('.manifest'));
  return startRedis({
    dir,
    appendonly: true,
    appenddirname: 'appendonlydir',
    appendfilename: (manifest ?? 'appendonly.aof.manifest').slice(0, -'.manifest'.length),
    extraConfig: { 'aof-load-truncated': 'no' },
    startTimeoutMs: 30_000,
  });
}

/** Splits a workload into `parts` pieces at command boundaries outside MULTI blocks (so each piece is whole). */
export function splitWorkload(commands: readonly Cmd[], parts: number): Cmd[][] {
  const out: Cmd[][] = [];
  const target = Math.ceil(commands.length / parts);
  let current: Cmd[] = [];
  let inMulti = false;
  for (const cmd of commands) {
    current.push(cmd);
    const name = String(cmd[0]).toUpperCase();
    if (name === 'MULTI') inMulti = true;
    else if (name === 'EXEC') inMulti = false;
    if (!inMulti && current.length >= target && out.length < parts - 1) {
      out.push(current);
      current = [];
    }
  }
  out.push(current);
  return out;
}
