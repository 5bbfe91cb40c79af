import { PackCursor, joinFlat, lengthPrefix, packCount, packText } from '../pack.js';
import { KeyTable } from '../table.js';

/** Members a packed set holds before it becomes a hashed set. */
const PACKED_ENTRIES = 128;
/** Pack bytes a packed set holds before it becomes a hashed set. */
const PACKED_BYTES = 4096;

const cursor = new PackCursor();

/**
 * A set of binary strings: a pack (linear lookups) while small, then a {@link KeyTable} of bare members.
 * Walks are in a stable order (insertion order while packed). One field per instance: the pack or the
 * table.
 */
export class SetValue {
  private data: string | KeyTable<undefined> = '';

  get type(): 'set' {
    return 'set';
  }

  /** Members in the pack (counted: a field of the instance would cost 8 bytes per set). */
  private get count(): number {
    return packCount(this.data as string);
  }

  get size(): number {
    return typeof this.data === 'string' ? this.count : this.data.size;
  }

  has(member: string): boolean {
    const data = this.data;
    if (typeof data !== 'string') return data.has(member);
    cursor.reset(data);
    while (cursor.next()) if (cursor.equalsText(member)) return true;
    return false;
  }

  /** Adds `member`; true when it was new. */
  add(member: string): boolean {
    const data = this.data;
    if (typeof data !== 'string') return data.add(member);
    let count = 0;
    cursor.reset(data);
    while (cursor.next()) {
      if (cursor.equalsText(member)) return false;
      count++;
    }
    const entry = packText(member);
    if (count + 1 > PACKED_ENTRIES || data.length + entry.length > PACKED_BYTES) {
      const table = this.toTable();
      return table.add(member);
    }
    this.data = joinFlat(data, entry);
    return true;
  }

  /** Removes `member`; true when it was there. */
  delete(member: string): boolean {
    const data = this.data;
    if (typeof data !== 'string') return data.delete(member);
    cursor.reset(data);
    while (cursor.next()) {
      if (!cursor.equalsText(member)) continue;
      this.data = joinFlat(data.slice(0, cursor.at), data.slice(cursor.end));
      return true;
    }
    return false;
  }

  /** Every member, in the set's stable order. */
  *members(): IterableIterator<string> {
    const data = this.data;
    if (typeof data !== 'string') {
      yield* data.keys();
      return;
    }
    const c = new PackCursor().reset(data);
    while (c.next()) yield c.text();
  }

  /** True while the set is packed (a writer may choose a compact encoding). */
  get compact(): boolean {
    return typeof this.data === 'string';
  }

  clone(): SetValue {
    const copy = new SetValue();
    const data = this.data;
    if (typeof data === 'string') {
      copy.data = data;
    } else {
      const table = new KeyTable<undefined>();
      for (const m of data.keys()) table.add(m);
      copy.data = table;
    }
    return copy;
  }

  /** A set of the given members. */
  static from(members: Iterable<string>): SetValue {
    const set = new SetValue();
    set.addAll([...members]);
    return set;
  }

  /** Adds members (duplicates ignored); to an empty set that stays packed, in one copy. */
  addAll(members: readonly string[]): void {
    if (this.data === '' && members.length <= PACKED_ENTRIES) {
      const unique = new Set(members);
      let bytes = 0;
      const parts: string[] = [];
      for (const m of unique) {
        const prefix = lengthPrefix(m.length);
        parts.push(prefix, m);
        bytes += prefix.length + m.length;
      }
      if (bytes <= PACKED_BYTES) {
        this.data = joinFlat(...parts);
        return;
      }
    }
    for (const m of members) this.add(m);
  }

  private toTable(): KeyTable<undefined> {
    const table = new KeyTable<undefined>();
    for (const m of this.members()) table.add(m);
    this.data = table;
    return table;
  }
}
