import { UsageError } from '../errors.js';
import { identifyInput } from '../input/detect.js';
import { inspectAofSet } from './inspect-aof.js';
import type { AofFileReport, AofInspectReport } from './inspect-aof.js';
import { inspectRdb } from './inspect-rdb.js';
import type { InspectRdbOptions, RdbInspectReport } from './inspect-rdb.js';

/** What `inspect` says of one path. */
export type InspectReport = RdbInspectReport | AofInspectReport;

/**
 * `redback inspect` of one path, whatever it is. `onKey` (every key, for `--keys`) needs an RDB: on an AOF
 * it is a {@link UsageError}. `onAofFile` receives each file of an AOF instead of the report (see
 * {@link inspectAofSet}). Throws the readers' errors.
 */
export async function inspectPath(path: string, options: InspectRdbOptions & { onAofFile?: (file: AofFileReport) => void } = {}): Promise<InspectReport> {
  const input = await identifyInput(path);
  if (input.kind === 'rdb') return inspectRdb(path, options);
  if (options.onKey || options.keyFilter) throw new UsageError('--keys lists the keys of an RDB; for an AOF use inspect without it');
  return inspectAofSet(input.set, path, { now: options.now, top: options.top, onFile: options.onAofFile });
}
