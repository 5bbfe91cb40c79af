// cspell:words intset
import type { CorruptError } from '../errors.js';
import { blobCorrupt, toInt64, u32le, writeI64le, writeU32le } from './blob-common.js';

/**
 * Intset: a sorted array of distinct integers (RDB type 11, sets of integers).
 *
 * Layout: `<width u32le: 2, 4 or 8> <count u32le> <count × width bytes, little-endian signed, ascending>`.
 */

const HEADER_SIZE = 8;

/**
 * Decodes an intset, validating it as deeply as Redis's `intsetValidateIntegrity(deep=1)`: width 2, 4 or 8,
 * blob size exactly 8 + count × width, count > 0, elements strictly increasing (no duplicates).
 * Values come back as numbers when safe, bigints otherwise. Throws {@link CorruptError} at
 * `base + position` on any problem.
 */
export function decodeIntset(blob: Uint8Array, base = 0): (number | bigint)[] {
  return walkIntset(blob, base, true) as (number | bigint)[];
}

/** Validates an intset exactly as {@link decodeIntset} does without building its elements; returns the count. */
export function checkIntset(blob: Uint8Array, base = 0): number {
  return walkIntset(blob, base, false) as number;
}

function walkIntset(blob: Uint8Array, base: number, keep: boolean): (number | bigint)[] | number {
  const size = blob.length;
  if (size < HEADER_SIZE) throw blobCorrupt(`intset of ${size} bytes is shorter than its 8-byte header`, base, 0);
  const width = u32le(blob, 0);
  if (width !== 2 && width !== 4 && width !== 8) {
    throw blobCorrupt(`intset element width ${width} is not 2, 4 or 8`, base, 0);
  }
  const count = u32le(blob, 4);
  if (HEADER_SIZE + count * width !== size) {
    throw blobCorrupt(
      `intset says ${count} elements of ${width} bytes (${HEADER_SIZE + count * width} bytes in all) but the blob has ${size}`,
      base,
      4,
    );
  }
  if (count === 0) throw blobCorrupt('intset is empty', base, 4);

  const out: (number | bigint)[] = keep ? new Array<number | bigint>(count) : [];
  if (width === 2) {
    let prev = -Infinity;
    for (let i = 0, p = HEADER_SIZE; i < count; i++, p += 2) {
      const v = (((blob[p] as number) | ((blob[p + 1] as number) << 8)) << 16) >> 16;
      if (v <= prev) throw notSorted(i, base, p);
      prev = v;
      if (keep) out[i] = v;
    }
  } else if (width === 4) {
    let prev = -Infinity;
    for (let i = 0, p = HEADER_SIZE; i < count; i++, p += 4) {
      const v = u32le(blob, p) | 0;
      if (v <= prev) throw notSorted(i, base, p);
      prev = v;
      if (keep) out[i] = v;
    }
  } else {
    // Compare (signed high word, unsigned low word) pairs; build a number only when it is safe.
    let prevHi = -Infinity;
    let prevLo = 0;
    for (let i = 0, p = HEADER_SIZE; i < count; i++, p += 8) {
      const lo = u32le(blob, p);
      const hi = u32le(blob, p + 4) | 0;
      if (hi < prevHi || (hi === prevHi && lo <= prevLo)) throw notSorted(i, base, p);
      prevHi = hi;
      prevLo = lo;
      if (!keep) continue;
      const n = hi * 0x100000000 + lo;
      out[i] = hi >= -0x200000 && hi < 0x200000 && Number.isSafeInteger(n) ? n : (BigInt(hi) << 32n) + BigInt(lo);
    }
  }
  return keep ? out : count;
}

function notSorted(i: number, base: number, p: number): CorruptError {
  return blobCorrupt(`intset not sorted at element ${i} (not greater than the element before it)`, base, p);
}

/**
 * Encodes a set of integers as Redis stores it: sorted ascending, in the smallest width (2, 4 or 8 bytes)
 * that holds every value. Throws RangeError for an empty input, duplicates, non-integers or values outside
 * int64 (Redis never writes an empty intset).
 */
export function encodeIntset(values: readonly (number | bigint)[]): Uint8Array {
  if (values.length === 0) throw new RangeError('an intset cannot be empty');
  const sorted = values.map((v) => toInt64(v, 'intset element')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as bigint;
    if (i > 0 && v === sorted[i - 1]) throw new RangeError(`intset element ${v} appears twice`);
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const out = new Uint8Array(HEADER_SIZE + sorted.length * width);
  writeU32le(out, 0, width);
  writeU32le(out, 4, sorted.length);
  let p = HEADER_SIZE;
  for (const v of sorted) {
    if (width === 8) writeI64le(out, p, v);
    else {
      const n = Number(v);
      for (let k = 0; k < width; k++) out[p + k] = (n >> (8 * k)) & 0xff;
    }
    p += width;
  }
  return out;
}
