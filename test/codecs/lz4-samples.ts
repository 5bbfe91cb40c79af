// cspell:words chunkings
/** Sample data and byte helpers shared by the LZ4 unit and oracle tests. */
import { expect } from 'vitest';
import { lz4DecodeBuffer, lz4DecodeFrames } from '../../src/codecs/lz4.js';
import { concat } from '../support/bytes.js';

/**
 * Fast byte equality (vitest's toEqual walks typed arrays element by element, far too slowly for
 * megabytes); on a mismatch reports the lengths and the first differing index.
 */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, how = ''): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.length);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.length);
  if (a.equals(b)) return;
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  expect.fail(`${how}: got ${a.length} bytes, expected ${b.length}; first difference at index ${at}`);
}

export async function* fromChunks(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return concat(parts);
}

/** Pseudo-random data that compresses a bit (words from a small vocabulary). */
export function text(length: number, seed = 1): Uint8Array {
  const words = ['redis', 'back', 'rdb', 'aof', 'key:', 'value', '12345', 'lz4 ', 'frame', '\n'];
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  let p = 0;
  while (p < length) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const word = words[(x >>> 8) % words.length] as string;
    for (let i = 0; i < word.length && p < length; i++) out[p++] = word.charCodeAt(i);
    if ((x & 7) === 0 && p < length) out[p++] = x >>> 24;
  }
  return out;
}

/** Pseudo-random bytes that do not compress. */
export function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Decodes `chunks` with the streaming decoder. */
export function decodeStream(chunks: Uint8Array[], file?: string): Promise<Uint8Array> {
  return collect(lz4DecodeFrames(fromChunks(chunks), file));
}

/** Every way the house rule asks for: whole, byte by byte, and split in two at every offset. */
export function chunkings(data: Uint8Array): { name: string; chunks: Uint8Array[] }[] {
  const ways = [
    { name: 'whole', chunks: [data] },
    { name: 'byte by byte', chunks: Array.from(data, (b) => Uint8Array.of(b)) },
  ];
  for (let cut = 0; cut <= data.length; cut++) {
    ways.push({ name: `split at ${cut}`, chunks: [data.subarray(0, cut), data.subarray(cut)] });
  }
  return ways;
}

/** Checks that every chunking of `frame` decodes to `expected`, and so does the sync decoder. */
export async function expectDecodesThreeWays(frame: Uint8Array, expected: Uint8Array): Promise<void> {
  expectBytes(lz4DecodeBuffer(frame), expected);
  for (const { name, chunks } of chunkings(frame)) {
    expectBytes(await decodeStream(chunks), expected, name);
  }
}
