/** Most entries in one block of a {@link SortedIndex}. */
const BLOCK = 256;

interface Block {
  members: string[];
  scores: number[];
}

/** Order of sorted-set entries: by score, then by member bytes (Redis's zslInsert order). */
export function compareEntry(scoreA: number, memberA: string, scoreB: number, memberB: string): number {
  if (scoreA < scoreB) return -1;
  if (scoreA > scoreB) return 1;
  return memberA < memberB ? -1 : memberA > memberB ? 1 : 0;
}

/**
 * The order of a large sorted set: (score, member) pairs in sorted blocks of at most 256, a one-level B-tree.
 * Finding a position is a binary search over the blocks' last entries then within a block; inserting or
 * removing moves at most one block's entries; ranks sum the block sizes before the block.
 */
export class SortedIndex {
  private blocks: Block[] = [];
  length = 0;

  /** The block that holds (or would hold) the entry, by binary search on the blocks' last entries. */
  private blockFor(score: number, member: string): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.blocks[mid] as Block;
      const last = b.members.length - 1;
      if (compareEntry(b.scores[last] as number, b.members[last] as string, score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static positionIn(b: Block, score: number, member: string): number {
    let lo = 0;
    let hi = b.members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntry(b.scores[mid] as number, b.members[mid] as string, score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(score: number, member: string): void {
    this.length++;
    if (this.blocks.length === 0) {
      this.blocks.push({ members: [member], scores: [score] });
      return;
    }
    const n = this.blockFor(score, member);
    const b = this.blocks[n] as Block;
    const at = SortedIndex.positionIn(b, score, member);
    b.members.splice(at, 0, member);
    b.scores.splice(at, 0, score);
    if (b.members.length > BLOCK) {
      const half = b.members.length >> 1;
      this.blocks.splice(n + 1, 0, { members: b.members.splice(half), scores: b.scores.splice(half) });
    }
  }

  /** Removes the entry; false when absent. */
  remove(score: number, member: string): boolean {
    if (this.blocks.length === 0) return false;
    const n = this.blockFor(score, member);
    const b = this.blocks[n] as Block;
    const at = SortedIndex.positionIn(b, score, member);
    if (b.members[at] !== member || b.scores[at] !== score) return false;
    b.members.splice(at, 1);
    b.scores.splice(at, 1);
    this.length--;
    if (b.members.length === 0) this.blocks.splice(n, 1);
    return true;
  }

  /** 0-based rank of an entry that is in the index. */
  rank(score: number, member: string): number {
    const n = this.blockFor(score, member);
    let r = 0;
    for (let i = 0; i < n; i++) r += (this.blocks[i] as Block).members.length;
    return r + SortedIndex.positionIn(this.blocks[n] as Block, score, member);
  }

  /** The rank of the first entry whose score is ≥ min (> min when exclusive); length when none. */
  firstByScore(min: number, exclusive: boolean): number {
    return this.countWhile((s) => (exclusive ? s <= min : s < min));
  }

  /** The rank of the last entry whose score is ≤ max (< max when exclusive); -1 when none. */
  lastByScore(max: number, exclusive: boolean): number {
    return this.countWhile((s) => (exclusive ? s < max : s <= max)) - 1;
  }

  /** Number of leading entries for which `before(score, member)` holds (it must be monotone). */
  countWhile(before: (score: number, member: string) => boolean): number {
    let r = 0;
    let lo = 0;
    let hi = this.blocks.length;
    // First block whose last entry fails the predicate.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = this.blocks[mid] as Block;
      const last = b.members.length - 1;
      if (before(b.scores[last] as number, b.members[last] as string)) lo = mid + 1;
      else hi = mid;
    }
    for (let i = 0; i < lo; i++) r += (this.blocks[i] as Block).members.length;
    if (lo === this.blocks.length) return r;
    const b = this.blocks[lo] as Block;
    let a = 0;
    let z = b.members.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (before(b.scores[mid] as number, b.members[mid] as string)) a = mid + 1;
      else z = mid;
    }
    return r + a;
  }

  /** Entries with rank start..stop (inclusive, within bounds), ascending. */
  *range(start: number, stop: number): IterableIterator<[string, number]> {
    if (start > stop) return;
    let r = 0;
    let n = 0;
    while (n < this.blocks.length && r + (this.blocks[n] as Block).members.length <= start) {
      r += (this.blocks[n] as Block).members.length;
      n++;
    }
    let i = start - r;
    let left = stop - start + 1;
    for (; n < this.blocks.length && left > 0; n++, i = 0) {
      const b = this.blocks[n] as Block;
      for (; i < b.members.length && left > 0; i++, left--) yield [b.members[i] as string, b.scores[i] as number];
    }
  }

  /** Entries with rank start..stop in descending order (start ≥ stop). */
  *rangeReverse(start: number, stop: number): IterableIterator<[string, number]> {
    const items = [...this.range(stop, start)];
    for (let i = items.length - 1; i >= 0; i--) yield items[i] as [string, number];
  }

  *entries(): IterableIterator<[string, number]> {
    for (const b of this.blocks) for (let i = 0; i < b.members.length; i++) yield [b.members[i] as string, b.scores[i] as number];
  }
}
