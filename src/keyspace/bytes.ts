import { Buffer } from 'node:buffer';

/*
 * Byte strings as the keyspace stores them: "binary strings", JS strings whose every char code is one byte
 * (0–255). V8 keeps such a string flat at one byte per char behind a 16-byte header, hashes it natively
 * (Map and Set keys), and compares two of them char by char, which is memcmp order — the order Redis sorts
 * members in. A Uint8Array costs an object of about 100 bytes (and more for a separate backing store) per
 * instance, so per element a binary string is by far the most compact container V8 offers; the packed
 * collections in pack.ts are binary strings too. At the model's edges (commands in, walks out) bytes are
 * Uint8Array, as everywhere in redback.
 */

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;
const latin1Write = Buffer.prototype.latin1Write as (this: Uint8Array, text: string, offset: number, length: number) => number;

/** The largest string V8 can make (2^29 − 24 chars on 64-bit); Redis allows 512 MiB, 24 bytes more. */
export const MAX_BINARY_STRING = (1 << 29) - 24;

/** Bytes as a binary string (a copy). Throws RangeError for more than {@link MAX_BINARY_STRING} bytes. */
export function bin(bytes: Uint8Array): string {
  if (bytes.length > MAX_BINARY_STRING) throw new RangeError(`a byte string of ${bytes.length} bytes is longer than this model can hold as a key or member`);
  return latin1Slice.call(bytes, 0, bytes.length);
}

/** Bytes `start`…`end` of `bytes` as a binary string (a flat copy). */
export function binRange(bytes: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(bytes, start, end);
}

/** A binary string back to bytes (a fresh copy). */
export function unbin(text: string): Uint8Array {
  const out = Buffer.allocUnsafeSlow(text.length);
  latin1Write.call(out, text, 0, text.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Writes a binary string into `out` at `offset`; returns the offset after it. */
export function writeBin(out: Uint8Array, offset: number, text: string): number {
  return offset + latin1Write.call(out, text, offset, text.length);
}

/** A binary string of ASCII text (command names, decimal numbers). */
export function ascii(bytes: Uint8Array): string {
  return latin1Slice.call(bytes, 0, bytes.length);
}

/** Bytes of ASCII text. */
export function asciiBytes(text: string): Uint8Array {
  return unbin(text);
}

/** Upper-case ASCII of an argument (for option names, compared case-insensitively like Redis's strcasecmp). */
export function upper(bytes: Uint8Array): string {
  if (bytes.length > 32) return '';
  return latin1Slice.call(bytes, 0, bytes.length).toUpperCase();
}

/** Byte-wise comparison (memcmp, then length), the order of Redis's sdscmp. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when both byte strings are equal. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Binary strings in memcmp order (JS compares strings by UTF-16 code units, which are the bytes here). */
export function compareBin(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Concatenates byte strings. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
