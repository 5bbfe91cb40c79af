// cspell:words preamble bgrewriteaof appendfilename
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EditOwner, StepHook } from '../aof/set-edit.js';
import { editAofSet, prefixOfManifest, replaceAofFile, writeAofFile, writeAofSet } from '../aof/set-edit.js';
import { resolveAof } from '../aof/set.js';
import { RedbackError, UsageError, ioError } from '../errors.js';
import { replaySnapshot } from '../keyspace/snapshot.js';
import type { ReplayReport, SkippedCommands } from '../keyspace/replay.js';
import type { WalkStats } from '../keyspace/walk.js';
import { writeAof } from '../output/aof.js';
import { newWriteReport as newAofReport } from '../output/report.js';
import { resolveTarget, targetForRdbVersion } from '../rdb/targets.js';
import type { RdbTarget } from '../rdb/targets.js';
import { writeRdbRecords } from '../rdb/writer.js';
import { newWriteReport as newRdbReport } from '../rdb/write-report.js';
import { defaultBackupDir } from './fix-aof.js';

/** Options of {@link rewriteAof}. */
export interface RewriteAofOptions {
  /** Where to write: a file for a single-file AOF, a directory for a set (`-o`). */
  output?: string;
  /** Replace the input through the crash-safe set edit, keeping the originals in a backup directory. */
  inPlace?: boolean;
  /** Where the originals go with `inPlace` (default: beside the AOF, `<name>.redback-backup-<time>`). */
  backupDir?: string;
  /** With `inPlace`: delete the originals instead of keeping them. */
  noBackup?: boolean;
  /** The BASE's format: an RDB (Redis's `aof-use-rdb-preamble yes`, the default) or RESP commands. */
  base?: 'rdb' | 'aof';
  /**
   * The release the output is for (`--target-redis`); default: the one that wrote the input (its RDB
   * preamble's or BASE's version, else Redis 7.0; 7.4 with hash field TTLs). What the target cannot hold is an
   * error naming the key — except, by default, stream counters a release before 7.0 does not keep either.
   */
  targetRedis?: string;
  /** Replace an existing output file (a single AOF). */
  force?: boolean;
  /** Replay and write to nowhere: report what a rewrite would write. */
  dryRun?: boolean;
  /** Skip (and count) commands that cannot be replayed instead of stopping. */
  skipUnsupported?: boolean;
  /** Leave out keys and hash fields whose TTL is at or before `now`. */
  dropExpired?: boolean;
  /** The replay clock and the time written into the RDB's ctime, ms since the epoch (default: now). */
  now?: number;
  /** Where large values are spooled while written (default: the system's temporary directory). */
  tempDir?: string;
  /** This process, for the edit lock. */
  owner?: EditOwner;
  /** Crash-test hook (see set-edit.ts). */
  onStep?: StepHook;
  /** Progress: bytes of the input replayed, then bytes of output written (total unknown). */
  onProgress?: (done: number, total: number | undefined, phase: 'replay' | 'write') => void;
}

/** What `redback rewrite --json` reports. */
export interface RewriteReport {
  input: {
    path: string;
    layout: 'single' | 'multipart';
    /** The files replayed, in load order, with the commands read from each. */
    files: { path: string; role: string; rdb: boolean; commands: number }[];
    /** Bytes on disk of those files. */
    bytes: number;
  };
  output:
    | {
        /** The file or directory written (the input's, with `inPlace`); left out for a dry run. */
        path?: string;
        layout: 'single' | 'multipart';
        base: 'rdb' | 'aof';
        /** Files written: the BASE (or the single file), and for a set the empty INCR and the manifest. */
        files: string[];
        /** Bytes of the BASE (or the single file). */
        bytes: number;
      };
  /** The release the output is for. */
  target: { name: string; magic: 'REDIS' | 'VALKEY'; rdbVersion: number };
  /** Commands read (MULTI/EXEC/SELECT included). */
  commands: number;
  /** Commands Redis answers with an error while loading (they change nothing), by error code. */
  rejected: Record<string, number>;
  /** Read-only commands found in the AOF. */
  ignored: number;
  /** Commands skipped with `skipUnsupported`, by name. */
  skipped: Record<string, SkippedCommands>;
  /** The last file ended inside a command (Redis's aof-load-truncated: loaded up to there). */
  truncated: ReplayReport['truncated'];
  /** The last file ended inside MULTI: the transaction was dropped, as Redis does. */
  droppedTransaction: ReplayReport['droppedTransaction'];
  keys: number;
  functions: number;
  databases: number;
  /** Removed by `dropExpired`. */
  expired: { keys: number; fields: number };
  /** What the output cannot hold and was left out or approximated, by kind. */
  dropped: Record<string, number>;
  /** Where the originals went (`inPlace` with a backup). */
  backupDir?: string;
  dryRun: boolean;
  inPlace: boolean;
  /** The replay clock, ms since the epoch. */
  now: number;
  notes: string[];
}

