/**
 * `fix` against a real redis-server 7.0: a repaired AOF set must (a) pass redis-check-aof and (b) load with
 * `aof-load-truncated no` into exactly the dataset of the commands that were complete before the damage
 * (`DEBUG DIGEST` compared).
 *
 * The expectations never come from the code under test: record boundaries come from a RESP splitter in
 * test/support/aof-sets.ts, the expected prefix follows Redis's rules (a cut inside a MULTI goes back to
 * before the MULTI), and the expected dataset is what redis-server makes of a copy we cut by hand — and, for
 * one case, of the BASE loaded as an RDB plus the INCR commands replayed over a client connection.
 *
 * Sets are written by real servers (BASE + two INCR files, see generateServerAof), one with an RDB BASE and
 * one with a RESP BASE and `#TS:` annotations.
 */
// cspell:words appendonly appendonlydir dbfilename fixpre fixresp redback

import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { jsonBytes } from '../../src/bytes/text.js';
import { applyFix, planFix } from '../../src/operations/fix-aof.js';
import {
  commandName,
  generateServerAof,
  loadablePrefix,
  manifestWithout,
  respRecords,
  writeSet,
  type AofFile,
  type GeneratedAof,
  type RespRecordSpan,
} from '../support/aof-sets.js';
import { describeWithRedis, loadAofDigest, makeTempDir, runTool, startRedis, type RedisArg, type ToolResult } from '../support/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every file in a directory (not recursive) with its bytes, sorted by name. */
async function snapshot(dir: string): Promise<[string, Buffer][]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (name): Promise<[string, Buffer]> => [name, await readFile(path.join(dir, name))]));
}

/** Commands of a file, records whose `[start, end)` lies inside `[from, to)`. */
function commandsIn(records: readonly RespRecordSpan[], from: number, to: number): RespRecordSpan[] {
  return records.filter((r) => r.kind === 'command' && r.start >= from && r.end <= to);
}

/** The first command record at or after `index` for which `accept` holds and that is outside any MULTI. */
function findCommand(records: readonly RespRecordSpan[], fromIndex: number, accept: (r: RespRecordSpan, inMulti: boolean) => boolean): RespRecordSpan {
  let inMulti = false;
  for (const [k, record] of records.entries()) {
    if (record.kind !== 'command') continue;
    const name = commandName(record);
    if (k >= fromIndex && accept(record, inMulti)) return record;
    if (name === 'MULTI') inMulti = true;
    else if (name === 'EXEC') inMulti = false;
  }
  throw new Error('no such command in the file');
}

/** Index of a record in the list. */
const indexOf = (records: readonly RespRecordSpan[], record: RespRecordSpan): number => records.indexOf(record);

async function redisCheckAof(target: string): Promise<ToolResult> {
  return runTool('redis-check-aof', [target], { timeoutMs: 30_000 });
}

interface RepairCase {
  name: string;
  set: GeneratedAof;
  /** Which file is damaged. */
  fileIndex: number;
  /** Its bytes after the damage. */
  damaged: Buffer;
  /** Where the damage starts (the cut offset, or the first overwritten byte). */
  damageAt: number;
  /** Pass --force (the cut drops more than the default limits allow). */
  force?: boolean;
}

/**
 * The name a repaired file gets, by Redis's rule (`curr_base_file_seq + 1`, or the highest INCR seq + 1),
 * with its old and new manifest lines.
 */
function nextName(manifest: string, name: string): { name: string; oldLine: string; newLine: string } {
  const lines = manifest.split('\n').filter((line) => line.startsWith('file '));
  const parsed = lines.map((line) => {
    const match = /^file (\S+) seq (\d+) type ([bhi])$/.exec(line);
    if (!match) throw new Error(`unexpected manifest line ${line}`);
    return { line, name: match[1] as string, seq: Number(match[2]), type: match[3] as string };
  });
  const old = parsed.find((entry) => entry.name === name);
  if (!old) throw new Error(`${name} is not in the manifest`);
  if (old.type === 'b') {
    const seq = old.seq + 1;
    const next = `appendonly.aof.${seq}.base.${name.endsWith('.rdb') ? 'rdb' : 'aof'}`;
    return { name: next, oldLine: old.line, newLine: `file ${next} seq ${seq} type b` };
  }
  const seq = Math.max(...parsed.filter((entry) => entry.type === 'i').map((entry) => entry.seq)) + 1;
  const next = `appendonly.aof.${seq}.incr.aof`;
  return { name: next, oldLine: old.line, newLine: `file ${next} seq ${seq} type i` };
}

