/* cspell:words hset zset XXYY argc hincrby incrbyfloat rpush sadd xadd zadd */
/** The redis-check-aof semantics of checkAof on hand-made cases (check-aof.oracle.test.ts holds them to the binary). */
import { describe, expect, it } from 'vitest';
import { bufferSource, ChunkedInput } from '../../src/bytes/input.js';
import { checkAofStream, checkAofSync } from '../../src/aof/resp.js';
import { concat } from '../support/bytes.js';
import { HANDMADE, latin1, resp } from './aof-cases.js';

describe('checkAof: redis-check-aof semantics', () => {
  it('valid file: ok_up_to is the size, lines are counted', () => {
    const data = HANDMADE[0]?.[1] as Uint8Array;
    expect(checkAofSync(data, { file: 'f' })).toEqual({
      valid: true,
      empty: false,
      size: data.length,
      okUpTo: data.length,
      okUpToLine: 24,
      diff: 0,
      commands: 3,
      annotations: 0,
      emptyCommands: 0,
      multiOpen: false,
    });
  });

  it('EOF inside MULTI cuts before the MULTI', () => {
    const data = concat([resp(['SET', 'x', '1']), resp(['multi'], ['SET', 'a', '1'])]);
    const r = checkAofSync(data, { file: 'f' });
    expect(r).toMatchObject({ valid: false, okUpTo: 27, multiOpen: true, commands: 3, okUpToLine: 18 });
    expect(r.error).toEqual({ offset: data.length - 3, message: 'Reached EOF before reading EXEC for MULTI', truncated: true });
  });

  it('nested MULTI and stray EXEC are reported at their first argument', () => {
    const nested = concat([resp(['MULTI'], ['SET', 'a', '1'], ['MULTI', 'x'])]);
    expect(checkAofSync(nested, { file: 'f' })).toMatchObject({
      okUpTo: 0,
      okUpToLine: 14,
      error: { offset: 50, message: 'Unexpected MULTI in AOF f', truncated: false },
    });
    const stray = resp(['SET', 'x', '1'], ['EXEC']);
    expect(checkAofSync(stray, { file: 'f' })).toMatchObject({
      okUpTo: 27,
      okUpToLine: 11,
      error: { offset: 35, message: 'Unexpected EXEC in AOF f', truncated: false },
    });
  });

  it('zero-argument headers pass, as in redis-check-aof, but are counted', () => {
    const r = checkAofSync(latin1('*0\r\n*1\r\n$1\r\na\r\n'));
    expect(r).toMatchObject({ valid: true, emptyCommands: 1, commands: 2, okUpToLine: 5 });
  });

  it('timestamps and annotation counts; startLine continues a count', () => {
    const data = concat([latin1('#TS:10\r\n'), resp(['SET', 'a', '1']), latin1('#TS:20\r\n#other\r\n')]);
    expect(checkAofSync(data, { startLine: 100 })).toMatchObject({
      valid: true,
      annotations: 3,
      firstTimestamp: 10,
      lastTimestamp: 20,
      okUpToLine: 107,
    });
  });

  it('streamed with tiny reads, the result is the same as in memory', async () => {
    for (const [, data] of HANDMADE) {
      const streamed = await checkAofStream(new ChunkedInput(bufferSource(data, 'f'), 1));
      expect(streamed).toEqual(checkAofSync(data, { file: 'f' }));
    }
  });

  it('an empty file is valid and empty', () => {
    expect(checkAofSync(new Uint8Array(0))).toMatchObject({ valid: true, empty: true, size: 0, okUpTo: 0, okUpToLine: 1 });
  });
});
