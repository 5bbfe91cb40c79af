/**
 * Values longer than the reader's pieces and keys bigger than the duplicate check's memory budget, on RDBs
 * built here byte by byte (with a real CRC64): a long string is read in pieces, raw or LZF, validated or
 * decompressed; a huge plain set, hash or zset spills its duplicate check to a temporary file and still
 * finds the duplicate an in-memory check finds, at the same offset, with the same message; the spill file
 * is never visible in its directory and is released however the read ends.
 */
// cspell:words ZADD zset
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChunkedInput, bufferSource } from '../../src/bytes/input.js';
import { crc64 } from '../../src/codecs/crc64.js';
import { fileSource } from '../../src/io/file-source.js';
import { lzfCompress } from '../../src/codecs/lzf.js';
import type { AnyRdbRecord, RdbRecord } from '../../src/rdb/model.js';
import type { RdbParserOptions } from '../../src/rdb/parser.js';
import { readRdb, readRdbSync } from '../../src/rdb/reader.js';
import { collectKeys, sameValue } from '../support/rdb-collect.js';
import { concat } from '../support/bytes.js';

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** An RDB length. */
function length(n: number): Uint8Array {
  if (n < 64) return Uint8Array.of(n);
  if (n < 16384) return Uint8Array.of(0x40 | (n >> 8), n & 0xff);
  return Uint8Array.of(0x80, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** A plain RDB string. */
function string(bytes: Uint8Array): Uint8Array {
  return concat([length(bytes.length), bytes]);
}

/** An LZF-encoded RDB string. */
function lzfString(bytes: Uint8Array): Uint8Array {
  const compressed = lzfCompress(bytes);
  if (!compressed) throw new Error('incompressible');
  return concat([Uint8Array.of(0xc3), length(compressed.length), length(bytes.length), compressed]);
}

/** A version 9 RDB of the given key records, with its CRC64. */
function rdb(...keys: Uint8Array[]): Uint8Array {
  const body = concat([latin1('REDIS0009'), Uint8Array.of(0xfe, 0), ...keys, Uint8Array.of(0xff)]);
  const crc = crc64(body);
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setBigUint64(0, crc, true);
  return concat([body, trailer]);
}

function key(type: number, name: string, ...value: Uint8Array[]): Uint8Array {
  return concat([Uint8Array.of(type), string(latin1(name)), ...value]);
}

/** Deterministic pseudo-random bytes. */
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

/** Text that LZF compresses well. */
function text(n: number): Uint8Array {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `line ${i % 97} status=ok latency=${(i * 7) % 13}ms;`;
  return latin1(s.slice(0, n));
}

type Outcome = { records: AnyRdbRecord[]; error: string | undefined };

function readSync(data: Uint8Array, options: RdbParserOptions = {}): Outcome {
  const records: AnyRdbRecord[] = [];
  try {
    for (const record of readRdbSync(data, { file: 'f', ...options })) records.push(record);
    return { records, error: undefined };
  } catch (error) {
    return { records, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

async function readStreaming(data: Uint8Array, options: RdbParserOptions & { readSize?: number } = {}): Promise<Outcome> {
  const { readSize, ...rest } = options;
  const input = new ChunkedInput(bufferSource(data, 'f'), readSize ?? 4096, { reuseBuffer: rest.materialize === false });
  const records: AnyRdbRecord[] = [];
  try {
    for await (const record of readRdb(input, { file: 'f', ...rest })) records.push(record);
    return { records, error: undefined };
  } catch (error) {
    return { records, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

const keyEnds = (outcome: Outcome): unknown[] =>
  outcome.records.filter((r) => r.kind === 'key-end').map((r) => (r.kind === 'key-end' ? [r.keyOffset, r.type, r.elements, r.encodedBytes] : undefined));

describe('a string value longer than the piece size', () => {
  const raw = noise(100_000, 7);
  const packed = text(200_000);
  const file = rdb(key(0, 'raw', string(raw)), key(0, 'packed', lzfString(packed)), key(0, 'small', string(latin1('tiny'))));

  it('arrives as consecutive chunks of at most the piece size that join into the value, raw and LZF', () => {
    const { records, error } = readSync(file, { stringPieceBytes: 4096 });
    expect(error).toBeUndefined();
    const chunks = records.filter((r) => r.kind === 'value');
    expect(chunks.length).toBeGreaterThan(Math.ceil(100_000 / 4096) + Math.ceil(200_000 / 4096) - 1);
    for (const r of chunks) if (r.kind === 'value' && r.chunk.type === 'string') expect(r.chunk.value.length).toBeLessThanOrEqual(4096);
    // Chunks tile the value: each starts where the previous one ended.
    for (let i = 1; i < records.length; i++) {
      const [before, record] = [records[i - 1] as AnyRdbRecord, records[i] as AnyRdbRecord];
      if (record.kind === 'value' && before.kind === 'value') expect(record.offset).toBe(before.offset + before.length);
    }
    const keys = collectKeys(records as RdbRecord[]);
    expect(
      sameValue(
        keys.map((k) => k.value),
        [
          { type: 'string', value: raw },
          { type: 'string', value: packed },
          { type: 'string', value: latin1('tiny') },
        ],
      ),
    ).toBe(true);
    expect(sameValue(keys, collectKeys(readSync(file).records as RdbRecord[]))).toBe(true);
    expect(records.at(-1)).toMatchObject({ kind: 'eof', checksum: 'ok' });
  });

  it('is read the same by the check reader, the streaming reader and the whole-buffer reader', async () => {
    const reference = keyEnds(readSync(file));
    for (const options of [{ stringPieceBytes: 4096 }, { stringPieceBytes: 4096, materialize: false }, { materialize: false }]) {
      expect(keyEnds(readSync(file, options)), JSON.stringify(options)).toEqual(reference);
      const streamed = await readStreaming(file, { ...options, readSize: 1000 });
      expect(streamed.error).toBeUndefined();
      expect(keyEnds(streamed), JSON.stringify(options)).toEqual(reference);
    }
    const streamed = await readStreaming(file, { stringPieceBytes: 4096, readSize: 777 });
    expect(sameValue(collectKeys(streamed.records as RdbRecord[]), collectKeys(readSync(file).records as RdbRecord[]))).toBe(true);
  });

  it('from a file, with the CRC left to someone else, the rest of a raw string is passed over unread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redback-long-'));
    try {
      const path = join(dir, 'long.rdb');
      writeFileSync(path, file);
      let delivered = 0;
      const read = async (data: Uint8Array): Promise<Outcome> => {
        writeFileSync(path, data);
        const source = await fileSource(path, 'f');
        const readInto = source.readInto.bind(source);
        source.readInto = async (target, offset, length) => {
          const n = await readInto(target, offset, length);
          delivered += n;
          return n;
        };
        const input = new ChunkedInput(source, 4096, { reuseBuffer: true });
        const records: AnyRdbRecord[] = [];
        try {
          for await (const record of readRdb(input, { file: 'f', materialize: false, verifyChecksum: false, stringPieceBytes: 4096 })) records.push(record);
          return { records, error: undefined };
        } catch (error) {
          return { records, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
        } finally {
          await input.close();
        }
      };
      const whole = await read(file);
      expect(whole.error).toBeUndefined();
      expect(delivered).toBeLessThan(file.length - 90_000);
      expect(keyEnds(whole)).toEqual(keyEnds(readSync(file)));
      for (const at of [5000, 100_020, 100_040]) {
        expect((await read(file.subarray(0, at))).error, `cut at ${at}`).toBe(readSync(file.subarray(0, at)).error);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cut anywhere: the same error as when it is read whole', async () => {
    for (const at of [40, 41, 5000, 50_000, 100_020, 100_040, 100_100, 120_000, file.length - 40]) {
      const cut = file.subarray(0, at);
      const whole = readSync(cut).error;
      expect(whole, `cut at ${at}`).toMatch(/TruncatedError/);
      expect(readSync(cut, { stringPieceBytes: 4096 }).error, `cut at ${at}`).toBe(whole);
      expect(readSync(cut, { stringPieceBytes: 4096, materialize: false }).error, `cut at ${at}`).toBe(whole);
      expect((await readStreaming(cut, { stringPieceBytes: 4096, materialize: false })).error, `cut at ${at}`).toBe(whole);
    }
  });

  it('with damaged LZF data: the error the whole decompression reports, at the same offset', () => {
    const start = file.indexOf(0xc3);
    let differing = 0;
    for (let i = 0; i < 300; i++) {
      const copy = file.slice();
      const at = start + 1 + ((i * 7919) % (file.length - start - 60));
      copy[at] = (copy[at] as number) ^ (1 + (i % 255));
      const whole = readSync(copy).error;
      if (whole !== undefined && !whole.includes('checksum')) differing++;
      expect(readSync(copy, { stringPieceBytes: 4096 }).error, `byte ${at}`).toBe(whole);
      expect(readSync(copy, { stringPieceBytes: 4096, materialize: false }).error, `byte ${at}`).toBe(whole);
    }
    expect(differing).toBeGreaterThan(30);
  });
});

describe('the duplicate check of a key bigger than its memory budget', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'redback-spill-test-'));
    dirs.push(dir);
    return dir;
  };

  /** A copy of `file` where the length byte of the string `member` says "special encoding 7" (unknown). */
  function corrupt(file: Uint8Array, member: Uint8Array): Uint8Array {
    const at = Buffer.from(file).indexOf(Buffer.from(member));
    if (at < 1) throw new Error('member not found');
    const copy = file.slice();
    copy[at - 1] = 0xc7;
    return copy;
  }
  const members = (n: number, prefix: string): Uint8Array[] => Array.from({ length: n }, (_, i) => latin1(`${prefix}:${i}:${'x'.repeat(i % 23)}`));
  /** A plain set (type 2), hash (4) or zset (3, ASCII scores) of the given members. */
  function collection(type: 2 | 3 | 4, name: string, items: Uint8Array[]): Uint8Array {
    const parts = items.map((item, i) => (type === 2 ? string(item) : type === 4 ? concat([string(item), string(latin1(`v${i}`))]) : concat([string(item), Uint8Array.of(1, 0x31)])));
    return key(type, name, length(items.length), ...parts);
  }

  it('finds every duplicate an in-memory check finds, at the same offset, and accepts the key without one', () => {
    const budget = 64 * 1024;
    for (const type of [2, 3, 4] as const) {
      const clean = members(20_000, `m${type}`);
      const file = rdb(collection(type, 'k', clean), key(0, 'after', string(latin1('v'))));
      expect(readSync(file, { duplicateCheckBytes: budget, materialize: false }).error).toBeUndefined();
      expect(keyEnds(readSync(file, { duplicateCheckBytes: budget, materialize: false }))).toEqual(keyEnds(readSync(file)));
      for (const [first, second] of [[0, 19_999], [5, 6], [3, 12_000]] as const) {
        const items = clean.slice();
        items[second] = items[first] as Uint8Array;
        const dup = rdb(collection(type, 'k', items));
        const inMemory = readSync(dup).error;
        expect(inMemory, `type ${type}: ${first}/${second}`).toMatch(/duplicate (set members|hash fields|zset members) detected/);
        expect(readSync(dup, { duplicateCheckBytes: budget }).error).toBe(inMemory);
        expect(readSync(dup, { duplicateCheckBytes: budget, materialize: false, tempDir: tempDir() }).error).toBe(inMemory);
        expect(readSync(dup, { duplicateCheckBytes: 4096, materialize: false }).error).toBe(inMemory);
      }
    }
  });

  it('reports a duplicate found before a later error first, as an in-memory check would', async () => {
    const items = members(20_000, 'm');
    items[15_000] = items[10] as Uint8Array;
    items[19_000] = latin1('the member to corrupt');
    const file = rdb(collection(2, 'k', items));
    const inMemory = readSync(file).error;
    expect(inMemory).toMatch(/duplicate set members detected/);
    // Truncated after the duplicate.
    const cut = file.subarray(0, file.length - 5000);
    expect(readSync(cut).error).toBe(inMemory);
    expect(readSync(cut, { duplicateCheckBytes: 4096, materialize: false }).error).toBe(inMemory);
    expect((await readStreaming(cut, { duplicateCheckBytes: 4096, materialize: false })).error).toBe(inMemory);
    // An unknown string encoding after the duplicate.
    const bad = corrupt(file, items[19_000] as Uint8Array);
    const badError = readSync(bad).error;
    expect(badError).toBe(inMemory);
    expect(readSync(bad, { duplicateCheckBytes: 4096, materialize: false }).error).toBe(inMemory);
    // Cut before the duplicate: the truncation stands.
    const early = file.subarray(0, file.length - 200_000);
    expect(readSync(early, { duplicateCheckBytes: 4096, materialize: false }).error).toBe(readSync(early).error);
    expect(readSync(early).error).toMatch(/TruncatedError/);
  });

  it('keeps no file in its directory while it spills, and releases it however the read ends', async () => {
    const dir = tempDir();
    const openFiles = (): number => readdirSync('/proc/self/fd').length;
    const before = process.platform === 'linux' ? openFiles() : 0;
    // 50,000 members of about 100 bytes: more than the buffers of the parts, so blocks go to the file.
    const items = members(50_000, `big${'y'.repeat(80)}`);
    items[49_000] = latin1('the member to corrupt');
    const file = rdb(collection(4, 'k', items));
    let spilling = 0;
    const options = { duplicateCheckBytes: 4096, materialize: false, tempDir: dir } as const;
    for (const record of readRdbSync(file, options)) {
      if (record.kind === 'key-end') {
        spilling++;
        expect(readdirSync(dir)).toEqual([]);
        if (process.platform === 'linux') expect(openFiles()).toBe(before + 1);
      }
    }
    expect(spilling).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    // Stopped in the middle of the key (the consumer breaks out), then a corrupt file, then a truncated one.
    for await (const record of readRdb(new ChunkedInput(bufferSource(file), 4096), { ...options, recordsPerBatch: 1 })) {
      if (record.kind === 'key') break;
    }
    const bad = corrupt(file, items[49_000] as Uint8Array);
    expect(readSync(bad, options).error).toMatch(/unknown string encoding/);
    expect((await readStreaming(file.subarray(0, file.length - 100), options)).error).toMatch(/TruncatedError/);
    expect(readdirSync(dir)).toEqual([]);
    if (process.platform === 'linux') expect(openFiles()).toBe(before);
  });
});
