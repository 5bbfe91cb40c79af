/**
 * Seeded workloads for a real redis-server that leave every type in every encoding Redis 7.0 has, for the
 * oracle tests of the RDB writer: strings of each encoding, lists small and large (with PLAIN-sized
 * elements and a history of LPUSH/LINSERT/LREM), sets as intsets and hashtables, zsets as listpacks and
 * skiplists (inf scores too), hashes as listpacks and hashtables, streams with deleted entries, trimmed
 * nodes, consumer groups, pending entries and consumers, TTLs, function libraries, several databases.
 *
 * Keys named `asis:*` are built in one command each, so their layout in the RDB depends only on their
 * content (what a writer that re-encodes them as Redis does must reproduce); others have a history.
 */
// cspell:words asis hashtables skiplists rpush lpush linsert lrem sadd srem zadd zrem hset hdel xadd xdel xtrim xgroup xreadgroup xack createconsumer setrange incrby pexpireat funcs
import { seededRandom } from './aof-sets.js';
import type { RedisArg } from './redis.js';

/** 2100-01-01: TTLs that do not expire while the tests run. */
const FAR = 4_102_444_800_000;

/**
 * Write commands for the workload of `seed`, about `scale` keys of each kind per database (dbs 0, 1, 3).
 * Deterministic for a seed; every command succeeds, so the whole list can be pipelined.
 */
