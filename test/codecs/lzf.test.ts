// cspell:words lzf unixsocket dbfilename appendonly redback sripathikrishnan ababa DBSIZE GETRANGE xxtail abcabcabcabc abcdabcdabcdabcd
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader } from '../../src/bytes/reader.js';
import { LzfStream, lzfCompress, lzfDecompress, lzfDecompressTransient, lzfValidate } from '../../src/codecs/lzf.js';
import { lzfBackend, lzfDecompressWasm } from '../../src/codecs/lzf-wasm.js';
import { CorruptError, RedbackError } from '../../src/errors.js';
import { readLength } from '../../src/rdb/primitives.js';
import { readRdbAll } from '../../src/rdb/reader.js';
import { PEER_DIR, REPO_ROOT } from '../support/paths.js';
import { describePeer } from '../support/prerequisites.js';

const EASY_RDB = `${PEER_DIR}/sripathikrishnan__redis-rdb-tools/tests/dumps/easily_compressible_string_key.rdb`;
const EASY_JSON = `${PEER_DIR}/HDT3213__rdb/cases/easily_compressible_string_key.json`;

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Catches what `fn` throws (undefined when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A straightforward LZF decoder written from the format description, independent of src/. */
function referenceDecompress(input: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < input.length) {
    const ctrl = input[i++] as number;
    if (ctrl < 32) {
      for (let k = 0; k <= ctrl; k++) {
        if (i >= input.length) throw new Error('literal overrun');
        out.push(input[i++] as number);
      }
    } else {
      let len = ctrl >> 5;
      if (len === 7) len += input[i++] as number;
      const back = ((ctrl & 31) << 8) + (input[i++] as number) + 1;
      if (back > out.length || i > input.length) throw new Error('bad reference');
      for (let k = 0; k < len + 2; k++) out.push(out[out.length - back] as number);
    }
  }
  return out;
}

/** Data with repeats: chunks of bytes, each repeated a few times. */
const repetitive = fc
  .array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 6 })), { maxLength: 30 })
  .map((parts) => {
    const out: number[] = [];
    for (const [chunk, times] of parts) for (let t = 0; t < times; t++) out.push(...chunk);
    return Uint8Array.from(out);
  });
const anyData = fc.oneof(
  repetitive,
  fc.uint8Array({ maxLength: 600 }),
  fc.uint8Array({ min: 97, max: 99, maxLength: 3000 }),
);

