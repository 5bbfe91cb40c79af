import { jsonBytes, utf8 } from '../bytes/text.js';
import type { JsonBytes } from '../bytes/text.js';
import type { RedisType } from '../rdb/constants.js';
import type { AnyKeyRecord, KeyEndRecord } from '../rdb/model.js';
import { failureError } from '../errors.js';
import { summarizeRdbFile } from '../rdb/summary.js';
import type { RdbSummary } from '../rdb/summary.js';
import type { KeyFilter } from './key-filter.js';

/** One key as `inspect --keys` lists it. */
export interface KeyInfo {
  db: number;
  key: JsonBytes;
  type: RedisType;
  /** What Redis's `OBJECT ENCODING` says once the file is loaded: listpack, quicklist, int, embstr… */
  encoding: string;
  /** The RDB type the file stores the value as (redis-check-rdb's name: "hash-listpack", "quicklist-v2"…). */
  rdbType: string;
  /** Absolute expiry in ms since the epoch, or null. */
  expireAt: number | null;
  /** Milliseconds left at `now` (negative when already expired), or null without a TTL. */
  ttlMs: number | null;
  elements: number;
  /** Encoded bytes in the file, prefix opcodes included. */
  bytes: number;
  offset: number;
}

/** Totals for one group of keys. */
export interface KeyTotals {
  keys: number;
  bytes: number;
  elements: number;
}

/** What `inspect` reports for one database. */
export interface DatabaseReport {
  db: number;
  keys: number;
  /** Keys with a TTL. */
  expires: number;
  /** Keys whose TTL is already past at `now`. */
  alreadyExpired: number;
  /** The RESIZEDB hint stored for the db, when present. */
  sizeHint: { keys: number; expires: number } | undefined;
  byType: Partial<Record<RedisType, KeyTotals>>;
  /** By type, then by `OBJECT ENCODING` name ({"hash": {"listpack": …, "hashtable": …}}). */
  byEncoding: Partial<Record<RedisType, Record<string, KeyTotals>>>;
  /** By RDB type name ("hash-listpack"…). */
  byRdbType: Record<string, KeyTotals>;
  bytes: number;
}

/** What `redback inspect` reports for an RDB file. */
export interface RdbInspectReport {
  file: string;
  format: 'rdb';
  size: number;
  compressed: boolean;
  magic: 'REDIS' | 'VALKEY';
  version: number;
  /** AUX fields in file order; values as text when valid UTF-8. */
  aux: { key: JsonBytes; value: JsonBytes }[];
  /** Well-known AUX fields decoded: redis-ver, ctime as ISO date, used-mem in bytes… */
  server: {
    redisVersion?: string;
    valkeyVersion?: string;
    bits?: number;
    createdAt?: string;
    usedMemory?: number;
    aofBase?: boolean;
    replicationId?: string;
    replicationOffset?: number;
  };
  functions: { library: string | undefined; engine: string | undefined; bytes: number; preRelease: boolean }[];
  modules: { name: string; encver: number; keys: number; auxRecords: number }[];
  databases: DatabaseReport[];
  totals: { keys: number; expires: number; alreadyExpired: number; bytes: number; byType: Partial<Record<RedisType, KeyTotals>> };
  /** The biggest keys by encoded size, largest first. */
  top: KeyInfo[];
  checksum: 'ok' | 'disabled' | 'absent' | 'skipped' | undefined;
  warnings: string[];
  /** "Now" used for TTLs, ms since the epoch. */
  now: number;
}

/** Options of {@link inspectRdb}. */
export interface InspectRdbOptions {
  /** Number of biggest keys to report (default 10). */
  top?: number;
  /** "Now" in ms since the epoch for TTLs (default: the current time). */
  now?: number;
  /** Receives every key, in file order (for `--keys`). */
  onKey?: (key: KeyInfo) => void;
  /** Only the keys this filter keeps go to `onKey` (the summary counts every key). */
  keyFilter?: KeyFilter;
  onProgress?: (offset: number, total: number | undefined) => void;
  name?: string;
}

/** Options of {@link inspectRdb}. */
export type InspectRdbFileOptions = InspectRdbOptions;

/**
 * Summarises an RDB file in one streaming pass: header, AUX fields, functions, modules, per-database
 * counts by type and encoding, expiries, encoded sizes and the biggest keys. Throws the reader's errors
 * (a corrupt or truncated file), and {@link InputOutputError} when the file cannot be read.
 */
