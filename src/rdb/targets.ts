import { UsageError } from '../errors.js';
import { RdbType } from './constants.js';

/*
 * What each Redis and Valkey release writes and loads, for the RDB writer: its RDB version and magic, the
 * encodings (RDB type names, as redis-check-rdb names them) it loads and the ones it chooses when it saves,
 * and the optional records it knows. Sources: redis/redis src/rdb.h and src/rdb.c of each branch (RDB_VERSION,
 * rdbSaveObjectType, rdbSaveInfoAuxFields), valkey-io/valkey src/rdb.h and src/rdb.c, and
 * ../shared/reference/anchors-and-format-facts.md §3.3–3.7.
 */

/** How a release packs list elements into quicklist nodes (_quicklistNodeAllowInsert; see value-writers.ts). */
export type QuicklistPacking =
  /** 3.2 – 6.2: the node's ziplist size plus the element plus an estimate of its prevlen and encoding bytes. */
  | 'ziplist-estimate'
  /** 7.0: the node's listpack size plus the element plus 8 bytes; PLAIN nodes only from 1 GiB. */
  | 'listpack-estimate'
  /** 7.2 and later: as 7.0, and an element over the node limit gets a PLAIN node of its own (isLargeElement). */
  | 'listpack-estimate-plain';

/** A release the writer can write for. */
export interface RdbTarget {
  /** Canonical name: `redis-7.0`, `valkey-9.0`. */
  readonly name: string;
  readonly product: 'redis' | 'valkey';
  /** Release line, `7.0`. */
  readonly release: string;
  readonly magic: 'REDIS' | 'VALKEY';
  readonly rdbVersion: number;
  /** What the `redis-ver` (or `valkey-ver`) AUX field says. */
  readonly serverVersion: string;
  /** Which AUX field carries the version: Valkey 8.0 and later write `valkey-ver` instead of `redis-ver`. */
  readonly versionAux: 'redis-ver' | 'valkey-ver';
  /** RDB type names the release loads (and that a writer may therefore copy unchanged). */
  readonly loads: ReadonlySet<string>;
  /** The encodings the release writes (see encodings.ts for the thresholds). */
  readonly writes: {
    /** Lists: `linked` = ziplist (10) or linked list (1); `quicklist` (14, ziplist nodes); `quicklist-v2` (18). */
    readonly list: 'linked' | 'quicklist' | 'quicklist-v2';
    readonly quicklistPacking: QuicklistPacking;
    /** Blobs of small hashes and zsets: ziplist (13, 12) before 7.0, listpack (16, 17) from 7.0. */
    readonly small: 'ziplist' | 'listpack';
    /** Sets of strings in a listpack (20), from 7.2. */
    readonly setListpack: boolean;
    /** Skiplist zsets with binary scores (ZSET_2, from 4.0) rather than ASCII ones (ZSET). */
    readonly zsetBinary: boolean;
    /** Stream type byte (15, 19 or 21); undefined before 5.0, which has no streams. */
    readonly stream: number | undefined;
    /** Hashes with field TTLs: Redis 7.4's types 24/25, Valkey 9's HASH_2 (22), or none. */
    readonly fieldTtl: 'redis' | 'valkey' | undefined;
    /** How zset scores are printed into listpacks and ziplists: `%.17g` (d2string before 7.2) or the shortest form (7.2+). */
    readonly scoreText: 'g17' | 'shortest';
  };
  /** Optional records the release knows. */
  readonly records: {
    /** AUX fields (3.2+). */
    readonly aux: boolean;
    /** `aof-preamble` (4.0 – 6.2) or `aof-base` (7.0+) AUX field, or neither (3.2). */
    readonly aofAux: 'aof-preamble' | 'aof-base' | undefined;
    /** RESIZEDB (3.2+). */
    readonly resizeDb: boolean;
    /** IDLE and FREQ key prefixes (5.0+). */
    readonly idleFreq: boolean;
    /** MODULE_AUX (5.0+). */
    readonly moduleAux: boolean;
    /** FUNCTION2 (7.0+). */
    readonly functions: boolean;
    /** KEY_META (Redis 8.6). */
    readonly keyMeta: boolean;
    /** SLOT_IMPORT (Valkey 9). */
    readonly slotImport: boolean;
    /** The CRC64 trailer (RDB 5+). */
    readonly checksum: boolean;
  };
}

