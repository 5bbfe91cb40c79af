import { Buffer } from 'node:buffer';
import type { ByteReader } from '../bytes/reader.js';
import { Crc64 } from '../codecs/crc64.js';
import { ChecksumError, CorruptError, RedbackError, TruncatedError, UnsupportedError } from '../errors.js';
import { QuicklistContainer, REDIS_RDB_VERSION_MAX, RdbOpcode, RdbType, StringEncoding, VALKEY_RDB_VERSIONS, typeInfo } from './constants.js';
import type { RedisType } from './constants.js';
import { ByteSet } from '../bytes/byte-set.js';
import { printable, writeDecimal } from '../bytes/text.js';
import { LzfStream } from '../codecs/lzf.js';
import { MemberSet } from '../io/member-set.js';
import { checkIntset, decodeIntset } from './intset.js';
import { checkListpack, decodeListpack } from './listpack.js';
import type {
  Element,
  HashEntry,
  KeyRecord,
  RdbRecord,
  RdbWarning,
  StreamConsumer,
  StreamGroup,
  StreamId,
  StreamMeta,
  StreamPendingEntry,
  ValueChunk,
  ZsetEntry,
} from './model.js';
import {
  decodeModuleId,
  parseCDouble,
  readAsciiDouble,
  readLength,
  readLengthBig,
  readLengthLoose,
  readString,
  readStringTransient,
  skipLength,
  skipModuleOpcodes,
  skipString,
  stringObjectEncoding,
} from './primitives.js';
import { checkStreamListpack, decodeStreamListpack } from './stream-listpack.js';

export { printable } from '../bytes/text.js';
import { decodeZiplist } from './ziplist.js';
import { decodeZipmap } from './zipmap.js';

/** Options of {@link RdbParser}. */
export interface RdbParserOptions {
  /** File name for error messages. */
  file?: string;
  /** Compute and verify the CRC64 trailer (default true). */
  verifyChecksum?: boolean;
  /** Most elements in one value chunk of a plain-encoded collection (default 4096). */
  batchSize?: number;
  /**
   * Deep checks that redis-check-rdb does with `sanitize-dump-payload yes` beyond the structure:
   * duplicate members and fields, empty keys, NaN scores (default true).
   */
  deep?: boolean;
  /**
   * Memory, in bytes, that the duplicate check of one plain-encoded set, hash or zset may take before its
   * members spill to temporary files (default 16 MiB). The check is complete whatever the key holds.
   */
  duplicateCheckBytes?: number;
  /** Directory for those temporary files (default: the system's temporary directory). */
  tempDir?: string;
  /**
   * String values (RDB type 0) longer than this many bytes — raw, or compressed or decompressed for LZF —
   * are read over several steps, so that no step needs the whole value in its buffer: their bytes go through
   * the checks and the CRC in pieces, and with `materialize` they arrive as several consecutive string
   * chunks of at most this size (default 1 MiB).
   */
  stringPieceBytes?: number;
  /**
   * Build value chunks (default true). With false, values are still read and validated in full, but no
   * `value` records are emitted (except module values), which is much cheaper for `check` and `inspect`.
   */
  materialize?: boolean;
  /**
   * With `materialize` true, decides key by key (by its RDB type byte) whether its value is built: a key for
   * which it returns false is only read and validated, as with `materialize: false`, and its key record says
   * `values: false` (the records are then {@link AnyRdbRecord}s). For a writer that copies some encodings
   * unchanged (with `raw`) and re-encodes the others.
   */
  materializeType?: (typeCode: number) => boolean;
  /**
   * Also yield the bytes of every key's value exactly as the file holds them, as {@link RawRecord}s between
   * the key record and its key-end record (default false): for writers that copy an encoding unchanged.
   */
  raw?: boolean;
  /**
   * With `raw`: the raw records are views into the input's buffer instead of copies (saves a copy of every
   * value), for a consumer that is done with them before it asks for the next batch, or that reads an input
   * whose buffer is never reused.
   */
  rawViews?: boolean;
}

type Phase = 'header' | 'top' | 'value' | 'checksum' | 'done';

/** A string value read over several steps. */
interface OpenString {
  /** Absolute offset of the first data byte (after the length or the LZF lengths). */
  dataStart: number;
  /** Bytes of data in the file: the length of a raw string, the compressed length of an LZF one. */
  length: number;
  /** Data bytes still to read. */
  left: number;
  /** Where the next value chunk starts (the first one covers the string's header too). */
  chunkStart: number;
  /** The LZF state of a compressed string. */
  lzf: LzfStream | undefined;
}
/**
 * Opcodes that only Redis Enterprise writes (after the defines.h of librdb): a file holding one is not damaged,
 * but its layout is not public, so it cannot be read past.
 */
const VENDOR_OPCODES: Partial<Record<number, string>> = {
  101: 'GCAS, Redis Enterprise',
  102: 'GFLAGS, Redis Enterprise',
  107: 'RAM_LRU, Redis Enterprise',
  121: 'SLOT_NUM, Redis Enterprise',
};

/** Committed bytes gathered before they are hashed in one call. */
const CRC_BATCH = 256 * 1024;

/** The state of a key whose value is read over several steps. */
interface OpenValue {
  key: KeyRecord;
  /** Which reader continues the value. */
  mode: 'string' | 'list' | 'set' | 'zset' | 'hash' | 'quicklist' | 'stream-nodes' | 'stream-meta' | 'stream-groups' | 'module';
  /** Items (elements, pairs, nodes, groups) still to read. */
  remaining: number;
  elements: number;
  /** Duplicate detection of plain sets, hashes and zsets is on (members go to the parser's {@link MemberSet}). */
  seen: boolean;
  /** For a string read in pieces. */
  string: OpenString | undefined;
  /** What Redis would make of the value in memory, when the type alone does not say (a string's). */
  objectEncoding: string | undefined;
  /** Hash field TTL base (type 24). */
  minExpire: number;
  /** Stream node ids, to reject a listpack re-added with an existing key. */
  streamNodes: Set<string> | undefined;
  streamGroupNames: Set<string> | undefined;
  /** For quicklists: did any node hold an element? */
  nonEmptyNodes: number;
  /** For hashes: does any field carry a TTL? */
  fieldTtls: boolean;
}

const latin1 = new TextDecoder('latin1');
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** Reads a stream ID's 16 raw bytes (big-endian ms and seq) as a latin1 string, as u64be() twice would. */
function rawStreamId(r: ByteReader): string {
  r.need(8);
  r.pos += 8;
  r.need(8);
  r.pos += 8;
  return latin1Slice.call(r.data, r.pos - 16, r.pos);
}

/** Reads past 8 bytes, as a 64-bit read would. */
function skip8(r: ByteReader): void {
  r.need(8);
  r.pos += 8;
}

