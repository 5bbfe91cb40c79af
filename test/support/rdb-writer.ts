/**
 * Whole RDB files from a list of records, for tests: a thin layer over the writer primitives of
 * src/rdb/primitives.ts and the blob encoders beside their decoders. Each key names the RDB encoding it is
 * written in (redis-check-rdb's names, as in src/rdb/constants.ts), so a test can build any type and
 * encoding the reader knows, at any version, without writing bytes by hand.
 *
 * It writes what it is told (it does not check that an encoding is legal for the version or that a set has
 * no duplicates), which is what fuzz and robustness tests want; `validRdb` in generated-rdbs.ts holds it
 * to our reader and redis-check-rdb.
 */
// cspell:words quicklist listpack ziplist zipmap intset
import { ByteWriter } from '../../src/bytes/writer.js';
import { lzfCompress } from '../../src/codecs/lzf.js';
import { ModuleOpcode, QuicklistContainer, RdbOpcode, RdbType } from '../../src/rdb/constants.js';
import { encodeIntset } from '../../src/rdb/intset.js';
import { encodeListpack, type ListpackEntry } from '../../src/rdb/listpack.js';
import {
  checksummedWriter,
  encodeModuleId,
  writeAsciiDouble,
  writeBinaryDouble,
  writeEof,
  writeHeader,
  writeIntegerString,
  writeLength,
  writeLzfString,
  writeMillisecondTime,
  writeSecondTime,
  writeString,
  type StringWriteOptions,
} from '../../src/rdb/primitives.js';
import { encodeStreamListpack, type StreamEntry, type StreamId } from '../../src/rdb/stream-listpack.js';
import { encodeZiplist } from '../../src/rdb/ziplist.js';
import { encodeZipmap } from '../../src/rdb/zipmap.js';
import { concat } from './bytes.js';

/** Bytes, or text taken as UTF-8. */
export type Bytes = Uint8Array | string;

const utf8 = new TextEncoder();
export const toBytes = (value: Bytes): Uint8Array => (typeof value === 'string' ? utf8.encode(value) : value);

/** Listpack / ziplist entries: text and bytes as strings, numbers and bigints as integers. */
export type BlobItem = Bytes | number | bigint;
const blobEntry = (item: BlobItem): ListpackEntry => (typeof item === 'number' || typeof item === 'bigint' ? item : toBytes(item));

/** A score as text the way a listpack or ziplist holds it (an integer when it is one, `inf`, `-inf`). */
export function scoreText(score: number): string {
  if (score === Number.POSITIVE_INFINITY) return 'inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  return String(score);
}

/** One operand of a module value (MODULE_2, MODULE_AUX, KEY_META bodies). */
export type ModuleOperand = { sint: bigint } | { uint: bigint } | { float: number } | { double: number } | { string: Bytes };

/** One node of a v2 quicklist: a listpack of elements, or a PLAIN node holding one large element. */
export type QuicklistNode = { elements: BlobItem[]; lzf?: boolean } | { plain: Bytes; lzf?: boolean };

export interface StreamGroupSpec {
  name: Bytes;
  lastId: StreamId;
  /** Written for types 19 and later. */
  entriesRead?: bigint;
  pending: { id: StreamId; deliveryTimeMs: number; deliveryCount: number }[];
  consumers: { name: Bytes; seenTimeMs: number; activeTimeMs?: number; pending: StreamId[] }[];
}

export interface StreamSpec {
  /** Listpack nodes: master ID (the node key) and the entries stored in it, deleted ones included. */
  nodes: { masterId: StreamId; entries: StreamEntry[] }[];
  length: bigint;
  lastId: StreamId;
  /** Types 19 and later. */
  firstId?: StreamId;
  maxDeletedId?: StreamId;
  entriesAdded?: bigint;
  groups: StreamGroupSpec[];
}

