import { ByteSet } from '../bytes/byte-set.js';
// cspell:words backlen listpack numele quicklist varint zsets
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
 * Listpack: the compact list encoding of Redis ≥ 7 (hashes, sets, zsets, quicklist nodes, stream nodes).
 *
 * Layout: `<total bytes u32le> <count u16le> <entry>… <0xFF>`. Each entry is an encoding byte (with the
 * length or the integer), the data, then a back-length of 1–5 bytes holding the size of encoding + data
 * as a varint read backwards (7 bits per byte, the high bit set on every byte but the first).
 *
 * | first byte  | meaning                              | entry size (without back-length) |
 * |-------------|--------------------------------------|----------------------------------|
 * | `0xxxxxxx`  | 7-bit unsigned integer               | 1                                |
 * | `10xxxxxx`  | string of up to 63 bytes             | 1 + len                          |
 * | `110xxxxx`  | 13-bit signed integer (+1 byte)      | 2                                |
 * | `1110xxxx`  | string of up to 4095 bytes (+1 byte) | 2 + len                          |
 * | `0xF0`      | string, u32le length                 | 5 + len                          |
 * | `0xF1..F4`  | int16 / int24 / int32 / int64 LE     | 3 / 4 / 5 / 9                    |
 * | `0xFF`      | end of listpack                      |                                  |
 */

export type ListpackEntry = BlobEntry;

const HEADER_SIZE = 6;
const END = 0xff;
/** Header count meaning "too many to count, walk the entries". */
export const LISTPACK_COUNT_UNKNOWN = 0xffff;

/** Bytes Redis uses to store a back-length of `l` (`lpEncodeBacklenBytes`; note the `<` bounds). */
function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/**
 * Validates the entry starting at `p` the way Redis's `lpValidateNext` does and returns where the next
 * entry starts. `last` is the index of the terminator byte.
 */
function validateEntry(blob: Uint8Array, p: number, last: number, index: number, base: number): number {
  const b = blob[p] as number;
  let headerLen: number;
  let size: number;
  if (b < 0x80) {
    headerLen = 1;
    size = 1;
  } else if (b < 0xc0) {
    headerLen = 1;
    size = 1 + (b & 0x3f);
  } else if (b < 0xe0) {
    headerLen = 1;
    size = 2;
  } else if (b < 0xf0) {
    headerLen = 2;
    size = 0; // needs the second header byte, read below
  } else {
    switch (b) {
      case 0xf0:
        headerLen = 5;
        size = 0;
        break;
      case 0xf1:
        headerLen = 1;
        size = 3;
        break;
      case 0xf2:
        headerLen = 1;
        size = 4;
        break;
      case 0xf3:
        headerLen = 1;
        size = 5;
        break;
      case 0xf4:
        headerLen = 1;
        size = 9;
        break;
      default:
        throw blobCorrupt(`listpack entry ${index}: invalid encoding byte 0x${b.toString(16)}`, base, p);
    }
  }
  if (p + headerLen > last) {
    throw blobCorrupt(`listpack entry ${index}: encoding header runs past the end of the listpack`, base, p);
  }
  if (headerLen === 2) size = 2 + (((b & 0x0f) << 8) | (blob[p + 1] as number));
  else if (headerLen === 5) size = 5 + u32le(blob, p + 1);
  const backlen = backlenSize(size);
  const next = p + size + backlen;
  if (next > last) {
    throw blobCorrupt(
      `listpack entry ${index}: entry of ${size + backlen} bytes runs past the end of the listpack (${last - p} bytes left)`,
      base,
      p,
    );
  }
  // Decode the back-length from its last byte backwards, as lpDecodeBacklen does (at most 5 bytes).
  let q = next - 1;
  let value = 0;
  let scale = 1;
  for (let n = 0; ; n++) {
    const c = blob[q] as number;
    value += (c & 0x7f) * scale;
    if ((c & 0x80) === 0) break;
    if (n === 4) {
      value = -1;
      break;
    }
    scale *= 128;
    q--;
  }
  if (value !== size) {
    const shown = value < 0 ? 'longer than 5 bytes' : String(value);
    throw blobCorrupt(`listpack entry ${index}: back-length ${shown} does not match entry size ${size}`, base, p + size);
  }
  return next;
}

