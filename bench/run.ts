/**
 * `npm run bench`: generates (once) a ≥ 256 MiB RDB and a ≥ 256 MiB AOF with a real redis-server, then
 * times redback against redis-check-rdb / redis-check-aof on them and checks the targets.
 *
 * Flags: --regenerate (rebuild bench/.cache), --runs N (default 2, best kept), --profile (one extra
 * `node --cpu-prof` run of each redback tool, hottest functions printed).
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
import { TIME_BINARY, haveTimeBinary, measure } from './measure.js';
import type { RunResult } from './measure.js';
import { hottestFunctions } from './profile.js';
import { STARTUP_TARGET_SECONDS, benchStartup } from './startup.js';
import { convertPairs } from './convert.js';
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
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { regenerate: false, runs: 2, profile: false, startupOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--regenerate') flags.regenerate = true;
    else if (arg === '--profile') flags.profile = true;
    else if (arg === '--startup-only') flags.startupOnly = true;
    else if (arg === '--runs') flags.runs = Math.max(1, Number(argv[++i] ?? '2') || 2);
    else if (arg === '--help' || arg === '-h') {
      log('usage: npm run bench [-- --regenerate] [-- --runs N] [-- --profile] [-- --startup-only]');
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
  id: 'rdb-check' | 'rdb-check-t2' | 'rdb-inspect' | 'aof-check' | 'convert-jsonl' | 'convert-resp' | 'convert-aof';
  file: string;
  size: number;
  redback: Tool;
  baseline: Tool;
  /** redback must be this many times as fast as the baseline. */
  speedTarget: number;
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
  const rdbSize = (await stat(RDB)).size;
  const aofSize = (await stat(AOF)).size;
  log(`inputs: bench.rdb ${(rdbSize / MIB).toFixed(1)} MiB (${rdbSize} bytes), bench.aof ${(aofSize / MIB).toFixed(1)} MiB (${aofSize} bytes)`);
  await warm(RDB);
  await warm(AOF);

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
    ...convertPairs(rdbRel, path.relative(ROOT, CONVERT_OUT)).map((pair) => ({
      ...pair,
      file: rdbRel,
      size: rdbSize,
      baseline: { label: 'redis-check-rdb', binary: redisCheckRdb, args: [rdbRel] },
    })),
  ];
  await mkdir(CONVERT_OUT, { recursive: true });

  log(`peak RSS from ${haveTimeBinary() ? TIME_BINARY : '/proc/<pid>/status VmHWM polled every 20 ms'}; ${flags.runs} runs of each, best time kept`);
  const cores = os.cpus().length;
  const loadBefore = os.loadavg()[0] ?? 0;
  if (loadBefore > cores / 2) {
    log(`WARNING: load average ${loadBefore.toFixed(1)} on ${cores} cores: other processes compete for the CPU, wall times will be noisy (CPU seconds are shown too)`);
  }
  const runs = new Map<string, TimedRun[]>();
  for (let round = 1; round <= flags.runs; round++) {
    for (const pair of pairs) {
      for (const [side, tool] of [['redback', pair.redback], ['baseline', pair.baseline]] as const) {
        const loadAverage = os.loadavg()[0] ?? 0;
        const result = { ...(await measure(tool.binary, tool.args, { cwd: ROOT, discardStdout: tool.discardStdout === true })), loadAverage };
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

  // Results
  const results = pairs.map((pair) => {
    const redback = summarize(pair.redback, runs.get(`${pair.id}/redback`) ?? [], pair.size);
    const baseline = summarize(pair.baseline, runs.get(`${pair.id}/baseline`) ?? [], pair.size);
    const speedup = baseline.seconds / redback.seconds;
    const cpuSpeedup = baseline.cpuSeconds !== undefined && redback.cpuSeconds !== undefined && redback.cpuSeconds > 0 ? baseline.cpuSeconds / redback.cpuSeconds : undefined;
    const misses: string[] = [];
    if (!redback.allExitedZero) misses.push(`${redback.tool} did not exit 0 on every run`);
    if (!baseline.allExitedZero) misses.push(`${baseline.tool} did not exit 0 on every run (the input may be bad)`);
    if (speedup < pair.speedTarget) misses.push(`speed ${speedup.toFixed(2)}x ${baseline.tool}, target ≥ ${pair.speedTarget}x`);
    if (redback.peakRssMiB >= RSS_LIMIT_MIB) misses.push(`peak RSS ${redback.peakRssMiB.toFixed(1)} MiB, target < ${RSS_LIMIT_MIB} MiB`);
    const informational = pair.informational === true;
    return {
      id: pair.id,
      file: pair.file,
      size: pair.size,
      note: pair.note,
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
      result.targets === undefined ? '(information only)' : `${result.pass ? 'PASS' : 'FAIL'} (≥${result.targets.speedup}x, <${RSS_LIMIT_MIB} MiB)`,
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
    inputs: { rdb: { file: rdbRel, size: rdbSize, ...meta.rdb }, aof: { file: aofRel, size: aofSize, ...meta.aof } },
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
