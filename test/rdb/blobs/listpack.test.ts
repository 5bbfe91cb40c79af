// cspell:words backlen listpack listpacks
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalInteger, normalizeInteger } from '../../../src/rdb/blob-common.js';
import { decodeListpack, encodeListpack, listpackEntryCount, type ListpackEntry } from '../../../src/rdb/listpack.js';
import { bytes, corruptFrom, decodesOrCorrupt, expectCorrupt, fill, hex, le16, le32, show, threeWays } from './helpers.js';

/** A listpack from literal entry bytes (each entry written out with its back-length), per the spec. */
function literal(entries: number[][], count = entries.length): Uint8Array {
  const body = entries.flat();
  return new Uint8Array([...le32(6 + body.length + 1), ...le16(count), ...body, 0xff]);
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeListpack on literal blobs', () => {
  const entries: [string, number[], string][] = [
    ['7-bit uint 5', [0x05, 0x01], 'i:5'],
    ['7-bit uint 127', [0x7f, 0x01], 'i:127'],
    ['6-bit str "ab"', [0x82, ...bytes('ab'), 0x03], 's:ab'],
    ['6-bit str empty', [0x80, 0x01], 's:'],
    ['13-bit int -1', [0xdf, 0xff, 0x02], 'i:-1'],
    ['13-bit int 4095', [0xcf, 0xff, 0x02], 'i:4095'],
    ['13-bit int -4096', [0xd0, 0x00, 0x02], 'i:-4096'],
    ['12-bit str of 64', [0xe0, 0x40, ...fill(64), 0x42], `s:${'a'.repeat(64)}`],
    // 2 + 200 = 202 = 1·128 + 74: back-length bytes 0x01, 0x80|74.
    ['12-bit str of 200', [0xe0, 0xc8, ...fill(200, 0x62), 0x01, 0xca], `s:${'b'.repeat(200)}`],
    ['16-bit int 0x1234', [0xf1, 0x34, 0x12, 0x03], 'i:4660'],
    ['16-bit int -32768', [0xf1, 0x00, 0x80, 0x03], 'i:-32768'],
    ['24-bit int 0x123456', [0xf2, 0x56, 0x34, 0x12, 0x04], 'i:1193046'],
    ['24-bit int -8388608', [0xf2, 0x00, 0x00, 0x80, 0x04], 'i:-8388608'],
    ['32-bit int 0x12345678', [0xf3, 0x78, 0x56, 0x34, 0x12, 0x05], 'i:305419896'],
    ['32-bit int -2147483648', [0xf3, 0x00, 0x00, 0x00, 0x80, 0x05], 'i:-2147483648'],
    ['64-bit int 2^53', [0xf4, 0, 0, 0, 0, 0, 0, 0x20, 0, 0x09], 'b:9007199254740992'],
    ['64-bit int 2^53-1', [0xf4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0, 0x09], 'i:9007199254740991'],
    ['64-bit int -2^63', [0xf4, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x09], 'b:-9223372036854775808'],
    ['64-bit int -1 (non-canonical width)', [0xf4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x09], 'i:-1'],
    ['32-bit str "hi" (non-canonical width)', [0xf0, 0x02, 0, 0, 0, ...bytes('hi'), 0x07], 's:hi'],
  ];

  it.each(entries)('decodes a %s', (_name, entry, expected) => {
    expect(show(decodeListpack(literal([entry])))).toEqual([expected]);
  });

  it('decodes all encodings in one listpack, and passes the three-ways rule', () => {
    const blob = literal(entries.map(([, entry]) => entry));
    expect(show(decodeListpack(blob))).toEqual(entries.map(([, , expected]) => expected));
    threeWays(blob, decodeListpack);
  });

  it('decodes the empty listpack', () => {
    expect(decodeListpack(hex('07000000 0000 ff'))).toEqual([]);
    threeWays(hex('07000000 0000 ff'), decodeListpack);
  });

  it('accepts count 65535 (unknown) whatever the number of entries', () => {
    expect(show(decodeListpack(literal([[0x01, 0x01], [0x02, 0x01]], 0xffff)))).toEqual(['i:1', 'i:2']);
    expect(listpackEntryCount(literal([[0x01, 0x01], [0x02, 0x01]], 0xffff))).toBe(2);
  });

  it('returns strings as views into the blob, not copies', () => {
    const blob = literal([[0x82, ...bytes('ab'), 0x03]]);
    const [entry] = decodeListpack(blob);
    expect(entry).toBeInstanceOf(Uint8Array);
    expect((entry as Uint8Array).buffer).toBe(blob.buffer);
    expect((entry as Uint8Array).byteOffset).toBe(7);
  });

  it('pushes absolute entry offsets when asked', () => {
    const offsets: number[] = [];
    decodeListpack(literal([[0x05, 0x01], [0x82, ...bytes('ab'), 0x03], [0x06, 0x01]]), 100, offsets);
    expect(offsets).toEqual([106, 108, 112]);
  });

  it('accepts a back-length whose continuation bit runs into a zero data byte, as lpDecodeBacklen does', () => {
    // Entry "\0" has size 2. Its back-length byte 0x82 has the continuation bit set, so Redis also reads
    // the data byte before it; 0x00 adds nothing and stops the walk, so the value is still 2.
    expect(show(decodeListpack(literal([[0x81, 0x00, 0x02]])))).toEqual(['s:\u0000']);
    expect(show(decodeListpack(literal([[0x81, 0x00, 0x82]])))).toEqual(['s:\u0000']);
    expectCorrupt(() => decodeListpack(literal([[0x81, 0x01, 0x82]])), 8, 'back-length 130 does not match entry size 2');
  });
});

