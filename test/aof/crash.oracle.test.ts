/**
 * `fix` killed at every step: a process killed at any instant leaves the old set or the new one, never a mix,
 * and running the same command again finishes the job.
 *
 * The set is written by a real redis-server (RDB BASE + INCR files; the last INCR is split in two at a command
 * boundary, so there are three INCR files), then its middle INCR is cut inside a command. `redback fix --yes`
 * runs as a child process with REDBACK_CRASH_AT_STEP=N, which makes it SIGKILL itself just before its Nth
 * file-system change (creating, writing, renaming, moving, removing a file or directory), for N = 1, 2, … until
 * a run finishes on its own: every step of the edit — the journal, the new file, the backup of the old
 * manifest, the manifest rename (the commit), each move to the backup, the journal's removal — is a kill point.
 * After each kill:
 * - the directory holds the old set byte for byte (the manifest and every file it names), and redis-server
 *   (`aof-load-truncated no`) refuses it exactly as it refuses the damaged original; or it holds the new set
 *   byte for byte, and redis-server loads it with the digest of the set repaired by hand; nothing else;
 * - the same command run again exits 0 and leaves exactly the new set: no journal, no temporary or stray file,
 *   every original in the backup directory (beside the AOF directory), byte for byte.
 * Both with the default backup directory and with --no-backup.
 */
// cspell:words appendonly appendonlydir crashfix redback

import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { commandName, generateServerAof, loadablePrefix, respRecords, writeSet, type AofFile } from '../support/aof-sets.js';
import { buildCli, filesOf, holds as holdsState, namesIn, runRedback, type CliRun, type SetState } from '../support/crash-driver.js';
import { RedisStartError, describeWithRedis, loadAofDigest, makeTempDir } from '../support/redis.js';

const MANIFEST = 'appendonly.aof.manifest';

const runFix = (args: string[], crashAt?: number): Promise<CliRun> => runRedback(['fix', ...args], crashAt);

function holds(found: Map<string, Buffer>, state: SetState): boolean {
  return holdsState(found, state, MANIFEST);
}

