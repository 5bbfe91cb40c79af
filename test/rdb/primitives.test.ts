// cspell:words abcabcabcabcabcabcabcabcabcabcabc
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader } from '../../src/bytes/reader.js';
import { ByteWriter } from '../../src/bytes/writer.js';
import { crc64 } from '../../src/codecs/crc64.js';
import { CorruptError, RedbackError, TruncatedError } from '../../src/errors.js';
import {
  checksummedWriter,
  decodeModuleId,
  encodeModuleId,
  formatG17,
  formatRdbDouble,
  integerEncodable,
  lengthSize,
  parseCDouble,
  readAsciiDouble,
  readLength,
  readLengthBig,
  readString,
  writeAsciiDouble,
  writeBinaryDouble,
  writeEof,
  writeHeader,
  writeIntegerString,
  writeLength,
  writeLzfString,
  writeMillisecondTime,
  writeSecondTime,
  writeString,
} from '../../src/rdb/primitives.js';
import { lzfCompress } from '../../src/codecs/lzf.js';
import { concat } from '../support/bytes.js';

const reader = (bytes: number[] | Uint8Array, base = 0): ByteReader => new ByteReader(Uint8Array.from(bytes), { base, file: 'test' });

/** The bytes a write-side primitive produces. */
function written(write: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter({ chunkSize: 16 });
  write(w);
  return concat(w.take());
}

/** Encodes a length with the write side (rdbSaveLen's smallest form). */
function encodeLength(n: number): number[] {
  return [...written((w) => writeLength(w, n))];
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

// ---------------------------------------------------------------------------------------------------
// The write side

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('writeLength', () => {
  it('writes the smallest of the four forms, as rdbSaveLen does', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [63, '3f'],
      [64, '4040'],
      [16383, '7fff'],
      [16384, '8000004000'],
      [0xffffffff, '80ffffffff'],
      [2 ** 32, '810000000100000000'],
      [0xffffffffffffffffn, '81ffffffffffffffff'],
    ];
    for (const [value, hex] of cases) {
      expect(hexOf(written((w) => writeLength(w, value))), String(value)).toBe(hex);
      expect(lengthSize(value)).toBe(hex.length / 2);
    }
    expect(() => written((w) => writeLength(w, -1))).toThrow(RangeError);
    expect(() => written((w) => writeLength(w, 1.5))).toThrow(RangeError);
    expect(() => written((w) => writeLength(w, 1n << 64n))).toThrow(RangeError);
  });

  it('decode(encode(n)) = n for every 64-bit length, and encode(decode(bytes)) = bytes for the smallest forms (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 70000n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })), (n) => {
        const bytes = written((w) => writeLength(w, n));
        const r = reader(bytes);
        expect(readLengthBig(r)).toBe(n);
        expect(r.remaining).toBe(0);
        expect(written((w) => writeLength(w, readLengthBig(reader(bytes))))).toEqual(bytes);
      }),
    );
  });
});