/** The value of the (validated) entry at `p`. */
function entryValue(blob: Uint8Array, p: number): ListpackEntry {
  const b = blob[p] as number;
  if (b < 0x80) return b;
  if (b < 0xc0) return blob.subarray(p + 1, p + 1 + (b & 0x3f));
  if (b < 0xe0) {
    const v = ((b & 0x1f) << 8) | (blob[p + 1] as number);
    return v >= 4096 ? v - 8192 : v;
  }
  if (b < 0xf0) {
    const len = ((b & 0x0f) << 8) | (blob[p + 1] as number);
    return blob.subarray(p + 2, p + 2 + len);
  }
  switch (b) {
    case 0xf0:
      return blob.subarray(p + 5, p + 5 + u32le(blob, p + 1));
    case 0xf1:
      return (u16le(blob, p + 1) << 16) >> 16;
    case 0xf2:
      return ((u16le(blob, p + 1) | ((blob[p + 3] as number) << 16)) << 8) >> 8;
    case 0xf3:
      return u32le(blob, p + 1) | 0;
    default:
      return i64le(blob, p + 1);
  }
}

/** Checks size, total-bytes field and terminator (Redis's shallow `lpValidateIntegrity`). */
function validateHeader(blob: Uint8Array, base: number): void {
  const size = blob.length;
  if (size < HEADER_SIZE + 1) {
    throw blobCorrupt(`listpack of ${size} bytes is shorter than the 7-byte minimum`, base, 0);
  }
  const total = u32le(blob, 0);
  if (total !== size) throw blobCorrupt(`listpack header says ${total} bytes but the blob has ${size}`, base, 0);
  if (blob[size - 1] !== END) throw blobCorrupt('listpack does not end with the 0xFF terminator', base, size - 1);
}

/** Walks every entry with full validation; returns the entry count. */
function walk(blob: Uint8Array, base: number, out: ListpackEntry[] | undefined, offsets: number[] | undefined): number {
  validateHeader(blob, base);
  const last = blob.length - 1;
  let p = HEADER_SIZE;
  let count = 0;
  while (blob[p] !== END) {
    const next = validateEntry(blob, p, last, count, base);
    if (out !== undefined) out.push(entryValue(blob, p));
    if (offsets !== undefined) offsets.push(base + p);
    p = next;
    count++;
  }
  checkEnd(blob, base, p, count);
  return count;
}

/** After the walk: the end marker must be the last byte and the header count (unless unknown) right. */
function checkEnd(blob: Uint8Array, base: number, p: number, count: number): void {
  const last = blob.length - 1;
  if (p !== last) {
    throw blobCorrupt(`listpack entry ${count}: end marker 0xFF ${last - p} bytes before the end of the listpack`, base, p);
  }
  const numele = u16le(blob, 4);
  if (numele !== LISTPACK_COUNT_UNKNOWN && numele !== count) {
    throw blobCorrupt(`listpack header count ${numele} does not match its ${count} entries`, base, 4);
  }
}

/**
 * Decodes a listpack, validating it as deeply as Redis's `lpValidateIntegrity(deep=1)`: total-bytes field
 * equals the blob length, terminator at the very end (and nowhere before it), every entry's encoding and
 * bounds, back-length equals entry size, header count (unless 65535) equals the number of entries.
 *
 * Strings come back as views into `blob` (no copy); integers as numbers when safe, bigints otherwise.
 * When `offsets` is given, the absolute offset of each entry is pushed to it (for error reports by callers
 * that check duplicates or pairing). Throws {@link CorruptError} at `base + position` on any problem.
 */
export function decodeListpack(blob: Uint8Array, base = 0, offsets?: number[]): ListpackEntry[] {
  const out: ListpackEntry[] = [];
  walk(blob, base, out, offsets);
  return out;
}

/**
 * Walks a listpack entry by entry, validating each as {@link decodeListpack} does, without building an
 * array: for readers that look at each entry once, in order (the stream node check). Call {@link finish}
 * after the last entry.
 */
export class ListpackCursor {
  private p = HEADER_SIZE;
  private readonly last: number;
  /** Index of the entry at the cursor. */
  index = 0;
  /** After {@link next} returned a string: where its bytes are in the blob. */
  stringStart = 0;
  stringEnd = 0;

  constructor(
    readonly blob: Uint8Array,
    private readonly base: number,
  ) {
    validateHeader(blob, base);
    this.last = blob.length - 1;
  }

  /** True at the terminator. */
  get atEnd(): boolean {
    return this.blob[this.p] === END;
  }

  /** Absolute offset of the entry at the cursor. */
  get offset(): number {
    return this.base + this.p;
  }

