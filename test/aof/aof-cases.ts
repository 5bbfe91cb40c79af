/**
 * Hand-made AOF cases shared by the unit tests of checkAof (check-aof.test.ts) and its oracle against
 * redis-check-aof (check-aof.oracle.test.ts).
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { encodeCommand } from '../../src/aof/resp.js';
import { concat } from '../support/bytes.js';

export const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));


export function resp(...commands: (string | Uint8Array)[][]): Uint8Array {
  return concat(commands.flatMap((c) => encodeCommand(c)));
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Semantics that hold without the binary (the oracle below checks them against redis-check-aof too)

export const MULTI_BLOCK = resp(['MULTI'], ['SET', 'a', '1'], ['EXEC']);
export const HANDMADE: [string, Uint8Array][] = [
  ['basic', resp(['SELECT', '0'], ['SET', 'k', 'v'], ['RPUSH', 'list', 'a', 'b', 'c'])],
  ['transaction', concat([resp(['SET', 'x', '1']), MULTI_BLOCK, resp(['DEL', 'x'])])],
  ['eof in multi', concat([resp(['SET', 'x', '1'], ['multi'], ['SET', 'a', '1'])])],
  ['eof in multi after annotation', concat([resp(['SET', 'x', '1'], ['MULTI'], ['SET', 'a', '1']), latin1('#TS:5\r\n')])],
  ['nested multi', concat([resp(['SET', 'x', '1'], ['MULTI'], ['SET', 'a', '1'], ['Multi', 'extra'], ['EXEC'])])],
  ['stray exec', concat([resp(['SET', 'x', '1'], ['exec', 'more', 'args'], ['SET', 'b', '2'])])],
  ['exec cut after its name', concat([resp(['MULTI'], ['SET', 'a', '1']), latin1('*2\r\n$4\r\nEXEC\r\n$3\r\nab')])],
  ['multi with NUL tail', concat([resp(['SET', 'x', '1'], [latin1('multi\x00zz')], ['SET', 'a', '1'])])],
  ['empty and negative argc', latin1('*0\r\n*-3\r\n* +2\r\n$\r\n\r\n$\r3\r\nabc\r\n#foo\n#TS:\r\n#bar')],
  ['annotations only', latin1('#TS:1700000000\r\n#x\r\n')],
  ['annotation then junk', concat([resp(['SET', 'x', '1']), latin1('#TS:1\r\nGARBAGE')])],
  ['junk in multi', concat([resp(['MULTI'], ['SET', 'a', '1']), latin1('?')])],
  ['bad crlf', latin1('*1\r\n$3\r\nabcX\n')],
  ['range', latin1('*1\r\n$-5\r\n')],
  ['line start eof', latin1('*2\r\n$3\r\nSET\r\n')],
  ['line start eof in multi', latin1('*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nSET\r\n')],
  ['long annotation', concat([latin1('#' + 'a'.repeat(1100) + '\r\n'), resp(['SET', 'k', 'v'])])],
  ['long hash annotation', concat([latin1('#'.repeat(1100) + '\r\n'), resp(['SET', 'k', 'v'])])],
  ['partial line at end', latin1('*1\r\n$3\r')],
  ['lf only', latin1('*1\n$4\nPING\n')],
  ['long header', latin1('*' + ' '.repeat(123) + '1\r\n$1\r\na\r\n')],
  ['empty', new Uint8Array(0)],
];
