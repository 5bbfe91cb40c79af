/**
 * The RDB reader on broken input: the in-repo files (fixtures/ and the generated files, which hold every
 * type and encoding) and, with ../shared, a dozen varied peer files, cut short at every offset and with
 * every byte changed, plus seeded random bytes after a valid header. Whatever the bytes, the reader must either read
 * to the EOF record or throw one of our own errors (RedbackError subclasses), never a TypeError, a
 * RangeError or anything else, never hang, and never accept a file cut before its EOF opcode.
 */
// cspell:words ziplist zipmap intset listpack quicklist listoacks
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkedInput, bufferSource, iterableSource } from '../../src/bytes/input.js';
import { CorruptError, RedbackError, TruncatedError } from '../../src/errors.js';
import type { RdbRecord } from '../../src/rdb/model.js';
import { readRdb, readRdbAll } from '../../src/rdb/reader.js';
import type { RdbReadOptions } from '../../src/rdb/reader.js';
import { ByteWriter } from '../../src/bytes/writer.js';
import { RdbOpcode } from '../../src/rdb/constants.js';
import { writeHeader, writeLength, writeString, writeLzfString } from '../../src/rdb/primitives.js';
import { encodeListpack } from '../../src/rdb/listpack.js';
import { encodeStreamListpack } from '../../src/rdb/stream-listpack.js';
import { encodeZipmap } from '../../src/rdb/zipmap.js';
import { lzfCompress } from '../../src/codecs/lzf.js';
import { collectRecords } from '../support/rdb-collect.js';
import { concat } from '../support/bytes.js';
import { inRepoRdbs } from '../support/generated-rdbs.js';
import { HAVE_PEER, describePeer, loadPeer } from '../support/prerequisites.js';
import { writeRdb } from '../support/rdb-writer.js';

/** The in-repo files: fixtures/ (Redis 7.0) and the generated files. */
const IN_REPO = new Map(inRepoRdbs().map((f) => [f.name, f.data]));

/** Peer files chosen to cover the encodings, opcodes and RDB versions (smallest copy of each content). */
const PEER_FILES = [
  'redis__redis/tests/assets/encodings.rdb', // v4: LZF, int strings, zipmap-era ziplists, intsets, linked lists, zset v1
  'HDT3213__rdb/cases/parser_filters.rdb', // v2: every type of the oldest version, zipmaps
  'HDT3213__rdb/cases/zipmap_that_compresses_easily.rdb', // LZF-compressed zipmap
  'HDT3213__rdb/cases/listpack.rdb', // v10: quicklist-v2, listpack zset and hash, listpack integers
  'HDT3213__rdb/cases/hash_with_hfe.rdb', // v12 type 24: field TTLs relative to a minimum
  'HDT3213__rdb/cases/hash_as_listpack_with_hfe.rdb', // v12 type 25
  'HDT3213__rdb/cases/valkey_hash2_with_hfe.rdb', // VALKEY080 type 22
  'HDT3213__rdb/cases/stream_listoacks_3.rdb', // stream type 21 with a group
  'sripathikrishnan__redis-rdb-tools/tests/dumps/redis_50_with_streams.rdb', // v9: stream type 15, quicklist, intsets
  'leonchen83__redis-replicator/src/test/resources/dumpV11.rdb', // set listpack, stream with 6 groups
  'leonchen83__redis-replicator/src/test/resources/dump-module-2.rdb', // module value, LRU idle
  'leonchen83__redis-replicator/src/test/resources/function.rdb', // pre-GA function records
  'leonchen83__redis-replicator/src/test/resources/dump-slot.rdb', // SLOT_INFO
  'sripathikrishnan__redis-rdb-tools/tests/dumps/redis_60_with_module_aux.rdb', // MODULE_AUX
  'HDT3213__rdb/cases/memory.rdb', // 2.4 KiB, v9 mix
  'HDT3213__rdb/cases/stream_listpacks_1.rdb', // 5.4 KiB: streams with deleted entries and groups
  'leonchen83__redis-replicator/src/test/resources/dump-ttlhash.rdb', // 12 KiB: big type 24 hash
  'HDT3213__rdb/cases/regular_sorted_set.rdb', // 33 KiB: zset v1 with ASCII scores
];

