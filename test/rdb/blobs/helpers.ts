import { expect } from 'vitest';
import { CorruptError } from '../../../src/errors.js';

/** Bytes from a hex string; spaces and newlines are ignored (`'0f 00 00 00'`). */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex length in ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The bytes of an ASCII/latin1 string. */
export function bytes(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

/** `n` copies of byte `b`. */
export function fill(n: number, b = 0x61): number[] {
  return new Array<number>(n).fill(b);
}

/** Little-endian bytes of an unsigned 32-bit value. */
export function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Little-endian bytes of an unsigned 16-bit value. */
export function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

/** A comparable, printable form of decoded entries: strings as `s:<text>`, integers as `i:<value>` / `b:<value>`. */
export function show(entries: readonly (Uint8Array | number | bigint)[]): string[] {
  return entries.map((e) =>
    e instanceof Uint8Array ? `s:${Buffer.from(e).toString('latin1')}` : typeof e === 'bigint' ? `b:${e}` : `i:${e}`,
  );
}

/** Runs `fn` and returns the CorruptError it throws; fails the test if it throws anything else or nothing. */
export function corruptFrom(fn: () => unknown): CorruptError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CorruptError) return error;
    throw new Error(`expected a CorruptError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a CorruptError, but decoding succeeded');
}

/** Asserts that `fn` throws a CorruptError at absolute `offset` whose detail contains `detail`. */
export function expectCorrupt(fn: () => unknown, offset: number, detail: string): void {
  const error = corruptFrom(fn);
  expect(error.detail).toContain(detail);
  expect(error.offset).toBe(offset);
}

/** Runs `fn`; succeeding is fine, throwing anything but a CorruptError with an offset inside the blob fails. */
export function decodesOrCorrupt(fn: () => unknown, base: number, length: number, label: string): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof CorruptError)) {
      throw new Error(`${label}: expected success or CorruptError, got ${String(error)}`, { cause: error });
    }
    const offset = error.offset ?? -1;
    if (offset < base || offset >= base + Math.max(length, 1)) {
      throw new Error(`${label}: CorruptError offset ${offset} is outside the blob [${base}, ${base + length})`, { cause: error });
    }
  }
}

const FLIPS: ((b: number) => number)[] = [(b) => b ^ 0xff, (b) => b ^ 0x01, (b) => b ^ 0x80, () => 0x00, () => 0xff, () => 0xfe];

/**
 * The house rule, three ways: the blob decodes; every strict prefix is rejected with a CorruptError; and
 * every single-byte mutation (several per position) either decodes or throws a CorruptError inside the blob.
 */
export function threeWays(blob: Uint8Array, decode: (blob: Uint8Array, base: number) => unknown): void {
  const base = 5000;
  decode(blob, base);
  for (let cut = 0; cut < blob.length; cut++) {
    const error = corruptFrom(() => decode(blob.slice(0, cut), base));
    expect(error.offset, `prefix of ${cut} bytes`).toBeGreaterThanOrEqual(base);
  }
  const copy = blob.slice();
  for (let i = 0; i < blob.length; i++) {
    const original = copy[i] as number;
    for (const flip of FLIPS) {
      const changed = flip(original);
      if (changed === original) continue;
      copy[i] = changed;
      decodesOrCorrupt(() => decode(copy, base), base, blob.length, `byte ${i} set to 0x${changed.toString(16)}`);
    }
    copy[i] = original;
  }
}