/** A latin1 string back to its bytes (for messages). */
function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Joins byte pieces into one array. */
function concatPieces(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0] as Uint8Array;
  let size = 0;
  for (const piece of pieces) size += piece.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function idKey(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

function readRawStreamId(r: ByteReader): StreamId {
  return { ms: r.u64be(), seq: r.u64be() };
}

/**
 * The RDB format as a resumable state machine. Each call to {@link step} parses one atomic unit
 * (an opcode, a key header, a batch of elements, a blob) from a {@link ByteReader} and appends the
 * records it yields. When the reader runs out of bytes the step throws {@link TruncatedError} having
 * changed nothing, so a streaming driver can fetch more bytes and call it again at the same offset;
 * a driver over a whole buffer reports the error as a truncated file.
 *
 * Memory: a step holds at most one blob (a string, listpack, ziplist…) or one batch of elements,
 * never a whole collection, so a key of any size streams through in chunks.
 */
export class RdbParser {
  readonly file: string | undefined;
  magic: 'REDIS' | 'VALKEY' = 'REDIS';
  version = 0;
  /** Non-fatal findings (pre-release function records). */
  readonly warnings: RdbWarning[] = [];
  private phase: Phase = 'header';
  private readonly crc: Crc64 | undefined;
  /** Absolute offset up to which the CRC has been computed; committed bytes after it are hashed in bulk. */
  private crcFrom = 0;
  /** Absolute offset just past the last committed step. */
  private committed = 0;
  private readonly batchSize: number;
  private readonly deep: boolean;
  /** Values are built for the key being read (see {@link RdbParserOptions.materializeType}). */
  private materialize: boolean;
  private readonly materializeType: ((typeCode: number) => boolean) | undefined;
  private readonly duplicateCheckBytes: number | undefined;
  private readonly tempDir: string | undefined;
  private readonly stringPieceBytes: number;
  private readonly raw: boolean;
  private readonly rawViews: boolean;
  private meta: Uint8Array | undefined;
  private db = 0;
  private expireMs: number | undefined;
  private idle: number | undefined;
  private freq: number | undefined;
  private metaClasses: number | undefined;
  /** Offset of the first prefix opcode (expiry, idle…) of the key being read. */
  private keyStart: number | undefined;
  private open: OpenValue | undefined;

  constructor(options: RdbParserOptions = {}) {
    this.file = options.file;
    this.crc = options.verifyChecksum === false ? undefined : new Crc64();
    this.batchSize = options.batchSize ?? 4096;
    this.deep = options.deep ?? true;
    this.materialize = options.materialize ?? true;
    this.duplicateCheckBytes = options.duplicateCheckBytes;
    this.tempDir = options.tempDir;
    this.stringPieceBytes = Math.max(1, options.stringPieceBytes ?? 1024 * 1024);
    this.materializeType = this.materialize ? options.materializeType : undefined;
    this.raw = options.raw ?? false;
    this.rawViews = options.rawViews ?? false;
  }

  /** The stored checksum and where it was, once read. */
  storedChecksum: { value: bigint; offset: number } | undefined;

  /** The db selected at this point of the file. */
  get currentDb(): number {
    return this.db;
  }

  /** Absolute offset just past the last committed step. */
  get committedOffset(): number {
    return this.committed;
  }

  /**
   * True between top-level records: not inside a value, no key prefix opcode (expiry, idle…) pending.
   * Two parsers of the same file that are both clean at the same offset are in the same state (but db).
   */
  get clean(): boolean {
    return this.phase === 'top' && this.keyStart === undefined;
  }

  /** True once the EOF opcode and checksum have been read. */
  get done(): boolean {
    return this.phase === 'done';
  }

  /** The key being read, when a step ended inside its value or right after its name (for error context). */
  get currentKey(): Uint8Array | undefined {
    return this.open?.key.key ?? this.attemptKey;
  }

  /** The name of the key the current step was reading, before the step committed. */
  private attemptKey: Uint8Array | undefined;

  /**
   * Parses one atomic unit at `r.pos`, appending what it yields to `out`. On {@link TruncatedError}
   * nothing is committed: `out` keeps its length and the parser its state; `r.pos` is left wherever the
   * failure happened, so the caller must retry from its own saved position.
   */
  step(r: ByteReader, out: RdbRecord[]): void {
    const mark = out.length;
    const start = r.pos;
    const inValue = this.phase === 'value';
    this.attemptKey = undefined;
    try {
      switch (this.phase) {
        case 'header':
          this.readHeader(r, out);
          break;
        case 'top':
          this.readTop(r, out);
          break;
        case 'value':
          this.readValueStep(r, out);
          break;
        case 'checksum':
          this.readChecksum(r, out);
          return;
        case 'done':
          throw new CorruptError('read past the end of the RDB', { file: this.file, offset: r.offset });
      }
    } catch (error) {
      out.length = mark;
      if (error instanceof RedbackError) {
        error.at({ file: this.file });
        const key = this.open?.key.key;
        if (key && !(error instanceof TruncatedError) && error.context === undefined) {
          error.during(`key '${printable(key)}'`);
        }
        if (!(error instanceof TruncatedError)) throw this.close(error);
      }
      throw error;
    }
    if (this.raw) this.addRaw(r, out, mark, inValue ? r.base + start : undefined);
    this.committed = r.base + r.pos;
    if (this.crc && this.committed - this.crcFrom >= CRC_BATCH) this.flushChecksum(r);
  }

  /**
   * Releases what the parser holds outside the heap (the spill files of a duplicate check); drivers call it
   * when they stop reading, however they stop. With the error that stops them, returns the error to report:
   * a duplicate among a spilled key's members before that error's offset, which a check in memory would have
   * reported first, wins. Safe to call twice.
   */
  close(error?: unknown): unknown {
    const members = this.members;
    const open = this.open;
    if (members === undefined) return error;
    if (error === undefined || open === undefined || !open.seen || !members.spilled) {
      members.close();
      return error;
    }
    let found: number;
    try {
      found = members.finish();
    } catch {
      return error; // the spill files failed us: the error that stopped the read stands
    }
    const at = error instanceof RedbackError ? error.offset : undefined;
    if (found < 0 || (at !== undefined && at <= found)) return error;
    const duplicate = new CorruptError(duplicateMessage(open.mode), { file: this.file, offset: found }).during(`key '${printable(open.key.key)}'`);
    return duplicate;
  }

  /**
   * Appends the value bytes a step read as a {@link RawRecord}: from `from` (a step inside a value) or from
   * the end of the key record the step made, to the key-end record it made or to where it stopped; before
   * that key-end record.
   */
  private addRaw(r: ByteReader, out: RdbRecord[], mark: number, from: number | undefined): void {
    let start = from;
    let endAt = out.length;
    for (let i = mark; i < out.length; i++) {
      const record = out[i] as RdbRecord;
      if (record.kind === 'key') start = record.offset + record.length;
      else if (record.kind === 'key-end') endAt = i;
    }
    if (start === undefined) return;
    const end = endAt < out.length ? (out[endAt] as RdbRecord).offset : r.base + r.pos;
    if (end <= start) return;
    const bytes = this.rawViews ? r.data.subarray(start - r.base, end - r.base) : r.data.slice(start - r.base, end - r.base);
    out.splice(endAt, 0, { kind: 'raw', bytes, offset: start, length: end - start });
  }

  /**
   * Hashes the committed bytes not yet in the CRC. Drivers call it before the bytes behind `r` are
   * released (before a refill moves the window); the parser calls it itself every {@link CRC_BATCH} bytes
   * and before the checksum is compared, so large ranges go to the fast bulk CRC.
   */
  flushChecksum(r: ByteReader): void {
    if (!this.crc || this.committed <= this.crcFrom) return;
    const from = this.crcFrom - r.base;
    const to = this.committed - r.base;
    if (from < 0 || to > r.end) throw new RangeError('checksum window lost: flushChecksum called too late');
    this.crc.update(r.data, from, to);
    this.crcFrom = this.committed;
  }

  private readHeader(r: ByteReader, out: RdbRecord[]): void {
    this.crcFrom = r.offset;
    this.committed = r.offset;
    r.need(9, 'RDB header');
    const head = latin1.decode(r.data.subarray(r.pos, r.pos + 9));
    let magic: 'REDIS' | 'VALKEY';
    let digits: string;
    if (head.startsWith('REDIS')) {
      magic = 'REDIS';
      digits = head.slice(5);
    } else if (head.startsWith('VALKEY')) {
      magic = 'VALKEY';
      digits = head.slice(6);
    } else {
      throw new CorruptError(`not an RDB file: wrong signature '${printable(r.data.subarray(r.pos, r.pos + 9))}'`, {
        file: this.file,
        offset: r.offset,
      });
    }
    // Redis reads the version with atoi() on the bytes after the magic (up to the 9th byte): leading
    // blanks, a sign, then digits up to the first non-digit. Anything else reads as 0 and is refused.
    const version = atoiVersion(digits);
    const known = magic === 'REDIS' ? version >= 1 && version <= REDIS_RDB_VERSION_MAX : (VALKEY_RDB_VERSIONS as readonly number[]).includes(version);
    if (!known) {
      throw new UnsupportedError(`can't handle RDB format version ${version} ('${printable(r.data.subarray(r.pos + magic.length, r.pos + 9))}' after the ${magic} magic)`, {
        file: this.file,
        offset: r.offset + magic.length,
      });
    }
    const offset = r.offset;
    r.pos += 9;
    this.magic = magic;
    this.version = version;
    this.phase = 'top';
    out.push({ kind: 'header', magic, version, offset, length: 9 });
  }

  private readTop(r: ByteReader, out: RdbRecord[]): void {
    const offset = r.offset;
    const code = r.u8();
    switch (code) {
      case RdbOpcode.EOF: {
        if (this.keyStart !== undefined) {
          throw new CorruptError('end of file after a key prefix opcode, before its key', { file: this.file, offset });
        }
        this.phase = 'checksum';
        this.eofOffset = offset;
        return;
      }
      case RdbOpcode.SELECTDB: {
        const db = readLengthLoose(r);
        this.db = db;
        out.push({ kind: 'selectdb', db, offset, length: r.offset - offset });
        return;
      }
      case RdbOpcode.RESIZEDB: {
        const dbSize = readLengthLoose(r);
        const expiresSize = readLengthLoose(r);
        out.push({ kind: 'resizedb', dbSize, expiresSize, offset, length: r.offset - offset });
        return;
      }
      case RdbOpcode.AUX: {
        const key = readString(r);
        const value = readString(r);
        out.push({ kind: 'aux', key, value, offset, length: r.offset - offset });
        return;
      }
      case RdbOpcode.EXPIRETIME: {
        const seconds = r.i32le();
        this.keyStart ??= offset;
        this.expireMs = seconds * 1000;
        return;
      }
      case RdbOpcode.EXPIRETIME_MS: {
        const ms = r.i64leNumber();
        this.keyStart ??= offset;
        this.expireMs = ms;
        return;
      }
      case RdbOpcode.IDLE: {
        const idle = readLengthLoose(r);
        this.keyStart ??= offset;
        this.idle = idle;
        return;
      }
      case RdbOpcode.FREQ: {
        const freq = r.u8();
        this.keyStart ??= offset;
        this.freq = freq;
        return;
      }
      case RdbOpcode.MODULE_AUX: {
        const moduleId = readLengthBig(r);
        const whenOpcode = readLengthLoose(r);
        const when = readLengthLoose(r);
        if (whenOpcode !== 2) {
          throw new CorruptError(`bad when_opcode ${whenOpcode} in MODULE_AUX`, { file: this.file, offset });
        }
        const bodyStart = r.pos;
        skipModuleOpcodes(r);
        const { name, encver } = decodeModuleId(moduleId);
        out.push({ kind: 'module-aux', moduleId, moduleName: name, encver, when, body: r.data.slice(bodyStart, r.pos), offset, length: r.offset - offset });
        return;
      }
      case RdbOpcode.FUNCTION_PRE_GA: {
        // Redis 7.0 RC1/RC2 layout: name, engine, has-description, [description], body. Redis 7.0 GA loads
        // it (and redis-check-rdb 7.0 accepts it) by rebuilding the `#!engine name=…` header; 7.2+ refuses it.
        const library = readString(r);
        const engine = readString(r);
        if (readLengthLoose(r) !== 0) readString(r);
        const body = readString(r);
        const header = new TextEncoder().encode(`#!${latin1.decode(engine)} name=${latin1.decode(library)}\n`);
        const code = new Uint8Array(header.length + body.length);
        code.set(header, 0);
        code.set(body, header.length);
        this.warnings.push({
          offset,
          message: 'function library in the pre-release format of Redis 7.0 RC1/RC2 (opcode 246): Redis 7.0 loads it, Redis 7.2 and later refuse the file',
        });
        out.push({ kind: 'function', code, engine: latin1.decode(engine), library: latin1.decode(library), preRelease: true, offset, length: r.offset - offset });
        return;
      }
      case RdbOpcode.FUNCTION2: {
        const code = readString(r);
        const header = /^#!(\S+)(?:[^\n]*?\bname=(\S+))?/.exec(latin1.decode(code.subarray(0, Math.min(code.length, 1024))));
        out.push({ kind: 'function', code, engine: header?.[1], library: header?.[2], preRelease: false, offset, length: r.offset - offset });
        return;
      }
      case RdbOpcode.SLOT_INFO: {
        if (this.magic === 'REDIS' && this.version < 12) {
          throw new CorruptError(`invalid object type 244: SLOT_INFO needs RDB version 12, the file says ${this.version}`, { file: this.file, offset });
        }
        const slot = readLength(r);
        const slotSize = readLength(r);
        const expiresSlotSize = readLength(r);
        out.push({ kind: 'slot-info', slot, slotSize, expiresSlotSize, offset, length: r.offset - offset });
        return;
      }
      case RdbOpcode.KEY_META_OR_SLOT_IMPORT: {
        if (this.magic === 'VALKEY') {
          const jobName = readString(r);
          const count = readLength(r);
          const ranges: [number, number][] = [];
          for (let i = 0; i < count; i++) ranges.push([readLength(r), readLength(r)]);
          out.push({ kind: 'slot-import', jobName, ranges, offset, length: r.offset - offset });
          return;
        }
        if (this.version < 13) {
          throw new CorruptError(`opcode 243 (KEY_META) is not valid in RDB version ${this.version}`, { file: this.file, offset });
        }
        const metaStart = r.pos;
        const classes = readLength(r);
        for (let i = 0; i < classes; i++) {
          r.skip(4, 'KEY_META class spec');
          skipModuleOpcodes(r);
        }
        this.keyStart ??= offset;
        this.metaClasses = classes;
        this.meta = r.data.slice(metaStart, r.pos);
        return;
      }
      default:
        this.readKeyStart(r, out, code, offset);
    }
  }

  private eofOffset = 0;

  private readChecksum(r: ByteReader, out: RdbRecord[]): void {
    const offset = this.eofOffset;
    if (this.version < 5) {
      this.phase = 'done';
      out.push({ kind: 'eof', storedChecksum: undefined, computedChecksum: undefined, checksum: 'absent', offset, length: 1 });
      return;
    }
    this.flushChecksum(r);
    const computed = this.crc?.digest();
    const at = r.offset;
    const stored = r.u64le();
    this.phase = 'done';
    this.storedChecksum = { value: stored, offset: at };
    let checksum: 'ok' | 'disabled' | 'skipped';
    if (stored === 0n) checksum = 'disabled';
    else if (computed === undefined) checksum = 'skipped';
    else if (computed !== stored) throw new ChecksumError(stored, computed, { file: this.file, offset: at });
    else checksum = 'ok';
    out.push({ kind: 'eof', storedChecksum: stored, computedChecksum: computed, checksum, offset, length: 9 });
  }

  /** Reads the type byte's key and either the whole value (blob encodings) or its element count. */
  private readKeyStart(r: ByteReader, out: RdbRecord[], code: number, typeOffset: number): void {
    const info = typeInfo(code, this.magic);
    if (!info) {
      const vendor = VENDOR_OPCODES[code];
      if (vendor !== undefined) {
        throw new UnsupportedError(`opcode ${code} (${vendor}) is not part of the open RDB format: redback cannot read past it`, { file: this.file, offset: typeOffset });
      }
      throw new CorruptError(`invalid object type ${code}`, { file: this.file, offset: typeOffset });
    }
    // Types up to RDB 10 are loaded by Redis whatever version the file declares; newer ones only by the
    // Redis that introduced them, so a file declaring an older version cannot hold them.
    if (this.magic === 'REDIS' && info.sinceVersion > 10 && info.sinceVersion > this.version) {
      throw new CorruptError(
        `object type ${code} (${info.encoding}) needs RDB version ${info.sinceVersion}, the file says ${this.version}`,
        { file: this.file, offset: typeOffset },
      );
    }
    const key = readString(r);
    this.attemptKey = key;
    if (this.materializeType) this.materialize = this.materializeType(code);
    const keyOffset = this.keyStart ?? typeOffset;
    const record: KeyRecord = {
      kind: 'key',
      db: this.db,
      key,
      typeCode: code,
      type: info.type,
      encoding: info.encoding,
      expireMs: this.expireMs,
      idle: this.idle,
      freq: this.freq,
      metaClasses: this.metaClasses,
      meta: this.meta,
      module: undefined,
      values: this.materialize as true,
      offset: keyOffset,
      length: r.offset - keyOffset,
    };
    const valueOffset = r.offset;
    let fieldTtls = false;
    try {
      switch (code) {
        case RdbType.STRING: {
          // Only a length of 14 bits or more, or LZF, can be over the piece size (and a 6-bit one under tiny pieces).
          const first = r.pos < r.end ? (r.data[r.pos] as number) : 0x80;
          if ((first >= 0x80 || (first >= 0x40 ? this.stringPieceBytes < 16384 : this.stringPieceBytes < 64)) && this.openLongString(r, out, record, valueOffset)) return;
          const objectEncoding = stringObjectEncoding(r);
          if (!this.materialize) {
            skipString(r);
            this.finishKey(r, out, record, valueOffset, fieldTtls, 1, undefined, objectEncoding);
            return;
          }
          const value = readString(r);
          this.finishKey(r, out, record, valueOffset, fieldTtls, 1, { type: 'string', value }, objectEncoding);
          return;
        }
        case RdbType.LIST:
        case RdbType.SET:
        case RdbType.ZSET:
        case RdbType.ZSET_2:
        case RdbType.HASH: {
          const count = readLength(r);
          if (count === 0) {
            this.finishKey(r, out, record, valueOffset, fieldTtls, 0, undefined);
            return;
          }
          const mode = info.type as 'list' | 'set' | 'zset' | 'hash';
          this.openKey(out, record, mode, count, { seen: this.deep && mode !== 'list' });
          return;
        }
        case RdbType.LIST_QUICKLIST:
        case RdbType.LIST_QUICKLIST_2: {
          const count = readLength(r);
          if (count === 0) {
            this.finishKey(r, out, record, valueOffset, fieldTtls, 0, undefined);
            return;
          }
          this.openKey(out, record, 'quicklist', count);
          return;
        }
        case RdbType.HASH_ZIPMAP: {
          const blob = readBlob(r, !this.materialize);
          const at = blob.start;
          const flat = decodeAt(blob, decodeZipmap);
          const entries: HashEntry[] = [];
          for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ field: flat[i] as Element, value: flat[i + 1] as Element });
          this.checkDuplicates(flat, 'hash zipmap with duplicate fields', at, 2);
          this.finishKey(r, out, record, valueOffset, fieldTtls, entries.length, { type: 'hash', entries });
          return;
        }
        case RdbType.LIST_ZIPLIST: {
          const blob = readBlob(r, !this.materialize);
          const elements = decodeAt(blob, decodeZiplist);
          this.finishKey(r, out, record, valueOffset, fieldTtls, elements.length, { type: 'list', elements });
          return;
        }
        case RdbType.SET_INTSET: {
          const blob = readBlob(r, !this.materialize);
          if (!this.materialize) {
            this.finishKey(r, out, record, valueOffset, fieldTtls, decodeAt(blob, checkIntset), undefined);
            return;
          }
          const members = decodeAt(blob, decodeIntset);
          this.finishKey(r, out, record, valueOffset, fieldTtls, members.length, { type: 'set', members });
          return;
        }
        case RdbType.SET_LISTPACK: {
          const blob = readBlob(r, !this.materialize);
          if (!this.materialize) {
            this.finishKey(r, out, record, valueOffset, fieldTtls, this.checkedListpack(blob, 1, 'set listpack with duplicate members'), undefined);
            return;
          }
          const members = decodeAt(blob, decodeListpack);
          this.checkDuplicates(members, 'set listpack with duplicate members', blob.start);
          this.finishKey(r, out, record, valueOffset, fieldTtls, members.length, { type: 'set', members });
          return;
        }
        case RdbType.ZSET_ZIPLIST:
        case RdbType.ZSET_LISTPACK: {
          const blob = readBlob(r, !this.materialize);
          const at = blob.start;
          if (!this.materialize && code === RdbType.ZSET_LISTPACK) {
            this.finishKey(r, out, record, valueOffset, fieldTtls, this.checkedListpack(blob, 2, 'zset with duplicate members') / 2, undefined);
            return;
          }
          const flat = decodeAt(blob, code === RdbType.ZSET_ZIPLIST ? decodeZiplist : decodeListpack);
          if (flat.length % 2 !== 0) throw new CorruptError(`zset encoding holds ${flat.length} entries, an odd number`, { file: this.file, offset: at });
          this.checkDuplicates(flat, 'zset with duplicate members', at, 2);
          this.finishKey(r, out, record, valueOffset, fieldTtls, flat.length / 2, this.materialize ? { type: 'zset', entries: pairsToZset(flat, at, this.file) } : undefined);
          return;
        }
        case RdbType.HASH_ZIPLIST:
        case RdbType.HASH_LISTPACK: {
          const blob = readBlob(r, !this.materialize);
          const at = blob.start;
          if (!this.materialize && code === RdbType.HASH_LISTPACK) {
            this.finishKey(r, out, record, valueOffset, fieldTtls, this.checkedListpack(blob, 2, 'hash with duplicate fields') / 2, undefined);
            return;
          }
          const flat = decodeAt(blob, code === RdbType.HASH_ZIPLIST ? decodeZiplist : decodeListpack);
          if (flat.length % 2 !== 0) throw new CorruptError(`hash encoding holds ${flat.length} entries, an odd number`, { file: this.file, offset: at });
          this.checkDuplicates(flat, 'hash with duplicate fields', at, 2);
          this.finishKey(r, out, record, valueOffset, fieldTtls, flat.length / 2, this.materialize ? { type: 'hash', entries: pairsToHash(flat, at, this.file) } : undefined);
          return;
        }
        case RdbType.HASH_LISTPACK_EX_PRE_GA:
        case RdbType.HASH_LISTPACK_EX: {
          if (code === RdbType.HASH_LISTPACK_EX) r.i64leNumber(); // minimum expiry of the hash; recomputable
          const blob = readBlob(r, !this.materialize);
          const at = blob.start;
          const flat = decodeAt(blob, decodeListpack);
          if (flat.length % 3 !== 0) {
            throw new CorruptError(`hash listpack with field TTLs holds ${flat.length} entries, not a multiple of 3`, { file: this.file, offset: at });
          }
          const entries: HashEntry[] = [];
          for (let i = 0; i < flat.length; i += 3) {
            const ttl = flat[i + 2];
            const expire = typeof ttl === 'number' ? ttl : typeof ttl === 'bigint' ? Number(ttl) : Number.NaN;
            if (!Number.isInteger(expire) || expire < 0) {
              throw new CorruptError(`hash field TTL entry ${i + 2} is not a non-negative integer`, { file: this.file, offset: at });
            }
            const entry: HashEntry = { field: flat[i] as Element, value: flat[i + 1] as Element };
            if (expire !== 0) {
              entry.expireMs = expire;
              fieldTtls = true;
            }
            entries.push(entry);
          }
          this.checkDuplicates(flat, 'hash with duplicate fields', at, 3);
          this.finishKey(r, out, record, valueOffset, fieldTtls, entries.length, { type: 'hash', entries });
          return;
        }
        case RdbType.HASH_METADATA_PRE_GA:
        case RdbType.HASH_METADATA: {
          // Under VALKEY, 22 is HASH_2 and is read by the same plain-hash path with a different layout.
          const minExpire = code === RdbType.HASH_METADATA && this.magic === 'REDIS' ? r.i64leNumber() : 0;
          const count = readLength(r);
          if (count === 0) {
            this.finishKey(r, out, record, valueOffset, fieldTtls, 0, undefined);
            return;
          }
          this.openKey(out, record, 'hash', count, { seen: this.deep, minExpire });
          return;
        }
        case RdbType.STREAM_LISTPACKS:
        case RdbType.STREAM_LISTPACKS_2:
        case RdbType.STREAM_LISTPACKS_3: {
          const nodes = readLength(r);
          this.openKey(out, record, nodes > 0 ? 'stream-nodes' : 'stream-meta', nodes, { streamNodes: new Set(), streamGroupNames: new Set() });
          return;
        }
        case RdbType.STREAM_LISTPACKS_4:
          throw new UnsupportedError('stream type 26 (Redis 8.6 STREAM_LISTPACKS_4) is not supported yet', {
            file: this.file,
            offset: typeOffset,
          });
        case RdbType.MODULE_PRE_GA:
          throw new UnsupportedError('module value of the pre-release format (type 6) cannot be read without its module', {
            file: this.file,
            offset: typeOffset,
          });
        case RdbType.MODULE_2: {
          const moduleId = readLengthBig(r);
          const { name, encver } = decodeModuleId(moduleId);
          record.module = { moduleId, moduleName: name, encver };
          this.openKey(out, record, 'module', 1, {});
          (this.open as OpenValue).streamNodes = undefined;
          this.moduleInfo = { moduleId, moduleName: name, encver, opcodes: 0, start: r.offset, pieces: [] };
          return;
        }
        default:
          throw new CorruptError(`invalid object type ${code}`, { file: this.file, offset: typeOffset });
      }
    } catch (error) {
      if (error instanceof RedbackError && !(error instanceof TruncatedError) && error.context === undefined) {
        error.during(keyText(key));
      }
      throw error;
    }
  }

  /** Ends a key read in one step: its record, its value (when kept) and its key-end record. */
  private finishKey(
    r: ByteReader,
    out: RdbRecord[],
    record: KeyRecord,
    valueOffset: number,
    fieldTtls: boolean,
    elements: number,
    chunk: ValueChunk | undefined,
    objectEncoding?: string,
  ): void {
    if (elements === 0 && this.deep && record.type !== 'stream' && record.type !== 'module') {
      throw new CorruptError(`empty ${record.type} (${record.encoding})`, { file: this.file, offset: valueOffset }).during(keyText(record.key));
    }
    out.push(record);
    if (chunk && this.materialize) out.push({ kind: 'value', chunk, offset: valueOffset, length: r.offset - valueOffset });
    out.push(this.keyEnd(record, elements, r.offset, fieldTtls, objectEncoding));
    this.clearPrefix();
  }

  /** Starts a key whose value is read over the next steps. */
  private openKey(out: RdbRecord[], record: KeyRecord, mode: OpenValue['mode'], remaining: number, extra: Partial<OpenValue> = {}): void {
    // The value outlives this step's bytes (a streaming driver may reuse its buffer): keep the name apart.
    record.key = record.key.slice();
    out.push(record);
    this.open = {
      key: record,
      mode,
      remaining,
      elements: 0,
      seen: false,
      string: undefined,
      objectEncoding: undefined,
      minExpire: 0,
      streamNodes: undefined,
      streamGroupNames: undefined,
      nonEmptyNodes: 0,
      fieldTtls: false,
      ...extra,
    };
    if (this.open.seen) this.memberSet().reset(remaining);
    this.phase = 'value';
    this.clearPrefix();
  }

  /**
   * Opens a string value longer than {@link stringPieceBytes} (raw, or LZF with either length above it) to be
   * read over the next steps; returns false, having consumed nothing, for any other string.
   */
  private openLongString(r: ByteReader, out: RdbRecord[], record: KeyRecord, valueOffset: number): boolean {
    const save = r.pos;
    const first = r.peek();
    const kind = first >> 6;
    const piece = this.stringPieceBytes;
    let string: OpenString;
    if (kind === 3) {
      if ((first & 0x3f) !== StringEncoding.LZF) return false;
      r.pos += 1;
      const compressedLength = readLength(r);
      const originalLength = readLength(r);
      if (compressedLength <= piece && originalLength <= piece) {
        r.pos = save;
        return false;
      }
      const dataStart = r.offset;
      const lzf = new LzfStream(compressedLength, originalLength, { file: this.file, offset: dataStart }, { decompress: this.materialize, pieceBytes: piece });
      string = { dataStart, length: compressedLength, left: compressedLength, chunkStart: valueOffset, lzf };
    } else {
      const length = readLength(r);
      if (length <= piece) {
        r.pos = save;
        return false;
      }
      string = { dataStart: r.offset, length, left: length, chunkStart: valueOffset, lzf: undefined };
    }
    const after = r.pos;
    r.pos = save;
    const objectEncoding = stringObjectEncoding(r);
    r.pos = after;
    this.openKey(out, record, 'string', 1, { string, objectEncoding });
    return true;
  }

  /** Reads the next piece of an open string value (see {@link openLongString}). */
  private readStringPiece(r: ByteReader, out: RdbRecord[], open: OpenValue): void {
    const string = open.string as OpenString;
    this.skipBytes = 0;
    if (string.left === 0) {
      // Skipped to its end (see skippable).
      open.remaining = 0;
      open.elements = 1;
      return;
    }
    const available = Math.min(string.left, r.remaining);
    let consumed: number;
    let value: Uint8Array | undefined;
    if (string.lzf !== undefined) {
      consumed = available === 0 ? 0 : string.lzf.feed(r.data, r.pos, r.pos + available);
      if (consumed === 0) throw this.stringTruncated(r, string, string.lzf.wanted || 1);
      if (this.materialize) value = string.lzf.output.slice();
    } else {
      consumed = this.materialize ? Math.min(available, this.stringPieceBytes) : available;
      if (consumed === 0) throw this.stringTruncated(r, string, 1);
      if (this.materialize) value = r.data.subarray(r.pos, r.pos + consumed);
    }
    r.pos += consumed;
    string.left -= consumed;
    if (value !== undefined) {
      out.push({ kind: 'value', chunk: { type: 'string', value }, offset: string.chunkStart, length: r.offset - string.chunkStart });
    }
    string.chunkStart = r.offset;
    if (string.left === 0) {
      open.remaining = 0;
      open.elements = 1;
    } else if (string.lzf === undefined && !this.materialize && this.crc === undefined && !this.raw) {
      this.skipBytes = string.left;
    }
  }

  private skipBytes = 0;

  /**
   * Bytes a driver may pass over without reading them, right after the last step: the rest of a long raw
   * string that nothing looks at (no value chunks, no raw records, no CRC in this parser). The driver then calls
   * {@link skipped}. 0 when there is nothing to skip.
   */
  get skippable(): number {
    return this.skipBytes;
  }

  /** Tells the parser that the driver passed over `count` of the {@link skippable} bytes. */
  skipped(count: number): void {
    const string = this.open?.string;
    this.skipBytes = 0;
    if (string === undefined || count <= 0) return;
    const n = Math.min(count, string.left);
    string.left -= n;
    string.chunkStart += n;
    this.committed += n;
    this.crcFrom = this.committed;
  }

  /**
   * The error of a string read in pieces that ran out of bytes: the whole read's message (its data offset,
   * its length, the bytes that are there), resumable as soon as `needed` more bytes arrive.
   */
  private stringTruncated(r: ByteReader, string: OpenString, needed: number): TruncatedError {
    const what = string.lzf === undefined ? 'unexpected end of file in string' : 'unexpected end of file in LZF string';
    const error = new TruncatedError(string.length, string.length - string.left + r.remaining, { file: this.file, offset: string.dataStart }, what);
    error.resume = { offset: r.offset, needed };
    return error;
  }

  private moduleInfo: { moduleId: bigint; moduleName: string; encver: number; opcodes: number; start: number; pieces: Uint8Array[] } | undefined;

  private clearPrefix(): void {
    this.expireMs = undefined;
    this.idle = undefined;
    this.freq = undefined;
    this.metaClasses = undefined;
    this.meta = undefined;
    this.keyStart = undefined;
  }

  private keyEnd(record: KeyRecord, elements: number, endOffset: number, fieldTtls = false, objectEncoding?: string): RdbRecord {
    return {
      kind: 'key-end',
      fieldTtls,
      key: record.key,
      type: record.type,
      encoding: record.encoding,
      objectEncoding: objectEncoding ?? typeInfo(record.typeCode, this.magic)?.objectEncoding ?? 'raw',
      elements,
      encodedBytes: endOffset - record.offset,
      keyOffset: record.offset,
      offset: endOffset,
      length: 0,
    };
  }

  /** Continues the open value: reads up to one batch, committing only whole items. */
  private readValueStep(r: ByteReader, out: RdbRecord[]): void {
    const open = this.open as OpenValue;
    const offset = r.offset;
    switch (open.mode) {
      case 'string':
        this.readStringPiece(r, out, open);
        break;
      case 'list':
      case 'set': {
        const keep = this.materialize;
        const items: Element[] = [];
        const done = keep
          ? this.readBatch(r, open, () => {
              const at = r.offset;
              const item = readString(r);
              if (open.seen) this.notSeen(open, item, 0, item.length, 'duplicate set members detected', at);
              items.push(item);
            })
          : open.seen
            ? this.readBatch(r, open, () => {
                const at = r.offset;
                this.readMember(r);
                this.notSeen(open, this.memberData, this.memberStart, this.memberEnd, 'duplicate set members detected', at);
              })
            : this.readBatch(r, open, () => skipString(r));
        if (keep) {
          out.push({
            kind: 'value',
            chunk: open.mode === 'list' ? { type: 'list', elements: items } : { type: 'set', members: items },
            offset,
            length: r.offset - offset,
          });
        }
        open.elements += done;
        break;
      }
      case 'zset': {
        const keep = this.materialize;
        const entries: ZsetEntry[] = [];
        const binary = open.key.typeCode === RdbType.ZSET_2;
        const done = this.readBatch(r, open, () => {
          const at = r.offset;
          let member: Uint8Array | undefined;
          if (keep) {
            member = readString(r);
            this.memberData = member;
            this.memberStart = 0;
            this.memberEnd = member.length;
          } else if (open.seen) this.readMember(r);
          else skipString(r);
          const score = binary ? r.f64le() : readAsciiDouble(r);
          if (this.deep && Number.isNaN(score)) throw new CorruptError('zset with NaN score detected', { file: this.file, offset: at });
          if (open.seen) this.notSeen(open, this.memberData, this.memberStart, this.memberEnd, 'duplicate zset members detected', at);
          if (member) entries.push({ member, score });
        });
        if (keep) out.push({ kind: 'value', chunk: { type: 'zset', entries }, offset, length: r.offset - offset });
        open.elements += done;
        break;
      }
      case 'hash': {
        const keep = this.materialize;
        const entries: HashEntry[] = [];
        const code = open.key.typeCode;
        const valkeyHash2 = this.magic === 'VALKEY' && code === 22;
        let ttls = false;
        const done = this.readBatch(r, open, () => {
          const at = r.offset;
          let expireMs: number | undefined;
          if (!valkeyHash2 && code === RdbType.HASH_METADATA) {
            const ttl = readLength(r);
            if (ttl !== 0) expireMs = ttl - 1 + open.minExpire;
          } else if (!valkeyHash2 && code === RdbType.HASH_METADATA_PRE_GA) {
            const ttl = readLength(r);
            if (ttl !== 0) expireMs = ttl;
          }
          let field: Uint8Array | undefined;
          let value: Uint8Array | undefined;
          if (keep) {
            field = readString(r);
            this.memberData = field;
            this.memberStart = 0;
            this.memberEnd = field.length;
            value = readString(r);
          } else {
            if (open.seen) this.readMember(r);
            else skipString(r);
            skipString(r);
          }
          if (valkeyHash2) {
            const expire = r.i64leNumber();
            if (expire !== -1) expireMs = expire;
          }
          if (open.seen) this.notSeen(open, this.memberData, this.memberStart, this.memberEnd, 'duplicate hash fields detected', at);
          if (expireMs !== undefined) ttls = true;
          if (field && value) {
            const entry: HashEntry = { field, value };
            if (expireMs !== undefined) entry.expireMs = expireMs;
            entries.push(entry);
          }
        });
        if (ttls) open.fieldTtls = true;
        if (keep) out.push({ kind: 'value', chunk: { type: 'hash', entries }, offset, length: r.offset - offset });
        open.elements += done;
        break;
      }
      case 'quicklist': {
        // One node per step: a node is one blob.
        let container: number = QuicklistContainer.PACKED;
        if (open.key.typeCode === RdbType.LIST_QUICKLIST_2) {
          const at = r.offset;
          container = readLength(r);
          if (container !== QuicklistContainer.PACKED && container !== QuicklistContainer.PLAIN) {
            throw new CorruptError(`quicklist node container ${container} is neither PLAIN (1) nor PACKED (2)`, { file: this.file, offset: at });
          }
        }
        const node = readBlob(r, !this.materialize);
        if (node.blob.length === 0) throw new CorruptError('empty quicklist node', { file: this.file, offset: node.start });
        let elements: Element[] | undefined;
        let count: number;
        if (container === QuicklistContainer.PLAIN) {
          elements = [node.blob];
          count = 1;
        } else if (!this.materialize && open.key.typeCode === RdbType.LIST_QUICKLIST_2) {
          count = this.checkedListpack(node, 0, '');
        } else {
          elements = decodeAt(node, open.key.typeCode === RdbType.LIST_QUICKLIST_2 ? decodeListpack : decodeZiplist);
          count = elements.length;
        }
        open.remaining -= 1;
        open.elements += count;
        if (count > 0) open.nonEmptyNodes += 1;
        if (this.materialize && elements) out.push({ kind: 'value', chunk: { type: 'list', elements }, offset, length: r.offset - offset });
        break;
      }
      case 'stream-nodes': {
        const at = r.offset;
        const nodeKey = readString(r);
        if (nodeKey.length !== 16) {
          throw new CorruptError(`stream node key is ${nodeKey.length} bytes, not the 16 of a stream ID`, { file: this.file, offset: at });
        }
        const blob = readBlob(r, !this.materialize);
        // As Redis: the node is validated first, then checked against the nodes before it.
        let value: RdbRecord | undefined;
        let live: number;
        if (this.materialize) {
          const master: StreamId = { ms: readU64be(nodeKey, 0), seq: readU64be(nodeKey, 8) };
          const node = decodeAt(blob, (bytes, base) => decodeStreamListpack(bytes, master, base));
          const entries = node.entries.filter((entry) => !entry.deleted);
          live = entries.length;
          value = { kind: 'value', chunk: { type: 'stream-entries', entries, deleted: node.entries.length - live }, offset, length: r.offset - offset };
        } else {
          live = decodeAt(blob, (bytes, base) => checkStreamListpack(bytes, base)).live;
        }
        const id = latin1.decode(nodeKey);
        if (open.streamNodes?.has(id)) throw new CorruptError('stream listpack re-added with an existing node key', { file: this.file, offset: at });
        open.streamNodes?.add(id);
        open.remaining -= 1;
        open.elements += live;
        if (value) out.push(value);
        if (open.remaining === 0) {
          open.mode = 'stream-meta';
          return;
        }
        return;
      }
      case 'stream-meta': {
        const code = open.key.typeCode;
        const length = readLengthBig(r);
        const lastId = { ms: readLengthBig(r), seq: readLengthBig(r) };
        const meta: StreamMeta = { length, lastId, groupCount: 0 };
        if (code >= RdbType.STREAM_LISTPACKS_2) {
          meta.firstId = { ms: readLengthBig(r), seq: readLengthBig(r) };
          meta.maxDeletedId = { ms: readLengthBig(r), seq: readLengthBig(r) };
          meta.entriesAdded = readLengthBig(r);
        }
        meta.groupCount = readLength(r);
        if (this.materialize) out.push({ kind: 'value', chunk: { type: 'stream-meta', meta }, offset, length: r.offset - offset });
        open.mode = 'stream-groups';
        open.remaining = meta.groupCount;
        break;
      }
      case 'stream-groups': {
        if (this.materialize) {
          const group = this.readStreamGroup(r, open);
          out.push({ kind: 'value', chunk: { type: 'stream-group', group }, offset, length: r.offset - offset });
        } else {
          this.skimStreamGroup(r, open);
        }
        open.remaining -= 1;
        break;
      }
      case 'module': {
        const info = this.moduleInfo as NonNullable<RdbParser['moduleInfo']>;
        const from = r.pos;
        const read = skipModuleOpcodesInSteps(r, this.batchSize);
        // A step that runs out of bytes is retried from its start, so its piece is kept only once it commits.
        if (this.materialize) info.pieces.push(r.data.slice(from, r.pos));
        info.opcodes += read.count;
        if (!read.done) return;
        open.remaining = 0;
        if (this.materialize) {
          out.push({
            kind: 'value',
            chunk: { type: 'module', moduleId: info.moduleId, moduleName: info.moduleName, encver: info.encver, opcodes: info.opcodes, body: concatPieces(info.pieces) },
            offset: info.start,
            length: r.offset - info.start,
          });
        }
        info.pieces = [];
        open.elements = 1;
        break;
      }
    }
    if (open.remaining === 0) this.closeValue(r, out, open);
  }

  private closeValue(r: ByteReader, out: RdbRecord[], open: OpenValue): void {
    if (open.mode === 'stream-nodes' || open.mode === 'stream-meta') return;
    if (open.mode === 'quicklist' && open.nonEmptyNodes === 0 && this.deep) {
      throw new CorruptError('quicklist whose nodes are all empty', { file: this.file, offset: r.offset });
    }
    if (open.seen && this.members?.spilled) {
      const duplicate = this.members.finish();
      if (duplicate >= 0) throw new CorruptError(duplicateMessage(open.mode), { file: this.file, offset: duplicate });
    }
    out.push(this.keyEnd(open.key, open.elements, r.offset, open.fieldTtls, open.objectEncoding));
    this.open = undefined;
    this.phase = 'top';
  }

  /** Throws when the member `data[start, end)` was seen earlier in the key; otherwise adds it. */
  // Members go straight into the key's set: notSeen runs only once an item is read whole, and readBatch
  // commits every whole item, so a retried step never meets its own members again.
  private notSeen(open: OpenValue, data: Uint8Array, start: number, end: number, message: string, at: number): void {
    if (!this.memberSet().add(data, start, end, at)) throw new CorruptError(message, { file: this.file, offset: at });
  }

  /** The members of the value being read, for duplicate checks (one value is open at a time). */
  private members: MemberSet | undefined;

  private memberSet(): MemberSet {
    return (this.members ??= new MemberSet({ memoryBytes: this.duplicateCheckBytes, tempDir: this.tempDir }));
  }

  /** A set for the duplicate check of a blob's entries (bounded by the blob). */
  private blobMembers: ByteSet | undefined;
  /** Where {@link readMember} left the member it read: `memberData[memberStart, memberEnd)`. */
  private memberData: Uint8Array = new Uint8Array(0);
  private memberStart = 0;
  private memberEnd = 0;
  private readonly memberDigits = new Uint8Array(24);

  /**
   * Reads an RDB string for a duplicate check without making a view: plain strings stay in the reader's
   * bytes, integer encodings become their decimal text (as Redis compares them), LZF is decompressed.
   */
  private readMember(r: ByteReader): void {
    const first = r.peek();
    if (first >> 6 === 3) {
      const encoding = first & 0x3f;
      if (encoding <= StringEncoding.INT32) {
        r.pos += 1;
        const value = encoding === StringEncoding.INT8 ? r.i8() : encoding === StringEncoding.INT16 ? r.i16le() : r.i32le();
        const digits = this.memberDigits;
        this.memberData = digits;
        this.memberStart = writeDecimal(value, digits);
        this.memberEnd = digits.length;
        return;
      }
      const bytes = readString(r);
      this.memberData = bytes;
      this.memberStart = 0;
      this.memberEnd = bytes.length;
      return;
    }
    const length = readLength(r);
    r.need(length, 'string');
    this.memberData = r.data;
    this.memberStart = r.pos;
    this.memberEnd = r.pos + length;
    r.pos += length;
  }

  /** Runs `readOne` until the batch is full or the value is complete; keeps whole items when bytes run out. Returns the items read. */
  private readBatch(r: ByteReader, open: OpenValue, readOne: () => void): number {
    const limit = Math.min(open.remaining, this.batchSize);
    let done = 0;
    let good = r.pos;
    try {
      while (done < limit) {
        readOne();
        done++;
        good = r.pos;
      }
    } catch (error) {
      if (error instanceof TruncatedError && done > 0) {
        r.pos = good;
      } else {
        throw error;
      }
    }
    open.remaining -= done;
    return done;
  }

  /**
   * Validates a listpack blob without building its entries (for check and inspect); with `stride`, also
   * rejects duplicate members (1) or fields (2). Returns the entry count, checking pairs are whole.
   */
  private checkedListpack(blob: { blob: Uint8Array; at: number; start: number }, stride: number, message: string): number {
    const result = decodeAt(blob, (bytes, base) => checkListpack(bytes, base, this.deep ? stride : 0));
    if (stride > 1 && result.count % stride !== 0) {
      throw new CorruptError(`listpack holds ${result.count} entries, not a multiple of ${stride}`, { file: this.file, offset: blob.start });
    }
    if (result.duplicateAt >= 0) throw new CorruptError(message, { file: this.file, offset: blob.start });
    return result.count;
  }

  /** Rejects duplicates among items[0], items[stride], items[2*stride]… (members, or fields of pairs). */
  private checkDuplicates(items: Element[], message: string, offset: number, stride = 1): void {
    if (!this.deep || items.length < 2 * stride) return;
    const seen = (this.blobMembers ??= new ByteSet());
    seen.reset();
    for (let i = 0; i < items.length; i += stride) {
      const item = items[i] as Element;
      const added = typeof item === 'object' ? seen.add(item, 0, item.length) : seen.addInteger(item);
      if (!added) throw new CorruptError(message, { file: this.file, offset });
    }
  }

  /**
   * {@link readStreamGroup} without building the group: the same reads, checks and errors at the same
   * offsets, with IDs kept as their 16 raw bytes instead of bigints.
   */
  private skimStreamGroup(r: ByteReader, open: OpenValue): void {
    const code = open.key.typeCode;
    const at = r.offset;
    const nameKey = latin1.decode(readString(r));
    skipLength(r);
    skipLength(r);
    if (code >= RdbType.STREAM_LISTPACKS_2) skipLength(r);
    if (open.streamGroupNames?.has(nameKey)) throw new CorruptError(`duplicated consumer group name '${printable(latin1Bytes(nameKey))}'`, { file: this.file, offset: at });
    const pelCount = readLength(r);
    /** Raw ID → whether a consumer owns it. */
    const pel = new Map<string, boolean>();
    for (let i = 0; i < pelCount; i++) {
      const entryAt = r.offset;
      const k = rawStreamId(r);
      skip8(r); // delivery time
      skipLength(r); // delivery count
      if (pel.has(k)) throw new CorruptError('duplicated global PEL entry in stream consumer group', { file: this.file, offset: entryAt });
      pel.set(k, false);
    }
    const consumerCount = readLength(r);
    const consumerNames = new Set<string>();
    for (let i = 0; i < consumerCount; i++) {
      const consumerAt = r.offset;
      const cn = latin1.decode(readString(r));
      if (consumerNames.has(cn)) throw new CorruptError('duplicate stream consumer detected', { file: this.file, offset: consumerAt });
      consumerNames.add(cn);
      skip8(r); // seen time
      if (code >= RdbType.STREAM_LISTPACKS_3) skip8(r); // active time
      const owned = readLength(r);
      const mine = new Set<string>();
      for (let j = 0; j < owned; j++) {
        const idAt = r.offset;
        const k = rawStreamId(r);
        if (!pel.has(k)) throw new CorruptError('consumer entry not found in group global PEL', { file: this.file, offset: idAt });
        if (mine.has(k)) throw new CorruptError('duplicated consumer PEL entry', { file: this.file, offset: idAt });
        mine.add(k);
        pel.set(k, true);
      }
    }
    if (this.deep) {
      for (const owned of pel.values()) {
        if (!owned) throw new CorruptError('stream group PEL entry without consumer', { file: this.file, offset: at });
      }
    }
    open.streamGroupNames?.add(nameKey);
  }

  private readStreamGroup(r: ByteReader, open: OpenValue): StreamGroup {
    const code = open.key.typeCode;
    const at = r.offset;
    const name = readString(r);
    const lastId = { ms: readLengthBig(r), seq: readLengthBig(r) };
    const group: StreamGroup = { name, lastId, pending: [], consumers: [] };
    if (code >= RdbType.STREAM_LISTPACKS_2) group.entriesRead = readLengthBig(r);
    const nameKey = latin1.decode(name);
    if (open.streamGroupNames?.has(nameKey)) throw new CorruptError(`duplicated consumer group name '${printable(name)}'`, { file: this.file, offset: at });
    const pelCount = readLength(r);
    const pel = new Map<string, StreamPendingEntry>();
    for (let i = 0; i < pelCount; i++) {
      const entryAt = r.offset;
      const id = readRawStreamId(r);
      const deliveryTimeMs = r.i64leNumber();
      const deliveryCount = Number(readLengthBig(r));
      const k = idKey(id);
      if (pel.has(k)) throw new CorruptError('duplicated global PEL entry in stream consumer group', { file: this.file, offset: entryAt });
      const entry: StreamPendingEntry = { id, deliveryTimeMs, deliveryCount };
      pel.set(k, entry);
      group.pending.push(entry);
    }
    const consumerCount = readLength(r);
    const consumerNames = new Set<string>();
    for (let i = 0; i < consumerCount; i++) {
      const consumerAt = r.offset;
      const consumerName = readString(r);
      const cn = latin1.decode(consumerName);
      if (consumerNames.has(cn)) throw new CorruptError('duplicate stream consumer detected', { file: this.file, offset: consumerAt });
      consumerNames.add(cn);
      const consumer: StreamConsumer = { name: consumerName, seenTimeMs: r.i64leNumber(), pending: [] };
      if (code >= RdbType.STREAM_LISTPACKS_3) consumer.activeTimeMs = r.i64leNumber();
      const owned = readLength(r);
      const mine = new Set<string>();
      for (let j = 0; j < owned; j++) {
        const idAt = r.offset;
        const id = readRawStreamId(r);
        const k = idKey(id);
        const entry = pel.get(k);
        if (!entry) throw new CorruptError('consumer entry not found in group global PEL', { file: this.file, offset: idAt });
        if (mine.has(k)) throw new CorruptError('duplicated consumer PEL entry', { file: this.file, offset: idAt });
        mine.add(k);
        entry.consumer = consumerName;
        consumer.pending.push(id);
      }
      group.consumers.push(consumer);
    }
    if (this.deep) {
      for (const entry of group.pending) {
        if (!entry.consumer) throw new CorruptError('stream group PEL entry without consumer', { file: this.file, offset: at });
      }
    }
    open.streamGroupNames?.add(nameKey);
    return group;
  }
}

