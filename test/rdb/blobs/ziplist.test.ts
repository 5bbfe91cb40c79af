// cspell:words prevlen prevlens ziplist ziplists zlbytes
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalInteger, normalizeInteger } from '../../../src/rdb/blob-common.js';
import { decodeZiplist, encodeZiplist, type ZiplistEntry } from '../../../src/rdb/ziplist.js';
import { bytes, decodesOrCorrupt, expectCorrupt, fill, hex, le16, le32, show, threeWays } from './helpers.js';

/**
 * A ziplist from literal entries per the spec: each entry is `[encoding+data]`; the prevlen bytes are
 * written here (1 byte below 254, else 0xFE + u32le) unless `prevlens` overrides them.
 */
function literal(entries: number[][], options: { count?: number; tail?: number; prevlens?: number[][] } = {}): Uint8Array {
  const body: number[] = [];
  let prev = 0;
  let tail = 10;
  entries.forEach((entry, i) => {
    tail = 10 + body.length;
    const prevlen = options.prevlens?.[i] ?? (prev < 254 ? [prev] : [0xfe, ...le32(prev)]);
    body.push(...prevlen, ...entry);
    prev = prevlen.length + entry.length;
  });
  const total = 10 + body.length + 1;
  return new Uint8Array([...le32(total), ...le32(options.tail ?? tail), ...le16(options.count ?? entries.length), ...body, 0xff]);
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeZiplist on literal blobs', () => {
  it('decodes the example from ziplist.c ("2", "5")', () => {
    const blob = hex('0f000000 0c000000 0200 00f3 02f6 ff');
    expect(show(decodeZiplist(blob))).toEqual(['i:2', 'i:5']);
    threeWays(blob, decodeZiplist);
  });

  const entries: [string, number[], string][] = [
    ['6-bit str "Hello World"', [0x0b, ...bytes('Hello World')], 's:Hello World'],
    ['6-bit str empty', [0x00], 's:'],
    ['14-bit str of 100', [0x40, 0x64, ...fill(100)], `s:${'a'.repeat(100)}`],
    ['14-bit str of 300 (big-endian length)', [0x41, 0x2c, ...fill(300, 0x62)], `s:${'b'.repeat(300)}`],
    ['32-bit str "hi" (big-endian length, non-canonical width)', [0x80, 0, 0, 0, 2, ...bytes('hi')], 's:hi'],
    ['int16 0x1234', [0xc0, 0x34, 0x12], 'i:4660'],
    ['int16 -32768', [0xc0, 0x00, 0x80], 'i:-32768'],
    ['int32 0x12345678', [0xd0, 0x78, 0x56, 0x34, 0x12], 'i:305419896'],
    ['int32 -1', [0xd0, 0xff, 0xff, 0xff, 0xff], 'i:-1'],
    ['int64 2^53', [0xe0, 0, 0, 0, 0, 0, 0, 0x20, 0], 'b:9007199254740992'],
    ['int64 2^63-1', [0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 'b:9223372036854775807'],
    ['int24 -2', [0xf0, 0xfe, 0xff, 0xff], 'i:-2'],
    ['int24 0x7fffff', [0xf0, 0xff, 0xff, 0x7f], 'i:8388607'],
    ['int8 -128', [0xfe, 0x80], 'i:-128'],
    ['int8 127', [0xfe, 0x7f], 'i:127'],
    ['immediate 0', [0xf1], 'i:0'],
    ['immediate 12', [0xfd], 'i:12'],
  ];

  it.each(entries)('decodes a %s', (_name, entry, expected) => {
    expect(show(decodeZiplist(literal([entry])))).toEqual([expected]);
  });

  it('decodes all encodings in one ziplist, and passes the three-ways rule', () => {
    const blob = literal(entries.map(([, entry]) => entry));
    expect(show(decodeZiplist(blob))).toEqual(entries.map(([, , expected]) => expected));
    threeWays(blob, decodeZiplist);
  });

  it('decodes 5-byte prevlens after a large entry, and a non-canonical 5-byte prevlen for a small one', () => {
    const big = [0x41, 0x00, ...fill(256)]; // 2 + 256 + 1 (prevlen) = 259 bytes
    const blob = literal([[0xf2], big, [0xf3], [0xf4]], { prevlens: [[0], [2], [0xfe, ...le32(259)], [0xfe, ...le32(6)]] });
    expect(show(decodeZiplist(blob))).toEqual(['i:1', `s:${'a'.repeat(256)}`, 'i:2', 'i:3']);
    threeWays(blob, decodeZiplist);
  });

  it('decodes the empty ziplist', () => {
    expect(decodeZiplist(hex('0b000000 0a000000 0000 ff'))).toEqual([]);
  });

  it('accepts count 65535 (unknown)', () => {
    expect(show(decodeZiplist(literal([[0xf2], [0xf3]], { count: 0xffff })))).toEqual(['i:1', 'i:2']);
  });

  it('returns strings as views and pushes absolute offsets', () => {
    const blob = literal([[0x02, ...bytes('ab')], [0xf2]]);
    const offsets: number[] = [];
    const [s] = decodeZiplist(blob, 50, offsets);
    expect((s as Uint8Array).buffer).toBe(blob.buffer);
    expect(offsets).toEqual([60, 64]);
  });
});

