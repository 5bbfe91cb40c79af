import type { RedisType } from './constants.js';

/**
 * One element of a Redis collection as stored: a byte string, or an integer when the encoding stored it
 * as one (intset, listpack and ziplist integers). Integers are numbers when they fit exactly, else bigints.
 */
export type Element = Uint8Array | number | bigint;

/** A stream entry ID: milliseconds and sequence, both unsigned 64-bit. */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

/** A sorted-set member with its score. */
export interface ZsetEntry {
  member: Element;
  score: number;
}

/** A hash field with its value and, for Redis 7.4+ / Valkey 9 hashes, an absolute expiry in ms. */
export interface HashEntry {
  field: Element;
  value: Element;
  expireMs?: number;
}

/** One stream entry (deleted entries are reported by the listpack walk but not emitted). */
export interface StreamEntry {
  id: StreamId;
  fields: Element[];
  values: Element[];
}

/** A pending entry of a consumer group. */
export interface StreamPendingEntry {
  id: StreamId;
  deliveryTimeMs: number;
  deliveryCount: number;
  /** Name of the consumer owning it, filled from the consumers' own PELs. */
  consumer?: Uint8Array;
}

/** A consumer of a consumer group. */
export interface StreamConsumer {
  name: Uint8Array;
  seenTimeMs: number;
  /** RDB type 21 and later. */
  activeTimeMs?: number;
  pending: StreamId[];
}

/** A stream consumer group with its pending entries list and consumers. */
export interface StreamGroup {
  name: Uint8Array;
  lastId: StreamId;
  /** RDB type 19 and later. */
  entriesRead?: bigint;
  pending: StreamPendingEntry[];
  consumers: StreamConsumer[];
}

/** Stream metadata stored after the entries. */
export interface StreamMeta {
  length: bigint;
  lastId: StreamId;
  firstId?: StreamId;
  maxDeletedId?: StreamId;
  entriesAdded?: bigint;
  groupCount: number;
}

/**
 * A piece of a key's value. Large values arrive as several consecutive chunks of the same kind: the
 * elements of a collection in batches, and a long string (see `stringPieceBytes`) in pieces whose bytes,
 * concatenated in order, are the value — a writer must join them, not treat each as a value.
 */
export type ValueChunk =
  /** A string's bytes, or the next piece of them. */
  | { type: 'string'; value: Uint8Array }
  | { type: 'list'; elements: Element[] }
  | { type: 'set'; members: Element[] }
  | { type: 'zset'; entries: ZsetEntry[] }
  | { type: 'hash'; entries: HashEntry[] }
  | { type: 'stream-entries'; entries: StreamEntry[]; deleted: number }
  | { type: 'stream-meta'; meta: StreamMeta }
  | { type: 'stream-group'; group: StreamGroup }
  | {
      type: 'module';
      moduleId: bigint;
      moduleName: string;
      encver: number;
      opcodes: number;
      /**
       * The value as the module serialised it: every module opcode and operand from after the module id through
       * the EOF opcode, as in the file (a writer copies it; a DUMP payload is type 7, the id, then these bytes).
       * Present when values are built.
       */
      body?: Uint8Array;
    };

interface At {
  /** Absolute offset of the record's first byte. */
  offset: number;
  /** Number of bytes the record spans. */
  length: number;
}

export interface HeaderRecord extends At {
  kind: 'header';
  magic: 'REDIS' | 'VALKEY';
  version: number;
}

export interface AuxRecord extends At {
  kind: 'aux';
  key: Uint8Array;
  value: Uint8Array;
}

export interface SelectDbRecord extends At {
  kind: 'selectdb';
  db: number;
}

export interface ResizeDbRecord extends At {
  kind: 'resizedb';
  dbSize: number;
  expiresSize: number;
}

export interface SlotInfoRecord extends At {
  kind: 'slot-info';
  slot: number;
  slotSize: number;
  expiresSlotSize: number;
}

export interface FunctionRecord extends At {
  kind: 'function';
  /** The library source, starting with `#!<engine> name=<library>`. */
  code: Uint8Array;
  engine: string | undefined;
  library: string | undefined;
  /** Read from the Redis 7.0 RC format (opcode 246), which Redis 7.2 and later refuse. */
  preRelease: boolean;
}

export interface ModuleAuxRecord extends At {
  kind: 'module-aux';
  moduleId: bigint;
  moduleName: string;
  encver: number;
  when: number;
  /** The module's data as in the file: its opcodes and operands after `when`, through the EOF opcode. */
  body: Uint8Array;
}

