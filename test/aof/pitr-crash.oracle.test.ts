/**
 * `truncate --in-place` and `filter --in-place` killed at every step (the driver of the fix crash test): a
 * process killed at any instant leaves the old set or the new one, never a mix, and the same command run
 * again finishes the job.
 *
 * The set is written by a real redis-server (RDB BASE + two INCR files). The new set each command makes is
 * the one an uninterrupted run makes on a copy; redis-server loads the old set with its digest and the new one
 * with the digest of the uninterrupted result. After each kill the directory holds exactly one of the two, and
 * the rerun leaves exactly the new set, with the originals byte for byte in one backup directory beside the
 * AOF directory.
 */
// cspell:words appendonly appendonlydir pitrcrash redback

import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { generateServerAof, respRecords, writeSet, type GeneratedAof } from '../support/aof-sets.js';
import { buildCli, filesOf, holds, namesIn, runRedback, type SetState } from '../support/crash-driver.js';
import { describeWithRedis, loadAofDigest, makeTempDir } from '../support/redis.js';

const MANIFEST = 'appendonly.aof.manifest';

describeWithRedis('truncate and filter killed at every step leave the old set or the new one', () => {
  let generated: GeneratedAof;
  let oldSet: SetState;
  let oldDigest: string;

  beforeAll(async () => {
    let build;
    [generated, build] = await Promise.all([
      generateServerAof({ label: 'pitrcrash', preamble: true, timestamps: true, seed: 78, perPhase: 120, pauseMs: 700, batches: 4 }),
      buildCli(),
    ]);
    expect(build.code, `build failed:\n${build.stdout}${build.stderr}`).toBe(0);
    oldSet = { manifest: generated.manifest, files: new Map(generated.files.map((f) => [f.name, f.data])) };
    const dir = await makeTempDir('redback-pitr-crash-old-');
    await writeSet(dir, MANIFEST, generated.manifest, generated.files);
    oldDigest = (await loadAofDigest(dir)).digest;
  }, 240_000);

  /** A fresh copy of the old set in `<parent>/appendonlydir`. */
  async function freshSet(label: string): Promise<{ parent: string; dir: string }> {
    const parent = await makeTempDir(`redback-pitr-crash-${label}-`);
    const dir = path.join(parent, 'appendonlydir');
    await mkdir(dir);
    await writeSet(dir, MANIFEST, generated.manifest, generated.files);
    return { parent, dir };
  }

  async function crashTest(label: string, args: (dir: string) => string[]): Promise<void> {
    // The new set: what an uninterrupted run makes.
    const reference = await freshSet(`${label}-ref`);
    const done = await runRedback(args(reference.dir));
    expect(done.code, done.stdout + done.stderr).toBe(0);
    const after = await filesOf(reference.dir);
    const newManifest = after.get(MANIFEST)?.toString('latin1') as string;
    const newSet: SetState = { manifest: newManifest, files: new Map(namesIn(newManifest).map((n) => [n, after.get(n) as Buffer])) };
    expect(newManifest).not.toBe(generated.manifest);
    const newDigest = (await loadAofDigest(reference.dir)).digest;
    expect(newDigest).not.toBe(oldDigest);
    const retired = namesIn(generated.manifest).filter((n) => !namesIn(newManifest).includes(n));

    const killPoint = async (step: number): Promise<'old' | 'new' | 'done'> => {
      const { parent, dir } = await freshSet(`${label}-${step}`);
      const killed = await runRedback(args(dir), step);
      let state: 'old' | 'new' | 'done';
      if (killed.signal === null) {
        expect(killed.code, killed.stderr).toBe(0);
        state = 'done';
      } else {
        expect(killed.signal, `step ${step}: ${killed.stderr}`).toBe('SIGKILL');
        const found = await filesOf(dir);
        const isOld = holds(found, oldSet);
        const isNew = holds(found, newSet);
        expect(isOld || isNew, `step ${step}: neither the old set nor the new one: ${[...found.keys()].join(', ')}`).toBe(true);
        expect((await loadAofDigest(dir)).digest, `step ${step}`).toBe(isOld ? oldDigest : newDigest);
        state = isOld ? 'old' : 'new';
        const rerun = await runRedback(args(dir));
        expect(rerun.code, `step ${step}: rerun: ${rerun.stdout}${rerun.stderr}`).toBe(0);
      }
      const final = await filesOf(dir);
      expect(holds(final, newSet), `step ${step}: after the rerun`).toBe(true);
      expect([...final.keys()].sort(), `step ${step}: nothing but the set is left`).toEqual([MANIFEST, ...namesIn(newManifest)].sort());
      const besides = (await readdir(parent)).filter((name) => name !== 'appendonlydir');
      expect(besides.length, `step ${step}: one backup directory beside the AOF directory: ${besides.join(', ')}`).toBe(1);
      const backup = await filesOf(path.join(parent, besides[0] as string));
      expect([...backup.keys()].sort(), `step ${step}`).toEqual([MANIFEST, ...retired].sort());
      for (const [name, data] of backup) expect(data.equals(name === MANIFEST ? Buffer.from(generated.manifest, 'latin1') : (oldSet.files.get(name) as Buffer)), `step ${step}: backup of ${name}`).toBe(true);
      return state;
    };

    const points: string[] = [];
    let total: number | undefined;
    for (let first = 1; total === undefined && first < 60; first += 3) {
      const steps = [first, first + 1, first + 2];
      const states = await Promise.all(steps.map((step) => killPoint(step)));
      states.forEach((state, k) => {
        if (state === 'done') total ??= (steps[k] as number) - 1;
        else points.push(`${steps[k]}:${state}`);
      });
    }
    expect(total, 'a run finished on its own').toBeGreaterThan(5);
    expect(points.length).toBe(total);
    expect(points.filter((p) => p.endsWith('old')).length, points.join(' ')).toBeGreaterThan(2);
    expect(points.filter((p) => p.endsWith('new')).length, points.join(' ')).toBeGreaterThan(1);
    console.log(`${label} crash test: ${points.length} kill points (${points.join(' ')})`);
  }

  it('truncate --to-timestamp (a cut in the middle INCR) --in-place', async () => {
    // T: one second before the last #TS of the middle INCR that is not at its start (each phase spans more than
    // two seconds); a rerun on the new set finds nothing to cut.
    const middle = generated.files[1] as { name: string; data: Buffer };
    const stamps = respRecords(middle.data)
      .filter((r) => r.kind === 'annotation' && r.start > 0)
      .map((r) => Number(/^#TS:(\d+)/.exec(middle.data.toString('latin1', r.start, r.end))?.[1]));
    expect(stamps.length, 'the middle INCR has a #TS after its start').toBeGreaterThan(0);
    const ts = (stamps.at(-1) as number) - 1;
    await crashTest('truncate', (dir) => ['truncate', dir, '--to-timestamp', String(ts), '--in-place', '--yes']);
  }, 300_000);

  it('filter --drop-command INCRBY --in-place', async () => {
    await crashTest('filter', (dir) => ['filter', dir, '--drop-command', 'INCRBY', '--in-place', '--yes']);
  }, 300_000);

  it('CLI: plan, --dry-run --json, refusals and exit codes; the input is only read without --in-place', async () => {
    const { dir } = await freshSet('cli');
    const before = await filesOf(dir);
    // Exactly one cut rule; --output or --in-place.
    expect((await runRedback(['truncate', dir, '-o', `${dir}.out`, '--yes'])).code).toBe(2);
    expect((await runRedback(['truncate', dir, '--before-command', 'INCRBY', '--to-timestamp', '1', '-o', `${dir}.out`, '--yes'])).code).toBe(2);
    expect((await runRedback(['truncate', dir, '--before-command', 'INCRBY', '--yes'])).code).toBe(2);
    // Without a terminal and without --yes: refused, exit 2.
    const refused = await runRedback(['filter', dir, '--drop-command', 'INCRBY', '-o', `${dir}.out`]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/without --yes/);
    // --dry-run --json: the plan, nothing written.
    const dry = await runRedback(['truncate', dir, '--before-command', 'INCRBY', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const json = JSON.parse(dry.stdout) as { dryRun: boolean; applied: boolean; plan: { cut: { file: string }; removed: { byName: { command: string }[]; commands: number } } };
    expect(json).toMatchObject({ dryRun: true, applied: false });
    expect(json.plan.removed.commands).toBeGreaterThan(0);
    expect(json.plan.removed.byName.map((n) => n.command)).toContain('INCRBY');
    // The text plan says what is lost before anything is written.
    const text = await runRedback(['filter', dir, '--drop-command', 'INCRBY', '-o', `${dir}.filtered`, '--yes']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/dropped: [\d,]+ commands, [\d,]+ bytes/);
    expect(text.stdout).toMatch(/by command: INCRBY ×/);
    expect((await loadAofDigest(`${dir}.filtered`)).digest).not.toBe(oldDigest);
    // A mixed command stops the run (exit 1) and is listed.
    const small = path.join(path.dirname(dir), 'small.aof');
    await writeFile(small, '*5\r\n$4\r\nMSET\r\n$5\r\nstr:1\r\n$1\r\na\r\n$5\r\nbin:1\r\n$1\r\nb\r\n*3\r\n$3\r\nSET\r\n$5\r\nstr:2\r\n$1\r\nc\r\n');
    const mixed = await runRedback(['filter', small, '--exclude-key', 'str:*', '-o', `${small}.out`, '--yes']);
    expect(mixed.code, mixed.stdout + mixed.stderr).toBe(1);
    expect(mixed.stdout).toMatch(/MSET {2}kept: bin:1 {2}dropped: str:1/);
    expect(mixed.stderr).toMatch(/--mixed keep/);
    const dropWhole = await runRedback(['filter', small, '--exclude-key', 'str:*', '--mixed', 'drop', '-o', `${small}.out`, '--yes']);
    expect(dropWhole.code, dropWhole.stderr).toBe(0);
    expect((await readFile(`${small}.out`)).length).toBe(0);
    // A command that is not there: exit 1.
    expect((await runRedback(['truncate', dir, '--before-command', 'NOSUCHCOMMAND', '-o', `${dir}.none`, '--yes'])).code).toBe(1);
    expect(await filesOf(dir)).toEqual(before);
  }, 120_000);
});
