/**
 * The blob encoders as a set: decode(encode(x)) = x, and what an encoder writes is its own canonical form —
 * encode(decode(bytes)) = bytes for every blob it produced (test/rdb/canonical.test.ts checks the same
 * on blobs written by Redis).
 */
// cspell:words listpack ziplist intset zipmap
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryKey, type BlobEntry } from '../../../src/rdb/blob-common.js';
import { decodeIntset, encodeIntset } from '../../../src/rdb/intset.js';
import { decodeListpack, encodeListpack } from '../../../src/rdb/listpack.js';
import { decodeStreamListpack, encodeStreamListpack, type StreamEntry } from '../../../src/rdb/stream-listpack.js';
import { decodeZiplist, encodeZiplist } from '../../../src/rdb/ziplist.js';
import { decodeZipmap, encodeZipmap } from '../../../src/rdb/zipmap.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const entry: fc.Arbitrary<BlobEntry> = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.oneof(fc.integer(), int64).map((n) => text(String(n))),
  fc.constantFrom('', '-0', '007', '+1', ' 1', 'x'.repeat(70), 'y'.repeat(5000)).map(text),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  int64,
);
/** Entries compared by value: integer text and integers are the same element, as in Redis. */
const values = (entries: readonly BlobEntry[]): string[] => entries.map(entryKey);

describe('blob encoders: decode(encode(x)) = x, and encode(decode(bytes)) = bytes for their own output (property)', () => {
  it('listpack', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), (entries) => {
        const blob = encodeListpack(entries);
        const decoded = decodeListpack(blob);
        expect(values(decoded)).toEqual(values(entries));
        expect(encodeListpack(decoded)).toEqual(blob);
      }),
      { numRuns: 300 },
    );
  });

  it('ziplist, in the current and the Redis 2.4 integer forms', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), fc.boolean(), (entries, before26) => {
        const blob = encodeZiplist(entries, { before26 });
        const decoded = decodeZiplist(blob);
        expect(values(decoded)).toEqual(values(entries));
        expect(encodeZiplist(decoded, { before26 })).toEqual(blob);
      }),
      { numRuns: 300 },
    );
  });

  it('intset', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(fc.integer(), int64), { minLength: 1, maxLength: 60, selector: (v) => v.toString() }), (members) => {
        const blob = encodeIntset(members);
        const decoded = decodeIntset(blob);
        expect(decoded.map(String)).toEqual(members.map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String));
        expect(encodeIntset(decoded)).toEqual(blob);
      }),
    );
  });

  it('zipmap', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 })), { minLength: 1, maxLength: 20, selector: ([f]) => entryKey(f) }), (pairs) => {
        const flat = pairs.flat();
        const blob = encodeZipmap(flat);
        const decoded = decodeZipmap(blob);
        expect(values(decoded)).toEqual(values(flat));
        expect(encodeZipmap(decoded)).toEqual(blob);
      }),
      { numRuns: 200 },
    );
  });

  it('stream listpack node', () => {
    const field = fc.oneof(fc.constantFrom('temp', 'city', 'n', '12'), fc.string({ maxLength: 8 })).map(text);
    const streamEntry = fc.record({
      deleted: fc.boolean(),
      ms: fc.bigInt({ min: 0n, max: 1n << 40n }),
      seq: fc.bigInt({ min: 0n, max: 1000n }),
      pairs: fc.uniqueArray(fc.tuple(field, fc.oneof(field, fc.integer().map((n) => text(String(n))))), { minLength: 1, maxLength: 4, selector: ([f]) => entryKey(f) }),
    });
    fc.assert(
      fc.property(fc.array(streamEntry, { minLength: 1, maxLength: 12 }), (raw) => {
        const master = { ms: 1000n, seq: 0n };
        let ms = master.ms;
        const entries: StreamEntry[] = raw.map((e) => {
          ms += e.ms;
          return { id: { ms, seq: e.seq }, deleted: e.deleted, fields: e.pairs.map(([f]) => f), values: e.pairs.map(([, v]) => v) };
        });
        const blob = encodeStreamListpack(master, entries);
        const node = decodeStreamListpack(blob, master);
        const show = (list: readonly StreamEntry[]): unknown => list.map((e) => [`${e.id.ms}-${e.id.seq}`, e.deleted, values(e.fields), values(e.values)]);
        expect(show(node.entries)).toEqual(show(entries));
        expect(encodeStreamListpack(master, node.entries, node.masterFields)).toEqual(blob);
      }),
      { numRuns: 300 },
    );
  });
});
