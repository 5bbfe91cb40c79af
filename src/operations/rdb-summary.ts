import type { ChunkedInput } from '../bytes/input.js';
import { ChecksumError, CorruptError, InputOutputError, RedbackError, TruncatedError, UnsupportedError } from '../errors.js';
import type { RedisType } from '../rdb/constants.js';
import type { KeyEndRecord, KeyRecord, RdbRecord } from '../rdb/model.js';
import type { RdbParser } from '../rdb/parser.js';
import { scanRdb, toFailure } from './rdb-scan.js';
import type { RdbVisitor, ScanFailure } from './rdb-scan.js';

/**
 * What one pass over an RDB, or over a part of one, learns for `check` and `inspect`: counts, per-db totals,
 * the biggest keys, AUX fields, and how the pass ended. Plain data.
 */
export interface RdbSummary {
  /** The EOF opcode and checksum were read. */
  done: boolean;
  /** The db selected where the pass ended. */
  endDb: number;
  magic: 'REDIS' | 'VALKEY' | undefined;
  version: number | undefined;
  keys: number;
  expires: number;
  alreadyExpired: number;
  subexpires: number;
  bytes: number;
  /** Absolute offset just past the last complete record. */
  okUpTo: number;
  storedChecksum: { value: bigint; offset: number } | undefined;
  checksum: 'ok' | 'disabled' | 'absent' | 'skipped' | undefined;
  /** Bytes found after the checksum (how many, when the size of the source is known). */
  trailing: { offset: number; bytes: number | undefined } | undefined;
  error: SummaryFailure | undefined;
  warnings: { offset: number; message: string }[];
  /** The rest is filled only with `detail` (for inspect). */
  aux: { key: Uint8Array; value: Uint8Array }[];
  functions: { library: string | undefined; engine: string | undefined; bytes: number; preRelease: boolean }[];
  modules: { name: string; encver: number; keys: number; auxRecords: number }[];
  databases: SummaryDb[];
  /** The biggest keys, by encoded bytes descending then offset ascending. */
  top: SummaryKey[];
}

/** A {@link ScanFailure} with what it takes to rebuild the error on the other side of a thread. */
export interface SummaryFailure extends ScanFailure {
  file: string | undefined;
  needed?: number;
  available?: number;
  expected?: bigint;
  actual?: bigint;
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

/** Options of {@link summarizeInput}. */
export interface SummaryOptions {
  /** "Now" in ms since the epoch, for counting expired keys. */
  now: number;
  /** Collect what inspect needs (per-db totals, biggest keys, AUX…), not only the counts of check. */
  detail: boolean;
  /** How many biggest keys to keep (default 10). */
  top?: number;
  /** Compute and compare the CRC64 (default true); with false the caller checks it. */
  verifyChecksum?: boolean;
  /** Receives every key in file order. */
  onKey?: (key: KeyRecord, end: KeyEndRecord) => void;
  onProgress?: (offset: number) => void;
}

export function emptySummary(start: number): RdbSummary {
  return {
    done: false,
    endDb: 0,
    magic: undefined,
    version: undefined,
    keys: 0,
    expires: 0,
    alreadyExpired: 0,
    subexpires: 0,
    bytes: 0,
    okUpTo: start,
    storedChecksum: undefined,
    checksum: undefined,
    trailing: undefined,
    error: undefined,
    warnings: [],
    aux: [],
    functions: [],
    modules: [],
    databases: [],
    top: [],
  };
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

/** Builds a summary from the records of a scan. */
class Summarizer implements RdbVisitor {
  readonly summary: RdbSummary;
  private readonly dbs = new Map<number, SummaryDb>();
  private readonly moduleIndex = new Map<string, RdbSummary['modules'][number]>();
  private readonly topLimit: number;

  constructor(
    start: number,
    private readonly options: SummaryOptions,
  ) {
    this.summary = emptySummary(start);
    this.topLimit = options.top ?? 10;
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

  record(record: RdbRecord): void {
    const summary = this.summary;
    summary.okUpTo = record.offset + record.length;
    switch (record.kind) {
      case 'header':
        summary.magic = record.magic;
        summary.version = record.version;
        return;
      case 'selectdb':
        summary.endDb = record.db;
        if (this.options.detail) this.db(record.db);
        return;
      case 'eof':
        summary.checksum = record.checksum;
        return;
      default:
        break;
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
      case 'value':
        if (record.chunk.type === 'module') this.module(record.chunk.moduleName, record.chunk.encver).keys++;
        break;
      default:
        break;
    }
  }

  key(key: KeyRecord): void {
    if (key.expireMs === undefined) return;
    this.summary.expires++;
    if (key.expireMs < this.options.now) this.summary.alreadyExpired++;
  }

  keyEnd(end: KeyEndRecord, key: KeyRecord): void {
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

/** Describes a failure so that {@link reviveFailure} can rebuild it in another thread. */
export function describeFailure(error: unknown): SummaryFailure {
  const failure: SummaryFailure = { ...toFailure(error), file: (error as RedbackError).file };
  if (error instanceof TruncatedError) {
    failure.needed = error.needed;
    failure.available = error.available;
  } else if (error instanceof ChecksumError) {
    failure.expected = error.expected;
    failure.actual = error.actual;
  }
  return failure;
}

/** The error a {@link SummaryFailure} describes, of the same class, with the same one-line message. */
export function reviveFailure(failure: SummaryFailure): RedbackError {
  const where = { file: failure.file, offset: failure.offset };
  let error: RedbackError;
  switch (failure.kind) {
    case 'truncated':
      error = new TruncatedError(failure.needed ?? 0, failure.available ?? 0, where);
      break;
    case 'checksum':
      error = new ChecksumError(failure.expected ?? 0n, failure.actual ?? 0n, where);
      break;
    case 'unsupported':
      error = new UnsupportedError(failure.detail, where);
      break;
    case 'io':
      error = new InputOutputError(failure.detail, where);
      break;
    default:
      error = new CorruptError(failure.detail, where);
  }
  (error as { detail: string }).detail = failure.detail;
  error.context = failure.context;
  error.message = error.toLine();
  return error;
}

/**
 * Reads an RDB and summarizes it. Never throws for bad bytes: the first problem is in `error`. Throws only what is not ours.
 */
export async function summarizeInput(input: ChunkedInput, options: SummaryOptions): Promise<RdbSummary> {
  const summarizer = new Summarizer(input.offset, options);
  const summary = summarizer.summary;
  let parser: RdbParser | undefined;
  try {
    parser = await scanRdb(input, summarizer, {
      onProgress: options.onProgress,
      verifyChecksum: options.verifyChecksum,
      onParser: (p) => (parser = p),
    });
    summary.done = true;
    summary.storedChecksum = parser.storedChecksum;
    if (!(await input.atEnd())) {
      const size = input.source.size;
      summary.trailing = { offset: input.offset, bytes: size === undefined ? undefined : size - input.offset };
    }
  } catch (error) {
    summary.error = describeFailure(error);
  }
  if (parser) {
    for (const warning of parser.warnings) summary.warnings.push({ offset: warning.offset, message: warning.message });
  }
  return summary;
}
