// cspell:words dups intset listpack ziplist zipmap zset
import { intBytes } from './primitives.js';
import { CorruptError } from '../errors.js';

/**
 * Helpers shared by the nested-blob decoders (listpack, ziplist, intset, zipmap, stream listpack).
 *
 * A nested blob arrives whole, as one RDB string, so running out of bytes inside it is never "read more
 * from the file": it means the blob is malformed. Every decoder therefore reports problems as
 * {@link CorruptError} at `base + position`, never as a TruncatedError.
 */

/** One element of a listpack or ziplist: a string as a view into the blob, or an integer. */
export type BlobEntry = Uint8Array | number | bigint;

/** A {@link CorruptError} at `base + pos` (the absolute offset of the problem). */
export function blobCorrupt(detail: string, base: number, pos: number): CorruptError {
  return new CorruptError(detail, { offset: base + pos });
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_MINUS = 0x2d;

/**
 * Parses `bytes[start, end)` as a canonical signed 64-bit decimal integer, the way Redis's `string2ll`
 * (and `lpStringToInt64`) do: optional `-`, no leading zeros (except `0` itself), no `-0`, no spaces or
 * `+`, within int64 range. Returns the value as a number when it is a safe integer, a bigint otherwise,
 * and `undefined` when the bytes are not such an integer.
 */
export function canonicalInteger(bytes: Uint8Array, start = 0, end = bytes.length): number | bigint | undefined {
  const len = end - start;
  if (len <= 0 || len >= 21) return undefined;
  let i = start;
  const first = bytes[i] as number;
  if (len === 1) return first >= CHAR_0 && first <= CHAR_9 ? first - CHAR_0 : undefined;
  const negative = first === CHAR_MINUS;
  if (negative) i++;
  const lead = bytes[i] as number;
  if (lead < CHAR_0 + 1 || lead > CHAR_9) return undefined;
  const digits = end - i;
  if (digits <= 15) {
    let v = 0;
    for (; i < end; i++) {
      const c = bytes[i] as number;
      if (c < CHAR_0 || c > CHAR_9) return undefined;
      v = v * 10 + (c - CHAR_0);
    }
    return negative ? -v : v;
  }
  let text = '';
  for (; i < end; i++) {
    const c = bytes[i] as number;
    if (c < CHAR_0 || c > CHAR_9) return undefined;
    text += String.fromCharCode(c);
  }
  const big = negative ? -BigInt(text) : BigInt(text);
  if (big < INT64_MIN || big > INT64_MAX) return undefined;
  return normalizeInteger(big);
}

/** A bigint as a number when it is a safe integer, otherwise unchanged. */
export function normalizeInteger(value: bigint): number | bigint {
  return value >= -0x1fffffffffffffn && value <= 0x1fffffffffffffn ? Number(value) : value;
}

/**
 * Checks that `value` is an integer within int64 and returns it as a bigint; throws RangeError otherwise.
 * Used by the encoders (a bad argument is a caller bug, not corrupt input).
 */
export function toInt64(value: number | bigint, what: string): bigint {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`${what}: ${value} is not an integer`);
  const big = BigInt(value);
  if (big < INT64_MIN || big > INT64_MAX) throw new RangeError(`${what}: ${value} is outside the signed 64-bit range`);
  return big;
}

const encoder = new TextEncoder();

/** The bytes of an entry: strings as they are, integers as their decimal ASCII text (as Redis prints them). */
export function entryBytes(entry: BlobEntry): Uint8Array {
  if (entry instanceof Uint8Array) return entry;
  return typeof entry === 'number' ? intBytes(entry) : encoder.encode(entry.toString());
}

/**
 * A string key identifying an entry's value for equality: integer entries and strings holding the same
 * decimal text compare equal, as in Redis (which compares the string forms).
 */
export function entryKey(entry: BlobEntry): string {
  if (!(entry instanceof Uint8Array)) return entry.toString();
  return Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength).toString('latin1');
}

/**
 * Index of the first entry at a tuple start (0, tupleLength, 2·tupleLength, …) whose value equals an
 * earlier tuple start's, or -1 when they are all distinct. tupleLength 1 checks set members, 2 hash fields
 * or zset members, 3 the fields of a hash with field TTLs — what Redis's `lpValidateIntegrityAndDups`,
 * `ziplistPairsConvertAndValidateIntegrity` and the zipmap conversion reject as duplicates.
 */
export function firstDuplicate(entries: readonly BlobEntry[], tupleLength = 1): number {
  const seen = new Set<string>();
  for (let i = 0; i < entries.length; i += tupleLength) {
    const key = entryKey(entries[i] as BlobEntry);
    if (seen.has(key)) return i;
    seen.add(key);
  }
  return -1;
}

/** Reads a little-endian unsigned 32-bit value at `p` (the caller has checked the bounds). */
export function u32le(b: Uint8Array, p: number): number {
  return ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16)) + (b[p + 3] as number) * 0x1000000;
}

/** Reads a little-endian unsigned 16-bit value at `p` (the caller has checked the bounds). */
export function u16le(b: Uint8Array, p: number): number {
  return (b[p] as number) | ((b[p + 1] as number) << 8);
}

/**
 * Reads a little-endian signed 64-bit value at `p` as a number when safe, a bigint otherwise (the caller
 * has checked the bounds).
 */
export function i64le(b: Uint8Array, p: number): number | bigint {
  const lo = u32le(b, p);
  const hi = u32le(b, p + 4) | 0;
  if (hi >= -0x200000 && hi < 0x200000) {
    const v = hi * 0x100000000 + lo;
    if (Number.isSafeInteger(v)) return v;
  }
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/** Writes `value` (an int64 as bigint) as 8 little-endian bytes at `p`. */
export function writeI64le(out: Uint8Array, p: number, value: bigint): void {
  let v = BigInt.asUintN(64, value);
  for (let i = 0; i < 8; i++) {
    out[p + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Writes `value` as 4 little-endian bytes at `p`. */
export function writeU32le(out: Uint8Array, p: number, value: number): void {
  out[p] = value & 0xff;
  out[p + 1] = (value >>> 8) & 0xff;
  out[p + 2] = (value >>> 16) & 0xff;
  out[p + 3] = (value >>> 24) & 0xff;
}
