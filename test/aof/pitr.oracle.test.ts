/**
 * Point-in-time recovery against a real redis-server: the 3 a.m. scenario.
 *
 * One server (`aof-timestamp-enabled yes`, RDB preamble) writes a workload, rewrites its AOF (RDB BASE + INCR),
 * writes more — a marker and its digest, a pause so that the next writes carry a later `#TS`, more writes, the
 * digest just before an accidental FLUSHALL, the FLUSHALL, more writes — then a BGREWRITEAOF whose child is
 * killed (Redis keeps the INCR it opened, so the FLUSHALL sits in the middle INCR of three files), then more
 * writes with a second marker. Then:
 * - `log --command FLUSHALL` finds exactly that command, with the file and offset an independent RESP splitter
 *   finds;
 * - `filter --drop-command FLUSHALL` loads with the digest of the set with those bytes removed by hand;
 * - `truncate --before-command FLUSHALL` loads with the digest taken just before the FLUSHALL;
 * - `truncate --to-timestamp T` loads with the digest recorded at T, for a T in the middle INCR and one in
 *   the last INCR;
 * - a cut inside a MULTI block goes before its MULTI, and a cut inside the RDB preamble is refused;
 * - the input is never modified without --in-place; with it, the backup restores the original byte for byte.
 */
// cspell:words appendonly appendonlydir appendfsync bgrewriteaof redback

import { cp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { applyAofEdit } from '../../src/operations/aof-edit.js';
import { planFilter } from '../../src/operations/filter.js';
import { logAof } from '../../src/operations/log.js';
import type { LogEntry } from '../../src/operations/log.js';
import { planTruncate } from '../../src/operations/truncate.js';
import { childPids, commandName, respRecords, sendInBatches, waitRewriteDone, workload, writeSet } from '../support/aof-sets.js';
import { describeWithRedis, loadAofDigest, makeTempDir, startRedis } from '../support/redis.js';
import { startFromAof } from '../support/workload.js';

const MANIFEST = 'appendonly.aof.manifest';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Scenario {
  dir: string;
  /** Files in load order: [BASE, middle INCR, last INCR]. */
  files: { name: string; data: Buffer }[];
  manifest: string;
  beforeFlush: string;
  /** Digests after each marker, and the marker's key. */
  markers: { key: string; digest: string }[];
}

/** Reads every file of a set directory (for "not modified" checks). */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) out.set(name, await readFile(path.join(dir, name)));
  return out;
}