/**
 * `redback rewrite`: the offline BGREWRITEAOF. Replays the AOF at `path` (a file, with or without RDB
 * preamble, a set, its directory or manifest, `.lz4` or not) into the keyspace model, then writes the
 * smallest equivalent AOF in the input's shape: for a set, a directory holding one new BASE (an RDB, or RESP
 * with `base: 'aof'`), an empty INCR and a fresh manifest; for a single file, one file (an RDB preamble with
 * no commands after it, or RESP). Written crash-safely: a fresh set with its manifest last, a single file
 * through a temporary file and a rename; `inPlace` edits the set through editAofSet (the manifest rename is
 * the commit; the old files go to the backup directory) or replaces the single file after a hard link into
 * the backup directory.
 *
 * Throws {@link UsageError} for bad options (no output, an existing output without `force`, an output that
 * is the input), NotReplayableError (exit 4) for a command that cannot be replayed offline (file, offset and
 * a hint; unless `skipUnsupported`), the readers' errors for a corrupt or truncated AOF, and
 * {@link InputOutputError}.
 */
export async function rewriteAof(path: string, options: RewriteAofOptions = {}): Promise<RewriteReport> {
  const inPlace = options.inPlace === true;
  const dryRun = options.dryRun === true;
  const baseFormat = options.base ?? 'rdb';
  if (inPlace && options.output !== undefined) throw new UsageError('-o and --in-place exclude each other');
  if (!inPlace && !dryRun && options.output === undefined) throw new UsageError('give -o OUT, or --in-place to replace the AOF');
  if (options.noBackup && options.backupDir !== undefined) throw new UsageError('--no-backup and --backup-dir exclude each other');
  if (!inPlace && (options.noBackup || options.backupDir !== undefined)) throw new UsageError('--backup-dir and --no-backup go with --in-place');
  const set = await resolveAof(path);
  const layout = set.kind;
  const output = options.output;
  if (output !== undefined && !dryRun) {
    const into = resolve(output);
    const inputs = [set.dir, ...set.parts.map((p) => p.path)].map((p) => resolve(p));
    if (set.manifestPath !== undefined) inputs.push(resolve(set.manifestPath));
    if (inputs.includes(into)) throw new UsageError('the output is the input: use --in-place to replace it', { file: output });
    if (layout === 'single' && existsSync(output) && !options.force) {
      const error = new UsageError('already exists', { file: output });
      error.hint = '--force replaces it';
      throw error;
    }
  }
  let target: RdbTarget | undefined = options.targetRedis === undefined ? undefined : resolveTarget(options.targetRedis);
  let inputBytes = 0;
  for (const part of set.parts) {
    try {
      inputBytes += (await stat(part.path)).size;
    } catch (error) {
      throw ioError(error, part.path);
    }
  }
  const snapshot = await replaySnapshot(set, {
    now: options.now,
    skipUnsupported: options.skipUnsupported,
    dropExpired: options.dropExpired,
    onProgress: (done, total) => options.onProgress?.(done, total, 'replay'),
  });
  const notes: string[] = [];
  // Written for the release that wrote the input by default: what that release's own rewrite would not keep
  // either (stream counters before Redis 7.0) is left out and counted, not an error.
  let dropUnsupported = false;
  if (target === undefined) {
    target = targetForRdbVersion(Math.max(snapshot.header.version, 6), snapshot.header.magic);
    dropUnsupported = target.magic === 'REDIS' && target.rdbVersion < 10;
    const why = snapshot.replay.rdbHeader ? `the input's RDB ${snapshot.replay.rdbHeader.version}` : 'no RDB in the input';
    notes.push(`written for ${target.name} (RDB ${target.rdbVersion}; ${why}; --target-redis picks another release)`);
  }
  const stats: WalkStats = { keys: 0, functions: 0, databases: 0 };
  const rdbReport = newRdbReport();
  const aofReport = newAofReport();
  const chosen = target;
  let written = 0;
  const chunks = async function* (): AsyncGenerator<Uint8Array> {
    const records = snapshot.records(stats);
    const pieces =
      baseFormat === 'rdb'
        ? writeRdbRecords(records, { target: chosen, aofPreamble: true, now: snapshot.now, tempDir: options.tempDir, dropUnsupported }, rdbReport)
        : writeAof(records, { target: chosen, tempDir: options.tempDir, file: path, dropUnsupported }, aofReport);
    let next = 0;
    for await (const piece of pieces) {
      written += piece.length;
      if (written >= next) {
        options.onProgress?.(written, undefined, 'write');
        next = written + (1 << 20);
      }
      yield piece;
    }
  };
  const files: string[] = [];
  let backupDir: string | undefined;
  let outPath: string | undefined = inPlace ? (set.manifestPath ?? set.parts[0]?.path) : output;
  try {
    if (dryRun) {
      for await (const unusedPiece of chunks()) {
        // Counted by chunks(): nothing is written.
      }
      outPath = undefined;
    } else if (layout === 'multipart') {
      if (inPlace) {
        const manifestPath = set.manifestPath as string;
        backupDir = options.noBackup ? undefined : (options.backupDir ?? (await defaultBackupDir({ layout: 'multipart', manifest: manifestPath, file: path, targets: [] })));
        const edit = await editAofSet(
          manifestPath,
          { base: { content: { chunks }, format: baseFormat }, incr: [{ content: { chunks: [] } }], history: 'drop' },
          { backupDir, noBackup: options.noBackup, owner: options.owner, onStep: options.onStep, purpose: `rewrite ${manifestPath}` },
        );
        files.push(...edit.files.map((f) => f.path), edit.manifestPath);
        outPath = set.dir;
      } else {
        const prefix = set.manifestPath ? prefixOfManifest(set.manifestPath) : undefined;
        const done = await writeAofSet(output as string, { base: { format: baseFormat, chunks }, incrs: [[]] }, { prefix, owner: options.owner, onStep: options.onStep, purpose: `rewrite ${path} into ${output}` });
        files.push(...done.files, done.manifestPath);
      }
    } else if (inPlace) {
      const file = set.parts[0]?.path as string;
      backupDir = options.noBackup ? undefined : (options.backupDir ?? (await defaultBackupDir({ layout: 'single', manifest: undefined, file, targets: [] })));
      await replaceAofFile(file, { chunks }, { backupDir, noBackup: options.noBackup, owner: options.owner, onStep: options.onStep, purpose: `rewrite ${file}` });
      files.push(file);
    } else {
      await writeAofFile(output as string, { chunks }, { overwrite: options.force, owner: options.owner, onStep: options.onStep, purpose: `rewrite ${path} into ${output}` });
      files.push(output as string);
    }
  } catch (error) {
    if (error instanceof RedbackError && error.file === undefined) error.at({ file: path });
    throw error;
  }
  const replay = snapshot.replay;
  const dropped: Record<string, number> = { ...rdbReport.dropped, ...aofReport.dropped };
  notes.push(...rdbReport.notes.filter((n) => !n.startsWith('target ')), ...aofReport.warnings);
  return {
    input: { path, layout, files: replay.files.map((f) => ({ path: f.name, role: f.role, rdb: f.rdb, commands: f.commands })), bytes: inputBytes },
    output: { path: outPath, layout, base: baseFormat, files, bytes: written },
    target: { name: chosen.name, magic: chosen.magic, rdbVersion: chosen.rdbVersion },
    commands: replay.commands,
    rejected: replay.rejected,
    ignored: replay.ignored,
    skipped: replay.skipped,
    truncated: replay.truncated,
    droppedTransaction: replay.droppedTransaction,
    keys: stats.keys,
    functions: stats.functions,
    databases: stats.databases,
    expired: snapshot.expired,
    dropped,
    backupDir,
    dryRun,
    inPlace,
    now: snapshot.now,
    notes,
  };
}
