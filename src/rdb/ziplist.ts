// cspell:words prevlen ziplist quicklist immediates zlbytes zllen zltail zset
import {
  blobCorrupt,
  canonicalInteger,
  i64le,
  toInt64,
  u16le,
  u32le,
  writeI64le,
  writeU32le,
  type BlobEntry,
} from './blob-common.js';

/**
 * Ziplist: the compact list encoding of Redis < 7 (RDB types 10 list, 12 zset, 13 hash and quicklist v1
 * nodes).
 *
 * Layout: `<zlbytes u32le> <zltail u32le> <zllen u16le> <entry>… <0xFF>`. An entry is
 * `<prevlen> <encoding> <data>`: prevlen is one byte (< 254) or 0xFE plus a u32le, the size of the previous
 * entry; the encoding is
 *
 * | first byte  | meaning                                   |
 * |-------------|-------------------------------------------|
 * | `00pppppp`  | string of up to 63 bytes                  |
 * | `01pppppp`  | string, 14-bit big-endian length (+1 byte) |
 * | `10______`  | string, u32 big-endian length (+4 bytes)  |
 * | `0xC0`      | int16 LE                                  |
 * | `0xD0`      | int32 LE                                  |
 * | `0xE0`      | int64 LE                                  |
 * | `0xF0`      | int24 LE                                  |
 * | `0xFE`      | int8                                      |
 * | `0xF1..FD`  | immediate 0..12 (low nibble − 1)          |
 */

export type ZiplistEntry = BlobEntry;

const HEADER_SIZE = 10;
const END = 0xff;
const BIG_PREVLEN = 0xfe;
/** Header count meaning "too many to count, walk the entries". */
export const ZIPLIST_COUNT_UNKNOWN = 0xffff;

/**
 * Decodes a ziplist, validating it as deeply as Redis's `ziplistValidateIntegrity(deep=1)`: zlbytes equals
 * the blob length, terminator at the very end (and no entry starting with 0xFF before it), every entry's
 * prevlen equals the previous entry's size, every encoding is known, no entry overruns, zltail points at
 * the last entry (at the header end when there are none), zllen (unless 65535) equals the entry count.
 *
 * Strings come back as views into `blob`; integers as numbers when safe, bigints otherwise. When `offsets`
 * is given, each entry's absolute offset is pushed to it. Throws {@link CorruptError} at
 * `base + position` on any problem.
 */