describe('decodeZiplist rejects', () => {
  const base = 2000;
  it('a blob shorter than header plus terminator', () => {
    expectCorrupt(() => decodeZiplist(hex('0a000000 0a000000 0000'), base), base, 'shorter than the 11-byte minimum');
  });
  it('a zlbytes field that differs from the blob length', () => {
    expectCorrupt(() => decodeZiplist(hex('0c000000 0a000000 0000 ff'), base), base, 'header says 12 bytes but the blob has 11');
  });
  it('a missing terminator', () => {
    expectCorrupt(() => decodeZiplist(hex('0b000000 0a000000 0000 00'), base), base + 10, 'does not end with the 0xFF terminator');
  });
  it('a tail offset past the end', () => {
    expectCorrupt(() => decodeZiplist(hex('0b000000 0b000000 0000 ff'), base), base + 4, 'tail offset 11 is past the end');
  });
  it('a tail offset that is not the last entry', () => {
    expectCorrupt(() => decodeZiplist(literal([[0xf2], [0xf3]], { tail: 10 }), base), base + 4, 'tail offset 10 does not point at the last entry (12)');
  });
  it('a tail offset of an empty ziplist that is not the header end', () => {
    expectCorrupt(() => decodeZiplist(hex('0b000000 09000000 0000 ff'), base), base + 4, 'does not point at the header end of an empty ziplist (10)');
  });
  it('a prevlen that does not match the previous entry', () => {
    expectCorrupt(
      () => decodeZiplist(literal([[0xf2], [0xf3]], { prevlens: [[0], [3]] }), base),
      base + 12,
      'ziplist entry 1: prevlen 3 does not match previous entry size 2',
    );
    expectCorrupt(() => decodeZiplist(literal([[0xf2]], { prevlens: [[1]] }), base), base + 10, 'entry 0: prevlen 1 does not match previous entry size 0');
  });
  it.each([0xc1, 0xd5, 0xe8, 0xff])('an invalid encoding byte 0x%s', (enc) => {
    expectCorrupt(() => decodeZiplist(literal([[0xf2], [enc, 0, 0]]), base), base + 13, `entry 1: invalid encoding byte 0x${enc.toString(16)}`);
  });
  it('an entry running past the terminator', () => {
    expectCorrupt(() => decodeZiplist(literal([[0x05, ...bytes('ab')]]), base), base + 10, 'entry 0: entry of 7 bytes runs past the end');
    expectCorrupt(() => decodeZiplist(literal([[0x80, 0xff, 0xff, 0xff, 0xff, 0]]), base), base + 10, 'runs past the end');
  });
  it('a length header cut by the terminator', () => {
    expectCorrupt(() => decodeZiplist(literal([[0x80, 0]]), base), base + 11, 'encoding header runs past the end');
    expectCorrupt(() => decodeZiplist(literal([[0x10]], { prevlens: [[0xfe, 0, 0]] }), base), base + 10, 'prevlen runs past the end');
  });
  it('a 0xFF end marker before the end', () => {
    expectCorrupt(() => decodeZiplist(literal([[0xf2], [0xf3, 0xff, 0x00]]), base), base + 14, 'end marker 0xFF 2 bytes before the end');
  });
  it('a header count that does not match the entries', () => {
    expectCorrupt(() => decodeZiplist(literal([[0xf2]], { count: 3 }), base), base + 8, 'header count 3 does not match its 1 entries');
  });
});

