import type { ChunkedInput } from '../bytes/input.js';
import type { RedisType } from './constants.js';
import { scanRdbFile } from './file.js';
import type { RdbFileScanOptions } from './file.js';
import type { AnyKeyRecord, AnyRdbRecord, KeyEndRecord } from './model.js';
import { scanRdbInput } from './scan.js';
import type { RdbScanOutcome, RdbVisitor } from './scan.js';

/**
 * What one pass over an RDB learns for `check` and `inspect`: how it ended (the scan outcome), counts, and
 * with `detail` per-db totals, the biggest keys, AUX fields, functions and modules.
 */
export interface RdbSummary extends RdbScanOutcome {
  /** The db selected where the pass ended. */
  endDb: number;
  keys: number;
  expires: number;
  alreadyExpired: number;
  subexpires: number;
  bytes: number;
  /** The rest is filled only with `detail` (for inspect). */
  aux: { key: Uint8Array; value: Uint8Array }[];
  functions: { library: string | undefined; engine: string | undefined; bytes: number; preRelease: boolean }[];
  modules: { name: string; encver: number; keys: number; auxRecords: number }[];
  databases: SummaryDb[];
  /** The biggest keys, by encoded bytes descending then offset ascending. */
  top: SummaryKey[];
}

/** Totals of one group of keys. */
export interface KeyTotals {
  keys: number;
  bytes: number;
  elements: number;
}

/** Totals of one database. */
export interface SummaryDb {
  db: number;
  keys: number;
  expires: number;
  alreadyExpired: number;
  bytes: number;
  sizeHint: { keys: number; expires: number } | undefined;
  byType: Partial<Record<RedisType, KeyTotals>>;
  /** Keyed by the RDB type name (redis-check-rdb's: "hash-listpack", "quicklist-v2"…). */
  byEncoding: Record<string, KeyTotals>;
  /** Keyed by type, then by what `OBJECT ENCODING` says ("listpack", "int"…). */
  byObjectEncoding: Partial<Record<RedisType, Record<string, KeyTotals>>>;
}

/** One key as the summary keeps it. */
export interface SummaryKey {
  db: number;
  key: Uint8Array;
  type: RedisType;
  /** The RDB type name. */
  encoding: string;
  /** What `OBJECT ENCODING` says. */
  objectEncoding: string;
  expireMs: number | undefined;
  elements: number;
  bytes: number;
  offset: number;
}

/** Options of {@link summarizeRdbInput} and {@link summarizeRdbFile}. */
export interface SummaryOptions {
  /** "Now" in ms since the epoch, for counting expired keys. */
  now: number;
  /** Collect what inspect needs (per-db totals, biggest keys, AUX…), not only the counts of check. */
  detail: boolean;
  /** How many biggest keys to keep (default 10). */
  top?: number;
  /** Receives every key in file order. */
  onKey?: (key: AnyKeyRecord, end: KeyEndRecord) => void;
}

interface Counts {
  endDb: number;
  keys: number;
  expires: number;
  alreadyExpired: number;
  subexpires: number;
  bytes: number;
  aux: RdbSummary['aux'];
  functions: RdbSummary['functions'];
  modules: RdbSummary['modules'];
  databases: SummaryDb[];
  top: SummaryKey[];
}

function emptyCounts(): Counts {
  return { endDb: 0, keys: 0, expires: 0, alreadyExpired: 0, subexpires: 0, bytes: 0, aux: [], functions: [], modules: [], databases: [], top: [] };
}

function addTotals(totals: Partial<Record<string, KeyTotals>>, name: string, bytes: number, elements: number): void {
  const entry = (totals[name] ??= { keys: 0, bytes: 0, elements: 0 });
  entry.keys++;
  entry.bytes += bytes;
  entry.elements += elements;
}

function newDb(db: number): SummaryDb {
  return { db, keys: 0, expires: 0, alreadyExpired: 0, bytes: 0, sizeHint: undefined, byType: {}, byEncoding: {}, byObjectEncoding: {} };
}

/** Orders keys biggest first, then by position in the file. */
function byBytes(a: SummaryKey, b: SummaryKey): number {
  return b.bytes - a.bytes || a.offset - b.offset;
}

/** Builds a summary from the records of a scan: a visitor for {@link scanRdb} and the AOF reader. */
export class Summarizer implements RdbVisitor {
  readonly summary: Counts = emptyCounts();
  private readonly dbs = new Map<number, SummaryDb>();
  private readonly moduleIndex = new Map<string, RdbSummary['modules'][number]>();
  private readonly topLimit: number;

  constructor(private readonly options: SummaryOptions) {
    this.topLimit = options.top ?? 10;
  }

