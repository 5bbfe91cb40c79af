/**
 * The model's data structures against plain JS references, under long seeded random operation sequences:
 * packs converting to tables, list nodes splitting and emptying, sorted-set blocks splitting, stream nodes,
 * key tables (inline and referenced values, times, compaction, sharding).
 */
// cspell:words keyspace listpack skiplist
import { describe, expect, it } from 'vitest';
import { HashValue } from '../../src/keyspace/types/hash.js';
import { ListValue } from '../../src/keyspace/types/list.js';
import { SetValue } from '../../src/keyspace/types/set.js';
import { SortedIndex, compareEntry } from '../../src/keyspace/types/sorted-index.js';
import { StreamValue, makeId } from '../../src/keyspace/types/stream.js';
import { DEFAULT_ZSET_LIMITS, ZsetValue } from '../../src/keyspace/types/zset.js';
import { KeyTable } from '../../src/keyspace/table.js';
import { PackCursor, packScore, packText } from '../../src/keyspace/pack.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function element(r: () => number): string {
  const kind = r();
  if (kind < 0.02) return 'L'.repeat(5000 + Math.floor(r() * 3000)); // a node of its own
  if (kind < 0.1) return String.fromCharCode(...Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
  return `e${Math.floor(r() * 50)}`;
}

describe('ListValue', () => {
  for (const seed of [1, 2, 3]) {
    it(`matches an array over random operations (seed ${seed})`, () => {
      const r = prng(seed);
      const list = new ListValue();
      const ref: string[] = [];
      for (let step = 0; step < 4000; step++) {
        const op = Math.floor(r() * 10);
        const e = element(r);
        if (op <= 2) {
          list.pushTail(e);
          ref.push(e);
        } else if (op === 3) {
          list.pushHead(e);
          ref.unshift(e);
        } else if (op === 4) {
          expect(list.popHead()).toBe(ref.shift());
        } else if (op === 5) {
          expect(list.popTail()).toBe(ref.pop());
        } else if (op === 6 && ref.length > 0) {
          const i = Math.floor(r() * ref.length);
          expect(list.get(i)).toBe(ref[i]);
          list.set(i, e);
          ref[i] = e;
        } else if (op === 7) {
          const pivot = `e${Math.floor(r() * 50)}`;
          const after = r() < 0.5;
          const at = ref.indexOf(pivot);
          expect(list.insert(pivot, after, e)).toBe(at >= 0);
          if (at >= 0) ref.splice(after ? at + 1 : at, 0, e);
        } else if (op === 8) {
          const target = `e${Math.floor(r() * 50)}`;
          const count = Math.floor(r() * 5) - 2;
          let removed = 0;
          const limit = count === 0 ? Infinity : Math.abs(count);
          if (count >= 0) {
            for (let i = 0; i < ref.length && removed < limit; ) {
              if (ref[i] === target) {
                ref.splice(i, 1);
                removed++;
              } else i++;
            }
          } else {
            for (let i = ref.length - 1; i >= 0 && removed < limit; i--) {
              if (ref[i] === target) {
                ref.splice(i, 1);
                removed++;
              }
            }
          }
          expect(list.remove(count, target)).toBe(removed);
        } else if (op === 9 && r() < 0.1 && ref.length > 0) {
          const start = Math.floor(r() * ref.length);
          const stop = start + Math.floor(r() * ref.length);
          list.trim(start, Math.min(stop, ref.length - 1));
          ref.splice(0, ref.length, ...ref.slice(start, Math.min(stop, ref.length - 1) + 1));
        }
        expect(list.length).toBe(ref.length);
        if (step % 97 === 0) {
          expect([...list.elements()]).toEqual(ref);
          if (ref.length > 3) expect(list.range(1, ref.length - 2)).toEqual(ref.slice(1, ref.length - 1));
        }
      }
      expect([...list.clone().elements()]).toEqual(ref);
    });
  }
});

