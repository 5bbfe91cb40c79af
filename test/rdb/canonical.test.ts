/**
 * encode(decode(bytes)) = bytes on files written by Redis: every length, string (int8/16/32, LZF, plain),
 * ZSET v1 score, listpack, ziplist, intset, zipmap and stream listpack of a file is read with the read-side
 * primitives and written again with the write side, and must come out byte for byte the same — the whole
 * file, CRC64 included (test/support/rdb-recode.ts does the walk).
 *
 * In-repo: fixtures/*.rdb (Redis 7.0.15) and the generated files. With ../shared: every readable RDB of the
 * peer corpus, from Redis 2.x to 8 and Valkey, where the only sites allowed to differ are the hand-made
 * 64-bit lengths listed below. Two older forms are recognised and counted apart: ziplist integers as Redis
 * 2.4 wrote them (16/32/64-bit only) and strings compressed by the liblzf of Redis 2.x.
 */
// cspell:words listpack ziplist ziplists intset zipmap
import { describe, expect, it } from 'vitest';
import { readRdbAll } from '../../src/rdb/reader.js';
import { inRepoRdbs } from '../support/generated-rdbs.js';
import { describePeer, loadPeer, peerRdbNames } from '../support/prerequisites.js';
import { recodeRdb, type RecodeReport } from '../support/rdb-recode.js';

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [kind, n] of Object.entries(from)) into[kind] = (into[kind] ?? 0) + n;
}

/** The report's output must be the original RDB, byte for byte. */
function expectSameBytes(report: RecodeReport, data: Uint8Array): void {
  const original = data.subarray(0, report.rdbLength);
  expect(report.output.length).toBe(original.length);
  expect(Buffer.compare(Buffer.from(report.output), Buffer.from(original))).toBe(0);
}

describe('re-encoding in-repo RDBs with the writer gives the same bytes', () => {
  const files = inRepoRdbs();

  it('has the Redis 7.0 fixtures and the generated files', () => {
    expect(files.filter((f) => f.name.startsWith('fixtures/')).length).toBeGreaterThanOrEqual(3);
    expect(files.filter((f) => f.name.startsWith('generated/')).length).toBeGreaterThanOrEqual(10);
  });

  it.each(files.map((f) => [f.name, f] as const))('%s', (_, file) => {
    const report = recodeRdb(file.data);
    expect(report.examples).toEqual([]);
    expect(report.differing).toEqual({});
    expect(report.older).toEqual({});
    expectSameBytes(report, file.data);
    expect(report.rdbLength).toBe(file.data.length);
  });

  it('the Redis 7.0 fixtures hold every kind of site the 7.0 format has', () => {
    const sites: Record<string, number> = {};
    for (const file of files.filter((f) => f.name.startsWith('fixtures/'))) add(sites, recodeRdb(file.data).sites);
    for (const kind of ['length', 'string', 'string-lzf', 'listpack', 'intset', 'stream-listpack', 'quicklist-lzf-node', 'checksum']) {
      expect(sites[kind] ?? 0, kind).toBeGreaterThan(0);
    }
  });
});

/**
 * Files whose 64-bit lengths were made by hand (a length form Redis only writes above 2^32): the test
 * files of redis-rdb-tools ("rdb_version_8_with_64b_length_and_scores", copied by two other projects) and
 * redis-rdb-cli's dumps, which contain those keys.
 */
const HAND_MADE_LENGTHS = [
  'HDT3213__rdb/cases/rdb_version_8_with_64b_length_and_scores.rdb',
  'leonchen83__redis-replicator/src/test/resources/rdb_version_8_with_64b_length_and_scores.rdb',
  'sripathikrishnan__redis-rdb-tools/tests/dumps/rdb_version_8_with_64b_length_and_scores.rdb',
  'leonchen83__redis-rdb-cli/src/test/resources/rct/all.rdb',
  'leonchen83__redis-rdb-cli/src/test/resources/rdt/12.rdb',
  'leonchen83__redis-rdb-cli/src/test/resources/rdt/34.rdb',
  'leonchen83__redis-rdb-cli/src/test/resources/rdt/dump.rdb',
  'leonchen83__redis-rdb-cli/src/test/resources/rdt/filter.rdb',
  'leonchen83__redis-rdb-cli/src/test/resources/rdt/filter1.rdb',
  'leonchen83__redis-rdb-cli/src/test/resources/rmt/dump.rdb',
];

describePeer('re-encoding the peer corpus with the writer gives the same bytes', () => {
  /** Peer RDBs our reader reads to the end (the broken-on-purpose ones are peer-files.test.ts's business). */
  const readable = peerRdbNames().filter((name) => {
    try {
      readRdbAll(loadPeer(name));
      return true;
    } catch {
      return false;
    }
  });
  const totals = { sites: {} as Record<string, number>, differing: {} as Record<string, number>, older: {} as Record<string, number> };

  it('has the files', () => {
    expect(readable.length).toBeGreaterThanOrEqual(120);
    for (const name of HAND_MADE_LENGTHS) expect(readable).toContain(name);
  });

  it.each(readable)('%s', (name) => {
    const data = loadPeer(name);
    const report = recodeRdb(data);
    add(totals.sites, report.sites);
    add(totals.differing, report.differing);
    add(totals.older, report.older);
    expectSameBytes(report, data);
    if (HAND_MADE_LENGTHS.includes(name)) {
      // Only 64-bit lengths (of strings or elsewhere) where a smaller form fits.
      expect(Object.keys(report.differing).every((kind) => kind === 'length' || kind === 'string'), JSON.stringify(report.differing)).toBe(true);
      expect(report.examples.every((e) => /(^length|^string) at \d+.*: 81/.test(e)), report.examples.join('\n')).toBe(true);
    } else {
      expect(report.examples).toEqual([]);
      expect(report.differing).toEqual({});
    }
  });

  it('covers every kind of site, and recognises the older forms in old files only', () => {
    for (const kind of ['length', 'string', 'string-lzf', 'ascii-double', 'listpack', 'ziplist', 'intset', 'zipmap', 'stream-listpack', 'quicklist-lzf-node', 'checksum']) {
      expect(totals.sites[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    expect(Object.keys(totals.older).sort()).toEqual(['lzf:before-liblzf-3.6', 'ziplist:before-2.6']);
    console.log(`re-encoded sites: ${JSON.stringify(totals.sites)}; in an older form: ${JSON.stringify(totals.older)}; hand-made: ${JSON.stringify(totals.differing)}`);
  });
});