export function decodeZiplist(blob: Uint8Array, base = 0, offsets?: number[]): ZiplistEntry[] {
  const size = blob.length;
  if (size < HEADER_SIZE + 1) {
    throw blobCorrupt(`ziplist of ${size} bytes is shorter than the 11-byte minimum`, base, 0);
  }
  const zlbytes = u32le(blob, 0);
  if (zlbytes !== size) throw blobCorrupt(`ziplist header says ${zlbytes} bytes but the blob has ${size}`, base, 0);
  const last = size - 1;
  if (blob[last] !== END) throw blobCorrupt('ziplist does not end with the 0xFF terminator', base, last);
  const zltail = u32le(blob, 4);
  if (zltail > last) throw blobCorrupt(`ziplist tail offset ${zltail} is past the end of the ziplist`, base, 4);

  const out: ZiplistEntry[] = [];
  let p = HEADER_SIZE;
  let prevSize = 0;
  let prevStart = -1;
  let index = 0;
  while (blob[p] !== END) {
    const first = blob[p] as number;
    const prevlenSize = first < BIG_PREVLEN ? 1 : 5;
    if (p + prevlenSize > last) {
      throw blobCorrupt(`ziplist entry ${index}: prevlen runs past the end of the ziplist`, base, p);
    }
    const q = p + prevlenSize;
    const enc = blob[q] as number;
    let lenSize: number;
    let dataLen: number;
    if (enc < 0xc0) {
      lenSize = enc < 0x40 ? 1 : enc < 0x80 ? 2 : 5;
      dataLen = 0; // read below, once the length bytes are known to be inside
    } else {
      lenSize = 1;
      switch (enc) {
        case 0xc0:
          dataLen = 2;
          break;
        case 0xd0:
          dataLen = 4;
          break;
        case 0xe0:
          dataLen = 8;
          break;
        case 0xf0:
          dataLen = 3;
          break;
        case 0xfe:
          dataLen = 1;
          break;
        default:
          if (enc >= 0xf1 && enc <= 0xfd) {
            dataLen = 0;
            break;
          }
          throw blobCorrupt(`ziplist entry ${index}: invalid encoding byte 0x${enc.toString(16)}`, base, q);
      }
    }
    if (q + lenSize > last) {
      throw blobCorrupt(`ziplist entry ${index}: encoding header runs past the end of the ziplist`, base, q);
    }
    if (lenSize === 1 && enc < 0xc0) dataLen = enc & 0x3f;
    else if (lenSize === 2) dataLen = ((enc & 0x3f) << 8) | (blob[q + 1] as number);
    else if (lenSize === 5) {
      dataLen = (blob[q + 1] as number) * 0x1000000 + (((blob[q + 2] as number) << 16) | ((blob[q + 3] as number) << 8) | (blob[q + 4] as number));
    }
    const data = q + lenSize;
    const next = data + dataLen;
    if (next > last) {
      throw blobCorrupt(
        `ziplist entry ${index}: entry of ${next - p} bytes runs past the end of the ziplist (${last - p} bytes left)`,
        base,
        p,
      );
    }
    const prevlen = prevlenSize === 1 ? first : u32le(blob, p + 1);
    if (prevlen !== prevSize) {
      throw blobCorrupt(`ziplist entry ${index}: prevlen ${prevlen} does not match previous entry size ${prevSize}`, base, p);
    }
    out.push(enc < 0xc0 ? blob.subarray(data, next) : intValue(blob, data, enc));
    if (offsets !== undefined) offsets.push(base + p);
    prevSize = next - p;
    prevStart = p;
    p = next;
    index++;
  }
  if (p !== last) {
    throw blobCorrupt(`ziplist entry ${index}: end marker 0xFF ${last - p} bytes before the end of the ziplist`, base, p);
  }
  const expectedTail = prevStart < 0 ? HEADER_SIZE : prevStart;
  if (zltail !== expectedTail) {
    throw blobCorrupt(
      `ziplist tail offset ${zltail} does not point at the ${prevStart < 0 ? 'header end of an empty ziplist' : 'last entry'} (${expectedTail})`,
      base,
      4,
    );
  }
  const zllen = u16le(blob, 8);
  if (zllen !== ZIPLIST_COUNT_UNKNOWN && zllen !== index) {
    throw blobCorrupt(`ziplist header count ${zllen} does not match its ${index} entries`, base, 8);
  }
  return out;
}

function intValue(blob: Uint8Array, p: number, enc: number): number | bigint {
  switch (enc) {
    case 0xc0:
      return (u16le(blob, p) << 16) >> 16;
    case 0xd0:
      return u32le(blob, p) | 0;
    case 0xe0:
      return i64le(blob, p);
    case 0xf0:
      return ((u16le(blob, p) | ((blob[p + 2] as number) << 16)) << 8) >> 8;
    case 0xfe:
      return ((blob[p] as number) << 24) >> 24;
    default:
      return (enc & 0x0f) - 1;
  }
}

// --- encoder -------------------------------------------------------------------------------------

function intDataLen(v: bigint, before26: boolean): number {
  if (before26) return v >= -32768n && v <= 32767n ? 2 : v >= -2147483648n && v <= 2147483647n ? 4 : 8;
  if (v >= 0n && v <= 12n) return 0;
  if (v >= -128n && v <= 127n) return 1;
  if (v >= -32768n && v <= 32767n) return 2;
  if (v >= -8388608n && v <= 8388607n) return 3;
  if (v >= -2147483648n && v <= 2147483647n) return 4;
  return 8;
}

/** Options of {@link encodeZiplist}. */
export interface ZiplistEncodeOptions {
  /**
   * Encode integers as Redis before 2.6 did, with the 16, 32 and 64-bit forms only (no 4-bit immediates,
   * no int8 or int24). Ziplists written by Redis 2.4 keep that form in every later RDB that copies them.
   */
  before26?: boolean;
}

const INT_ENCODING: Record<number, number> = { 1: 0xfe, 2: 0xc0, 3: 0xf0, 4: 0xd0, 8: 0xe0 };

/**
 * Encodes entries as Redis's `ziplistPush` would: strings of 1–31 bytes holding canonical int64 text
 * and integer arguments are stored with the smallest integer encoding (immediates for 0..12), strings with
 * the smallest length header, prevlen in 1 byte below 254 and 5 bytes otherwise, zllen 65535 once there
 * are that many entries. Used for writing old-format files. Throws RangeError for integers outside int64 or
 * a result over 4 GiB.
 *
 * Not every ziplist Redis wrote is in this form: one built with LPUSH or LINSERT may keep 5-byte prevlens
 * where 1 byte would do (Redis grows a prevlen in place but never shrinks it), and see
 * {@link ZiplistEncodeOptions.before26} for Redis 2.4's integers.
 */
