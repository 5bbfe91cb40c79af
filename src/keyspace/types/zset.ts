// cspell:words listpack skiplist zset zsets
import { PackCursor, joinFlat, packScore, packText } from '../pack.js';
import { KeyTable } from '../table.js';
import { SortedIndex, compareEntry } from './sorted-index.js';

/** Redis's `zset-max-listpack-entries` / `zset-max-listpack-value` (7.0 defaults 128 and 64). */
export interface ZsetLimits {
  entries: number;
  value: number;
}

export const DEFAULT_ZSET_LIMITS: ZsetLimits = { entries: 128, value: 64 };

const cursor = new PackCursor();

/** A lexicographic range bound, as ZRANGEBYLEX takes it: `-`, `+`, `[x` or `(x`. */
export interface LexBound {
  /** -Infinity for '-', +Infinity for '+', else the member. */
  value: string | number;
  exclusive: boolean;
}

function gteMin(member: string, min: LexBound): boolean {
  if (min.value === -Infinity) return true;
  if (min.value === Infinity) return false;
  return min.exclusive ? member > (min.value as string) : member >= (min.value as string);
}

function lteMax(member: string, max: LexBound): boolean {
  if (max.value === Infinity) return true;
  if (max.value === -Infinity) return false;
  return max.exclusive ? member < (max.value as string) : member <= (max.value as string);
}

/** sdscmplex on two bounds: -∞ and +∞ sort before and after every member. */
function compareBounds(a: LexBound, b: LexBound): number {
  if (a.value === b.value) return 0;
  if (a.value === -Infinity || b.value === Infinity) return -1;
  if (a.value === Infinity || b.value === -Infinity) return 1;
  return (a.value as string) < (b.value as string) ? -1 : 1;
}

/**
 * zslIsInLexRange / zzlIsInLexRange: false when the range is empty by its bounds, or when the last member is
 * below min or the first above max (Redis checks only those two ends, whatever the members between).
 */
function mayBeInLexRange(first: string | undefined, last: string | undefined, min: LexBound, max: LexBound): boolean {
  const cmp = compareBounds(min, max);
  if (cmp > 0 || (cmp === 0 && (min.exclusive || max.exclusive))) return false;
  if (last === undefined || !gteMin(last, min)) return false;
  if (first === undefined || !lteMax(first, max)) return false;
  return true;
}

/** The skiplist form: members to scores, and the order. */
interface Skiplist {
  dict: KeyTable<number>;
  index: SortedIndex;
}

/**
 * A sorted set. It mirrors Redis's two encodings because one difference between them is visible: a listpack
 * stores a score that is an integer as an integer, so a -0 score becomes 0, while a skiplist keeps -0.
 * - "listpack" form: a pack of (member, 8-byte double) pairs in (score, member) order, used exactly when
 *   Redis would use a listpack (see {@link ZsetLimits} and the conversions in the commands);
 * - "skiplist" form: a {@link KeyTable} of members to scores plus a {@link SortedIndex} for the order.
 */
export class ZsetValue {
  /** The listpack form (a pack), or the skiplist form. */
  private data: string | Skiplist;

  /** A new empty sorted set in the listpack form (true) or the skiplist form (false). */
  constructor(listpack = true) {
    this.data = listpack ? '' : { dict: new KeyTable(), index: new SortedIndex() };
  }

  get type(): 'zset' {
    return 'zset';
  }

  /** True in the listpack form. */
  get listpack(): boolean {
    return typeof this.data === 'string';
  }

  private get packed(): string | undefined {
    return typeof this.data === 'string' ? this.data : undefined;
  }

  private set packed(pack: string) {
    this.data = pack;
  }

  private get dict(): KeyTable<number> | undefined {
    return typeof this.data === 'string' ? undefined : this.data.dict;
  }

  private get index(): SortedIndex | undefined {
    return typeof this.data === 'string' ? undefined : this.data.index;
  }

  /** Members in the pack (counted: a field of the instance would cost 8 bytes per sorted set). */
  private get count(): number {
    const c = new PackCursor().reset(this.data as string);
    let n = 0;
    while (c.next()) {
      c.score();
      n++;
    }
    return n;
  }

  get size(): number {
    return this.dict ? this.dict.size : this.count;
  }

  score(member: string): number | undefined {
    if (this.dict) return this.dict.get(member);
    cursor.reset(this.packed as string);
    while (cursor.next()) {
      const match = cursor.equalsText(member);
      const s = cursor.score();
      if (match) return s;
    }
    return undefined;
  }

