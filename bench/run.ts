/**
 * `npm run bench`: generates (once) a ≥ 256 MiB RDB and a ≥ 256 MiB AOF with a real redis-server, then
 * times redback against redis-check-rdb / redis-check-aof on them and checks the targets.
 *
 * Flags: --regenerate (rebuild bench/.cache), --runs N (default 2, best kept), --profile (one extra
 * `node --cpu-prof` run of each redback tool, hottest functions printed), --no-huge (skip the huge-value
 * rows of bench/huge.ts; also REDBACK_BENCH_NO_HUGE=1).
 * Always exits 0 once the measurements are done (it is a report); missed targets are printed as MISS.
 */
// cspell:words cpuprofile appendonly redback

import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATOR_VERSION, MIB, MIN_SIZE, generateAof, generateRdb } from './generate.js';
import type { AofInfo, RdbInfo } from './generate.js';
import { AOF_SET_INCR_FILES, AOF_SET_VERSION, generateAofSet } from './generate-aof-set.js';
import type { AofSetInfo } from './generate-aof-set.js';
import { TIME_BINARY, haveTimeBinary, measure } from './measure.js';
import type { RunResult } from './measure.js';
import { ensureHugeInputs } from './huge.js';
import type { HugeInput } from './huge.js';
import { convertPairs } from './convert-rdb.js';
import { hottestFunctions } from './profile.js';
import { cleanupPitr, ensurePitrInput, pitrPairs } from './pitr.js';
import { STARTUP_TARGET_SECONDS, benchStartup } from './startup.js';
import { convertPairs as convertFormatPairs } from './convert.js';
import type { StartupRow } from './startup.js';
import type { HotFunction } from './profile.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = path.join(ROOT, 'bench', '.cache');
const RDB = path.join(CACHE, 'bench.rdb');
const AOF = path.join(CACHE, 'bench.aof');
const META = path.join(CACHE, 'meta.json');
const RESULTS = path.join(CACHE, 'results.json');
/** Where the convert rows write their outputs (overwritten by each run). */
const CONVERT_OUT = path.join(CACHE, 'convert');
const RSS_LIMIT_MIB = 128;

const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// Flags

interface Flags {
  regenerate: boolean;
  runs: number;
  profile: boolean;
  startupOnly: boolean;
  /** Measure the huge-value inputs too (default; --no-huge or REDBACK_BENCH_NO_HUGE=1 skips them). */
  huge: boolean;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { regenerate: false, runs: 2, profile: false, startupOnly: false, huge: process.env['REDBACK_BENCH_NO_HUGE'] === undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--regenerate') flags.regenerate = true;
    else if (arg === '--profile') flags.profile = true;
    else if (arg === '--startup-only') flags.startupOnly = true;
    else if (arg === '--no-huge') flags.huge = false;
    else if (arg === '--runs') flags.runs = Math.max(1, Number(argv[++i] ?? '2') || 2);
    else if (arg === '--help' || arg === '-h') {
      log('usage: npm run bench [-- --regenerate] [-- --runs N] [-- --profile] [-- --startup-only] [-- --no-huge]');
      process.exit(0);
    } else throw new Error(`unknown flag ${String(arg)} (try --help)`);
  }
  return flags;
}

// ---------------------------------------------------------------------------------------------
// Inputs

