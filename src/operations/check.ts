import { RedbackError, InputOutputError } from '../errors.js';
import { identifyFormat } from '../input/detect.js';
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
