/**
 * `truncate --to-timestamp` cuts byte for byte where `redis-check-aof --truncate-to-timestamp` does (run on a
 * copy), for every `#TS` value T of files a real redis-server wrote (T and T - 1): single RESP AOFs, a single
 * AOF with an RDB preamble, and the last file of multi-part sets (the only file Redis's tool cuts). Where Redis
 * refuses (nothing before the first annotation), redback refuses too; where it cuts nothing, so does redback.
 */
// cspell:words appendonly redback ttaresp ttapre

import { copyFile, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { CorruptError } from '../../src/errors.js';
import { applyAofEdit } from '../../src/operations/aof-edit.js';
import { planTruncate } from '../../src/operations/truncate.js';
import { generateServerAof, respRecords, writeSet, type GeneratedAof } from '../support/aof-sets.js';
import { describeWithRedis, makeTempDir, runTool } from '../support/redis.js';

/** The distinct `#TS:` values of a file. */
function timestampsOf(data: Buffer): number[] {
  const values = new Set<number>();
  const from = data.subarray(0, 5).toString('latin1') === 'REDIS' ? rdbEnd(data) : 0;
  for (const record of respRecords(data, from)) {
    const match = record.kind === 'annotation' ? /^#TS:(\d+)\r\n$/.exec(data.toString('latin1', record.start, record.end)) : null;
    if (match) values.add(Number(match[1]));
  }
  return [...values].sort((a, b) => a - b);
}

/** Where the RESP part of an RDB-preamble AOF starts: after the EOF opcode and the 8-byte checksum. */
function rdbEnd(data: Buffer): number {
  // The RESP tail of a preamble AOF starts with '*' or '#' right after the RDB; the RDB ends with 0xff + 8 bytes.
  for (let at = data.indexOf(0xff); at >= 0; at = data.indexOf(0xff, at + 1)) {
    const next = at + 9;
    if (next === data.length || (next < data.length && (data[next] === 0x2a || data[next] === 0x23))) {
      try {
        respRecords(data, next);
        return next;
      } catch {
        // not the end of the RDB
      }
    }
  }
  throw new Error('no end of the RDB preamble found');
}

/** What redis-check-aof made of a copy: its exit code and the file's bytes after it. */
async function redisCut(source: string, ts: number): Promise<{ code: number | null; data: Buffer; out: string }> {
  const dir = await makeTempDir('redback-tta-redis-');
  const copy = path.join(dir, path.basename(source));
  await copyFile(source, copy);
  const run = await runTool('redis-check-aof', ['--truncate-to-timestamp', String(ts), copy]);
  return { code: run.code, data: await readFile(copy), out: run.stdout };
}

/** What redback makes of it: 'refused', 'nothing', or the bytes written. */
async function ourCut(source: string, ts: number): Promise<'refused' | 'nothing' | Buffer> {
  let plan;
  try {
    plan = await planTruncate(source, { kind: 'timestamp', timestamp: ts });
  } catch (error) {
    if (error instanceof CorruptError && /nothing would be left/.test(error.message)) return 'refused';
    throw error;
  }
  if (!plan.changed) return 'nothing';
  const out = path.join(await makeTempDir('redback-tta-ours-'), 'cut.aof');
  await applyAofEdit(plan, { out, purpose: 'test' });
  return readFile(out);
}

describeWithRedis('truncate --to-timestamp agrees with redis-check-aof --truncate-to-timestamp', () => {
  let resp: GeneratedAof;
  let preamble: GeneratedAof;

  beforeAll(async () => {
    [resp, preamble] = await Promise.all([
      generateServerAof({ label: 'ttaresp', preamble: false, timestamps: true, seed: 31, perPhase: 80, pauseMs: 550, batches: 4 }),
      generateServerAof({ label: 'ttapre', preamble: true, timestamps: true, seed: 32, perPhase: 80, pauseMs: 550, batches: 4 }),
    ]);
  }, 60_000);

  it('single files: every INCR file alone, a RESP BASE alone, and an RDB-preamble AOF', async () => {
    const dir = await makeTempDir('redback-tta-single-');
    const singles: string[] = [];
    for (const set of [resp, preamble]) {
      for (const file of set.files) {
        if (file.data.subarray(0, 5).toString('latin1') === 'REDIS') continue;
        const p = path.join(dir, `${set.label}-${file.name}`);
        await writeSet(dir, `${set.label}-${file.name}.unused`, '', [{ name: path.basename(p), data: file.data }]);
        singles.push(p);
      }
      // BASE + first INCR as one file: an old-style AOF (with an RDB preamble for the preamble set).
      const joined = path.join(dir, `${set.label}-joined.aof`);
      await writeSet(dir, `${set.label}-joined.unused`, '', [{ name: path.basename(joined), data: Buffer.concat([set.files[0]?.data as Buffer, set.files[1]?.data as Buffer]) }]);
      singles.push(joined);
    }
    let compared = 0;
    let cuts = 0;
    for (const file of singles) {
      const data = await readFile(file);
      const values = timestampsOf(data);
      expect(values.length, file).toBeGreaterThan(0);
      for (const value of values) {
        for (const ts of [value - 1, value]) {
          const [theirs, ours] = await Promise.all([redisCut(file, ts), ourCut(file, ts)]);
          const label = `${path.basename(file)} T=${ts}`;
          if (theirs.code !== 0) {
            expect(theirs.out, label).toMatch(/has nothing before timestamp/);
            expect(ours, label).toBe('refused');
          } else if (!/Successfully truncated/.test(theirs.out)) {
            expect(ours, label).toBe('nothing');
          } else {
            expect(Buffer.isBuffer(ours) && ours.equals(theirs.data), label).toBe(true);
            cuts++;
          }
          compared++;
        }
      }
    }
    expect(cuts).toBeGreaterThan(5);
    console.log(`truncate --to-timestamp vs redis-check-aof, single files: ${compared} cuts compared (${cuts} that cut)`);
  }, 120_000);

  it('the last file of multi-part sets (RESP BASE and RDB BASE)', async () => {
    let cuts = 0;
    for (const set of [resp, preamble]) {
      const last = set.files.at(-1) as { name: string; data: Buffer };
      const earlier = Math.max(0, ...set.files.slice(0, -1).flatMap((f) => timestampsOf(f.data)));
      for (const value of timestampsOf(last.data)) {
        for (const ts of [value - 1, value]) {
          if (ts < earlier) continue; // Redis's tool refuses cuts before the last file
          const label = `${set.label} T=${ts}`;
          const redisDir = await makeTempDir('redback-tta-set-redis-');
          const manifestPath = await writeSet(redisDir, set.manifestName, set.manifest, set.files);
          const run = await runTool('redis-check-aof', ['--truncate-to-timestamp', String(ts), manifestPath]);
          expect(run.code, `${label}: ${run.stdout}`).toBe(0);
          const ourDir = await makeTempDir('redback-tta-set-input-');
          const plan = await planTruncate(await writeSet(ourDir, set.manifestName, set.manifest, set.files), { kind: 'timestamp', timestamp: ts });
          if (!/Successfully truncated/.test(run.stdout)) {
            expect(plan.changed, label).toBe(false);
            continue;
          }
          expect(plan.cut?.file, label).toBe(last.name);
          const out = path.join(await makeTempDir('redback-tta-set-ours-'), 'set');
          await applyAofEdit(plan, { out, purpose: 'test' });
          const names = (await readdir(out)).filter((n) => !n.endsWith('.manifest')).sort();
          expect(names.length, label).toBe(set.files.length);
          const ourLast = names.find((n) => n.endsWith(`.${set.files.length - 1}.incr.aof`)) as string;
          expect((await readFile(path.join(out, ourLast))).equals(await readFile(path.join(redisDir, last.name))), label).toBe(true);
          cuts++;
        }
      }
    }
    expect(cuts).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
