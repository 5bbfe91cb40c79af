// cspell:words lzf unixsocket dbfilename appendonly redback sripathikrishnan ababa DBSIZE GETRANGE xxtail abcabcabcabc
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LzfStream, lzfCompress, lzfDecompress, lzfDecompressTransient, lzfValidate } from '../../src/codecs/lzf.js';
import { lzfBackend, lzfDecompressWasm } from '../../src/codecs/lzf-wasm.js';
import { crc64 } from '../../src/codecs/crc64.js';
import { CorruptError, RedbackError } from '../../src/errors.js';
import { PEER_DIR } from '../support/paths.js';

const FIXTURES = PEER_DIR;
const EASY_RDB = `${FIXTURES}/sripathikrishnan__redis-rdb-tools/tests/dumps/easily_compressible_string_key.rdb`;
const EASY_JSON = `${FIXTURES}/HDT3213__rdb/cases/easily_compressible_string_key.json`;

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
  it('decodes the LZF key Redis wrote in easily_compressible_string_key.rdb', () => {
    if (!existsSync(EASY_RDB) || !existsSync(EASY_JSON)) {
      console.warn(`skipped: ${EASY_RDB} not present`);
      return;
    }
    const file = new Uint8Array(readFileSync(EASY_RDB));
    const expected = JSON.parse(readFileSync(EASY_JSON, 'utf8')) as { key: string; value: string }[];
    // REDIS0003, SELECTDB 0, type 0 (string), then the key with special encoding 0xC3 (LZF).
    expect(new TextDecoder().decode(file.subarray(0, 9))).toBe('REDIS0003');
    const at = file.indexOf(0xc3);
    expect(at).toBe(12);
    const readLength = (p: number): [number, number] => {
      const b = file[p] as number;
      if (b >> 6 === 0) return [b & 63, p + 1];
      if (b >> 6 === 1) return [((b & 63) << 8) | (file[p + 1] as number), p + 2];
      throw new Error('unexpected length encoding in fixture');
    };
    const [compressedLength, p1] = readLength(at + 1);
    const [length, p2] = readLength(p1);
    const key = lzfDecompress(file.subarray(p2, p2 + compressedLength), length, { file: EASY_RDB, offset: p2 });
    expect(new TextDecoder().decode(key)).toBe(expected[0]?.key);
    expect(key.length).toBe(200);
  });

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

  it('returns undefined for empty and incompressible input, and honours maxLength', () => {
    expect(lzfCompress(new Uint8Array(0))).toBeUndefined();
    expect(lzfCompress(ascii('abcdefghijklmnopqrstuvwxyz'))).toBeUndefined();
    const easy = ascii('a'.repeat(200));
    const packed = lzfCompress(easy) as Uint8Array;
    expect(packed.length).toBeLessThan(12);
    expect(lzfCompress(easy, packed.length)).toEqual(packed);
    expect(lzfCompress(easy, packed.length - 1)).toBeUndefined();
    expect(lzfCompress(easy, 0)).toBeUndefined();
    expect(lzfCompress(easy, Number.NaN)).toBeUndefined();
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

// ---------------------------------------------------------------------------------------------------
// Interoperability with the real Redis binaries (skipped, with a message, when they are not installed).

function hasCommand(command: string): boolean {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

function rdbLength(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 0xff];
  return [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** A version 9 RDB with string keys in db 0; values LZF-compressed by lzfCompress when it can. */
function buildRdb(entries: [string, Uint8Array][]): { file: Uint8Array; compressed: number } {
  const out: number[] = [...ascii('REDIS0009'), 0xfe, 0x00];
  let compressed = 0;
  for (const [key, value] of entries) {
    const k = ascii(key);
    out.push(0x00, ...rdbLength(k.length), ...k);
    const packed = value.length > 20 ? lzfCompress(value, value.length - 4) : undefined;
    if (packed === undefined) {
      out.push(...rdbLength(value.length), ...value);
    } else {
      compressed++;
      out.push(0xc3, ...rdbLength(packed.length), ...rdbLength(value.length), ...packed);
    }
  }
  out.push(0xff);
  const body = Uint8Array.from(out);
  const file = new Uint8Array(body.length + 8);
  file.set(body);
  new DataView(file.buffer).setBigUint64(body.length, crc64(body), true);
  return { file, compressed };
}

const haveRedis = hasCommand('redis-server') && hasCommand('redis-cli') && hasCommand('redis-check-rdb');
if (!haveRedis) console.warn('lzf.test: redis-server/redis-cli/redis-check-rdb not installed; skipping Redis interop tests');

describe.skipIf(!haveRedis)('Redis reads what lzfCompress and crc64 write', () => {
  it('redis-server loads an RDB of LZF strings and returns the original values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redback-lzf-'));
    try {
      const entries: [string, Uint8Array][] = [];
      const words = ['redis', 'back', 'key', 'value', 'compress', 'lzf', '0123456789', ':'];
      let seed = 42;
      for (let i = 0; i < 40; i++) {
        let text = '';
        const n = 5 + ((i * 37) % 400);
        while (text.length < n) {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          text += words[(seed >>> 16) % words.length] as string;
        }
        entries.push([`k${i}`, ascii(text)]);
      }
      entries.push(['big', ascii('x'.repeat(100_000) + 'tail')]);
      const { file, compressed } = buildRdb(entries);
      expect(compressed).toBeGreaterThan(30);
      const path = join(dir, 'dump.rdb');
      writeFileSync(path, file);

      const check = spawnSync('redis-check-rdb', [path], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);

      // A wrong checksum is noticed by Redis too: the trailer really is Redis's CRC-64.
      const bad = file.slice();
      bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
      writeFileSync(join(dir, 'bad.rdb'), bad);
      const badCheck = spawnSync('redis-check-rdb', [join(dir, 'bad.rdb')], { encoding: 'utf8' });
      expect(badCheck.status).not.toBe(0);

      const socket = join(dir, 'redis.sock');
      const server = spawn(
        'redis-server',
        ['--port', '0', '--unixsocket', socket, '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      try {
        const cli = (...args: string[]): string =>
          spawnSync('redis-cli', ['-s', socket, ...args], { encoding: 'latin1' }).stdout.replace(/\n$/, '');
        let up = false;
        for (let i = 0; i < 200 && !up; i++) {
          if (existsSync(socket) && cli('PING') === 'PONG') up = true;
          else await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(up).toBe(true);
        expect(cli('DBSIZE')).toBe(String(entries.length));
        for (const [key, value] of entries.slice(0, 40)) expect(cli('GET', key)).toBe(new TextDecoder().decode(value));
        expect(cli('STRLEN', 'big')).toBe('100004');
        expect(cli('GETRANGE', 'big', '99998', '-1')).toBe('xxtail');
      } finally {
        server.kill('SIGKILL');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
