// cspell:words genmodule
/**
 * The synchronous reader over a whole buffer and the streaming reader over any chunking of the same bytes
 * must give the same records. Every peer RDB under 400 KiB that reads cleanly is read:
 *
 * - (a) by the async reader fed the whole file,
 * - (b) one byte per chunk with a 1-byte read size (files under 20 KiB),
 * - (c) in two chunks split at many offsets (every offset under 2 KiB, 50 spread offsets above),
 * - (d) with a batch size of 3, so big collections arrive as many value chunks: the assembled keys match;
 * - (e) with strings over 16 bytes read in pieces and duplicate checks spilled, whole, split and byte by byte.
 *
 * In (b) and (c) a plain-encoded collection (list, set, zset, hash of types 1-5, 22, 24) may be cut into
 * value chunks at other places than in one read of the whole file: the parser commits the whole items it
 * has when the bytes run out. Those sweeps compare records with adjacent chunks of one value merged; the
 * "strict" tests at the end pin down what differs without merging.
 *
 * Files with identical bytes (rdb-tools' dumps are re-used by two other repositories) are read once.
 *
 * The in-repo files (fixtures/ and the generated files of test/support/generated-rdbs.ts) are read the
 * same ways on every checkout; with ../shared, every peer RDB under 400 KiB that reads cleanly as well.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChunkedInput, bufferSource, iterableSource } from '../../src/bytes/input.js';
import type { RdbRecord } from '../../src/rdb/model.js';
import { readRdb, readRdbAll } from '../../src/rdb/reader.js';
import type { RdbReadOptions } from '../../src/rdb/reader.js';
import { coalesceValueChunks, collectKeys, collectRecords, detached, sameValue } from '../support/rdb-collect.js';
import { PEER_DIR } from '../support/paths.js';
import { inRepoRdbs, generatedRdbs } from '../support/generated-rdbs.js';
import { HAVE_PEER, describePeer } from '../support/prerequisites.js';
import { writeRdb } from '../support/rdb-writer.js';

const PEER = PEER_DIR;

const MAX_SIZE = 400 * 1024;
const ONE_BYTE_MAX = 20 * 1024;
const EVERY_SPLIT_MAX = 2 * 1024;
const SPREAD_SPLITS = 50;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

interface PeerFile {
  name: string;
  /** Other peer files with the same bytes. */
  twins: string[];
  data: Uint8Array;
}

/** Peer RDB files under MAX_SIZE that read to EOF, one per distinct content. */
function readablePeerFiles(): PeerFile[] {
  if (!HAVE_PEER) return [];
  const byHash = new Map<string, PeerFile>();
  for (const path of walk(PEER).sort()) {
    if (statSync(path).size > MAX_SIZE) continue;
    const data = new Uint8Array(readFileSync(path));
    const head = new TextDecoder('latin1').decode(data.subarray(0, 6));
    if (!head.startsWith('REDIS') && !head.startsWith('VALKEY')) continue;
    try {
      readRdbAll(data);
    } catch {
      continue; // the files that are corrupt on purpose; peer-files.test.ts checks their errors
    }
    const hash = createHash('sha256').update(data).digest('hex');
    const name = relative(PEER, path);
    const seen = byHash.get(hash);
    if (seen) seen.twins.push(name);
    else byHash.set(hash, { name, twins: [], data });
  }
  return [...byHash.values()];
}

const files = readablePeerFiles();
const inRepoFiles: PeerFile[] = inRepoRdbs().map((f) => ({ name: f.name, twins: [], data: f.data }));
const label = (file: PeerFile): string => (file.twins.length > 0 ? `${file.name} (+${file.twins.length} identical)` : file.name);

/** An async source that hands out the given chunks one by one. */
function chunked(chunks: Uint8Array[]): ChunkedInput {
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (const chunk of chunks) yield chunk;
  }
  return new ChunkedInput(iterableSource(generate(), '<chunks>'), 64 * 1024);
}

/** An async source that hands out one byte per chunk and reads one byte at a time. */
function bytewise(data: Uint8Array): ChunkedInput {
  async function* generate(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i++) yield data.subarray(i, i + 1);
  }
  return new ChunkedInput(iterableSource(generate(), '<bytes>'), 1);
}

/**
 * Records compare with {@link sameValue}, which reads byte strings by content, so views into different
 * buffers need no copying first; {@link detached} copies are used where vitest's deep equality runs.
 */
