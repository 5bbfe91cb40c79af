// cspell:words backlen listpack samefields oconnor
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeListpack, type ListpackEntry } from '../../../src/rdb/listpack.js';
import { decodeStreamListpack, encodeStreamListpack, type StreamEntry, type StreamId, type StreamListpack } from '../../../src/rdb/stream-listpack.js';
import { bytes, decodesOrCorrupt, expectCorrupt, le16, le32, threeWays } from './helpers.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** A readable form of a decoded node. */
function view(node: StreamListpack): unknown {
  return {
    valid: node.valid,
    deleted: node.deleted,
    masterFields: node.masterFields.map(str),
    entries: node.entries.map((e) => ({
      id: `${e.id.ms}-${e.id.seq}`,
      deleted: e.deleted,
      fields: e.fields.map(str),
      values: e.values.map(str),
    })),
  };
}

const master: StreamId = { ms: 1000n, seq: 5n };

/** The node written out element by element, as the stream.c layout comment describes it. */
const items: ListpackEntry[] = [
  // master entry: count, deleted, number of master fields, the fields, 0
  2, 1, 2, text('name'), text('surname'), 0,
  // 1000-5, same fields as the master: flags SAMEFIELDS, ms delta, seq delta, values, lp-count = 2 + 3
  2, 0, 0, text('Sara'), text('OConnor'), 5,
  // 1001-0, own fields: flags 0, deltas (seq delta negative), field count, field/value pairs, lp-count = 2·1 + 4
  0, 1, -5, 1, text('a'), text('1'), 6,
  // 1002-1, deleted, same fields
  3, 2, -4, text('x'), text('y'), 5,
];

const expected = {
  valid: 2,
  deleted: 1,
  masterFields: ['name', 'surname'],
  entries: [
    { id: '1000-5', deleted: false, fields: ['name', 'surname'], values: ['Sara', 'OConnor'] },
    { id: '1001-0', deleted: false, fields: ['a'], values: ['1'] },
    { id: '1002-1', deleted: true, fields: ['name', 'surname'], values: ['x', 'y'] },
  ],
};

const decodeWith =
  (id: StreamId) =>
  (blob: Uint8Array, base: number): StreamListpack =>
    decodeStreamListpack(blob, id, base);

describe('decodeStreamListpack', () => {
  it('decodes a node with same-field, own-field and deleted entries, and passes the three-ways rule', () => {
    const blob = encodeListpack(items);
    expect(view(decodeStreamListpack(blob, master))).toEqual(expected);
    threeWays(blob, decodeWith(master));
  });

  it('rebuilds IDs modulo 2^64 as Redis does', () => {
    const blob = encodeListpack([1, 0, 0, 0, 0, -6, -1n, 0, 4]);
    const [entry] = decodeStreamListpack(blob, { ms: 5n, seq: 0n }).entries;
    expect(entry?.id).toEqual({ ms: 2n ** 64n - 1n, seq: 2n ** 64n - 1n });
  });

  it('accepts counts and flags stored as integer text, as lpGetIntegerIfValid does', () => {
    // Listpack written by hand: "1" as a 6-bit string (0x81 '1' backlen 2) instead of an integer.
    const one = [0x81, 0x31, 0x02];
    const entries = [one, [0x00, 0x01], [0x00, 0x01], [0x00, 0x01], [0x02, 0x01], [0x00, 0x01], [0x00, 0x01], [0x03, 0x01]];
    const body = entries.flat();
    const blob = new Uint8Array([...le32(6 + body.length + 1), ...le16(entries.length), ...body, 0xff]);
    const node = decodeStreamListpack(blob, master);
    expect(node.valid).toBe(1);
    expect(node.entries).toHaveLength(1);
  });

  it('decodes a node whose entries are all deleted', () => {
    const node = decodeStreamListpack(encodeListpack([0, 1, 1, text('f'), 0, 3, 0, 1, text('v'), 4]), master);
    expect(view(node)).toEqual({ valid: 0, deleted: 1, masterFields: ['f'], entries: [{ id: '1000-6', deleted: true, fields: ['f'], values: ['v'] }] });
  });

  it('passes integer fields and values back as their decimal text', () => {
    const node = decodeStreamListpack(encodeListpack([1, 0, 1, 7, 0, 2, 0, 0, -3, 4]), master);
    expect(view(node)).toMatchObject({ masterFields: ['7'], entries: [{ fields: ['7'], values: ['-3'] }] });
  });
});

