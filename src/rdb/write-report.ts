import type { RdbTarget } from './targets.js';

/*
 * What a writer reports of the records it consumed: what it wrote and what it left out. Every writer of
 * `convert` (RDB here; AOF, RESP, multi-part and JSON in src/output) fills the same object, which
 * `convert --json` prints.
 */

/**
 * Kinds of things a writer can leave out or approximate. Those a target cannot hold are errors unless the
 * caller allows dropping them (`--drop-unsupported`); the others are counted and never errors: those the
 * target approximates ({@link APPROXIMATED_KINDS}) and those a command stream has no place for (`aux`,
 * `module-aux` in an AOF without an RDB preamble, `slot-info`).
 */
export type DropKind =
  /** A hash field's TTL (the field is kept, without it). */
  | 'field-ttl'
  /** A function library (FUNCTION2). */
  | 'function'
  /** A module value: the key. */
  | 'module'
  /** A module's AUX record. */
  | 'module-aux'
  /** A stream: the key (the target has no streams). */
  | 'stream'
  /** Stream metadata the target's stream type cannot hold (entries-added, max-deleted-id, groups' entries-read): the stream is kept. */
  | 'stream-metadata'
  /** A stream consumer without pending entries, which the target's commands cannot create (XGROUP CREATECONSUMER is 6.2+). */
  | 'stream-consumer'
  /** A Redis 8.6 KEY_META record (the key is kept, without it). */
  | 'key-meta'
  /** A Valkey 9 SLOT_IMPORT record. */
  | 'slot-import'
  /** An AUX field: commands (AOF, RESP) and JSON have none of the RDB's. */
  | 'aux'
  /** Approximated: a key's LRU idle time (IDLE), which the target (or a command) cannot hold. */
  | 'idle'
  /** Approximated: a key's LFU counter (FREQ), which the target (or a command) cannot hold. */
  | 'freq'
  /** Approximated: a stream consumer's active time (RDB 11+), which the target replaces by its seen time. */
  | 'consumer-active-time'
  /** Approximated: stream consumers whose seen and active times become the load time (XCLAIM, XGROUP CREATECONSUMER set them to now). */
  | 'stream-consumer-times'
  /** An empty collection (no element), which Redis never writes and skips when it loads one. */
  | 'empty';

/** Kinds that are never an error: the target approximates them (the way the target's own loader would). */
export const APPROXIMATED_KINDS: ReadonlySet<DropKind> = new Set<DropKind>(['idle', 'freq', 'consumer-active-time', 'stream-consumer-times', 'empty']);

/** What a writer wrote and left out: one shape for every output format. */
export interface WriteReport {
  /** Keys written. */
  keys: number;
  /** Function libraries written. */
  functions: number;
  /** What was left out or approximated, by kind: counts of keys, fields, records. */
  dropped: Partial<Record<DropKind, number>>;
  /** The release an RDB (or an RDB preamble, or a set's RDB BASE) was written for. */
  target?: RdbTarget;
  /** Notes on choices made (a target taken from the input…), one line each. */
  notes: string[];
  /** Things the user should know that are not errors (a stream whose stored length is wrong…), one line each, at most 101. */
  warnings: string[];
}

/** An empty report. */
export function newWriteReport(): WriteReport {
  return { keys: 0, functions: 0, dropped: {}, notes: [], warnings: [] };
}

/** Adds `count` to the `kind` counter of `report`. */
export function countDropped(report: WriteReport, kind: DropKind, count = 1): void {
  if (count > 0) report.dropped[kind] = (report.dropped[kind] ?? 0) + count;
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
