// cspell:words zipmap zmlen
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeZipmap, encodeZipmap } from '../../../src/rdb/zipmap.js';
import { bytes, decodesOrCorrupt, expectCorrupt, fill, le32, show, threeWays } from './helpers.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeZipmap on literal blobs', () => {
  it('decodes the example from zipmap.c', () => {
    const blob = new Uint8Array([0x02, 0x03, ...bytes('foo'), 0x03, 0x00, ...bytes('bar'), 0x05, ...bytes('hello'), 0x05, 0x00, ...bytes('world'), 0xff]);
    expect(show(decodeZipmap(blob))).toEqual(['s:foo', 's:bar', 's:hello', 's:world']);
    threeWays(blob, decodeZipmap);
  });

  it('skips free bytes after a value', () => {
    const blob = new Uint8Array([0x02, 0x01, ...bytes('a'), 0x01, 0x02, ...bytes('x'), 0xee, 0xee, 0x01, ...bytes('b'), 0x00, 0x00, 0xff]);
    expect(show(decodeZipmap(blob))).toEqual(['s:a', 's:x', 's:b', 's:']);
    threeWays(blob, decodeZipmap);
  });

  it('decodes 5-byte lengths (254 + u32 little-endian), for fields and values', () => {
    const blob = new Uint8Array([0x01, 0xfe, ...le32(256), ...fill(256), 0xfe, ...le32(3), 0x00, ...bytes('xyz'), 0xff]);
    expect(show(decodeZipmap(blob))).toEqual([`s:${'a'.repeat(256)}`, 's:xyz']);
    threeWays(blob, decodeZipmap);
  });

  it('accepts zmlen 254 ("count unknown") whatever the number of pairs', () => {
    expect(show(decodeZipmap(new Uint8Array([0xfe, 0x01, 0x6b, 0x01, 0x00, 0x76, 0xff])))).toEqual(['s:k', 's:v']);
  });

  it('returns views into the blob', () => {
    const blob = new Uint8Array([0x01, 0x01, 0x6b, 0x01, 0x00, 0x76, 0xff]);
    const [field, value] = decodeZipmap(blob);
    expect(field?.buffer).toBe(blob.buffer);
    expect(value?.byteOffset).toBe(5);
  });
});

describe('decodeZipmap rejects', () => {
  const base = 70;
  it('a blob shorter than 2 bytes', () => {
    expectCorrupt(() => decodeZipmap(new Uint8Array([0xff]), base), base, 'shorter than the 2-byte minimum');
  });
  it('a missing terminator', () => {
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x01, 0x01, 0x6b, 0x01, 0x00, 0x76]), base), base + 5, 'does not end with the 0xFF terminator');
  });
  it('an empty zipmap (Redis rejects it)', () => {
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x00, 0xff]), base), base, 'zipmap is empty');
  });
  it('a zmlen that does not match the pairs (255 included, as Redis ≥ 6.2 does)', () => {
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x02, 0x01, 0x6b, 0x01, 0x00, 0x76, 0xff]), base), base, 'header count 2 does not match its 1 pairs');
    expectCorrupt(() => decodeZipmap(new Uint8Array([0xff, 0x01, 0x6b, 0x01, 0x00, 0x76, 0xff]), base), base, 'header count 255 does not match its 1 pairs');
  });
  it('duplicate fields (the RDB loader rejects them)', () => {
    const blob = new Uint8Array([0x02, 0x01, 0x6b, 0x01, 0x00, 0x76, 0x01, 0x6b, 0x01, 0x00, 0x77, 0xff]);
    expectCorrupt(() => decodeZipmap(blob, base), base + 6, 'zipmap pair 1: field duplicates an earlier field');
  });
  it('a field running past the end', () => {
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x01, 0x05, 0x6b, 0x01, 0x00, 0x76, 0xff]), base), base + 1, 'zipmap pair 0: field of 5 bytes runs past the end');
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x01, 0xfe, 0x01, 0x00, 0xff]), base), base + 1, 'field length runs past the end');
  });
  it('a value (or its free bytes) running past the end', () => {
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x01, 0x01, 0x6b, 0x03, 0x00, 0x76, 0xff]), base), base + 3, 'value of 3 bytes plus 0 free bytes runs past the end');
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x01, 0x01, 0x6b, 0x01, 0x05, 0x76, 0xff]), base), base + 3, 'value of 1 bytes plus 5 free bytes');
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x01, 0x01, 0x6b, 0xff]), base), base + 3, 'value length runs past the end');
    // A value-length byte of 255 is read as a 5-byte length, as zipmapGetEncodedLengthSize does.
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x01, 0x01, 0x6b, 0xff, 0x00, 0xff]), base), base + 3, 'value length runs past the end');
  });
  it('an end marker before the end', () => {
    expectCorrupt(() => decodeZipmap(new Uint8Array([0x01, 0x01, 0x6b, 0x01, 0x00, 0x76, 0xff, 0x00, 0xff]), base), base + 6, 'end marker 0xFF 2 bytes before the end');
  });
});

describe('encodeZipmap', () => {
  it('lays out pairs as zipmapSet does', () => {
    expect(encodeZipmap([text('foo'), text('bar'), text('hello'), text('world')])).toEqual(
      new Uint8Array([0x02, 0x03, ...bytes('foo'), 0x03, 0x00, ...bytes('bar'), 0x05, ...bytes('hello'), 0x05, 0x00, ...bytes('world'), 0xff]),
    );
    const many = Array.from({ length: 600 }, (_, i) => text(String(i)));
    expect(encodeZipmap(many)[0]).toBe(254);
    expect(decodeZipmap(encodeZipmap(many))).toHaveLength(600);
  });
  it('refuses an empty or odd list', () => {
    expect(() => encodeZipmap([])).toThrow(RangeError);
    expect(() => encodeZipmap([text('a')])).toThrow(RangeError);
  });
});

describe('zipmap properties', () => {
  const field = fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 250, maxLength: 300 }));
  it('encode then decode is the identity for distinct fields', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(field, { minLength: 1, maxLength: 20, selector: (f) => Buffer.from(f).toString('hex') }),
        fc.array(field, { minLength: 20, maxLength: 20 }),
        (fields, values) => {
          const pairs = fields.flatMap((f, i) => [f, values[i] as Uint8Array]);
          expect(show(decodeZipmap(encodeZipmap(pairs)))).toEqual(show(pairs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes only ever throw CorruptError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (blob) => decodesOrCorrupt(() => decodeZipmap(blob, 1), 1, blob.length, 'random')),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (body) => {
        const blob = new Uint8Array([...body, 0xff]);
        decodesOrCorrupt(() => decodeZipmap(blob), 0, blob.length, 'random with terminator');
      }),
      { numRuns: 5000 },
    );
  });
});
