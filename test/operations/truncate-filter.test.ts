/**
 * truncate and filter on small hand-made AOFs: where the cut goes (a RESP BASE, a middle INCR, the last INCR,
 * inside MULTI, at offset errors), what filter keeps (emptied blocks, the SELECTs kept commands need, mixed
 * commands, FLUSHALL warnings, --db), every PATH form (single file, manifest, directory, `.lz4`), LZ4 output,
 * and inputs that are only read. The redis-server oracles are in test/aof/pitr*.oracle.test.ts.
 */
// cspell:words appendonly redback

import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { lz4DecodeBuffer, lz4EncodeBuffer } from '../../src/codecs/lz4.js';
import { RedbackError, UsageError } from '../../src/errors.js';
import { applyAofEdit } from '../../src/operations/aof-edit.js';
import { planFilter } from '../../src/operations/filter.js';
import type { FilterOptions } from '../../src/operations/filter.js';
import { planTruncate } from '../../src/operations/truncate.js';
import { concat } from '../support/bytes.js';
import { makeTempDir, stopAll } from '../support/redis.js';

afterAll(stopAll);

const resp = (...commands: string[][]): Buffer => Buffer.from(concat(commands.flatMap((args) => encodeCommand(args))));
const ts = (seconds: number): Buffer => Buffer.from(`#TS:${seconds}\r\n`);

const BASE = Buffer.concat([ts(1000), resp(['SELECT', '0'], ['SET', 'a', '1'], ['SET', 'b', '2'])]);
const INCR1 = Buffer.concat([
  ts(1010),
  resp(['SELECT', '0'], ['SET', 'user:1', 'x'], ['MULTI'], ['INCR', 'n']),
  ts(1015),
  resp(['DEL', 'user:1'], ['EXEC'], ['SELECT', '1'], ['SET', 'z', '1'], ['SELECT', '2'], ['SET', 'y', '1']),
]);
const INCR2 = Buffer.concat([ts(1020), resp(['SELECT', '0'], ['FLUSHALL'], ['SET', 'after', '1'], ['MULTI'], ['DEL', 'user:9'], ['EXEC']), ts(1030), resp(['MSET', 'user:2', 'b', 'order:1', 'c'])]);
const NAMES = ['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof'];
const MANIFEST = `file ${NAMES[0]} seq 1 type b\nfile ${NAMES[1]} seq 1 type i\nfile ${NAMES[2]} seq 2 type i\n`;

async function makeSet(compress = false): Promise<string> {
  const dir = path.join(await makeTempDir('redback-pitr-unit-'), 'appendonlydir');
  await mkdir(dir);
  const data = [BASE, INCR1, INCR2];
  for (const [i, name] of NAMES.entries()) await writeFile(path.join(dir, name), compress ? lz4EncodeBuffer(data[i] as Buffer) : (data[i] as Buffer));
  await writeFile(path.join(dir, 'appendonly.aof.manifest'), MANIFEST);
  return dir;
}

async function makeSingle(data: Buffer, name = 'appendonly.aof'): Promise<string> {
  const file = path.join(await makeTempDir('redback-pitr-unit-'), name);
  await writeFile(file, data);
  return file;
}

async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) out.set(name, await readFile(path.join(dir, name)));
  return out;
}

/** The files of an output set, in manifest order. */
async function outputFiles(dir: string): Promise<Buffer[]> {
  const manifest = await readFile(path.join(dir, 'appendonly.aof.manifest'), 'latin1');
  const out: Buffer[] = [];
  for (const line of manifest.split('\n')) if (line.startsWith('file ')) out.push(await readFile(path.join(dir, line.split(' ')[1] as string)));
  return out;
}

async function outDir(): Promise<string> {
  return path.join(await makeTempDir('redback-pitr-out-'), 'out');
}