  /**
   * Inserts or updates `member` with `score`, converting to the skiplist form first when Redis would
   * (more than `limits.entries` members, or a member longer than `limits.value`). Returns the score stored.
   */
  set(member: string, score: number, limits: ZsetLimits): number {
    if (this.packed !== undefined) {
      const old = this.score(member);
      if (old === score) return old;
      if (old === undefined && (this.count + 1 > limits.entries || member.length > limits.value)) this.toSkiplist();
    }
    if (this.packed !== undefined) {
      const stored = score === 0 ? 0 : score; // a listpack stores integral scores as integers: -0 becomes 0
      this.deletePacked(member);
      const pack = this.packed;
      cursor.reset(pack);
      let at = pack.length;
      while (cursor.next()) {
        const start = cursor.at;
        const byMember = cursor.compareText(member);
        const s = cursor.score();
        if (s > stored || (s === stored && byMember > 0)) {
          at = start;
          break;
        }
      }
      this.packed = joinFlat(pack.slice(0, at), packText(member), packScore(stored), pack.slice(at));
      return stored;
    }
    const dict = this.dict as KeyTable<number>;
    const index = this.index as SortedIndex;
    const old = dict.get(member);
    if (old !== undefined) {
      if (old === score) return old; // Redis updates only when score != curscore (so 0 and -0 are the same)
      index.remove(old, member);
    }
    dict.set(member, score);
    index.insert(score, member);
    return score;
  }

  /** Removes `member`; true when it was there. */
  delete(member: string): boolean {
    if (this.packed !== undefined) return this.deletePacked(member);
    const dict = this.dict as KeyTable<number>;
    const old = dict.get(member);
    if (old === undefined) return false;
    dict.delete(member);
    (this.index as SortedIndex).remove(old, member);
    return true;
  }

  private deletePacked(member: string): boolean {
    const pack = this.packed as string;
    cursor.reset(pack);
    while (cursor.next()) {
      const at = cursor.at;
      const match = cursor.equalsText(member);
      cursor.score();
      if (!match) continue;
      this.packed = joinFlat(pack.slice(0, at), pack.slice(cursor.end));
      return true;
    }
    return false;
  }

  /** 0-based ascending rank of `member`, or undefined. */
  rank(member: string): number | undefined {
    if (this.dict) {
      const s = this.dict.get(member);
      return s === undefined ? undefined : (this.index as SortedIndex).rank(s, member);
    }
    cursor.reset(this.packed as string);
    let r = 0;
    while (cursor.next()) {
      const match = cursor.equalsText(member);
      cursor.score();
      if (match) return r;
      r++;
    }
    return undefined;
  }

  private packedItems(): [string, number][] {
    const out: [string, number][] = [];
    const c = new PackCursor().reset(this.packed as string);
    while (c.next()) {
      const m = c.text();
      out.push([m, c.score()]);
    }
    return out;
  }

  /** Entries with ranks start..stop (inclusive, resolved, within bounds), ascending. */
  range(start: number, stop: number): [string, number][] {
    if (start > stop) return [];
    if (this.packed !== undefined) return this.packedItems().slice(start, stop + 1);
    return [...(this.index as SortedIndex).range(start, stop)];
  }

  /** Rank of the first entry with score ≥ min (> min when exclusive); size when none. */
  firstByScore(min: number, exclusive: boolean): number {
    if (this.packed === undefined) return (this.index as SortedIndex).firstByScore(min, exclusive);
    const items = this.packedItems();
    const i = items.findIndex(([, s]) => (exclusive ? s > min : s >= min));
    return i < 0 ? items.length : i;
  }

  /** Rank of the last entry with score ≤ max (< max when exclusive); -1 when none. */
  lastByScore(max: number, exclusive: boolean): number {
    if (this.packed === undefined) return (this.index as SortedIndex).lastByScore(max, exclusive);
    const items = this.packedItems();
    let last = -1;
    for (let i = 0; i < items.length; i++) if (exclusive ? (items[i] as [string, number])[1] < max : (items[i] as [string, number])[1] <= max) last = i;
    return last;
  }

  /**
   * The ranks [first, last] of the entries in a lex range, found as Redis finds them (the listpack scans
   * from the head; the skiplist descends assuming member order, which holds when all scores are equal).
   * first > last when the range is empty.
   */
  lexRange(min: LexBound, max: LexBound, forDelete = false): [number, number] {
    if (this.packed !== undefined) {
      const items = this.packedItems();
      if (!mayBeInLexRange(items[0]?.[0], items.at(-1)?.[0], min, max)) return [0, -1];
      let first = -1;
      for (let i = 0; i < items.length; i++) {
        if (gteMin((items[i] as [string, number])[0], min)) {
          first = i;
          break;
        }
      }
      if (first < 0 || !lteMax((items[first] as [string, number])[0], max)) return [0, -1];
      let last = first;
      while (last + 1 < items.length && lteMax((items[last + 1] as [string, number])[0], max)) last++;
      return [first, last];
    }
    const index = this.index as SortedIndex;
    if (!forDelete && !mayBeInLexRange(this.edge(true), this.edge(false), min, max)) return [0, -1];
    const first = index.countWhile((_s, m) => !gteMin(m, min));
    let last = first - 1;
    for (const [m] of index.range(first, index.length - 1)) {
      if (!lteMax(m, max)) break;
      last++;
    }
    return last < first ? [0, -1] : [first, last];
  }

