import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { readLinesBackwards, writeLineSpill } from '../../src/io/line-spill.js';
import { logAof } from '../../src/operations/log.js';
import type { LogEntry, LogOptions } from '../../src/operations/log.js';
import { concat } from '../support/bytes.js';
import { REPO_ROOT } from '../support/paths.js';
import { makeTempDir } from '../support/redis.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const resp = (...commands: string[][]): Uint8Array => concat(commands.flatMap((args) => encodeCommand(args)));
const ts = (seconds: number): Uint8Array => new TextEncoder().encode(`#TS:${seconds}\r\n`);

/** A set with an RDB BASE, a FLUSHALL in the middle INCR file, a MULTI block and #TS annotations. */
async function makeSet(): Promise<string> {
  const dir = await makeTempDir('redback-log-');
  dirs.push(dir);
  await writeFile(path.join(dir, 'appendonly.aof.1.base.rdb'), await readFile(path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb')));
  await writeFile(
    path.join(dir, 'appendonly.aof.1.incr.aof'),
    concat([ts(1000), resp(['SELECT', '0'], ['SET', 'user:1', 'a'], ['MSET', 'user:2', 'b', 'order:1', 'c']), ts(1010), resp(['MULTI'], ['INCR', 'n'], ['DEL', 'user:1'], ['EXEC'])]),
  );
  await writeFile(path.join(dir, 'appendonly.aof.2.incr.aof'), concat([ts(1020), resp(['SELECT', '2'], ['FLUSHALL'], ['SET', 'after', '1']), ts(1030), resp(['flushdb'])]));
  await writeFile(
    path.join(dir, 'appendonly.aof.manifest'),
    'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
  );
  return dir;
}

async function log(dir: string, options: LogOptions = {}): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  await logAof(dir, options, (entry) => out.push(entry));
  return out;
}

describe('log', () => {
  it('lists every command in replay order with file, offset, time, db, keys and MULTI', async () => {
    const dir = await makeSet();
    const entries = await log(dir);
    expect(entries.map((e) => [e.file.slice(-10), e.command, e.db, e.ts, e.keys, e.multi !== null])).toEqual([
      ['1.incr.aof', 'SELECT', 0, 1000, [], false],
      ['1.incr.aof', 'SET', 0, 1000, ['user:1'], false],
      ['1.incr.aof', 'MSET', 0, 1000, ['user:2', 'order:1'], false],
      ['1.incr.aof', 'MULTI', 0, 1010, [], true],
      ['1.incr.aof', 'INCR', 0, 1010, ['n'], true],
      ['1.incr.aof', 'DEL', 0, 1010, ['user:1'], true],
      ['1.incr.aof', 'EXEC', 0, 1010, [], true],
      ['2.incr.aof', 'SELECT', 0, 1020, [], false],
      ['2.incr.aof', 'FLUSHALL', 2, 1020, [], false],
      ['2.incr.aof', 'SET', 2, 1020, ['after'], false],
      ['2.incr.aof', 'FLUSHDB', 2, 1030, [], false],
    ]);
    // The offset and length are the command's bytes in its file.
    const flush = entries.find((e) => e.command === 'FLUSHALL') as LogEntry;
    const bytes = (await readFile(path.join(dir, flush.file))).subarray(flush.offset, flush.offset + flush.length);
    expect(bytes.toString('latin1')).toBe('*1\r\n$8\r\nFLUSHALL\r\n');
  });

  it('filters by command, key glob, db and time', async () => {
    const dir = await makeSet();
    expect((await log(dir, { commands: ['flushall', 'FLUSHDB'] })).map((e) => e.command)).toEqual(['FLUSHALL', 'FLUSHDB']);
    expect((await log(dir, { keys: ['user:*'] })).map((e) => e.command)).toEqual(['SET', 'MSET', 'DEL']);
    expect((await log(dir, { keys: ['order:?'] })).map((e) => e.command)).toEqual(['MSET']);
    expect((await log(dir, { db: 2 })).map((e) => e.command)).toEqual(['FLUSHALL', 'SET', 'FLUSHDB']);
    expect((await log(dir, { since: 1010, until: 1020 })).map((e) => e.command)).toEqual(['MULTI', 'INCR', 'DEL', 'EXEC', 'SELECT', 'FLUSHALL', 'SET']);
  });

  it('gives the newest first with --reverse, with or without a limit (the long form through a temporary file)', async () => {
    const dir = await makeSet();
    const all = await log(dir);
    expect(await log(dir, { reverse: true })).toEqual(all.slice().reverse());
    expect(await log(dir, { reverse: true, limit: 3 })).toEqual(all.slice(-3).reverse());
    expect(await log(dir, { limit: 2 })).toEqual(all.slice(0, 2));
  });

  it('refuses an RDB: it has no commands', async () => {
    await expect(log(path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb'))).rejects.toThrow(/RDB snapshot/);
  });
});

describe('lines spilled to a file, read back last first', () => {
  it('comes back in reverse order whatever the block size, long and empty lines included', async () => {
    const lines = ['', 'a', 'é'.repeat(3000), '', 'last one', 'x'.repeat(10)];
    const spill = await writeLineSpill();
    try {
      for (const line of lines) await spill.write(line);
      await spill.finish();
      for (const block of [1, 2, 7, 1 << 20]) {
        const back: string[] = [];
        for await (const line of readLinesBackwards(spill.path, block)) back.push(line);
        expect(back, `block ${block}`).toEqual(lines.slice().reverse());
      }
    } finally {
      await spill.remove();
    }
  });
});
