#!/usr/bin/env node
// A plain command line (`redback check FILE`, `redback --version`) runs without loading oclif; help,
// completion and unknown commands go through oclif (see src/render/fast-path.ts).
import { runFast } from '../dist/src/render/fast-path.js';

if (!(await runFast(process.argv.slice(2)))) {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