describe('decodeListpack rejects', () => {
  const base = 1000;
  it('a blob shorter than header plus terminator', () => {
    expectCorrupt(() => decodeListpack(hex('060000000000'), base), base, 'shorter than the 7-byte minimum');
  });
  it('a total-bytes field that differs from the blob length', () => {
    expectCorrupt(() => decodeListpack(hex('08000000 0000 ff'), base), base, 'header says 8 bytes but the blob has 7');
  });
  it('a missing terminator', () => {
    expectCorrupt(() => decodeListpack(hex('07000000 0000 fe'), base), base + 6, 'does not end with the 0xFF terminator');
  });
  it('an invalid encoding byte', () => {
    expectCorrupt(() => decodeListpack(literal([[0x05, 0x01], [0xf5, 0x01]]), base), base + 8, 'listpack entry 1: invalid encoding byte 0xf5');
  });
  it('a back-length that does not match the entry size', () => {
    expectCorrupt(
      () => decodeListpack(literal([[0x05, 0x01], [0x06, 0x01], [0x82, ...bytes('ab'), 0x05]]), base),
      base + 13,
      'listpack entry 2: back-length 5 does not match entry size 3',
    );
  });
  it('a back-length longer than 5 bytes', () => {
    // A 5-byte string of 0xFF and a back-length byte 0xFF: reading backwards, five bytes in a row carry
    // the continuation bit, which lpDecodeBacklen treats as invalid.
    const blob = literal([[0xf0, ...le32(5), ...fill(5, 0xff), 0xff]]);
    expectCorrupt(() => decodeListpack(blob, base), base + 16, 'back-length longer than 5 bytes does not match entry size 10');
  });
  it('an entry running past the terminator', () => {
    expectCorrupt(() => decodeListpack(literal([[0x85, ...bytes('ab'), 0x03]]), base), base + 6, 'listpack entry 0: entry of 7 bytes runs past the end');
  });
  it('an encoding header cut by the terminator', () => {
    expectCorrupt(() => decodeListpack(literal([[0xf0, 0x01]]), base), base + 6, 'encoding header runs past the end');
  });
  it('a 0xFF end marker before the end', () => {
    expectCorrupt(() => decodeListpack(literal([[0x05, 0x01], [0xff], [0x06, 0x01]]), base), base + 8, 'end marker 0xFF 3 bytes before the end');
  });
  it('a header count that does not match the entries', () => {
    expectCorrupt(() => decodeListpack(literal([[0x05, 0x01]], 2), base), base + 4, 'header count 2 does not match its 1 entries');
  });
  it('a huge 32-bit string length without overflowing', () => {
    expectCorrupt(() => decodeListpack(literal([[0xf0, 0xff, 0xff, 0xff, 0xff, 0x01]]), base), base + 6, 'runs past the end');
  });
});

describe('listpackEntryCount', () => {
  it('returns the header count after a shallow check', () => {
    expect(listpackEntryCount(encodeListpack([1, 2, 3]))).toBe(3);
    expect(corruptFrom(() => listpackEntryCount(hex('08000000 0000 ff'))).offset).toBe(0);
  });
  it('walks and validates when the count is unknown', () => {
    expectCorrupt(() => listpackEntryCount(literal([[0x05, 0x02]], 0xffff), 10), 17, 'back-length 2 does not match entry size 1');
  });
});