async function readAsync(input: ChunkedInput, options: RdbReadOptions = {}): Promise<RdbRecord[]> {
  // Both readers' records, typed as the materializing reader's for the comparison helpers.
  return collectRecords(readRdb(input, options)) as Promise<RdbRecord[]>;
}

function syncRecords(data: Uint8Array, options: RdbReadOptions = {}): RdbRecord[] {
  return readRdbAll(data, options) as RdbRecord[];
}

/** Offsets at which to split a file in two. */
function splitOffsets(length: number): number[] {
  if (length < EVERY_SPLIT_MAX) return Array.from({ length: length - 1 }, (_, i) => i + 1);
  return Array.from({ length: SPREAD_SPLITS }, (_, i) => 1 + Math.floor((i * (length - 2)) / (SPREAD_SPLITS - 1)));
}

/** Describes the first record where two record lists differ, or undefined when they are equal. */
function firstDifference(expected: RdbRecord[], actual: RdbRecord[]): string | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (!sameValue(expected[i], actual[i])) {
      const show = (r: RdbRecord | undefined): string =>
        r === undefined ? 'nothing' : `${r.kind}@${r.offset}+${r.length}${r.kind === 'value' ? ` ${r.chunk.type}` : ''}`;
      return `record ${i}: sync has ${show(expected[i])}, async has ${show(actual[i])} (${expected.length} vs ${actual.length} records)`;
    }
  }
  return undefined;
}

/** The four ways, (a) to (d), over `files`. */
function readEveryWay(files: PeerFile[]): void {
  describe('(a) async, whole file', () => {
    it.each(files.map((f) => [label(f), f] as const))('%s', async (_, file) => {
      const expected = syncRecords(file.data);
      const actual = await readAsync(new ChunkedInput(bufferSource(file.data)));
      expect(firstDifference(expected, actual)).toBeUndefined();
    });
  });

  describe('(b) async, one byte per chunk', () => {
    const small = files.filter((f) => f.data.length < ONE_BYTE_MAX);
    it.each(small.map((f) => [label(f), f] as const))('%s', async (_, file) => {
      const expected = coalesceValueChunks(syncRecords(file.data));
      const actual = coalesceValueChunks(await readAsync(bytewise(file.data)));
      expect(firstDifference(expected, actual)).toBeUndefined();
    });
  });

  describe('(c) async, two chunks split at many offsets', () => {
    it.each(files.map((f) => [label(f), f] as const))('%s', async (_, file) => {
      const expected = coalesceValueChunks(syncRecords(file.data));
      const failures: string[] = [];
      for (const at of splitOffsets(file.data.length)) {
        const actual = coalesceValueChunks(await readAsync(chunked([file.data.subarray(0, at), file.data.subarray(at)])));
        const difference = firstDifference(expected, actual);
        if (difference !== undefined) failures.push(`split at ${at}: ${difference}`);
      }
      expect(failures.slice(0, 5), `${failures.length} failing splits`).toEqual([]);
    });
  });

  describe('(d) batch size 3: the same keys, in more value chunks', () => {
    it.each(files.map((f) => [label(f), f] as const))('%s', async (_, file) => {
      const expected = collectKeys(syncRecords(file.data));
      const syncSmall = syncRecords(file.data, { batchSize: 3 });
      expect(sameValue(collectKeys(syncSmall), expected)).toBe(true);
      const asyncSmall = await readAsync(chunked([file.data.subarray(0, file.data.length >> 1), file.data.subarray(file.data.length >> 1)]), {
        batchSize: 3,
        recordsPerBatch: 2,
      });
      expect(sameValue(collectKeys(asyncSmall), expected)).toBe(true);
      if (file.data.length < ONE_BYTE_MAX) {
        expect(sameValue(collectKeys(await readAsync(bytewise(file.data), { batchSize: 3 })), expected)).toBe(true);
      }
      // Apart from value chunks, the records are the same.
      const notValues = (records: RdbRecord[]): RdbRecord[] => records.filter((r) => r.kind !== 'value');
      expect(firstDifference(notValues(syncRecords(file.data)), notValues(syncSmall))).toBeUndefined();
      // And the small file's keys, deep-compared on detached copies, are the same too.
      if (file.data.length < EVERY_SPLIT_MAX) expect(detached(collectKeys(syncSmall))).toEqual(detached(collectKeys(syncRecords(file.data))));
    });

  });

}