describe('lzfDecompress', () => {
  it('decodes literal runs, short and long back references, and overlapping copies', () => {
    expect(lzfDecompress(bytes(2, 0x61, 0x62, 0x63), 3)).toEqual(ascii('abc'));
    // "ab" then a 3-byte copy from 2 back (overlapping): "ababa".
    expect(lzfDecompress(bytes(1, 0x61, 0x62, 0x20, 0x01), 5)).toEqual(ascii('ababa'));
    // len 7 + extension 10 => 19 bytes copied from 1 back.
    expect(lzfDecompress(bytes(0, 0x78, 0xe0, 10, 0x00), 20)).toEqual(ascii('x'.repeat(20)));
    // Longest reference (264 bytes) and farthest distance (8192).
    const long = new Uint8Array(8192 + 264);
    for (let i = 0; i < 8192; i++) long[i] = (i * 31 + (i >> 8)) & 0xff;
    long.copyWithin(8192, 0, 264);
    const items: number[] = [];
    for (let i = 0; i < 8192; i += 32) items.push(31, ...long.subarray(i, i + 32));
    items.push(0xff, 255, 0xff); // len 7+255, distance ((31 << 8) | 255) + 1 = 8192
    expect(lzfDecompress(Uint8Array.from(items), long.length)).toEqual(long);
  });

  it('reports each kind of corruption as a CorruptError at the right absolute offset', () => {
    const where = { file: 'dump.rdb', offset: 1000 };
    const cases: [Uint8Array, number, RegExp, number][] = [
      [bytes(2, 0x61, 0x62), 3, /past the end/, 1000], // literal run overruns input
      [bytes(0, 0x61, 0x20), 3, /past the end/, 1002], // reference missing its distance byte
      [bytes(0, 0x61, 0xe0), 20, /past the end/, 1002], // len 7 missing its extension byte
      [bytes(0, 0x61, 0x20, 0x01), 5, /before the start/, 1002], // distance 2 with 1 byte out
      [bytes(3, 0x61, 0x62, 0x63, 0x64), 3, /overflows the declared length/, 1000],
      [bytes(0, 0x61, 0x40, 0x00), 4, /overflows the declared length/, 1002],
      [bytes(1, 0x61, 0x62), 5, /ends after 2 of 5 bytes/, 1003],
      [bytes(0, 0x61), 0, /invalid uncompressed length 0/, 1000],
      [bytes(), 1, /empty compressed data/, 1000],
      [bytes(0, 0x61), Number.NaN, /invalid uncompressed length/, 1000],
      [bytes(0, 0x61), -1, /invalid uncompressed length/, 1000],
      [bytes(0, 0x61), 177, /declared length 177 cannot come from 2 compressed bytes/, 1000],
      [bytes(0, 0x61), 2 ** 40, /cannot come from/, 1000],
    ];
    for (const [input, length, message, offset] of cases) {
      const error = thrown(() => lzfDecompress(input, length, where));
      expect(error, `${[...input]} -> ${length}`).toBeInstanceOf(CorruptError);
      expect((error as CorruptError).message).toMatch(message);
      expect((error as CorruptError).message).toMatch(/^lzf: /);
      expect((error as CorruptError).offset).toBe(offset);
      expect((error as CorruptError).file).toBe('dump.rdb');
    }
    // Without a location, no offset is invented.
    expect((thrown(() => lzfDecompress(bytes(2, 1), 3)) as CorruptError).offset).toBeUndefined();
  });

  it('gives the same result for a view at any byte offset, and rejects every truncation', () => {
    const data = ascii('the quick brown fox jumps over the lazy dog; the quick brown fox jumps again and again');
    const packed = lzfCompress(data);
    expect(packed).toBeDefined();
    const compressed = packed as Uint8Array;
    // Whole input, and the same bytes placed at every offset of a larger buffer.
    for (let at = 0; at <= 16; at++) {
      const host = new Uint8Array(at + compressed.length + 7).fill(0xee);
      host.set(compressed, at);
      expect(lzfDecompress(host.subarray(at, at + compressed.length), data.length, { offset: at })).toEqual(data);
    }
    // Split at every offset: the first part alone is always rejected, never mis-decoded.
    for (let cut = 0; cut < compressed.length; cut++) {
      expect(thrown(() => lzfDecompress(compressed.subarray(0, cut), data.length))).toBeInstanceOf(CorruptError);
    }
    // Fed byte by byte: growing prefixes, only the full input succeeds.
    let successes = 0;
    for (let n = 1; n <= compressed.length; n++) {
      const error = thrown(() => lzfDecompress(compressed.subarray(0, n), data.length));
      if (error === undefined) successes++;
      else expect(error).toBeInstanceOf(CorruptError);
    }
    expect(successes).toBe(1);
  });

  it('only ever throws CorruptError on random input and declared lengths (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: -2, max: 2000 }), (input, length) => {
        const error = thrown(() => lzfDecompress(input, length, { offset: 5 }));
        if (error !== undefined) expect(error).toBeInstanceOf(CorruptError);
        else expect(referenceDecompress(input)).toHaveLength(length);
      }),
      { numRuns: 3000 },
    );
  });

  it('only ever throws CorruptError on mutated compressed data (fuzz)', () => {
    fc.assert(
      fc.property(
        repetitive.filter((d) => d.length > 8),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: -3, max: 3 }),
        (data, edits, lengthDelta) => {
          const packed = lzfCompress(data, data.length + 100);
          if (packed === undefined) return;
          const mutated = packed.slice();
          for (const [at, value] of edits) mutated[at % mutated.length] = value;
          const error = thrown(() => lzfDecompress(mutated, data.length + lengthDelta));
          if (error !== undefined) {
            expect(error).toBeInstanceOf(RedbackError);
            expect(error).toBeInstanceOf(CorruptError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('lzfCompress', () => {
  it('round-trips through lzfDecompress and an independent reference decoder', () => {
    fc.assert(
      fc.property(anyData, (data) => {
        const packed = lzfCompress(data);
        if (packed === undefined) return;
        expect(packed.length).toBeLessThan(data.length);
        expect(lzfDecompress(packed, data.length)).toEqual(data);
        expect(Uint8Array.from(referenceDecompress(packed))).toEqual(data);
      }),
      { numRuns: 1500 },
    );
  });

  it('always produces valid LZF when allowed to be as large as needed', () => {
    fc.assert(
      fc.property(anyData.filter((d) => d.length > 0), (data) => {
        const packed = lzfCompress(data, data.length * 2 + 8);
        expect(packed).toBeDefined();
        expect(lzfDecompress(packed as Uint8Array, data.length)).toEqual(data);
      }),
      { numRuns: 500 },
    );
  });

  it('returns undefined for empty and incompressible input, and tests the output size as liblzf does', () => {
    expect(lzfCompress(new Uint8Array(0))).toBeUndefined();
    expect(lzfCompress(ascii('abcdefghijklmnopqrstuvwxyz'))).toBeUndefined();
    const easy = ascii('a'.repeat(200));
    const packed = lzfCompress(easy) as Uint8Array;
    expect(packed.length).toBeLessThan(12);
    // liblzf keeps slack: it refuses unless the next item and a new run's control byte fit before out_end.
    const smallest = Array.from({ length: 40 }, (_, n) => n).find((n) => lzfCompress(easy, n) !== undefined) as number;
    expect(smallest).toBeGreaterThan(packed.length);
    expect(lzfCompress(easy, smallest)).toEqual(packed);
    expect(lzfCompress(easy, smallest - 1)).toBeUndefined();
    expect(lzfCompress(easy, 0)).toBeUndefined();
    expect(lzfCompress(easy, Number.NaN)).toBeUndefined();
  });

  it('makes the choices of liblzf 3.6: the exact bytes for a few hand-checked inputs', () => {
    const hex = (data: Uint8Array | undefined): string => (data === undefined ? 'refused' : Buffer.from(data).toString('hex'));
    // 20 × 'a': position 1 finds position 0 but liblzf never references the first byte (ref > in_data), so
    // two literals; position 2 matches position 1 for 16 bytes (maxlen = 20 - 2 - 2), stored as 7 + 7;
    // the last two bytes are literals.
    expect(hex(lzfCompress(ascii('aaaaaaaaaaaaaaaaaaaa'), 100))).toBe('016161' + 'e00700' + '016161');
    // 'abcd' × 4: five literals (the 'abc' at 4 would reference position 0), then 9 bytes from 4 back.
    expect(hex(lzfCompress(ascii('abcdabcdabcdabcd'), 100))).toBe('046162636461' + 'e00003' + '016364');
  });

  it('with the pre-3.6 rule, still writes LZF that decompresses to the input', () => {
    fc.assert(
      fc.property(repetitive, (data) => {
        const now = lzfCompress(data, data.length + 64);
        const before = lzfCompress(data, data.length + 64, { beforeLiblzf36: true });
        if (data.length === 0) return;
        expect(lzfDecompress(before as Uint8Array, data.length)).toEqual(data);
        expect(lzfDecompress(now as Uint8Array, data.length)).toEqual(data);
      }),
      { numRuns: 300 },
    );
  });

  it('reaches back the full 8192 bytes and uses 264-byte references', () => {
    const block = new Uint8Array(8192);
    let x = 12345;
    for (let i = 0; i < block.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      block[i] = x >>> 24;
    }
    const data = new Uint8Array(8192 * 2);
    data.set(block, 0);
    data.set(block, 8192);
    const packed = lzfCompress(data) as Uint8Array;
    expect(packed).toBeDefined();
    // The second copy costs about 3 bytes per 264.
    expect(packed.length).toBeLessThan(8192 + 8192 / 32 + (8192 / 264) * 3 + 40);
    expect(lzfDecompress(packed, data.length)).toEqual(data);
  });

  it('keeps working across many calls (shared hash table generations)', () => {
    for (let i = 0; i < 300; i++) {
      const data = ascii(`key:${i % 7}:`.repeat(10 + (i % 13)));
      const packed = lzfCompress(data) as Uint8Array;
      expect(lzfDecompress(packed, data.length)).toEqual(data);
    }
  });
});

/** The LZF strings of an RDB (found through the reader's records): where, the compressed bytes, the original length. */
function lzfStringsOf(data: Uint8Array): { at: number; compressed: Uint8Array; length: number }[] {
  const out: { at: number; compressed: Uint8Array; length: number }[] = [];
  for (const record of readRdbAll(data)) {
    if (record.kind !== 'value' || record.chunk.type !== 'string' || data[record.offset] !== 0xc3) continue;
    const r = new ByteReader(data, { pos: record.offset + 1 });
    const compressedLength = readLength(r);
    const length = readLength(r);
    out.push({ at: record.offset, compressed: r.bytes(compressedLength), length });
  }
  return out;
}

describe('lzfCompress gives the bytes Redis wrote', () => {
  it('for the LZF string values of fixtures/redis-7.0-all-types.rdb (Redis 7.0.15)', () => {
    const data = new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb')));
    const strings = lzfStringsOf(data);
    expect(strings.length).toBeGreaterThan(0);
    for (const { at, compressed, length } of strings) {
      const original = lzfDecompress(compressed, length);
      // rdbSaveLzfStringObject: out_len = len - 4.
      expect(Buffer.from(lzfCompress(original, length - 4) as Uint8Array).toString('hex'), `string at ${at}`).toBe(Buffer.from(compressed).toString('hex'));
    }
  });
});

describePeer('lzf on a Redis 2.x file of the peer corpus', () => {
  it('decodes the LZF key of easily_compressible_string_key.rdb, and compresses it back to the same bytes', () => {
    const file = new Uint8Array(readFileSync(EASY_RDB));
    const expected = JSON.parse(readFileSync(EASY_JSON, 'utf8')) as { key: string; value: string }[];
    // REDIS0003, SELECTDB 0, type 0 (string), then the key with special encoding 0xC3 (LZF).
    expect(new TextDecoder().decode(file.subarray(0, 9))).toBe('REDIS0003');
    const at = file.indexOf(0xc3);
    expect(at).toBe(12);
    const r = new ByteReader(file, { pos: at + 1 });
    const compressedLength = readLength(r);
    const length = readLength(r);
    const compressed = r.bytes(compressedLength);
    const key = lzfDecompress(compressed, length, { file: EASY_RDB, offset: r.pos - compressedLength });
    expect(new TextDecoder().decode(key)).toBe(expected[0]?.key);
    expect(key.length).toBe(200);
    expect(lzfCompress(key, key.length - 4)).toEqual(compressed);
  });
});

describe('lzfValidate', () => {
  it('accepts exactly what lzfDecompress accepts, and fails with the same error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat({ max: 2000 }), (input, outputLength) => {
        const decompressError = thrown(() => lzfDecompress(input, outputLength, { file: 'f', offset: 100 }));
        const validateError = thrown(() => lzfValidate(input, outputLength, { file: 'f', offset: 100 }));
        expect(validateError === undefined).toBe(decompressError === undefined);
        if (decompressError) expect((validateError as Error).message).toBe((decompressError as Error).message);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts real compressed data at its length and refuses it at any other', () => {
    const text = new TextEncoder().encode('the quick brown fox jumps over the lazy dog '.repeat(40));
    const packed = lzfCompress(text) as Uint8Array;
    expect(() => lzfValidate(packed, text.length)).not.toThrow();
    expect(() => lzfValidate(packed, text.length - 1)).toThrow(CorruptError);
    expect(() => lzfValidate(packed, text.length + 1)).toThrow(CorruptError);
  });
});

describe('the WebAssembly LZF kernel', () => {
  it('is in use here (the JS walk stays the reference)', () => {
    expect(lzfBackend).toBe('wasm');
  });

  it('decompresses exactly what the JS walk decompresses, and fails where it fails', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat({ max: 3000 }), (input, outputLength) => {
        let reference: number[] | undefined;
        try {
          reference = referenceDecompress(input);
        } catch {
          reference = undefined;
        }
        const fast = lzfDecompressWasm(input, outputLength);
        if (reference !== undefined && reference.length === outputLength && outputLength > 0) {
          expect(fast === undefined ? undefined : [...fast]).toEqual(reference);
        } else if (outputLength > 0) {
          expect(fast).toBeUndefined();
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips compressed data of every shape, through lzfDecompress and lzfDecompressTransient', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(ascii('abcabcabcabc'), ascii('x'.repeat(300)), ascii('0123456789'))), {
          maxLength: 60,
        }),
        (pieces) => {
          const data = Uint8Array.from(pieces.flatMap((piece) => [...piece]));
          const packed = lzfCompress(data);
          if (packed === undefined) return;
          expect(lzfDecompress(packed, data.length)).toEqual(data);
          expect(new Uint8Array(lzfDecompressTransient(packed, data.length))).toEqual(data);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives the JS walk\'s error for bad data', () => {
    const error = thrown(() => lzfDecompressTransient(bytes(2, 0x61, 0x62), 3, { file: 'f', offset: 10 }));
    expect(error).toBeInstanceOf(CorruptError);
    expect((error as CorruptError).toLine()).toBe('f: offset 10: lzf: literal run of 3 bytes runs past the end of the compressed data');
  });
});

describe('LzfStream (a long string fed in pieces)', () => {
  /** Feeds `input` in pieces of the sizes `cuts` gives, as a parser would; returns the output or the error. */
  function stream(input: Uint8Array, outputLength: number, decompress: boolean, piece: (at: number) => number, pieceBytes = 300): { output: Uint8Array; error: unknown } {
    const parts: Uint8Array[] = [];
    try {
      const s = new LzfStream(input.length, outputLength, { file: 'f', offset: 1000 }, { decompress, pieceBytes });
      let available = 0;
      while (!s.done) {
        available = Math.min(input.length, Math.max(available, s.consumed + piece(s.consumed)));
        const n = s.feed(input, s.consumed, available);
        if (n === 0) {
          if (available === input.length) throw new Error('no progress with every byte fed');
          available = Math.min(input.length, available + s.wanted);
          continue;
        }
        if (decompress) {
          expect(s.output.length).toBeLessThanOrEqual(300);
          parts.push(s.output.slice());
        }
      }
      const output = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
      let at = 0;
      for (const p of parts) {
        output.set(p, at);
        at += p.length;
      }
      return { output, error: undefined };
    } catch (error) {
      return { output: new Uint8Array(0), error };
    }
  }

  it('decompresses what lzfDecompress does, whatever the pieces, and validates the same', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20_000 }), fc.integer({ min: 1, max: 5000 }), fc.boolean(), (raw, step, repetitive) => {
        const data = repetitive ? raw.map((b, i) => (i % 97 < 60 ? raw[i % 41] as number : b)) : raw;
        const compressed = lzfCompress(data, data.length + 64);
        if (!compressed) return;
        const whole = stream(compressed, data.length, true, () => step);
        expect(whole.error).toBeUndefined();
        expect(Buffer.compare(whole.output, data)).toBe(0);
        expect(stream(compressed, data.length, false, () => step).error).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('fails as lzfDecompress fails on damaged data and wrong lengths, with the same message and offset', () => {
    const data = ascii('abcabcabcabc-'.repeat(2000) + 'tail'.repeat(100));
    const compressed = lzfCompress(data) as Uint8Array;
    for (let i = 0; i < 400; i++) {
      const copy = compressed.slice();
      const at = (i * 7919) % copy.length;
      copy[at] = (copy[at] as number) ^ (1 + (i % 255));
      const length = i % 10 === 0 ? data.length + (i % 3) - 1 : data.length;
      const expected = thrown(() => lzfDecompress(copy, length, { file: 'f', offset: 1000 }));
      for (const decompress of [true, false]) {
        const { error } = stream(copy, length, decompress, (c) => 1 + ((c * 31) % 700));
        expect((error as Error | undefined)?.message, `byte ${at}, length ${length}`).toBe((expected as Error | undefined)?.message);
      }
    }
  });
});
