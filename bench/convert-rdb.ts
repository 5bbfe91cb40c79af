/**
 * Bench rows of `redback convert --to rdb` (issue 10): the bench RDB (written by Redis 7.0) converted for
 * Redis 6.2, which re-encodes most values (listpacks become ziplists, quicklist v2 becomes v1, streams lose
 * their v2 type), and for its own version, which copies every value. Both beside redis-check-rdb reading the
 * same file; target: at most 1.5 times its time, peak RSS under 128 MiB.
 */
// cspell:words redback

import { rm } from 'node:fs/promises';
import path from 'node:path';

/** A command the bench runs (the shape of run.ts's Tool). */
interface Tool {
  label: string;
  binary: string;
  args: string[];
  discardStdout?: boolean;
}

/** One row of the bench (the shape of run.ts's Pair). */
export interface ConvertPair {
  id: string;
  file: string;
  size: number;
  redback: Tool;
  baseline: Tool;
  speedTarget: number;
  note?: string;
}

/** convert is held to 1.5 times redis-check-rdb's time: a speed of 1/1.5 of it. */
const SPEED = 1 / 1.5;

/**
 * The convert rows for the RDB at `rdbRel` (relative to the repository root), with the outputs they write
 * in `cacheDir`, and a function that removes those outputs.
 */
export function convertPairs(rdbRel: string, size: number, redisCheckRdb: string, cacheDir: string): { pairs: ConvertPair[]; cleanup: () => Promise<void> } {
  const out62 = path.join(cacheDir, 'convert-6.2.rdb');
  const outSame = path.join(cacheDir, 'convert-same.rdb');
  const baseline: Tool = { label: 'redis-check-rdb', binary: redisCheckRdb, args: [rdbRel] };
  const pairs: ConvertPair[] = [
    {
      id: 'convert-rdb-6.2',
      file: rdbRel,
      size,
      redback: {
        label: 'redback convert --to rdb 6.2',
        binary: process.execPath,
        args: ['bin/run.js', 'convert', rdbRel, '-o', out62, '--to', 'rdb', '--target-redis', '6.2', '--drop-unsupported', '--force'],
      },
      baseline,
      speedTarget: SPEED,
      note: 'RDB 10 -> 6.2 (RDB 9): listpacks and quicklist v2 re-encoded, streams to type 15 (--drop-unsupported: their v2 metadata)',
    },
    {
      id: 'convert-rdb-same',
      file: rdbRel,
      size,
      redback: { label: 'redback convert --to rdb (same)', binary: process.execPath, args: ['bin/run.js', 'convert', rdbRel, '-o', outSame, '--to', 'rdb', '--force'] },
      baseline,
      speedTarget: SPEED,
      note: "RDB 10 -> its own version: every value copied from the input's bytes",
    },
  ];
  return {
    pairs,
    cleanup: async () => {
      await rm(out62, { force: true });
      await rm(outSame, { force: true });
    },
  };
}
