// cspell:words biglen zipmap zmlen memrev ifbe
import { blobCorrupt, firstDuplicate, u32le, writeU32le } from './blob-common.js';

/**
 * Zipmap: the small-hash encoding of Redis < 2.6 (RDB type 9).
 *
 * Layout: `<zmlen u8> (<len> field <len> <free u8> value <free bytes>)… <0xFF>`. A length is one byte
 * below 254, or 254 followed by a u32 in host order — little-endian on disk, since Redis normalizes it
 * with `memrev32ifbe`. zmlen is the pair count, or 254 when there are too many to count.
 */

const END = 0xff;
const BIGLEN = 254;

/**
 * Decodes a zipmap to a flat `[field, value, field, value, …]` list of views into `blob`, validating it as
 * Redis's `zipmapValidateIntegrity(deep=1)` does — terminator at the end, every length and string inside
 * the blob (free bytes included), at least one pair, zmlen (unless 254) equal to the pair count — plus the
 * duplicate-field check the RDB loader applies while converting, and the end marker sitting at the very
 * end. Throws {@link CorruptError} at `base + position` on any problem.
 */
export function decodeZipmap(blob: Uint8Array, base = 0): Uint8Array[] {
  const size = blob.length;
  if (size < 2) throw blobCorrupt(`zipmap of ${size} bytes is shorter than the 2-byte minimum`, base, 0);
  const last = size - 1;
  if (blob[last] !== END) throw blobCorrupt('zipmap does not end with the 0xFF terminator', base, last);

  const out: Uint8Array[] = [];
  const fieldOffsets: number[] = [];
  let p = 1;
  let pair = 0;
  while (blob[p] !== END) {
    // field: length, bytes
    let s = (blob[p] as number) < BIGLEN ? 1 : 5;
    if (p + s > last) throw blobCorrupt(`zipmap pair ${pair}: field length runs past the end of the zipmap`, base, p);
    let len = s === 1 ? (blob[p] as number) : u32le(blob, p + 1);
    const fieldStart = p + s;
    fieldOffsets.push(p);
    p = fieldStart + len;
    if (p > last) {
      throw blobCorrupt(`zipmap pair ${pair}: field of ${len} bytes runs past the end of the zipmap`, base, fieldStart - s);
    }
    out.push(blob.subarray(fieldStart, p));
    // value: length, free byte, bytes, free bytes
    const valueHeader = p;
    s = (blob[p] as number) < BIGLEN ? 1 : 5;
    if (p + s > last) throw blobCorrupt(`zipmap pair ${pair}: value length runs past the end of the zipmap`, base, p);
    len = s === 1 ? (blob[p] as number) : u32le(blob, p + 1);
    const free = blob[p + s] as number;
    const valueStart = p + s + 1;
    p = valueStart + len + free;
    if (p > last) {
      throw blobCorrupt(
        `zipmap pair ${pair}: value of ${len} bytes plus ${free} free bytes runs past the end of the zipmap`,
        base,
        valueHeader,
      );
    }
    out.push(blob.subarray(valueStart, valueStart + len));
    pair++;
  }
  if (p !== last) {
    throw blobCorrupt(`zipmap pair ${pair}: end marker 0xFF ${last - p} bytes before the end of the zipmap`, base, p);
  }
  if (pair === 0) throw blobCorrupt('zipmap is empty', base, 0);
  const zmlen = blob[0] as number;
  if (zmlen !== BIGLEN && zmlen !== pair) {
    throw blobCorrupt(`zipmap header count ${zmlen} does not match its ${pair} pairs`, base, 0);
  }
  const dup = firstDuplicate(out, 2);
  if (dup >= 0) {
    throw blobCorrupt(`zipmap pair ${dup / 2}: field duplicates an earlier field`, base, fieldOffsets[dup / 2] as number);
  }
  return out;
}

/**
 * Encodes `[field, value, …]` pairs as a zipmap the way `zipmapSet` lays out a fresh one (no free bytes,
 * zmlen 254 once there are that many pairs). For tests and old-format writers. Throws RangeError for an
 * odd-length list or an empty one.
 */
export function encodeZipmap(pairs: readonly Uint8Array[]): Uint8Array {
  if (pairs.length === 0 || pairs.length % 2 !== 0) {
    throw new RangeError(`a zipmap needs a non-empty, even-length field/value list (got ${pairs.length})`);
  }
  const lenSize = (n: number): number => (n < BIGLEN ? 1 : 5);
  let total = 2;
  for (let i = 0; i < pairs.length; i++) {
    const n = (pairs[i] as Uint8Array).length;
    total += lenSize(n) + n + (i % 2 === 1 ? 1 : 0);
  }
  const out = new Uint8Array(total);
  out[0] = Math.min(pairs.length / 2, BIGLEN);
  let p = 1;
  for (let i = 0; i < pairs.length; i++) {
    const s = pairs[i] as Uint8Array;
    if (s.length < BIGLEN) out[p++] = s.length;
    else {
      out[p] = BIGLEN;
      writeU32le(out, p + 1, s.length);
      p += 5;
    }
    if (i % 2 === 1) out[p++] = 0; // free bytes after the value
    out.set(s, p);
    p += s.length;
  }
  out[p] = END;
  return out;
}