  /**
   * Validates the entry at the cursor and moves past it. Returns its integer value, or undefined for a
   * string (whose bytes are then at [stringStart, stringEnd) of the blob).
   */
  next(): number | bigint | undefined {
    const blob = this.blob;
    const p = this.p;
    const next = validateEntry(blob, p, this.last, this.index, this.base);
    this.p = next;
    this.index++;
    const b = blob[p] as number;
    if (b >= 0x80 && b < 0xc0) {
      this.stringStart = p + 1;
      this.stringEnd = p + 1 + (b & 0x3f);
      return undefined;
    }
    if (b >= 0xe0 && b < 0xf0) {
      this.stringStart = p + 2;
      this.stringEnd = p + 2 + (((b & 0x0f) << 8) | (blob[p + 1] as number));
      return undefined;
    }
    if (b === 0xf0) {
      this.stringStart = p + 5;
      this.stringEnd = p + 5 + u32le(blob, p + 1);
      return undefined;
    }
    return entryValue(blob, p) as number | bigint;
  }

  /** Checks that the cursor is at the terminator, the last byte, and that the header count is right. */
  finish(): void {
    checkEnd(this.blob, this.base, this.p, this.index);
  }
}

/**
 * The number of entries of a listpack. When the header count is known this checks only the header
 * (size, total-bytes field, terminator, like Redis's shallow validation) and returns the count; when it is
 * 65535 ("unknown") it walks and validates every entry.
 */
export function listpackEntryCount(blob: Uint8Array, base = 0): number {
  validateHeader(blob, base);
  const numele = u16le(blob, 4);
  if (numele !== LISTPACK_COUNT_UNKNOWN) return numele;
  return walk(blob, base, undefined, undefined);
}

/** The duplicate check's set, shared by every call (a call empties it first). */
const seen = new ByteSet();

/** Adds the (validated) entry at `p` to {@link seen}: a string's bytes in place, an integer's decimal text. */
function addEntry(blob: Uint8Array, p: number): boolean {
  const b = blob[p] as number;
  if (b >= 0x80 && b < 0xc0) return seen.addInPlace(p + 1, p + 1 + (b & 0x3f));
  if (b >= 0xe0 && b < 0xf0) {
    const start = p + 2;
    return seen.addInPlace(start, start + (((b & 0x0f) << 8) | (blob[p + 1] as number)));
  }
  if (b === 0xf0) return seen.addInPlace(p + 5, p + 5 + u32le(blob, p + 1));
  return seen.addInteger(entryValue(blob, p) as number | bigint);
}

/**
 * Size in bytes (header and data, without the back-length) of an entry whose first byte alone gives it: 7-bit
 * integers, strings under 64 bytes, 13-, 16-, 24-, 32- and 64-bit integers; 0 for the others (longer strings,
 * the END byte, invalid bytes), which take the full validation.
 */
const ENTRY_SIZE = (() => {
  const table = new Uint8Array(256);
  for (let b = 0; b < 0x80; b++) table[b] = 1;
  for (let b = 0x80; b < 0xc0; b++) table[b] = 1 + (b & 0x3f);
  for (let b = 0xc0; b < 0xe0; b++) table[b] = 2;
  table[0xf1] = 3;
  table[0xf2] = 4;
  table[0xf3] = 5;
  table[0xf4] = 9;
  return table;
})();

/**
 * Validates a listpack as deeply as {@link decodeListpack} without building its entries: the cheap form
 * for checking. With `stride` > 0, entries 0, stride, 2*stride… (members, or fields of pairs) must be
 * distinct. Returns the entry count and the index of the first duplicate (-1 when none).
 */
export function checkListpack(blob: Uint8Array, base = 0, stride = 0): { count: number; duplicateAt: number } {
  validateHeader(blob, base);
  const last = blob.length - 1;
  const dedupe = stride > 0;
  if (dedupe) seen.reset(blob);
  let duplicateAt = -1;
  let p = HEADER_SIZE;
  let count = 0;
  if (!dedupe) {
    // The entries whose size the first byte gives (integers, strings under 64 bytes) have a one-byte
    // back-length equal to their size: checked inline, their size from a table; any other entry, or any mismatch, takes the full
    // validation, which accepts or reports exactly as for every entry.
    for (;;) {
      const b = blob[p] as number;
      if (b === END) break;
      const size = ENTRY_SIZE[b] as number;
      const next = p + size + 1;
      p = size !== 0 && next <= last && blob[next - 1] === size ? next : validateEntry(blob, p, last, count, base);
      count++;
    }
    checkEnd(blob, base, p, count);
    return { count, duplicateAt };
  }
  while (blob[p] !== END) {
    const next = validateEntry(blob, p, last, count, base);
    if (duplicateAt < 0 && count % stride === 0 && !addEntry(blob, p)) duplicateAt = count;
    p = next;
    count++;
  }
  checkEnd(blob, base, p, count);
  return { count, duplicateAt };
}

// --- encoder -------------------------------------------------------------------------------------

/** How one entry will be written: an integer (value) or a string (bytes). */
interface Planned {
  int: bigint | undefined;
  bytes: Uint8Array | undefined;
  size: number;
}

