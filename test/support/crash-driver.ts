/**
 * The driver of the crash tests: runs the redback CLI (built, `bin/run.js`) as a child process, optionally
 * with REDBACK_CRASH_AT_STEP=N so that it SIGKILLs itself just before its Nth file-system change, and reads
 * what a directory holds afterwards.
 */
// cspell:words redback

import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { runTool, type ToolResult } from './redis.js';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `redback <args>`; `crashAt` sets REDBACK_CRASH_AT_STEP. */
export function runRedback(args: readonly string[], crashAt?: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.REDBACK_CRASH_AT_STEP;
    if (crashAt !== undefined) env.REDBACK_CRASH_AT_STEP = String(crashAt);
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/run.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Every file of a directory with its bytes (not recursive). */
export async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) out.set(name, await readFile(path.join(dir, name)));
  return out;
}

/** A set as the manifest and its files. */
export interface SetState {
  manifest: string;
  files: Map<string, Buffer>;
}

/** The names a manifest gives. */
export function namesIn(manifest: string): string[] {
  return manifest
    .split('\n')
    .filter((line) => line.startsWith('file '))
    .map((line) => line.split(' ')[1] as string);
}

/** True when `found` (a directory's files) holds `state`: the same manifest and, for every file it names, the same bytes. */
export function holds(found: Map<string, Buffer>, state: SetState, manifestName = 'appendonly.aof.manifest'): boolean {
  if (found.get(manifestName)?.toString('latin1') !== state.manifest) return false;
  return namesIn(state.manifest).every((name) => found.get(name)?.equals(state.files.get(name) as Buffer) === true);
}

/**
 * Compiles the CLI the driver runs: tsc into dist/, then the bundled commands of dist/fast/ (which the fast path
 * of bin/run.js prefers: a stale bundle would run old code). Resolves to the first failing step's result, or
 * the last one.
 */
export async function buildCli(): Promise<ToolResult> {
  const compiled = await runTool('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, timeoutMs: 170_000 });
  if (compiled.code !== 0) return compiled;
  return runTool('node', ['scripts/bundle-commands.mjs'], { cwd: REPO_ROOT, timeoutMs: 120_000 });
}
