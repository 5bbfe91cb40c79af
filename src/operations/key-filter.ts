import { globMatcher, type GlobMatcher } from '../bytes/glob.js';
import { UsageError } from '../errors.js';
import type { RedisType } from '../rdb/constants.js';

/*
 * The key filters of `convert` and `inspect --keys`: by database, by name (Redis glob patterns, over the
 * key's bytes), by type, by encoded size, and keys already expired.
 */

/** The filter flags. Every given filter must pass for a key to be kept. */
export interface KeyFilterOptions {
  /** Keep the keys of these databases (`--db`, repeatable). */
  db?: readonly number[];
  /** Keep keys matching one of these globs (`--key`, repeatable; Redis's glob rules). */
  key?: readonly string[];
  /** Leave out keys matching one of these globs (`--exclude-key`, repeatable). */
  excludeKey?: readonly string[];
  /** Keep keys of these types (`--type`, repeatable or comma-separated). */
  type?: readonly RedisType[];
  /** Keep keys whose encoded size in the input is at least this many bytes (`--min-bytes`). */
  minBytes?: number;
  /** Leave out keys whose TTL is already past at `now` (`--drop-expired`). */
  dropExpired?: boolean;
  /** The time TTLs are measured from, ms since the epoch (`--now`; default: now). */
  now?: number;
}

/** Why a filter left a key out; the names are those of the report's `filtered` counters. */
export type FilterReason = 'db' | 'key' | 'type' | 'expired' | 'minBytes';

const TYPES: readonly RedisType[] = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'];

/** Parses `--type` values (each may be a comma-separated list). Throws a {@link UsageError} for an unknown type. */
export function parseTypes(values: readonly string[]): RedisType[] {
  const out: RedisType[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const name = part.trim().toLowerCase();
      if (name === '') continue;
      if (!(TYPES as readonly string[]).includes(name)) throw new UsageError(`--type: unknown type '${part}': known are ${TYPES.join(', ')}`);
      out.push(name as RedisType);
    }
  }
  return out;
}

/** A compiled set of key filters. */
export class KeyFilter {
  private readonly dbs: ReadonlySet<number> | undefined;
  private readonly include: GlobMatcher[];
  private readonly exclude: GlobMatcher[];
  private readonly types: ReadonlySet<RedisType> | undefined;
  readonly minBytes: number | undefined;
  private readonly dropExpired: boolean;
  private readonly now: number;

  constructor(options: KeyFilterOptions = {}) {
    this.dbs = options.db && options.db.length > 0 ? new Set(options.db) : undefined;
    this.include = (options.key ?? []).map((pattern) => globMatcher(pattern));
    this.exclude = (options.excludeKey ?? []).map((pattern) => globMatcher(pattern));
    this.types = options.type && options.type.length > 0 ? new Set(options.type) : undefined;
    this.minBytes = options.minBytes !== undefined && options.minBytes > 0 ? options.minBytes : undefined;
    this.dropExpired = options.dropExpired === true;
    this.now = options.now ?? Date.now();
  }

  /** True when some filter may leave keys out. */
  get active(): boolean {
    return this.dbs !== undefined || this.include.length > 0 || this.exclude.length > 0 || this.types !== undefined || this.minBytes !== undefined || this.dropExpired;
  }

  /** True when a filter other than the size filter may leave keys out (the size is known only after a key). */
  get selectsByHeader(): boolean {
    return this.dbs !== undefined || this.include.length > 0 || this.exclude.length > 0 || this.types !== undefined || this.dropExpired;
  }

  /**
   * Why the key is left out by what its record tells (db, name, type, expiry), or undefined when it passes
   * those filters (the size filter is applied with {@link bySize}).
   */
  byHeader(db: number, key: Uint8Array, type: RedisType, expireMs: number | undefined): FilterReason | undefined {
    if (this.dbs !== undefined && !this.dbs.has(db)) return 'db';
    if (this.include.length > 0 && !this.include.some((match) => match(key))) return 'key';
    if (this.exclude.some((match) => match(key))) return 'key';
    if (this.types !== undefined && !this.types.has(type)) return 'type';
    if (this.dropExpired && expireMs !== undefined && expireMs < this.now) return 'expired';
    return undefined;
  }

  /** 'minBytes' when a key of `encodedBytes` is below `--min-bytes`. */
  bySize(encodedBytes: number): FilterReason | undefined {
    return this.minBytes !== undefined && encodedBytes < this.minBytes ? 'minBytes' : undefined;
  }
}