interface Meta {
  version: number;
  rdb?: RdbInfo;
  aof?: AofInfo;
  aofSet?: AofSetInfo;
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

async function ensureInputs(flags: Flags): Promise<Meta> {
  await mkdir(CACHE, { recursive: true });
  let meta: Meta = { version: GENERATOR_VERSION };
  try {
    const stored = JSON.parse(await readFile(META, 'utf8')) as Meta;
    if (stored.version === GENERATOR_VERSION) meta = stored;
  } catch {
    // no cache yet
  }
  const rdbSize = await fileSize(RDB);
  if (flags.regenerate || rdbSize === undefined || rdbSize < MIN_SIZE || meta.rdb?.size !== rdbSize) {
    log(`generating ${path.relative(ROOT, RDB)} ...`);
    meta.rdb = await generateRdb(RDB, log);
    await writeFile(META, `${JSON.stringify(meta, null, 2)}\n`);
    log(`  -> ${path.relative(ROOT, RDB)}: ${(meta.rdb.size / MIB).toFixed(1)} MiB, ${meta.rdb.keys} keys, in ${meta.rdb.seconds.toFixed(1)} s`);
  } else {
    log(`using cached ${path.relative(ROOT, RDB)} (${(rdbSize / MIB).toFixed(1)} MiB, ${meta.rdb.keys} keys; --regenerate to rebuild)`);
  }
  const aofSize = await fileSize(AOF);
  if (flags.regenerate || aofSize === undefined || aofSize < MIN_SIZE || meta.aof?.size !== aofSize) {
    log(`generating ${path.relative(ROOT, AOF)} ...`);
    meta.aof = await generateAof(AOF, log);
    await writeFile(META, `${JSON.stringify(meta, null, 2)}\n`);
    log(`  -> ${path.relative(ROOT, AOF)}: ${(meta.aof.size / MIB).toFixed(1)} MiB, ${meta.aof.commands} commands (${meta.aof.bigValues} values of 100 KiB-2 MiB, ${meta.aof.transactions} MULTI/EXEC), in ${meta.aof.seconds.toFixed(1)} s`);
  } else {
    log(`using cached ${path.relative(ROOT, AOF)} (${(aofSize / MIB).toFixed(1)} MiB, ${meta.aof.commands} commands; --regenerate to rebuild)`);
  }
  return meta;
}

/** Reads a file once so every tool finds it in the page cache. */
async function warm(file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file, { highWaterMark: 4 * MIB });
    stream.on('data', () => undefined);
    stream.on('end', resolve);
    stream.on('error', reject);
  });
}

function findBinary(name: string): string {
  for (const directory of ['/usr/bin', ...(process.env.PATH ?? '').split(path.delimiter)]) {
    if (directory !== '' && existsSync(path.join(directory, name))) return path.join(directory, name);
  }
  throw new Error(`${name} not found (install Debian's redis-tools / redis-server)`);
}

// ---------------------------------------------------------------------------------------------
// The comparisons

interface Tool {
  label: string;
  binary: string;
  args: string[];
  discardStdout?: boolean;
}

interface Pair {
  id: string;
  file: string;
  size: number;
  redback: Tool;
  baseline: Tool;
  /** redback must be this many times as fast as the baseline (0: no speed target). */
  speedTarget: number;
  /** How the target is shown (default "≥<speedTarget>x, <128 MiB"). */
  targetText?: string;
  /** Measured and shown for information, not judged (no target of an issue). */
  informational?: boolean;
  note?: string;
}

interface Summary {
  tool: string;
  command: string;
  seconds: number;
  /** Best user + system CPU seconds (undefined without /usr/bin/time). */
  cpuSeconds: number | undefined;
  mbPerSecond: number;
  peakRssMiB: number;
  allExitedZero: boolean;
  runs: { seconds: number; cpuSeconds: number | undefined; peakRssMiB: number; exitCode: number | null; signal: string | null; loadAverage: number }[];
}

type TimedRun = RunResult & { loadAverage: number };

function summarize(tool: Tool, runs: TimedRun[], size: number): Summary {
  const seconds = Math.min(...runs.map((run) => run.seconds));
  const cpu = runs.map((run) => run.cpuSeconds).filter((value) => value !== undefined);
  return {
    tool: tool.label,
    command: runs[0]?.command ?? '',
    seconds,
    cpuSeconds: cpu.length === 0 ? undefined : Math.min(...cpu),
    mbPerSecond: size / 1e6 / seconds,
    // Peak RSS is nearly deterministic: the worst run is reported, to be safe against the limit.
    peakRssMiB: Math.max(...runs.map((run) => run.peakRssKiB)) / 1024,
    allExitedZero: runs.every((run) => run.exitCode === 0),
    runs: runs.map((run) => ({
      seconds: run.seconds,
      cpuSeconds: run.cpuSeconds,
      peakRssMiB: run.peakRssKiB / 1024,
      exitCode: run.exitCode,
      signal: run.signal,
      loadAverage: run.loadAverage,
    })),
  };
}