describe('sync and async readers agree on every in-repo file', () => {
  it('has the files', () => {
    expect(inRepoFiles.length).toBeGreaterThanOrEqual(14);
    expect(inRepoFiles.filter((f) => f.data.length < EVERY_SPLIT_MAX).length).toBeGreaterThanOrEqual(8);
  });
  readEveryWay(inRepoFiles);

  describe('strict: the records themselves, not merged', () => {
    it('blob-encoded values (ziplist, intset, listpack, quicklist nodes, stream nodes) never depend on the input chunking', async () => {
      const data = writeRdb({
        version: 11,
        items: [
          { selectDb: 0 },
          { key: { key: 'zl', value: { encoding: 'list-ziplist', elements: ['a', 1, 70000, 'b'.repeat(300)] } } },
          { key: { key: 'is', value: { encoding: 'set-intset', members: [1, 2, 70000] } } },
          { key: { key: 'lp', value: { encoding: 'set-listpack', members: ['a', 5, 'c'.repeat(100)] } } },
          { key: { key: 'hl', value: { encoding: 'hash-listpack', fields: [['f', 'v'], ['g', 12]] } } },
          { key: { key: 'zs', value: { encoding: 'zset-listpack', entries: [['m', 1.5]] } } },
          { key: { key: 'q2', value: { encoding: 'quicklist-v2', nodes: [{ elements: ['x', 2] }, { plain: 'p'.repeat(20) }, { elements: ['y'.repeat(50), 'y'.repeat(50)], lzf: true }] } } },
        ],
      });
      expect(firstDifference(syncRecords(data), await readAsync(bytewise(data)))).toBeUndefined();
    });

    it('a plain set read one byte at a time gives the same records once its value chunks are merged (chunk boundaries follow the input)', async () => {
      const data = writeRdb({ version: 9, items: [{ selectDb: 0 }, { key: { key: 'set', value: { encoding: 'set-hashtable', members: Array.from({ length: 60 }, (_, i) => `member-${i}`) } } }] });
      const streamed = await readAsync(bytewise(data));
      expect(streamed.filter((r) => r.kind === 'value').length).toBeGreaterThan(syncRecords(data).filter((r) => r.kind === 'value').length);
      expect(firstDifference(coalesceValueChunks(syncRecords(data)), coalesceValueChunks(streamed))).toBeUndefined();
    });

    it('a plain 1000-element list arrives in 334 chunks with a batch size of 3', () => {
      const data = writeRdb({ version: 3, items: [{ selectDb: 0 }, { key: { key: 'list', value: { encoding: 'list-linked', elements: Array.from({ length: 1000 }, (_, i) => `e${i}`) } } }] });
      const chunks = syncRecords(data, { batchSize: 3 }).filter((r) => r.kind === 'value');
      expect(chunks).toHaveLength(334);
      expect(chunks.every((r) => r.kind === 'value' && r.chunk.type === 'list' && r.chunk.elements.length <= 3)).toBe(true);
    });

    it('records of a small file deep-equal on detached copies (whole-file async read)', async () => {
      const data = (generatedRdbs().find((f) => f.name === 'v10-redis7.rdb') as { data: Uint8Array }).data;
      expect(detached(await readAsync(new ChunkedInput(bufferSource(data))))).toEqual(detached(syncRecords(data)));
    });

    it('a module value record spans the whole value, whatever the batch size and however the bytes arrive', async () => {
      const data = (generatedRdbs().find((f) => f.name === 'v9-modules.rdb') as { data: Uint8Array }).data;
      const moduleValue = (records: RdbRecord[]): RdbRecord | undefined => records.find((r) => r.kind === 'value' && r.chunk.type === 'module');
      const whole = detached(moduleValue(syncRecords(data)));
      expect(whole).toMatchObject({ chunk: { opcodes: 6, moduleName: 'genmodule', encver: 5 } });
      for (const batchSize of [3, 1]) expect(detached(moduleValue(syncRecords(data, { batchSize }))), `batchSize ${batchSize}`).toEqual(whole);
      expect(detached(moduleValue(await readAsync(bytewise(data))))).toEqual(whole);
    });
  });
});