/** Loads a set directory; the digest, or the first line of the server's complaint. */
async function load(dir: string): Promise<{ digest: string } | { refused: string }> {
  try {
    return { digest: (await loadAofDigest(dir)).digest };
  } catch (error) {
    if (!(error instanceof RedisStartError)) throw error;
    const line = error.log.split('\n').find((l) => /Unexpected end of file|Bad file format|truncated/i.test(l)) ?? error.message;
    return { refused: line.replace(/^\d+:[A-Z] [^*#]*[*#] /, '') };
  }
}

describeWithRedis('fix killed at every step leaves the old set or the new one, and a rerun finishes the job', () => {
  let oldSet: SetState;
  let newSet: SetState;
  let oldRefusal: string;
  let newDigest: string;
  /** Names: the cut INCR, the INCR after it, and the new file the fix writes. */
  let cutName: string;
  let laterName: string;
  let newName: string;

  beforeAll(async () => {
    const [generated, build] = await Promise.all([
      generateServerAof({ label: 'crashfix', preamble: true, timestamps: false, seed: 77, perPhase: 150, pauseMs: 0 }),
      buildCli(),
    ]);
    expect(build.code, `build failed:\n${build.stdout}${build.stderr}`).toBe(0);
    // BASE + INCR a + INCR b from the server; b is split at a command boundary outside MULTI into b1 + b2.
    const [base, a, b] = generated.files as [AofFile, AofFile, AofFile];
    const records = respRecords(b.data);
    let inMulti = false;
    let split = 0;
    for (const record of records) {
      if (record.kind === 'command' && commandName(record) === 'MULTI') inMulti = true;
      if (!inMulti && record.end >= b.data.length / 2) {
        split = record.end;
        break;
      }
      if (record.kind === 'command' && commandName(record) === 'EXEC') inMulti = false;
    }
    expect(split).toBeGreaterThan(0);
    const seqOf = (name: string): number => Number(/\.(\d+)\.incr\.aof$/.exec(name)?.[1]);
    const bSeq = seqOf(b.name);
    const b2Name = `appendonly.aof.${bSeq + 1}.incr.aof`;
    const b1 = b.data.subarray(0, split);
    const b2 = b.data.subarray(split);
    // The middle INCR (b1) is cut inside its last command that is not SELECT, MULTI or EXEC.
    const b1Records = respRecords(b1);
    const victim = b1Records.findLast((r) => r.kind === 'command' && !['SELECT', 'MULTI', 'EXEC'].includes(commandName(r)));
    if (!victim) throw new Error('no command to cut in the middle INCR');
    const cut = victim.start + Math.ceil((victim.end - victim.start) / 2);
    const damaged = b1.subarray(0, cut);
    const prefix = loadablePrefix(b1Records, cut);
    cutName = b.name;
    laterName = b2Name;
    newName = `appendonly.aof.${bSeq + 2}.incr.aof`;

    const baseLine = `file ${base.name} seq ${String(/\.(\d+)\.base\./.exec(base.name)?.[1])} type b\n`;
    const line = (name: string): string => `file ${name} seq ${seqOf(name)} type i\n`;
    oldSet = {
      manifest: baseLine + line(a.name) + line(cutName) + line(laterName),
      files: new Map([[base.name, base.data], [a.name, a.data], [cutName, damaged], [laterName, b2]]),
    };
    newSet = {
      manifest: baseLine + line(a.name) + line(newName),
      files: new Map([[base.name, base.data], [a.name, a.data], [newName, b1.subarray(0, prefix)]]),
    };

    // The intact four-file set loads (so the split is a set Redis accepts); the damaged one is refused; the
    // expected new state is a set cut by hand.
    const intact = await makeTempDir('redback-crash-intact-');
    await writeSet(intact, MANIFEST, oldSet.manifest, [...oldSet.files].map(([name, data]) => ({ name, data: name === cutName ? b1 : data })));
    const damagedDir = await makeTempDir('redback-crash-damaged-');
    await writeSet(damagedDir, MANIFEST, oldSet.manifest, [...oldSet.files].map(([name, data]) => ({ name, data })));
    const fixedDir = await makeTempDir('redback-crash-expected-');
    await writeSet(fixedDir, MANIFEST, newSet.manifest, [...newSet.files].map(([name, data]) => ({ name, data })));
    const [whole, refused, fixed] = await Promise.all([load(intact), load(damagedDir), load(fixedDir)]);
    expect('digest' in whole, JSON.stringify(whole)).toBe(true);
    expect('refused' in refused, 'redis-server refuses a set whose middle INCR is cut').toBe(true);
    expect('digest' in fixed).toBe(true);
    oldRefusal = (refused as { refused: string }).refused;
    newDigest = (fixed as { digest: string }).digest;
    expect(newDigest).not.toBe((whole as { digest: string }).digest);
  }, 240_000);

  /**
   * One kill point: a fresh copy of the damaged set, `fix` killed before its `step`th change, the checks, the
   * rerun and its checks. Resolves to 'old' or 'new' (the state the kill left), or 'done' when the run had
   * fewer steps and finished on its own.
   */
  async function killPoint(variant: 'backup' | 'no-backup', step: number): Promise<'old' | 'new' | 'done'> {
    const flags = ['--yes', ...(variant === 'no-backup' ? ['--no-backup'] : [])];
    const parent = await makeTempDir(`redback-crash-${variant}-${step}-`);
    const dir = path.join(parent, 'appendonlydir');
    await mkdir(dir);
    await writeSet(dir, MANIFEST, oldSet.manifest, [...oldSet.files].map(([name, data]) => ({ name, data })));

    const killed = await runFix([dir, ...flags], step);
    let state: 'old' | 'new' | 'done';
    if (killed.signal === null) {
      expect(killed.code, killed.stderr).toBe(0);
      expect(holds(await filesOf(dir), newSet)).toBe(true);
      state = 'done';
    } else {
      expect(killed.signal, `step ${step}: ${killed.stderr}`).toBe('SIGKILL');
      // Old or new, never anything else, and redis-server agrees.
      const found = await filesOf(dir);
      const isOld = holds(found, oldSet);
      const isNew = holds(found, newSet);
      expect(isOld || isNew, `step ${step}: the directory holds neither the old set nor the new one: ${[...found.keys()].join(', ')}`).toBe(true);
      expect(await load(dir), `step ${step}`).toEqual(isOld ? { refused: oldRefusal } : { digest: newDigest });
      state = isOld ? 'old' : 'new';
      // The same command again finishes the job.
      const rerun = await runFix([dir, ...flags]);
      expect(rerun.code, `step ${step}: rerun: ${rerun.stdout}${rerun.stderr}`).toBe(0);
    }
    const after = await filesOf(dir);
    expect(holds(after, newSet), `step ${step}: after the rerun`).toBe(true);
    expect([...after.keys()].sort(), `step ${step}: nothing but the set is left`).toEqual([MANIFEST, ...namesIn(newSet.manifest)].sort());
    const besides = (await readdir(parent)).filter((name) => name !== 'appendonlydir');
    if (variant === 'no-backup') {
      expect(besides, `step ${step}`).toEqual([]);
    } else {
      expect(besides.length, `step ${step}: one backup directory beside the AOF directory: ${besides.join(', ')}`).toBe(1);
      expect(besides[0]).toMatch(/^appendonlydir\.redback-backup-\d{8}T\d{6}Z(-\d+)?$/);
      const backup = await filesOf(path.join(parent, besides[0] as string));
      expect([...backup.keys()].sort(), `step ${step}`).toEqual([MANIFEST, cutName, laterName].sort());
      expect(backup.get(MANIFEST)?.toString('latin1')).toBe(oldSet.manifest);
      for (const name of [cutName, laterName]) expect(backup.get(name)?.equals(oldSet.files.get(name) as Buffer), `step ${step}: backup of ${name}`).toBe(true);
    }
    return state;
  }

  for (const variant of ['backup', 'no-backup'] as const) {
    it(`every kill point, ${variant === 'backup' ? 'default backup directory' : '--no-backup'}`, async () => {
      // Kill points run three at a time; the first run that finishes on its own marks the end.
      const points: string[] = [];
      let total: number | undefined;
      for (let first = 1; total === undefined && first < 60; first += 3) {
        const steps = [first, first + 1, first + 2];
        const states = await Promise.all(steps.map((step) => killPoint(variant, step)));
        states.forEach((state, k) => {
          if (state === 'done') total ??= (steps[k] as number) - 1;
          else points.push(`${steps[k]}:${state}`);
        });
      }
      expect(total, 'a run finished on its own').toBeGreaterThan(5);
      expect(points.length).toBe(total);
      // Both sides of the commit were hit.
      expect(points.filter((p) => p.endsWith('old')).length, points.join(' ')).toBeGreaterThan(2);
      expect(points.filter((p) => p.endsWith('new')).length, points.join(' ')).toBeGreaterThan(1);
      console.log(`fix crash test (${variant}): ${points.length} kill points (${points.join(' ')})`);
    }, 300_000);
  }
});
