/**
 * Re-encodes an RDB file primitive by primitive and reports where the result differs from the original:
 * the test of whether our writer makes the same choices as the program that wrote the file.
 *
 * It walks the file with the read-side primitives (lengths, strings, doubles, the blob decoders) and, for
 * every value it reads, writes the value again with the write side (writeLength, writeString with Redis's
 * integer and LZF rules, writeAsciiDouble, the listpack / ziplist / intset / zipmap / stream encoders).
 * Where the new bytes equal the old ones the site is canonical; where not, the site is listed with its kind
 * and offset and the original bytes are copied instead, so the walk goes on. With no difference at all the
 * output is the input, byte for byte, CRC included.
 *
 * A file written with `rdbcompression no` is recognised by having no LZF string outside quicklist nodes
 * (which Redis writes compressed whenever they were compressed in memory): its strings are re-encoded
 * without compression.
 */
// cspell:words quicklist listpack ziplist zipmap intset Recoder
import { ByteReader } from '../../src/bytes/reader.js';
import { ByteWriter } from '../../src/bytes/writer.js';
import { lzfCompress, lzfDecompress } from '../../src/codecs/lzf.js';
import { QuicklistContainer, RdbOpcode, RdbType, StringEncoding } from '../../src/rdb/constants.js';
import { decodeIntset, encodeIntset } from '../../src/rdb/intset.js';
import { decodeListpack, encodeListpack } from '../../src/rdb/listpack.js';
import {
  checksummedWriter,
  readAsciiDouble,
  readLength,
  readLengthBig,
  writeAsciiDouble,
  writeEof,
  writeLength,
  writeString,
  type StringWriteOptions,
} from '../../src/rdb/primitives.js';
import { decodeStreamListpack, encodeStreamListpack } from '../../src/rdb/stream-listpack.js';
import { decodeZiplist, encodeZiplist } from '../../src/rdb/ziplist.js';
import { decodeZipmap, encodeZipmap } from '../../src/rdb/zipmap.js';
import { concat } from './bytes.js';

/** What kind of primitive a site is. */
export type SiteKind =
  | 'length'
  | 'string'
  | 'string-lzf'
  | 'quicklist-lzf-node'
  | 'ascii-double'
  | 'listpack'
  | 'ziplist'
  | 'intset'
  | 'zipmap'
  | 'stream-listpack'
  | 'checksum';

export interface RecodeReport {
  /** Sites re-encoded, by kind. */
  sites: Record<string, number>;
  /** Sites whose re-encoding differs from the original, by kind. */
  differing: Record<string, number>;
  /**
   * Sites that match only in an older form Redis used to write: 'ziplist:before-2.6' (integers of
   * Redis 2.4), 'lzf:before-liblzf-3.6' (Redis 2.x's liblzf). Counted in `sites`, not in `differing`.
   */
  older: Record<string, number>;
  /** The first few differing sites: kind, offset, detail. */
  examples: string[];
  /** The re-encoded file (original bytes kept at differing sites). */
  output: Uint8Array;
  /** True when the file was recognised as written with `rdbcompression no`. */
  uncompressed: boolean;
  /** Bytes of the RDB (up to and including the EOF record; an AOF preamble's RESP tail is not part of it). */
  rdbLength: number;
}

/** Re-encodes `data` (a whole RDB) and reports how it compares; throws when the file cannot be walked. */
export function recodeRdb(data: Uint8Array): RecodeReport {
  const first = new Recoder(data, { compress: true });
  first.run();
  if (first.topLevelLzf > 0) return first.report(false);
  const second = new Recoder(data, { compress: false });
  second.run();
  return second.report(true);
}