export async function inspectRdb(path: string, options: InspectRdbFileOptions = {}): Promise<RdbInspectReport> {
  const name = options.name ?? path;
  const now = options.now ?? Date.now();
  const onKey = options.onKey;
  const filter = options.keyFilter?.active ? options.keyFilter : undefined;
  const summary = await summarizeRdbFile(path, {
    name,
    now,
    detail: true,
    top: options.top ?? 10,
    onKey:
      onKey &&
      ((key, end) => {
        if (filter && (filter.byHeader(key.db, key.key, key.type, key.expireMs) ?? filter.bySize(end.encodedBytes)) !== undefined) return;
        onKey(keyInfo(key, end, now));
      }),
    onProgress: options.onProgress,
  });
  return toReport(summary, { name, size: summary.size, compressed: summary.compressed, now });
}

function keyInfo(key: AnyKeyRecord, end: KeyEndRecord, now: number): KeyInfo {
  return {
    db: key.db,
    key: jsonBytes(key.key),
    type: key.type,
    encoding: end.objectEncoding,
    rdbType: key.encoding,
    expireAt: key.expireMs ?? null,
    ttlMs: key.expireMs === undefined ? null : key.expireMs - now,
    elements: end.elements,
    bytes: end.encodedBytes,
    offset: key.offset,
  };
}

function addTotals(into: Partial<Record<string, KeyTotals>>, name: string, totals: KeyTotals): void {
  const entry = (into[name] ??= { keys: 0, bytes: 0, elements: 0 });
  entry.keys += totals.keys;
  entry.bytes += totals.bytes;
  entry.elements += totals.elements;
}

/** The inspect report of a summary read with `detail`; throws the error the summary ended with. */
export function toReport(summary: RdbSummary, file: { name: string; size: number; compressed: boolean; now: number }): RdbInspectReport {
  if (summary.error) throw failureError(summary.error);
  const report: RdbInspectReport = {
    file: file.name,
    format: 'rdb',
    size: file.size,
    compressed: file.compressed,
    magic: summary.magic ?? 'REDIS',
    version: summary.version ?? 0,
    aux: [],
    server: {},
    functions: summary.functions,
    modules: summary.modules,
    databases: [],
    totals: { keys: 0, expires: 0, alreadyExpired: 0, bytes: 0, byType: {} },
    top: summary.top.map((key) => ({
      db: key.db,
      key: jsonBytes(key.key),
      type: key.type,
      encoding: key.objectEncoding,
      rdbType: key.encoding,
      expireAt: key.expireMs ?? null,
      ttlMs: key.expireMs === undefined ? null : key.expireMs - file.now,
      elements: key.elements,
      bytes: key.bytes,
      offset: key.offset,
    })),
    checksum: summary.checksum,
    warnings: summary.warnings.map((warning) => warning.message),
    now: file.now,
  };
  for (const { key: rawKey, value: rawValue } of summary.aux) {
    report.aux.push({ key: jsonBytes(rawKey), value: jsonBytes(rawValue) });
    const key = utf8(rawKey);
    const value = utf8(rawValue);
    if (key === 'redis-ver') report.server.redisVersion = value;
    else if (key === 'valkey-ver') report.server.valkeyVersion = value;
    else if (key === 'redis-bits') report.server.bits = Number(value);
    else if (key === 'ctime' && /^\d+$/.test(value)) report.server.createdAt = new Date(Number(value) * 1000).toISOString();
    else if (key === 'used-mem') report.server.usedMemory = Number(value);
    else if (key === 'aof-base' || key === 'aof-preamble') report.server.aofBase = value === '1';
    else if (key === 'repl-id') report.server.replicationId = value;
    else if (key === 'repl-offset') report.server.replicationOffset = Number(value);
  }
  report.databases = summary.databases
    .filter((db) => db.keys > 0 || db.sizeHint !== undefined)
    .sort((a, b) => a.db - b.db)
    .map(({ byEncoding, byObjectEncoding, ...db }) => ({ ...db, byEncoding: byObjectEncoding, byRdbType: byEncoding }));
  for (const db of report.databases) {
    report.totals.keys += db.keys;
    report.totals.expires += db.expires;
    report.totals.alreadyExpired += db.alreadyExpired;
    report.totals.bytes += db.bytes;
    for (const [type, totals] of Object.entries(db.byType)) addTotals(report.totals.byType, type, totals as KeyTotals);
  }
  return report;
}
