/**
 * The file source and the chunked input over it when bytes are skipped: whatever mix of reads and skips,
 * the bytes read are those of the file at the offsets the input reports, and a skip past the end says so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChunkedInput } from '../../src/bytes/input.js';
import { fileSource } from '../../src/io/file-source.js';
import { makeTempDir } from '../support/redis.js';

function noise(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('skipping through a file', () => {
  it('reads the right bytes after any mix of reads and skips, within and across read-ahead blocks', async () => {
    const dir = await makeTempDir('redback-skip-');
    const data = noise(5 * 1024 * 1024 + 12345, 42);
    const path = join(dir, 'data.bin');
    writeFileSync(path, data);
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const input = new ChunkedInput(await fileSource(path), 64 * 1024, { reuseBuffer: round % 2 === 0 });
      while (input.offset < data.length) {
        const at = input.offset;
        if (next(2) === 0) {
          const length = Math.min(1 + next(300_000), data.length - at);
          const bytes = await input.take(length);
          expect(Buffer.compare(bytes, data.subarray(at, at + length)), `read at ${at}`).toBe(0);
        } else {
          const length = next(3) === 0 ? next(100) : next(3_000_000);
          const whole = at + length <= data.length;
          expect(await input.skipTo(at + length), `skip of ${length} at ${at}`).toBe(whole);
          if (!whole) break;
          expect(input.offset).toBe(at + length);
        }
      }
      await input.close();
    }
  });

  it('a skip past the end stops at the end', async () => {
    const dir = await makeTempDir('redback-skip-');
    const path = join(dir, 'small.bin');
    writeFileSync(path, noise(3000, 1));
    const input = new ChunkedInput(await fileSource(path), 1024);
    await input.take(10);
    expect(await input.skipTo(5000)).toBe(false);
    expect(await input.atEnd()).toBe(true);
    await input.close();
  });
});
