// cspell:words intset intsets listpack listpacks quicklist ziplist ziplists zipmap zipmaps zmlen zimap doesnt listoacks
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { entryBytes, type BlobEntry } from '../../../src/rdb/blob-common.js';
import { decodeIntset } from '../../../src/rdb/intset.js';
import { decodeListpack } from '../../../src/rdb/listpack.js';
import { decodeStreamListpack } from '../../../src/rdb/stream-listpack.js';
import { decodeZiplist } from '../../../src/rdb/ziplist.js';
import { decodeZipmap } from '../../../src/rdb/zipmap.js';
import { corruptFrom, threeWays } from './helpers.js';
import { PEER_DIR } from '../../support/paths.js';
import { describePeer } from '../../support/prerequisites.js';

/**
 * Blobs taken from real RDB files written by Redis (the HDT3213/rdb golden cases), checked against the
 * expected contents in the .json next to each file. The full files are the RDB reader's business; here
 * the blobs are found with two simple, explicit scans (compressed blobs are not found and not tested):
 *
 * - self-sized strings: an uncompressed RDB string (6- or 14-bit length prefix) whose first 4 bytes, read
 *   as u32le, equal its own length: what listpacks and ziplists look like;
 * - the value after a key: the RDB string right after `<len><key bytes>`, for intsets and zipmaps.
 */

const dir = `${PEER_DIR}/HDT3213__rdb/cases`;

interface Found {
  blob: Uint8Array;
  /** Absolute offset of the blob in the file. */
  offset: number;
  /** Bytes taken by the RDB length prefix before it. */
  prefix: number;
}

function file(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(dir, name)));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- golden JSON is loosely typed
function expectedOf(name: string): any[] {
  return JSON.parse(readFileSync(join(dir, name.replace(/\.rdb$/, '.json')), 'utf8'));
}

/** Length of an uncompressed RDB string whose length prefix ends right before `i`, if there is one. */
function prefixBefore(b: Uint8Array, i: number, length: number): number {
  if (length < 64 && b[i - 1] === length) return 1;
  if (length < 16384 && b[i - 2] === (0x40 | (length >> 8)) && b[i - 1] === (length & 0xff)) return 2;
  return 0;
}

function selfSizedStrings(b: Uint8Array): Found[] {
  const found: Found[] = [];
  for (let i = 1; i + 4 <= b.length; i++) {
    const length = ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16)) + (b[i + 3] as number) * 0x1000000;
    if (length < 7 || i + length > b.length) continue;
    const prefix = prefixBefore(b, i, length);
    if (prefix > 0) found.push({ blob: b.subarray(i, i + length), offset: i, prefix });
  }
  return found;
}

/** The blobs among `candidates` that `decode` accepts, decoded. */
function decodable<T>(candidates: Found[], decode: (blob: Uint8Array, base: number) => T): { found: Found; value: T }[] {
  const out: { found: Found; value: T }[] = [];
  for (const found of candidates) {
    try {
      out.push({ found, value: decode(found.blob, found.offset) });
    } catch {
      // not this kind of blob
    }
  }
  return out;
}

function valueAfterKey(b: Uint8Array, key: string): Found {
  const needle = [key.length, ...Buffer.from(key, 'latin1')];
  const at = Buffer.from(b).indexOf(Buffer.from(needle));
  if (at < 0) throw new Error(`key ${key} not found`);
  const p = at + needle.length;
  const first = b[p] as number;
  if (first < 0x40) return { blob: b.subarray(p + 1, p + 1 + first), offset: p + 1, prefix: 1 };
  if (first < 0x80) {
    const length = ((first & 0x3f) << 8) | (b[p + 1] as number);
    return { blob: b.subarray(p + 2, p + 2 + length), offset: p + 2, prefix: 2 };
  }
  throw new Error(`value of ${key} is not a short uncompressed string`);
}

const textOf = (e: BlobEntry): string => Buffer.from(entryBytes(e)).toString('latin1');

