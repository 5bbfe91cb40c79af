/**
 * The `convert` rows of the bench (issue 10): `redback convert` of the bench RDB to jsonl, resp and aof, each
 * beside redis-check-rdb reading the same file in the same run (the rdb → rdb rows are in convert-rdb.ts).
 * Targets, as ratios to redis-check-rdb's time: jsonl ≤ 2×, resp ≤ 1.5×, aof ≤ 2× (speed targets 0.5, 0.67,
 * 0.5), peak RSS < 128 MiB. Anchors of other tools on the same kind of file: HDT3213/rdb's JSON 12×,
 * librdb's JSON 16× and RESP 2.0×. Each row runs the command as a user does (`bin/run.js convert … --force`):
 * the RDB read with values built, the writer's pieces written to a temporary file, fsynced and renamed.
 */
// cspell:words redback jsonl
import path from 'node:path';

/** A row's tool (as run.ts measures it). */
export interface ConvertTool {
  label: string;
  binary: string;
  args: string[];
}

/** One convert row: the tool, the redis-check-rdb baseline, the target. */
export interface ConvertPair {
  id: 'convert-jsonl' | 'convert-resp' | 'convert-aof';
  redback: ConvertTool;
  /** redback must be at least this fraction of redis-check-rdb's speed (1 / the time ratio target). */
  speedTarget: number;
}

/** Time ratio targets to redis-check-rdb, by format. */
export const CONVERT_TARGETS = { jsonl: 2, resp: 1.5, aof: 2 } as const;

/** The convert rows for the RDB at `rdb` (relative to the repository), writing into `outDir`. */
export function convertPairs(rdb: string, outDir: string): ConvertPair[] {
  return (Object.keys(CONVERT_TARGETS) as (keyof typeof CONVERT_TARGETS)[]).map((format) => ({
    id: `convert-${format}` as const,
    redback: {
      label: `redback convert --to ${format}`,
      binary: process.execPath,
      args: ['bin/run.js', 'convert', rdb, '-o', path.join(outDir, `bench.${format}`), '--to', format, '--force'],
    },
    speedTarget: 1 / CONVERT_TARGETS[format],
  }));
}
