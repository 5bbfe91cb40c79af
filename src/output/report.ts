import type { RdbRecord } from '../rdb/model.js';

/** Record batches as the readers yield them (`readRdbBatches`, the JSON dump reader): the input of every writer. */
export type RecordBatches = AsyncIterable<readonly RdbRecord[]>;

/**
 * What a writer did, filled in as it goes (the caller passes one in and reads it when the output ends).
 * `dropped` counts what the output format cannot hold and was left out, by kind:
 * - `aux`: AUX fields (an AOF has none);
 * - `module-aux`: module AUX records (only an RDB or an RDB preamble holds them);
 * - `lru`, `lfu`: keys whose idle time or access frequency was not carried (commands cannot set them);
 * - `key-meta`: Redis 8.6 KEY_META records;
 * - `slot-info`, `slot-import`: cluster slot records of an RDB;
 * - `stream-consumer-times`: consumers whose seen/active times become the load time (XCLAIM and
 *   XGROUP CREATECONSUMER set them to now).
 */
export interface WriteReport {
  /** Keys written. */
  keys: number;
  /** Function libraries written. */
  functions: number;
  /** What was left out, by kind (see above). */
  dropped: Record<string, number>;
  /** Things the user should know that are not errors, one line each. */
  warnings: string[];
}

/** An empty {@link WriteReport}. */
export function newWriteReport(): WriteReport {
  return { keys: 0, functions: 0, dropped: {}, warnings: [] };
}

/** Adds `count` to `report.dropped[kind]`. */
export function countDropped(report: WriteReport, kind: string, count = 1): void {
  report.dropped[kind] = (report.dropped[kind] ?? 0) + count;
}

/** At most this many warnings are kept; the rest are counted in the last one. */
const MAX_WARNINGS = 100;

/** Adds a warning line, keeping at most 100 (then one line saying how many more there were). */
export function addWarning(report: WriteReport, message: string): void {
  if (report.warnings.length < MAX_WARNINGS) {
    report.warnings.push(message);
    return;
  }
  const last = report.warnings[MAX_WARNINGS] ?? '';
  const more = /^(\d+) more warnings$/.exec(last);
  report.warnings[MAX_WARNINGS] = `${more ? Number(more[1]) + 1 : 1} more warnings`;
}