class Recoder {
  private readonly r: ByteReader;
  private readonly w: ByteWriter;
  private readonly crc;
  private readonly sites: Record<string, number> = {};
  private readonly differing: Record<string, number> = {};
  private readonly examples: string[] = [];
  private readonly older: Record<string, number> = {};
  /** Offset just past the EOF record (data after it, as in an AOF with an RDB preamble, is not part of the RDB). */
  private end = 0;
  private magic: 'REDIS' | 'VALKEY' = 'REDIS';
  private version = 0;
  /** LZF strings seen outside quicklist nodes. */
  topLevelLzf = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly options: StringWriteOptions,
  ) {
    this.r = new ByteReader(data);
    const { writer, crc } = checksummedWriter({ chunkSize: 1 << 16 });
    this.w = writer;
    this.crc = crc;
  }

  report(uncompressed: boolean): RecodeReport {
    const output = concat(this.w.take());
    const trailer = this.data.subarray(this.end - 8, this.end);
    if (this.sites.checksum === 1 && !equal(output.subarray(output.length - 8), trailer)) {
      this.differing.checksum = 1;
      this.examples.push(`checksum: ${hex(trailer)} → ${hex(output.subarray(output.length - 8))}`);
    }
    return { sites: this.sites, differing: this.differing, older: this.older, examples: this.examples, output, uncompressed, rdbLength: this.end };
  }

  /**
   * Compares what `encode` writes for a site with the original bytes [start, r.pos), keeping the original
   * when they differ. `older` is an encoding Redis used to write, tried when the current one differs.
   */
  private site(kind: SiteKind, start: number, encode: (w: ByteWriter) => void, detail = '', older?: { name: string; encode: (w: ByteWriter) => void }): void {
    const encoded = (fn: (w: ByteWriter) => void): Uint8Array => {
      const writer = new ByteWriter({ chunkSize: 64 });
      fn(writer);
      const pieces = writer.take();
      return pieces.length === 1 ? (pieces[0] as Uint8Array) : concat(pieces);
    };
    let mine = encoded(encode);
    const theirs = this.data.subarray(start, this.r.pos);
    this.sites[kind] = (this.sites[kind] ?? 0) + 1;
    if (!equal(mine, theirs) && older !== undefined) {
      const again = encoded(older.encode);
      if (equal(again, theirs)) {
        this.older[older.name] = (this.older[older.name] ?? 0) + 1;
        mine = again;
      }
    }
    if (!equal(mine, theirs)) {
      this.differing[kind] = (this.differing[kind] ?? 0) + 1;
      if (this.examples.length < 20) this.examples.push(`${kind} at ${start}${detail ? ` (${detail})` : ''}: ${hex(theirs)} → ${hex(mine)}`);
      this.w.bytes(theirs.slice());
    } else {
      this.w.bytes(mine);
    }
  }

  /** Copies bytes that have one form only (fixed-width integers, raw IDs, opcodes). */
  private copy(n: number): void {
    const start = this.r.pos;
    this.r.skip(n);
    this.w.bytes(this.data.slice(start, this.r.pos));
  }

  private length(): number {
    const start = this.r.pos;
    const value = readLengthBig(this.r);
    this.site('length', start, (w) => writeLength(w, value));
    return Number(value);
  }

  /** Reads an RDB string and re-encodes it; returns its bytes. */
  private string(): Uint8Array {
    const start = this.r.pos;
    const { bytes, lzf } = this.readString();
    if (lzf) this.topLevelLzf++;
    this.site(lzf ? 'string-lzf' : 'string', start, (w) => writeString(w, bytes, this.options), `${bytes.length} bytes`, this.olderLzf(bytes));
    return bytes;
  }

  private olderLzf(bytes: Uint8Array): { name: string; encode: (w: ByteWriter) => void } {
    return { name: 'lzf:before-liblzf-3.6', encode: (w) => writeString(w, bytes, { ...this.options, beforeLiblzf36: true }) };
  }

  /** Reads an RDB string: its bytes and whether it was LZF-compressed. */
  private readString(): { bytes: Uint8Array; lzf: boolean } {
    const first = this.r.peek();
    if (first === (0xc0 | StringEncoding.LZF)) {
      this.r.pos++;
      const compressedLength = readLength(this.r);
      const length = readLength(this.r);
      return { bytes: lzfDecompress(this.r.bytes(compressedLength), length), lzf: true };
    }
    const r = this.r;
    if (first >> 6 === 3) {
      r.pos++;
      const encoding = first & 0x3f;
      const value = encoding === StringEncoding.INT8 ? r.i8() : encoding === StringEncoding.INT16 ? r.i16le() : r.i32le();
      return { bytes: new TextEncoder().encode(String(value)), lzf: false };
    }
    const length = readLength(r);
    return { bytes: r.bytes(length), lzf: false };
  }

  /** A string holding a nested blob: the blob is re-encoded by `encode` and compared, then the string. */
  private blob(kind: SiteKind, encode: (blob: Uint8Array) => Uint8Array, older?: { name: string; encode: (blob: Uint8Array) => Uint8Array }): void {
    const start = this.r.pos;
    const { bytes, lzf } = this.readString();
    if (lzf) this.topLevelLzf++;
    let again = encode(bytes);
    this.sites[kind] = (this.sites[kind] ?? 0) + 1;
    if (!equal(again, bytes) && older !== undefined) {
      const other = older.encode(bytes);
      if (equal(other, bytes)) {
        this.older[older.name] = (this.older[older.name] ?? 0) + 1;
        again = other;
      }
    }
    const same = equal(again, bytes);
    if (!same) {
      this.differing[kind] = (this.differing[kind] ?? 0) + 1;
      if (this.examples.length < 20) this.examples.push(`${kind} at ${start}: ${bytes.length} bytes re-encode to ${again.length}${again.length === bytes.length ? ` (first difference at ${firstDifference(again, bytes)})` : ''}`);
    }
    this.site(lzf ? 'string-lzf' : 'string', start, (w) => writeString(w, same ? again : bytes, this.options), `${kind} of ${bytes.length} bytes`, this.olderLzf(bytes));
  }

  private moduleOperands(): void {
    for (;;) {
      const opcode = this.length();
      if (opcode === 0) return;
      if (opcode === 1 || opcode === 2) this.length();
      else if (opcode === 3) this.copy(4);
      else if (opcode === 4) this.copy(8);
      else if (opcode === 5) this.string();
    }
  }

  run(): void {
    const r = this.r;
    const head = new TextDecoder('latin1').decode(this.data.subarray(0, 9));
    this.magic = head.startsWith('VALKEY') ? 'VALKEY' : 'REDIS';
    this.version = Number.parseInt(head.slice(this.magic.length), 10);
    this.copy(9);
    for (;;) {
      const code = r.u8();
      if (code === RdbOpcode.EOF) {
        // A zero trailer means `rdbchecksum no`: keep it zero; otherwise the CRC of what was written.
        const stored = this.version >= 5 ? r.u64le() : undefined;
        writeEof(this.w, this.version, stored === 0n ? undefined : this.crc);
        if (stored !== undefined) this.sites.checksum = 1;
        this.end = r.pos;
        return;
      }
      this.w.u8(code);
      switch (code) {
        case RdbOpcode.SELECTDB:
          this.length();
          break;
        case RdbOpcode.RESIZEDB:
          this.length();
          this.length();
          break;
        case RdbOpcode.AUX:
          this.string();
          this.string();
          break;
        case RdbOpcode.EXPIRETIME:
          this.copy(4);
          break;
        case RdbOpcode.EXPIRETIME_MS:
          this.copy(8);
          break;
        case RdbOpcode.IDLE:
          this.length();
          break;
        case RdbOpcode.FREQ:
          this.copy(1);
          break;
        case RdbOpcode.MODULE_AUX:
          this.length();
          this.length();
          this.length();
          this.moduleOperands();
          break;
        case RdbOpcode.FUNCTION_PRE_GA: {
          this.string();
          this.string();
          if (this.length() !== 0) this.string();
          this.string();
          break;
        }
        case RdbOpcode.FUNCTION2:
          this.string();
          break;
        case RdbOpcode.SLOT_INFO:
          this.length();
          this.length();
          this.length();
          break;
        case RdbOpcode.KEY_META_OR_SLOT_IMPORT:
          if (this.magic === 'VALKEY') {
            this.string();
            const n = this.length();
            for (let i = 0; i < 2 * n; i++) this.length();
          } else {
            const classes = this.length();
            for (let i = 0; i < classes; i++) {
              this.copy(4);
              this.moduleOperands();
            }
          }
          break;
        default:
          this.string(); // the key
          this.value(code);
      }
    }
  }

  private value(code: number): void {
    switch (code) {
      case RdbType.STRING:
        this.string();
        return;
      case RdbType.LIST:
      case RdbType.SET: {
        const n = this.length();
        for (let i = 0; i < n; i++) this.string();
        return;
      }
      case RdbType.ZSET:
      case RdbType.ZSET_2: {
        const n = this.length();
        for (let i = 0; i < n; i++) {
          this.string();
          if (code === RdbType.ZSET_2) this.copy(8);
          else {
            const start = this.r.pos;
            const score = readAsciiDouble(this.r);
            this.site('ascii-double', start, (w) => writeAsciiDouble(w, score), String(score));
          }
        }
        return;
      }
      case RdbType.HASH: {
        const n = this.length();
        for (let i = 0; i < 2 * n; i++) this.string();
        return;
      }
      case RdbType.HASH_ZIPMAP:
        this.blob('zipmap', (b) => encodeZipmap(decodeZipmap(b)));
        return;
      case RdbType.LIST_ZIPLIST:
      case RdbType.ZSET_ZIPLIST:
      case RdbType.HASH_ZIPLIST:
        this.blob('ziplist', (b) => encodeZiplist(decodeZiplist(b)), OLDER_ZIPLIST);
        return;
      case RdbType.SET_INTSET:
        this.blob('intset', (b) => encodeIntset(decodeIntset(b)));
        return;
      case RdbType.SET_LISTPACK:
      case RdbType.ZSET_LISTPACK:
      case RdbType.HASH_LISTPACK:
      case RdbType.HASH_LISTPACK_EX_PRE_GA:
        this.blob('listpack', (b) => encodeListpack(decodeListpack(b)));
        return;
      case RdbType.HASH_LISTPACK_EX:
        this.copy(8);
        this.blob('listpack', (b) => encodeListpack(decodeListpack(b)));
        return;
      case RdbType.LIST_QUICKLIST:
      case RdbType.LIST_QUICKLIST_2: {
        const nodes = this.length();
        for (let i = 0; i < nodes; i++) {
          const container = code === RdbType.LIST_QUICKLIST_2 ? this.length() : QuicklistContainer.PACKED;
          if (this.r.peek() === (0xc0 | StringEncoding.LZF)) {
            // Compressed in memory (or by rdbcompression): the same bytes as liblzf gives the node.
            const start = this.r.pos;
            const { bytes } = this.readString();
            this.site('quicklist-lzf-node', start, (w) => {
              const lzf = lzfCompress(bytes, bytes.length);
              if (lzf === undefined) writeString(w, bytes, this.options);
              else {
                w.u8(0xc0 | StringEncoding.LZF);
                writeLength(w, lzf.length);
                writeLength(w, bytes.length);
                w.bytes(lzf);
              }
            });
            continue;
          }
          if (container === QuicklistContainer.PLAIN) this.string();
          else if (code === RdbType.LIST_QUICKLIST_2) this.blob('listpack', (b) => encodeListpack(decodeListpack(b)));
          else this.blob('ziplist', (b) => encodeZiplist(decodeZiplist(b)), OLDER_ZIPLIST);
        }
        return;
      }
      case RdbType.HASH_METADATA_PRE_GA:
      case RdbType.HASH_METADATA: {
        const valkey = this.magic === 'VALKEY' && code === RdbType.HASH_METADATA_PRE_GA;
        if (code === RdbType.HASH_METADATA && !valkey) this.copy(8);
        const n = this.length();
        for (let i = 0; i < n; i++) {
          if (!valkey) this.length();
          this.string();
          this.string();
          if (valkey) this.copy(8);
        }
        return;
      }
      case RdbType.STREAM_LISTPACKS:
      case RdbType.STREAM_LISTPACKS_2:
      case RdbType.STREAM_LISTPACKS_3:
        this.stream(code);
        return;
      case RdbType.MODULE_2:
        this.length();
        this.moduleOperands();
        return;
      default:
        throw new Error(`recode: type ${code} at ${this.r.pos - 1} is not handled`);
    }
  }

  private stream(code: number): void {
    const nodes = this.length();
    for (let i = 0; i < nodes; i++) {
      const nodeKey = this.string();
      const view = new DataView(nodeKey.buffer, nodeKey.byteOffset, 16);
      const master = { ms: view.getBigUint64(0), seq: view.getBigUint64(8) };
      this.blob('stream-listpack', (b) => {
        const node = decodeStreamListpack(b, master);
        return encodeStreamListpack(master, node.entries, node.masterFields);
      });
    }
    this.length(); // length
    this.length(); // last id
    this.length();
    if (code >= RdbType.STREAM_LISTPACKS_2) {
      for (let i = 0; i < 5; i++) this.length(); // first id, max deleted id, entries added
    }
    const groups = this.length();
    for (let g = 0; g < groups; g++) {
      this.string();
      this.length();
      this.length();
      if (code >= RdbType.STREAM_LISTPACKS_2) this.length();
      const pel = this.length();
      for (let i = 0; i < pel; i++) {
        this.copy(16 + 8);
        this.length();
      }
      const consumers = this.length();
      for (let c = 0; c < consumers; c++) {
        this.string();
        this.copy(8);
        if (code >= RdbType.STREAM_LISTPACKS_3) this.copy(8);
        const owned = this.length();
        this.copy(16 * owned);
      }
    }
  }
}

const OLDER_ZIPLIST = { name: 'ziplist:before-2.6', encode: (b: Uint8Array) => encodeZiplist(decodeZiplist(b), { before26: true }) };

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return Math.min(a.length, b.length);
}

function hex(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.subarray(0, 24)).toString('hex');
  return bytes.length > 24 ? `${text}… (${bytes.length} bytes)` : text;
}
