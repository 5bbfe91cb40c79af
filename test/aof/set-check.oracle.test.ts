/**
 * Differential test: `checkAof` on whole AOF sets (multi-part with a manifest, and old-style single files)
 * must give redis-check-aof 7.0's verdict, and for every file redis-check-aof analyzed the same size,
 * ok_up_to, ok_up_to_line and diff.
 *
 * The sets are written by real redis-servers (a few hundred mixed writes per server: several dbs, MULTI/EXEC,
 * binary values, TTLs, streams), one with `aof-use-rdb-preamble yes` (BASE is an .rdb) and one without
 * (BASE is RESP), both with `aof-timestamp-enabled yes`. Each server does a successful BGREWRITEAOF and
 * then one whose child is killed, so its manifest lists BASE + two INCR files. The old-style single files
 * are BASE + INCR + INCR concatenated, which is exactly what a pre-7 AOF (with or without RDB preamble)
 * looks like.
 *
 * Variants: every file of every set cut at command boundaries (sampled), at random offsets, and with
 * single flipped bytes. Damage to the first or a middle file is what makes multi-part checking differ
 * from single-file checking.
 *
 * Documented behaviour of redis-check-aof (asserted below): a truncated file that is not the last one gets
 * the same "not valid" verdict (exit 1) as a truncated last file; only `--fix` tells them apart ("Failed to
 * truncate AOF ... because it is not the last file"). Our report then adds a finding to `problems`, but the
 * verdict stays the same, so exit 0 ⇔ report.valid holds without exception.
 */
// cspell:words appendonly appendonlydir redback

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkAof, type AofCheckReport, type AofFileVerdict } from '../../src/operations/check-aof.js';
import { generateServerAof, respRecords, seededRandom, writeSet, type AofFile, type GeneratedAof } from '../support/aof-sets.js';
import { REMOVE, describeWithRedis, makeTempDir, runTool } from '../support/redis.js';

// ---------------------------------------------------------------------------------------------
// redis-check-aof's output

interface ToolFile {
  status: 'analyzed' | 'empty' | 'rdb-not-sane';
  name?: string;
  size?: number;
  okUpTo?: number;
  okUpToLine?: number;
  diff?: number;
}

interface ToolView {
  code: number | null;
  files: ToolFile[];
  text: string;
}

async function redisCheckAof(target: string, args: readonly string[] = []): Promise<ToolView> {
  const result = await runTool('redis-check-aof', [...args, target], { timeoutMs: 30_000 });
  const text = result.stdout + result.stderr;
  const files: ToolFile[] = [];
  for (const line of text.split('\n')) {
    const analyzed = /^AOF analyzed: filename=(.*), size=(\d+), ok_up_to=(\d+), ok_up_to_line=(\d+), diff=(\d+)$/.exec(line);
    if (analyzed) {
      files.push({
        status: 'analyzed',
        name: path.basename(analyzed[1] as string),
        size: Number(analyzed[2]),
        okUpTo: Number(analyzed[3]),
        okUpToLine: Number(analyzed[4]),
        diff: Number(analyzed[5]),
      });
      continue;
    }
    const empty = /^(?:BASE AOF|INCR AOF|AOF) (.*) is empty$/.exec(line);
    if (empty) files.push({ status: 'empty', name: path.basename(empty[1] as string) });
    // The RDB checker either returns ("not sane") or, for some errors found by the loader, exits right away.
    else if (line === 'RDB preamble of AOF file is not sane, aborting.' || line.endsWith('# Terminating server after rdb file reading failure.')) {
      files.push({ status: 'rdb-not-sane' });
    }
  }
  return { code: result.code, files, text };
}

