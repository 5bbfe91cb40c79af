import type { ChunkedInput } from '../bytes/input.js';
import { jsonBytes, utf8 } from '../bytes/text.js';
import type { JsonBytes } from '../bytes/text.js';
import { openInput } from '../io/open.js';
import type { RedisType } from '../rdb/constants.js';
import type { KeyEndRecord, KeyRecord } from '../rdb/model.js';
import { scanRdb } from './rdb-scan.js';

/** One key as `inspect --keys` lists it. */
export interface KeyInfo {
  db: number;
  key: JsonBytes;
  type: RedisType;
  encoding: string;
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
  byEncoding: Record<string, KeyTotals>;
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
  onProgress?: (offset: number, total: number | undefined) => void;
  name?: string;
}

function add(totals: Partial<Record<string, KeyTotals>>, name: string, bytes: number, elements: number): void {
  const entry = (totals[name] ??= { keys: 0, bytes: 0, elements: 0 });
  entry.keys++;
  entry.bytes += bytes;
  entry.elements += elements;
}

/** Keeps the N largest items by `bytes`, in ascending order internally. */
class TopKeys {
  private readonly items: KeyInfo[] = [];
  constructor(private readonly limit: number) {}

  offer(make: () => KeyInfo, bytes: number): void {
    if (this.limit <= 0) return;
    if (this.items.length >= this.limit && bytes <= (this.items[0] as KeyInfo).bytes) return;
    const item = make();
    let i = this.items.findIndex((other) => other.bytes > bytes);
    if (i < 0) i = this.items.length;
    this.items.splice(i, 0, item);
    if (this.items.length > this.limit) this.items.shift();
  }

  largestFirst(): KeyInfo[] {
    return [...this.items].reverse();
  }
}

/**
 * Summarises an RDB file in one streaming pass: header, AUX fields, functions, modules, per-database
 * counts by type and encoding, expiries, encoded sizes and the biggest keys. Throws the reader's errors
 * (a corrupt or truncated file), and {@link InputOutputError} when the file cannot be read.
 */
export async function inspectRdb(path: string, options: InspectRdbOptions = {}): Promise<RdbInspectReport> {
  const name = options.name ?? path;
  const input = await openInput(path, name, { reuseBuffer: true });
  try {
    return await inspectRdbInput(input, { ...options, name, size: input.fileSize, compressed: input.compressed });
  } finally {
    await input.close();
  }
}

/** {@link inspectRdb} over an already open input (an AOF's RDB preamble, say). */
export async function inspectRdbInput(
  input: ChunkedInput,
  options: InspectRdbOptions & { size?: number; compressed?: boolean } = {},
): Promise<RdbInspectReport> {
  const now = options.now ?? Date.now();
  const top = new TopKeys(options.top ?? 10);
  const report: RdbInspectReport = {
    file: options.name ?? input.name,
    format: 'rdb',
    size: options.size ?? 0,
    compressed: options.compressed ?? false,
    magic: 'REDIS',
    version: 0,
    aux: [],
    server: {},
    functions: [],
    modules: [],
    databases: [],
    totals: { keys: 0, expires: 0, alreadyExpired: 0, bytes: 0, byType: {} },
    top: [],
    checksum: undefined,
    warnings: [],
    now,
  };
  const databases = new Map<number, DatabaseReport>();
  const modules = new Map<string, RdbInspectReport['modules'][number]>();
  const database = (db: number): DatabaseReport => {
    let entry = databases.get(db);
    if (!entry) {
      entry = { db, keys: 0, expires: 0, alreadyExpired: 0, sizeHint: undefined, byType: {}, byEncoding: {}, bytes: 0 };
      databases.set(db, entry);
    }
    return entry;
  };
  const module = (moduleName: string, encver: number): RdbInspectReport['modules'][number] => {
    let entry = modules.get(moduleName);
    if (!entry) {
      entry = { name: moduleName, encver, keys: 0, auxRecords: 0 };
      modules.set(moduleName, entry);
    }
    return entry;
  };
  let currentDb = 0;
  const keyInfo = (key: KeyRecord, end: KeyEndRecord): KeyInfo => ({
    db: key.db,
    key: jsonBytes(key.key),
    type: key.type,
    encoding: key.encoding,
    expireAt: key.expireMs ?? null,
    ttlMs: key.expireMs === undefined ? null : key.expireMs - now,
    elements: end.elements,
    bytes: end.encodedBytes,
    offset: key.offset,
  });
  const parser = await scanRdb(
    input,
    {
      record(record) {
        switch (record.kind) {
          case 'header':
            report.magic = record.magic;
            report.version = record.version;
            break;
          case 'aux': {
            report.aux.push({ key: jsonBytes(record.key), value: jsonBytes(record.value) });
            const key = utf8(record.key);
            const value = utf8(record.value);
            if (key === 'redis-ver') report.server.redisVersion = value;
            else if (key === 'valkey-ver') report.server.valkeyVersion = value;
            else if (key === 'redis-bits') report.server.bits = Number(value);
            else if (key === 'ctime' && /^\d+$/.test(value)) report.server.createdAt = new Date(Number(value) * 1000).toISOString();
            else if (key === 'used-mem') report.server.usedMemory = Number(value);
            else if (key === 'aof-base' || key === 'aof-preamble') report.server.aofBase = value === '1';
            else if (key === 'repl-id') report.server.replicationId = value;
            else if (key === 'repl-offset') report.server.replicationOffset = Number(value);
            break;
          }
          case 'selectdb':
            currentDb = record.db;
            database(record.db);
            break;
          case 'resizedb':
            database(currentDb).sizeHint = { keys: record.dbSize, expires: record.expiresSize };
            break;
          case 'function':
            report.functions.push({ library: record.library, engine: record.engine, bytes: record.code.length, preRelease: record.preRelease });
            break;
          case 'module-aux':
            module(record.moduleName, record.encver).auxRecords++;
            break;
          case 'value':
            if (record.chunk.type === 'module') module(record.chunk.moduleName, record.chunk.encver).keys++;
            break;
          case 'eof':
            report.checksum = record.checksum;
            break;
          default:
            break;
        }
      },
      keyEnd(end, key) {
        const db = database(key.db);
        db.keys++;
        db.bytes += end.encodedBytes;
        add(db.byType, key.type, end.encodedBytes, end.elements);
        add(db.byEncoding, key.encoding, end.encodedBytes, end.elements);
        add(report.totals.byType, key.type, end.encodedBytes, end.elements);
        report.totals.keys++;
        report.totals.bytes += end.encodedBytes;
        if (key.expireMs !== undefined) {
          db.expires++;
          report.totals.expires++;
          if (key.expireMs < now) {
            db.alreadyExpired++;
            report.totals.alreadyExpired++;
          }
        }
        top.offer(() => keyInfo(key, end), end.encodedBytes);
        options.onKey?.(keyInfo(key, end));
      },
    },
    { onProgress: (offset) => options.onProgress?.(offset, report.compressed ? undefined : report.size) },
  );
  report.databases = [...databases.values()].filter((db) => db.keys > 0 || db.sizeHint !== undefined).sort((a, b) => a.db - b.db);
  report.modules = [...modules.values()];
  report.top = top.largestFirst();
  report.warnings = parser.warnings.map((warning) => warning.message);
  return report;
}