describe('SetValue and HashValue', () => {
  it('match Set and Map across the pack → table conversion', () => {
    const r = prng(7);
    const set = new SetValue();
    const setRef = new Set<string>();
    const hash = new HashValue();
    const hashRef = new Map<string, [string, number | undefined]>();
    for (let step = 0; step < 5000; step++) {
      const k = step < 2500 ? `k${Math.floor(r() * 160)}` : element(r);
      const v = element(r);
      if (r() < 0.7) {
        expect(set.add(k)).toBe(!setRef.has(k));
        setRef.add(k);
        expect(hash.set(k, v)).toBe(!hashRef.has(k));
        hashRef.set(k, [v, undefined]);
      } else {
        expect(set.delete(k)).toBe(setRef.delete(k));
        expect(hash.delete(k)).toBe(hashRef.delete(k));
      }
      if (r() < 0.05 && hashRef.has(k)) {
        const when = Math.floor(r() * 1e12);
        hash.setExpire(k, when);
        (hashRef.get(k) as [string, number | undefined])[1] = when;
      }
      expect(set.size).toBe(setRef.size);
      expect(hash.size).toBe(hashRef.size);
    }
    expect([...set.members()].sort()).toEqual([...setRef].sort());
    expect(new Map([...hash.entries()].map(([f, v, w]) => [f, [v, w]]))).toEqual(hashRef);
    expect([...set.clone().members()].sort()).toEqual([...setRef].sort());
  });
});

describe('ZsetValue and SortedIndex', () => {
  for (const listpack of [true, false]) {
    it(`match a sorted array (${listpack ? 'listpack' : 'skiplist'} start)`, () => {
      const r = prng(listpack ? 11 : 12);
      const zset = new ZsetValue(listpack);
      const ref = new Map<string, number>();
      const sorted = (): [string, number][] => [...ref].sort((a, b) => compareEntry(a[1], a[0], b[1], b[0]));
      for (let step = 0; step < 3000; step++) {
        const m = `m${Math.floor(r() * 400)}`;
        if (r() < 0.75) {
          const score = Math.floor(r() * 20) - 10;
          zset.set(m, score, DEFAULT_ZSET_LIMITS);
          ref.set(m, score === 0 ? 0 : score);
        } else {
          expect(zset.delete(m)).toBe(ref.delete(m));
        }
        if (step % 50 === 0) {
          const s = sorted();
          expect(zset.size).toBe(s.length);
          expect([...zset.entries()].map(([mm, sc]) => [mm, sc === 0 ? 0 : sc])).toEqual(s);
          if (s.length > 2) {
            const i = Math.floor(r() * s.length);
            expect(zset.rank((s[i] as [string, number])[0])).toBe(i);
            expect(zset.firstByScore(0, false)).toBe(s.findIndex(([, sc]) => sc >= 0) === -1 ? s.length : s.findIndex(([, sc]) => sc >= 0));
            expect(zset.lastByScore(0, true)).toBe(s.filter(([, sc]) => sc < 0).length - 1);
          }
        }
      }
    });
  }

  it('SortedIndex ranks and ranges over many blocks', () => {
    const r = prng(5);
    const index = new SortedIndex();
    const ref: [number, string][] = [];
    for (let i = 0; i < 5000; i++) {
      const s = Math.floor(r() * 1000);
      const m = `x${i}`;
      index.insert(s, m);
      ref.push([s, m]);
      if (r() < 0.3) {
        const [os, om] = ref.splice(Math.floor(r() * ref.length), 1)[0] as [number, string];
        expect(index.remove(os, om)).toBe(true);
      }
    }
    ref.sort((a, b) => compareEntry(a[0], a[1], b[0], b[1]));
    expect(index.length).toBe(ref.length);
    expect([...index.entries()].map(([m, s]) => [s, m])).toEqual(ref);
    expect([...index.range(100, 200)].map(([m, s]) => [s, m])).toEqual(ref.slice(100, 201));
    expect(index.rank((ref[1234] as [number, string])[0], (ref[1234] as [number, string])[1])).toBe(1234);
  });
});