describePeer('sync and async readers agree on every peer file', () => {
  it('has the files', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    expect(files.filter((f) => f.data.length < EVERY_SPLIT_MAX).length).toBeGreaterThanOrEqual(40);
  });
  readEveryWay(files);

  it('a plain 1000-element list arrives in 334 chunks with a batch size of 3 (linkedlist.rdb)', () => {
    const file = files.find((f) => f.name.endsWith('linkedlist.rdb') || f.twins.some((t) => t.endsWith('linkedlist.rdb')));
    if (!file) throw new Error('linkedlist.rdb not found');
    const records = syncRecords(file.data, { batchSize: 3 });
    const chunks = records.filter((r) => r.kind === 'value');
    expect(chunks).toHaveLength(334);
    expect(chunks.every((r) => r.kind === 'value' && r.chunk.type === 'list' && r.chunk.elements.length <= 3)).toBe(true);
  });

  describe('(e) long strings in pieces and spilled duplicate checks (small thresholds): the same records, merged', () => {
    // Strings over 16 bytes are read in pieces (raw and LZF); plain sets, hashes and zsets spill their
    // duplicate check past a 4 KiB budget. Merged, the records are those of the default reader.
    const small: RdbReadOptions = { stringPieceBytes: 16, duplicateCheckBytes: 4096 };
    it.each(files.map((f) => [label(f), f] as const))('%s', async (_, file) => {
      const expected = coalesceValueChunks(syncRecords(file.data));
      const pieces = syncRecords(file.data, small);
      expect(firstDifference(expected, coalesceValueChunks(pieces))).toBeUndefined();
      const whole = await readAsync(new ChunkedInput(bufferSource(file.data)), small);
      expect(firstDifference(pieces, whole)).toBeUndefined();
      const failures: string[] = [];
      const splits = splitOffsets(file.data.length);
      for (const at of splits.filter((_, i) => i % 5 === 0)) {
        const actual = coalesceValueChunks(await readAsync(chunked([file.data.subarray(0, at), file.data.subarray(at)]), small));
        const difference = firstDifference(expected, actual);
        if (difference !== undefined) failures.push(`split at ${at}: ${difference}`);
      }
      if (file.data.length < ONE_BYTE_MAX) {
        const difference = firstDifference(expected, coalesceValueChunks(await readAsync(bytewise(file.data), small)));
        if (difference !== undefined) failures.push(`one byte per chunk: ${difference}`);
      }
      expect(failures.slice(0, 5), `${failures.length} failing reads`).toEqual([]);
    });
  });

  describe('strict: the records themselves, not merged', () => {
    const find = (suffix: string): PeerFile => {
      const file = files.find((f) => f.name.endsWith(suffix) || f.twins.some((t) => t.endsWith(suffix)));
      if (!file) throw new Error(`${suffix} not found`);
      return file;
    };

    it('blob-encoded values (ziplist, intset, listpack, quicklist nodes) never depend on the input chunking', async () => {
      // Every value of these files is one blob per chunk: no plain-encoded collection.
      for (const suffix of ['ziplist_with_integers.rdb', 'intset_64.rdb', 'listpack.rdb', 'quicklist.rdb', 'dumpV11.rdb', 'set_listpack.rdb']) {
        const file = find(suffix);
        expect(firstDifference(syncRecords(file.data), await readAsync(bytewise(file.data))), suffix).toBeUndefined();
      }
    });

    it('a plain set read one byte at a time gives the same records once its value chunks are merged (chunk boundaries follow the input)', async () => {
      const file = find('regular_set.rdb');
      const streamed = await readAsync(bytewise(file.data));
      expect(streamed.filter((r) => r.kind === 'value').length).toBeGreaterThan(syncRecords(file.data).filter((r) => r.kind === 'value').length);
      expect(firstDifference(coalesceValueChunks(syncRecords(file.data)), coalesceValueChunks(streamed))).toBeUndefined();
    });

    it('records of a small file deep-equal on detached copies (whole-file async read)', async () => {
      const file = find('dumpV11.rdb');
      expect(detached(await readAsync(new ChunkedInput(bufferSource(file.data))))).toEqual(detached(syncRecords(file.data)));
    });

    it('a module value record spans the whole value, whatever the batch size', () => {
      // redis_40_with_module.rdb: key 'foo' (type 7) at 190, module id at 195, 10 opcodes from 204 to 239.
      const file = find('redis_40_with_module.rdb');
      for (const batchSize of [4096, 3, 1]) {
        const value = syncRecords(file.data, { batchSize }).find((r) => r.kind === 'value' && r.chunk.type === 'module');
        expect(value, `batchSize ${batchSize}`).toMatchObject({ offset: 204, length: 35, chunk: { opcodes: 10 } });
      }
    });

    it('a module value record spans the whole value when the bytes arrive one at a time', async () => {
      const file = find('dump-module-2.rdb');
      const whole = detached(syncRecords(file.data).find((r) => r.kind === 'value'));
      const bytewiseValue = detached((await readAsync(bytewise(file.data))).find((r) => r.kind === 'value'));
      expect(whole).toMatchObject({ offset: 116, length: 23 });
      expect(bytewiseValue).toEqual(whole);
    });
  });
});
