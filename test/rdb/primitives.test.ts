import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader } from '../../src/bytes/reader.js';
import { CorruptError, RedbackError, TruncatedError } from '../../src/errors.js';
import { decodeModuleId, parseCDouble, readAsciiDouble, readLength, readLengthBig, readString } from '../../src/rdb/primitives.js';
import { lzfCompress } from '../../src/codecs/lzf.js';

const reader = (bytes: number[] | Uint8Array, base = 0): ByteReader => new ByteReader(Uint8Array.from(bytes), { base, file: 'test' });

/** Encodes a length the way Redis's rdbSaveLen does (written from the format description, not from our reader). */
function encodeLength(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 0xff];
  if (n <= 0xffffffff) return [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const big = BigInt(n);
  const out = [0x81];
  for (let i = 7; i >= 0; i--) out.push(Number((big >> BigInt(i * 8)) & 0xffn));
  return out;
}

describe('RDB length encoding', () => {
  const cases: [number[], number][] = [
    [[0x00], 0],
    [[0x3f], 63],
    [[0x40, 0x40], 64],
    [[0x7f, 0xff], 16383],
    [[0x80, 0x00, 0x00, 0x40, 0x00], 16384],
    [[0x80, 0xff, 0xff, 0xff, 0xff], 0xffffffff],
    [[0x81, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], 2 ** 32],
    [[0xc1], 1], // an "encoded" byte where a plain length is expected: low 6 bits, as Redis's rdbLoadLen
  ];
  for (const [bytes, value] of cases) {
    it(`reads ${bytes.map((b) => b.toString(16)).join(' ')} as ${value}, and every prefix is truncated`, () => {
      const r = reader(bytes);
      expect(readLength(r)).toBe(value);
      expect(r.remaining).toBe(0);
      expect(readLengthBig(reader(bytes))).toBe(BigInt(value));
      for (let cut = 0; cut < bytes.length; cut++) {
        expect(() => readLength(reader(bytes.slice(0, cut)))).toThrow(TruncatedError);
      }
    });
  }

  it('rejects the unknown 10xxxxxx forms with the offset of the byte', () => {
    for (const first of [0x82, 0x90, 0xbf]) {
      const error = (() => {
        try {
          readLength(reader([first, 0, 0, 0, 0, 0, 0, 0, 0], 100));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CorruptError);
      expect((error as CorruptError).offset).toBe(100);
    }
  });

  it('round-trips every length Redis can write (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER })), (n) => {
        const r = reader(encodeLength(n));
        return readLength(r) === n && r.remaining === 0;
      }),
    );
  });

  it('keeps 64-bit module ids exact', () => {
    const bytes = [0x81, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88];
    expect(readLengthBig(reader(bytes))).toBe(0xffeeddccbbaa9988n);
    expect(() => readLength(reader(bytes))).toThrow(CorruptError);
  });
});

describe('RDB strings', () => {
  it('reads plain strings as views and int8/16/32 as decimal text', () => {
    expect(Buffer.from(readString(reader([3, 0x61, 0x62, 0x63]))).toString()).toBe('abc');
    expect(Buffer.from(readString(reader([0xc0, 0xff]))).toString()).toBe('-1');
    expect(Buffer.from(readString(reader([0xc1, 0x00, 0x80]))).toString()).toBe('-32768');
    expect(Buffer.from(readString(reader([0xc2, 0xff, 0xff, 0xff, 0x7f]))).toString()).toBe('2147483647');
  });

  it('reads LZF strings and rejects those that do not decompress to the stated length', () => {
    const text = new TextEncoder().encode('abcabcabcabcabcabcabcabcabcabcabcabc');
    const compressed = lzfCompress(text) as Uint8Array;
    expect(compressed).toBeDefined();
    const bytes = [0xc3, ...encodeLength(compressed.length), ...encodeLength(text.length), ...compressed];
    expect(Buffer.from(readString(reader(bytes))).toString()).toBe('abcabcabcabcabcabcabcabcabcabcabcabc');
    const wrong = [0xc3, ...encodeLength(compressed.length), ...encodeLength(text.length + 1), ...compressed];
    expect(() => readString(reader(wrong))).toThrow(CorruptError);
    for (let cut = 0; cut < bytes.length; cut++) expect(() => readString(reader(bytes.slice(0, cut)))).toThrow(TruncatedError);
  });

  it('rejects unknown string encodings', () => {
    expect(() => readString(reader([0xc4, 0, 0]))).toThrow(/unknown string encoding 4/);
  });

  it('never throws anything but our errors on random input (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          readString(reader(bytes));
        } catch (error) {
          return error instanceof RedbackError;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('RDB doubles and module ids', () => {
  it('reads ZSET v1 scores with the 253/254/255 codes and C strtod prefixes', () => {
    expect(readAsciiDouble(reader([253]))).toBeNaN();
    expect(readAsciiDouble(reader([254]))).toBe(Number.POSITIVE_INFINITY);
    expect(readAsciiDouble(reader([255]))).toBe(Number.NEGATIVE_INFINITY);
    expect(readAsciiDouble(reader([3, 0x31, 0x2e, 0x35]))).toBe(1.5);
    expect(parseCDouble('  -2.5e3xyz')).toBe(-2500);
    expect(parseCDouble('0x1p4')).toBe(16);
    expect(parseCDouble('inf')).toBe(Number.POSITIVE_INFINITY);
    expect(parseCDouble('abc')).toBeUndefined();
    expect(() => readAsciiDouble(reader([3, 0x61, 0x62, 0x63]))).toThrow(CorruptError);
  });

  it('decodes module type ids into name and encoding version', () => {
    // "ReJSON-RL" with encver 3, built from the charset positions (9 x 6 bits, then 10 bits).
    const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = 0n;
    for (const ch of 'ReJSON-RL') id = (id << 6n) | BigInt(charset.indexOf(ch));
    id = (id << 10n) | 3n;
    expect(decodeModuleId(id)).toEqual({ name: 'ReJSON-RL', encver: 3 });
  });
});
