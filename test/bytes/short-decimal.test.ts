import { describe, expect, it } from 'vitest';
import { SHORT_DECIMAL_MAX, putShortDecimal } from '../../src/bytes/writer.js';

/** putShortDecimal's text, or undefined when it declines the value. */
function short(value: number): string | undefined {
  const out = new Uint8Array(SHORT_DECIMAL_MAX);
  const end = putShortDecimal(out, 0, value);
  return end < 0 ? undefined : String.fromCharCode(...out.subarray(0, end));
}

describe('putShortDecimal', () => {
  it('writes what String writes, for every value it takes', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let taken = 0;
    for (let i = 0; i < 25_000; i++) {
      const u = Math.floor(random() * 2 ** 32);
      for (const value of [u / 1000, -u / 10000, u / 7, random() * 1e9, Number((random() * 1e6).toFixed(i % 6)), i * 0.1, 1073741823.9999 - i * 0.0001, 0.0001 + i * 1e-8]) {
        const text = short(value);
        if (text === undefined) continue;
        taken++;
        expect(text).toBe(String(value));
      }
    }
    expect(taken).toBeGreaterThan(60_000);
  });

  it('declines integers, tiny and huge magnitudes, long fractions and non-finite values', () => {
    for (const value of [0, 1, -0, 5, 2 ** 40 + 0.5, 1073741824.5, 0.00001, 1 / 3, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY]) expect(short(value)).toBeUndefined();
    expect(short(0.1)).toBe('0.1');
    expect(short(-12.5)).toBe('-12.5');
    expect(short(0.0001)).toBe('0.0001');
    expect(short(1073741823.9999)).toBe('1073741823.9999');
  });
});