const EVERY_TRUNCATION_MAX = 4 * 1024;
/** Files up to this size get every byte changed; larger ones SAMPLES spread positions. */
const EVERY_FLIP_MAX = 2 * 1024;
/** The same for the in-repo files: they are many and cover the encodings, 300 positions each keeps the unit run short. */
const EVERY_FLIP_MAX_IN_REPO = 1024;
const SAMPLES = 300;

function load(name: string): Uint8Array {
  return IN_REPO.get(name) ?? loadPeer(name);
}

/** End of the EOF record (opcode and checksum): every shorter prefix is a truncated file. */
function rdbEnd(data: Uint8Array): number {
  const eof = readRdbAll(data).at(-1);
  if (eof?.kind !== 'eof') throw new Error('no EOF record');
  return eof.offset + eof.length;
}

/** Every position below `length`, or `count` of them spread evenly (always including the first and last). */
function positions(length: number, everyBelow: number, count = SAMPLES): number[] {
  if (length <= everyBelow || length <= count) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - 1)) / (count - 1)));
}

type Outcome = { ok: true; records: RdbRecord[] } | { ok: false; error: unknown };

function attempt(data: Uint8Array, options: RdbReadOptions = {}): Outcome {
  try {
    return { ok: true, records: readRdbAll(data, options) as RdbRecord[] };
  } catch (error) {
    return { ok: false, error };
  }
}