  /**
   * The ranks [first, last] of a lex range searched from the tail, as ZRANGE … BYLEX REV does (the last
   * entry ≤ max must be ≥ min; then backwards while ≥ min). first > last when empty.
   */
  lexRangeReverse(min: LexBound, max: LexBound): [number, number] {
    const items = this.packed !== undefined ? this.packedItems() : [...(this.index as SortedIndex).entries()];
    if (!mayBeInLexRange(items[0]?.[0], items.at(-1)?.[0], min, max)) return [0, -1];
    let last = -1;
    if (this.packed !== undefined) {
      for (let i = items.length - 1; i >= 0; i--) {
        if (lteMax((items[i] as [string, number])[0], max)) {
          last = i;
          break;
        }
      }
    } else {
      last = (this.index as SortedIndex).countWhile((_s, m) => lteMax(m, max)) - 1;
    }
    if (last < 0 || !gteMin((items[last] as [string, number])[0], min)) return [0, -1];
    let first = last;
    while (first - 1 >= 0 && gteMin((items[first - 1] as [string, number])[0], min)) first--;
    return [first, last];
  }

  /** The first (or last) member in order, or undefined when empty. */
  private edge(first: boolean): string | undefined {
    const n = this.size;
    if (n === 0) return undefined;
    const [entry] = this.range(first ? 0 : n - 1, first ? 0 : n - 1);
    return entry?.[0];
  }

  /** Every (member, score), ascending. */
  *entries(): IterableIterator<[string, number]> {
    if (this.packed !== undefined) {
      yield* this.packedItems();
      return;
    }
    yield* (this.index as SortedIndex).entries();
  }

  /**
   * A sorted set of members with scores (a later duplicate member updates the score as ZADD would), in the form Redis ends up with
   * after loading one from an RDB file: a listpack when within both limits (-0 scores become 0), else a
   * skiplist.
   */
  static fromEntries(members: readonly string[], scores: readonly number[], limits: ZsetLimits): ZsetValue {
    const unique = new Map<string, number>();
    let longest = 0;
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as string;
      const score = scores[i] as number;
      if (unique.get(m) !== score) unique.set(m, score); // as set(): an equal score (0 and -0) is no update
      if (m.length > longest) longest = m.length;
    }
    if (unique.size <= limits.entries && longest <= limits.value) {
      const sorted = [...unique].map(([m, sc]): [string, number] => [m, sc === 0 ? 0 : sc]).sort((a, b) => compareEntry(a[1], a[0], b[1], b[0]));
      const parts: string[] = [];
      for (const [m, sc] of sorted) parts.push(packText(m), packScore(sc));
      const zset = new ZsetValue(true);
      zset.data = joinFlat(...parts);
      return zset;
    }
    const zset = new ZsetValue(false);
    for (const [m, sc] of unique) zset.set(m, sc, limits);
    return zset;
  }

  /** Converts to the skiplist form (Redis's zsetConvert to OBJ_ENCODING_SKIPLIST). */
  toSkiplist(): void {
    if (this.packed === undefined) return;
    const items = this.packedItems();
    const dict = new KeyTable<number>();
    const index = new SortedIndex();
    for (const [m, s] of items) {
      dict.set(m, s);
      index.insert(s, m);
    }
    this.data = { dict, index };
  }

  /** Converts to the listpack form (scores that are -0 become 0). */
  toListpack(): void {
    if (this.packed !== undefined) return;
    const parts: string[] = [];
    for (const [m, s] of (this.index as SortedIndex).entries()) parts.push(packText(m), packScore(s === 0 ? 0 : s));
    this.data = joinFlat(...parts);
  }

  /**
   * Redis's zsetConvertToListpackIfNeeded, after the *STORE commands and on RDB load: to the listpack form
   * when within both limits.
   */
  convertToListpackIfNeeded(limits: ZsetLimits): void {
    if (this.packed !== undefined) return;
    if (this.size > limits.entries) return;
    for (const m of (this.dict as KeyTable<number>).keys()) if (m.length > limits.value) return;
    this.toListpack();
  }

  clone(): ZsetValue {
    const copy = new ZsetValue(this.packed !== undefined);
    if (this.packed !== undefined) {
      copy.packed = this.packed;
    } else {
      for (const [m, s] of this.entries()) {
        (copy.dict as KeyTable<number>).set(m, s);
        (copy.index as SortedIndex).insert(s, m);
      }
    }
    return copy;
  }
}
