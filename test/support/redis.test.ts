// cspell:words appendfsync appendonly appenddirname appendonlydir DBSIZE FLUSHALL HSET INCRBY keyspace LPUSH PEXPIREAT RPUSH WRONGTYPE
import { describe, expect, it } from 'vitest';
import { RedisReplyError, RespParser, encodeCommand, type RespValue } from './redis.js';

function parseAll(bytes: Buffer, chunkSize: number): RespValue[] {
  const replies: RespValue[] = [];
  const parser = new RespParser((value) => replies.push(value));
  for (let i = 0; i < bytes.length; i += chunkSize) parser.push(bytes.subarray(i, i + chunkSize));
  expect(parser.idle).toBe(true);
  return replies;
}

describe('RESP2 client pieces', () => {
  it('encodes a command as an array of bulk strings', () => {
    expect(encodeCommand(['SET', Buffer.from([0, 255]), 'é']).toString('latin1'))
      .toBe('*3\r\n$3\r\nSET\r\n$2\r\n\x00\xff\r\n$2\r\n\xc3\xa9\r\n');
  });

  it('parses every reply type, whole and byte by byte', () => {
    const wire = Buffer.from(
      '+OK\r\n-ERR bad thing\r\n:42\r\n:-9223372036854775808\r\n$-1\r\n$0\r\n\r\n$5\r\na\r\nbc\r\n'
      + '*-1\r\n*0\r\n*3\r\n:1\r\n*2\r\n$1\r\nx\r\n-WRONGTYPE inner\r\n+last\r\n',
      'latin1',
    );
    for (const chunkSize of [wire.length, 1, 7]) {
      const replies = parseAll(wire, chunkSize);
      expect(replies).toHaveLength(10);
      expect(replies[0]).toBe('OK');
      expect(replies[1]).toBeInstanceOf(RedisReplyError);
      expect((replies[1] as Error).message).toBe('ERR bad thing');
      expect(replies[2]).toBe(42);
      expect(replies[3]).toBe(-9223372036854775808n);
      expect(replies[4]).toBeNull();
      expect(replies[5]).toEqual(Buffer.alloc(0));
      expect(replies[6]).toEqual(Buffer.from('a\r\nbc'));
      expect(replies[7]).toBeNull();
      expect(replies[8]).toEqual([]);
      const nested = replies[9] as RespValue[];
      expect(nested[0]).toBe(1);
      expect((nested[1] as RespValue[])[0]).toEqual(Buffer.from('x'));
      expect(((nested[1] as RespValue[])[1] as Error).message).toBe('WRONGTYPE inner');
      expect(nested[2]).toBe('last');
    }
  });
});