/**
 * Runs planFix + applyFix (with a backup) on a damaged copy of a set and checks the result against Redis:
 * the files on disk, the backup, redis-check-aof, and the digest of a server loading the repaired set
 * versus one loading a copy cut by hand at the expected offset.
 */
async function repairAndCompare(work: string, c: RepairCase): Promise<{ dir: string; expectedPrefix: number; digest: string }> {
  const original = c.set.files[c.fileIndex] as AofFile;
  const respStart = original.data.toString('latin1', 0, 5) === 'REDIS' ? original.data.length : 0; // an .rdb BASE is not cut here
  const records = respRecords(original.data, respStart);
  const expectedPrefix = loadablePrefix(records, c.damageAt, respStart);
  const later = c.set.files.slice(c.fileIndex + 1);
  const lostInTarget = commandsIn(records, expectedPrefix, c.damageAt).length;
  const lostLater = later.reduce((n, f) => n + respRecords(f.data).filter((r) => r.kind === 'command').length, 0);

  const dir = await makeTempDir(`redback-fix-${c.name.replace(/\W+/g, '-')}-`);
  const files = c.set.files.map((f, k) => ({ name: f.name, data: k === c.fileIndex ? c.damaged : f.data }));
  const manifestPath = await writeSet(dir, c.set.manifestName, c.set.manifest, files);
  const before = new Map(await snapshot(dir));

  // Plan: the damaged file is cut at the expected offset, later files are dropped. (Overwritten bytes early in
  // a file make the cut drop most of it, which fix refuses without --force: see the refusal tests.)
  const plan = await planFix(manifestPath, { force: c.force });
  expect(plan.clean).toBe(false);
  expect(plan.mode).toBe('cut');
  expect(plan.target?.name).toBe(original.name);
  expect(plan.target?.keep).toEqual(expectedPrefix > 0 ? [{ start: 0, end: expectedPrefix }] : []);
  expect(plan.target?.dropped).toEqual([{ start: expectedPrefix, end: c.damaged.length }]);
  expect(plan.droppedFiles.map((f) => f.name)).toEqual(later.map((f) => f.name));
  expect(plan.droppedFiles.map((f) => f.commands)).toEqual(later.map((f) => respRecords(f.data).filter((r) => r.kind === 'command').length));
  expect(plan.manifestRewritten).toBe(true);
  // After a cut the lost-work figure is exact (after overwritten bytes, see the test on lost-work figures).
  if (c.damageAt === c.damaged.length) expect(plan.totals.commandsLost).toBe(lostInTarget + lostLater);

  // Apply, with a backup of everything it touches.
  const backupDir = await makeTempDir('redback-fix-backup-');
  const result = await applyFix(plan, { backupDir, noBackup: false });
  expect(result.backupDir).toBe(backupDir);
  // The backup holds every file that left the set (the broken one, the later ones) and the old manifest.
  const touched = [original.name, ...later.map((f) => f.name), c.set.manifestName].sort();
  const backup = await snapshot(backupDir);
  expect(backup.map(([name]) => name)).toEqual(touched);
  for (const [name, bytes] of backup) expect(bytes.equals(before.get(name) as Buffer), `backup of ${name} is byte-identical`).toBe(true);

  // On disk: the cut file is written under the next name Redis would give (BASE: its seq + 1; INCR: the
  // highest INCR seq + 1) and holds the original's prefix; the original and later files are gone; the
  // manifest names the new file in place of the old one and lost the later files' lines.
  const replacement = nextName(c.set.manifest, original.name);
  const after = new Map(await snapshot(dir));
  expect(result.written).toEqual([path.join(dir, replacement.name)]);
  expect((after.get(replacement.name) as Buffer).equals(original.data.subarray(0, expectedPrefix))).toBe(true);
  expect(after.has(original.name)).toBe(false);
  for (const file of later) expect(after.has(file.name)).toBe(false);
  const expectedManifest = manifestWithout(c.set.manifest, later.map((f) => f.name)).replace(replacement.oldLine, replacement.newLine);
  expect((after.get(c.set.manifestName) as Buffer).toString('latin1')).toBe(expectedManifest);
  for (const file of c.set.files.slice(0, c.fileIndex)) expect((after.get(file.name) as Buffer).equals(file.data)).toBe(true);
  // Nothing else is left in the directory: no temporary file, no journal.
  expect([...after.keys()].sort()).toEqual([...c.set.files.slice(0, c.fileIndex).map((f) => f.name), replacement.name, c.set.manifestName].sort());

  // (a) redis-check-aof accepts the repaired set.
  const check = await redisCheckAof(manifestPath);
  expect(check.code, check.stdout).toBe(0);
  expect(check.stdout).toContain('All AOF files and manifest are valid');

  // (b) Redis loads it (aof-load-truncated no) into the same dataset as a copy we cut by hand.
  const handDir = await makeTempDir('redback-fix-expected-');
  const kept = c.set.files.slice(0, c.fileIndex + 1).map((f, k) => ({ name: f.name, data: k === c.fileIndex ? f.data.subarray(0, expectedPrefix) : f.data }));
  await writeSet(handDir, c.set.manifestName, manifestWithout(c.set.manifest, later.map((f) => f.name)), kept);
  const [fixed, expected] = await Promise.all([loadAofDigest(dir), loadAofDigest(handDir)]);
  expect(fixed.digest).toBe(expected.digest);
  expect(fixed.keys).toBe(expected.keys);
  expect(fixed.keys).toBeGreaterThan(0);
  return { dir, expectedPrefix, digest: fixed.digest };
}

