/**
 * Fallback for timing redback's AOF check while `redback check` does not take AOFs yet:
 * `node dist/bench/aof-check.js FILE` finds the module under dist/src/aof/ that exports
 * `checkAofStream`, runs it over the file and exits 0 when the AOF is valid, 1 when not.
 */
// cspell:words redback

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openInput } from '../src/io/open.js';
import type { ChunkedInput } from '../src/bytes/input.js';

interface CheckResult {
  valid: boolean;
  size: number;
  commands?: number;
  okUpTo?: number;
  error?: { offset: number; message: string };
}

type CheckAofStream = (input: ChunkedInput, options?: { file?: string }) => Promise<CheckResult>;

/** Finds the compiled module exporting checkAofStream (src/aof/check.ts when this was written). */
export async function findCheckAofStream(): Promise<{ fn: CheckAofStream; module: string }> {
  const directory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/aof');
  const names = (await readdir(directory)).filter((name) => name.endsWith('.js')).sort((a, b) => (a === 'check.js' ? -1 : b === 'check.js' ? 1 : a.localeCompare(b)));
  for (const name of names) {
    const module = (await import(pathToFileURL(path.join(directory, name)).href)) as Record<string, unknown>;
    const fn = module['checkAofStream'];
    if (typeof fn === 'function') return { fn: fn as CheckAofStream, module: `dist/src/aof/${name}` };
  }
  throw new Error(`no module in ${directory} exports checkAofStream`);
}

async function main(): Promise<number> {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/aof-check.js FILE.aof\n');
    return 2;
  }
  const { fn, module } = await findCheckAofStream();
  const input = await openInput(file);
  let result: CheckResult;
  try {
    result = await fn(input, { file });
  } finally {
    await input.source.close();
  }
  const verdict = result.valid ? 'VALID' : `INVALID at ${result.error?.offset ?? result.okUpTo}: ${result.error?.message ?? ''}`;
  process.stdout.write(`${verdict} ${file} (${result.size} bytes, ${result.commands ?? '?'} commands; ${module} checkAofStream)\n`);
  return result.valid ? 0 : 1;
}

process.exitCode = await main();