async function attemptAsync(input: ChunkedInput, options: RdbReadOptions = {}): Promise<Outcome> {
  try {
    return { ok: true, records: (await collectRecords(readRdb(input, options))) as RdbRecord[] };
  } catch (error) {
    return { ok: false, error };
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message}`;
  return String(error);
}

/** A message for a foreign error: what it was, where the stack points. */
function foreign(error: unknown, what: string): string {
  const stack = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 4).join(' | ') : '';
  return `${what}: ${describeError(error)} ${stack}`;
}

/**
 * Whether the streaming reader's error matches the sync reader's: same class, offset and detail, except
 * that a TruncatedError's count of bytes left is not compared here (see "stale truncation errors" below,
 * which pins that difference down on its own).
 */
function sameError(a: RedbackError, b: RedbackError): boolean {
  const withoutLeft = (e: RedbackError): string => (e instanceof TruncatedError ? e.detail.replace(/, \d+ left$/, '') : e.detail);
  return a.constructor === b.constructor && a.offset === b.offset && withoutLeft(a) === withoutLeft(b);
}

/** An async input that delivers the data in chunks of `size` bytes. */
function chunkedInput(data: Uint8Array, size: number): ChunkedInput {
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  }
  return new ChunkedInput(iterableSource(generate(), '<chunks>'), size);
}

function truncatedFiles(FILES: string[]): void {
  it.each(FILES)('%s: every prefix before the EOF record is rejected as truncated or corrupt', { timeout: 30_000 }, (name) => {
    const data = load(name);
    const end = rdbEnd(data);
    expect(end).toBe(data.length);
    const problems: string[] = [];
    for (const length of positions(end, EVERY_TRUNCATION_MAX)) {
      const outcome = attempt(data.subarray(0, length), { file: name });
      if (outcome.ok) {
        problems.push(`prefix of ${length} bytes read without error`);
      } else if (!(outcome.error instanceof TruncatedError || outcome.error instanceof CorruptError)) {
        problems.push(foreign(outcome.error, `prefix of ${length} bytes`));
      } else if (outcome.error instanceof TruncatedError) {
        const error = outcome.error;
        // A cut file runs out where the cut is: the read that failed started at `offset` and found the rest.
        if (error.offset === undefined || error.offset + error.available !== length || error.needed <= error.available) {
          problems.push(`prefix of ${length} bytes: ${describeError(error)} (offset ${error.offset}, needed ${error.needed}, available ${error.available})`);
        }
        if (error.file !== name) problems.push(`prefix of ${length} bytes: error names file ${error.file}`);
      }
      if (problems.length >= 5) break;
    }
    expect(problems).toEqual([]);
  });

  it.each(FILES)('%s: the streaming reader rejects prefixes the same way', { timeout: 30_000 }, async (name) => {
    const data = load(name);
    const end = rdbEnd(data);
    const problems: string[] = [];
    for (const length of positions(end, 0, 40)) {
      const prefix = data.subarray(0, length);
      const sync = attempt(prefix);
      const streamed = await attemptAsync(chunkedInput(prefix, 7));
      const whole = await attemptAsync(new ChunkedInput(bufferSource(prefix)));
      for (const [how, outcome] of [
        ['7-byte chunks', streamed],
        ['one read', whole],
      ] as const) {
        if (outcome.ok || sync.ok) {
          problems.push(`prefix of ${length} bytes (${how}): read without error`);
          continue;
        }
        if (!(outcome.error instanceof RedbackError)) {
          problems.push(foreign(outcome.error, `prefix of ${length} bytes (${how})`));
          continue;
        }
        const a = sync.error as RedbackError;
        const b = outcome.error;
        if (!sameError(a, b)) problems.push(`prefix of ${length} bytes (${how}): sync ${describeError(a)} / async ${describeError(b)}`);
      }
      if (problems.length >= 5) break;
    }
    expect(problems).toEqual([]);
  });
}

describe('truncated in-repo files', () => truncatedFiles([...IN_REPO.keys()]));
describePeer('truncated peer files', () => truncatedFiles(PEER_FILES));

function changedFiles(FILES: string[], everyFlipMax: number): void {
  const MASKS = [0xff, 0x01, 0x80, 0x3c];

  /** Outcomes of every changed byte of a file (cached: two tests look at them). */
  const flipCache = new Map<string, { at: number; mask: number; deep: boolean; outcome: Outcome }[]>();
  function flips(name: string): { at: number; mask: number; deep: boolean; outcome: Outcome }[] {
    let result = flipCache.get(name);
    if (result) return result;
    result = [];
    const data = load(name);
    const copy = Uint8Array.from(data);
    for (const at of positions(data.length, everyFlipMax)) {
      for (const mask of MASKS) {
        copy[at] = (data[at] as number) ^ mask;
        for (const deep of [true, false]) result.push({ at, mask, deep, outcome: attempt(copy, { file: name, deep }) });
      }
      copy[at] = data[at] as number;
    }
    flipCache.set(name, result);
    return result;
  }
  const flipName = (f: { at: number; mask: number; deep: boolean }): string => `byte ${f.at} ^ 0x${f.mask.toString(16)}${f.deep ? '' : ' (deep: false)'}`;

  it.each(FILES)('%s: every changed byte reads or throws our error', { timeout: 60_000 }, (name) => {
    const data = load(name);
    const problems: string[] = [];
    let acceptedAfterHeader = 0;
    for (const flip of flips(name)) {
      const { outcome } = flip;
      if (outcome.ok) {
        if (outcome.records.at(-1)?.kind !== 'eof') problems.push(`${flipName(flip)}: read ended without an EOF record`);
        if (flip.at >= 9) acceptedAfterHeader++;
      } else if (!(outcome.error instanceof RedbackError)) {
        problems.push(foreign(outcome.error, flipName(flip)));
      }
      if (problems.length >= 5) break;
    }
    expect(problems).toEqual([]);
    // With a CRC64 trailer (version 5 and later, unless written with `rdbchecksum no`), a changed byte after
    // the header is always caught. (A changed version digit can make the file an older version without a
    // checksum, and that may read.)
    const eof = readRdbAll(data).at(-1);
    if (eof?.kind === 'eof' && eof.checksum === 'ok') expect(acceptedAfterHeader).toBe(0);
    else expect(eof?.kind === 'eof' && ['absent', 'disabled'].includes(eof.checksum)).toBe(true);
  });

  it('errors on changed bytes give an offset inside the file', { timeout: 60_000 }, () => {
    const problems: string[] = [];
    for (const name of FILES) {
      const data = load(name);
      let reported = 0;
      for (const flip of flips(name)) {
        if (flip.outcome.ok || !(flip.outcome.error instanceof RedbackError)) continue;
        const error = flip.outcome.error;
        if (error.offset !== undefined && (error.offset < 0 || error.offset > data.length) && reported < 2) {
          reported++;
          problems.push(`${name} (${data.length} bytes) ${flipName(flip)}: ${describeError(error)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(FILES.filter((name) => !name.includes('regular_sorted_set')))(
    '%s: the streaming reader agrees with the sync reader on changed bytes',
    { timeout: 60_000 },
    async (name) => {
      const data = load(name);
      const problems: string[] = [];
      const copy = Uint8Array.from(data);
      for (const at of positions(data.length, 0, 60)) {
        copy[at] = (data[at] as number) ^ 0xff;
        const sync = attempt(copy, { verifyChecksum: false });
        const streamed = await attemptAsync(chunkedInput(copy, 5), { verifyChecksum: false });
        copy[at] = data[at] as number;
        if (!streamed.ok && !(streamed.error instanceof RedbackError)) {
          problems.push(foreign(streamed.error, `byte ${at} (async)`));
        } else if (sync.ok !== streamed.ok) {
          problems.push(`byte ${at}: sync ${sync.ok ? 'reads' : describeError(sync.error)}, async ${streamed.ok ? 'reads' : describeError(streamed.error)}`);
        } else if (!sync.ok && !streamed.ok) {
          const a = sync.error as RedbackError;
          const b = streamed.error as RedbackError;
          if (!sameError(a, b)) problems.push(`byte ${at}: sync ${describeError(a)} / async ${describeError(b)}`);
        }
        if (problems.length >= 5) break;
      }
      expect(problems).toEqual([]);
    },
  );
}

describe('in-repo files with one byte changed', () => changedFiles([...IN_REPO.keys()], EVERY_FLIP_MAX_IN_REPO));
describePeer('peer files with one byte changed', () => changedFiles(PEER_FILES, EVERY_FLIP_MAX));

/** The error the sync reader throws on `data` (which must fail with one of ours). */
function errorOf(data: Uint8Array, file: string): RedbackError {
  const outcome = attempt(data, { file });
  if (outcome.ok || !(outcome.error instanceof RedbackError)) throw new Error(`expected our error, got ${outcome.ok ? 'a clean read' : describeError(outcome.error)}`);
  return outcome.error;
}

/** Changes one byte of a file and returns the error the sync reader throws. */
function errorAfterChange(name: string, at: number, mask: number): RedbackError {
  const data = Uint8Array.from(load(name));
  data[at] = (data[at] as number) ^ mask;
  return errorOf(data, name);
}

/**
 * A version 9 file holding one key whose value is `blob`, LZF-compressed, after `prefix` (written by `head`):
 * returns the file and the [start, end) of the compressed value in it.
 */
function fileWithCompressedBlob(type: number, blob: Uint8Array, head: (w: ByteWriter) => void = () => undefined): { data: Uint8Array; start: number; end: number } {
  const w = new ByteWriter();
  writeHeader(w, 'REDIS', 9);
  w.u8(RdbOpcode.SELECTDB);
  writeLength(w, 0);
  w.u8(type);
  writeString(w, Uint8Array.of(0x6b));
  head(w);
  const start = w.offset;
  const compressed = lzfCompress(blob, blob.length - 4) as Uint8Array;
  expect(compressed).toBeDefined();
  writeLzfString(w, compressed, blob.length);
  const end = w.offset;
  w.u8(RdbOpcode.EOF);
  w.u64le(0n);
  return { data: concat(w.take()), start, end };
}

describe('error offsets inside compressed blobs (files made with the writer)', () => {
  it('an LZF-compressed stream node with a bad back-length: the offset is inside the value', () => {
    const master = { ms: 1000n, seq: 0n };
    const entries = Array.from({ length: 30 }, (_, i) => ({ id: { ms: 1000n + BigInt(i), seq: 0n }, deleted: false, fields: [Uint8Array.of(0x66)], values: [new TextEncoder().encode(`value-value-${i % 3}`)] }));
    const node = encodeStreamListpack(master, entries);
    node[node.length - 2] = (node[node.length - 2] as number) ^ 0x01; // the last entry's back-length
    const { data, start, end } = fileWithCompressedBlob(15, node, (w) => {
      writeLength(w, 1);
      const key = new ByteWriter();
      key.u64be(master.ms);
      key.u64be(master.seq);
      writeString(w, concat(key.take()));
    });
    const error = errorOf(data, 'stream.rdb');
    expect(error.detail).toMatch(/back-length/);
    expect(error.offset).toBeGreaterThanOrEqual(start);
    expect(error.offset).toBeLessThan(end);
  });

  it('an LZF-compressed zipmap with a bad end: the offset is inside the value', () => {
    const pairs = Array.from({ length: 10 }, (_, i) => new TextEncoder().encode(i % 2 === 0 ? `field-${i}` : 'same value'));
    const zipmap = encodeZipmap(pairs);
    zipmap[zipmap.length - 1] = 0x00;
    const { data, start, end } = fileWithCompressedBlob(9, zipmap);
    const error = errorOf(data, 'zipmap.rdb');
    expect(error.detail).toMatch(/zipmap/);
    expect(error.offset).toBeGreaterThanOrEqual(start);
    expect(error.offset).toBeLessThan(end);
  });

  it('an LZF-compressed hash listpack with a bad entry: the offset is inside the value', () => {
    const listpack = encodeListpack(Array.from({ length: 24 }, (_, i) => new TextEncoder().encode(i % 2 === 0 ? `f${i}` : 'a value that repeats')));
    listpack[listpack.length - 2] = 0xff; // the last entry's back-length
    const { data, start, end } = fileWithCompressedBlob(16, listpack);
    const error = errorOf(data, 'hash.rdb');
    expect(error.detail).toMatch(/listpack entry 23/);
    expect(error.offset).toBeGreaterThanOrEqual(start);
    expect(error.offset).toBeLessThan(end);
  });
});

describePeer('error offsets inside compressed blobs (peer files)', () => {
  it('an LZF-compressed stream node: the offset is not negative (stream_listpacks_1.rdb, key trim at 296..2530)', () => {
    // The first node's listpack (LZF-compressed, value record 303..1089) gets a bad back-length.
    const error = errorAfterChange('HDT3213__rdb/cases/stream_listpacks_1.rdb', 430, 0x01);
    expect(error.detail).toMatch(/listpack entry 35: back-length/);
    expect(error.offset).toBeGreaterThanOrEqual(303);
    expect(error.offset).toBeLessThan(1089);
  });

  it('an LZF-compressed zipmap: the offset is inside the 73-byte file (zipmap_that_compresses_easily.rdb, value 37..72)', () => {
    const error = errorAfterChange('HDT3213__rdb/cases/zipmap_that_compresses_easily.rdb', 71, 0xff);
    expect(error.detail).toMatch(/zipmap/);
    expect(error.offset).toBeGreaterThanOrEqual(37);
    expect(error.offset).toBeLessThan(72);
  });

  it('an LZF-compressed hash listpack: the offset is inside the 333-byte file (listpack.rdb, key h value 236..324)', () => {
    const error = errorAfterChange('HDT3213__rdb/cases/listpack.rdb', 317, 0xff);
    expect(error.detail).toMatch(/listpack entry 20/);
    expect(error.offset).toBeGreaterThanOrEqual(236);
    expect(error.offset).toBeLessThan(324);
  });
});

describe('stale truncation errors from the streaming reader (files made with the writer)', () => {
  it('a 4-byte file: "needed 9 bytes, 4 left", as the sync reader says', async () => {
    const prefix = writeRdb({ version: 12, items: [] }).subarray(0, 4);
    const sync = attempt(prefix);
    const streamed = await attemptAsync(new ChunkedInput(bufferSource(prefix)));
    expect(sync.ok || sync.error).toMatchObject({ needed: 9, available: 4, offset: 0 });
    expect(streamed.ok || streamed.error).toMatchObject({ needed: 9, available: 4, offset: 0 });
  });

  it('a file cut inside a zset score: the bytes left are the bytes the file still has', async () => {
    // Version 3 (no checksum): the file ends with the score ("1.25": a length byte and 4 bytes) and the EOF
    // opcode. Cut 2 bytes into the text: the 4 bytes of text are needed, 2 are left.
    const data = writeRdb({ version: 3, items: [{ selectDb: 0 }, { key: { key: 'z', value: { encoding: 'zset-v1', entries: [['m', 1.25]] } } }] });
    const textAt = data.length - 5;
    expect(data[textAt - 1]).toBe(4);
    const prefix = data.subarray(0, textAt + 2);
    const sync = attempt(prefix);
    expect(sync.ok || sync.error).toMatchObject({ offset: textAt, needed: 4, available: 2 });
    for (const input of [chunkedInput(prefix, 7), new ChunkedInput(bufferSource(prefix))]) {
      const streamed = await attemptAsync(input);
      expect(streamed.ok || streamed.error).toMatchObject({ offset: textAt, needed: 4, available: 2 });
    }
  });
});

describePeer('stale truncation errors from the streaming reader (peer files)', () => {
  it('a 4-byte file: "needed 9 bytes, 4 left", as the sync reader says', async () => {
    const prefix = load('HDT3213__rdb/cases/hash_with_hfe.rdb').subarray(0, 4);
    const sync = attempt(prefix);
    const streamed = await attemptAsync(new ChunkedInput(bufferSource(prefix)));
    expect(sync.ok || sync.error).toMatchObject({ needed: 9, available: 4, offset: 0 });
    expect(streamed.ok || streamed.error).toMatchObject({ needed: 9, available: 4, offset: 0 });
  });

  it('a file cut inside a zset score: the bytes left are the bytes the file still has', async () => {
    // encodings.rdb cut to 51 bytes: the score at 44 needs 10 bytes and the file has 7 more.
    const prefix = load('redis__redis/tests/assets/encodings.rdb').subarray(0, 51);
    const sync = attempt(prefix);
    expect(sync.ok || sync.error).toMatchObject({ offset: 44, needed: 10, available: 7 });
    for (const input of [chunkedInput(prefix, 7), new ChunkedInput(bufferSource(prefix))]) {
      const streamed = await attemptAsync(input);
      expect(streamed.ok || streamed.error).toMatchObject({ offset: 44, needed: 10, available: 7 });
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Seeded random bytes

const HEADERS: ['REDIS' | 'VALKEY', number][] = [['REDIS', 3], ['REDIS', 6], ['REDIS', 9], ['REDIS', 11], ['REDIS', 12], ['REDIS', 13], ['VALKEY', 80]];

/** A header, SELECTDB 0 and, when `type` is given, a type byte and the one-byte key "k", then `rest`. */
function prefixed([magic, version]: ['REDIS' | 'VALKEY', number], type: number | undefined, ...rest: (Uint8Array | ((w: ByteWriter) => void))[]): Uint8Array {
  const w = new ByteWriter();
  writeHeader(w, magic, version);
  if (type !== undefined) {
    w.u8(RdbOpcode.SELECTDB);
    writeLength(w, 0);
    w.u8(type);
    writeString(w, Uint8Array.of(0x6b));
  }
  for (const part of rest) {
    if (part instanceof Uint8Array) w.bytes(part);
    else part(w);
  }
  return concat(w.take());
}

/** Reads `data` and returns an error description when the reader failed in a way it must not. */
function misbehavior(data: Uint8Array, options: RdbReadOptions = {}): string | undefined {
  const outcome = attempt(data, options);
  if (outcome.ok) return outcome.records.at(-1)?.kind === 'eof' ? undefined : 'read ended without an EOF record';
  if (outcome.error instanceof RedbackError) return undefined;
  return foreign(outcome.error, 'foreign error');
}

const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

describe('seeded random bytes after a valid header', () => {
  it('random tails: only our errors', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.constantFrom(...HEADERS), fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.boolean(), (head, tail, deep) => {
        const data = prefixed(head, undefined, tail);
        const problem = misbehavior(data, { deep, verifyChecksum: false });
        if (problem) throw new Error(`${problem} on ${hex(data)}`);
      }),
      { seed: 0x5eed, numRuns: 3000 },
    );
  });

  it('a type byte, a key and random bytes: every decoder meets garbage', { timeout: 30_000 }, () => {
    const types = [...Array.from({ length: 28 }, (_, i) => i), 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254];
    fc.assert(
      fc.property(
        fc.constantFrom(...HEADERS),
        fc.constantFrom(...types),
        fc.uint8Array({ minLength: 0, maxLength: 400 }),
        fc.boolean(),
        (head, type, tail, deep) => {
          const data = prefixed(head, type, tail);
          const problem = misbehavior(data, { deep, verifyChecksum: false });
          if (problem) throw new Error(`${problem} on ${hex(data)}`);
        },
      ),
      { seed: 0xdecade, numRuns: 6000 },
    );
  });

  it('a type byte, a key and a blob of random bytes with a plausible length prefix', { timeout: 30_000 }, () => {
    // Blob encodings (ziplist 10/12/13, intset 11, zipmap 9, listpacks 16/17/20/25, quicklist nodes 14/18,
    // stream nodes 15/19/21) get a well-formed RDB string around random content, so the inner decoders run.
    const blobTypes = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25];
    fc.assert(
      fc.property(
        fc.constantFrom(...HEADERS.filter(([, version]) => version !== 3)),
        fc.constantFrom(...blobTypes),
        fc.uint8Array({ minLength: 0, maxLength: 60 }),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        (head, type, blob, tail) => {
          const data = prefixed(
            head,
            type,
            (w) => {
              if (type === 25) w.i64le(0); // minimum expiry
              if (type === 14 || type === 18 || type === 15 || type === 19 || type === 21) writeLength(w, 1); // node count
              if (type === 18) writeLength(w, 2); // PACKED container
              if (type === 15 || type === 19 || type === 21) writeString(w, new Uint8Array(16)); // node key
              writeLength(w, blob.length); // a plain string around the random blob
              w.bytes(blob);
            },
            tail,
          );
          const problem = misbehavior(data, { verifyChecksum: false });
          if (problem) throw new Error(`${problem} on ${hex(data)}`);
        },
      ),
      { seed: 0xb10b, numRuns: 6000 },
    );
  });

  it('a valid file with a window of random bytes written over it (in-repo files, and peer files when present)', { timeout: 30_000 }, () => {
    const names = [...IN_REPO.keys(), ...(HAVE_PEER ? PEER_FILES.slice(0, 14) : [])];
    const sources = names.map(load);
    expect(sources.length).toBeGreaterThanOrEqual(HAVE_PEER ? 28 : 14);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sources.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uint8Array({ minLength: 1, maxLength: 24 }),
        (which, where, patch) => {
          const data = Uint8Array.from(sources[which] as Uint8Array);
          const at = 9 + Math.floor(where * Math.max(0, data.length - 9 - patch.length));
          data.set(patch.subarray(0, data.length - at), at);
          const problem = misbehavior(data, { verifyChecksum: false });
          if (problem) throw new Error(`${problem} on file ${names[which]} patched at ${at} with ${hex(patch)}`);
        },
      ),
      { seed: 0x9a7c4, numRuns: 4000 },
    );
  });
});
