/**
 * MemberSet against a plain reference (a Map of latin1 strings): the first member equal to an earlier one,
 * whether the members stay in memory, spill to parts, or spill to parts that must be split again; members
 * of every length, some longer than a part's buffer.
 */
import { describe, expect, it } from 'vitest';
import { MemberSet } from '../../src/io/member-set.js';

const latin1 = new TextDecoder('latin1');

/** A deterministic member list with duplicates planted at the given (first, second) index pairs. */
function members(count: number, seed: number, longEvery = 0): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = longEvery > 0 && i % longEvery === 7 ? 70_000 + (next() % 10_000) : next() % 40;
    const m = new Uint8Array(length + 4);
    for (let k = 0; k < length; k++) m[k] = next() & 0xff;
    // The index makes every member distinct.
    m[length] = i & 0xff;
    m[length + 1] = (i >>> 8) & 0xff;
    m[length + 2] = (i >>> 16) & 0xff;
    m[length + 3] = (i >>> 24) & 0xff;
    out.push(m);
  }
  return out;
}

/** Index of the first member equal to an earlier one, or -1. */
function reference(items: Uint8Array[]): number {
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const key = latin1.decode(items[i]);
    if (seen.has(key)) return i;
    seen.add(key);
  }
  return -1;
}

/**
 * Adds the members at offsets 10 * index; the offset of the first duplicate, or -1. `expected` is the count
 * announced at reset: a low one makes too few parts, which must then be split again.
 */
function firstDuplicate(set: MemberSet, items: Uint8Array[], expected = items.length): number {
  set.reset(expected);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Uint8Array;
    if (!set.add(item, 0, item.length, 10 * i)) {
      set.finish();
      return 10 * i;
    }
  }
  return set.finish();
}

describe('MemberSet', () => {
  it('finds the first duplicate in memory, spilled, and spilled with parts split again', () => {
    const set = new MemberSet({ memoryBytes: 64 * 1024 });
    const tiny = new MemberSet({ memoryBytes: 4096 });
    const roomy = new MemberSet({ memoryBytes: 64 * 1024 * 1024 });
    for (let round = 0; round < 6; round++) {
      const items = members(round < 3 ? 2000 : 25_000, round + 1, round % 3 === 2 ? 2000 : 0);
      const pairs: [number, number][] = [[-1, -1], [0, items.length - 1], [items.length - 2, items.length - 1], [5, 6], [100, items.length >> 1]];
      for (const [first, second] of pairs) {
        const copy = items.slice();
        if (first >= 0) copy[second] = Uint8Array.from(copy[first] as Uint8Array);
        // A second, later duplicate must not hide the first.
        if (first >= 0 && second + 3 < copy.length) copy[second + 3] = Uint8Array.from(copy[first + 1] as Uint8Array);
        const expected = reference(copy);
        const want = expected < 0 ? -1 : 10 * expected;
        for (const s of [set, tiny, roomy]) expect(firstDuplicate(s, copy), `round ${round}, pair ${first}/${second}`).toBe(want);
        expect(firstDuplicate(set, copy, 10), `round ${round}, pair ${first}/${second}, split`).toBe(want);
      }
    }
    for (const s of [set, tiny, roomy]) s.close();
  });

  it('tells equal bytes from equal hashes: members sharing a prefix, or one a prefix of another, are distinct', () => {
    const items: Uint8Array[] = [];
    for (let i = 0; i < 30_000; i++) items.push(new TextEncoder().encode(`${'k'.repeat(i % 50)}${i % 7 === 0 ? '' : String(i)}`));
    const set = new MemberSet({ memoryBytes: 4096 });
    expect(firstDuplicate(set, items)).toBe(10 * reference(items));
    set.close();
  });

  it('is used again after close: a new spill file is made', () => {
    const set = new MemberSet({ memoryBytes: 4096 });
    const items = members(20_000, 99);
    expect(firstDuplicate(set, items)).toBe(-1);
    set.close();
    items[19_999] = Uint8Array.from(items[3] as Uint8Array);
    expect(firstDuplicate(set, items)).toBe(10 * 19_999);
    set.close();
  });
});