describe('StreamValue', () => {
  it('appends, finds, deletes and trims entries across nodes', () => {
    const r = prng(9);
    const stream = new StreamValue();
    const ref: string[] = [];
    for (let i = 1; i <= 1500; i++) {
      const id = makeId(BigInt(i), BigInt(i % 3));
      stream.append(id, ['f', 'v'.repeat(Math.floor(r() * 100))]);
      ref.push(id);
      if (r() < 0.2) {
        const victim = ref[Math.floor(r() * ref.length)] as string;
        expect(stream.delete(victim)).toBe(true);
        ref.splice(ref.indexOf(victim), 1);
        expect(stream.has(victim)).toBe(false);
      }
    }
    expect(stream.length).toBe(ref.length);
    expect([...stream.entries()].map((e) => e.id)).toEqual(ref);
    expect(stream.firstEntryId()).toBe(ref[0]);
    expect(stream.lastEntryId()).toBe(ref.at(-1));
    const removed = stream.trimHead((_id, remaining) => remaining > 700);
    expect(removed).toBe(ref.length - 700);
    expect([...stream.entries()].map((e) => e.id)).toEqual(ref.slice(ref.length - 700));
    const cut = ref[ref.length - 300] as string;
    stream.trimHead((id) => id < cut);
    expect(stream.firstEntryId()).toBe(cut);
    expect([...stream.range(ref[ref.length - 200] as string, ref[ref.length - 101] as string)].length).toBe(100);
  });
});

describe('KeyTable', () => {
  type Ref = Map<string, [value: unknown, time: number | undefined]>;

  function check(table: KeyTable<unknown>, ref: Ref): void {
    expect(table.size).toBe(ref.size);
    expect(table.timedCount).toBe([...ref.values()].filter(([, t]) => t !== undefined).length);
    const seen = new Map([...table.entries()].map(([k, v, t]) => [k, [v, t]]));
    expect(seen).toEqual(ref);
    expect([...table.keys()]).toEqual([...table.keys()]); // stable
  }

  for (const [seed, shardAt] of [
    [21, 1 << 24],
    [22, 300],
  ] as const) {
    it(`matches a Map under random operations (seed ${seed}, split at ${shardAt})`, () => {
      const r = prng(seed);
      const table = new KeyTable<unknown>(shardAt);
      const ref: Ref = new Map();
      const object = { list: true };
      const value = (): unknown => {
        const kind = r();
        if (kind < 0.4) return `v${Math.floor(r() * 1000)}`; // short text, inline
        if (kind < 0.5) return 'x'.repeat(Math.floor(r() * 9000)); // long text: inline up to 4 KiB, then a reference
        if (kind < 0.6) return new Uint8Array([1, 2, 3]);
        if (kind < 0.7) return object;
        if (kind < 0.8) return [0, -0, 1.5, -1e300, Infinity, NaN][Math.floor(r() * 6)];
        return undefined; // a bare member
      };
      for (let step = 0; step < 8000; step++) {
        // Phases: grow, churn, shrink (compaction and renumbering), grow again.
        const phase = Math.floor(step / 2000);
        const k = r() < 0.002 ? 'K'.repeat(600_000 + Math.floor(r() * 10)) : `key:${Math.floor(r() * 1500)}`;
        const op = r();
        const removing = phase === 2 ? 0.84 : 0.3;
        if (op < removing) {
          expect(table.delete(k)).toBe(ref.delete(k));
        } else if (op < 0.85) {
          const v = value();
          const keep = r() < 0.2;
          const isNew = v === undefined ? table.add(k) : table.set(k, v, keep);
          expect(isNew).toBe(!ref.has(k));
          const old = ref.get(k);
          ref.set(k, [v, v === undefined || keep ? old?.[1] : undefined]);
        } else if (op < 0.95) {
          const t = Math.floor(r() * 1e13);
          expect(table.setTime(k, t)).toBe(ref.has(k));
          const e = ref.get(k);
          if (e) e[1] = t;
        } else {
          const e = ref.get(k);
          expect(table.clearTime(k)).toBe(e?.[1] !== undefined);
          if (e) e[1] = undefined;
        }
        expect(table.get(k)).toEqual(ref.get(k)?.[0]);
        expect(table.has(k)).toBe(ref.has(k));
        expect(table.timeOf(k)).toBe(ref.get(k)?.[1]);
        if (step % 2000 === 1999) check(table, ref);
      }
      check(table, ref);
      const stats = table.stats();
      expect(stats.shards).toBe(shardAt === 300 ? 64 : 1);
      if (shardAt !== 300) {
        // (64 shards of a few dozen entries each stay below the thresholds)
        expect(stats.compactions).toBeGreaterThan(0);
        expect(stats.renumbers).toBeGreaterThan(0);
      }
      table.clear();
      expect(table.size).toBe(0);
      expect([...table.entries()]).toEqual([]);
    });
  }

  it('lets entries be deleted while iterating', () => {
    const table = new KeyTable<number>();
    for (let i = 0; i < 5000; i++) table.set(`k${i}`, i);
    let visited = 0;
    for (const [k, v] of table) {
      visited++;
      if (v % 4 !== 0) table.delete(k);
    }
    expect(visited).toBe(5000);
    expect(table.size).toBe(1250);
    expect([...table.values()].every((v) => v % 4 === 0)).toBe(true);
  });
});

