// cspell:words varint
import { bin } from './bytes.js';

/*
 * A pack: byte strings laid end to end in one binary string (see bytes.ts), each as a LEB128 length
 * (one byte below 128) followed by its bytes. It is the keyspace's listpack: small sets, hashes and sorted
 * sets, list nodes and stream nodes are packs. A pack is immutable: an edit builds a new string from
 * slices of the old one and the new entries, which V8 concatenates without copying until the next read
 * flattens it once. Lookups are linear scans, so packs stay small (the collections convert to hashed forms
 * past a few hundred entries or a few KiB).
 */

/** A position in a pack: `start`/`end` delimit the current entry's bytes, `next` the following entry. */
export class PackCursor {
  pack = '';
  /** Offset of the current entry's length prefix. */
  at = 0;
  start = 0;
  end = 0;

  /** Points the cursor before the first entry of `pack` (or at `offset`). */
  reset(pack: string, offset = 0): this {
    this.pack = pack;
    this.end = offset;
    this.at = offset;
    this.start = offset;
    return this;
  }

  /** Moves to the next entry; false at the end of the pack. */
  next(): boolean {
    const pack = this.pack;
    let p = this.end;
    if (p >= pack.length) return false;
    this.at = p;
    let length = 0;
    let shift = 0;
    for (;;) {
      const c = pack.charCodeAt(p++);
      length += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) break;
      shift += 7;
    }
    this.start = p;
    this.end = p + length;
    return true;
  }

  /** The current entry as a binary string. */
  text(): string {
    return this.pack.slice(this.start, this.end);
  }

  /** The current entry as bytes (a copy). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.end - this.start);
    const pack = this.pack;
    for (let i = this.start, j = 0; i < this.end; i++, j++) out[j] = pack.charCodeAt(i);
    return out;
  }

  /** True when the current entry equals `bytes`. */
  equals(bytes: Uint8Array): boolean {
    if (this.end - this.start !== bytes.length) return false;
    const pack = this.pack;
    for (let i = this.start, j = 0; i < this.end; i++, j++) if (pack.charCodeAt(i) !== bytes[j]) return false;
    return true;
  }

  /** True when the current entry equals the binary string `text`. */
  equalsText(text: string): boolean {
    return this.end - this.start === text.length && this.pack.startsWith(text, this.start);
  }

  /** memcmp order of the current entry against `text`. */
  compareText(text: string): number {
    const pack = this.pack;
    const n = Math.min(this.end - this.start, text.length);
    for (let i = 0; i < n; i++) {
      const d = pack.charCodeAt(this.start + i) - text.charCodeAt(i);
      if (d !== 0) return d;
    }
    return this.end - this.start - text.length;
  }

  /** Reads 8 raw bytes after the current entry as a little-endian double and moves past them. */
  double(): number {
    const pack = this.pack;
    for (let i = 0; i < 8; i++) scratchBytes[i] = pack.charCodeAt(this.end + i);
    this.end += 8;
    return scratchDouble[0] as number;
  }
}

const scratchDouble = new Float64Array(1);
const scratchBytes = new Uint8Array(scratchDouble.buffer);

/** The length prefix of an entry of `length` bytes, as a binary string. */
export function lengthPrefix(length: number): string {
  if (length < 0x80) return String.fromCharCode(length);
  let out = '';
  let rest = length;
  while (rest >= 0x80) {
    out += String.fromCharCode((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  return out + String.fromCharCode(rest);
}

/** One entry (prefix and bytes) as a binary string. */
export function packEntry(bytes: Uint8Array): string {
  return lengthPrefix(bytes.length) + bin(bytes);
}

/** One entry from a binary string. */
export function packText(text: string): string {
  return lengthPrefix(text.length) + text;
}

/** A double's 8 raw bytes (little-endian) as a binary string. */
export function packDouble(value: number): string {
  scratchDouble[0] = value;
  return String.fromCharCode(...scratchBytes);
}

/** Forces V8 to flatten a concatenated string now (a read does), so it is stored as one flat string. */
export function flatten(text: string): string {
  if (text.length > 0) text.charCodeAt(0);
  return text;
}

/** Number of entries in a pack. */
export function packCount(pack: string): number {
  const c = new PackCursor().reset(pack);
  let n = 0;
  while (c.next()) n++;
  return n;
}
