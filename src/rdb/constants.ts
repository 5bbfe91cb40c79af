/**
 * RDB format numbers, each with Redis's own name. Sources: redis/redis src/rdb.h (types, opcodes,
 * versions), valkey-io/valkey src/rdb.h (Valkey's reuse of 22 and 243), redis-check-rdb's type names.
 */

/** Highest `REDIS` magic version we read (Redis 8.6). */
export const REDIS_RDB_VERSION_MAX = 13;
/** Valkey versions written under the `VALKEY` magic (9.0 and unstable). */
export const VALKEY_RDB_VERSIONS = [80, 81] as const;

/** Object type bytes. */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
  /** Redis 7.4 RC only; under the VALKEY magic this number is HASH_2. */
  HASH_METADATA_PRE_GA: 22,
  /** Redis 7.4 RC only; under the VALKEY magic this number is PATH_HASH (unstable). */
  HASH_LISTPACK_EX_PRE_GA: 23,
  HASH_METADATA: 24,
  HASH_LISTPACK_EX: 25,
  STREAM_LISTPACKS_4: 26,
  STREAM_LISTPACKS_5: 27,
} as const;

/** Opcode bytes that stand where a type byte would. */
export const RdbOpcode = {
  /** Redis 8.6 KEY_META under REDIS; Valkey 9 SLOT_IMPORT under VALKEY. */
  KEY_META_OR_SLOT_IMPORT: 243,
  SLOT_INFO: 244,
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** Opcodes inside a module value (MODULE_2, MODULE_AUX, KEY_META bodies). */
export const ModuleOpcode = {
  EOF: 0,
  SINT: 1,
  UINT: 2,
  FLOAT: 3,
  DOUBLE: 4,
  STRING: 5,
} as const;

/** Special string encodings (low 6 bits of a length byte whose top bits are 11). */
export const StringEncoding = {
  INT8: 0,
  INT16: 1,
  INT32: 2,
  LZF: 3,
} as const;

/** Quicklist v2 node containers. */
export const QuicklistContainer = {
  PLAIN: 1,
  PACKED: 2,
} as const;

/** The logical Redis data type a key holds. */
export type RedisType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream' | 'module';

/** What we know about one object type byte. */
export interface TypeInfo {
  /** redis-check-rdb's name for the encoding ("quicklist-v2", "hash-listpack"…): the RDB type name. */
  readonly encoding: string;
  /**
   * What Redis's `OBJECT ENCODING` says of a key of this type once the file is loaded, as far as the
   * file tells (listpack, quicklist, skiplist, intset, hashtable, ziplist…). For strings it depends on the
   * value (int, embstr or raw: see `stringObjectEncoding`); 'raw' here. Module values are 'raw' in Redis.
   */
  readonly objectEncoding: string;
  /** The logical type. */
  readonly type: RedisType;
  /** First RDB version that can contain it; a file declaring an older version cannot. */
  readonly sinceVersion: number;
}

const typeTable: Record<number, TypeInfo> = {
  0: { encoding: 'string', objectEncoding: 'raw', type: 'string', sinceVersion: 1 },
  1: { encoding: 'list-linked', objectEncoding: 'linkedlist', type: 'list', sinceVersion: 1 },
  2: { encoding: 'set-hashtable', objectEncoding: 'hashtable', type: 'set', sinceVersion: 1 },
  3: { encoding: 'zset-v1', objectEncoding: 'skiplist', type: 'zset', sinceVersion: 1 },
  4: { encoding: 'hash-hashtable', objectEncoding: 'hashtable', type: 'hash', sinceVersion: 1 },
  5: { encoding: 'zset-v2', objectEncoding: 'skiplist', type: 'zset', sinceVersion: 8 },
  6: { encoding: 'module-pre-release', objectEncoding: 'raw', type: 'module', sinceVersion: 8 },
  7: { encoding: 'module-value', objectEncoding: 'raw', type: 'module', sinceVersion: 8 },
  9: { encoding: 'hash-zipmap', objectEncoding: 'zipmap', type: 'hash', sinceVersion: 1 },
  10: { encoding: 'list-ziplist', objectEncoding: 'ziplist', type: 'list', sinceVersion: 1 },
  11: { encoding: 'set-intset', objectEncoding: 'intset', type: 'set', sinceVersion: 1 },
  12: { encoding: 'zset-ziplist', objectEncoding: 'ziplist', type: 'zset', sinceVersion: 1 },
  13: { encoding: 'hash-ziplist', objectEncoding: 'ziplist', type: 'hash', sinceVersion: 1 },
  14: { encoding: 'quicklist', objectEncoding: 'quicklist', type: 'list', sinceVersion: 7 },
  15: { encoding: 'stream', objectEncoding: 'stream', type: 'stream', sinceVersion: 9 },
  16: { encoding: 'hash-listpack', objectEncoding: 'listpack', type: 'hash', sinceVersion: 10 },
  17: { encoding: 'zset-listpack', objectEncoding: 'listpack', type: 'zset', sinceVersion: 10 },
  18: { encoding: 'quicklist-v2', objectEncoding: 'quicklist', type: 'list', sinceVersion: 10 },
  19: { encoding: 'stream-v2', objectEncoding: 'stream', type: 'stream', sinceVersion: 10 },
  20: { encoding: 'set-listpack', objectEncoding: 'listpack', type: 'set', sinceVersion: 11 },
  21: { encoding: 'stream-v3', objectEncoding: 'stream', type: 'stream', sinceVersion: 11 },
  22: { encoding: 'hash-hashtable-md-pre-release', objectEncoding: 'hashtable', type: 'hash', sinceVersion: 12 },
  23: { encoding: 'hash-listpack-md-pre-release', objectEncoding: 'listpackex', type: 'hash', sinceVersion: 12 },
  24: { encoding: 'hash-hashtable-md', objectEncoding: 'hashtable', type: 'hash', sinceVersion: 12 },
  25: { encoding: 'hash-listpack-md', objectEncoding: 'listpackex', type: 'hash', sinceVersion: 12 },
  26: { encoding: 'stream-v4', objectEncoding: 'stream', type: 'stream', sinceVersion: 13 },
};

const valkeyTypeTable: Record<number, TypeInfo> = {
  22: { encoding: 'hash-2', objectEncoding: 'hashtable', type: 'hash', sinceVersion: 80 },
};

/**
 * Looks up an object type byte for a file of the given magic and version.
 * Returns undefined for bytes that are not object types there.
 */
export function typeInfo(code: number, magic: 'REDIS' | 'VALKEY'): TypeInfo | undefined {
  if (magic === 'VALKEY') {
    if (code >= 23 && code <= 242) return undefined;
    return valkeyTypeTable[code] ?? typeTable[code];
  }
  return typeTable[code];
}

/** Opcode names, for messages and `--json` output. */
export const opcodeNames: Record<number, string> = {
  243: 'KEY_META',
  244: 'SLOT_INFO',
  245: 'FUNCTION2',
  246: 'FUNCTION_PRE_GA',
  247: 'MODULE_AUX',
  248: 'IDLE',
  249: 'FREQ',
  250: 'AUX',
  251: 'RESIZEDB',
  252: 'EXPIRETIME_MS',
  253: 'EXPIRETIME',
  254: 'SELECTDB',
  255: 'EOF',
};