/** Walks module opcodes in bounded steps; committed progress is kept across truncation retries. */
function skipModuleOpcodesInSteps(r: ByteReader, limit: number): { count: number; done: boolean } {
  let good = r.pos;
  let count = 0;
  try {
    while (count < limit) {
      const n = skipModuleOpcodes(r, 1);
      if (n === 0) return { count, done: true };
      count++;
      good = r.pos;
    }
  } catch (error) {
    if (error instanceof TruncatedError && count > 0) {
      r.pos = good;
      return { count, done: false };
    }
    throw error;
  }
  return { count, done: false };
}

/**
 * Reads a string that holds a nested blob. `at` is the absolute offset of the blob's first byte in the file;
 * for an LZF-compressed blob, whose bytes are not in the file as such, it is -1 (see {@link decodeAt}).
 * `transient`: the blob is validated and dropped, nothing keeps a view into it, so an LZF blob may be
 * decompressed into a buffer that the next one reuses.
 */
function readBlob(r: ByteReader, transient: boolean): { blob: Uint8Array; at: number; start: number } {
  const start = r.offset;
  const compressed = r.remaining > 0 && r.data[r.pos] === 0xc3;
  const blob = transient ? readStringTransient(r) : readString(r);
  return { blob, at: compressed ? -1 : r.offset - blob.length, start };
}

