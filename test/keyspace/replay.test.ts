/**
 * The replay engine's loading rules (what Redis's loadSingleAppendOnlyFile does), checked on hand-made AOFs:
 * errors that stop the replay name the command, file and offset with a hint; skipped commands are counted;
 * a truncated last file and a transaction left open at its end are handled as Redis handles them; every
 * file starts in database 0; RDB preambles, multi-part sets and LZ4-compressed files are read.
 */
// cspell:words evalsha fcall keyspace appendonly
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { lz4EncodeBuffer } from '../../src/codecs/lz4.js';
import { ExitCode, TruncatedError } from '../../src/errors.js';
import { Keyspace } from '../../src/keyspace/model.js';
import { NotReplayableError, replayAof, replayAofBuffer, replayCommands } from '../../src/keyspace/replay.js';
import { readFile } from 'node:fs/promises';

const enc = new TextEncoder();

function aof(...commands: string[][]): Uint8Array {
  const parts = commands.flatMap((c) => encodeCommand(c.map((a) => enc.encode(a))));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function value(keyspace: Keyspace, db: number, k: string): unknown {
  return keyspace.db(db).get(k);
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function writeSet(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redback-replay-'));
  dirs.push(dir);
  for (const [name, data] of Object.entries(files)) await writeFile(path.join(dir, name), data);
  return dir;
}

describe('what cannot be replayed', () => {
  it('stops at a script body with the command, file, offset and a hint', () => {
    const data = aof(['SET', 'a', '1'], ['EVAL', "return redis.call('SET', KEYS[1], 'x')", '1', 'b'], ['SET', 'c', '1']);
    let error: unknown;
    try {
      replayAofBuffer(data, { name: 'old.aof' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotReplayableError);
    const e = error as NotReplayableError;
    expect(e.file).toBe('old.aof');
    expect(e.offset).toBe(aof(['SET', 'a', '1']).length);
    expect(e.toLine()).toMatch(/^old\.aof: offset 27: cannot replay 'eval': the script runs in Lua/);
    expect(e.hint).toMatch(/scripts verbatim/);
    expect(e.exitCode).toBe(ExitCode.unverified);
  });

  it('skips and counts them with skipUnsupported', () => {
    const data = aof(['EVAL', 'x', '0'], ['EVALSHA', 'abc', '0'], ['EVAL', 'y', '0'], ['FCALL', 'f', '0'], ['JSON.SET', 'k', '$', '{}'], ['SET', 'a', '1']);
    const { keyspace, report } = replayAofBuffer(data, { skipUnsupported: true });
    expect(value(keyspace, 0, 'a')).toBe('1');
    expect(report.skipped.eval).toMatchObject({ count: 2, offset: 0 });
    expect(report.skipped.evalsha?.count).toBe(1);
    expect(report.skipped.fcall?.count).toBe(1);
    expect(report.skipped['json.set']?.reason).toMatch(/unknown command/);
  });

  it('refuses module commands, unknown commands and wrong arities', () => {
    expect(() => replayAofBuffer(aof(['JSON.SET', 'k', '$', '{}']))).toThrow(/cannot replay 'json\.set': unknown command/);
    expect(() => replayAofBuffer(aof(['SET', 'k']))).toThrow(/wrong number of arguments/);
    expect(() => replayAofBuffer(aof(['XGROUP', 'FROB', 'k', 'g']))).toThrow(/unknown subcommand/);
  });

  it('refuses approximate trims that would remove entries, replays those that cannot', () => {
    const base: string[][] = [['XADD', 's', '1-0', 'f', 'v'], ['XADD', 's', '2-0', 'f', 'v']];
    expect(replayCommands([...base, ['XTRIM', 's', 'MAXLEN', '~', '5']]).keyspace.db(0).get('s')).toBeDefined();
    expect(() => replayCommands([...base, ['XTRIM', 's', 'MAXLEN', '~', '1']])).toThrow(/approximate trimming/);
    expect(() => replayCommands([...base, ['XADD', 's', 'MINID', '~', '2', '3-0', 'f', 'v']])).toThrow(/approximate trimming/);
  });

  it('replays SPOP only where it is not random', () => {
    const { keyspace } = replayCommands([['SADD', 's', 'a', 'b'], ['SPOP', 's', '2'], ['SADD', 't', 'x'], ['SPOP', 't']]);
    expect(keyspace.size).toBe(0);
    expect(() => replayCommands([['SADD', 's', 'a', 'b'], ['SPOP', 's']])).toThrow(/random/);
  });

  it('stops at SELECT beyond the configured databases, with a hint', () => {
    expect(() => replayAofBuffer(aof(['SELECT', '20'], ['SET', 'a', '1']))).toThrow(/out of range for 16 databases/);
    const { keyspace } = replayAofBuffer(aof(['SELECT', '20'], ['SET', 'a', '1']), { config: { databases: 32 } });
    expect(value(keyspace, 20, 'a')).toBe('1');
  });
});

describe('loading rules', () => {
  it('counts commands Redis answers with an error, and goes on', () => {
    const { keyspace, report } = replayAofBuffer(aof(['SET', 'a', 'x'], ['INCR', 'a'], ['LPUSH', 'a', 'y'], ['EXEC'], ['SET', 'b', 'y', 'EX', '0'], ['SET', 'c', '1']));
    expect(report.rejected).toEqual({ ERR: 3, WRONGTYPE: 1 });
    expect(value(keyspace, 0, 'c')).toBe('1');
  });

  it('runs MULTI/EXEC blocks and ignores read-only commands', () => {
    const { keyspace, report } = replayAofBuffer(aof(['MULTI'], ['SET', 'a', '1'], ['GET', 'a'], ['SELECT', '3'], ['SET', 'b', '2'], ['EXEC'], ['SET', 'c', '3']));
    expect(value(keyspace, 0, 'a')).toBe('1');
    expect(value(keyspace, 3, 'b')).toBe('2');
    expect(value(keyspace, 3, 'c')).toBe('3');
    expect(report.ignored).toBe(1);
  });

  it('drops a transaction left open at the end of the last file', () => {
    const { keyspace, report } = replayAofBuffer(aof(['SET', 'a', '1'], ['MULTI'], ['SET', 'b', '2']), { name: 'x.aof' });
    expect(value(keyspace, 0, 'b')).toBeUndefined();
    expect(report.droppedTransaction).toEqual({ file: 'x.aof', offset: aof(['SET', 'a', '1']).length, commands: 1 });
  });

  it('stops at a command cut off at the end of the last file (aof-load-truncated yes)', () => {
    const whole = aof(['SET', 'a', '1'], ['SET', 'b', '2']);
    const cut = whole.subarray(0, whole.length - 3);
    const { keyspace, report } = replayAofBuffer(cut, { name: 'cut.aof' });
    expect(value(keyspace, 0, 'a')).toBe('1');
    expect(value(keyspace, 0, 'b')).toBeUndefined();
    expect(report.truncated).toMatchObject({ file: 'cut.aof', offset: aof(['SET', 'a', '1']).length });
    expect(() => replayAofBuffer(cut, { loadTruncated: false })).toThrow(TruncatedError);
  });

  it('starts every file of a set in database 0, and refuses a transaction open at the end of a file that is not last', async () => {
    const manifest = 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n';
    const dir = await writeSet({
      'appendonly.aof.manifest': manifest,
      'appendonly.aof.1.base.aof': aof(['SELECT', '5'], ['SET', 'base', '1']),
      'appendonly.aof.1.incr.aof': aof(['SET', 'first', '1']),
      'appendonly.aof.2.incr.aof': lz4EncodeBuffer(aof(['SELECT', '2'], ['SET', 'second', '1'])),
    });
    const { keyspace, report } = await replayAof(dir);
    expect(value(keyspace, 5, 'base')).toBe('1');
    expect(value(keyspace, 0, 'first')).toBe('1');
    expect(value(keyspace, 2, 'second')).toBe('1');
    expect(report.files.map((f) => f.role)).toEqual(['base', 'incr', 'incr']);
    const broken = await writeSet({
      'appendonly.aof.manifest': manifest,
      'appendonly.aof.1.base.aof': aof(['SET', 'a', '1']),
      'appendonly.aof.1.incr.aof': aof(['MULTI'], ['SET', 'b', '1']),
      'appendonly.aof.2.incr.aof': aof(['SET', 'c', '1']),
    });
    await expect(replayAof(broken)).rejects.toThrow(/inside a MULTI\/EXEC transaction and is not the last file/);
    const cutEarly = await writeSet({
      'appendonly.aof.manifest': manifest,
      'appendonly.aof.1.base.aof': aof(['SET', 'a', '1']),
      'appendonly.aof.1.incr.aof': aof(['SET', 'b', '1']).subarray(0, 10),
      'appendonly.aof.2.incr.aof': aof(['SET', 'c', '1']),
    });
    await expect(replayAof(cutEarly)).rejects.toThrow(TruncatedError);
  });

  it('reads an RDB preamble, then the RESP tail', async () => {
    const rdb = new Uint8Array(await readFile(new URL('../../fixtures/redis-7.0-all-types.rdb', import.meta.url)));
    const tail = aof(['SET', 'after-preamble', '1']);
    const data = new Uint8Array(rdb.length + tail.length);
    data.set(rdb);
    data.set(tail, rdb.length);
    const { keyspace, report } = replayAofBuffer(data);
    expect(report.rdb.keys).toBeGreaterThan(10);
    expect(report.files[0]?.rdb).toBe(true);
    expect(value(keyspace, 0, 'after-preamble')).toBe('1');
    expect(keyspace.size).toBe(report.rdb.keys + 1);
  });

  it('keeps keys whose TTL has passed until dropExpired', () => {
    const { keyspace } = replayCommands([['SET', 'old', '1', 'PXAT', '1000'], ['SET', 'new', '1', 'PXAT', String(Date.now() + 3_600_000)], ['INCR', 'old']]);
    expect(value(keyspace, 0, 'old')).toBe('2');
    expect(keyspace.dropExpired(Date.now())).toEqual({ keys: 1, fields: 0 });
    expect(keyspace.size).toBe(1);
  });

  it('uses the replay clock for relative times', () => {
    const { keyspace } = replayCommands([['SET', 'a', '1', 'EX', '100'], ['XADD', 's', '*', 'f', 'v']], { now: 1_000_000 });
    expect(keyspace.db(0).expireOf('a')).toBe(1_100_000);
  });
});