describePeer('blobs from real RDB files', () => {
  it.each([
    ['listpack.rdb', 'l'],
    ['set_listpack.rdb', 's'],
  ])('%s: the listpack of key %s', (name, key) => {
    const [record] = expectedOf(name).filter((r) => r.key === key);
    const hits = decodable(selfSizedStrings(file(name)), decodeListpack);
    expect(hits).toHaveLength(1);
    const { found, value } = hits[0] as { found: Found; value: BlobEntry[] };
    expect(value.map(textOf)).toEqual(record.values ?? record.members);
    threeWays(found.blob, decodeListpack);
  });

  it('hash_as_listpack_with_hfe.rdb: field, value, TTL triples', () => {
    const [record] = expectedOf('hash_as_listpack_with_hfe.rdb');
    const hits = decodable(selfSizedStrings(file('hash_as_listpack_with_hfe.rdb')), decodeListpack);
    expect(hits).toHaveLength(1);
    const entries = (hits[0] as { value: BlobEntry[] }).value;
    const triples = [];
    for (let i = 0; i < entries.length; i += 3) triples.push([textOf(entries[i] as BlobEntry), textOf(entries[i + 1] as BlobEntry), entries[i + 2]]);
    // Redis keeps fields with a TTL first, in TTL order, then the ones without (TTL 0).
    expect(triples).toEqual([
      ['F1', 'V1', 2755482478325],
      ['F3', 'V3', 2755484483878],
      ['F2', 'V2', 0],
    ]);
    expect(Object.fromEntries(triples.map(([f, v]) => [f, v]))).toEqual(record.hash);
    expect(Object.fromEntries(triples.map(([f, , ttl]) => [f, ttl]))).toEqual(record.expire);
  });

  it.each([
    ['ziplist_with_integers.rdb', 'ziplist_with_integers'],
    ['ziplist_that_doesnt_compress.rdb', 'ziplist_doesnt_compress'],
    ['quicklist.rdb', 'list'],
  ])('%s: the ziplist of key %s', (name, key) => {
    const [record] = expectedOf(name).filter((r) => r.key === key);
    const hits = decodable(selfSizedStrings(file(name)), decodeZiplist);
    expect(hits).toHaveLength(1);
    const { found, value } = hits[0] as { found: Found; value: BlobEntry[] };
    expect(value.map(textOf)).toEqual(record.values);
    threeWays(found.blob, decodeZiplist);
  });

  it.each(['intset_16', 'intset_32', 'intset_64'])('%s.rdb: the intset', (key) => {
    const name = `${key}.rdb`;
    const [record] = expectedOf(name);
    const found = valueAfterKey(file(name), key);
    const values = decodeIntset(found.blob, found.offset);
    expect(values.map(String)).toEqual(record.members);
    expect(found.blob[0]).toBe(Number(key.slice(-2)) / 8);
    threeWays(found.blob, decodeIntset);
  });

  it('zipmap_that_doesnt_compress.rdb: the zipmap', () => {
    const [record] = expectedOf('zipmap_that_doesnt_compress.rdb');
    const found = valueAfterKey(file('zipmap_that_doesnt_compress.rdb'), 'zimap_doesnt_compress');
    const flat = decodeZipmap(found.blob, found.offset).map(textOf);
    expect(flat).toEqual(Object.entries(record.hash).flat());
    threeWays(found.blob, decodeZipmap);
  });

  it('zipmap_big_len.rdb: a hand-edited zmlen of 255 with 2 pairs is rejected, as Redis ≥ 6.2 does', () => {
    const found = valueAfterKey(file('zipmap_big_len.rdb'), 'zimap_doesnt_compress');
    const error = corruptFrom(() => decodeZipmap(found.blob, found.offset));
    expect(error.detail).toBe('zipmap header count 255 does not match its 2 pairs');
    expect(error.offset).toBe(found.offset);
  });

  it.each(['stream_listpacks_1.rdb', 'stream_listpacks_2.rdb', 'stream_listoacks_3.rdb'])('%s: the uncompressed stream nodes', (name) => {
    const b = file(name);
    const nodes = selfSizedStrings(b).filter((f) => b[f.offset - f.prefix - 17] === 0x10); // 16-byte master ID string before
    expect(nodes.length).toBeGreaterThan(0);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- golden JSON
    const messages = new Map<string, any>();
    for (const record of expectedOf(name)) for (const node of record.entries ?? []) for (const msg of node.msgs) messages.set(msg.id, msg);
    for (const found of nodes) {
      const idBytes = Buffer.from(b.subarray(found.offset - found.prefix - 16, found.offset - found.prefix));
      const masterId = { ms: idBytes.readBigUInt64BE(0), seq: idBytes.readBigUInt64BE(8) };
      const node = decodeStreamListpack(found.blob, masterId, found.offset);
      expect(node.valid + node.deleted).toBe(node.entries.length);
      for (const entry of node.entries) {
        const msg = messages.get(`${entry.id.ms}-${entry.id.seq}`);
        expect(msg, `message ${entry.id.ms}-${entry.id.seq}`).toBeDefined();
        expect(entry.deleted).toBe(msg.deleted);
        const pairs = Object.fromEntries(entry.fields.map((f, i) => [textOf(f), textOf(entry.values[i] as Uint8Array)]));
        expect(pairs).toEqual(msg.fields);
      }
      threeWays(found.blob, (blob, base) => decodeStreamListpack(blob, masterId, base));
    }
  });
});
