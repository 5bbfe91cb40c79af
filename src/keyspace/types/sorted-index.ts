import { PackCursor, joinFlat, packScore, packText } from '../pack.js';

/** Most entries in one block of a {@link SortedIndex}. */
const BLOCK = 128;

/** Order of sorted-set entries: by score, then by member bytes (Redis's zslInsert order). */
export function compareEntry(scoreA: number, memberA: string, scoreB: number, memberB: string): number {
  if (scoreA < scoreB) return -1;
  if (scoreA > scoreB) return 1;
  return memberA < memberB ? -1 : memberA > memberB ? 1 : 0;
}

/** Walks a block: each step reads one (member, score) entry. */
class BlockCursor {
  private readonly c = new PackCursor();
  /** Offset of the current entry. */
  at = 0;
  memberStart = 0;
  memberEnd = 0;
  score = 0;

  reset(pack: string): this {
    this.c.reset(pack);
    return this;
  }

  next(): boolean {
    const c = this.c;
    if (!c.next()) return false;
    this.at = c.at;
    this.memberStart = c.start;
    this.memberEnd = c.end;
    this.score = c.score();
    return true;
  }

  /** Offset after the current entry. */
  get end(): number {
    return this.c.end;
  }

  member(): string {
    // A copy: the block is rebuilt on every edit.
    return joinFlat(this.c.pack.slice(this.memberStart, this.memberEnd));
  }

  /** compareEntry(current, (score, member)). */
  compare(score: number, member: string): number {
    if (this.score < score) return -1;
    if (this.score > score) return 1;
    const pack = this.c.pack;
    const n = Math.min(this.memberEnd - this.memberStart, member.length);
    for (let i = 0; i < n; i++) {
      const d = pack.charCodeAt(this.memberStart + i) - member.charCodeAt(i);
      if (d !== 0) return d;
    }
    return this.memberEnd - this.memberStart - member.length;
  }
}

const cursor = new BlockCursor();

/**
 * The order of a large sorted set: (member, score) entries in sorted blocks of at most 128, each block a
 * pack (member entry then score, see pack.ts), with the blocks' last entries kept aside for a binary
 * search — a one-level B-tree. Finding a position is a binary search over the blocks then a scan of one
 * block; inserting or removing rebuilds one block; ranks sum the block sizes before the block.
 */
export class SortedIndex {
  private packs: string[] = [];
  private counts: number[] = [];
  private lastScores: number[] = [];
  private lastMembers: string[] = [];
  length = 0;