describe('truncate', () => {
  it('cuts in the BASE: every INCR leaves the set', async () => {
    const dir = await makeSet();
    const plan = await planTruncate(dir, { kind: 'command', command: 'set', key: 'b' });
    expect(plan.cut).toMatchObject({ file: NAMES[0], index: 0, offset: BASE.indexOf('*3\r\n$3\r\nSET\r\n$1\r\nb'), movedBeforeMulti: false, lastTimestampKept: 1000 });
    expect(plan.droppedFiles).toEqual([NAMES[1], NAMES[2]]);
    const out = await outDir();
    await applyAofEdit(plan, { out, purpose: 'test' });
    expect(await outputFiles(out)).toEqual([BASE.subarray(0, plan.cut?.offset)]);
  });

  it('cuts in the middle INCR, inside a MULTI block: before the MULTI; the removed summary counts what follows', async () => {
    const dir = await makeSet();
    const plan = await planTruncate(dir, { kind: 'timestamp', timestamp: 1012 });
    const multi = INCR1.indexOf('*1\r\n$5\r\nMULTI');
    expect(plan.cut).toMatchObject({ file: NAMES[1], offset: multi, requested: INCR1.indexOf('#TS:1015'), movedBeforeMulti: true, lastTimestampKept: 1010 });
    expect(plan.notes[0]).toMatch(/inside the MULTI block/);
    expect(plan.removed.byName.find((n) => n.command === 'FLUSHALL')?.count).toBe(1);
    expect(plan.removed.commands).toBe(15);
    expect(plan.removed.bytes).toBe(INCR1.length - multi + INCR2.length);
    expect(plan.removed.firstTimestamp).toBe(1010);
    expect(plan.removed.lastTimestamp).toBe(1030);
    expect(plan.removed.dbs).toEqual([0, 1, 2]);
    const out = await outDir();
    await applyAofEdit(plan, { out, purpose: 'test' });
    expect(await outputFiles(out)).toEqual([BASE, INCR1.subarray(0, multi)]);
  });

  it('cuts in the last INCR; --last picks the last match', async () => {
    const dir = await makeSet();
    const first = await planTruncate(dir, { kind: 'command', command: 'DEL', key: 'user:*' });
    expect(first.cut?.file).toBe(NAMES[1]);
    const last = await planTruncate(dir, { kind: 'command', command: 'DEL', key: 'user:*', last: true });
    expect(last.cut).toMatchObject({ file: NAMES[2], offset: INCR2.indexOf('*1\r\n$5\r\nMULTI'), movedBeforeMulti: true });
    expect(last.droppedFiles).toEqual([]);
  });

  it('--to-offset: a boundary cuts there; elsewhere a usage error names the nearest boundaries', async () => {
    const dir = await makeSet();
    const at = INCR2.indexOf('*1\r\n$8\r\nFLUSHALL');
    const plan = await planTruncate(dir, { kind: 'offset', file: NAMES[2] as string, offset: at });
    expect(plan.cut?.offset).toBe(at);
    await expect(planTruncate(dir, { kind: 'offset', file: NAMES[2] as string, offset: at + 3 })).rejects.toThrow(
      new RegExp(`${NAMES[2]}:${at + 3} is not a command boundary \\(nearest: ${NAMES[2]}:${at} and ${NAMES[2]}:${INCR2.indexOf('*3\r\n$3\r\nSET')}\\)`),
    );
    await expect(planTruncate(dir, { kind: 'offset', file: NAMES[2] as string, offset: INCR2.length + 1 })).rejects.toThrow(/past the end/);
    await expect(planTruncate(dir, { kind: 'offset', file: 'nope.aof', offset: 0 })).rejects.toThrow(UsageError);
    // The end of a file is a boundary: the files after it leave.
    expect((await planTruncate(dir, { kind: 'offset', file: NAMES[1] as string, offset: INCR1.length })).droppedFiles).toEqual([NAMES[2]]);
  });

  it('refuses a cut that leaves nothing, a command that is not there; nothing to cut after the last #TS', async () => {
    const dir = await makeSet();
    await expect(planTruncate(dir, { kind: 'timestamp', timestamp: 999 })).rejects.toThrow(/nothing would be left/);
    await expect(planTruncate(dir, { kind: 'command', command: 'HSET' })).rejects.toThrow(RedbackError);
    const plan = await planTruncate(dir, { kind: 'timestamp', timestamp: 1030 });
    expect(plan.cut).toBeUndefined();
    expect(plan.changed).toBe(false);
  });

  it('an invalid #TS annotation met before the cut is refused, as redis-check-aof refuses it', async () => {
    const file = await makeSingle(Buffer.concat([ts(1000), resp(['SET', 'a', '1']), Buffer.from('#TS:12x\r\n'), resp(['SET', 'b', '1'])]));
    await expect(planTruncate(file, { kind: 'timestamp', timestamp: 1000 })).rejects.toThrow(/invalid #TS annotation/);
  });

  it('single file and .lz4 input: output as a new file, LZ4 with --compress lz4; the input is only read', async () => {
    const plain = await makeSingle(Buffer.concat([BASE, INCR1]));
    const packed = await makeSingle(Buffer.from(lz4EncodeBuffer(Buffer.concat([BASE, INCR1]))), 'appendonly.aof.lz4');
    for (const file of [plain, packed]) {
      const before = await readFile(file);
      const plan = await planTruncate(file, { kind: 'command', command: 'DEL' });
      const cut = Buffer.concat([BASE, INCR1]).indexOf('*1\r\n$5\r\nMULTI');
      expect(plan.cut?.offset).toBe(cut);
      const out = path.join(await makeTempDir('redback-pitr-out-'), 'cut.aof');
      await applyAofEdit(plan, { out, compress: 'lz4', purpose: 'test' });
      expect(Buffer.from(lz4DecodeBuffer(await readFile(out)))).toEqual(Buffer.concat([BASE, INCR1]).subarray(0, cut));
      expect(await readFile(file)).toEqual(before);
    }
  });

  it('--in-place on a single file keeps the original in a backup beside it', async () => {
    const original = Buffer.concat([BASE, INCR1]);
    const file = await makeSingle(original);
    const plan = await planTruncate(file, { kind: 'timestamp', timestamp: 1000 });
    const result = await applyAofEdit(plan, { inPlace: true, purpose: 'test' });
    expect(await readFile(file)).toEqual(original.subarray(0, BASE.length));
    expect(path.dirname(result.backupDir as string)).toBe(path.dirname(file));
    expect(await readFile(path.join(result.backupDir as string, 'appendonly.aof'))).toEqual(original);
  });
});

describe('filter', () => {
  async function filtered(options: FilterOptions, compress = false): Promise<{ files: Buffer[]; plan: Awaited<ReturnType<typeof planFilter>> }> {
    const dir = await makeSet(compress);
    const before = await snapshot(dir);
    const plan = await planFilter(path.join(dir, 'appendonly.aof.manifest'), options);
    const out = await outDir();
    await applyAofEdit(plan, { out, compress: 'none', purpose: 'test' });
    expect(await snapshot(dir)).toEqual(before);
    return { files: await outputFiles(out), plan };
  }

  it('--drop-command FLUSHALL removes it, with a warning about the no-op writes after it', async () => {
    for (const compress of [false, true]) {
      const { files, plan } = await filtered({ dropCommands: ['flushall'] }, compress);
      const at = INCR2.indexOf('*1\r\n$8\r\nFLUSHALL');
      expect(files).toEqual([BASE, INCR1, Buffer.concat([INCR2.subarray(0, at), INCR2.subarray(at + 18)])]);
      expect(plan.flushWarning).toEqual({ flushes: 1, commandsAffected: 3 });
      expect(plan.removed).toMatchObject({ commands: 1, bytes: 18, byName: [{ command: 'FLUSHALL', count: 1 }], firstTimestamp: 1020 });
    }
  });

  it('an emptied MULTI block disappears with its MULTI and EXEC; a partly emptied one stays well formed', async () => {
    const { files, plan } = await filtered({ dropCommands: ['DEL'] });
    expect(plan.emptiedBlocks).toBe(1);
    // INCR1: the block keeps INCR n; INCR2: the block held only DEL user:9 and goes whole.
    expect(files[1]).toEqual(Buffer.concat([ts(1010), resp(['SELECT', '0'], ['SET', 'user:1', 'x'], ['MULTI'], ['INCR', 'n']), ts(1015), resp(['EXEC'], ['SELECT', '1'], ['SET', 'z', '1'], ['SELECT', '2'], ['SET', 'y', '1'])]));
    expect(files[2]).toEqual(Buffer.concat([ts(1020), resp(['SELECT', '0'], ['FLUSHALL'], ['SET', 'after', '1']), ts(1030), resp(['MSET', 'user:2', 'b', 'order:1', 'c'])]));
    expect(plan.removed.byName).toEqual([
      { command: 'DEL', count: 2 },
      { command: 'EXEC', count: 1 },
      { command: 'MULTI', count: 1 },
    ]);
  });

  it('--db keeps the SELECTs kept commands need and drops the ones nothing kept follows', async () => {
    const { files } = await filtered({ db: 1 });
    expect(files[0]).toEqual(ts(1000));
    expect(files[1]).toEqual(Buffer.concat([ts(1010), ts(1015), resp(['SELECT', '1'], ['SET', 'z', '1'])]));
    // FLUSHALL flushes db 1 too: it stays, and so does the SELECT before it.
    expect(files[2]).toEqual(Buffer.concat([ts(1020), resp(['SELECT', '0'], ['FLUSHALL']), ts(1030)]));
  });

  it('a command with keys on both sides stops the plan unless --mixed says what to do', async () => {
    const dir = await makeSet();
    const plan = await planFilter(dir, { excludeKeys: ['user:*'] });
    expect(plan.mixedCount).toBe(1);
    expect(plan.mixed[0]).toMatchObject({ file: NAMES[2], command: 'MSET', kept: ['order:1'], dropped: ['user:2'] });
    expect(plan.refusal?.hint).toMatch(/--mixed keep/);
    const kept = await filtered({ excludeKeys: ['user:*'], mixed: 'keep' });
    expect(kept.files[2]?.includes('MSET')).toBe(true);
    const dropped = await filtered({ excludeKeys: ['user:*'], mixed: 'drop' });
    expect(dropped.files[2]?.includes('MSET')).toBe(false);
    // --key keeps only matching keys: the same command is mixed the other way round.
    expect((await planFilter(dir, { keys: ['user:*'] })).mixed[0]).toMatchObject({ kept: ['user:2'], dropped: ['order:1'] });
  });

  it('--drop-at drops exactly one command; a position that is not a command start, or a SELECT, is refused', async () => {
    const at = INCR1.indexOf('*3\r\n$3\r\nSET\r\n$1\r\nz');
    const { files, plan } = await filtered({ dropAt: [{ file: NAMES[1] as string, offset: at }] });
    expect(plan.removed.commands).toBe(2); // SET z, and the SELECT 1 nothing kept follows
    expect(files[1]?.includes('SET\r\n$1\r\nz')).toBe(false);
    const dir = await makeSet();
    await expect(planFilter(dir, { dropAt: [{ file: NAMES[1] as string, offset: at + 1 }] })).rejects.toThrow(/is not the start of a command \(nearest: /);
    await expect(planFilter(dir, { dropAt: [{ file: NAMES[1] as string, offset: INCR1.indexOf('*2\r\n$6\r\nSELECT') }] })).rejects.toThrow(/is a SELECT/);
    await expect(planFilter(dir, { dropCommands: ['select'] })).rejects.toThrow(UsageError);
    await expect(planFilter(dir, {})).rejects.toThrow(/nothing to drop/);
  });

  it('--in-place on a set: the edited file gets a new name, the originals go to the backup beside the directory', async () => {
    const dir = await makeSet();
    const before = await snapshot(dir);
    const plan = await planFilter(dir, { dropCommands: ['FLUSHALL'] });
    const result = await applyAofEdit(plan, { inPlace: true, purpose: 'test' });
    expect(result.written.map((p) => path.basename(p))).toEqual(['appendonly.aof.3.incr.aof']);
    expect(path.dirname(result.backupDir as string)).toBe(path.dirname(dir));
    const backup = await snapshot(result.backupDir as string);
    expect([...backup.keys()].sort()).toEqual(['appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    for (const [name, data] of backup) expect(data).toEqual(before.get(name));
  });

  it('a SELECT followed only by dropped commands goes, unless too many dropped runs follow it (memory stays bounded)', async () => {
    for (const runs of [100, 5000]) {
      const stamps = Array.from({ length: runs }, (_, i) => Buffer.concat([ts(2000 + i), resp(['SET', `k${i}`, 'v'])]));
      const data = Buffer.concat([resp(['SELECT', '0'], ['SET', 'a', '1'], ['SELECT', '1']), ...stamps]);
      const file = await makeSingle(data);
      const plan = await planFilter(file, { db: 0 });
      const out = path.join(await makeTempDir('redback-pitr-out-'), 'out.aof');
      await applyAofEdit(plan, { out, purpose: 'test' });
      const kept = Buffer.concat([resp(['SELECT', '0'], ['SET', 'a', '1']), ...(runs > 4096 ? [resp(['SELECT', '1'])] : []), ...Array.from({ length: runs }, (_, i) => ts(2000 + i))]);
      expect((await readFile(out)).equals(kept), `${runs} runs`).toBe(true);
      expect(plan.files[0]?.bytesRemoved).toBe(data.length - kept.length);
      expect(plan.removed.byName.find((n) => n.command === 'SELECT')?.count).toBe(runs > 4096 ? undefined : 1);
    }
  });
});