/** A value and the RDB encoding to write it in. */
export type ValueSpec =
  | { encoding: 'string'; value: Bytes | number }
  | { encoding: 'list-linked' | 'list-ziplist'; elements: BlobItem[] }
  | { encoding: 'quicklist'; nodes: { elements: BlobItem[] }[] }
  | { encoding: 'quicklist-v2'; nodes: QuicklistNode[] }
  | { encoding: 'set-hashtable' | 'set-listpack'; members: BlobItem[] }
  | { encoding: 'set-intset'; members: (number | bigint)[] }
  | { encoding: 'zset-v1' | 'zset-v2' | 'zset-ziplist' | 'zset-listpack'; entries: [Bytes, number][] }
  | { encoding: 'hash-hashtable' | 'hash-zipmap' | 'hash-ziplist' | 'hash-listpack'; fields: [Bytes, BlobItem][] }
  /** Field TTLs (absolute ms; 0 or absent: none): types 22 (pre-release or Valkey HASH_2), 23, 24, 25. */
  | {
      encoding: 'hash-hashtable-md' | 'hash-listpack-md' | 'hash-hashtable-md-pre-release' | 'hash-listpack-md-pre-release' | 'hash-2';
      fields: [Bytes, Bytes, number?][];
    }
  | { encoding: 'stream' | 'stream-v2' | 'stream-v3'; stream: StreamSpec }
  | { encoding: 'module-value'; moduleName: string; encver: number; operands: ModuleOperand[] };

/** One key: its name, value, and the prefix opcodes before it. */
export interface KeySpec {
  key: Bytes;
  value: ValueSpec;
  /** EXPIRETIME_MS (252). */
  expireMs?: number;
  /** EXPIRETIME (253), seconds. */
  expireSeconds?: number;
  /** IDLE (248): LRU idle seconds. */
  idle?: number;
  /** FREQ (249): LFU counter. */
  freq?: number;
  /** KEY_META (243, RDB 13): one class per entry, each a 4-byte spec and a module-opcode body. */
  meta?: { spec: number; operands: ModuleOperand[] }[];
}

/** A top-level record of an RDB file, in file order. */
export type RdbItem =
  | { aux: [Bytes, Bytes | number] }
  | { selectDb: number }
  | { resizeDb: [number, number] }
  | { function: Bytes }
  /** Redis 7.0 RC layout (opcode 246). */
  | { functionPreGa: { name: Bytes; engine: Bytes; description?: Bytes; code: Bytes } }
  | { moduleAux: { moduleName: string; encver: number; when: number; operands: ModuleOperand[] } }
  | { slotInfo: [number, number, number] }
  /** Valkey SLOT_IMPORT (243 under VALKEY). */
  | { slotImport: { job: Bytes; ranges: [number, number][] } }
  | { key: KeySpec };

export interface RdbFileSpec {
  magic?: 'REDIS' | 'VALKEY';
  version: number;
  items: RdbItem[];
  /** LZF-compress strings as Redis does with `rdbcompression yes` (default true). */
  compress?: boolean;
  /** Write the CRC64 trailer (default true); false writes zeros, as `rdbchecksum no` does. */
  checksum?: boolean;
}

const TYPE_OF: Record<ValueSpec['encoding'], number> = {
  string: RdbType.STRING,
  'list-linked': RdbType.LIST,
  'set-hashtable': RdbType.SET,
  'zset-v1': RdbType.ZSET,
  'hash-hashtable': RdbType.HASH,
  'zset-v2': RdbType.ZSET_2,
  'module-value': RdbType.MODULE_2,
  'hash-zipmap': RdbType.HASH_ZIPMAP,
  'list-ziplist': RdbType.LIST_ZIPLIST,
  'set-intset': RdbType.SET_INTSET,
  'zset-ziplist': RdbType.ZSET_ZIPLIST,
  'hash-ziplist': RdbType.HASH_ZIPLIST,
  quicklist: RdbType.LIST_QUICKLIST,
  stream: RdbType.STREAM_LISTPACKS,
  'hash-listpack': RdbType.HASH_LISTPACK,
  'zset-listpack': RdbType.ZSET_LISTPACK,
  'quicklist-v2': RdbType.LIST_QUICKLIST_2,
  'stream-v2': RdbType.STREAM_LISTPACKS_2,
  'set-listpack': RdbType.SET_LISTPACK,
  'stream-v3': RdbType.STREAM_LISTPACKS_3,
  'hash-hashtable-md-pre-release': RdbType.HASH_METADATA_PRE_GA,
  'hash-2': RdbType.HASH_METADATA_PRE_GA,
  'hash-listpack-md-pre-release': RdbType.HASH_LISTPACK_EX_PRE_GA,
  'hash-hashtable-md': RdbType.HASH_METADATA,
  'hash-listpack-md': RdbType.HASH_LISTPACK_EX,
};