  /** The block that holds (or would hold) the entry, by binary search on the blocks' last entries. */
  private blockFor(score: number, member: string): number {
    let lo = 0;
    let hi = this.packs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntry(this.lastScores[mid] as number, this.lastMembers[mid] as string, score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Stores block `n`; re-reads its last entry when the edit may have changed it. */
  private setBlock(n: number, pack: string, count: number, lastChanged: boolean): void {
    this.packs[n] = pack;
    this.counts[n] = count;
    if (!lastChanged) return;
    cursor.reset(pack);
    let start = 0;
    let end = 0;
    let score = 0;
    while (cursor.next()) {
      start = cursor.memberStart;
      end = cursor.memberEnd;
      score = cursor.score;
    }
    this.lastScores[n] = score;
    this.lastMembers[n] = joinFlat(pack.slice(start, end));
  }

  insert(score: number, member: string): void {
    this.length++;
    const entry = joinFlat(packText(member), packScore(score, false));
    if (this.packs.length === 0) {
      this.packs.push(entry);
      this.counts.push(1);
      this.lastScores.push(score);
      this.lastMembers.push(joinFlat(member));
      return;
    }
    const n = this.blockFor(score, member);
    const pack = this.packs[n] as string;
    let at = pack.length;
    const last = compareEntry(this.lastScores[n] as number, this.lastMembers[n] as string, score, member) < 0;
    if (!last) {
      cursor.reset(pack);
      while (cursor.next()) {
        if (cursor.compare(score, member) >= 0) {
          at = cursor.at;
          break;
        }
      }
    }
    const count = (this.counts[n] as number) + 1;
    const rebuilt = joinFlat(pack.slice(0, at), entry, pack.slice(at));
    if (count <= BLOCK) {
      this.setBlock(n, rebuilt, count, false);
      if (last) {
        // Appended (ascending inserts, as with timestamps as scores): the new entry is the block's last.
        this.lastScores[n] = score;
        this.lastMembers[n] = joinFlat(member);
      }
      return;
    }
    // Split in two halves.
    const half = count >> 1;
    cursor.reset(rebuilt);
    for (let k = 0; k < half; k++) cursor.next();
    const cut = cursor.end;
    this.packs.splice(n + 1, 0, '');
    this.counts.splice(n + 1, 0, 0);
    this.lastScores.splice(n + 1, 0, 0);
    this.lastMembers.splice(n + 1, 0, '');
    this.setBlock(n, joinFlat(rebuilt.slice(0, cut)), half, true);
    this.setBlock(n + 1, joinFlat(rebuilt.slice(cut)), count - half, true);
  }

  /** Removes the entry; false when absent. */
  remove(score: number, member: string): boolean {
    if (this.packs.length === 0) return false;
    const n = this.blockFor(score, member);
    const pack = this.packs[n] as string;
    cursor.reset(pack);
    while (cursor.next()) {
      const d = cursor.compare(score, member);
      if (d < 0) continue;
      if (d > 0) return false;
      const count = (this.counts[n] as number) - 1;
      this.length--;
      if (count === 0) {
        this.packs.splice(n, 1);
        this.counts.splice(n, 1);
        this.lastScores.splice(n, 1);
        this.lastMembers.splice(n, 1);
      } else this.setBlock(n, joinFlat(pack.slice(0, cursor.at), pack.slice(cursor.end)), count, cursor.end === pack.length);
      return true;
    }
    return false;
  }

  /** 0-based rank of an entry that is in the index. */
  rank(score: number, member: string): number {
    const n = this.blockFor(score, member);
    let r = 0;
    for (let i = 0; i < n; i++) r += this.counts[i] as number;
    cursor.reset(this.packs[n] as string);
    while (cursor.next() && cursor.compare(score, member) < 0) r++;
    return r;
  }

  /** The rank of the first entry whose score is ≥ min (> min when exclusive); length when none. */
  firstByScore(min: number, exclusive: boolean): number {
    return this.countWhile((s) => (exclusive ? s <= min : s < min), false);
  }

  /** The rank of the last entry whose score is ≤ max (< max when exclusive); -1 when none. */
  lastByScore(max: number, exclusive: boolean): number {
    return this.countWhile((s) => (exclusive ? s < max : s <= max), false) - 1;
  }

  /**
   * Number of leading entries for which `before(score, member)` holds (it must be monotone). With
   * `needsMember` false the predicate is called with an empty member (saving a copy per entry).
   */
  countWhile(before: (score: number, member: string) => boolean, needsMember = true): number {
    let lo = 0;
    let hi = this.packs.length;
    // First block whose last entry fails the predicate.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.lastScores[mid] as number, this.lastMembers[mid] as string)) lo = mid + 1;
      else hi = mid;
    }
    let r = 0;
    for (let i = 0; i < lo; i++) r += this.counts[i] as number;
    if (lo === this.packs.length) return r;
    cursor.reset(this.packs[lo] as string);
    while (cursor.next() && before(cursor.score, needsMember ? cursor.member() : '')) r++;
    return r;
  }

  /** Entries with rank start..stop (inclusive, within bounds), ascending. */
  *range(start: number, stop: number): IterableIterator<[string, number]> {
    if (start > stop) return;
    let r = 0;
    let n = 0;
    while (n < this.packs.length && r + (this.counts[n] as number) <= start) {
      r += this.counts[n] as number;
      n++;
    }
    let skip = start - r;
    let left = stop - start + 1;
    const c = new BlockCursor();
    for (; n < this.packs.length && left > 0; n++) {
      c.reset(this.packs[n] as string);
      while (left > 0 && c.next()) {
        if (skip > 0) {
          skip--;
          continue;
        }
        left--;
        yield [c.member(), c.score];
      }
    }
  }

  /** Entries with rank start..stop in descending order (start ≥ stop). */
  *rangeReverse(start: number, stop: number): IterableIterator<[string, number]> {
    const items = [...this.range(stop, start)];
    for (let i = items.length - 1; i >= 0; i--) yield items[i] as [string, number];
  }

  *entries(): IterableIterator<[string, number]> {
    const c = new BlockCursor();
    for (const pack of this.packs) {
      c.reset(pack);
      while (c.next()) yield [c.member(), c.score];
    }
  }
}