describe('packed scores', () => {
  it('read back exactly (integers, short decimals, any double, -0, infinities)', () => {
    const r = prng(31);
    const values = [0, -0, 1, -1, -96, -97, 127, 128, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 1.5, 0.1, -0.001, 1e21, 5e-324, Infinity, -Infinity, Number.MAX_VALUE];
    for (let i = 0; i < 2000; i++) values.push((r() - 0.5) * 10 ** Math.floor(r() * 40 - 20), Math.round((r() - 0.5) * 1000) / 4);
    const pack = values.map((v) => packText('m') + packScore(v)).join('');
    const c = new PackCursor().reset(pack);
    const back: number[] = [];
    while (c.next()) back.push(c.score());
    expect(back.length).toBe(values.length);
    for (let i = 0; i < values.length; i++) expect(Object.is(back[i], values[i])).toBe(true);
    expect(packScore(1.5).length).toBe(4); // a tag and "1.5"
  });
});

describe('bulk builders (RDB loading)', () => {
  it('build the same values as element-by-element adds', () => {
    const r = prng(41);
    for (let round = 0; round < 60; round++) {
      const n = Math.floor(r() * 300);
      const items = Array.from({ length: n }, () => (r() < 0.5 ? `m${Math.floor(r() * n)}` : element(r)));
      const scores = items.map(() => (r() < 0.1 ? -0 : Math.floor(r() * 10) / 2));

      const list = new ListValue();
      if (r() < 0.5) list.pushTail('first');
      const listRef = [...list.elements()];
      list.pushTailAll(items);
      expect([...list.elements()]).toEqual([...listRef, ...items]);
      expect(list.length).toBe(listRef.length + items.length);

      const set = new SetValue();
      set.addAll(items);
      expect(set.size).toBe(new Set(items).size);
      expect([...set.members()].sort()).toEqual([...new Set(items)].sort());

      const pairs = items.flatMap((f, i) => [f, `v${i}`]);
      const hash = new HashValue();
      hash.setAll(pairs);
      const hashRef = new Map<string, string>();
      for (let i = 0; i < pairs.length; i += 2) hashRef.set(pairs[i] as string, pairs[i + 1] as string);
      expect(new Map([...hash.entries()].map(([f, v]) => [f, v]))).toEqual(hashRef);

      const zset = ZsetValue.fromEntries(items, scores, DEFAULT_ZSET_LIMITS);
      const zsetRef = new ZsetValue(false);
      items.forEach((m, i) => zsetRef.set(m, scores[i] as number, DEFAULT_ZSET_LIMITS));
      zsetRef.convertToListpackIfNeeded(DEFAULT_ZSET_LIMITS);
      expect(zset.listpack).toBe(zsetRef.listpack);
      expect([...zset.entries()].map(([m, s]) => [m, Object.is(s, -0) ? '-0' : s])).toEqual([...zsetRef.entries()].map(([m, s]) => [m, Object.is(s, -0) ? '-0' : s]));
    }
  });
});