/** Does `redback check` take an AOF? Tried on a tiny valid one. */
async function cliChecksAof(): Promise<{ ok: boolean; said: string }> {
  const probe = path.join(CACHE, 'probe.aof');
  await writeFile(probe, '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n');
  const run = await measure(process.execPath, ['bin/run.js', 'check', probe], { cwd: ROOT });
  await rm(probe, { force: true });
  const said = `${run.stdout}${run.stderr}`.trim().split('\n').slice(0, 3).join(' / ');
  return { ok: run.exitCode === 0, said: `exit ${run.exitCode ?? run.signal}: ${said}` };
}

function firstLine(text: string): string {
  return text.trim().split('\n').filter((line) => line.trim() !== '').slice(-1)[0]?.slice(0, 160) ?? '';
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function printTable(rows: string[][], rightAligned: Set<number>): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  rows.forEach((row, index) => {
    log(row.map((cell, i) => pad(cell, widths[i] ?? 0, rightAligned.has(i))).join(' | '));
    if (index === 0) log(rule);
  });
}

async function profileRun(pair: Pair): Promise<{ file: string; totalMs: number; top: HotFunction[] } | undefined> {
  const dir = path.join(CACHE, 'profiles', pair.id);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const run = await measure(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...pair.redback.args], {
    cwd: ROOT,
    discardStdout: pair.redback.discardStdout === true,
  });
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  const file = files[0];
  if (file === undefined) {
    log(`  ${pair.id}: no profile written (exit ${run.exitCode ?? run.signal})`);
    return undefined;
  }
  const full = path.join(dir, file);
  return { file: path.relative(ROOT, full), ...(await hottestFunctions(full, ROOT)) };
}

// ---------------------------------------------------------------------------------------------
// Huge values (issue 7, §3): one value or one key far larger than the memory redback may use.

/** redback may take up to this many times the baseline's time on the huge RDBs. */
const HUGE_SLOWDOWN = 1.5;

/**
 * The rows of the huge inputs: check and inspect --json of each RDB against redis-check-rdb (within 1.5x of
 * its time, < 128 MiB), and inspect --json of the 1 GiB AOF (< 128 MiB; redis-check-aof's time shown beside
 * it, no speed target).
 */
