import type { RdbTarget } from './targets.js';

/*
 * What a writer reports of the records it consumed: what it wrote and what it left out. Every writer of
 * `convert` (RDB here, AOF, RESP, JSON in src/output) fills the same object, which `convert --json` prints.
 */

/**
 * Kinds of things a writer can leave out or approximate. Those a target cannot hold are errors unless the
 * caller allows dropping them (`--drop-unsupported`); those marked "approximated" are never errors.
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
  /** A Redis 8.6 KEY_META record (the key is kept, without it). */
  | 'key-meta'
  /** A Valkey 9 SLOT_IMPORT record. */
  | 'slot-import'
  /** Approximated: a key's LRU idle time (IDLE), which the target cannot hold. */
  | 'idle'
  /** Approximated: a key's LFU counter (FREQ), which the target cannot hold. */
  | 'freq'
  /** Approximated: a stream consumer's active time (RDB 11+), which the target replaces by its seen time. */
  | 'consumer-active-time'
  /** An empty collection (no element), which Redis never writes and skips when it loads one. */
  | 'empty';

/** Kinds that are never an error: the target approximates them (the way the target's own loader would). */
export const APPROXIMATED_KINDS: ReadonlySet<DropKind> = new Set<DropKind>(['idle', 'freq', 'consumer-active-time', 'empty']);

/** What a writer wrote and left out. */
export interface WriteReport {
  /** Keys written. */
  keys: number;
  /** What was left out or approximated, by kind: counts of keys, fields, records. */
  dropped: Partial<Record<DropKind, number>>;
  /** The release an RDB (or an AOF's RDB preamble) was written for. */
  target?: RdbTarget;
  /** Notes on choices made (a target taken from the input…). */
  notes: string[];
}

/** An empty report. */
export function newWriteReport(): WriteReport {
  return { keys: 0, dropped: {}, notes: [] };
}

/** Adds `count` to the `kind` counter of `report`. */
export function countDropped(report: WriteReport, kind: DropKind, count = 1): void {
  if (count > 0) report.dropped[kind] = (report.dropped[kind] ?? 0) + count;
}
