/** What `fix` takes for the start of an AOF (its refusal of other files is tested in refusals.oracle.test.ts). */
import { describe, expect, it } from 'vitest';
import { startsLikeAof } from '../../src/operations/fix-aof.js';

describe('startsLikeAof', () => {
  it('takes a RESP array, an annotation followed by a record, an RDB preamble, and a file cut short in any of them', () => {
    const yes = ['', '*', '*3', '*3\r', '*3\r\n$3', '#TS:1\r\n', '#TS:1\r\n*1\r\n', '#TS:1', 'REDIS0010', 'VALKEY080', '*-1\r\n'];
    const no = ['hello', '* item\n', '*x\r\n', '# Title\n\ntext', '# Title\nmore text\n', '$3\r\nSET\r\n', '\r\n', 'REDIS', '{"json": 1}'];
    for (const text of yes) expect(startsLikeAof(Buffer.from(text, 'latin1')), JSON.stringify(text)).toBe(true);
    for (const text of no) expect(startsLikeAof(Buffer.from(text, 'latin1')), JSON.stringify(text)).toBe(false);
  });
});
