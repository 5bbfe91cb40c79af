/**
 * Runs a command as a child process and measures its wall time (our clock, around spawn → exit) and
 * peak RSS (and CPU time): from `/usr/bin/time -f "%e %M %U %S"` when it exists, otherwise by polling VmHWM in
 * /proc/<pid>/status every 20 ms.
 */
// cspell:words HWM redback

import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const TIME_BINARY = '/usr/bin/time';

/** True when /usr/bin/time is used (set REDBACK_BENCH_NO_TIME=1 to force the /proc polling fallback). */
export function haveTimeBinary(): boolean {
  return existsSync(TIME_BINARY) && process.env['REDBACK_BENCH_NO_TIME'] === undefined;
}

export type RssMethod = '/usr/bin/time' | '/proc VmHWM polling';

export interface RunResult {
  command: string;
  seconds: number;
  /** Peak resident set size in KiB. */
  peakRssKiB: number;
  /** User + system CPU seconds of the child (from /usr/bin/time; undefined with /proc polling). */
  cpuSeconds: number | undefined;
  /** The child's exit code (null when killed by a signal). */
  exitCode: number | null;
  signal: string | null;
  /** The last 16 KiB of what the child printed (empty when stdout went to /dev/null). */
  stdout: string;
  stderr: string;
  rssMethod: RssMethod;
}

export interface RunOptions {
  cwd: string;
  /** Send stdout to /dev/null instead of capturing it. */
  discardStdout?: boolean;
  env?: NodeJS.ProcessEnv;
}

const KEEP = 16 * 1024;

function keepTail(chunks: Buffer[]): string {
  const all = Buffer.concat(chunks);
  return all.subarray(Math.max(0, all.length - KEEP)).toString('utf8');
}

function readHwmKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

let sequence = 0;

export async function measure(binary: string, args: string[], options: RunOptions): Promise<RunResult> {
  const useTime = haveTimeBinary();
  const timeFile = path.join(os.tmpdir(), `redback-bench-time-${process.pid}-${sequence++}.txt`);
  const file = useTime ? TIME_BINARY : binary;
  const argv = useTime ? ['-f', '%e %M %U %S', '-o', timeFile, binary, ...args] : args;
  const devNull = options.discardStdout === true ? openSync('/dev/null', 'w') : undefined;
  const stdoutChunks: Buffer[] = [];
  const stderrChunks: Buffer[] = [];
  let stdoutKept = 0;
  let stderrKept = 0;
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
  });
  if (devNull !== undefined) closeSync(devNull);
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutChunks.push(chunk);
    stdoutKept += chunk.length;
    while (stdoutKept > 4 * KEEP && stdoutChunks.length > 1) stdoutKept -= stdoutChunks.shift()?.length ?? 0;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrChunks.push(chunk);
    stderrKept += chunk.length;
    while (stderrKept > 4 * KEEP && stderrChunks.length > 1) stderrKept -= stderrChunks.shift()?.length ?? 0;
  });
  let polledKiB = 0;
  const poller =
    !useTime && child.pid !== undefined
      ? setInterval(() => {
          polledKiB = Math.max(polledKiB, readHwmKiB(child.pid ?? 0));
        }, 20)
      : undefined;
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    // 'exit' for the timing; 'close' (pipes drained) for the output.
    child.once('close', (code, signal) => resolve({ code, signal }));
    if (poller !== undefined) {
      child.once('exit', () => {
        polledKiB = Math.max(polledKiB, readHwmKiB(child.pid ?? 0));
      });
    }
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (poller !== undefined) clearInterval(poller);
  let peakRssKiB = polledKiB;
  let cpuSeconds: number | undefined;
  let exitCode = code;
  let signalName: string | null = signal;
  if (useTime) {
    const report = await readFile(timeFile, 'utf8').catch(() => '');
    await rm(timeFile, { force: true });
    const lines = report.trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    const match = /^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(last.trim());
    if (match === null) throw new Error(`cannot read ${TIME_BINARY} output: ${JSON.stringify(report)}`);
    peakRssKiB = Number(match[2]);
    cpuSeconds = Math.round((Number(match[3]) + Number(match[4])) * 100) / 100;
    const killed = /Command terminated by signal (\d+)/.exec(report);
    if (killed !== null) {
      exitCode = null;
      signalName = `signal ${killed[1]}`;
    }
  }
  return {
    command: [binary, ...args].join(' '),
    seconds,
    peakRssKiB,
    cpuSeconds,
    exitCode,
    signal: signalName,
    stdout: keepTail(stdoutChunks),
    stderr: keepTail(stderrChunks),
    rssMethod: useTime ? '/usr/bin/time' : '/proc VmHWM polling',
  };
}