describe('encodeZiplist', () => {
  it('writes what ziplistPush writes, byte for byte', () => {
    const blob = encodeZiplist([text('2'), text('5'), text('Hello World'), -128, 200, text('-8388608'), 2147483647, text('9223372036854775807'), text('012')]);
    expect(blob).toEqual(
      literal([
        [0xf3],
        [0xf6],
        [0x0b, ...bytes('Hello World')],
        [0xfe, 0x80],
        [0xc0, 0xc8, 0x00],
        [0xf0, 0x00, 0x00, 0x80],
        [0xd0, 0xff, 0xff, 0xff, 0x7f],
        [0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        [0x03, ...bytes('012')],
      ]),
    );
    expect(Array.from(encodeZiplist([text('2'), text('5')]))).toEqual(Array.from(hex('0f000000 0c000000 0200 00f3 02f6 ff')));
  });

  it('stores only canonical int64 text as integers, like zipTryEncoding', () => {
    const inputs = ['1111111111111111111', '-0', '+1', ' 1', '01', '9223372036854775808'].map(text);
    expect(show(decodeZiplist(encodeZiplist(inputs)))).toEqual(['b:1111111111111111111', 's:-0', 's:+1', 's: 1', 's:01', 's:9223372036854775808']);
  });

  it.each([63, 64, 16383, 16384])('round-trips a string of %i bytes', (n) => {
    const s = new Uint8Array(fill(n, 0x7a));
    const blob = encodeZiplist([s, 7, s]);
    const out = decodeZiplist(blob);
    expect(out).toHaveLength(3);
    expect(Buffer.from(out[0] as Uint8Array).equals(Buffer.from(s))).toBe(true);
    expect(Buffer.from(out[2] as Uint8Array).equals(Buffer.from(s))).toBe(true);
  });

  it('passes the three-ways rule on an encoder-built blob with large entries', () => {
    threeWays(encodeZiplist([new Uint8Array(300), 1, new Uint8Array(16390), text('x'), -70000]), decodeZiplist);
  });
});

function expected(entry: ZiplistEntry): ZiplistEntry {
  if (entry instanceof Uint8Array) return (entry.length < 32 ? canonicalInteger(entry) : undefined) ?? entry;
  return normalizeInteger(BigInt(entry));
}

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const arbitraryEntry: fc.Arbitrary<ZiplistEntry> = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.uint8Array({ minLength: 250, maxLength: 260 }),
  fc.integer({ min: -20, max: 300 }),
  int64,
  int64.map((v) => text(v.toString())),
);

describe('ziplist properties', () => {
  it('encode then decode is the identity (up to integer canonicalization)', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEntry, { maxLength: 30 }), (entries) => {
        expect(show(decodeZiplist(encodeZiplist(entries)))).toEqual(show(entries.map(expected)));
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes only ever throw CorruptError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (blob) => decodesOrCorrupt(() => decodeZiplist(blob, 3), 3, blob.length, 'random')),
      { numRuns: 5000 },
    );
  });

  it('random bodies behind a valid header only ever throw CorruptError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 100 }), fc.integer({ min: 0, max: 0xffff }), (body, tail, count) => {
        const blob = new Uint8Array([...le32(body.length + 11), ...le32(tail), ...le16(count), ...body, 0xff]);
        decodesOrCorrupt(() => decodeZiplist(blob), 0, blob.length, 'random body');
      }),
      { numRuns: 5000 },
    );
  });

  it('random multi-byte mutations of valid ziplists only ever throw CorruptError', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryEntry, { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (entries, edits) => {
          const blob = encodeZiplist(entries);
          for (const [at, value] of edits) blob[at % blob.length] = value;
          decodesOrCorrupt(() => decodeZiplist(blob), 0, blob.length, 'mutation');
        },
      ),
      { numRuns: 1000 },
    );
  });
});
