// cspell:words listoacks uncompressible
/**
 * `check` and `inspect` read with `materialize: false`: values are validated without being built (strings
 * not decompressed, stream nodes and groups walked without objects, members deduplicated on their bytes).
 * That reader must reach the same verdict as the one that builds every value — the same records of keys and
 * the same first error, at the same offset, with the same message — on real files and on damaged copies.
 */
import { describe, expect, it } from 'vitest';
import type { RdbRecord } from '../../src/rdb/model.js';
import type { RdbParserOptions } from '../../src/rdb/parser.js';
import { readRdbSync } from '../../src/rdb/reader.js';
import { inRepoRdbs } from '../support/generated-rdbs.js';
import { describePeer, loadPeer } from '../support/prerequisites.js';

/** In-repo files: the Redis 7.0 fixtures and the generated files (every type and encoding). */
const IN_REPO = inRepoRdbs();

/** Peer files chosen to cover the encodings and versions of the older formats. */
const PEER_FILES = [
  'redis__redis/tests/assets/encodings.rdb',
  'HDT3213__rdb/cases/parser_filters.rdb',
  'HDT3213__rdb/cases/listpack.rdb',
  'HDT3213__rdb/cases/hash_with_hfe.rdb',
  'HDT3213__rdb/cases/valkey_hash2_with_hfe.rdb',
  'HDT3213__rdb/cases/stream_listoacks_3.rdb',
  'sripathikrishnan__redis-rdb-tools/tests/dumps/redis_50_with_streams.rdb',
  'leonchen83__redis-replicator/src/test/resources/dumpV11.rdb',
  'HDT3213__rdb/cases/stream_listpacks_1.rdb',
  'HDT3213__rdb/cases/memory.rdb',
  'sripathikrishnan__redis-rdb-tools/tests/dumps/uncompressible_string_keys.rdb',
  'sripathikrishnan__redis-rdb-tools/tests/dumps/easily_compressible_string_key.rdb',
];

/** The key-end records and the error (class, offset, message) of one read. */
function outcome(data: Uint8Array, materialize: boolean, options: RdbParserOptions = {}): { keys: unknown[]; error: string | undefined } {
  const keys: unknown[] = [];
  try {
    for (const record of readRdbSync(data, { ...options, materialize, file: 'f' }) as Iterable<RdbRecord>) {
      if (record.kind === 'key-end') keys.push([record.keyOffset, record.type, record.encoding, record.elements, record.encodedBytes, record.fieldTtls]);
    }
    return { keys, error: undefined };
  } catch (error) {
    return { keys, error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

/** The reader of `check` against the full reader on a file and 400 damaged copies of it. */
function agreeOn(data: Uint8Array): void {
  expect(outcome(data, false)).toEqual(outcome(data, true));
  let seed = data.length;
  const variants = Math.min(400, data.length * 2);
  for (let i = 0; i < variants; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const at = 9 + (seed % Math.max(1, data.length - 9));
    const copy = i % 4 === 3 ? data.subarray(0, at) : data.slice();
    if (i % 4 !== 3) copy[at] = (copy[at] as number) ^ (1 + ((seed >>> 8) % 255));
    const full = outcome(copy, true);
    const check = outcome(copy, false);
    expect(check, `variant ${i} (byte ${at}${i % 4 === 3 ? ' cut' : ' changed'})`).toEqual(full);
  }
}

describe('the check reader (materialize: false) agrees with the full reader on in-repo files', () => {
  it('has the fixtures and the generated files', () => {
    expect(IN_REPO.length).toBeGreaterThanOrEqual(14);
  });
  it.each(IN_REPO.map((f) => [f.name, f.data] as const))('%s', (_, data) => agreeOn(data));
});

describePeer('the check reader (materialize: false) agrees with the full reader on peer files', () => {
  it.each(PEER_FILES)('%s', (name) => agreeOn(loadPeer(name)));
});

/**
 * The same agreement where the long-value paths run on small files: strings longer than 16 bytes read in
 * pieces (raw and LZF, validated or decompressed piece by piece), and every plain set, hash and zset over a
 * 4 KiB budget, so its duplicate check spills to temporary files and runs part by part. On a valid file
 * the keys are also those of the default reader.
 */
const SMALL: RdbParserOptions = { stringPieceBytes: 16, duplicateCheckBytes: 4096 };

/** {@link agreeOn} with {@link SMALL} on both sides, and the default reader's keys on the intact file. */
function agreeInPieces(data: Uint8Array): void {
  const check = outcome(data, false, SMALL);
  expect(check).toEqual(outcome(data, true, SMALL));
  expect(check).toEqual(outcome(data, true));
  let seed = data.length ^ 0x5a5a;
  const variants = Math.min(150, data.length);
  for (let i = 0; i < variants; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const at = 9 + (seed % Math.max(1, data.length - 9));
    const copy = i % 4 === 3 ? data.subarray(0, at) : data.slice();
    if (i % 4 !== 3) copy[at] = (copy[at] as number) ^ (1 + ((seed >>> 8) % 255));
    expect(outcome(copy, false, SMALL), `variant ${i} (byte ${at}${i % 4 === 3 ? ' cut' : ' changed'})`).toEqual(outcome(copy, true, SMALL));
  }
}

describe('the check reader agrees with the full reader on long strings in pieces and spilled duplicate checks (in-repo files)', () => {
  it.each(IN_REPO.map((f) => [f.name, f.data] as const))('%s', (_, data) => agreeInPieces(data));
});

describePeer('the check reader agrees with the full reader on long strings in pieces and spilled duplicate checks (peer files)', () => {
  const names = [
    ...PEER_FILES,
    'sripathikrishnan__redis-rdb-tools/tests/dumps/dictionary.rdb',
    'sripathikrishnan__redis-rdb-tools/tests/dumps/regular_sorted_set.rdb',
    'sripathikrishnan__redis-rdb-tools/tests/dumps/regular_set.rdb',
  ];
  it.each(names)('%s', (name) => agreeInPieces(loadPeer(name)));
});