describeWithRedis('fix: the repaired AOF loads in redis-server with exactly the commands before the damage', () => {
  let work = '';
  let withPreamble: GeneratedAof;
  let respOnly: GeneratedAof;
  let build: ToolResult;

  beforeAll(async () => {
    work = await makeTempDir('redback-fix-test-');
    [withPreamble, respOnly, build] = await Promise.all([
      generateServerAof({ label: 'fixpre', preamble: true, timestamps: false, seed: 31, perPhase: 120, pauseMs: 0 }),
      generateServerAof({ label: 'fixresp', preamble: false, timestamps: true, seed: 42, perPhase: 120, pauseMs: 400 }),
      // The CLI runs the compiled commands (bin/run.js → dist/commands).
      runTool('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, timeoutMs: 170_000 }),
    ]);
  }, 180_000);

  it('last INCR cut in the middle of a command inside MULTI: cut back to before the MULTI; same dataset as the BASE .rdb plus the replayed commands', async () => {
    const set = withPreamble;
    const last = set.files[2] as AofFile;
    const records = respRecords(last.data);
    const multi = findCommand(records, Math.floor(records.length / 2), (r, inMulti) => !inMulti && commandName(r) === 'MULTI');
    const inside = records[indexOf(records, multi) + 1] as RespRecordSpan;
    expect(commandName(inside)).not.toBe('EXEC');
    const cut = inside.start + Math.floor((inside.end - inside.start) / 2);
    const { expectedPrefix, digest } = await repairAndCompare(work, { name: 'last-in-multi', set, fileIndex: 2, damaged: last.data.subarray(0, cut), damageAt: cut });
    expect(expectedPrefix).toBe(multi.start);

    // A second, independent expectation: the BASE loaded as an RDB, then every INCR command before the cut
    // sent over a client connection.
    const replayDir = await makeTempDir('redback-fix-replay-');
    await writeFile(path.join(replayDir, 'dump.rdb'), (set.files[0] as AofFile).data);
    const server = await startRedis({ dir: replayDir, dbfilename: 'dump.rdb', appendonly: false });
    try {
      const commands: RedisArg[][] = [
        ...commandsIn(respRecords((set.files[1] as AofFile).data), 0, Number.MAX_SAFE_INTEGER).map((r) => r.args),
        ...commandsIn(records, 0, expectedPrefix).map((r) => r.args),
      ];
      await server.callMany(commands);
      expect(await server.digest()).toBe(digest);
    } finally {
      await server.stop();
    }
  });

  it('middle INCR cut in the middle of a command: cut there, the last INCR is dropped from the manifest', async () => {
    const set = respOnly;
    const middle = set.files[1] as AofFile;
    const records = respRecords(middle.data);
    const victim = findCommand(records, Math.floor(records.length / 2), (r, inMulti) => !inMulti && !['MULTI', 'EXEC', 'SELECT'].includes(commandName(r)));
    const cut = victim.start + Math.floor((victim.end - victim.start) / 2);
    const { expectedPrefix } = await repairAndCompare(work, { name: 'middle-cut', set, fileIndex: 1, damaged: middle.data.subarray(0, cut), damageAt: cut });
    // Annotations before the victim stay; the victim goes.
    expect(expectedPrefix).toBeLessThanOrEqual(victim.start);
    expect(commandsIn(records, expectedPrefix, victim.start)).toEqual([]);
  });

  it('middle INCR with overwritten bytes inside a command: cut before that command, the last INCR is dropped', async () => {
    const set = withPreamble;
    const middle = set.files[1] as AofFile;
    const records = respRecords(middle.data);
    const victim = findCommand(records, Math.floor(records.length / 3), (r, inMulti) => !inMulti && r.args.length >= 2 && commandName(r) !== 'SELECT');
    const damaged = Buffer.from(middle.data);
    // The `$` header of the second argument becomes "!!!": redis-check-aof stops at this command.
    const secondArg = damaged.indexOf('\r\n$', victim.start + 4, 'latin1') + 2;
    expect(secondArg).toBeLessThan(victim.end);
    damaged.write('!!!', secondArg, 'latin1');
    const { expectedPrefix } = await repairAndCompare(work, { name: 'middle-corrupt', set, fileIndex: 1, damaged, damageAt: secondArg, force: true });
    expect(expectedPrefix).toBe(victim.start);
  });

  it('middle INCR cut inside its first command: it is emptied (Redis loads an empty INCR), the last INCR is dropped', async () => {
    const set = withPreamble; // no timestamps: the INCR starts with a command, not an annotation
    const middle = set.files[1] as AofFile;
    const first = respRecords(middle.data)[0] as RespRecordSpan;
    expect(first.kind).toBe('command');
    const { expectedPrefix, dir } = await repairAndCompare(work, { name: 'middle-empty', set, fileIndex: 1, damaged: middle.data.subarray(0, 3), damageAt: 3 });
    expect(expectedPrefix).toBe(0);
    expect((await readFile(path.join(dir, nextName(set.manifest, middle.name).name))).length).toBe(0);
  });

  it('lost-work figures: the intact commands after a corrupt command, which the cut drops too, are counted', async () => {
    const set = withPreamble;
    const middle = set.files[1] as AofFile;
    const records = respRecords(middle.data);
    const victim = findCommand(records, Math.floor(records.length / 3), (r, inMulti) => !inMulti && r.args.length >= 2 && commandName(r) !== 'SELECT');
    const damaged = Buffer.from(middle.data);
    damaged.write('!!!', damaged.indexOf('\r\n$', victim.start + 4, 'latin1') + 2, 'latin1');
    const dir = await makeTempDir('redback-fix-lost-');
    const manifestPath = await writeSet(dir, set.manifestName, set.manifest, set.files.map((f, k) => ({ name: f.name, data: k === 1 ? damaged : f.data })));
    const plan = await planFix(manifestPath);
    // Everything from the victim on is dropped: the victim is broken, every command after it is complete.
    expect(plan.target?.dropped).toEqual([{ start: victim.start, end: damaged.length }]);
    const intactAfter = commandsIn(records, victim.end, damaged.length).length;
    const inLastFile = respRecords((set.files[2] as AofFile).data).filter((r) => r.kind === 'command').length;
    expect(intactAfter).toBeGreaterThan(10);
    expect({ target: plan.target?.commandsLost, total: plan.totals.commandsLost }).toEqual({ target: intactAfter, total: intactAfter + inLastFile });
  });

  it('old-style single file with RDB preamble, cut in its RESP tail: cut back to the last complete command', async () => {
    const data = Buffer.concat(withPreamble.files.map((f) => f.data));
    const rdbLength = (withPreamble.files[0] as AofFile).data.length;
    const records = respRecords(data, rdbLength);
    const victim = findCommand(records, Math.floor(records.length * 0.8), (r, inMulti) => !inMulti && commandName(r) !== 'SELECT');
    const cut = victim.end - 3;
    const expectedPrefix = loadablePrefix(records, cut, rdbLength);
    expect(expectedPrefix).toBe(victim.start);

    const dir = await makeTempDir('redback-fix-single-');
    const file = path.join(dir, 'appendonly.aof');
    await writeFile(file, data.subarray(0, cut));
    const plan = await planFix(file);
    expect(plan.layout).toBe('single');
    expect(plan.target?.keep).toEqual([{ start: 0, end: expectedPrefix }]);
    expect(plan.droppedFiles).toEqual([]);
    const result = await applyFix(plan, { backupDir: path.join(dir, 'backup') });
    expect((await readFile(path.join(dir, 'backup', 'appendonly.aof'))).equals(data.subarray(0, cut))).toBe(true);
    expect((await readFile(file)).equals(data.subarray(0, expectedPrefix))).toBe(true);
    expect(result.written).toEqual([file]);
    const check = await redisCheckAof(file);
    expect(check.code, check.stdout).toBe(0);

    const handFile = path.join(await makeTempDir('redback-fix-single-expected-'), 'appendonly.aof');
    await writeFile(handFile, data.subarray(0, expectedPrefix));
    const [fixed, expected] = await Promise.all([loadAofDigest(file), loadAofDigest(handFile)]);
    expect(fixed.digest).toBe(expected.digest);
    expect(fixed.keys).toBeGreaterThan(0);
  });

  it('--salvage drops only the corrupt command and keeps the commands after it', async () => {
    const set = respOnly;
    const last = set.files[2] as AofFile;
    const records = respRecords(last.data);
    // A plain SET outside MULTI whose arguments hold no bytes a resync could mistake for a record start.
    const victim = findCommand(
      records,
      Math.floor(records.length / 3),
      (r, inMulti) => !inMulti && commandName(r) === 'SET' && r.args.every((a) => !a.includes('*') && !a.includes('#')),
    );
    const victimIndex = indexOf(records, victim);
    const damaged = Buffer.from(last.data);
    const secondArg = damaged.indexOf('\r\n$', victim.start + 4, 'latin1') + 2;
    damaged.write('~~~', secondArg, 'latin1');

    const dir = await makeTempDir('redback-fix-salvage-');
    const files = set.files.map((f, k) => ({ name: f.name, data: k === 2 ? damaged : f.data }));
    const manifestPath = await writeSet(dir, set.manifestName, set.manifest, files);
    const plan = await planFix(manifestPath, { salvage: true });
    expect(plan.mode).toBe('salvage');
    expect(plan.target?.name).toBe(last.name);
    const dropped = plan.target?.dropped ?? [];
    expect(dropped).toHaveLength(1);
    const range = dropped[0] as { start: number; end: number };
    // The dropped range covers the corrupt command and nothing after it.
    expect(range.start).toBeLessThanOrEqual(victim.start);
    expect(range.end).toBeGreaterThanOrEqual(victim.end);
    expect(commandsIn(records, 0, range.start).length + commandsIn(records, range.end, last.data.length).length).toBe(
      records.filter((r) => r.kind === 'command').length - 1,
    );
    expect(plan.droppedFiles).toEqual([]);
    expect(plan.target?.keep).toEqual([
      { start: 0, end: range.start },
      { start: range.end, end: damaged.length },
    ]);
    await applyFix(plan, { backupDir: await makeTempDir('redback-fix-salvage-backup-') });
    const repaired = await readFile(path.join(dir, nextName(set.manifest, last.name).name));
    expect(repaired.equals(Buffer.concat([last.data.subarray(0, victim.start), last.data.subarray(victim.end)]))).toBe(true);
    const check = await redisCheckAof(manifestPath);
    expect(check.code, check.stdout).toBe(0);

    // Same dataset as the file with the victim's bytes removed by hand, and not the one cut at the victim.
    const handDir = await makeTempDir('redback-fix-salvage-expected-');
    const without = Buffer.concat([last.data.subarray(0, victim.start), last.data.subarray(victim.end)]);
    await writeSet(handDir, set.manifestName, set.manifest, set.files.map((f, k) => ({ name: f.name, data: k === 2 ? without : f.data })));
    const cutDir = await makeTempDir('redback-fix-salvage-cut-');
    await writeSet(cutDir, set.manifestName, set.manifest, set.files.map((f, k) => ({ name: f.name, data: k === 2 ? last.data.subarray(0, victim.start) : f.data })));
    const [fixed, expected, cutOnly] = await Promise.all([loadAofDigest(dir), loadAofDigest(handDir), loadAofDigest(cutDir)]);
    expect(fixed.digest).toBe(expected.digest);
    expect(fixed.digest).not.toBe(cutOnly.digest);

    // Keys written after the corrupt command are there, with their values.
    let db = '0';
    for (const record of records.slice(0, victimIndex)) if (record.kind === 'command' && commandName(record) === 'SELECT') db = String(record.args[1]);
    const checks: { db: string; key: Buffer; value: Buffer }[] = [];
    for (const record of records.slice(victimIndex + 1)) {
      if (record.kind !== 'command') continue;
      if (commandName(record) === 'SELECT') db = String(record.args[1]);
      const key = record.args[1];
      if (commandName(record) === 'SET' && key && /^(ttl|binkey):/.test(key.toString('latin1'))) checks.push({ db, key, value: record.args[2] as Buffer });
    }
    expect(checks.length).toBeGreaterThan(2);
    const serverDir = await makeTempDir('redback-fix-salvage-load-');
    await mkdir(path.join(serverDir, 'appendonlydir'));
    await writeSet(path.join(serverDir, 'appendonlydir'), set.manifestName, await readFile(manifestPath, 'latin1'), set.files.map((f, k) => ({ name: k === 2 ? nextName(set.manifest, f.name).name : f.name, data: k === 2 ? repaired : f.data })));
    const server = await startRedis({
      dir: serverDir,
      appendonly: true,
      appenddirname: 'appendonlydir',
      appendfilename: 'appendonly.aof',
      extraConfig: { 'aof-load-truncated': 'no' },
    });
    try {
      for (const { db: n, key, value } of checks) {
        const [, got] = await server.callMany([['SELECT', n], ['GET', key]]);
        expect(Buffer.isBuffer(got) && got.equals(value), `${key.toString('latin1')} in db ${n}`).toBe(true);
      }
      await server.call('SELECT', '0');
    } finally {
      await server.stop();
    }
  });

  it('--salvage with a corrupt command inside MULTI/EXEC drops the whole transaction, never a part of it', async () => {
    // Redis applies a transaction entirely or not at all (the loader rolls back an unfinished MULTI). A
    // repaired AOF must not replay the intact commands of a transaction one of whose commands was lost.
    const set = respOnly;
    const last = set.files[2] as AofFile;
    const records = respRecords(last.data);
    const clean = (r: RespRecordSpan): boolean => r.args.every((a) => !a.includes('*') && !a.includes('#'));
    let block: RespRecordSpan[] | undefined;
    for (let k = 0; k < records.length && !block; k++) {
      const record = records[k] as RespRecordSpan;
      if (record.kind !== 'command' || commandName(record) !== 'MULTI') continue;
      const end = records.findIndex((r, j) => j > k && r.kind === 'command' && commandName(r) === 'EXEC');
      const candidate = records.slice(k, end + 1);
      if (end > k + 2 && candidate.every((r) => r.kind === 'command' && clean(r))) block = candidate;
    }
    if (!block) throw new Error('no MULTI block with two or more plain commands in the file');
    const multi = block[0] as RespRecordSpan;
    const exec = block.at(-1) as RespRecordSpan;
    const victim = block[2] as RespRecordSpan; // the second command inside the transaction
    const damaged = Buffer.from(last.data);
    damaged.write('~', victim.start + 1, 'latin1'); // "*3" → "~3": not a command header any more

    const dir = await makeTempDir('redback-fix-salvage-multi-');
    const manifestPath = await writeSet(dir, set.manifestName, set.manifest, set.files.map((f, k) => ({ name: f.name, data: k === 2 ? damaged : f.data })));
    const plan = await planFix(manifestPath, { salvage: true });
    await applyFix(plan, { noBackup: true });
    const repaired = await readFile(path.join(dir, nextName(set.manifest, last.name).name));
    const withoutBlock = Buffer.concat([last.data.subarray(0, multi.start), last.data.subarray(exec.end)]);
    const kept = (plan.target?.keep ?? []).map((r) => `${r.start}-${r.end}`).join(', ');
    expect(
      repaired.equals(withoutBlock),
      `transaction at ${multi.start}-${exec.end} (${block.map(commandName).join(' ')}), corrupt command at ${victim.start}; kept ranges ${kept}`,
    ).toBe(true);
    const handDir = await makeTempDir('redback-fix-salvage-multi-expected-');
    await writeSet(handDir, set.manifestName, set.manifest, set.files.map((f, k) => ({ name: f.name, data: k === 2 ? withoutBlock : f.data })));
    const [fixed, expected] = await Promise.all([loadAofDigest(dir), loadAofDigest(handDir)]);
    expect(fixed.digest).toBe(expected.digest);
  });

  it('CLI: fix --dry-run --json changes nothing and lists the dropped files; without --yes and no TTY it refuses (exit 2)', async () => {
    expect(build.code, `npx tsc -p tsconfig.build.json failed:\n${build.stdout}${build.stderr}`).toBe(0);
    const set = respOnly;
    const middle = set.files[1] as AofFile;
    const records = respRecords(middle.data);
    const keyed = ['SET', 'RPUSH', 'HSET', 'SADD', 'ZADD', 'INCRBY', 'XADD', 'SETRANGE', 'DEL', 'LPUSH', 'ZINCRBY', 'APPEND'];
    const victim = findCommand(records, Math.floor(records.length / 2), (r, inMulti) => !inMulti && keyed.includes(commandName(r)));
    // Cut inside the victim's last CRLF: its name and first key are readable, the command is not complete.
    const cut = victim.end - 1;
    // The last #TS before the victim: in the middle INCR, or else in the BASE (a RESP rewrite starts with one).
    const stampOf = (data: Buffer, until: number): number | null => {
      let last: number | null = null;
      for (const r of respRecords(data)) {
        if (r.start >= until) break;
        const m = r.kind === 'annotation' ? /^#TS:(\d+)\r\n$/.exec(data.toString('latin1', r.start, r.end)) : null;
        if (m) last = Number(m[1]);
      }
      return last;
    };
    const lastStamp = stampOf(middle.data, victim.start) ?? stampOf((set.files[0] as AofFile).data, Number.MAX_SAFE_INTEGER);
    expect(lastStamp).not.toBeNull();
    const dir = await makeTempDir('redback-fix-cli-');
    await writeSet(dir, set.manifestName, set.manifest, set.files.map((f, k) => ({ name: f.name, data: k === 1 ? middle.data.subarray(0, cut) : f.data })));
    const before = await snapshot(dir);

    const dry = await runTool('node', ['bin/run.js', 'fix', dir, '--dry-run', '--json'], { cwd: ROOT });
    expect(dry.code, dry.stderr).toBe(0);
    const json = JSON.parse(dry.stdout) as {
      dryRun: boolean;
      applied: boolean;
      targets: { name: string; keep: { start: number; end: number }[]; partial: unknown }[];
      droppedFiles: { name: string; commands: number }[];
      manifestRewritten: boolean;
      lastTimestampKept: number | null;
    };
    expect(json).toMatchObject({ dryRun: true, applied: false, manifestRewritten: true, lastTimestampKept: lastStamp });
    // The report names the partial command it drops: its name and first key.
    expect(json.targets[0]?.partial).toEqual({ offset: victim.start, command: commandName(victim), key: jsonBytes(victim.args[1] as Buffer), complete: false });
    const text = await runTool('node', ['bin/run.js', 'fix', dir, '--dry-run'], { cwd: ROOT });
    expect(text.stdout).toContain(`drops the partial command ${commandName(victim)} `);
    expect(text.stdout).toContain(`last #TS kept: `);
    expect(json.targets.map((t) => t.name)).toEqual([middle.name]);
    expect(json.targets[0]?.keep).toEqual([{ start: 0, end: loadablePrefix(records, cut) }]);
    expect(json.droppedFiles.map((f) => f.name)).toEqual([(set.files[2] as AofFile).name]);
    expect(await snapshot(dir)).toEqual(before);

    const refused = await runTool('node', ['bin/run.js', 'fix', dir], { cwd: ROOT });
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/refusing to change files without --yes/);
    expect(await snapshot(dir)).toEqual(before);

    // And with --yes it does the job.
    const backupDir = path.join(await makeTempDir('redback-fix-cli-backup-'), 'b');
    const applied = await runTool('node', ['bin/run.js', 'fix', dir, '--yes', '--json', '--backup-dir', backupDir], { cwd: ROOT });
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ applied: true, backupDir });
    const check = await redisCheckAof(path.join(dir, set.manifestName));
    expect(check.code, check.stdout).toBe(0);
    expect((await readFile(path.join(dir, nextName(set.manifest, middle.name).name))).equals(middle.data.subarray(0, loadablePrefix(records, cut)))).toBe(true);
  });
});
