/**
 * Command scenarios for the per-command semantic tests: each runs on a real server (Redis 7.0) and in the
 * replay engine, and the reply-visible states must be equal. Errors are part of the scenarios (wrong types,
 * bad options): Redis rejects those commands and so must the engine.
 */
// cspell:words lpush rpush lpushx rpushx linsert lset lrem ltrim lpop rpop rpoplpush lmove lmpop blpop brpop brpoplpush blmove blmpop sadd srem smove spop sinterstore sunionstore sdiffstore zadd zincrby zrem zremrangebyrank zremrangebyscore zremrangebylex zpopmin zpopmax bzpopmin bzpopmax zmpop bzmpop zunionstore zinterstore zdiffstore zrangestore bylex byscore hset hmset hsetnx hdel hincrby hincrbyfloat xadd xtrim xdel xsetid xgroup xack xclaim xautoclaim setid createconsumer delconsumer mkstream entriesread entriesadded maxdeletedid justid lastid retrycount nomkstream minid maxlen pfadd pfcount pfmerge pfdebug todense getreg geoadd setnx setex psetex msetnx getset getdel getex setrange incrby decrby incrbyfloat keepttl pxat exat setbit bitop bitfield incrby swapdb flushdb flushall renamenx pexpire pexpireat unlink absttl idletime nosort strtold

export type Scenario = { name: string; commands: string[][] };

const far = String(Date.now() + 3_600_000 * 24 * 30);
const farSeconds = String(Math.floor(Date.now() / 1000) + 3600 * 24 * 30);

function range<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** A small seeded PRNG for the generated scenarios. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Number texts in every form strtod/strtold read: decimals, exponents, long digit strings, hex floats. */
function numberTexts(seed: number, n: number): string[] {
  const r = prng(seed);
  const digits = (k: number): string => Array.from({ length: k }, () => String(Math.floor(r() * 10))).join('');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const sign = r() < 0.3 ? '-' : '';
    switch (Math.floor(r() * 7)) {
      case 0: out.push(`${sign}${digits(1 + Math.floor(r() * 6))}.${digits(1 + Math.floor(r() * 20))}`); break;
      case 1: out.push(`${sign}${digits(1 + Math.floor(r() * 3))}e${r() < 0.5 ? '-' : ''}${Math.floor(r() * 30)}`); break;
      case 2: out.push(`${sign}0.${digits(25)}`); break;
      case 3: out.push(`${sign}0x${Math.floor(r() * 4096).toString(16)}.${Math.floor(r() * 256).toString(16)}p${Math.floor(r() * 40) - 20}`); break;
      case 4: out.push(`${sign}${digits(18 + Math.floor(r() * 10))}`); break;
      case 5: out.push(`${sign}.${digits(3)}e+${Math.floor(r() * 5)}`); break;
      default: out.push(`${sign}${Math.floor(r() * 1000)}`); break;
    }
  }
  return out;
}