  /** The summary of the scan that ended with `outcome`. */
  finish(outcome: RdbScanOutcome): RdbSummary {
    return { ...outcome, ...this.summary };
  }

  private db(db: number): SummaryDb {
    let entry = this.dbs.get(db);
    if (!entry) {
      entry = newDb(db);
      this.dbs.set(db, entry);
      this.summary.databases.push(entry);
    }
    return entry;
  }

  private module(name: string, encver: number): RdbSummary['modules'][number] {
    let entry = this.moduleIndex.get(name);
    if (!entry) {
      entry = { name, encver, keys: 0, auxRecords: 0 };
      this.moduleIndex.set(name, entry);
      this.summary.modules.push(entry);
    }
    return entry;
  }

  record(record: AnyRdbRecord): void {
    const summary = this.summary;
    if (record.kind === 'selectdb') {
      summary.endDb = record.db;
      if (this.options.detail) this.db(record.db);
      return;
    }
    if (!this.options.detail) return;
    switch (record.kind) {
      case 'aux':
        summary.aux.push({ key: record.key.slice(), value: record.value.slice() });
        break;
      case 'resizedb':
        this.db(summary.endDb).sizeHint = { keys: record.dbSize, expires: record.expiresSize };
        break;
      case 'function':
        summary.functions.push({ library: record.library, engine: record.engine, bytes: record.code.length, preRelease: record.preRelease });
        break;
      case 'module-aux':
        this.module(record.moduleName, record.encver).auxRecords++;
        break;
      case 'key':
        if (record.module) this.module(record.module.moduleName, record.module.encver).keys++;
        break;
      default:
        break;
    }
  }

  key(key: AnyKeyRecord): void {
    if (key.expireMs === undefined) return;
    this.summary.expires++;
    if (key.expireMs < this.options.now) this.summary.alreadyExpired++;
  }

  keyEnd(end: KeyEndRecord, key: AnyKeyRecord): void {
    const summary = this.summary;
    summary.keys++;
    summary.bytes += end.encodedBytes;
    if (end.fieldTtls) summary.subexpires++;
    this.options.onKey?.(key, end);
    if (!this.options.detail) return;
    const db = this.db(key.db);
    db.keys++;
    db.bytes += end.encodedBytes;
    addTotals(db.byType, key.type, end.encodedBytes, end.elements);
    addTotals(db.byEncoding, key.encoding, end.encodedBytes, end.elements);
    addTotals((db.byObjectEncoding[key.type] ??= {}), end.objectEncoding, end.encodedBytes, end.elements);
    if (key.expireMs !== undefined) {
      db.expires++;
      if (key.expireMs < this.options.now) db.alreadyExpired++;
    }
    const top = summary.top;
    if (this.topLimit <= 0) return;
    const last = top[top.length - 1];
    // Ties keep the earlier key: a later key of the same size ranks below it.
    if (top.length >= this.topLimit && last !== undefined && end.encodedBytes <= last.bytes) return;
    const item: SummaryKey = {
      db: key.db,
      key: key.key.slice(),
      type: key.type,
      encoding: key.encoding,
      objectEncoding: end.objectEncoding,
      expireMs: key.expireMs,
      elements: end.elements,
      bytes: end.encodedBytes,
      offset: key.offset,
    };
    let i = top.findIndex((other) => byBytes(item, other) < 0);
    if (i < 0) i = top.length;
    top.splice(i, 0, item);
    if (top.length > this.topLimit) top.pop();
  }
}

/**
 * Reads an RDB from an open input (an AOF's RDB preamble, say) and summarizes it. Never throws for bad bytes:
 * the first problem is in `error`. Throws {@link InputOutputError} and what is not ours.
 */
export async function summarizeRdbInput(input: ChunkedInput, options: SummaryOptions & { onProgress?: (offset: number) => void; file?: string }): Promise<RdbSummary> {
  const summarizer = new Summarizer(options);
  return summarizer.finish(await scanRdbInput(input, summarizer, { onProgress: options.onProgress, file: options.file }));
}

/** Summarizes an RDB file in one pass (see {@link scanRdbFile}); the file's size comes with it. */
export async function summarizeRdbFile(
  path: string,
  options: SummaryOptions & Omit<RdbFileScanOptions, 'materialize'>,
): Promise<RdbSummary & { size: number; compressed: boolean }> {
  const { now, detail, top, onKey, ...scan } = options;
  const summarizer = new Summarizer({ now, detail, top, onKey });
  const outcome = await scanRdbFile(path, summarizer, scan);
  return Object.assign(summarizer.finish(outcome), { size: outcome.size, compressed: outcome.compressed });
}