export function convertWorkload(seed: number, scale = 20): RedisArg[][] {
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const text = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(97 + pick(26))).join('');
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => pick(256)));
  const out: RedisArg[][] = [];
  out.push(['FUNCTION', 'LOAD', 'REPLACE', `#!lua name=lib${seed}\nredis.register_function('f${seed}', function(keys, args) return 1 end)`]);
  for (const db of [0, 1, 3]) {
    out.push(['SELECT', String(db)]);
    for (let i = 0; i < scale; i++) {
      const k = `${seed}:${db}:${i}`;
      // Strings: int, embstr, raw, compressible, binary.
      out.push(['SET', `asis:int:${k}`, String(pick(2) === 0 ? pick(1000) - 500 : pick(2 ** 31) * 1000)]);
      out.push(['SET', `asis:embstr:${k}`, text(1 + pick(40))]);
      out.push(['SET', `asis:raw:${k}`, text(50 + pick(300))]);
      out.push(['SET', `asis:lzf:${k}`, 'abc'.repeat(20 + pick(200))]);
      out.push(['SET', `asis:bin:${k}`, bytes(pick(100))]);
      // Lists: one listpack node, several nodes, a PLAIN-sized element, and a history of pushes and removals.
      out.push(['RPUSH', `asis:list-small:${k}`, ...Array.from({ length: 1 + pick(20) }, (_, j) => (j % 3 === 0 ? String(pick(100000)) : text(1 + pick(30))))]);
      out.push(['RPUSH', `asis:list-long:${k}`, ...Array.from({ length: 200 + pick(400) }, (_, j) => `${j}:${text(pick(120))}`)]);
      if (i % 5 === 0) out.push(['RPUSH', `asis:list-big:${k}`, 'a', 'b'.repeat(9000 + pick(3000)), 'c']);
      out.push(['LPUSH', `list-history:${k}`, ...Array.from({ length: 50 + pick(200) }, () => text(pick(80)))]);
      out.push(['LINSERT', `list-history:${k}`, 'BEFORE', 'nope', 'x'], ['RPUSH', `list-history:${k}`, 'tail'], ['LREM', `list-history:${k}`, '1', 'tail']);
      // Sets: intset (16/32/64-bit), hashtable of integers over 512, hashtable of strings.
      out.push(['SADD', `asis:intset:${k}`, ...Array.from({ length: 1 + pick(30) }, () => String(pick(2) ? pick(30000) : pick(2 ** 31) * (pick(2) ? 4096 : 1)))]);
      if (i % 4 === 0) out.push(['SADD', `asis:set-ints:${k}`, ...Array.from({ length: 600 }, (_, j) => String(j * 7))]);
      out.push(['SADD', `asis:set-strings:${k}`, ...Array.from({ length: 1 + pick(50) }, (_, j) => `${j}-${text(pick(20))}`)]);
      out.push(['SADD', `set-history:${k}`, ...Array.from({ length: 30 }, (_, j) => `m${j}`)], ['SREM', `set-history:${k}`, 'm3', 'm9']);
      // Zsets: listpack, skiplist (too many members, or a long member), special scores.
      const zsetArgs = (n: number, long = false): string[] =>
        Array.from({ length: n }, (_, j) => [j === 0 ? 'inf' : j === 1 ? '-inf' : String(pick(2) ? pick(1000) - 500 : (random() * 1e6) / 7), long && j === 2 ? text(80) : `z${j}-${text(pick(10))}`]).flat();
      out.push(['ZADD', `asis:zset-small:${k}`, ...zsetArgs(2 + pick(30))]);
      if (i % 3 === 0) out.push(['ZADD', `asis:zset-big:${k}`, ...zsetArgs(129 + pick(300))]);
      out.push(['ZADD', `asis:zset-long:${k}`, ...zsetArgs(5, true)]);
      out.push(['ZADD', `zset-history:${k}`, ...zsetArgs(200)], ['ZREM', `zset-history:${k}`, 'z5', 'z6']);
      // Hashes: listpack, hashtable (too many fields, or a long value), binary values.
      out.push(['HSET', `asis:hash-small:${k}`, ...Array.from({ length: 1 + pick(20) }, (_, j) => [`f${j}`, j % 2 ? String(pick(1e6)) : text(pick(40))]).flat()]);
      if (i % 3 === 0) out.push(['HSET', `asis:hash-big:${k}`, ...Array.from({ length: 513 + pick(300) }, (_, j) => [`f${j}`, text(pick(60))]).flat()]);
      out.push(['HSET', `asis:hash-long:${k}`, 'short', 'v', 'long', text(100)]);
      out.push(['HSET', `hash-history:${k}`, ...Array.from({ length: 40 }, (_, j) => [`f${j}`, bytes(pick(30))]).flat()], ['HDEL', `hash-history:${k}`, 'f1']);
      // TTLs.
      if (i % 2 === 0) out.push(['PEXPIREAT', `asis:raw:${k}`, String(FAR + pick(1e9))], ['PEXPIREAT', `list-history:${k}`, String(FAR + pick(1e9))]);
      // Streams, with deleted entries, trimmed nodes and consumer groups.
      if (i % 4 === 0) {
        const stream = `stream:${k}`;
        const entries = 50 + pick(300);
        for (let j = 1; j <= entries; j++) out.push(['XADD', stream, `${1000 + j}-${pick(3)}`, 'field', text(pick(20)), ...(j % 7 === 0 ? ['other', String(j)] : [])]);
        out.push(['XDEL', stream, `${1000 + 5}-0`, `${1000 + 6}-1`]);
        if (i % 8 === 0) out.push(['XTRIM', stream, 'MINID', String(1000 + 30)]);
        out.push(['XGROUP', 'CREATE', stream, 'readers', '0-0'], ['XGROUP', 'CREATE', stream, 'late', '$']);
        out.push(['XREADGROUP', 'GROUP', 'readers', 'alice', 'COUNT', String(5 + pick(20)), 'STREAMS', stream, '>']);
        out.push(['XREADGROUP', 'GROUP', 'readers', 'bob', 'COUNT', '3', 'STREAMS', stream, '>']);
        out.push(['XGROUP', 'CREATECONSUMER', stream, 'readers', 'carol']);
        out.push(['XACK', stream, 'readers', `${1000 + 40}-0`, `${1000 + 40}-1`, `${1000 + 40}-2`]);
      }
      if (i === 0) out.push(['XGROUP', 'CREATE', `stream-empty:${k}`, 'g', '$', 'MKSTREAM']);
    }
  }
  return out;
}
