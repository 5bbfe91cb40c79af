import { Buffer } from 'node:buffer';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A byte string as it goes into JSON output: the text itself when the bytes are valid UTF-8, otherwise
 * `{ "base64": "…" }`. Scripts can tell the two apart by type; README.md documents it.
 */
export type JsonBytes = string | { base64: string };

/** Encodes bytes for JSON output (see {@link JsonBytes}). */
export function jsonBytes(bytes: Uint8Array): JsonBytes {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return { base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }
}

/** Decodes bytes as UTF-8, replacing invalid sequences (for AUX values and names shown to people). */
export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/**
 * Writes the decimal text of a safe integer at the end of `out` (which must have room: 21 bytes always
 * do) and returns where it starts: `out[start, out.length)` is the text, as Redis prints integers.
 */
export function writeDecimal(value: number, out: Uint8Array): number {
  let rest = value < 0 ? -value : value;
  let p = out.length;
  do {
    out[--p] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  if (value < 0) out[--p] = 45;
  return p;
}

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/** Bytes as a latin1 string, one character per byte (a cheap, lossless key for byte strings). */
export function latin1(bytes: Uint8Array): string {
  return latin1Slice.call(bytes, 0, bytes.length);
}

/** A key or value for messages: printable ASCII kept, everything else as \xHH, cut at 64 characters. */
export function printable(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length && out.length < 64; i++) {
    const b = bytes[i] as number;
    out += b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x27 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out.length >= 64 && bytes.length > 64 ? `${out}…` : out;
}
