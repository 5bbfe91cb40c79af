// cspell:words sintercard zintercard zunionstore zinterstore zdiffstore georadiusbymember storedist lmpop blmpop zmpop bzmpop
/**
 * The keys of a command, found from Redis's key specs: compared with what the real server answers to
 * `COMMAND GETKEYS` for every write command of an AOF and the commands whose keys are hard to find.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commandKeyPositions } from '../../src/aof/keys.js';
import { workload } from '../support/aof-sets.js';
import { RedisReplyError, describeWithRedis, startRedis } from '../support/redis.js';
import type { RedisArg, RedisHandle } from '../support/redis.js';

const enc = (args: readonly RedisArg[]): Uint8Array[] => args.map((a) => (typeof a === 'string' ? new TextEncoder().encode(a) : a));

const CASES: string[][] = [
  ['SET', 'k', 'v', 'EX', '10', 'GET'],
  ['MSET', 'a', '1', 'b', '2', 'c', '3'],
  ['MSETNX', 'a', '1', 'b', '2'],
  ['DEL', 'a', 'b', 'c'],
  ['UNLINK', 'a'],
  ['RENAME', 'a', 'b'],
  ['RENAMENX', 'a', 'b'],
  ['COPY', 'a', 'b', 'DB', '3', 'REPLACE'],
  ['MOVE', 'a', '2'],
  ['SMOVE', 's1', 's2', 'm'],
  ['LMOVE', 'l1', 'l2', 'LEFT', 'RIGHT'],
  ['BLMOVE', 'l1', 'l2', 'LEFT', 'RIGHT', '0'],
  ['RPOPLPUSH', 'l1', 'l2'],
  ['LMPOP', '2', 'l1', 'l2', 'LEFT', 'COUNT', '3'],
  ['BLMPOP', '0', '3', 'l1', 'l2', 'l3', 'RIGHT'],
  ['ZMPOP', '1', 'z', 'MIN'],
  ['BZMPOP', '0', '2', 'z1', 'z2', 'MAX', 'COUNT', '2'],
  ['ZUNIONSTORE', 'dst', '2', 'z1', 'z2', 'WEIGHTS', '1', '2', 'AGGREGATE', 'MAX'],
  ['ZINTERSTORE', 'dst', '3', 'z1', 'z2', 'z3'],
  ['ZDIFFSTORE', 'dst', '2', 'z1', 'z2'],
  ['ZRANGESTORE', 'dst', 'src', '0', '-1'],
  ['ZINTERCARD', '2', 'z1', 'z2', 'LIMIT', '4'],
  ['SINTERCARD', '2', 's1', 's2'],
  ['SUNIONSTORE', 'dst', 's1', 's2', 's3'],
  ['SINTERSTORE', 'dst', 's1'],
  ['SDIFFSTORE', 'dst', 's1', 's2'],
  ['BITOP', 'AND', 'dst', 'a', 'b', 'c'],
  ['BITFIELD', 'b', 'SET', 'u8', '0', '255'],
  ['PFMERGE', 'dst', 'h1', 'h2'],
  ['PFADD', 'h', 'a', 'b'],
  ['PFCOUNT', 'h1', 'h2'],
  ['GEOADD', 'g', '13.36', '38.11', 'Palermo'],
  ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'dst'],
  ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STOREDIST', 'dst2'],
  ['GEORADIUSBYMEMBER', 'g', 'Palermo', '200', 'km', 'STORE', 'dst'],
  ['GEOSEARCHSTORE', 'dst', 'src', 'FROMMEMBER', 'm', 'BYRADIUS', '10', 'km'],
  ['SORT', 'l', 'BY', 'w_*', 'LIMIT', '0', '10', 'GET', '#', 'STORE', 'dst'],
  ['SORT', 'l', 'STORE', 'dst1', 'STORE', 'dst2'],
  ['SORT', 'l', 'GET', 'store', 'ALPHA'],
  ['SORT_RO', 'l', 'BY', 'nosort'],
  ['MIGRATE', 'host', '6379', 'k', '0', '1000'],
  ['MIGRATE', 'host', '6379', '', '0', '1000', 'COPY', 'REPLACE', 'KEYS', 'a', 'b', 'c'],
  ['EVAL', 'return 1', '2', 'a', 'b', 'x'],
  ['EVALSHA', 'abcd', '0', 'x'],
  ['FCALL', 'f', '3', 'a', 'b', 'c', 'arg'],
  ['XADD', 's', '*', 'f', 'v'],
  ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
  ['XGROUP', 'SETID', 's', 'g', '0'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'],
  ['XGROUP', 'DESTROY', 's', 'g'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's1', 's2', '>', '>'],
  ['XREAD', 'STREAMS', 's1', 's2', 's3', '0', '0', '0'],
  ['XCLAIM', 's', 'g', 'c', '0', '1-1', 'FORCE', 'JUSTID'],
  ['XAUTOCLAIM', 's', 'g', 'c', '0', '0'],
  ['XSETID', 's', '5-5', 'ENTRIESADDED', '10'],
  ['XACK', 's', 'g', '1-1'],
  ['OBJECT', 'ENCODING', 'k'],
  ['RESTORE', 'k', '0', 'payload', 'REPLACE', 'ABSTTL'],
  ['LCS', 'a', 'b'],
  ['SWAPDB', '0', '1'],
  ['FLUSHALL'],
  ['SELECT', '3'],
  ['MULTI'],
  ['EXPIRE', 'k', '10', 'NX'],
  ['PEXPIREAT', 'k', '1000000000000'],
  ['GETEX', 'k', 'PERSIST'],
  ['FUNCTION', 'LOAD', '#!lua name=l\nredis.register_function("f", function() return 1 end)'],
  ['NOSUCHCOMMAND', 'a'],
];

describeWithRedis('keys of a command, as Redis finds them', () => {
  let server: RedisHandle;
  beforeAll(async () => {
    server = await startRedis({});
  });
  afterAll(async () => {
    await server.stop();
  });

  /** COMMAND GETKEYS as positions (the server answers with the key names). */
  async function serverKeys(args: readonly RedisArg[]): Promise<number[]> {
    const reply = await server.call('COMMAND', 'GETKEYS', ...args).catch((error: unknown) => error);
    if (reply instanceof RedisReplyError || reply instanceof Error) return [];
    const names = (reply as Buffer[]).map((b) => b.toString('latin1'));
    const text = args.map((a) => (typeof a === 'string' ? a : Buffer.from(a).toString('latin1')));
    const positions: number[] = [];
    for (const name of names) {
      const at = text.findIndex((arg, i) => i > 0 && arg === name && !positions.includes(i));
      positions.push(at);
    }
    return positions;
  }

  it('agrees with COMMAND GETKEYS on the commands whose keys are hard to find', async () => {
    for (const args of CASES) expect(commandKeyPositions(enc(args)), args.join(' ')).toEqual(await serverKeys(args));
  });

  it('agrees with COMMAND GETKEYS on a generated workload of write commands', async () => {
    const commands = workload(7, 400, 'keys');
    for (const args of commands) expect(commandKeyPositions(enc(args)), args.map(String).join(' ')).toEqual(await serverKeys(args));
  });
});