export function encodeZiplist(entries: readonly ZiplistEntry[], options: ZiplistEncodeOptions = {}): Uint8Array {
  const before26 = options.before26 === true;
  const ints: (bigint | undefined)[] = [];
  const sizes: number[] = [];
  let total = HEADER_SIZE + 1;
  let prev = 0;
  for (const entry of entries) {
    let int: bigint | undefined;
    if (entry instanceof Uint8Array) {
      const parsed = entry.length > 0 && entry.length < 32 ? canonicalInteger(entry) : undefined;
      if (parsed !== undefined) int = BigInt(parsed);
    } else {
      int = toInt64(entry, 'ziplist entry');
    }
    const len = entry instanceof Uint8Array ? entry.length : 0;
    const body = int !== undefined ? 1 + intDataLen(int, before26) : (len <= 0x3f ? 1 : len <= 0x3fff ? 2 : 5) + len;
    const size = (prev < BIG_PREVLEN ? 1 : 5) + body;
    ints.push(int);
    sizes.push(size);
    total += size;
    prev = size;
  }
  if (total > 0xffffffff) throw new RangeError(`ziplist of ${total} bytes exceeds the 4 GiB limit`);
  const out = new Uint8Array(total);
  writeU32le(out, 0, total);
  const count = Math.min(entries.length, ZIPLIST_COUNT_UNKNOWN);
  out[8] = count & 0xff;
  out[9] = count >>> 8;
  let p = HEADER_SIZE;
  let tail = HEADER_SIZE;
  prev = 0;
  entries.forEach((entry, i) => {
    tail = p;
    if (prev < BIG_PREVLEN) out[p++] = prev;
    else {
      out[p] = BIG_PREVLEN;
      writeU32le(out, p + 1, prev);
      p += 5;
    }
    const int = ints[i];
    if (int !== undefined) {
      const n = intDataLen(int, before26);
      if (n === 0) out[p++] = 0xf1 + Number(int);
      else {
        out[p++] = INT_ENCODING[n] as number;
        if (n === 8) writeI64le(out, p, int);
        else {
          const v = Number(int);
          for (let k = 0; k < n; k++) out[p + k] = (v >> (8 * k)) & 0xff;
        }
        p += n;
      }
    } else {
      const s = entry as Uint8Array;
      const len = s.length;
      if (len <= 0x3f) out[p++] = len;
      else if (len <= 0x3fff) {
        out[p++] = 0x40 | (len >> 8);
        out[p++] = len & 0xff;
      } else {
        out[p] = 0x80;
        out[p + 1] = (len >>> 24) & 0xff;
        out[p + 2] = (len >>> 16) & 0xff;
        out[p + 3] = (len >>> 8) & 0xff;
        out[p + 4] = len & 0xff;
        p += 5;
      }
      out.set(s, p);
      p += len;
    }
    prev = sizes[i] as number;
  });
  writeU32le(out, 4, tail);
  out[p] = END;
  return out;
}

/**
 * Bytes `entry` takes in a ziplist as {@link encodeZiplist} writes it, after an entry of `previousSize`
 * bytes (0 for the first): prevlen, encoding and data. With the 10-byte header and the terminator, the
 * entries' sizes add up to the ziplist's size.
 */
export function ziplistEntrySize(entry: ZiplistEntry, previousSize: number): number {
  let int: bigint | undefined;
  if (entry instanceof Uint8Array) {
    const parsed = entry.length > 0 && entry.length < 32 ? canonicalInteger(entry) : undefined;
    if (parsed !== undefined) int = BigInt(parsed);
  } else {
    int = toInt64(entry, 'ziplist entry');
  }
  const len = entry instanceof Uint8Array ? entry.length : 0;
  const body = int !== undefined ? 1 + intDataLen(int, false) : (len <= 0x3f ? 1 : len <= 0x3fff ? 2 : 5) + len;
  return (previousSize < BIG_PREVLEN ? 1 : 5) + body;
}

/** Bytes of an empty ziplist: the header and the terminator. */
export const ZIPLIST_EMPTY_SIZE = HEADER_SIZE + 1;