describe('encodeListpack', () => {
  it('writes what lpAppend writes, byte for byte', () => {
    const blob = encodeListpack([text('ab'), 5, text('-1'), text('4660'), -32768, 8388607, text('305419896'), 2n ** 53n, text('007'), text('-0')]);
    expect(blob).toEqual(
      literal([
        [0x82, ...bytes('ab'), 0x03],
        [0x05, 0x01],
        [0xdf, 0xff, 0x02],
        [0xf1, 0x34, 0x12, 0x03],
        [0xf1, 0x00, 0x80, 0x03],
        [0xf2, 0xff, 0xff, 0x7f, 0x04],
        [0xf3, 0x78, 0x56, 0x34, 0x12, 0x05],
        [0xf4, 0, 0, 0, 0, 0, 0, 0x20, 0, 0x09],
        [0x83, ...bytes('007'), 0x04],
        [0x82, ...bytes('-0'), 0x03],
      ]),
    );
  });

  it.each([63, 64, 125, 126, 4095, 4096, 16377, 16378, 20000])('round-trips a string of %i bytes with the right headers', (n) => {
    const s = new Uint8Array(fill(n, 0x78));
    const blob = encodeListpack([s, 1]);
    const [back, one] = decodeListpack(blob);
    expect(Buffer.from(back as Uint8Array).equals(Buffer.from(s))).toBe(true);
    expect(one).toBe(1);
    const first = blob[6] as number;
    expect(first & (n < 64 ? 0xc0 : n < 4096 ? 0xf0 : 0xff)).toBe(n < 64 ? 0x80 : n < 4096 ? 0xe0 : 0xf0);
  });

  it('uses a 3-byte back-length for an entry of exactly 16383 bytes, as lpEncodeBacklen does', () => {
    const blob = encodeListpack([new Uint8Array(16378)]); // 5-byte header + 16378 = 16383
    expect(Array.from(blob.subarray(6 + 16383, 6 + 16383 + 3))).toEqual([0x00, 0xff, 0xff]);
    expect(blob.length).toBe(6 + 16383 + 3 + 1);
    expect((decodeListpack(blob)[0] as Uint8Array).length).toBe(16378);
  });

  it('passes the three-ways rule on an encoder-built blob with large strings', () => {
    threeWays(encodeListpack([new Uint8Array(300), text('x'), -5000, new Uint8Array(4100), 2n ** 62n]), decodeListpack);
  });

  it('writes count 65535 once there are that many entries', () => {
    const blob = encodeListpack(new Array<number>(70000).fill(1));
    expect(blob[4]).toBe(0xff);
    expect(blob[5]).toBe(0xff);
    expect(decodeListpack(blob)).toHaveLength(70000);
    expect(listpackEntryCount(blob)).toBe(70000);
  });

  it('rejects integers outside int64 and non-integers', () => {
    expect(() => encodeListpack([2n ** 63n])).toThrow(RangeError);
    expect(() => encodeListpack([1.5])).toThrow(RangeError);
  });
});

/** What decoding an encoded entry must give back: canonical integer text becomes the integer. */
function expected(entry: ListpackEntry): ListpackEntry {
  if (entry instanceof Uint8Array) return canonicalInteger(entry) ?? entry;
  return normalizeInteger(BigInt(entry));
}

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const arbitraryEntry: fc.Arbitrary<ListpackEntry> = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.uint8Array({ minLength: 4090, maxLength: 4200 }),
  fc.integer({ min: -200000, max: 200000 }),
  fc.maxSafeInteger(),
  int64,
  int64.map((v) => text(v.toString())),
  fc.integer().map((v) => text(` ${v}`)),
);

describe('listpack properties', () => {
  it('encode then decode is the identity (up to Redis integer canonicalization)', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEntry, { maxLength: 40 }), (entries) => {
        const decoded = decodeListpack(encodeListpack(entries));
        expect(show(decoded)).toEqual(show(entries.map(expected)));
        // Integers come back as numbers exactly when they are safe.
        for (const e of decoded) if (typeof e === 'bigint') expect(Number.isSafeInteger(Number(e))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes only ever throw CorruptError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (blob) => decodesOrCorrupt(() => decodeListpack(blob, 7), 7, blob.length, 'random')),
      { numRuns: 5000 },
    );
  });

  it('random bodies behind a valid header only ever throw CorruptError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 0xffff }), (body, count) => {
        const blob = new Uint8Array([...le32(body.length + 7), ...le16(count), ...body, 0xff]);
        decodesOrCorrupt(() => decodeListpack(blob), 0, blob.length, 'random body');
      }),
      { numRuns: 5000 },
    );
  });

  it('random multi-byte mutations of valid listpacks only ever throw CorruptError', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryEntry, { minLength: 1, maxLength: 10 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (entries, edits) => {
          const blob = encodeListpack(entries);
          for (const [at, value] of edits) blob[at % blob.length] = value;
          decodesOrCorrupt(() => decodeListpack(blob), 0, blob.length, 'mutation');
        },
      ),
      { numRuns: 1000 },
    );
  });
});