export const scenarios: Scenario[] = [
  // ---- keys and databases
  { name: 'DEL/UNLINK', commands: [['SET', 'a', '1'], ['SET', 'b', '2'], ['RPUSH', 'c', 'x'], ['DEL', 'a', 'missing'], ['UNLINK', 'c']] },
  {
    name: 'EXPIRE family with NX/XX/GT/LT',
    commands: [
      ['SET', 'a', '1'], ['SET', 'b', '1'], ['SET', 'c', '1'], ['SET', 'd', '1'],
      ['EXPIRE', 'a', '1000'], ['EXPIRE', 'a', '2000', 'NX'], ['EXPIRE', 'a', '3000', 'XX'], ['EXPIRE', 'a', '100', 'GT'], ['EXPIRE', 'a', '100', 'LT'],
      ['PEXPIRE', 'b', '5000000', 'GT'], ['PEXPIRE', 'b', '5000000', 'LT'], ['PEXPIRE', 'b', '600000', 'XX', 'GT'],
      ['EXPIREAT', 'c', farSeconds], ['PEXPIREAT', 'd', far, 'NX'], ['PEXPIREAT', 'd', far, 'NX', 'XX'], ['EXPIRE', 'd', '10', 'GT', 'LT'],
      ['EXPIRE', 'missing', '10'], ['EXPIRE', 'a', 'abc'], ['EXPIRE', 'a', '10', 'BOGUS'], ['PERSIST', 'c'], ['PERSIST', 'missing'],
    ],
  },
  {
    name: 'RENAME/RENAMENX keep the TTL',
    commands: [
      ['SET', 'a', '1', 'PXAT', far], ['SET', 'b', '2'], ['RENAME', 'a', 'c'], ['RENAME', 'c', 'c'], ['RENAME', 'missing', 'x'],
      ['RENAMENX', 'c', 'b'], ['RENAMENX', 'c', 'd'], ['SADD', 's', 'm'], ['RENAME', 's', 'b'],
    ],
  },
  {
    name: 'MOVE, COPY, SWAPDB, FLUSHDB',
    commands: [
      ['SET', 'a', '1', 'PXAT', far], ['MOVE', 'a', '2'], ['SELECT', '2'], ['SET', 'b', 'x'], ['MOVE', 'b', '2'], ['MOVE', 'b', '99'],
      ['COPY', 'a', 'a2'], ['COPY', 'a', 'b'], ['COPY', 'a', 'b', 'REPLACE'], ['COPY', 'a', 'a', 'DB', '3'], ['COPY', 'a', 'a', 'DB', '2'],
      ['RPUSH', 'l', '1', '2'], ['COPY', 'l', 'l', 'DB', '0'], ['SELECT', '0'], ['RPUSH', 'l', '3'], ['SWAPDB', '0', '3'], ['SET', 'afterswap', '1'],
      ['SELECT', '3'], ['FLUSHDB', 'ASYNC'], ['SET', 'z', '1'], ['SWAPDB', '2', '99'], ['SWAPDB', '1', '2'],
    ],
  },
  { name: 'FLUSHALL', commands: [['SET', 'a', '1'], ['SELECT', '1'], ['SET', 'b', '1'], ['FLUSHALL', 'SYNC'], ['SET', 'c', '1'], ['FLUSHALL', 'BAD']] },
  // ---- strings
  {
    name: 'SET options',
    commands: [
      ['SET', 'a', 'v1'], ['SET', 'a', 'v2', 'NX'], ['SET', 'b', 'v', 'XX'], ['SET', 'a', 'v3', 'XX', 'GET'], ['SET', 'c', 'v', 'PX', '100000'],
      ['SET', 'd', 'v', 'EX', '1000'], ['SET', 'e', 'v', 'EXAT', farSeconds], ['SET', 'f', 'v', 'PXAT', far], ['SET', 'f', 'w', 'KEEPTTL'],
      ['SET', 'g', 'v', 'NX', 'XX'], ['SET', 'g', 'v', 'EX', '10', 'PX', '10'], ['SET', 'g', 'v', 'EX', '0'], ['SET', 'g', 'v', 'EX', '-5'],
      ['SET', 'g', 'v', 'KEEPTTL', 'EX', '1'], ['RPUSH', 'l', 'x'], ['SET', 'l', 'v', 'GET'], ['SET', 'l', 'v', 'NX', 'GET'], ['SET', 'h', 'v', 'NX', 'GET'],
      ['SET', 'e', 'again'],
    ],
  },
  {
    name: 'SETNX SETEX PSETEX MSET MSETNX GETSET GETDEL GETEX',
    commands: [
      ['SETNX', 'a', '1'], ['SETNX', 'a', '2'], ['SETEX', 'b', '100', 'v'], ['PSETEX', 'c', '100000', 'v'], ['SETEX', 'd', '0', 'v'],
      ['MSET', 'e', '1', 'f', '2'], ['MSET', 'e', '1', 'f'], ['MSETNX', 'g', '1', 'e', '3'], ['MSETNX', 'g', '1', 'h', '3'],
      ['SET', 'i', 'old', 'PXAT', far], ['GETSET', 'i', 'new'], ['GETDEL', 'a'], ['GETDEL', 'missing'],
      ['SET', 'j', 'v'], ['GETEX', 'j', 'PXAT', far], ['SET', 'k', 'v', 'PXAT', far], ['GETEX', 'k', 'PERSIST'], ['GETEX', 'b', 'EX', '50'],
      ['GETEX', 'missing', 'EX', '5'], ['RPUSH', 'l', 'x'], ['GETEX', 'l', 'PERSIST'], ['GETDEL', 'l'], ['GETEX', 'j', 'EX', '5', 'PX', '4'],
    ],
  },
  {
    name: 'APPEND SETRANGE',
    commands: [
      ['APPEND', 'a', 'hello'], ['APPEND', 'a', ' world'], ['APPEND', 'e', ''], ['SETRANGE', 'b', '5', 'xyz'], ['SETRANGE', 'a', '0', 'J'],
      ['SETRANGE', 'a', '20', '!'], ['SETRANGE', 'c', '3', ''], ['SETRANGE', 'a', '-1', 'x'], ['SET', 'n', '12345'], ['APPEND', 'n', '6'],
      ['SETRANGE', 'n', '1', '\x00\xff'], ['SET', 't', 'v', 'PXAT', far], ['APPEND', 't', 'w'], ['SETRANGE', 't', '0', 'x'],
    ],
  },
  {
    name: 'INCR family',
    commands: [
      ['INCR', 'a'], ['INCRBY', 'a', '41'], ['DECR', 'a'], ['DECRBY', 'a', '-10'], ['SET', 'b', '9223372036854775806'], ['INCR', 'b'], ['INCR', 'b'],
      ['SET', 'c', '-9223372036854775808'], ['DECR', 'c'], ['DECRBY', 'd', '-9223372036854775808'], ['SET', 'e', '012'], ['INCR', 'e'],
      ['SET', 'f', ' 1'], ['INCR', 'f'], ['SET', 'g', '10', 'PXAT', far], ['INCRBY', 'g', '5'], ['INCRBY', 'h', '1.5'], ['RPUSH', 'l', 'x'], ['INCR', 'l'],
      ['SET', 'i', '-0'], ['INCR', 'i'], ['SET', 'j', '+5'], ['INCR', 'j'],
    ],
  },
  {
    name: 'INCRBYFLOAT (long double)',
    commands: [
      ['INCRBYFLOAT', 'a', '10.5'], ['INCRBYFLOAT', 'a', '0.1'], ['INCRBYFLOAT', 'a', '-5.0e3'], ['SET', 'b', '3.0'], ['INCRBYFLOAT', 'b', '1.1'],
      ['INCRBYFLOAT', 'c', '1e300'], ['INCRBYFLOAT', 'c', '1e300'], ['INCRBYFLOAT', 'd', '0x1p-2'], ['INCRBYFLOAT', 'e', '1.0000000000000000001'],
      ['INCRBYFLOAT', 'f', 'inf'], ['INCRBYFLOAT', 'f', 'nan'], ['INCRBYFLOAT', 'f', 'abc'], ['SET', 'g', 'abc'], ['INCRBYFLOAT', 'g', '1'],
      ['INCRBYFLOAT', 'h', '-0.0'], ['INCRBYFLOAT', 'i', '3.14159265358979323846'], ['INCRBYFLOAT', 'i', '2.71828182845904523536'],
      ['INCRBYFLOAT', 'j', '0.1'], ['INCRBYFLOAT', 'j', '0.2'], ['INCRBYFLOAT', 'k', '1e-20'], ['INCRBYFLOAT', 'l', '123456789012345678901234567890'],
      ['SET', 'm', '5', 'PXAT', far], ['INCRBYFLOAT', 'm', '1.5'], ['INCRBYFLOAT', 'n', ' 1'], ['INCRBYFLOAT', 'o', '1e5000'],
    ],
  },
  {
    name: 'SETBIT BITOP BITFIELD',
    commands: [
      ['SETBIT', 'a', '7', '1'], ['SETBIT', 'a', '100', '1'], ['SETBIT', 'a', '7', '0'], ['SETBIT', 'b', '0', '1'], ['SETBIT', 'z', '5', '0'],
      ['SETBIT', 'a', '-1', '1'], ['SETBIT', 'a', '1', '2'], ['SET', 's1', 'abcdef'], ['SET', 's2', 'xyz'],
      ['BITOP', 'AND', 'and', 's1', 's2'], ['BITOP', 'OR', 'or', 's1', 's2', 'missing'], ['BITOP', 'XOR', 'xor', 's1', 's2'], ['BITOP', 'NOT', 'not', 's1'],
      ['BITOP', 'NOT', 'not2', 's1', 's2'], ['BITOP', 'AND', 'empty', 'missing1', 'missing2'], ['SET', 'empty2', 'x'], ['BITOP', 'OR', 'empty2', 'm1'],
      ['RPUSH', 'l', 'x'], ['BITOP', 'AND', 'bad', 's1', 'l'], ['BITOP', 'NAND', 'bad', 's1'],
      ['BITFIELD', 'f', 'SET', 'i8', '0', '-100', 'INCRBY', 'i8', '0', '-100', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '8', '200', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '16', '20'],
      ['BITFIELD', 'f', 'SET', 'u63', '#2', '12345678901', 'INCRBY', 'i64', '100', '-9223372036854775807', 'INCRBY', 'i64', '100', '-5'],
      ['BITFIELD', 'f', 'OVERFLOW', 'WRAP', 'INCRBY', 'u8', '#0', '300', 'SET', 'i3', '5', '9', 'GET', 'u8', '0'],
      ['BITFIELD', 'f', 'OVERFLOW', 'SAT', 'SET', 'u8', '200', '-1', 'SET', 'i5', '300', '100', 'OVERFLOW', 'FAIL', 'SET', 'u2', '400', '7'],
      ['BITFIELD', 'g', 'GET', 'u8', '0'], ['BITFIELD', 'f', 'SET', 'u64', '0', '1'], ['BITFIELD', 'f', 'INCRBY', 'i8', '0'], ['BITFIELD', 'l', 'SET', 'i8', '0', '1'],
    ],
  },
  // ---- lists
  {
    name: 'list pushes, inserts, sets, removes',
    commands: [
      ['RPUSH', 'l', 'a', 'b', 'c', 'b', 'a'], ['LPUSH', 'l', 'z', 'y'], ['LPUSHX', 'l', 'x'], ['RPUSHX', 'missing', 'x'], ['LINSERT', 'l', 'BEFORE', 'b', 'B'],
      ['LINSERT', 'l', 'after', 'b', 'A'], ['LINSERT', 'l', 'AFTER', 'nope', 'x'], ['LINSERT', 'l', 'middle', 'b', 'x'], ['LSET', 'l', '0', 'first'], ['LSET', 'l', '-1', 'last'],
      ['LSET', 'l', '100', 'x'], ['LSET', 'missing', '0', 'x'], ['LREM', 'l', '1', 'b'], ['LREM', 'l', '-1', 'a'], ['LREM', 'l', '0', 'x'],
      ['RPUSH', 'm', 'v', 'v', 'v'], ['LREM', 'm', '0', 'v'], ['SET', 's', '1'], ['LPUSH', 's', 'x'],
    ],
  },
  {
    name: 'LTRIM and pops',
    commands: [
      ['RPUSH', 'l', ...range(300, (i) => `e${i}`)], ['LTRIM', 'l', '5', '-5'], ['LPOP', 'l'], ['RPOP', 'l', '3'], ['LPOP', 'l', '0'], ['LPOP', 'l', '-1'],
      ['RPUSH', 'm', '1', '2', '3'], ['LTRIM', 'm', '5', '10'], ['RPUSH', 'n', '1', '2', '3'], ['LTRIM', 'n', '-100', '100'], ['RPUSH', 'o', '1'], ['RPOP', 'o', '5'],
      ['LPOP', 'l', '1', '2'], ['RPUSH', 'p', '1', '2', '3', '4'], ['LTRIM', 'p', '2', '1'],
    ],
  },
  {
    name: 'RPOPLPUSH LMOVE LMPOP and blocking forms',
    commands: [
      ['RPUSH', 'a', '1', '2', '3'], ['RPOPLPUSH', 'a', 'b'], ['LMOVE', 'a', 'b', 'LEFT', 'RIGHT'], ['LMOVE', 'b', 'b', 'LEFT', 'RIGHT'], ['LMOVE', 'a', 'a', 'RIGHT', 'LEFT'],
      ['LMOVE', 'a', 'c', 'UP', 'LEFT'], ['SET', 's', 'x'], ['LMOVE', 'a', 's', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'missing', 'b'],
      ['RPUSH', 'd', '1', '2', '3', '4', '5'], ['LMPOP', '2', 'missing', 'd', 'LEFT', 'COUNT', '2'], ['LMPOP', '1', 'd', 'RIGHT'], ['LMPOP', '1', 'd', 'RIGHT', 'COUNT', '0'],
      ['LMPOP', '0', 'd', 'LEFT'], ['LMPOP', '2', 's', 'd', 'LEFT'], ['BLPOP', 'missing', 'd', '0.01'], ['BRPOP', 'd', '0.01'], ['BLMOVE', 'b', 'e', 'LEFT', 'LEFT', '0.01'],
      ['BRPOPLPUSH', 'b', 'e', '0.01'], ['BLMPOP', '0.01', '1', 'e', 'RIGHT', 'COUNT', '5'], ['BLPOP', 'd', '-1'],
    ],
  },
  // ---- sets
  {
    name: 'set commands',
    commands: [
      ['SADD', 'a', '1', '2', '3', 'x'], ['SADD', 'b', '2', '3', '4'], ['SADD', 'c', ...range(200, (i) => String(i))], ['SREM', 'a', 'x', 'y'], ['SREM', 'b', '2', '3', '4'],
      ['SMOVE', 'a', 'd', '1'], ['SMOVE', 'a', 'a', '2'], ['SMOVE', 'a', 'd', 'nope'], ['SET', 's', 'x'], ['SMOVE', 'a', 's', '2'], ['SADD', 's', 'm'],
      ['SINTERSTORE', 'i', 'a', 'c'], ['SINTERSTORE', 'i2', 'a', 'missing'], ['SUNIONSTORE', 'u', 'a', 'd', 'missing'], ['SDIFFSTORE', 'df', 'c', 'a', 'd'],
      ['SDIFFSTORE', 'df2', 'a', 'a'], ['SINTERSTORE', 'e', 'a', 's'], ['SUNIONSTORE', 'a', 'a', 'd'], ['SPOP', 'd', '10'], ['SPOP', 'missing'], ['SADD', 'one', 'm'], ['SPOP', 'one'],
      ['SPOP', 'a', '0'],
    ],
  },
  // ---- sorted sets
  {
    name: 'ZADD flags and -0',
    commands: [
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', 'z', 'NX', '10', 'a', '4', 'd'], ['ZADD', 'z', 'XX', '20', 'b', '5', 'e'], ['ZADD', 'z', 'GT', '0', 'c', '30', 'c'],
      ['ZADD', 'z', 'LT', '100', 'd', '-1', 'd'], ['ZADD', 'z', 'CH', 'INCR', '2.5', 'a'], ['ZADD', 'z', 'NX', 'XX', '1', 'a'], ['ZADD', 'z', 'GT', 'LT', '1', 'a'],
      ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'], ['ZADD', 'z', 'nan', 'x'], ['ZADD', 'z', '1'], ['ZADD', 'z', 'XX', 'GT', '50', 'a'], ['ZADD', 'zz', 'XX', '1', 'a'],
      ['ZADD', 'neg', '-0', 'm', '0', 'n', '-0.0', 'o'], ['ZADD', 'neg', '0', 'm'], ['ZADD', 'inf', 'inf', 'a', '-inf', 'b', '+inf', 'c'], ['ZADD', 'inf', 'INCR', '-inf', 'a'],
      ['ZADD', 'big', ...range(150, (i) => [`${i % 7 === 0 ? '-0' : String(i / 3)}`, `m${i}`]).flat()], ['ZADD', 'big', '-0', 'late'],
      ['ZADD', 'long', '-0', 'x'.repeat(80)], ['ZADD', 'long', '-0', 'short'], ['ZINCRBY', 'z', '5', 'q'], ['ZINCRBY', 'z', '-5', 'q'], ['ZINCRBY', 'z', 'x', 'q'],
      ['ZADD', 'z', '1e400', 'x'], ['ZADD', 'z', '1e-400', 'x'], ['ZADD', 'z', '0x10', 'hex'], ['ZADD', 'z', ' 1', 'sp'],
    ],
  },
  {
    name: 'ZREM and range removals',
    commands: [
      ['ZADD', 'z', ...range(40, (i) => [String(i % 10), `m${String(i).padStart(2, '0')}`]).flat()], ['ZREM', 'z', 'm00', 'nope'],
      ['ZREMRANGEBYRANK', 'z', '0', '2'], ['ZREMRANGEBYRANK', 'z', '-3', '-1'], ['ZREMRANGEBYSCORE', 'z', '(2', '3'], ['ZREMRANGEBYSCORE', 'z', '-inf', '(1'],
      ['ZREMRANGEBYSCORE', 'z', 'x', '1'], ['ZADD', 'lex', ...range(20, (i) => ['0', String.fromCharCode(97 + i)]).flat()], ['ZREMRANGEBYLEX', 'lex', '[c', '(f'],
      ['ZREMRANGEBYLEX', 'lex', '-', '[b'], ['ZREMRANGEBYLEX', 'lex', '(r', '+'], ['ZREMRANGEBYLEX', 'lex', 'a', 'b'], ['ZREMRANGEBYRANK', 'z', '5', '2'],
      ['ZADD', 'big', ...range(300, (i) => ['0', `k${String(i).padStart(3, '0')}`]).flat()], ['ZREMRANGEBYLEX', 'big', '[k100', '[k199'], ['ZREMRANGEBYSCORE', 'big', '1', '2'],
      ['ZREMRANGEBYRANK', 'big', '0', '-1'],
    ],
  },
  {
    name: 'ZPOP ZMPOP and blocking forms',
    commands: [
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '2'], ['ZPOPMIN', 'z', '0'], ['ZPOPMIN', 'missing'],
      ['ZADD', 'y', '1', 'a', '2', 'b'], ['ZMPOP', '2', 'missing', 'y', 'MAX', 'COUNT', '5'], ['ZMPOP', '1', 'z', 'MIN'], ['BZPOPMIN', 'missing', 'z', '0.01'],
      ['ZADD', 'w', '1', 'a', '2', 'b', '3', 'c'], ['BZPOPMAX', 'w', '0.01'], ['BZMPOP', '0.01', '1', 'w', 'MIN', 'COUNT', '1'], ['ZPOPMIN', 'w', '-1'],
    ],
  },
  {
    name: 'ZUNIONSTORE ZINTERSTORE ZDIFFSTORE with weights and aggregates',
    commands: [
      ['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z', '0', 'w'], ['ZADD', 'b', '10', 'y', '20', 'z', 'inf', 'v', '5', 'w'], ['SADD', 's', 'x', 'y', 'q'],
      ['ZUNIONSTORE', 'u', '3', 'a', 'b', 's'], ['ZUNIONSTORE', 'u2', '2', 'a', 'b', 'WEIGHTS', '2', '-1', 'AGGREGATE', 'MAX'], ['ZUNIONSTORE', 'u3', '2', 'a', 'b', 'WEIGHTS', '0', '1'],
      ['ZINTERSTORE', 'i', '2', 'a', 'b'], ['ZINTERSTORE', 'i2', '3', 'a', 'b', 's', 'AGGREGATE', 'MIN'], ['ZINTERSTORE', 'i3', '2', 'a', 'b', 'WEIGHTS', '-1', '-1'],
      ['ZDIFFSTORE', 'd', '2', 'a', 'b'], ['ZDIFFSTORE', 'd2', '2', 'a', 's'], ['ZUNIONSTORE', 'e', '0', 'a'], ['ZUNIONSTORE', 'e', '3', 'a'], ['ZINTERSTORE', 'e2', '2', 'a', 'missing'],
      ['SET', 'str', 'x'], ['ZUNIONSTORE', 'e3', '2', 'a', 'str'], ['ZUNIONSTORE', 'a', '2', 'a', 'b'], ['ZADD', 'n', 'inf', 'p'], ['ZADD', 'm', '-inf', 'p'],
      ['ZUNIONSTORE', 'nan', '2', 'n', 'm'], ['ZINTERSTORE', 'nan2', '2', 'n', 'm', 'WEIGHTS', '0', '1'], ['ZUNIONSTORE', 'big', '2', 'a', 'c'],
      ['ZADD', 'c', ...range(200, (i) => [String(-i), `c${i}`]).flat()], ['ZUNIONSTORE', 'big', '2', 'a', 'c', 'WEIGHTS', '1', '-0'], ['ZDIFFSTORE', 'd3', '1', 'missing'],
    ],
  },
  {
    name: 'ZRANGESTORE',
    commands: [
      ['ZADD', 'z', ...range(30, (i) => [String(Math.floor(i / 3)), `m${String(i).padStart(2, '0')}`]).flat()], ['ZRANGESTORE', 'r1', 'z', '2', '10'],
      ['ZRANGESTORE', 'r2', 'z', '0', '-1', 'REV'], ['ZRANGESTORE', 'r3', 'z', '(2', '5', 'BYSCORE', 'LIMIT', '1', '4'], ['ZRANGESTORE', 'r4', 'z', '5', '(2', 'BYSCORE', 'REV', 'LIMIT', '0', '3'],
      ['ZADD', 'lex', ...range(10, (i) => ['0', String.fromCharCode(97 + i)]).flat()], ['ZRANGESTORE', 'r5', 'lex', '[c', '(h', 'BYLEX'], ['ZRANGESTORE', 'r6', 'lex', '+', '-', 'BYLEX', 'REV', 'LIMIT', '2', '3'],
      ['ZRANGESTORE', 'r7', 'z', '100', '200'], ['ZRANGESTORE', 'r8', 'missing', '0', '-1'], ['ZRANGESTORE', 'r9', 'z', '0', '-1', 'LIMIT', '0', '1'],
      ['ZRANGESTORE', 'r10', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '-1', '5'], ['ZRANGESTORE', 'r11', 'z', '0', '3', 'BYSCORE', 'LIMIT', '2', '-1'], ['ZRANGESTORE', 'r12', 'z', '0', '1', 'WITHSCORES'],
      ['ZADD', 'neg', '-0', 'a', '-0', 'b'], ['ZUNIONSTORE', 'negsk', '1', 'neg'], ['ZRANGESTORE', 'r13', 'neg', '0', '-1'],
    ],
  },
  // ---- hashes
  {
    name: 'hash commands',
    commands: [
      ['HSET', 'h', 'a', '1', 'b', '2'], ['HMSET', 'h', 'c', '3'], ['HSET', 'h', 'd'], ['HSETNX', 'h', 'a', 'x'], ['HSETNX', 'h', 'e', '5'], ['HDEL', 'h', 'b', 'zz'],
      ['HINCRBY', 'h', 'a', '10'], ['HINCRBY', 'h', 'n', '-3'], ['HINCRBY', 'h', 'e', 'x'], ['HSET', 'h', 'big', '9223372036854775807'], ['HINCRBY', 'h', 'big', '1'],
      ['HINCRBYFLOAT', 'h', 'f', '1.5'], ['HINCRBYFLOAT', 'h', 'f', '0.1'], ['HINCRBYFLOAT', 'h', 'c', '1e2'], ['HSET', 'h', 'str', 'abc'], ['HINCRBYFLOAT', 'h', 'str', '1'],
      ['HINCRBYFLOAT', 'h', 'f', 'inf'], ['HSET', 'big', ...range(200, (i) => [`f${i}`, `v${i}`]).flat()], ['HDEL', 'big', ...range(100, (i) => `f${i}`)],
      ['HSET', 'one', 'f', 'v'], ['HDEL', 'one', 'f'], ['SET', 's', 'x'], ['HSET', 's', 'f', 'v'], ['HSET', 'long', 'f', 'x'.repeat(100)],
    ],
  },
  // ---- streams
  {
    name: 'XADD ids, NOMKSTREAM, MAXLEN, MINID',
    commands: [
      ['XADD', 's', '1-1', 'f', 'v'], ['XADD', 's', '1-1', 'f', 'v'], ['XADD', 's', '1-*', 'g', 'w'], ['XADD', 's', '5', 'a', 'b'], ['XADD', 's', '5-*', 'a', 'b'],
      ['XADD', 's', '0-0', 'a', 'b'], ['XADD', 'n', 'NOMKSTREAM', '1-1', 'f', 'v'], ['XADD', 's', 'MAXLEN', '3', '10-1', 'f', 'v'], ['XADD', 's', 'MAXLEN', '=', '2', '11-1', 'f', 'v'],
      ['XADD', 's', 'MINID', '11', '12-1', 'f', 'v', 'f2', 'v2'], ['XADD', 's', 'MINID', '=', '12-0', '13-0', 'x', 'y'], ['XADD', 's', 'MAXLEN', '-1', '14-0', 'x', 'y'],
      ['XADD', 't', 'MAXLEN', '0', '1-0', 'x', 'y'], ['XADD', 'u', '18446744073709551615-18446744073709551615', 'a', 'b'], ['XADD', 'u', '18446744073709551615-*', 'a', 'b'],
      ['XADD', 's', '20-1', 'odd'], ['XADD', 's', 'bad-id', 'f', 'v'], ['SET', 'str', 'x'], ['XADD', 'str', '1-1', 'f', 'v'], ['XADD', 'w', '00010-0', 'f', 'v'],
    ],
  },
  {
    name: 'XTRIM XDEL XSETID',
    commands: [
      ...range(20, (i) => ['XADD', 's', `${i + 1}-0`, 'f', `v${i}`]), ['XDEL', 's', '3-0', '4-0', '99-0'], ['XDEL', 's', '1-0'], ['XTRIM', 's', 'MAXLEN', '15'],
      ['XTRIM', 's', 'MINID', '8'], ['XTRIM', 's', 'MAXLEN', '~', '100'], ['XTRIM', 's'], ['XTRIM', 'missing', 'MAXLEN', '1'], ['XDEL', 's', 'bad'],
      ['XSETID', 's', '100-0'], ['XSETID', 's', '10-0'], ['XSETID', 's', '200-0', 'ENTRIESADDED', '50', 'MAXDELETEDID', '150-0'], ['XSETID', 's', '300-0', 'ENTRIESADDED', '1'],
      ['XSETID', 'missing', '1-0'], ['XADD', 'e', '1-0', 'f', 'v'], ['XDEL', 'e', '1-0'], ['XSETID', 'e', '5-0'], ['XTRIM', 's', 'MAXLEN', '0'],
    ],
  },
  {
    name: 'consumer groups: XGROUP, XACK, XCLAIM (propagated form), XAUTOCLAIM',
    commands: [
      ...range(10, (i) => ['XADD', 's', `${i + 1}-0`, 'f', `v${i}`]), ['XGROUP', 'CREATE', 's', 'g1', '0'], ['XGROUP', 'CREATE', 's', 'g2', '$', 'ENTRIESREAD', '10'],
      ['XGROUP', 'CREATE', 's', 'g1', '0'], ['XGROUP', 'CREATE', 'nos', 'g', '$'], ['XGROUP', 'CREATE', 'mk', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATECONSUMER', 's', 'g1', 'alice'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g1', 'alice'], ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'x'],
      ['XCLAIM', 's', 'g1', 'bob', '0', '1-0', 'TIME', '1700000000000', 'RETRYCOUNT', '3', 'FORCE', 'JUSTID', 'LASTID', '1-0'],
      ['XCLAIM', 's', 'g1', 'bob', '0', '2-0', '3-0', 'TIME', '1700000000500', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '3-0'],
      ['XCLAIM', 's', 'g1', 'carol', '0', '3-0', 'TIME', '1700000001000', 'JUSTID'], ['XCLAIM', 's', 'g1', 'carol', '0', '2-0', 'IDLE', '5000'],
      ['XCLAIM', 's', 'g1', 'dave', '3600000', '2-0'], ['XCLAIM', 's', 'g1', 'dave', '0', '99-0', 'FORCE'], ['XACK', 's', 'g1', '1-0', '42-0'], ['XACK', 's', 'g1', 'bad'],
      ['XDEL', 's', '2-0'], ['XCLAIM', 's', 'g1', 'erin', '0', '2-0', 'TIME', '1700000002000', 'FORCE', 'JUSTID'], ['XGROUP', 'SETID', 's', 'g2', '5-0'],
      ['XGROUP', 'SETID', 's', 'g2', '$', 'ENTRIESREAD', '7'], ['XCLAIM', 's', 'g2', 'zed', '0', '6-0', '7-0', 'TIME', '1700000000000', 'FORCE'],
      ['XAUTOCLAIM', 's', 'g2', 'yan', '0', '0-0', 'COUNT', '1'], ['XAUTOCLAIM', 's', 'g2', 'yan', '0', '(6-0', 'JUSTID'], ['XGROUP', 'DELCONSUMER', 's', 'g1', 'bob'],
      ['XGROUP', 'DELCONSUMER', 's', 'g1', 'nobody'], ['XGROUP', 'DESTROY', 's', 'g3'], ['XGROUP', 'CREATE', 's', 'g3', '0'], ['XGROUP', 'DESTROY', 's', 'g3'],
      ['XCLAIM', 's', 'g1', 'x', 'bad', '1-0'], ['XCLAIM', 'missing', 'g1', 'x', '0', '1-0'], ['XGROUP', 'CREATE', 's', 'g4', '0', 'ENTRIESREAD', '-5'],
    ],
  },
  {
    name: 'XREADGROUP (new entries, history, NOACK, entries-read)',
    commands: [
      ...range(8, (i) => ['XADD', 's', `${i + 1}-0`, 'f', `v${i}`]), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 's', 'h', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '1-0'], ['XDEL', 's', '4-0'],
      ['XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'], ['XADD', 's', '9-0', 'f', 'v'], ['XADD', 's', '10-0', 'f', 'v'], ['XREADGROUP', 'GROUP', 'h', 'carol', 'NOACK', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'dave', 'COUNT', '1', 'BLOCK', '10', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'nog', 'x', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'x', 'STREAMS', 's', '$'],
      ['XGROUP', 'SETID', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'erin', 'STREAMS', 's', '>'], ['XTRIM', 's', 'MAXLEN', '3'], ['XGROUP', 'CREATE', 's', 'k', '0', 'ENTRIESREAD', '2'],
      ['XREADGROUP', 'GROUP', 'k', 'frank', 'COUNT', '2', 'STREAMS', 's', '>'],
    ],
  },
  // ---- HyperLogLog
  {
    name: 'PFADD PFCOUNT PFMERGE sparse',
    commands: [
      ['PFADD', 'h1', 'a', 'b', 'c'], ['PFCOUNT', 'h1'], ['PFADD', 'h1', 'a'], ['PFADD', 'h1', 'd', 'e'], ['PFADD', 'h2', ...range(50, (i) => `x${i}`)], ['PFCOUNT', 'h2'],
      ['PFADD', 'h3'], ['PFMERGE', 'm', 'h1', 'h2'], ['PFMERGE', 'm2', 'missing'], ['PFCOUNT', 'm'], ['PFCOUNT', 'h1', 'h2'], ['SET', 's', 'x'], ['PFADD', 's', 'a'],
      ['PFMERGE', 'h1', 'h1', 'h2'], ['PFCOUNT', 'h1'],
    ],
  },
  {
    name: 'HyperLogLog promotion to dense',
    commands: [
      ['PFADD', 'h', ...range(2000, (i) => `element-${i}`)], ['PFCOUNT', 'h'], ['PFADD', 'h', ...range(2000, (i) => `more-${i}`)], ['PFCOUNT', 'h'],
      ['PFADD', 'small', 'a'], ['PFMERGE', 'small', 'h'], ['PFCOUNT', 'small'], ['PFADD', 'd2', 'x'], ['PFDEBUG', 'TODENSE', 'd2'], ['PFCOUNT', 'd2'],
      ['PFADD', 'd3', 'y'], ['PFDEBUG', 'GETREG', 'd3'],
    ],
  },
  // ---- GEO
  {
    name: 'GEOADD scores',
    commands: [
      ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ['GEOADD', 'g', '-180', '-85.05112878', 'min', '180', '85.05112878', 'max'],
      ['GEOADD', 'g', '0', '0', 'zero', '-0.0000001', '0.0000001', 'tiny'], ['GEOADD', 'g', 'NX', '1', '1', 'Palermo'], ['GEOADD', 'g', 'XX', 'CH', '2', '2', 'Palermo', '3', '3', 'new'],
      ['GEOADD', 'g', '181', '0', 'bad'], ['GEOADD', 'g', '0', '86', 'bad'], ['GEOADD', 'g', 'NX', 'XX', '0', '0', 'x'], ['GEOADD', 'g', '1', '2'],
      ...range(20, (i) => ['GEOADD', 'h', String(-179.99 + i * 17.77777), String(-85 + i * 8.5), `p${i}`]),
    ],
  },
  {
    name: 'GEORADIUS/GEORADIUSBYMEMBER STORE, GEOSEARCHSTORE',
    commands: [
      ['GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '12.758489', '38.788135', 'edge1', '17.241510', '38.222595', 'edge2'],
      ...range(60, (i) => ['GEOADD', 'Sicily', String(12 + (i % 10) * 0.5), String(36.5 + Math.floor(i / 10) * 0.4), `p${i}`]),
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'r1'], ['GEORADIUS', 'Sicily', '15', '37', '100', 'km', 'STOREDIST', 'r2', 'ASC', 'COUNT', '5'],
      ['GEORADIUS', 'Sicily', '15', '37', '100', 'km', 'STORE', 'r3', 'COUNT', '3', 'ANY'], ['GEORADIUS', 'Sicily', '15', '37', '100', 'km', 'STORE', 'r4', 'DESC', 'COUNT', '4'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '150', 'km', 'STORE', 'r5'], ['GEORADIUSBYMEMBER', 'Sicily', 'nope', '150', 'km', 'STORE', 'r6'],
      ['GEOSEARCHSTORE', 'r7', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'ASC', 'COUNT', '10'],
      ['GEOSEARCHSTORE', 'r8', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '100', 'mi', 'STOREDIST'], ['GEOSEARCHSTORE', 'r9', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '200', '100', 'ft'],
      ['GEOSEARCHSTORE', 'r10', 'missing', 'FROMLONLAT', '15', '37', 'BYRADIUS', '10', 'km'], ['SET', 'r11', 'x'], ['GEOSEARCHSTORE', 'r11', 'Sicily', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'm'],
      ['GEORADIUS', 'Sicily', '15', '37', '100', 'km', 'WITHDIST', 'STORE', 'r12'], ['GEORADIUS', 'Sicily', '15', '37', '200', 'km'], ['GEORADIUS', 'Sicily', '15', '37', '9000', 'km', 'STORE', 'r13'],
      ['GEOADD', 'poles', '0', '85', 'n', '180', '-85', 's', '-179.9', '84.9', 'x'], ['GEORADIUS', 'poles', '179', '84', '500', 'km', 'STORE', 'r14'],
      ['GEOSEARCHSTORE', 'r15', 'poles', 'FROMLONLAT', '-179.5', '-84.5', 'BYBOX', '3000', '3000', 'km', 'STOREDIST'],
      ['GEOSEARCHSTORE', 'r16', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '0', 'km'], ['GEOSEARCHSTORE', 'r17', 'Sicily', 'BYRADIUS', '10', 'km'],
    ],
  },
  {
    name: 'INCRBYFLOAT and HINCRBYFLOAT with generated numbers',
    commands: numberTexts(11, 300).flatMap((t, i) => [
      ['INCRBYFLOAT', `f${i % 12}`, t],
      ['HINCRBYFLOAT', 'h', `f${i % 9}`, t],
    ]),
  },
  {
    name: 'ZADD and ZINCRBY with generated scores',
    commands: numberTexts(23, 300).flatMap((t, i) => [
      ['ZADD', `z${i % 3}`, t, `m${i % 70}`],
      ['ZINCRBY', 'inc', t, `m${i % 5}`],
    ]),
  },
  {
    name: 'HyperLogLogs of many sizes',
    commands: Array.from({ length: 40 }, (_, k) => ['PFADD', `hll${k % 8}`, ...range(1 + ((k * 97) % 700), (i) => `e${k}-${i}`)]).flatMap((c, k) => [c, ['PFCOUNT', `hll${k % 8}`], ...(k % 5 === 4 ? [['PFMERGE', `m${k}`, `hll${k % 8}`, `hll${(k + 3) % 8}`]] : [])]),
  },
  // ---- functions
  {
    name: 'FUNCTION LOAD DELETE FLUSH',
    commands: [
      ['FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)"],
      ['FUNCTION', 'LOAD', "#!lua name=lib2\nredis.register_function('f2', function() return 2 end)"],
      ['FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f1', function() return 3 end)"],
      ['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=lib1\nredis.register_function('f1', function() return 4 end)"],
      ['FUNCTION', 'DELETE', 'lib2'], ['FUNCTION', 'DELETE', 'nope'], ['FUNCTION', 'LOAD', "#!js name=x\n"], ['FUNCTION', 'LOAD', 'no shebang'],
      ['FUNCTION', 'LOAD', "#!lua name=lib3\nredis.register_function('f3', function() return 5 end)"], ['FUNCTION', 'FLUSH', 'BAD'],
    ],
  },
  // ---- transactions
  {
    name: 'MULTI/EXEC',
    commands: [['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['RPUSH', 'a', 'x'], ['SELECT', '1'], ['SET', 'b', '2'], ['EXEC'], ['SET', 'c', '3'], ['EXEC']],
  },
  // ---- SORT STORE
  {
    name: 'SORT STORE',
    commands: [
      ['RPUSH', 'l', '3', '1', '2', '10', '1.5'], ['SORT', 'l', 'STORE', 'o1'], ['SORT', 'l', 'DESC', 'LIMIT', '1', '2', 'STORE', 'o2'], ['SORT', 'l', 'ALPHA', 'STORE', 'o3'],
      ['SET', 'w_3', '30'], ['SET', 'w_1', '10'], ['SET', 'w_2', '20'], ['HSET', 'h_3', 'f', 'c'], ['HSET', 'h_1', 'f', 'a'], ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'h_*->f', 'STORE', 'o4'],
      ['SORT', 'l', 'BY', 'nosort', 'STORE', 'o5'], ['SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3', 'STORE', 'o5b'], ['SADD', 's', 'b', 'a', 'c'], ['SORT', 's', 'BY', 'nosort', 'STORE', 'o6'],
      ['SORT', 's', 'ALPHA', 'DESC', 'STORE', 'o7'], ['SORT', 's', 'STORE', 'o8'], ['ZADD', 'z', '3', 'x', '1', 'y', '2', 'z'], ['SORT', 'z', 'BY', 'nosort', 'STORE', 'o9'],
      ['SORT', 'z', 'ALPHA', 'LIMIT', '0', '2', 'STORE', 'o10'], ['SORT', 'missing', 'STORE', 'o1'], ['SET', 'str', 'x'], ['SORT', 'str', 'STORE', 'o11'],
      ['SORT', 'l', 'BY', 'h_*->f', 'ALPHA', 'STORE', 'o12'], ['SORT', 'l', 'LIMIT', '0', '2', 'GET', 'w_*', 'STORE', 'o13'],
    ],
  },
];
