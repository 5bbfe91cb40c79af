/**
 * Random datasets that cover every type and encoding Redis 7.0 has, built by a real server from a seed and
 * saved as an RDB: the inputs of the writers' oracle tests beside the fixtures and the peer files.
 *
 * Each dataset holds, over databases 0–3: strings (integers of every width, empty, binary, long and
 * compressible), lists (one listpack node, many nodes, large elements), sets (intset, hashtable, integers past
 * the intset limit), sorted sets (listpack and skiplist, infinite and tiny scores), hashes (listpack,
 * hashtable by size and by a long value), and streams in every state a rewrite must rebuild: groups with and
 * without consumers, pending entries delivered several times, pending entries whose message was deleted
 * (XDEL) or trimmed away (XTRIM), an empty stream with groups, a stream whose entries were all deleted; TTLs
 * on some keys, and a function library.
 */
// cspell:words MKSTREAM NOACK JUSTID MINID XAUTOCLAIM CREATECONSUMER ENTRIESREAD SETID XTRIM
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { seededRandom } from './aof-sets.js';
import { startRedis } from './redis.js';
import type { RedisArg } from './redis.js';

/** A far-future time (2100-01-01) for TTLs, so nothing expires during a test. */
const FAR_FUTURE_MS = 4102444800000;

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/** The commands that build dataset `seed` (each db's keys after a SELECT). */
export function datasetCommands(seed: number): RedisArg[][] {
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const text = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(0x21 + pick(90))).join('');
  const out: RedisArg[][] = [];
  const library = `lib${seed}`;
  out.push(['FUNCTION', 'LOAD', `#!lua name=${library}\nredis.register_function('f${seed}', function(keys, args) return ${seed} end)`]);
  for (let db = 0; db < 4; db++) {
    out.push(['SELECT', String(db)]);
    const p = `s${seed}:db${db}`;
    // Strings.
    const strings: string[] = [];
    for (const value of ['0', '-1', '127', '-32768', '2147483647', '-2147483649', '9223372036854775807', '', '007', text(30), text(300)]) {
      strings.push(`${p}:str:${strings.length}`);
      out.push(['SET', strings.at(-1) as string, value]);
    }
    out.push(['SET', `${p}:str:binary`, ALL_BYTES]);
    out.push(['SET', `${p}:str:compressible`, 'abc'.repeat(2000 + pick(1000))]);
    out.push(['SET', `${p}:str:big`, Buffer.alloc(100_000 + pick(100_000), text(17))]);
    // Lists.
    out.push(['RPUSH', `${p}:list:small`, 'a', '', '1', '-7', text(5)]);
    out.push(['RPUSH', `${p}:list:long`, ...Array.from({ length: 300 + pick(300) }, (_, i) => (i % 3 === 0 ? String(i * 1000) : text(1 + pick(40))))]);
    out.push(['RPUSH', `${p}:list:large-elements`, ...Array.from({ length: 5 }, () => text(5000 + pick(3000)))]);
    // Sets.
    out.push(['SADD', `${p}:set:intset`, ...Array.from({ length: 20 }, (_, i) => String(i * (pick(2) ? 70000 : 3) - 5))]);
    out.push(['SADD', `${p}:set:hashtable`, ...Array.from({ length: 40 }, (_, i) => `m${i}-${text(8)}`), '']);
    out.push(['SADD', `${p}:set:many-integers`, ...Array.from({ length: 600 }, (_, i) => String(i))]);
    out.push(['SADD', `${p}:set:binary`, ALL_BYTES.subarray(0, 10), ALL_BYTES.subarray(200)]);
    // Sorted sets.
    out.push(['ZADD', `${p}:zset:small`, '1', 'one', '2.5', 'two', 'inf', 'top', '-inf', 'bottom', '1e-300', 'tiny', '0.1', 'tenth']);
    out.push(['ZADD', `${p}:zset:skiplist`, ...Array.from({ length: 200 + pick(100) }, (_, i) => [String((random() - 0.5) * 1e6), `z${i}`]).flat()]);
    // Hashes.
    out.push(['HSET', `${p}:hash:small`, 'f', 'v', 'n', '12', 'empty', '']);
    out.push(['HSET', `${p}:hash:big`, ...Array.from({ length: 600 }, (_, i) => [`field-${i}`, text(1 + pick(20))]).flat()]);
    out.push(['HSET', `${p}:hash:long-value`, 'short', 'x', 'long', text(100)]);
    // TTLs.
    for (let i = 0; i < 5; i++) out.push(['PEXPIREAT', strings[pick(strings.length)] as string, String(FAR_FUTURE_MS + pick(1e9))]);
    out.push(['PEXPIREAT', `${p}:hash:small`, String(FAR_FUTURE_MS)], ['PEXPIREAT', `${p}:list:small`, String(FAR_FUTURE_MS + 1)]);
    // Streams.
    const s = `${p}:stream`;
    for (let i = 1; i <= 30; i++) out.push(['XADD', s, `${1000 + i * 10}-${pick(3)}`, 'n', String(i), 'text', text(pick(20)), ...(pick(4) === 0 ? ['bin', ALL_BYTES.subarray(pick(250))] : [])]);
    out.push(['XGROUP', 'CREATE', s, 'g1', '0']);
    out.push(['XGROUP', 'CREATE', s, 'g2', '$']);
    out.push(['XGROUP', 'CREATE', s, 'g-empty', '0']);
    out.push(['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '10', 'STREAMS', s, '>']);
    out.push(['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '8', 'STREAMS', s, '>']);
    out.push(['XGROUP', 'CREATECONSUMER', s, 'g1', 'carol']);
    out.push(['XCLAIM', s, 'g1', 'bob', '0', '1010-0', '1010-1', '1010-2', 'RETRYCOUNT', '5']);
    out.push(['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', s, '0']);
    out.push(['XACK', s, 'g1', '1030-0', '1030-1', '1030-2']);
    // Pending entries of deleted messages: one in the middle (XDEL), several at the head (XTRIM).
    out.push(['XDEL', s, '1050-0', '1050-1', '1050-2', '1200-0', '1200-1', '1200-2']);
    if (pick(2) === 0) out.push(['XTRIM', s, 'MINID', '1035']);
    // A stream that only has groups, and one whose messages were all deleted while pending.
    out.push(['XGROUP', 'CREATE', `${s}:empty`, 'g', '$', 'MKSTREAM']);
    out.push(['XGROUP', 'CREATECONSUMER', `${s}:empty`, 'g', 'idle']);
    out.push(['XADD', `${s}:drained`, '5-1', 'a', '1'], ['XADD', `${s}:drained`, '6-1', 'b', '2']);
    out.push(['XGROUP', 'CREATE', `${s}:drained`, 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', `${s}:drained`, '>']);
    out.push(['XDEL', `${s}:drained`, '5-1', '6-1']);
    out.push(['PEXPIREAT', `${s}:drained`, String(FAR_FUTURE_MS + 7)]);
  }
  return out;
}

/**
 * Builds dataset `seed` in a fresh server and saves it as an RDB at `file`. Delivery times and seen times of
 * stream consumers are the moment it runs.
 */
export async function makeDatasetRdb(seed: number, file: string): Promise<void> {
  const server = await startRedis();
  try {
    await server.callMany(datasetCommands(seed));
    await server.call('SAVE');
    await copyFile(path.join(server.dir, 'dump.rdb'), file);
  } finally {
    await server.stop();
  }
}