describe('writeString', () => {
  it('uses the int8/16/32 encodings exactly for canonical integer text that fits, as rdbTryIntegerEncoding does', () => {
    const cases: [string, string][] = [
      ['0', 'c000'],
      ['-1', 'c0ff'],
      ['127', 'c07f'],
      ['-128', 'c080'],
      ['128', 'c18000'],
      ['-129', 'c17fff'],
      ['32767', 'c1ff7f'],
      ['32768', 'c200800000'],
      ['-32769', 'c2ff7fffff'],
      ['2147483647', 'c2ffffff7f'],
      ['-2147483648', 'c200000080'],
      // Not canonical, or too wide: plain strings.
      ['2147483648', '0a32313437343833363438'],
      ['-2147483649', '0b2d32313437343833363439'],
      ['-0', '022d30'],
      ['01', '023031'],
      ['+1', '022b31'],
      [' 1', '022031'],
      ['1 ', '023120'],
      ['', '00'],
      ['12345678901', '0b3132333435363738393031'],
    ];
    for (const [text, hex] of cases) {
      expect(hexOf(written((w) => writeString(w, ascii(text)))), JSON.stringify(text)).toBe(hex);
      expect(integerEncodable(ascii(text)) !== undefined).toBe(hex.startsWith('c'));
    }
  });

  it('compresses only with compression on, above 20 bytes, and when liblzf saves at least 4 bytes', () => {
    const twenty = ascii('a'.repeat(20));
    const twentyOne = ascii('a'.repeat(21));
    expect(hexOf(written((w) => writeString(w, twenty, { compress: true })))).toBe(`14${'61'.repeat(20)}`);
    const compressed = written((w) => writeString(w, twentyOne, { compress: true }));
    expect(compressed[0]).toBe(0xc3);
    expect(Buffer.from(readString(reader(compressed))).toString()).toBe('a'.repeat(21));
    expect(hexOf(written((w) => writeString(w, twentyOne)))).toBe(`15${'61'.repeat(21)}`);
    // Incompressible: stored plain even with compression on.
    const noise = Uint8Array.from({ length: 100 }, (_, i) => (i * 7919) % 251);
    expect(hexOf(written((w) => writeString(w, noise, { compress: true })).subarray(0, 2))).toBe('4064');
    // The LZF form is exactly 0xC3, compressed length, original length, data.
    const text = ascii('abcabcabcabcabcabcabcabcabcabcabc');
    const lzf = lzfCompress(text, text.length - 4) as Uint8Array;
    expect(written((w) => writeString(w, text, { compress: true }))).toEqual(concat([Uint8Array.of(0xc3, lzf.length, text.length), lzf]));
    expect(written((w) => writeLzfString(w, lzf, text.length))).toEqual(written((w) => writeString(w, text, { compress: true })));
  });

  it('decode(encode(s)) = s, and encode(decode(bytes)) = bytes for what it wrote (property)', () => {
    const strings = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.integer({ min: -3e9, max: 3e9 }).map((n) => ascii(String(n))),
      fc.constantFrom('-0', '00', '+5', '007', ' 1', '1e3').map(ascii),
      fc.array(fc.constantFrom('ab', 'abc', 'x', 'redback'), { maxLength: 60 }).map((parts) => ascii(parts.join(''))),
    );
    fc.assert(
      fc.property(strings, fc.boolean(), (s, compress) => {
        const bytes = written((w) => writeString(w, s, { compress }));
        const r = reader(bytes);
        expect(readString(r)).toEqual(s);
        expect(r.remaining).toBe(0);
        expect(written((w) => writeString(w, readString(reader(bytes)), { compress }))).toEqual(bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes integers as Redis writes int-encoded objects (rdbSaveLongLongAsStringObject)', () => {
    expect(hexOf(written((w) => writeIntegerString(w, 64)))).toBe('c040');
    expect(hexOf(written((w) => writeIntegerString(w, 1700000000)))).toBe('c200f15365');
    expect(hexOf(written((w) => writeIntegerString(w, 2 ** 40)))).toBe(`0d${Buffer.from(String(2 ** 40)).toString('hex')}`);
    expect(Buffer.from(readString(reader(written((w) => writeIntegerString(w, -(1n << 63n)))))).toString()).toBe('-9223372036854775808');
    expect(() => written((w) => writeIntegerString(w, 1n << 63n))).toThrow(RangeError);
  });
});

describe('doubles', () => {
  it('formats as C printf %.17g does, rounding half to even on the exact value (checked against glibc)', () => {
    const glibc: [number, string][] = [
      [0.1, '0.10000000000000001'],
      [-2.5, '-2.5'],
      [1e300, '1.0000000000000001e+300'],
      [Math.PI, '3.1415926535897931'],
      [1 + 2 ** -17, '1.0000076293945312'], // an exact tie at the 18th digit: even, not up
      [2 ** 60, '1.152921504606847e+18'],
      [1e-7, '9.9999999999999995e-08'],
      [5e-324, '4.9406564584124654e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [0.00012345, '0.00012344999999999999'],
      [1e17, '1e+17'],
      [1e16 + 2, '10000000000000002'],
      [1e-5, '1.0000000000000001e-05'],
      [0.0001, '0.0001'],
      [2.37, '2.3700000000000001'],
      [6.294675241195386e-44, '6.2946752411953861e-44'],
      [4.708325160387546e207, '4.7083251603875462e+207'],
      [-9.973130378568733e-246, '-9.9731303785687331e-246'],
      [-0, '-0'],
    ];
    for (const [value, text] of glibc) expect(formatG17(value), String(value)).toBe(text);
  });

  it('writes the ASCII form as rdbSaveDoubleValue does: integers below 2^52 as digits, special lengths for NaN and infinities', () => {
    expect(formatRdbDouble(-0)).toBe('0');
    expect(formatRdbDouble(4503599627370495)).toBe('4503599627370495');
    expect(formatRdbDouble(4503599627370496)).toBe('4503599627370496'); // %.17g gives the same digits
    expect(formatRdbDouble(-4503599627370495)).toBe('-4503599627370495'); // outside the integer path, same text
    expect(formatRdbDouble(1.5)).toBe('1.5');
    expect(hexOf(written((w) => writeAsciiDouble(w, Number.NaN)))).toBe('fd');
    expect(hexOf(written((w) => writeAsciiDouble(w, Number.POSITIVE_INFINITY)))).toBe('fe');
    expect(hexOf(written((w) => writeAsciiDouble(w, Number.NEGATIVE_INFINITY)))).toBe('ff');
    expect(hexOf(written((w) => writeAsciiDouble(w, 1.5)))).toBe('03312e35');
  });

  it('decode(encode(x)) = x for every double (-0 reads back as 0), and encode(decode(bytes)) = bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer().map((n) => n / 8)), (x) => {
        const ascii = written((w) => writeAsciiDouble(w, x));
        const value = readAsciiDouble(reader(ascii));
        if (Number.isNaN(x)) expect(value).toBeNaN();
        else expect(value).toBe(x === 0 ? 0 : x);
        expect(written((w) => writeAsciiDouble(w, value))).toEqual(ascii);
        const binary = written((w) => writeBinaryDouble(w, x));
        expect(Object.is(reader(binary).f64le(), x)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('times, header, EOF and checksum, module ids', () => {
  it('writes millisecond and second times as signed little-endian integers', () => {
    expect(hexOf(written((w) => writeMillisecondTime(w, 4102444800000)))).toBe('00d8c32cbb030000');
    expect(hexOf(written((w) => writeMillisecondTime(w, -1)))).toBe('ffffffffffffffff');
    expect(hexOf(written((w) => writeSecondTime(w, 1700000000)))).toBe('00f15365');
    expect(() => written((w) => writeSecondTime(w, 2 ** 31))).toThrow(RangeError);
  });

  it('writes the header zero-padded to 9 bytes', () => {
    expect(Buffer.from(written((w) => writeHeader(w, 'REDIS', 11))).toString()).toBe('REDIS0011');
    expect(Buffer.from(written((w) => writeHeader(w, 'VALKEY', 80))).toString()).toBe('VALKEY080');
    expect(() => written((w) => writeHeader(w, 'VALKEY', 1000))).toThrow(RangeError);
  });

  it('computes the CRC64 as the bytes go out, over everything before the trailer', () => {
    const { writer, crc } = checksummedWriter({ chunkSize: 16 });
    writeHeader(writer, 'REDIS', 9);
    for (let i = 0; i < 50; i++) writeString(writer, ascii(`key-${i}`));
    writer.take(); // pieces handed out early still count
    writeEof(writer, 9, crc);
    const { writer: all } = checksummedWriter({ chunkSize: 16 });
    writeHeader(all, 'REDIS', 9);
    for (let i = 0; i < 50; i++) writeString(all, ascii(`key-${i}`));
    all.u8(0xff);
    const body = concat(all.take());
    const trailer = concat(writer.take());
    expect(trailer.length).toBe(9);
    expect(new ByteReader(trailer, { pos: 1 }).u64le()).toBe(crc64(body));
    expect(hexOf(written((w) => writeEof(w, 9)))).toBe('ff0000000000000000'); // rdbchecksum no
    expect(hexOf(written((w) => writeEof(w, 4)))).toBe('ff'); // no trailer before version 5
  });

  it('module ids round-trip through decodeModuleId', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 9, maxLength: 9 }), fc.integer({ min: 0, max: 1023 }), (name, encver) => {
        expect(decodeModuleId(encodeModuleId(name, encver))).toEqual({ name, encver });
      }),
    );
    expect(() => encodeModuleId('short', 1)).toThrow(RangeError);
    expect(() => encodeModuleId('has space', 1)).toThrow(RangeError);
    expect(() => encodeModuleId('ReJSON-RL', 1024)).toThrow(RangeError);
  });
});