describeWithRedis('point-in-time recovery of a set written by redis-server', () => {
  let s: Scenario;

  beforeAll(async () => {
    const work = await makeTempDir('redback-pitr-server-');
    const server = await startRedis({
      dir: work,
      appendonly: true,
      appenddirname: 'appendonlydir',
      appendfilename: 'appendonly.aof',
      extraConfig: { 'aof-use-rdb-preamble': 'yes', 'aof-timestamp-enabled': 'yes', appendfsync: 'always', 'auto-aof-rewrite-percentage': '0' },
    });
    const markers: { key: string; digest: string }[] = [];
    const mark = async (key: string): Promise<void> => {
      await server.callMany([['SELECT', '15'], ['SET', key, '1']]);
      markers.push({ key, digest: await server.digest() });
      await sleep(1100); // the next write carries a later #TS
    };
    let beforeFlush: string;
    try {
      await sendInBatches(server, workload(901, 150, 'a'), 2, 300);
      await server.call('BGREWRITEAOF');
      await waitRewriteDone(server);
      await sendInBatches(server, workload(902, 120, 'b'), 2, 300);
      await mark('marker:1');
      await sendInBatches(server, workload(903, 120, 'c'), 2, 300);
      beforeFlush = await server.digest();
      await server.call('FLUSHALL');
      await sendInBatches(server, workload(904, 80, 'd'), 1, 0);
      // A rewrite whose child is killed: Redis keeps the INCR it opened.
      await server.call('CONFIG', 'SET', 'rdb-key-save-delay', '1000000');
      await server.call('BGREWRITEAOF');
      let killed = false;
      for (let tries = 0; tries < 500 && !killed; tries++) {
        for (const child of await childPids(server.pid)) {
          process.kill(child, 'SIGKILL');
          killed = true;
        }
        if (!killed) await sleep(10);
      }
      expect(killed).toBe(true);
      await waitRewriteDone(server);
      await server.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
      await sendInBatches(server, workload(905, 100, 'e'), 2, 300);
      await mark('marker:2');
      await sendInBatches(server, workload(906, 60, 'f'), 1, 0);
    } finally {
      await server.stop();
    }
    const aofDir = path.join(work, 'appendonlydir');
    const manifest = await readFile(path.join(aofDir, MANIFEST), 'latin1');
    const files: { name: string; data: Buffer }[] = [];
    for (const line of manifest.split('\n')) {
      const match = /^file (\S+) seq \d+ type [bi]$/.exec(line);
      if (match) files.push({ name: match[1] as string, data: await readFile(path.join(aofDir, match[1] as string)) });
    }
    expect(files.length, manifest).toBe(3);
    s = { dir: aofDir, files, manifest, beforeFlush, markers };
  }, 60_000);

  /** A fresh copy of the set (inside a parent directory of its own, for the backup beside it). */
  async function copySet(): Promise<string> {
    const parent = await makeTempDir('redback-pitr-copy-');
    const dir = path.join(parent, 'appendonlydir');
    await mkdir(dir);
    await writeSet(dir, MANIFEST, s.manifest, s.files);
    return dir;
  }

  /** Where the FLUSHALL is, found by the independent splitter. */
  function flushAt(): { file: number; start: number; end: number } {
    const found: { file: number; start: number; end: number }[] = [];
    s.files.forEach((f, file) => {
      if (f.data.subarray(0, 5).toString('latin1') === 'REDIS') return;
      for (const r of respRecords(f.data)) if (r.kind === 'command' && commandName(r) === 'FLUSHALL') found.push({ file, start: r.start, end: r.end });
    });
    expect(found.length).toBe(1);
    return found[0] as { file: number; start: number; end: number };
  }

  it('the FLUSHALL is in the middle INCR; log --command FLUSHALL finds exactly it', async () => {
    const at = flushAt();
    expect(at.file).toBe(1);
    const entries: LogEntry[] = [];
    await logAof(s.dir, { commands: ['FLUSHALL'] }, (e) => entries.push(e));
    expect(entries.map((e) => [e.file, e.offset, e.length, e.command])).toEqual([[s.files[1]?.name, at.start, at.end - at.start, 'FLUSHALL']]);
  });

  it('filter --drop-command FLUSHALL loads like the set with those bytes removed by hand; the input is only read', async () => {
    const at = flushAt();
    const dir = await copySet();
    const before = await snapshot(dir);
    const plan = await planFilter(dir, { dropCommands: ['flushall'] });
    expect(plan.removed.commands).toBe(1);
    expect(plan.removed.byName).toEqual([{ command: 'FLUSHALL', count: 1 }]);
    expect(plan.flushWarning?.flushes).toBe(1);
    const out = path.join(await makeTempDir('redback-pitr-out-'), 'filtered');
    await applyAofEdit(plan, { out, purpose: 'test' });
    expect(await snapshot(dir)).toEqual(before);

    const byHand = await makeTempDir('redback-pitr-hand-');
    const middle = s.files[1] as { name: string; data: Buffer };
    const edited = s.files.map((f) => (f === middle ? { name: f.name, data: Buffer.concat([f.data.subarray(0, at.start), f.data.subarray(at.end)]) } : f));
    await writeSet(byHand, MANIFEST, s.manifest, edited);
    const [ours, theirs, original] = await Promise.all([loadAofDigest(out), loadAofDigest(byHand), loadAofDigest(dir)]);
    expect(ours.digest).toBe(theirs.digest);
    expect(ours.digest).not.toBe(original.digest);
    expect(ours.keys).toBeGreaterThan(original.keys);
  });

  it('truncate --before-command FLUSHALL loads with the digest taken just before the FLUSHALL', async () => {
    const dir = await copySet();
    const plan = await planTruncate(dir, { kind: 'command', command: 'FLUSHALL' });
    expect(plan.cut?.file).toBe(s.files[1]?.name);
    expect(plan.cut?.offset).toBe(flushAt().start);
    expect(plan.droppedFiles).toEqual([s.files[2]?.name]);
    const out = path.join(await makeTempDir('redback-pitr-out-'), 'cut');
    await applyAofEdit(plan, { out, purpose: 'test' });
    expect((await loadAofDigest(out)).digest).toBe(s.beforeFlush);
  });

  it('truncate --to-timestamp T loads with the digest recorded at T (a cut in the middle INCR and one in the last)', async () => {
    for (const [k, marker] of s.markers.entries()) {
      // T: one second before the first #TS after the marker command.
      const file = s.files[k + 1] as { name: string; data: Buffer };
      const records = respRecords(file.data);
      const markerAt = records.findIndex((r) => r.kind === 'command' && r.args[1]?.toString('latin1') === marker.key);
      expect(markerAt).toBeGreaterThan(0);
      const next = records.slice(markerAt).find((r) => r.kind === 'annotation');
      const ts = Number(/^#TS:(\d+)/.exec(file.data.toString('latin1', next?.start, next?.end))?.[1]);
      expect(ts).toBeGreaterThan(0);
      const plan = await planTruncate(s.dir, { kind: 'timestamp', timestamp: ts - 1 });
      expect(plan.cut?.file).toBe(file.name);
      expect(plan.cut?.offset).toBe(next?.start);
      const out = path.join(await makeTempDir('redback-pitr-out-'), 'cut');
      await applyAofEdit(plan, { out, purpose: 'test' });
      expect((await loadAofDigest(out)).digest, `marker ${marker.key}`).toBe(marker.digest);
    }
  });

  it('a cut inside a MULTI block goes before its MULTI; the RDB preamble can only be cut at its end', async () => {
    const middle = s.files[1] as { name: string; data: Buffer };
    const records = respRecords(middle.data);
    const multi = records.find((r) => r.kind === 'command' && commandName(r) === 'MULTI');
    if (!multi) throw new Error('the workload wrote no MULTI');
    const inside = records[records.indexOf(multi) + 1] as { start: number };
    const plan = await planTruncate(s.dir, { kind: 'offset', file: middle.name, offset: inside.start });
    expect(plan.cut?.offset).toBe(multi.start);
    expect(plan.cut?.movedBeforeMulti).toBe(true);
    const out = path.join(await makeTempDir('redback-pitr-out-'), 'cut');
    await applyAofEdit(plan, { out, purpose: 'test' });
    const byHand = await makeTempDir('redback-pitr-hand-');
    await writeSet(byHand, MANIFEST, s.manifest.split('\n').filter((l) => !l.includes(s.files[2]?.name as string)).join('\n'), [s.files[0] as { name: string; data: Buffer }, { name: middle.name, data: middle.data.subarray(0, multi.start) }]);
    expect((await loadAofDigest(out)).digest).toBe((await loadAofDigest(byHand)).digest);

    const base = s.files[0] as { name: string; data: Buffer };
    await expect(planTruncate(s.dir, { kind: 'offset', file: base.name, offset: 100 })).rejects.toThrow(/inside the RDB preamble.*only its end is a boundary/);
    // The end of the RDB BASE is a boundary: the INCR files leave, the BASE stays as it is.
    const atEnd = await planTruncate(s.dir, { kind: 'offset', file: base.name, offset: base.data.length });
    expect(atEnd.droppedFiles).toEqual([s.files[1]?.name, s.files[2]?.name]);
  });

  it('--in-place edits the set crash-safely and keeps a backup that restores the original byte for byte', async () => {
    const dir = await copySet();
    const before = await snapshot(dir);
    const plan = await planTruncate(dir, { kind: 'command', command: 'FLUSHALL' });
    const result = await applyAofEdit(plan, { inPlace: true, purpose: 'test' });
    expect(path.dirname(result.backupDir as string)).toBe(path.dirname(dir));
    expect((await loadAofDigest(dir)).digest).toBe(s.beforeFlush);
    // Restore: the backup holds the old manifest and every file that left; the kept files are still there.
    const backup = await snapshot(result.backupDir as string);
    expect([...backup.keys()].sort()).toEqual([MANIFEST, s.files[1]?.name, s.files[2]?.name].sort());
    for (const [name, data] of backup) expect(data.equals(before.get(name) as Buffer), name).toBe(true);
    await rm(path.join(dir, (result.written[0] as string).split('/').pop() as string));
    await cp(result.backupDir as string, dir, { recursive: true });
    expect(await snapshot(dir)).toEqual(before);
  });

  it('filter --db 0 and --exclude-key load like the original set with the other databases flushed or the keys deleted', async () => {
    // The original, loaded, then changed by hand through the server.
    const server = await startFromAof(s.dir);
    let onlyDb0: string;
    let withoutE: string;
    try {
      const all = await server.digest();
      for (let db = 0; db < 16; db++) {
        await server.call('SELECT', String(db));
        let cursor = '0';
        do {
          const [next, keys] = (await server.call('SCAN', cursor, 'MATCH', '*:e:*', 'COUNT', '1000')) as [Buffer, Buffer[]];
          cursor = next.toString();
          if (keys.length > 0) await server.call('DEL', ...keys);
        } while (cursor !== '0');
      }
      withoutE = await server.digest();
      expect(withoutE).not.toBe(all);
    } finally {
      await server.stop();
    }
    const again = await startFromAof(s.dir);
    try {
      for (let db = 1; db < 16; db++) await again.callMany([['SELECT', String(db)], ['FLUSHDB']]);
      onlyDb0 = await again.digest();
    } finally {
      await again.stop();
    }
    for (const [options, expected] of [
      [{ db: 0 }, onlyDb0],
      [{ excludeKeys: ['*:e:*'] }, withoutE],
    ] as const) {
      const plan = await planFilter(s.dir, options);
      expect(plan.mixedCount).toBe(0);
      expect(plan.removed.commands).toBeGreaterThan(0);
      const out = path.join(await makeTempDir('redback-pitr-out-'), 'filtered');
      await applyAofEdit(plan, { out, purpose: 'test' });
      expect((await loadAofDigest(out)).digest, JSON.stringify(options)).toBe(expected);
    }
  });
});