const BASE_TYPES = ['string', 'list-linked', 'set-hashtable', 'zset-v1', 'hash-hashtable', 'hash-zipmap', 'list-ziplist', 'set-intset', 'zset-ziplist', 'hash-ziplist'];

/** Type names a REDIS-magic release of RDB version `version` loads. */
function redisLoads(version: number): Set<string> {
  const names = new Set(BASE_TYPES);
  if (version >= 7) names.add('quicklist');
  if (version >= 8) ['zset-v2', 'module-value'].forEach((n) => names.add(n));
  if (version >= 9) names.add('stream');
  if (version >= 10) ['hash-listpack', 'zset-listpack', 'quicklist-v2', 'stream-v2'].forEach((n) => names.add(n));
  if (version >= 11) ['set-listpack', 'stream-v3'].forEach((n) => names.add(n));
  // 7.4 GA still loads the 7.4 RC types 22/23, but a writer has no business copying them into a new file.
  if (version >= 12) ['hash-hashtable-md', 'hash-listpack-md'].forEach((n) => names.add(n));
  if (version >= 13) names.add('stream-v4');
  return names;
}

interface Release {
  release: string;
  rdb: number;
  patch: string;
}

const REDIS_RELEASES: Release[] = [
  { release: '2.8', rdb: 6, patch: '2.8.24' },
  { release: '3.0', rdb: 6, patch: '3.0.7' },
  { release: '3.2', rdb: 7, patch: '3.2.13' },
  { release: '4.0', rdb: 8, patch: '4.0.14' },
  { release: '5.0', rdb: 9, patch: '5.0.14' },
  { release: '6.0', rdb: 9, patch: '6.0.20' },
  { release: '6.2', rdb: 9, patch: '6.2.14' },
  { release: '7.0', rdb: 10, patch: '7.0.15' },
  { release: '7.2', rdb: 11, patch: '7.2.5' },
  { release: '7.4', rdb: 12, patch: '7.4.2' },
  { release: '8.0', rdb: 12, patch: '8.0.2' },
  { release: '8.2', rdb: 12, patch: '8.2.1' },
  { release: '8.4', rdb: 12, patch: '8.4.0' },
  { release: '8.6', rdb: 13, patch: '8.6.0' },
];

const VALKEY_RELEASES: (Release & { redisVer?: string })[] = [
  { release: '7.2', rdb: 11, patch: '7.2.4', redisVer: '7.2.4' },
  { release: '8.0', rdb: 11, patch: '8.0.1' },
  { release: '8.1', rdb: 11, patch: '8.1.1' },
  { release: '9.0', rdb: 80, patch: '9.0.0' },
];

function redisTarget(r: Release): RdbTarget {
  const v = r.rdb;
  const [major = 0, minor = 0] = r.release.split('.').map(Number);
  const at = (a: number, b: number): boolean => major > a || (major === a && minor >= b);
  return {
    name: `redis-${r.release}`,
    product: 'redis',
    release: r.release,
    magic: 'REDIS',
    rdbVersion: v,
    serverVersion: r.patch,
    versionAux: 'redis-ver',
    loads: redisLoads(v),
    writes: {
      list: v >= 10 ? 'quicklist-v2' : v >= 7 ? 'quicklist' : 'linked',
      quicklistPacking: at(7, 2) ? 'listpack-estimate-plain' : at(7, 0) ? 'listpack-estimate' : 'ziplist-estimate',
      small: v >= 10 ? 'listpack' : 'ziplist',
      setListpack: v >= 11,
      zsetBinary: v >= 8,
      stream: v >= 11 ? RdbType.STREAM_LISTPACKS_3 : v >= 10 ? RdbType.STREAM_LISTPACKS_2 : v >= 9 ? RdbType.STREAM_LISTPACKS : undefined,
      fieldTtl: v >= 12 ? 'redis' : undefined,
      scoreText: at(7, 2) ? 'shortest' : 'g17',
    },
    records: {
      aux: v >= 7,
      aofAux: v >= 10 ? 'aof-base' : v >= 8 ? 'aof-preamble' : undefined,
      resizeDb: v >= 7,
      idleFreq: v >= 9,
      moduleAux: v >= 9,
      functions: v >= 10,
      keyMeta: v >= 13,
      slotImport: false,
      checksum: v >= 5,
    },
  };
}