export interface SlotImportRecord extends At {
  kind: 'slot-import';
  jobName: Uint8Array;
  ranges: [number, number][];
}

/**
 * The start of a key: everything but its value, which follows as {@link ValueRecord}s (when values are built)
 * and {@link RawRecord}s (when asked for). The logical type (`type`: string, list, …) is kept apart from how
 * the file encoded it (`typeCode`, the RDB type byte, and `encoding`, its name).
 */
export interface KeyRecord extends At {
  kind: 'key';
  db: number;
  key: Uint8Array;
  /** The RDB type byte: the encoding the file used (see constants.ts). */
  typeCode: number;
  /** The logical type, whatever the encoding. */
  type: RedisType;
  /** redis-check-rdb's encoding name for the type byte. */
  encoding: string;
  /** Absolute expiry in ms since the epoch, when the key has a TTL. */
  expireMs: number | undefined;
  idle: number | undefined;
  freq: number | undefined;
  /** Redis 8.6 KEY_META classes attached to the key (their count). */
  metaClasses: number | undefined;
  /** The KEY_META record as in the file after its opcode byte (class count, then each class's spec and opcodes). */
  meta: Uint8Array | undefined;
  /** For a module value (type 7): the module's id, name and encoding version, read with the key. */
  module: { moduleId: bigint; moduleName: string; encver: number } | undefined;
  /** True: the value follows as {@link ValueRecord}s (false in {@link CheckedKeyRecord}). */
  values: true;
}

export interface ValueRecord extends At {
  kind: 'value';
  chunk: ValueChunk;
}

/**
 * Bytes of a key's value exactly as the file holds them (with `raw: true`): from after the key's name to the
 * end of its value, in consecutive pieces between the key record and its key-end record. A writer whose
 * target knows the key's `typeCode` copies them instead of re-encoding the value.
 */
export interface RawRecord extends At {
  kind: 'raw';
  bytes: Uint8Array;
}

/** The end of a key, with totals over all its value chunks. */
export interface KeyEndRecord extends At {
  kind: 'key-end';
  key: Uint8Array;
  type: RedisType;
  /** redis-check-rdb's name for the type byte (the RDB type name). */
  encoding: string;
  /** What Redis's `OBJECT ENCODING` says of the key once loaded, as far as the file tells (listpack, int…). */
  objectEncoding: string;
  /** Elements (list items, members, fields, stream entries; 1 for a string). */
  elements: number;
  /** Bytes from the first prefix opcode of the key (expiry, idle…) to the end of its value. */
  encodedBytes: number;
  /** Offset where the key's record started (the first prefix opcode or the type byte). */
  keyOffset: number;
  /** A hash with at least one field TTL (Redis 7.4+ / Valkey 9). */
  fieldTtls: boolean;
}

export interface EofRecord extends At {
  kind: 'eof';
  /** The stored CRC64; undefined for RDB versions before 5. */
  storedChecksum: bigint | undefined;
  /** The CRC64 we computed; undefined when not computed. */
  computedChecksum: bigint | undefined;
  /** 'ok', 'mismatch' (only when not thrown), 'disabled' (stored 0), 'absent' (version < 5), 'skipped'. */
  checksum: 'ok' | 'disabled' | 'absent' | 'skipped';
}

/** Every record of an RDB, as the reader yields them with values built (`materialize`, the default). */
export type RdbRecord =
  | HeaderRecord
  | AuxRecord
  | SelectDbRecord
  | ResizeDbRecord
  | SlotInfoRecord
  | FunctionRecord
  | ModuleAuxRecord
  | SlotImportRecord
  | KeyRecord
  | ValueRecord
  | RawRecord
  | KeyEndRecord
  | EofRecord;

/**
 * The records of the validating reader (`materialize: false`): every value is read and checked, none is
 * built, so there are no {@link ValueRecord}s, and key records say so. A writer takes {@link RdbRecord}s,
 * which this type is not, so it cannot be fed a validating read by mistake.
 */
export type RdbCheckRecord = Exclude<RdbRecord, KeyRecord | ValueRecord> | CheckedKeyRecord;

/** A record of either reader (for consumers that only look at keys, offsets and sizes). */
export type AnyRdbRecord = RdbRecord | RdbCheckRecord;

/** A key record of either reader. */
export type AnyKeyRecord = KeyRecord | CheckedKeyRecord;

/** A key record of the validating reader: its value was checked, not built. */
export interface CheckedKeyRecord extends Omit<KeyRecord, 'values'> {
  values: false;
}

/** A problem that does not stop reading but that `check` reports. */
export interface RdbWarning {
  offset: number;
  message: string;
  key?: Uint8Array;
}
