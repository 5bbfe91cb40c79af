#!/usr/bin/env node
// A plain command line (`redback check FILE`, `redback --version`) runs without loading oclif; help,
// completion and unknown commands go through oclif (see src/render/fast-path.ts).
import { fileURLToPath } from 'node:url';
import { runFast } from '../dist/src/render/fast-path.js';

if (!(await runFast(process.argv.slice(2)))) {
  const { execute } = await import('@oclif/core');
  // No user plugins: redback has no command to install any, and looking for them under an unreadable $HOME
  // makes oclif print EACCES warnings.
  await execute({ loadOptions: { root: fileURLToPath(new URL('..', import.meta.url)), userPlugins: false } });
}