describe('decodeStreamListpack rejects', () => {
  const base = 400;
  const blobOf = (list: ListpackEntry[]): Uint8Array => encodeListpack(list);
  const decode = (list: ListpackEntry[]) => (): StreamListpack => decodeStreamListpack(blobOf(list), master, base);

  it('an empty listpack', () => {
    expectCorrupt(decode([]), base + 6, 'stream listpack ends where the master entry count was expected');
  });
  it('a malformed listpack underneath', () => {
    expectCorrupt(() => decodeStreamListpack(new Uint8Array([8, 0, 0, 0, 0, 0, 0xff]), master, base), base, 'listpack header says 8 bytes');
  });
  it('a master entry cut short', () => {
    expectCorrupt(decode([1, 0, 2, text('a')]), base + 15, 'ends where master field 1 was expected');
  });
  it('a master terminator that is not 0', () => {
    expectCorrupt(decode([1, 0, 1, text('a'), 7, 2, 0, 0, text('v'), 4]), base + 15, 'stream listpack element 4: master entry terminator is 7, not 0');
  });
  it('a count that is not an integer, or negative', () => {
    expectCorrupt(decode([text('x'), 0, 0, 0]), base + 6, 'stream listpack element 0: the master entry count is not an integer');
    expectCorrupt(decode([1, -1, 0, 0]), base + 8, 'element 1: the master deleted count -1 is not a valid count');
    expectCorrupt(decode([1, 0, 2n ** 60n, 0]), base + 10, 'the master field count 1152921504606846976 is not a valid count');
  });
  it('flags or ID deltas that are not integers', () => {
    expectCorrupt(decode([1, 0, 0, 0, text('f'), 0, 0, 3]), base + 14, 'element 4: the flags of stream entry 0 is not an integer');
    expectCorrupt(decode([1, 0, 0, 0, 2, text('-'), 0, 3]), base + 16, 'element 5: the ms delta of stream entry 0 is not an integer');
  });
  it('an lp-count that does not match the entry', () => {
    expectCorrupt(decode([1, 0, 1, text('a'), 0, 2, 0, 0, text('v'), 5]), base + 26, 'element 9: lp-count 5 of stream entry 0 does not match its 4 elements');
    expectCorrupt(decode([1, 0, 0, 0, 0, 0, 0, 1, text('a'), text('v'), 5]), base + 28, 'lp-count 5 of stream entry 0 does not match its 6 elements');
  });
  it('fewer entries than count + deleted', () => {
    expectCorrupt(decode([2, 0, 0, 0, 2, 0, 0, 3]), base + 22, 'stream listpack ends where the flags of stream entry 1 was expected');
  });
  it('elements after the last entry', () => {
    expectCorrupt(decode([1, 0, 0, 0, 2, 0, 0, 3, 9]), base + 22, 'stream listpack has 1 elements after its last entry');
  });
});

describe('encodeStreamListpack', () => {
  it('builds the node streamAppendItem would build', () => {
    const entries: StreamEntry[] = expected.entries.map((e) => {
      const [ms, seq] = e.id.split('-').map(BigInt) as [bigint, bigint];
      return { id: { ms, seq }, deleted: e.deleted, fields: e.fields.map(text), values: e.values.map(text) };
    });
    expect(encodeStreamListpack(master, entries)).toEqual(encodeListpack(items));
  });

  it('round-trips random nodes', () => {
    const field = fc.oneof(fc.constantFrom('f1', 'f2', '10'), fc.string({ maxLength: 6 })).map(text);
    const entry = fc.record({
      msDelta: fc.bigInt({ min: 0n, max: 2n ** 40n }),
      seq: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      deleted: fc.boolean(),
      pairs: fc.array(fc.tuple(field, fc.oneof(field, fc.uint8Array({ maxLength: 70 }))), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n }), fc.array(entry, { minLength: 1, maxLength: 8 }), (ms, specs) => {
        const masterId = { ms, seq: 0n };
        const entries: StreamEntry[] = specs.map((s) => ({
          id: { ms: ms + s.msDelta, seq: s.seq },
          deleted: s.deleted,
          fields: s.pairs.map(([f]) => f),
          values: s.pairs.map(([, v]) => v),
        }));
        const node = decodeStreamListpack(encodeStreamListpack(masterId, entries), masterId);
        const plain = (list: StreamEntry[]): unknown =>
          list.map((e) => ({ id: e.id, deleted: e.deleted, fields: e.fields.map(str), values: e.values.map(str) }));
        expect(plain(node.entries)).toEqual(plain(entries));
        expect(node.valid + node.deleted).toBe(entries.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('stream listpack fuzzing', () => {
  it('random element lists only ever throw CorruptError', () => {
    const element = fc.oneof(fc.integer({ min: -3, max: 8 }), fc.constantFrom(text('a'), text('b')));
    fc.assert(
      fc.property(fc.array(element, { maxLength: 30 }), (list) => {
        const blob = encodeListpack(list);
        decodesOrCorrupt(() => decodeStreamListpack(blob, master, 11), 11, blob.length, 'random elements');
      }),
      { numRuns: 5000 },
    );
  });

  it('random bytes only ever throw CorruptError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
        const blob = new Uint8Array([...le32(body.length + 7), 0xff, 0xff, ...body, 0xff]);
        decodesOrCorrupt(() => decodeStreamListpack(blob, master), 0, blob.length, 'random bytes');
      }),
      { numRuns: 5000 },
    );
  });

  it('literal bytes of a one-entry node decode', () => {
    // count 1, deleted 0, 1 field "k", 0 | flags 2, 0, 0, "v", lp-count 4
    const body = [0x01, 0x01, 0x00, 0x01, 0x01, 0x01, 0x81, ...bytes('k'), 0x02, 0x00, 0x01, 0x02, 0x01, 0x00, 0x01, 0x00, 0x01, 0x81, ...bytes('v'), 0x02, 0x04, 0x01];
    const blob = new Uint8Array([...le32(body.length + 7), ...le16(10), ...body, 0xff]);
    expect(view(decodeStreamListpack(blob, master))).toEqual({
      valid: 1,
      deleted: 0,
      masterFields: ['k'],
      entries: [{ id: '1000-5', deleted: false, fields: ['k'], values: ['v'] }],
    });
    threeWays(blob, decodeWith(master));
  });
});