function intSize(v: bigint): number {
  if (v >= 0n && v <= 127n) return 1;
  if (v >= -4096n && v <= 4095n) return 2;
  if (v >= -32768n && v <= 32767n) return 3;
  if (v >= -8388608n && v <= 8388607n) return 4;
  if (v >= -2147483648n && v <= 2147483647n) return 5;
  return 9;
}

function stringSize(len: number): number {
  if (len < 64) return 1 + len;
  if (len < 4096) return 2 + len;
  return 5 + len;
}

function writeBacklen(out: Uint8Array, p: number, l: number): number {
  const n = backlenSize(l);
  // Most significant group first; every byte after the first carries the continuation bit.
  for (let i = n - 1; i >= 0; i--) {
    const group = Math.floor(l / 2 ** (7 * i)) & 0x7f;
    out[p + (n - 1 - i)] = i === n - 1 ? group : group | 0x80;
  }
  return n;
}

/**
 * Encodes entries as Redis would (`lpAppend` / `lpAppendInteger`): strings that are canonical int64 decimal
 * text are stored as integers, integers use the smallest encoding, strings the smallest length header,
 * back-lengths as `lpEncodeBacklen` writes them, count 65535 once there are that many entries.
 * Throws RangeError for integers outside int64 or a result over 4 GiB.
 */
export function encodeListpack(entries: readonly ListpackEntry[]): Uint8Array {
  const plans: Planned[] = [];
  let total = HEADER_SIZE + 1;
  for (const entry of entries) {
    let int: bigint | undefined;
    let bytes: Uint8Array | undefined;
    if (entry instanceof Uint8Array) {
      const parsed = canonicalInteger(entry);
      if (parsed === undefined) bytes = entry;
      else int = BigInt(parsed);
    } else {
      int = toInt64(entry, 'listpack entry');
    }
    const size = int !== undefined ? intSize(int) : stringSize((bytes as Uint8Array).length);
    plans.push({ int, bytes, size });
    total += size + backlenSize(size);
  }
  if (total > 0xffffffff) throw new RangeError(`listpack of ${total} bytes exceeds the 4 GiB limit`);
  const out = new Uint8Array(total);
  writeU32le(out, 0, total);
  const count = Math.min(entries.length, LISTPACK_COUNT_UNKNOWN);
  out[4] = count & 0xff;
  out[5] = count >>> 8;
  let p = HEADER_SIZE;
  for (const plan of plans) {
    if (plan.int !== undefined) writeInt(out, p, plan.int, plan.size);
    else writeString(out, p, plan.bytes as Uint8Array);
    p += plan.size;
    p += writeBacklen(out, p, plan.size);
  }
  out[p] = END;
  return out;
}

function writeInt(out: Uint8Array, p: number, v: bigint, size: number): void {
  if (size === 9) {
    out[p] = 0xf4;
    writeI64le(out, p + 1, v);
    return;
  }
  const n = Number(v);
  switch (size) {
    case 1:
      out[p] = n;
      return;
    case 2: {
      const u = n < 0 ? n + 8192 : n;
      out[p] = 0xc0 | (u >> 8);
      out[p + 1] = u & 0xff;
      return;
    }
    default: {
      out[p] = 0xf0 + (size - 2); // 3 → 0xF1, 4 → 0xF2, 5 → 0xF3
      for (let i = 1; i < size; i++) out[p + i] = (n >> (8 * (i - 1))) & 0xff;
    }
  }
}

function writeString(out: Uint8Array, p: number, s: Uint8Array): void {
  const len = s.length;
  if (len < 64) {
    out[p] = 0x80 | len;
    out.set(s, p + 1);
  } else if (len < 4096) {
    out[p] = 0xe0 | (len >> 8);
    out[p + 1] = len & 0xff;
    out.set(s, p + 2);
  } else {
    out[p] = 0xf0;
    writeU32le(out, p + 1, len);
    out.set(s, p + 5);
  }
}

/**
 * Bytes `entry` takes in a listpack as {@link encodeListpack} writes it: encoding, data and back-length
 * (strings that are canonical int64 text count as integers, as `lpAppend` stores them). With the 6-byte
 * header and the terminator, the entries' sizes add up to the listpack's size.
 */
export function listpackEntrySize(entry: ListpackEntry): number {
  let size: number;
  if (entry instanceof Uint8Array) {
    const parsed = canonicalInteger(entry);
    size = parsed === undefined ? stringSize(entry.length) : intSize(BigInt(parsed));
  } else {
    size = intSize(toInt64(entry, 'listpack entry'));
  }
  return size + backlenSize(size);
}

/** Bytes of an empty listpack: the header and the terminator. */
export const LISTPACK_EMPTY_SIZE = HEADER_SIZE + 1;
