import { stat } from 'node:fs/promises';
import { ExitCode, InputOutputError, RedbackError } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import { identifyFormat, listFolderInputs } from '../input/detect.js';
import type { AofCheckReport, CheckAofOptions } from './check-aof.js';
import { checkRdb } from './check-rdb.js';
import type { CheckRdbOptions, RdbCheckReport } from './check-rdb.js';

/** The verdict on a path that could not be read as either format. */
export interface UnreadableReport {
  file: string;
  format: 'unknown';
  valid: false;
  error: { kind: 'io' | 'corrupt'; message: string };
}

/** What `check` says of one path. */
export type CheckReport = RdbCheckReport | AofCheckReport | UnreadableReport;

/** Options of {@link checkPath}. */
export type CheckOptions = CheckRdbOptions & CheckAofOptions;

/**
 * `redback check` of one path, whatever it is (see {@link identifyFormat}): the RDB or AOF verdict, or an
 * "unreadable" verdict for a path that is neither or cannot be read. Never throws for bad input.
 */
export async function checkPath(path: string, options: CheckOptions = {}): Promise<CheckReport> {
  try {
    if ((await identifyFormat(path)) === 'rdb') return await checkRdb(path, options);
    // The AOF modules are loaded only for AOF inputs (startup of `check dump.rdb`; see bench "startup").
    const { checkAof } = await import('./check-aof.js');
    return await checkAof(path, options);
  } catch (error) {
    if (!(error instanceof RedbackError)) throw error;
    return { file: path, format: 'unknown', valid: false, error: { kind: error instanceof InputOutputError ? 'io' : 'corrupt', message: error.toLine() } };
  }
}

/** The paths `check` gives a verdict on, once folders are opened; and what it left out. */
export interface CheckTargets {
  paths: string[];
  skipped: string[];
  /** Folders in which nothing could be checked. */
  empty: string[];
}

/**
 * Opens the folders among `paths` (see {@link listFolderInputs}): a folder of backups or a Redis `dir` gives
 * one path per RDB, AOF and AOF directory in it; an AOF directory stays one path. Other paths are kept as
 * given (a missing one gets its verdict later). Throws {@link InputOutputError} for an unreadable folder.
 */
export async function checkTargets(paths: readonly string[], options: { recursive?: boolean } = {}): Promise<CheckTargets> {
  const targets: CheckTargets = { paths: [], skipped: [], empty: [] };
  for (const path of paths) {
    const isFolder = await stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isFolder) {
      targets.paths.push(path);
      continue;
    }
    const found = await listFolderInputs(path, options);
    targets.paths.push(...found.inputs);
    targets.skipped.push(...found.skipped);
    if (found.inputs.length === 0) targets.empty.push(path);
  }
  return targets;
}

/**
 * The exit code of `check` over several verdicts: 3 when any file could not be read, else 1 when any is
 * invalid, else 4 when any could not be fully verified, else 0.
 */
export function checkExitCode(reports: readonly CheckReport[], emptyFolders = 0): ExitCodeValue {
  let io = emptyFolders > 0;
  let invalid = false;
  let unverified = false;
  for (const report of reports) {
    if (report.valid) continue;
    if (report.format === 'unknown' && report.error.kind === 'io') io = true;
    else if (report.format === 'rdb' && report.verdict === 'unverified') unverified = true;
    else invalid = true;
  }
  return io ? ExitCode.io : invalid ? ExitCode.invalid : unverified ? ExitCode.unverified : ExitCode.ok;
}