/** Writes a whole RDB file and returns its bytes (pieces joined, for tests). */
export function writeRdb(spec: RdbFileSpec): Uint8Array {
  const { writer, crc } = checksummedWriter({ chunkSize: 4096 });
  writeHeader(writer, spec.magic ?? 'REDIS', spec.version);
  const options: StringWriteOptions = { compress: spec.compress ?? true };
  for (const item of spec.items) writeItem(writer, item, options, spec.magic ?? 'REDIS');
  writeEof(writer, spec.version, spec.checksum === false ? undefined : crc);
  return concat(writer.take());
}

function writeItem(w: ByteWriter, item: RdbItem, options: StringWriteOptions, magic: 'REDIS' | 'VALKEY'): void {
  const str = (value: Bytes): void => writeString(w, toBytes(value), options);
  if ('aux' in item) {
    w.u8(RdbOpcode.AUX);
    str(item.aux[0]);
    if (typeof item.aux[1] === 'number') writeIntegerString(w, item.aux[1]);
    else str(item.aux[1]);
  } else if ('selectDb' in item) {
    w.u8(RdbOpcode.SELECTDB);
    writeLength(w, item.selectDb);
  } else if ('resizeDb' in item) {
    w.u8(RdbOpcode.RESIZEDB);
    writeLength(w, item.resizeDb[0]);
    writeLength(w, item.resizeDb[1]);
  } else if ('function' in item) {
    w.u8(RdbOpcode.FUNCTION2);
    str(item.function);
  } else if ('functionPreGa' in item) {
    const f = item.functionPreGa;
    w.u8(RdbOpcode.FUNCTION_PRE_GA);
    str(f.name);
    str(f.engine);
    writeLength(w, f.description === undefined ? 0 : 1);
    if (f.description !== undefined) str(f.description);
    str(f.code);
  } else if ('moduleAux' in item) {
    const m = item.moduleAux;
    w.u8(RdbOpcode.MODULE_AUX);
    writeLength(w, encodeModuleId(m.moduleName, m.encver));
    writeLength(w, ModuleOpcode.UINT); // when_opcode
    writeLength(w, m.when);
    writeModuleOperands(w, m.operands, options);
  } else if ('slotInfo' in item) {
    w.u8(RdbOpcode.SLOT_INFO);
    for (const n of item.slotInfo) writeLength(w, n);
  } else if ('slotImport' in item) {
    w.u8(RdbOpcode.KEY_META_OR_SLOT_IMPORT);
    str(item.slotImport.job);
    writeLength(w, item.slotImport.ranges.length);
    for (const [from, to] of item.slotImport.ranges) {
      writeLength(w, from);
      writeLength(w, to);
    }
  } else {
    writeKey(w, item.key, options, magic);
  }
}

/** Writes module opcodes and the closing EOF opcode (0). */
export function writeModuleOperands(w: ByteWriter, operands: readonly ModuleOperand[], options: StringWriteOptions = {}): void {
  for (const operand of operands) {
    if ('sint' in operand) {
      writeLength(w, ModuleOpcode.SINT);
      writeLength(w, BigInt.asUintN(64, operand.sint));
    } else if ('uint' in operand) {
      writeLength(w, ModuleOpcode.UINT);
      writeLength(w, operand.uint);
    } else if ('float' in operand) {
      writeLength(w, ModuleOpcode.FLOAT);
      w.f32le(operand.float);
    } else if ('double' in operand) {
      writeLength(w, ModuleOpcode.DOUBLE);
      w.f64le(operand.double);
    } else {
      writeLength(w, ModuleOpcode.STRING);
      writeString(w, toBytes(operand.string), options);
    }
  }
  writeLength(w, ModuleOpcode.EOF);
}

