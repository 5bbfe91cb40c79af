import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveAof } from '../aof/set.js';
import { UsageError } from '../errors.js';
import type { Compression, StepHook } from '../io/atomic.js';
import { writeFileAtomic } from '../io/atomic.js';
import { replaySnapshot, snapshotAt } from '../keyspace/snapshot.js';
import type { ReplayReport } from '../keyspace/replay.js';
import type { WalkStats } from '../keyspace/walk.js';
import { resolveTarget, targetForRdbVersion } from '../rdb/targets.js';
import { writeRdbRecords } from '../rdb/writer.js';
import { newWriteReport } from '../rdb/write-report.js';
import type { WriteReport } from '../rdb/write-report.js';
import type { ProgressCallback } from './aof-edit.js';
import type { TruncatePlan } from './truncate.js';

/*
 * cspell:words preamble
 *
 * `truncate … --to rdb`: the dataset as it stood at the cut, as an RDB snapshot. The AOF is replayed up to the
 * cut the plan found (the same cut `truncate` makes in the AOF itself) and the replayed keyspace is written as
 * one RDB file, atomically. The input is only read.
 */

/** Options of {@link writeTruncateSnapshot}. */
export interface TruncateSnapshotOptions {
  /** The RDB file to write. */
  output: string;
  /** Replace `output` when it exists. */
  force?: boolean;
  /** Write the RDB as one LZ4 frame. */
  compress?: Compression;
  /** The release the RDB is written for (`--target-redis`); default: the release of the AOF's RDB part, else 7.0. */
  targetRedis?: string;
  /** Skip commands that cannot be replayed offline instead of failing (counted in the report). */
  skipUnsupported?: boolean;
  /** The replay's clock, ms since the epoch (default now). */
  now?: number;
  tempDir?: string;
  onProgress?: ProgressCallback;
  onStep?: StepHook;
}

/** What {@link writeTruncateSnapshot} wrote. */
export interface TruncateSnapshotResult {
  output: string;
  /** The release the RDB is for, and its RDB version. */
  target: string;
  rdbVersion: number;
  /** Bytes written (after compression, when asked). */
  bytes: number;
  /** Keys, function libraries and databases written. */
  keys: number;
  functions: number;
  databases: number;
  /** Commands replayed up to the cut, and what the replay met (rejected, skipped, bytes read). */
  replay: Pick<ReplayReport, 'commands' | 'rejected' | 'ignored' | 'skipped' | 'bytes' | 'lastTimestamp'>;
  /** What the RDB writer left out and counted. */
  write: WriteReport;
  notes: string[];
}

/**
 * Writes the dataset at `plan`'s cut (the whole AOF when the plan cuts nothing) to `options.output` as an
 * RDB: replay up to the cut, walk, write through a temporary file, fsync and rename. Throws a
 * {@link UsageError} when the output exists without `force` or is one of the input's files,
 * NotReplayableError (exit 4) for a command that cannot be replayed offline (unless `skipUnsupported`), and
 * the readers' and writers' errors.
 */
export async function writeTruncateSnapshot(path: string, plan: TruncatePlan, options: TruncateSnapshotOptions): Promise<TruncateSnapshotResult> {
  const set = await resolveAof(path);
  const into = resolve(options.output);
  const inputs = [set.dir, ...set.parts.map((p) => p.path)].map((p) => resolve(p));
  if (set.manifestPath !== undefined) inputs.push(resolve(set.manifestPath));
  if (inputs.includes(into)) throw new UsageError('the output is the input: --to rdb writes a new RDB file', { file: options.output });
  if (existsSync(options.output) && !options.force) {
    const error = new UsageError('already exists', { file: options.output });
    error.hint = '--force replaces it';
    throw error;
  }
  const replayOptions = { now: options.now, skipUnsupported: options.skipUnsupported, onProgress: options.onProgress };
  const snapshot = plan.cut ? await snapshotAt(set, { file: plan.cut.file, offset: plan.cut.offset }, replayOptions) : await replaySnapshot(set, replayOptions);
  const notes: string[] = [];
  let dropUnsupported = false;
  let target = options.targetRedis === undefined ? undefined : resolveTarget(options.targetRedis);
  if (target === undefined) {
    // As `rewrite`: for the release that wrote the AOF's RDB part; what it could not hold either is left out.
    target = targetForRdbVersion(Math.max(snapshot.header.version, 6), snapshot.header.magic);
    dropUnsupported = target.magic === 'REDIS' && target.rdbVersion < 10;
    notes.push(`written for ${target.name} (RDB ${target.rdbVersion}; --target-redis picks another release)`);
  }
  const stats: WalkStats = { keys: 0, functions: 0, databases: 0 };
  const write = newWriteReport();
  const pieces = writeRdbRecords(snapshot.records(stats), { target, now: snapshot.now, tempDir: options.tempDir, dropUnsupported }, write);
  const bytes = await writeFileAtomic(options.output, pieces, options.compress ?? 'none', { onStep: options.onStep });
  const { commands, rejected, ignored, skipped, lastTimestamp } = snapshot.replay;
  return {
    output: options.output,
    target: target.name,
    rdbVersion: target.rdbVersion,
    bytes,
    keys: stats.keys,
    functions: stats.functions,
    databases: stats.databases,
    replay: { commands, rejected, ignored, skipped, bytes: snapshot.replay.bytes, lastTimestamp },
    write,
    notes,
  };
}
