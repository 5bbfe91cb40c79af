import { PackCursor, packText } from '../pack.js';
import { BinSet } from '../table.js';

/** Members a packed set holds before it becomes a hashed set. */
const PACKED_ENTRIES = 128;
/** Pack bytes a packed set holds before it becomes a hashed set. */
const PACKED_BYTES = 4096;

const cursor = new PackCursor();

/**
 * A set of binary strings: a pack (linear lookups) while small, then a {@link BinSet}. Members keep their
 * insertion order in both forms, which makes walks stable.
 */
export class SetValue {
  readonly type = 'set' as const;
  private packed: string | undefined = '';
  private count = 0;
  private table: BinSet | undefined;

  get size(): number {
    return this.table ? this.table.size : this.count;
  }

  has(member: string): boolean {
    if (this.table) return this.table.has(member);
    cursor.reset(this.packed as string);
    while (cursor.next()) if (cursor.equalsText(member)) return true;
    return false;
  }

  /** Adds `member`; true when it was new. */
  add(member: string): boolean {
    if (this.table) return this.table.add(member);
    if (this.has(member)) return false;
    const entry = packText(member);
    if (this.count + 1 > PACKED_ENTRIES || (this.packed as string).length + entry.length > PACKED_BYTES) {
      this.toTable();
      return (this.table as unknown as BinSet).add(member);
    }
    this.packed += entry;
    this.count++;
    return true;
  }

  /** Removes `member`; true when it was there. */
  delete(member: string): boolean {
    if (this.table) return this.table.delete(member);
    const pack = this.packed as string;
    cursor.reset(pack);
    while (cursor.next()) {
      if (!cursor.equalsText(member)) continue;
      this.packed = pack.slice(0, cursor.at) + pack.slice(cursor.end);
      this.count--;
      return true;
    }
    return false;
  }

  /** Every member, in insertion order. */
  *members(): IterableIterator<string> {
    if (this.table) {
      yield* this.table.values();
      return;
    }
    const c = new PackCursor().reset(this.packed as string);
    while (c.next()) yield c.text();
  }

  /** True while the set is packed (a writer may choose a compact encoding). */
  get compact(): boolean {
    return this.table === undefined;
  }

  clone(): SetValue {
    const copy = new SetValue();
    if (this.table) {
      copy.packed = undefined;
      copy.table = new BinSet();
      for (const m of this.table) copy.table.add(m);
    } else {
      copy.packed = this.packed;
      copy.count = this.count;
    }
    return copy;
  }

  /** A set of the given members. */
  static from(members: Iterable<string>): SetValue {
    const set = new SetValue();
    for (const m of members) set.add(m);
    return set;
  }

  private toTable(): void {
    const table = new BinSet();
    for (const m of this.members()) table.add(m);
    this.table = table;
    this.packed = undefined;
    this.count = 0;
  }
}
