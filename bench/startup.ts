/**
 * The startup row of `npm run bench`: how long `redback --version` and `redback check` of the 13 KB
 * fixture take, end to end (a CI job checking hundreds of small files pays it each time). Target ≤ 0.15 s,
 * judged on the median user+sys CPU time when /usr/bin/time is there (on a shared 2-core machine the wall
 * time mostly measures the other processes; with the machine to itself the two are within a few ms, the
 * commands being single-threaded for a small file), else on the median wall time. Node alone is shown
 * for reference, and the same command lines with REDBACK_OCLIF=1 (oclif loaded, as every run was before
 * the fast path of bin/run.js) for comparison.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { TIME_BINARY, haveTimeBinary } from './measure.js';

/** The target: median wall seconds of `redback --version` and `redback check` of a small RDB. */
export const STARTUP_TARGET_SECONDS = 0.15;

/** One startup measurement. */
export interface StartupRow {
  label: string;
  /** Median wall seconds over the runs. */
  seconds: number;
  /** Median user+sys CPU seconds (undefined without /usr/bin/time). */
  cpuSeconds: number | undefined;
  runs: number;
  /** Judged on `cpuSeconds` when known, else `seconds`; undefined for reference rows, which are not judged. */
  pass: boolean | undefined;
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(args: string[], env: NodeJS.ProcessEnv, cwd: string): { wall: number; cpu: number | undefined } {
  if (haveTimeBinary()) {
    const result = spawnSync(TIME_BINARY, ['-f', '%e %U %S', process.execPath, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    const [wall, user, sys] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
    if (result.status !== 0) throw new Error(`startup: ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return { wall: wall as number, cpu: (user as number) + (sys as number) };
  }
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, env, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`startup: ${args.join(' ')} exited ${result.status}`);
  return { wall: (performance.now() - started) / 1000, cpu: undefined };
}

/** Measures the startup rows, `runs` times each (interleaved, so that load spikes hit every row alike). */
export function benchStartup(root: string, runs = 15): StartupRow[] {
  const fixture = path.join('fixtures', 'redis-7.0-all-types.rdb');
  const env = { ...process.env, NO_COLOR: '1' };
  const oclif = { ...env, REDBACK_OCLIF: '1' };
  const cases: { label: string; args: string[]; env: NodeJS.ProcessEnv; judged: boolean }[] = [
    { label: 'node -e 0 (reference)', args: ['-e', '0'], env, judged: false },
    { label: 'redback --version', args: ['bin/run.js', '--version'], env, judged: true },
    { label: 'redback check (13 KB RDB)', args: ['bin/run.js', 'check', fixture], env, judged: true },
    { label: 'redback --version, oclif', args: ['bin/run.js', '--version'], env: oclif, judged: false },
    { label: 'redback check, oclif', args: ['bin/run.js', 'check', fixture], env: oclif, judged: false },
  ];
  const walls = cases.map(() => [] as number[]);
  const cpus = cases.map(() => [] as number[]);
  for (const c of cases) time(c.args, c.env, root); // warm the file cache
  for (let round = 0; round < runs; round++) {
    for (const [i, c] of cases.entries()) {
      const { wall, cpu } = time(c.args, c.env, root);
      walls[i]?.push(wall);
      if (cpu !== undefined) cpus[i]?.push(cpu);
    }
  }
  return cases.map((c, i) => {
    const seconds = median(walls[i] as number[]);
    const cpuSeconds = (cpus[i] as number[]).length ? median(cpus[i] as number[]) : undefined;
    return { label: c.label, seconds, cpuSeconds, runs, pass: c.judged ? (cpuSeconds ?? seconds) <= STARTUP_TARGET_SECONDS : undefined };
  });
}