function hugePairs(inputs: HugeInput[], redisCheckRdb: string, redisCheckAof: string): Pair[] {
  const pairs: Pair[] = [];
  const within = `within ${HUGE_SLOWDOWN}x, <${RSS_LIMIT_MIB} MiB`;
  for (const input of inputs) {
    const file = path.relative(ROOT, input.file);
    const common = { file, size: input.size, note: input.what };
    if (input.id === 'aof') {
      pairs.push({
        ...common,
        id: 'huge-aof-inspect',
        redback: { label: 'redback inspect --json', binary: process.execPath, args: ['bin/run.js', 'inspect', file, '--json'], discardStdout: true },
        baseline: { label: 'redis-check-aof', binary: redisCheckAof, args: [file] },
        speedTarget: 0,
        targetText: `<${RSS_LIMIT_MIB} MiB`,
      });
      continue;
    }
    const baseline = { label: 'redis-check-rdb', binary: redisCheckRdb, args: [file] };
    pairs.push(
      {
        ...common,
        id: `huge-${input.id}-check`,
        redback: { label: 'redback check', binary: process.execPath, args: ['bin/run.js', 'check', file] },
        baseline,
        speedTarget: 1 / HUGE_SLOWDOWN,
        targetText: within,
      },
      {
        ...common,
        id: `huge-${input.id}-inspect`,
        redback: { label: 'redback inspect --json', binary: process.execPath, args: ['bin/run.js', 'inspect', file, '--json'], discardStdout: true },
        baseline,
        speedTarget: 1 / HUGE_SLOWDOWN,
        targetText: within,
      },
    );
  }
  return pairs;
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// A multi-part AOF of 1 BASE + 100,000 INCR files (issue 7, §3): check and inspect within 2x of
// redis-check-aof's time on the same set, under 128 MiB.

const AOF_SET = path.join(CACHE, 'aof-set');

/** Makes the set when it is missing, incomplete or from another generator version (a few minutes, once). */
async function ensureAofSet(flags: Flags, meta: Meta): Promise<AofSetInfo> {
  const stored = meta.aofSet;
  let complete = false;
  if (!flags.regenerate && stored?.version === AOF_SET_VERSION && existsSync(path.join(AOF_SET, 'appendonly.aof.manifest'))) {
    complete = (await readdir(AOF_SET)).length === stored.incrFiles + 2;
  }
  if (complete && stored) {
    log(`using cached ${path.relative(ROOT, AOF_SET)}/ (1 BASE + ${stored.incrFiles} INCR files, ${(stored.bytes / MIB).toFixed(1)} MiB; --regenerate to rebuild)`);
    return stored;
  }
  log(`generating ${path.relative(ROOT, AOF_SET)}/ (1 BASE + ${AOF_SET_INCR_FILES} INCR files; redis-server loads it once to confirm) ...`);
  const info = await generateAofSet(AOF_SET, log);
  meta.aofSet = info;
  await writeFile(META, `${JSON.stringify(meta, null, 2)}\n`);
  log(`  -> ${info.commands} commands, ${info.keys} keys, ${(info.bytes / MIB).toFixed(1)} MiB in ${info.incrFiles + 2} files, in ${info.seconds.toFixed(1)} s`);
  return info;
}

/** The set's rows: `check` and `inspect --json` of the set beside redis-check-aof on its manifest. */
function aofSetPairs(info: AofSetInfo, redisCheckAof: string): Pair[] {
  const dir = path.relative(ROOT, AOF_SET);
  const manifest = path.join(dir, 'appendonly.aof.manifest');
  // Both sides print a line per file; the output goes to /dev/null for both.
  const baseline: Tool = { label: 'redis-check-aof', binary: redisCheckAof, args: [manifest], discardStdout: true };
  const common = { file: dir, size: info.bytes, baseline, speedTarget: 0.5 };
  return [
    { ...common, id: 'aofset-check', redback: { label: 'redback check (100k-file set)', binary: process.execPath, args: ['bin/run.js', 'check', dir], discardStdout: true } },
    { ...common, id: 'aofset-inspect', redback: { label: 'redback inspect --json (100k set)', binary: process.execPath, args: ['bin/run.js', 'inspect', dir, '--json'], discardStdout: true } },
  ];
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  log(`redback bench: node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`);
  const redisCheckRdb = findBinary('redis-check-rdb');
  const redisCheckAof = findBinary('redis-check-aof');
  if (!existsSync(path.join(ROOT, 'dist', 'commands', 'check.js'))) throw new Error('dist/commands/check.js missing: run npm run build first');
  const startup = startupSection();
  if (flags.startupOnly) {
    await writeFile(RESULTS.replace(/results\.json$/, 'startup.json'), `${JSON.stringify({ date: new Date().toISOString(), startup }, null, 2)}\n`);
    return;
  }

  const meta = await ensureInputs(flags);
  const aofSet = await ensureAofSet(flags, meta);
  const rdbSize = (await stat(RDB)).size;
  const aofSize = (await stat(AOF)).size;
  log(`inputs: bench.rdb ${(rdbSize / MIB).toFixed(1)} MiB (${rdbSize} bytes), bench.aof ${(aofSize / MIB).toFixed(1)} MiB (${aofSize} bytes)`);
  await warm(RDB);
  await warm(AOF);
  const huge = flags.huge ? await ensureHugeInputs(CACHE, log, flags.regenerate) : [];
  if (!flags.huge) log('huge-value rows skipped (--no-huge / REDBACK_BENCH_NO_HUGE)');
  for (const input of huge) await warm(input.file);

  const rdbRel = path.relative(ROOT, RDB);
  const aofRel = path.relative(ROOT, AOF);
  const aofCli = await cliChecksAof();
  let aofNote: string | undefined;
  let aofTool: Tool;
  if (aofCli.ok) {
    aofTool = { label: 'redback check (aof)', binary: process.execPath, args: ['bin/run.js', 'check', aofRel] };
  } else {
    aofNote = `redback check does not take AOFs yet (${aofCli.said}); timed dist/bench/aof-check.js (checkAofStream) instead`;
    log(`NOTE: ${aofNote}`);
    aofTool = { label: 'redback checkAofStream (script)', binary: process.execPath, args: ['dist/bench/aof-check.js', aofRel] };
  }
  const pairs: Pair[] = [
    {
      id: 'rdb-check',
      file: rdbRel,
      size: rdbSize,
      redback: { label: 'redback check', binary: process.execPath, args: ['bin/run.js', 'check', rdbRel] },
      baseline: { label: 'redis-check-rdb', binary: redisCheckRdb, args: [rdbRel] },
      speedTarget: 1,
    },
    {
      id: 'rdb-inspect',
      file: rdbRel,
      size: rdbSize,
      redback: { label: 'redback inspect --json', binary: process.execPath, args: ['bin/run.js', 'inspect', rdbRel, '--json'], discardStdout: true },
      baseline: { label: 'redis-check-rdb', binary: redisCheckRdb, args: [rdbRel] },
      speedTarget: 1,
    },
    {
      id: 'aof-check',
      file: aofRel,
      size: aofSize,
      redback: aofTool,
      baseline: { label: 'redis-check-aof', binary: redisCheckAof, args: [aofRel] },
      speedTarget: 2,
      ...(aofNote === undefined ? {} : { note: aofNote }),
    },
    ...hugePairs(huge, redisCheckRdb, redisCheckAof),
  ];
  pairs.push(...aofSetPairs(aofSet, redisCheckAof));
  // Point-in-time rows (issue 9): log and truncate on a timestamped copy of the bench AOF.
  const pitr = await ensurePitrInput(CACHE, AOF, log, flags.regenerate);
  await warm(pitr.file);
  pairs.push(...pitrPairs(pitr, ROOT, redisCheckAof, process.execPath));
  // The set's files are read once (by redis-check-aof) so every tool finds them in the page cache.
  await measure(redisCheckAof, [path.join(path.relative(ROOT, AOF_SET), 'appendonly.aof.manifest')], { cwd: ROOT, discardStdout: true });
  pairs.push(
    ...convertFormatPairs(rdbRel, path.relative(ROOT, CONVERT_OUT)).map((pair) => ({
      ...pair,
      file: rdbRel,
      size: rdbSize,
      baseline: { label: 'redis-check-rdb', binary: redisCheckRdb, args: [rdbRel] },
    })),
  );
  await mkdir(CONVERT_OUT, { recursive: true });
  const convertRows = convertPairs(rdbRel, rdbSize, redisCheckRdb, CACHE);
  pairs.push(...convertRows.pairs);

  log(`peak RSS from ${haveTimeBinary() ? TIME_BINARY : '/proc/<pid>/status VmHWM polled every 20 ms'}; ${flags.runs} runs of each, best time kept`);
  const cores = os.cpus().length;
  const loadBefore = os.loadavg()[0] ?? 0;
  if (loadBefore > cores / 2) {
    log(`WARNING: load average ${loadBefore.toFixed(1)} on ${cores} cores: other processes compete for the CPU, wall times will be noisy (CPU seconds are shown too)`);
  }
  const runs = new Map<string, TimedRun[]>();
  for (let round = 1; round <= flags.runs; round++) {
    // A baseline shared by several rows (redis-check-rdb on a huge file) runs once per round.
    const shared = new Map<string, TimedRun>();
    for (const pair of pairs) {
      for (const [side, tool] of [['redback', pair.redback], ['baseline', pair.baseline]] as const) {
        const sharedKey = side === 'baseline' ? [tool.binary, ...tool.args].join('\0') : undefined;
        const reused = sharedKey === undefined ? undefined : shared.get(sharedKey);
        if (reused !== undefined) {
          const key = `${pair.id}/${side}`;
          runs.set(key, [...(runs.get(key) ?? []), reused]);
          continue;
        }
        const loadAverage = os.loadavg()[0] ?? 0;
        const result = { ...(await measure(tool.binary, tool.args, { cwd: ROOT, discardStdout: tool.discardStdout === true })), loadAverage };
        if (sharedKey !== undefined) shared.set(sharedKey, result);
        const key = `${pair.id}/${side}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
        const cpu = result.cpuSeconds === undefined ? '' : ` (cpu ${result.cpuSeconds.toFixed(2).padStart(6)} s)`;
        const status = result.exitCode === 0 ? 'exit 0' : `FAILED: exit ${result.exitCode ?? result.signal}`;
        log(
          `  run ${round}/${flags.runs} ${pad(pair.id, 11)} ${pad(tool.label, 32)} ${result.seconds.toFixed(2).padStart(7)} s${cpu} ${(result.peakRssKiB / 1024).toFixed(1).padStart(7)} MiB  load ${loadAverage.toFixed(1)}  ${status}` +
            (result.exitCode === 0 && tool.discardStdout !== true ? `  "${firstLine(result.stdout)}"` : ''),
        );
        if (result.exitCode !== 0) {
          log(`      stdout: ${firstLine(result.stdout)}`);
          log(`      stderr: ${firstLine(result.stderr)}`);
        }
      }
    }
  }

  await convertRows.cleanup();
  await cleanupPitr(CACHE);

  // Results
  const results = pairs.map((pair) => {
    const redback = summarize(pair.redback, runs.get(`${pair.id}/redback`) ?? [], pair.size);
    const baseline = summarize(pair.baseline, runs.get(`${pair.id}/baseline`) ?? [], pair.size);
    const speedup = baseline.seconds / redback.seconds;
    const cpuSpeedup = baseline.cpuSeconds !== undefined && redback.cpuSeconds !== undefined && redback.cpuSeconds > 0 ? baseline.cpuSeconds / redback.cpuSeconds : undefined;
    const misses: string[] = [];
    if (!redback.allExitedZero) misses.push(`${redback.tool} did not exit 0 on every run`);
    if (!baseline.allExitedZero) misses.push(`${baseline.tool} did not exit 0 on every run (the input may be bad)`);
    if (speedup < pair.speedTarget) misses.push(`speed ${speedup.toFixed(2)}x ${baseline.tool}, target ≥ ${Number(pair.speedTarget.toFixed(2))}x`);
    if (redback.peakRssMiB >= RSS_LIMIT_MIB) misses.push(`peak RSS ${redback.peakRssMiB.toFixed(1)} MiB, target < ${RSS_LIMIT_MIB} MiB`);
    const informational = pair.informational === true;
    return {
      id: pair.id,
      file: pair.file,
      size: pair.size,
      note: pair.note,
      targetText: pair.targetText,
      redback,
      baseline,
      speedup,
      cpuSpeedup,
      informational,
      targets: informational ? undefined : { speedup: pair.speedTarget, peakRssMiB: RSS_LIMIT_MIB },
      pass: informational || misses.length === 0,
      misses: informational ? [] : misses,
    };
  });

  log();
  const header = ['tool', 'file', 'size MiB', 'seconds', 'cpu s', 'MB/s', 'peak RSS MiB', 'speed vs baseline', 'target'];
  const cpuText = (value: number | undefined): string => (value === undefined ? '-' : value.toFixed(2));
  const rows: string[][] = [header];
  for (const result of results) {
    const common = [path.basename(result.file), (result.size / MIB).toFixed(1)];
    rows.push([
      result.redback.tool,
      ...common,
      result.redback.seconds.toFixed(2),
      cpuText(result.redback.cpuSeconds),
      result.redback.mbPerSecond.toFixed(1),
      result.redback.peakRssMiB.toFixed(1),
      `${result.speedup.toFixed(2)}x ${result.baseline.tool}`,
      result.targets === undefined ? '(information only)' : `${result.pass ? 'PASS' : 'FAIL'} (${result.targetText ?? `≥${Number(result.targets.speedup.toFixed(2))}x, <${RSS_LIMIT_MIB} MiB`})`,
    ]);
    rows.push([result.baseline.tool, ...common, result.baseline.seconds.toFixed(2), cpuText(result.baseline.cpuSeconds), result.baseline.mbPerSecond.toFixed(1), result.baseline.peakRssMiB.toFixed(1), '(baseline)', '']);
  }
  printTable(rows, new Set([2, 3, 4, 5, 6]));
  log('seconds = best wall time of the runs (the target is judged on it); cpu s = best user+sys CPU time; MB/s = 10^6 bytes of');
  log('file per wall second; peak RSS = worst of the runs.');
  for (const result of results) {
    if (result.cpuSpeedup !== undefined) log(`  ${result.id}: by CPU time, ${result.redback.tool} is ${result.cpuSpeedup.toFixed(2)}x ${result.baseline.tool}`);
  }
  for (const result of results) {
    if (!result.id.startsWith('convert-')) continue;
    const cpu = result.redback.cpuSeconds !== undefined && result.baseline.cpuSeconds !== undefined ? `, by CPU time ${(result.redback.cpuSeconds / result.baseline.cpuSeconds).toFixed(2)}x` : '';
    log(`  ${result.id}: ${(result.redback.seconds / result.baseline.seconds).toFixed(2)}x redis-check-rdb's time (target ≤ ${(1 / (result.targets?.speedup ?? 1)).toFixed(1)}x)${cpu}`);
  }
  for (const result of results) if (result.note !== undefined) log(`note (${result.id}): ${result.note}`);

  const missed = results.filter((result) => !result.pass);
  log();
  if (missed.length === 0) {
    log('all targets met');
  } else {
    for (const result of missed) for (const miss of result.misses) log(`MISS ${result.id}: ${miss}`);
  }

  let profiles: Record<string, unknown> | undefined;
  if (flags.profile) {
    profiles = {};
    log();
    log('profiles (node --cpu-prof, one run each; self time):');
    for (const pair of pairs) {
      const profile = await profileRun(pair);
      if (profile === undefined) continue;
      profiles[pair.id] = profile;
      log(`  ${pair.id} (${pair.redback.label}): ${(profile.totalMs / 1000).toFixed(2)} s sampled, ${profile.file}`);
      for (const hot of profile.top) {
        log(`    ${hot.percent.toFixed(1).padStart(5)}% ${hot.selfMs.toFixed(0).padStart(7)} ms  ${hot.name}  ${hot.where}`);
      }
    }
  }

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, totalMemGiB: os.totalmem() / 2 ** 30 },
    rssMethod: haveTimeBinary() ? TIME_BINARY : '/proc VmHWM polling',
    runsPerTool: flags.runs,
    loadAverage: { before: loadBefore, after: os.loadavg()[0] ?? 0 },
    inputs: { rdb: { file: rdbRel, size: rdbSize, ...meta.rdb }, aof: { file: aofRel, size: aofSize, ...meta.aof }, aofSet: { file: path.relative(ROOT, AOF_SET), ...aofSet }, huge },
    results,
    startup,
    allPass: missed.length === 0 && startup.every((row) => row.pass !== false),
    ...(profiles === undefined ? {} : { profiles }),
  };
  await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  log(`results written to ${path.relative(ROOT, RESULTS)} (bench total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

/** The startup rows: measured, printed as a table, misses as MISS lines (see startup.ts). */
function startupSection(): StartupRow[] {
  log();
  log(`startup (median of 15 runs each; target ≤ ${STARTUP_TARGET_SECONDS} s for the judged rows, on CPU time when measured, else wall):`);
  const rows = benchStartup(ROOT);
  const table = [['command', 'seconds', 'cpu s', 'target']];
  for (const row of rows) {
    table.push([row.label, row.seconds.toFixed(3), row.cpuSeconds === undefined ? '-' : row.cpuSeconds.toFixed(3), row.pass === undefined ? '(reference)' : row.pass ? 'met' : 'MISSED']);
  }
  printTable(table, new Set([1, 2]));
  for (const row of rows) if (row.pass === false) log(`MISS startup: ${row.label} ${(row.cpuSeconds ?? row.seconds).toFixed(3)} s, target ≤ ${STARTUP_TARGET_SECONDS} s`);
  log();
  return rows;
}

try {
  await main();
} catch (error) {
  const usage = error instanceof Error && error.message.startsWith('unknown flag');
  process.stderr.write(`bench: ${error instanceof Error ? (usage ? error.message : (error.stack ?? error.message)) : String(error)}\n`);
  process.exitCode = usage ? 2 : 1;
}