/**
 * Runs a blob decoder with file offsets in its errors: the blob's own offset for a plain blob; for an
 * LZF-compressed one, the offset of the compressed string, with the position inside the decompressed blob
 * in the message.
 */
function decodeAt<T>(blob: { blob: Uint8Array; at: number; start: number }, decode: (bytes: Uint8Array, base: number) => T): T {
  if (blob.at >= 0) return decode(blob.blob, blob.at);
  try {
    return decode(blob.blob, 0);
  } catch (error) {
    if (error instanceof RedbackError && error.offset !== undefined) {
      const inside = error.offset;
      error.offset = blob.start;
      error.during(`byte ${inside} of an LZF-compressed blob`);
    }
    throw error;
  }
}

function readU64be(bytes: Uint8Array, at: number): bigint {
  let value = 0n;
  for (let i = 0; i < 8; i++) value = (value << 8n) | BigInt(bytes[at + i] as number);
  return value;
}

function pairsToZset(flat: Element[], offset: number, file: string | undefined): ZsetEntry[] {
  if (flat.length % 2 !== 0) throw new CorruptError(`zset encoding holds ${flat.length} entries, an odd number`, { file, offset });
  const entries: ZsetEntry[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const raw = flat[i + 1] as Element;
    const score = typeof raw === 'object' ? (parseCDouble(latin1.decode(raw)) ?? Number.NaN) : Number(raw);
    entries.push({ member: flat[i] as Element, score });
  }
  return entries;
}

