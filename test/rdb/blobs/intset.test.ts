// cspell:words intset
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeInteger } from '../../../src/rdb/blob-common.js';
import { decodeIntset, encodeIntset } from '../../../src/rdb/intset.js';
import { decodesOrCorrupt, expectCorrupt, hex, le32, threeWays } from './helpers.js';

describe('decodeIntset on literal blobs', () => {
  it('decodes 16-bit elements', () => {
    const blob = hex('02000000 03000000 0080 ffff 0100');
    expect(decodeIntset(blob)).toEqual([-32768, -1, 1]);
    threeWays(blob, decodeIntset);
  });

  it('decodes 32-bit elements', () => {
    const blob = hex('04000000 03000000 00000080 00000000 ffffff7f');
    expect(decodeIntset(blob)).toEqual([-2147483648, 0, 2147483647]);
    threeWays(blob, decodeIntset);
  });

  it('decodes 64-bit elements as numbers when safe and bigints otherwise', () => {
    const blob = hex(`08000000 05000000
      0000000000000080  000000000000e0ff  ffffffffffffffff  ffffffffffff1f00  ffffffffffffff7f`);
    expect(decodeIntset(blob)).toEqual([-(2n ** 63n), -(2n ** 53n), -1, 2 ** 53 - 1, 2n ** 63n - 1n]);
    expect(typeof decodeIntset(blob)[1]).toBe('bigint'); // -2^53 is not a safe integer
    threeWays(blob, decodeIntset);
  });

  it('accepts a wider encoding than needed (Redis does not require the smallest width)', () => {
    expect(decodeIntset(hex('08000000 02000000 0100000000000000 0200000000000000'))).toEqual([1, 2]);
  });

  it('compares 64-bit elements across the low-word sign boundary', () => {
    // 0x00000000_ffffffff < 0x00000001_00000000, and -2^32 < -1.
    expect(decodeIntset(hex('08000000 03000000 00000000ffffffff ffffffff00000000 0000000001000000'))).toEqual([-(2 ** 32), 4294967295, 4294967296]);
  });
});

describe('decodeIntset rejects', () => {
  const base = 300;
  it('a blob shorter than the header', () => {
    expectCorrupt(() => decodeIntset(hex('02000000 0100'), base), base, 'shorter than its 8-byte header');
  });
  it.each([0, 1, 3, 16, 0x02000000])('element width %i', (width) => {
    expectCorrupt(() => decodeIntset(new Uint8Array([...le32(width), 1, 0, 0, 0, 0, 0]), base), base, `intset element width ${width} is not 2, 4 or 8`);
  });
  it('a size that does not match count × width', () => {
    expectCorrupt(() => decodeIntset(hex('02000000 02000000 0100'), base), base + 4, 'intset says 2 elements of 2 bytes (12 bytes in all) but the blob has 10');
    expectCorrupt(() => decodeIntset(hex('04000000 ffffffff 01000000'), base), base + 4, 'intset says 4294967295 elements of 4 bytes');
  });
  it('an empty intset', () => {
    expectCorrupt(() => decodeIntset(hex('02000000 00000000'), base), base + 4, 'intset is empty');
  });
  it('elements out of order or repeated', () => {
    expectCorrupt(() => decodeIntset(hex('02000000 03000000 0100 0300 0200'), base), base + 12, 'intset not sorted at element 2');
    expectCorrupt(() => decodeIntset(hex('04000000 02000000 05000000 05000000'), base), base + 12, 'intset not sorted at element 1');
    expectCorrupt(
      () => decodeIntset(hex('08000000 02000000 0000000001000000 ffffffff00000000'), base),
      base + 16,
      'intset not sorted at element 1',
    );
    expectCorrupt(
      () => decodeIntset(hex('08000000 02000000 0500000000000080 0500000000000080'), base),
      base + 16,
      'intset not sorted at element 1',
    );
  });
});

describe('encodeIntset', () => {
  it('sorts and picks the smallest width', () => {
    expect(encodeIntset([1, -1, -32768])).toEqual(hex('02000000 03000000 0080 ffff 0100'));
    expect(encodeIntset([32768, 0])).toEqual(hex('04000000 02000000 00000000 00800000'));
    expect(encodeIntset([2n ** 63n - 1n, -2147483649])).toEqual(hex('08000000 02000000 ffffff7fffffffff ffffffffffffff7f'));
  });
  it('refuses an empty set, duplicates and values outside int64', () => {
    expect(() => encodeIntset([])).toThrow(RangeError);
    expect(() => encodeIntset([3, 1, 3])).toThrow(RangeError);
    expect(() => encodeIntset([2n ** 63n])).toThrow(RangeError);
  });
});

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const value = fc.oneof(fc.integer({ min: -40000, max: 40000 }), fc.integer(), int64);

describe('intset properties', () => {
  it('encode then decode gives the sorted set back', () => {
    fc.assert(
      fc.property(fc.uniqueArray(value, { minLength: 1, maxLength: 60, selector: (v) => BigInt(v) }), (values) => {
        const sorted = values.map((v) => BigInt(v)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const blob = encodeIntset(values);
        expect(decodeIntset(blob)).toEqual(sorted.map(normalizeInteger));
        const width = blob[0];
        const fits = (lo: bigint, hi: bigint): boolean => sorted.every((v) => v >= lo && v <= hi);
        expect(width).toBe(fits(-32768n, 32767n) ? 2 : fits(-(2n ** 31n), 2n ** 31n - 1n) ? 4 : 8);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes only ever throw CorruptError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (blob) => decodesOrCorrupt(() => decodeIntset(blob, 9), 9, blob.length, 'random')),
      { numRuns: 5000 },
    );
  });

  it('random elements behind a valid header only ever throw CorruptError', () => {
    fc.assert(
      fc.property(fc.constantFrom(2, 4, 8), fc.integer({ min: 0, max: 6 }), fc.uint8Array({ minLength: 48, maxLength: 48 }), (width, count, data) => {
        const blob = new Uint8Array([...le32(width), ...le32(count), ...data.subarray(0, width * count)]);
        decodesOrCorrupt(() => decodeIntset(blob), 0, blob.length, 'random elements');
      }),
      { numRuns: 3000 },
    );
  });
});
