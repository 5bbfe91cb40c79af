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

  /** The current entry as a binary string of its own (not a view keeping the pack alive). */
  text(): string {
    return flatten(this.pack.slice(this.start, this.end));
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

  /** Reads a score written by {@link packScore} after the current entry and moves past it. */
  score(): number {
    const pack = this.pack;
    const p = this.end;
    const tag = pack.charCodeAt(p);
    if (tag < SCORE_TEXT) {
      this.end = p + 1;
      return tag - SCORE_BIAS;
    }
    if (tag < SCORE_INT32) {
      const length = tag - SCORE_TEXT;
      this.end = p + 1 + length;
      return Number(pack.slice(p + 1, p + 1 + length));
    }
    if (tag === SCORE_INT32) {
      this.end = p + 5;
      return (pack.charCodeAt(p + 1) | (pack.charCodeAt(p + 2) << 8) | (pack.charCodeAt(p + 3) << 16) | (pack.charCodeAt(p + 4) << 24)) >> 0;
    }
    for (let i = 0; i < 8; i++) scratchBytes[i] = pack.charCodeAt(p + 1 + i);
    this.end = p + 9;
    return scratchDouble[0] as number;
  }
}

/**
 * Score encodings: one byte for integers −96…127 (tag − 96); a tag 0xE0 + n then n ≤ 7 ASCII chars for a
 * double whose shortest round-trip form is that short ("1.5", "0.001"); a tag then 4 bytes for an int32;
 * a tag then the 8 bytes of a double.
 */
const SCORE_BIAS = 0x60;
const SCORE_TEXT = 0xe0;
const SCORE_INT32 = 0xf0;
const SCORE_DOUBLE = 0xf1;
const SCORE_TEXT_MAX = 7;

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

/**
 * A score as 1 to 9 bytes (see {@link PackCursor.score}); -0 takes the double form. `text` false skips the
 * short decimal form (slower to read back), for packs that are scanned often.
 */
export function packScore(value: number, text = true): string {
  if (Number.isInteger(value) && !Object.is(value, -0)) {
    if (value >= -SCORE_BIAS && value < SCORE_TEXT - SCORE_BIAS) return String.fromCharCode(value + SCORE_BIAS);
    if (value >= -(2 ** 31) && value < 2 ** 31) {
      const v = value >>> 0;
      return String.fromCharCode(SCORE_INT32, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    }
  } else if (text && !Object.is(value, -0)) {
    // JS's shortest round-trip form: Number(text) gives back exactly `value`.
    const shortest = String(value);
    if (shortest.length <= SCORE_TEXT_MAX) return String.fromCharCode(SCORE_TEXT + shortest.length) + shortest;
  }
  scratchDouble[0] = value;
  return String.fromCharCode(SCORE_DOUBLE, ...scratchBytes);
}

/**
 * Concatenates strings into one flat string of its own. V8 would otherwise keep `a + b` as a rope (a cons
 * string, 32 bytes more, and more per edit) and `s.slice(…)` as a view that keeps all of `s` alive; a pack
 * is stored flat, holding only its own bytes.
 */
export function joinFlat(...parts: string[]): string {
  let nonEmpty = 0;
  let only = '';
  for (const part of parts) {
    if (part.length > 0) {
      nonEmpty++;
      only = part;
    }
  }
  return nonEmpty > 1 ? parts.join('') : flatten(only);
}

/** Shortest string V8 represents as a rope or a slice view; shorter ones are always flat copies. */
const MIN_VIEW_LENGTH = 13;

/** A flat copy of `text` when it may be a rope or a slice view of a larger string (see {@link joinFlat}). */
export function flatten(text: string): string {
  if (text.length < MIN_VIEW_LENGTH) return text;
  // Array join of two or more non-empty parts always builds a new sequential string.
  return [text.slice(0, 1), text.slice(1)].join('');
}

/** Number of entries in a pack. */
export function packCount(pack: string): number {
  const c = new PackCursor().reset(pack);
  let n = 0;
  while (c.next()) n++;
  return n;
}