function valkeyTarget(r: Release & { redisVer?: string }): RdbTarget {
  const valkeyMagic = r.rdb >= 80;
  const base = redisTarget({ release: '7.2', rdb: 11, patch: r.patch });
  const loads = new Set(base.loads);
  if (valkeyMagic) loads.add('hash-2');
  return {
    ...base,
    name: `valkey-${r.release}`,
    product: 'valkey',
    release: r.release,
    magic: valkeyMagic ? 'VALKEY' : 'REDIS',
    rdbVersion: r.rdb,
    serverVersion: r.redisVer ?? r.patch,
    versionAux: r.redisVer === undefined ? 'valkey-ver' : 'redis-ver',
    loads,
    writes: { ...base.writes, fieldTtl: valkeyMagic ? 'valkey' : undefined },
    records: { ...base.records, slotImport: valkeyMagic },
  };
}

/** Every release the writer knows, oldest first, Redis then Valkey. */
export const RDB_TARGETS: readonly RdbTarget[] = [...REDIS_RELEASES.map(redisTarget), ...VALKEY_RELEASES.map(valkeyTarget)];

/** The `--target-redis` values: `2.8` … `8.6`, `valkey-7.2` … `valkey-9.0`. */
export const TARGET_NAMES: readonly string[] = RDB_TARGETS.map((t) => (t.product === 'redis' ? t.release : t.name));

/**
 * The release named by `spec`: `7.0`, `7.0.15` (the patch is ignored), `redis-7.0`, `valkey-9.0`. Throws a
 * {@link UsageError} listing the known names otherwise.
 */
export function resolveTarget(spec: string): RdbTarget {
  const text = spec.trim().toLowerCase();
  const match = /^(redis-|valkey-)?(\d+)\.(\d+)(?:\.\d+)?$/.exec(text);
  const product = match?.[1] === 'valkey-' ? 'valkey' : 'redis';
  const release = match ? `${match[2]}.${match[3]}` : undefined;
  const found = RDB_TARGETS.find((t) => t.product === product && t.release === release);
  if (!found) throw new UsageError(`unknown target '${spec}': known are ${TARGET_NAMES.join(', ')}`);
  return found;
}

/**
 * The newest release that writes RDB version `version` under `magic` (9 → Redis 6.2, 11 → Redis 7.2,
 * 12 → Redis 8.4, 80 → Valkey 9.0). Throws a {@link UsageError} for a version no listed release writes.
 */
export function targetForRdbVersion(version: number, magic: 'REDIS' | 'VALKEY' = version >= 80 ? 'VALKEY' : 'REDIS'): RdbTarget {
  const candidates = RDB_TARGETS.filter((t) => t.rdbVersion === version && t.magic === magic && (magic === 'VALKEY' || t.product === 'redis'));
  const found = candidates.at(-1);
  if (!found) {
    const known = [...new Set(RDB_TARGETS.map((t) => t.rdbVersion))].join(', ');
    throw new UsageError(`no release writes RDB version ${version}${magic === 'VALKEY' ? ' under the VALKEY magic' : ''}: known are ${known}`);
  }
  return found;
}

/** A short description for messages: `Redis 7.0 (RDB 10)`, `Valkey 9.0 (RDB 80)`. */
export function describeTarget(target: RdbTarget): string {
  return `${target.product === 'redis' ? 'Redis' : 'Valkey'} ${target.release} (RDB ${target.rdbVersion})`;
}