function writeKey(w: ByteWriter, key: KeySpec, options: StringWriteOptions, magic: 'REDIS' | 'VALKEY'): void {
  if (key.meta !== undefined) {
    w.u8(RdbOpcode.KEY_META_OR_SLOT_IMPORT);
    writeLength(w, key.meta.length);
    for (const cls of key.meta) {
      w.u32le(cls.spec);
      writeModuleOperands(w, cls.operands, options);
    }
  }
  if (key.expireSeconds !== undefined) {
    w.u8(RdbOpcode.EXPIRETIME);
    writeSecondTime(w, key.expireSeconds);
  }
  if (key.expireMs !== undefined) {
    w.u8(RdbOpcode.EXPIRETIME_MS);
    writeMillisecondTime(w, key.expireMs);
  }
  if (key.idle !== undefined) {
    w.u8(RdbOpcode.IDLE);
    writeLength(w, key.idle);
  }
  if (key.freq !== undefined) {
    w.u8(RdbOpcode.FREQ);
    w.u8(key.freq);
  }
  const value = key.value;
  w.u8(TYPE_OF[value.encoding]);
  writeString(w, toBytes(key.key), options);
  writeValue(w, value, options, magic);
}

/** Writes a value body (what follows the type byte and the key) in the encoding it names. */
export function writeValue(w: ByteWriter, value: ValueSpec, options: StringWriteOptions = {}, magic: 'REDIS' | 'VALKEY' = 'REDIS'): void {
  const str = (v: Bytes): void => writeString(w, toBytes(v), options);
  const item = (v: BlobItem): void => {
    if (typeof v === 'number' || typeof v === 'bigint') writeIntegerString(w, v);
    else str(v);
  };
  const blob = (bytes: Uint8Array): void => writeString(w, bytes, options);
  switch (value.encoding) {
    case 'string':
      if (typeof value.value === 'number') writeIntegerString(w, value.value);
      else str(value.value);
      return;
    case 'list-linked':
      writeLength(w, value.elements.length);
      value.elements.forEach(item);
      return;
    case 'set-hashtable':
      writeLength(w, value.members.length);
      value.members.forEach(item);
      return;
    case 'list-ziplist':
      blob(encodeZiplist(value.elements.map(blobEntry)));
      return;
    case 'set-intset':
      blob(encodeIntset(value.members));
      return;
    case 'set-listpack':
      blob(encodeListpack(value.members.map(blobEntry)));
      return;
    case 'quicklist':
      writeLength(w, value.nodes.length);
      for (const node of value.nodes) blob(encodeZiplist(node.elements.map(blobEntry)));
      return;
    case 'quicklist-v2':
      writeLength(w, value.nodes.length);
      for (const node of value.nodes) {
        const plain = 'plain' in node;
        writeLength(w, plain ? QuicklistContainer.PLAIN : QuicklistContainer.PACKED);
        const bytes = plain ? toBytes(node.plain) : encodeListpack(node.elements.map(blobEntry));
        // A node compressed in memory (list-compress-depth) is written as LZF whatever rdbcompression says.
        const lzf = node.lzf === true ? lzfCompress(bytes, bytes.length) : undefined;
        if (lzf !== undefined) writeLzfString(w, lzf, bytes.length);
        else blob(bytes);
      }
      return;
    case 'zset-v1':
    case 'zset-v2':
      writeLength(w, value.entries.length);
      for (const [member, score] of value.entries) {
        str(member);
        if (value.encoding === 'zset-v1') writeAsciiDouble(w, score);
        else writeBinaryDouble(w, score);
      }
      return;
    case 'zset-ziplist':
    case 'zset-listpack': {
      const flat = value.entries.flatMap(([member, score]) => [toBytes(member), toBytes(scoreText(score))]);
      blob(value.encoding === 'zset-ziplist' ? encodeZiplist(flat) : encodeListpack(flat));
      return;
    }
    case 'hash-hashtable':
      writeLength(w, value.fields.length);
      for (const [field, v] of value.fields) {
        str(field);
        item(v);
      }
      return;
    case 'hash-zipmap':
      blob(encodeZipmap(value.fields.flatMap(([field, v]) => [toBytes(field), typeof v === 'number' || typeof v === 'bigint' ? toBytes(String(v)) : toBytes(v)])));
      return;
    case 'hash-ziplist':
    case 'hash-listpack': {
      const flat = value.fields.flatMap(([field, v]) => [toBytes(field), blobEntry(v)]);
      blob(value.encoding === 'hash-ziplist' ? encodeZiplist(flat) : encodeListpack(flat));
      return;
    }
    case 'hash-hashtable-md': {
      const ttls = value.fields.map(([, , ttl]) => ttl ?? 0).filter((ttl) => ttl > 0);
      const minExpire = ttls.length > 0 ? Math.min(...ttls) : 0;
      writeMillisecondTime(w, minExpire);
      writeLength(w, value.fields.length);
      for (const [field, v, ttl] of value.fields) {
        writeLength(w, ttl ? ttl - minExpire + 1 : 0);
        str(field);
        str(v);
      }
      return;
    }
    case 'hash-hashtable-md-pre-release':
    case 'hash-2':
      writeLength(w, value.fields.length);
      for (const [field, v, ttl] of value.fields) {
        if (value.encoding === 'hash-2' && magic === 'VALKEY') {
          str(field);
          str(v);
          writeMillisecondTime(w, ttl ? ttl : -1);
        } else {
          writeLength(w, ttl ?? 0);
          str(field);
          str(v);
        }
      }
      return;
    case 'hash-listpack-md':
    case 'hash-listpack-md-pre-release': {
      if (value.encoding === 'hash-listpack-md') {
        const ttls = value.fields.map(([, , ttl]) => ttl ?? 0).filter((ttl) => ttl > 0);
        writeMillisecondTime(w, ttls.length > 0 ? Math.min(...ttls) : -1);
      }
      blob(encodeListpack(value.fields.flatMap(([field, v, ttl]) => [toBytes(field), toBytes(v), ttl ?? 0])));
      return;
    }
    case 'stream':
    case 'stream-v2':
    case 'stream-v3':
      writeStream(w, value.stream, value.encoding === 'stream' ? 1 : value.encoding === 'stream-v2' ? 2 : 3, options);
      return;
    case 'module-value':
      writeLength(w, encodeModuleId(value.moduleName, value.encver));
      writeModuleOperands(w, value.operands, options);
      return;
  }
}