function pairsToHash(flat: Element[], offset: number, file: string | undefined): HashEntry[] {
  if (flat.length % 2 !== 0) throw new CorruptError(`hash encoding holds ${flat.length} entries, an odd number`, { file, offset });
  const entries: HashEntry[] = [];
  for (let i = 0; i < flat.length; i += 2) entries.push({ field: flat[i] as Element, value: flat[i + 1] as Element });
  return entries;
}

/** C's atoi() on a version field: blanks, optional sign, digits up to the first non-digit; 0 when none. */
function atoiVersion(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(text.split('\0')[0] ?? '');
  if (!match || match[2] === '') return 0;
  const value = Number.parseInt(match[2] as string, 10);
  return match[1] === '-' ? -value : value;
}

/** What the duplicate check of a plain-encoded key reports. */
function duplicateMessage(mode: OpenValue['mode']): string {
  return mode === 'hash' ? 'duplicate hash fields detected' : mode === 'zset' ? 'duplicate zset members detected' : 'duplicate set members detected';
}

/** "key 'name'" for error contexts. */
function keyText(key: Uint8Array): string {
  return `key '${printable(key)}'`;
}

/** Logical type of a value chunk, for consumers that group by type. */
export function chunkType(chunk: ValueChunk): RedisType {
  switch (chunk.type) {
    case 'stream-entries':
    case 'stream-meta':
    case 'stream-group':
      return 'stream';
    default:
      return chunk.type;
  }
}