/** Every way our report differs from redis-check-aof's output (empty when they agree). */
function compare(theirs: ToolView, ours: AofCheckReport): string[] {
  const problems: string[] = [];
  if ((theirs.code === 0) !== ours.valid) problems.push(`verdict: redis-check-aof exit ${String(theirs.code)}, ours valid=${String(ours.valid)}`);
  if (ours.error) problems.push(`ours could not resolve the set: ${ours.error.message}`);
  if (theirs.files.length !== ours.files.length) {
    problems.push(`files checked: redis-check-aof ${theirs.files.length} [${theirs.files.map((f) => `${f.name ?? '?'}:${f.status}`).join(', ')}], ours ${ours.files.length} [${ours.files.map((f) => f.name).join(', ')}]; redis-check-aof ended with:\n${theirs.text.trimEnd().split('\n').slice(-6).join('\n')}`);
  }
  theirs.files.forEach((tool, k) => {
    const mine = ours.files[k] as AofFileVerdict | undefined;
    if (!mine) return;
    if (tool.name !== undefined && tool.name !== path.basename(mine.name)) problems.push(`file ${k}: redis-check-aof ${tool.name}, ours ${mine.name}`);
    if (tool.status === 'empty') {
      if (mine.kind !== 'empty' || !mine.valid) problems.push(`${mine.name}: redis-check-aof says empty, ours kind=${mine.kind} valid=${String(mine.valid)}`);
    } else if (tool.status === 'rdb-not-sane') {
      if (mine.valid || mine.rdb?.error === undefined) problems.push(`${mine.name}: redis-check-aof says the RDB preamble is not sane, ours valid=${String(mine.valid)} kind=${mine.kind} error=${JSON.stringify(mine.error)}`);
    } else {
      const want = { size: tool.size, okUpTo: tool.okUpTo, okUpToLine: tool.okUpToLine, diff: tool.diff };
      const got = { size: mine.size, okUpTo: mine.okUpTo, okUpToLine: mine.okUpToLine, diff: mine.diff };
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        problems.push(`${mine.name}: redis-check-aof ${JSON.stringify(want)}, ours ${JSON.stringify(got)} (ours: kind=${mine.kind}, error=${JSON.stringify(mine.error)})`);
      }
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Sets and their variants

interface SourceSet {
  label: string;
  layout: 'multipart' | 'single';
  manifestName: string;
  manifest: string;
  files: AofFile[];
  /** Where the RESP part of each file starts (after an RDB preamble; the whole file for an .rdb BASE). */
  respStart: number[];
}

interface Variant {
  set: SourceSet;
  name: string;
  /** Which file is replaced, and by what. */
  fileIndex: number;
  data: Buffer;
}

const isRdb = (data: Buffer): boolean => data.length >= 5 && data.toString('latin1', 0, 5) === 'REDIS';

function multipartSet(generated: GeneratedAof): SourceSet {
  return {
    label: `${generated.label}/multipart`,
    layout: 'multipart',
    manifestName: generated.manifestName,
    manifest: generated.manifest,
    files: generated.files,
    respStart: generated.files.map((f) => (isRdb(f.data) ? f.data.length : 0)),
  };
}

function singleSet(generated: GeneratedAof): SourceSet {
  const base = generated.files[0] as AofFile;
  return {
    label: `${generated.label}/single`,
    layout: 'single',
    manifestName: '',
    manifest: '',
    files: [{ name: 'appendonly.aof', role: 'single', data: Buffer.concat(generated.files.map((f) => f.data)) }],
    respStart: [isRdb(base.data) ? base.data.length : 0],
  };
}

/** Cuts at record boundaries (sampled), random cuts and flipped bytes of one file of a set. */
function variantsOf(set: SourceSet, fileIndex: number, seed: number): Variant[] {
  const random = seededRandom(seed);
  const file = set.files[fileIndex] as AofFile;
  const data = file.data;
  const respStart = set.respStart[fileIndex] as number;
  const out: Variant[] = [];
  const label = `${set.label} ${file.name}`;
  const cut = (at: number, why: string): void => {
    if (at >= 0 && at < data.length) out.push({ set, fileIndex, name: `${label} cut@${at} (${why})`, data: data.subarray(0, at) });
  };
  // Record boundaries of the RESP part: every one (the generated files hold a few hundred commands; past
  // 600, 600 spread out plus the first and last 3).
  const boundaries = respRecords(data, respStart).map((r) => r.start);
  const picked = new Set<number>();
  const step = Math.max(1, boundaries.length / 600);
  for (let k = 0; k < boundaries.length; k += step) picked.add(boundaries[Math.floor(k)] as number);
  for (const b of [...boundaries.slice(0, 3), ...boundaries.slice(-3)]) picked.add(b);
  for (const at of picked) cut(at, 'boundary');
  cut(0, 'empty');
  if (respStart > 0) {
    // Inside the RDB preamble: its tail (checksum, EOF opcode) and exactly at its end.
    for (const back of [1, 2, 8, 9, 10]) cut(respStart - back, 'in RDB tail');
    if (respStart < data.length) cut(respStart, 'RDB end');
  }
  // Random cuts. Files starting with REDIS are cut at 8 or more bytes: shorter cuts are their own test below.
  const low = isRdb(data) ? 8 : 1;
  for (let k = 0; k < 20; k++) cut(low + Math.floor(random() * (data.length - low)), 'random');
  for (let k = 0; k < 20; k++) {
    const copy = Buffer.from(data);
    const at = Math.floor(random() * copy.length);
    copy[at] = (copy[at] as number) ^ (1 + Math.floor(random() * 255));
    out.push({ set, fileIndex, name: `${label} flip@${at}`, data: copy });
  }
  return out;
}

async function materialize(variant: { set: SourceSet; fileIndex: number; data: Buffer }, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const files = variant.set.files.map((f, k) => ({ name: f.name, data: k === variant.fileIndex ? variant.data : f.data }));
  if (variant.set.layout === 'single') {
    const only = files[0] as { name: string; data: Buffer };
    const target = path.join(dir, only.name);
    await writeFile(target, only.data);
    return target;
  }
  return writeSet(dir, variant.set.manifestName, variant.set.manifest, files);
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Cases run at once: each is mostly waiting for a redis-check-aof process or file I/O. */
const CONCURRENCY = 8;

// ---------------------------------------------------------------------------------------------

describeWithRedis('checkAof agrees with redis-check-aof on AOF sets written by redis-server', () => {
  let work = '';
  let sets: SourceSet[] = [];
  /** Set when the suite ends (even after a timeout): the cases still queued are not started. */
  let ended = false;
  afterAll(() => {
    ended = true;
  });

  beforeAll(async () => {
    work = await makeTempDir('redback-set-check-');
    const [withPreamble, respOnly] = await Promise.all([
      generateServerAof({ label: 'preamble', preamble: true, timestamps: true, seed: 11, perPhase: 150, pauseMs: 550 }),
      generateServerAof({ label: 'resp', preamble: false, timestamps: true, seed: 22, perPhase: 150, pauseMs: 550 }),
    ]);
    sets = [multipartSet(withPreamble), singleSet(withPreamble), multipartSet(respOnly), singleSet(respOnly)];
  }, 60_000);

  it('the generated sets are what the cases need', async () => {
    const [preambleSet, preambleSingle, respSet, respSingle] = sets as [SourceSet, SourceSet, SourceSet, SourceSet];
    expect(preambleSet.files.map((f) => f.role)).toEqual(['base', 'incr', 'incr']);
    expect(preambleSet.files[0]?.name).toMatch(/\.base\.rdb$/);
    expect(respSet.files[0]?.name).toMatch(/\.base\.aof$/);
    expect(isRdb(preambleSingle.files[0]?.data as Buffer)).toBe(true);
    expect(isRdb(respSingle.files[0]?.data as Buffer)).toBe(false);
    for (const set of sets) {
      for (const [k, file] of set.files.entries()) {
        const records = respRecords(file.data, set.respStart[k]);
        const names = new Set(records.map((r) => (r.kind === 'annotation' ? '#' : (r.args[0] ?? Buffer.alloc(0)).toString('latin1').toUpperCase())));
        if (file.role === 'incr' || file.role === 'single') {
          // Transactions, db switches and #TS: annotations all reach the files under test.
          expect([...names], `${set.label} ${file.name}`).toEqual(expect.arrayContaining(['MULTI', 'EXEC', 'SELECT', '#']));
        }
      }
      // The originals are valid to both.
      const target = await materialize({ set, fileIndex: 0, data: set.files[0]?.data as Buffer }, path.join(work, `orig-${set.label.replace('/', '-')}`));
      const theirs = await redisCheckAof(target);
      const ours = await checkAof(target);
      expect(theirs.code, theirs.text).toBe(0);
      expect(compare(theirs, ours)).toEqual([]);
      if (set.layout === 'multipart') {
        expect(ours.files.map((f) => f.okUpToLine)).toEqual(theirs.files.map((f) => f.okUpToLine));
        // The directory resolves to the same set and the same report.
        const byDir = await checkAof(path.dirname(target));
        expect(byDir.files.map((f) => [f.name, f.okUpTo, f.okUpToLine])).toEqual(ours.files.map((f) => [f.name, f.okUpTo, f.okUpToLine]));
      }
    }
  });

  it('same verdict, and per analyzed file the same size, ok_up_to, ok_up_to_line and diff, on cut and flipped files', async () => {
    const started = Date.now();
    const variants: Variant[] = [];
    sets.forEach((set, s) => set.files.forEach((_, k) => variants.push(...variantsOf(set, k, 1000 * (s + 1) + k))));
    const mismatches: string[] = [];
    let compared = 0;
    let invalid = 0;
    let truncatedMiddle = 0;
    let toolMs = 0;
    let oursMs = 0;
    const byLocation = new Map<string, number>();
    await pool(variants, CONCURRENCY, async (variant, index) => {
      if (ended) throw new Error('the suite ended (timed out?) before this case ran');
      const dir = path.join(work, `case-${index}`);
      const target = await materialize(variant, dir);
      const t0 = performance.now();
      const theirs = await redisCheckAof(target);
      const t1 = performance.now();
      const ours = await checkAof(target);
      const t2 = performance.now();
      toolMs += t1 - t0;
      oursMs += t2 - t1;
      await rm(dir, REMOVE);
      compared++;
      if (!ours.valid) invalid++;
      const position = variant.set.layout === 'single' ? 'single' : variant.fileIndex === variant.set.files.length - 1 ? 'last' : variant.fileIndex === 0 ? 'base' : 'middle';
      byLocation.set(position, (byLocation.get(position) ?? 0) + 1);
      if (ours.problems.some((p) => p.includes('is truncated but is not the last file'))) {
        truncatedMiddle++;
        // redis-check-aof's verdict for a truncated middle file is the ordinary "not valid" (or, for a cut in
        // an RDB preamble, "not sane"), exit 1: the same as for a truncated last file.
        const said = theirs.text.includes('is not valid. Use the --fix option') || theirs.files.at(-1)?.status === 'rdb-not-sane';
        if (theirs.code !== 1 || !said) mismatches.push(`${variant.name}: truncated non-last file, redis-check-aof said:\n${theirs.text}`);
      }
      for (const problem of compare(theirs, ours)) mismatches.push(`${variant.name}: ${problem}`);
    });
    const summary = `${compared} cases (${[...byLocation].map(([k, v]) => `${k} ${v}`).join(', ')}), ${invalid} invalid, ${truncatedMiddle} truncated non-last files, ${mismatches.length} mismatches, ${((Date.now() - started) / 1000).toFixed(1)} s`;
    console.log(`[set-check] ${summary}; summed over cases: redis-check-aof ${(toolMs / 1000).toFixed(1)} s, checkAof ${(oursMs / 1000).toFixed(1)} s`);
    expect(mismatches.slice(0, 25), summary).toEqual([]);
    expect(compared).toBeGreaterThan(500);
    expect(invalid).toBeGreaterThan(200);
    expect(truncatedMiddle).toBeGreaterThan(10);
  }, 400_000);

  it('a truncated middle INCR: redis-check-aof --fix refuses ("not the last file"), ours reports it under problems', async () => {
    const set = sets[2] as SourceSet; // RESP BASE + 2 INCR
    const middle = set.files[1] as AofFile;
    const records = respRecords(middle.data);
    const victim = records[Math.floor(records.length / 2)];
    if (!victim) throw new Error('no record to cut');
    const cutAt = victim.start + Math.max(1, Math.floor((victim.end - victim.start) / 2));
    const dir = path.join(work, 'middle-fix');
    const target = await materialize({ set, fileIndex: 1, data: middle.data.subarray(0, cutAt) }, dir);
    const plain = await redisCheckAof(target);
    const fix = await redisCheckAof(target, ['--fix']);
    const ours = await checkAof(target);
    expect(plain.code).toBe(1);
    expect(plain.text).toContain(`AOF ${middle.name} is not valid. Use the --fix option to try fixing it.`);
    expect(fix.code).toBe(1);
    expect(fix.text).toContain(`Failed to truncate AOF ${middle.name} because it is not the last file`);
    expect(compare(plain, ours)).toEqual([]);
    expect(ours.valid).toBe(false);
    expect(ours.files.map((f) => f.valid)).toEqual([true, false]); // both stop at the broken file
    expect(ours.problems).toEqual([expect.stringContaining(`${middle.name} is truncated but is not the last file`)]);
  });

  it('a file of 5 to 7 bytes that starts with REDIS is RESP to redis-check-aof (it needs 8 bytes to take a file for an RDB)', async () => {
    const set = sets[0] as SourceSet; // BASE .rdb + 2 INCR
    const base = set.files[0] as AofFile;
    const mismatches: string[] = [];
    for (const layout of ['multipart', 'single'] as const) {
      for (const size of [5, 6, 7]) {
        const source = layout === 'multipart' ? set : (sets[1] as SourceSet);
        const dir = path.join(work, `short-${layout}-${size}`);
        const target = await materialize({ set: source, fileIndex: 0, data: base.data.subarray(0, size) }, dir);
        const theirs = await redisCheckAof(target);
        const ours = await checkAof(target);
        // redis-check-aof: "AOF <name> format error", then ok_up_to=0, diff=<size>.
        expect(theirs.text).toContain('format error');
        expect(theirs.files[0]).toMatchObject({ status: 'analyzed', okUpTo: 0, okUpToLine: 1, diff: size });
        for (const problem of compare(theirs, ours)) mismatches.push(`${layout} cut@${size}: ${problem}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