function writeStreamId(w: ByteWriter, id: StreamId): void {
  writeLength(w, id.ms);
  writeLength(w, id.seq);
}

function writeRawStreamId(w: ByteWriter, id: StreamId): void {
  w.u64be(id.ms);
  w.u64be(id.seq);
}

function writeStream(w: ByteWriter, stream: StreamSpec, layout: 1 | 2 | 3, options: StringWriteOptions): void {
  writeLength(w, stream.nodes.length);
  for (const node of stream.nodes) {
    const nodeKey = new ByteWriter();
    writeRawStreamId(nodeKey, node.masterId);
    writeString(w, concat(nodeKey.take()), options);
    writeString(w, encodeStreamListpack(node.masterId, node.entries), options);
  }
  writeLength(w, stream.length);
  writeStreamId(w, stream.lastId);
  if (layout >= 2) {
    writeStreamId(w, stream.firstId ?? { ms: 0n, seq: 0n });
    writeStreamId(w, stream.maxDeletedId ?? { ms: 0n, seq: 0n });
    writeLength(w, stream.entriesAdded ?? stream.length);
  }
  writeLength(w, stream.groups.length);
  for (const group of stream.groups) {
    writeString(w, toBytes(group.name), options);
    writeStreamId(w, group.lastId);
    if (layout >= 2) writeLength(w, group.entriesRead ?? 0n);
    writeLength(w, group.pending.length);
    for (const entry of group.pending) {
      writeRawStreamId(w, entry.id);
      writeMillisecondTime(w, entry.deliveryTimeMs);
      writeLength(w, entry.deliveryCount);
    }
    writeLength(w, group.consumers.length);
    for (const consumer of group.consumers) {
      writeString(w, toBytes(consumer.name), options);
      writeMillisecondTime(w, consumer.seenTimeMs);
      if (layout >= 3) writeMillisecondTime(w, consumer.activeTimeMs ?? consumer.seenTimeMs);
      writeLength(w, consumer.pending.length);
      for (const id of consumer.pending) writeRawStreamId(w, id);
    }
  }
}
