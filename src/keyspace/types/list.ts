// cspell:words quicklist
import { PackCursor, flatten, packText } from '../pack.js';

/** Most entries in one list node. */
const NODE_ENTRIES = 128;
/** Most bytes in one list node (a longer element gets a node of its own). */
const NODE_BYTES = 4096;

const cursor = new PackCursor();

/**
 * A list: a quicklist of packs (see pack.ts), each node at most 128 elements or 4 KiB. Elements are binary
 * strings. Pushes at either end append to the end node in O(1); positional operations walk the nodes.
 */
export class ListValue {
  readonly type = 'list' as const;
  /** The nodes, head first; never empty packs. */
  private nodes: string[] = [];
  private counts: number[] = [];
  /** Number of elements. */
  length = 0;

  /** Elements from `elements`, in order. */
  static from(elements: Iterable<string>): ListValue {
    const list = new ListValue();
    for (const e of elements) list.pushTail(e);
    return list;
  }

  pushTail(element: string): void {
    const entry = packText(element);
    const last = this.nodes.length - 1;
    if (last >= 0 && (this.counts[last] as number) < NODE_ENTRIES && (this.nodes[last] as string).length + entry.length <= NODE_BYTES) {
      this.nodes[last] += entry;
      this.counts[last] = (this.counts[last] as number) + 1;
    } else {
      if (last >= 0) this.nodes[last] = flatten(this.nodes[last] as string);
      this.nodes.push(entry);
      this.counts.push(1);
    }
    this.length++;
  }

  pushHead(element: string): void {
    const entry = packText(element);
    if (this.nodes.length > 0 && (this.counts[0] as number) < NODE_ENTRIES && (this.nodes[0] as string).length + entry.length <= NODE_BYTES) {
      this.nodes[0] = entry + (this.nodes[0] as string);
      this.counts[0] = (this.counts[0] as number) + 1;
    } else {
      if (this.nodes.length > 0) this.nodes[0] = flatten(this.nodes[0] as string);
      this.nodes.unshift(entry);
      this.counts.unshift(1);
    }
    this.length++;
  }

  popHead(): string | undefined {
    if (this.length === 0) return undefined;
    const node = this.nodes[0] as string;
    cursor.reset(node).next();
    const value = cursor.text();
    this.dropEntry(0, 0, cursor.end);
    return value;
  }

  popTail(): string | undefined {
    if (this.length === 0) return undefined;
    const n = this.nodes.length - 1;
    cursor.reset(this.nodes[n] as string);
    let at = 0;
    while (cursor.next()) at = cursor.at;
    const value = cursor.text();
    this.dropEntry(n, at, cursor.end);
    return value;
  }

  /** Removes node `n`'s bytes [from, to), which hold exactly one entry. */
  private dropEntry(n: number, from: number, to: number): void {
    const node = this.nodes[n] as string;
    const count = (this.counts[n] as number) - 1;
    this.length--;
    if (count === 0) {
      this.nodes.splice(n, 1);
      this.counts.splice(n, 1);
      return;
    }
    this.nodes[n] = from === 0 ? node.slice(to) : to === node.length ? node.slice(0, from) : node.slice(0, from) + node.slice(to);
    this.counts[n] = count;
  }

  /** Finds the node holding element `index` (0 ≤ index < length): [node, index within it]. */
  private locate(index: number): [number, number] {
    if (index < this.length / 2) {
      let i = index;
      for (let n = 0; n < this.nodes.length; n++) {
        const c = this.counts[n] as number;
        if (i < c) return [n, i];
        i -= c;
      }
    } else {
      let i = this.length - 1 - index;
      for (let n = this.nodes.length - 1; n >= 0; n--) {
        const c = this.counts[n] as number;
        if (i < c) return [n, c - 1 - i];
        i -= c;
      }
    }
    throw new RangeError(`list index ${index} out of range`);
  }

  /** Element at `index` (0 ≤ index < length). */
  get(index: number): string {
    const [n, i] = this.locate(index);
    cursor.reset(this.nodes[n] as string);
    for (let k = 0; k <= i; k++) cursor.next();
    return cursor.text();
  }

  /** Replaces the element at `index` (0 ≤ index < length). */
  set(index: number, element: string): void {
    const [n, i] = this.locate(index);
    const node = this.nodes[n] as string;
    cursor.reset(node);
    for (let k = 0; k <= i; k++) cursor.next();
    this.replaceNode(n, node.slice(0, cursor.at) + packText(element) + node.slice(cursor.end), this.counts[n] as number);
  }

  /** Inserts `element` before or after the first occurrence of `pivot`; false when the pivot is absent. */
  insert(pivot: string, after: boolean, element: string): boolean {
    for (let n = 0; n < this.nodes.length; n++) {
      const node = this.nodes[n] as string;
      cursor.reset(node);
      while (cursor.next()) {
        if (!cursor.equalsText(pivot)) continue;
        const at = after ? cursor.end : cursor.at;
        this.length++;
        this.replaceNode(n, node.slice(0, at) + packText(element) + node.slice(at), (this.counts[n] as number) + 1);
        return true;
      }
    }
    return false;
  }

  /** LREM: removes up to |count| occurrences of `element` (from the tail when count < 0, all when 0). */
  remove(count: number, element: string): number {
    let removed = 0;
    const limit = count === 0 ? Infinity : Math.abs(count);
    const order = count < 0 ? [...this.nodes.keys()].reverse() : [...this.nodes.keys()];
    for (const n of order) {
      if (removed >= limit) break;
      const node = this.nodes[n] as string;
      const spans: [number, number][] = [];
      cursor.reset(node);
      while (cursor.next()) if (cursor.equalsText(element)) spans.push([cursor.at, cursor.end]);
      if (spans.length === 0) continue;
      const take = Math.min(spans.length, limit - removed);
      const chosen = count < 0 ? spans.slice(spans.length - take) : spans.slice(0, take);
      let rebuilt = '';
      let from = 0;
      for (const [a, b] of chosen) {
        rebuilt += node.slice(from, a);
        from = b;
      }
      rebuilt += node.slice(from);
      removed += take;
      this.length -= take;
      this.counts[n] = (this.counts[n] as number) - take;
      this.nodes[n] = rebuilt;
    }
    this.dropEmptyNodes();
    return removed;
  }

  /** LTRIM with resolved bounds: keeps elements start..stop (inclusive); empties the list when start > stop. */
  trim(start: number, stop: number): void {
    if (start > stop || start >= this.length) {
      this.nodes = [];
      this.counts = [];
      this.length = 0;
      return;
    }
    const kept = this.range(start, Math.min(stop, this.length - 1));
    this.nodes = [];
    this.counts = [];
    this.length = 0;
    for (const e of kept) this.pushTail(e);
  }

  /** Elements start..stop (inclusive, resolved, within bounds). */
  range(start: number, stop: number): string[] {
    const out: string[] = [];
    if (start > stop) return out;
    let [n, i] = this.locate(start);
    let remaining = stop - start + 1;
    for (; n < this.nodes.length && remaining > 0; n++, i = 0) {
      cursor.reset(this.nodes[n] as string);
      let k = 0;
      while (remaining > 0 && cursor.next()) {
        if (k++ < i) continue;
        out.push(cursor.text());
        remaining--;
      }
    }
    return out;
  }

  /** Every element, head to tail. */
  *elements(): IterableIterator<string> {
    const c = new PackCursor();
    for (const node of this.nodes) {
      c.reset(node);
      while (c.next()) yield c.text();
    }
  }

  /** A deep copy. */
  clone(): ListValue {
    const copy = new ListValue();
    copy.nodes = this.nodes.slice();
    copy.counts = this.counts.slice();
    copy.length = this.length;
    return copy;
  }

  private replaceNode(n: number, node: string, count: number): void {
    if (count <= NODE_ENTRIES && node.length <= NODE_BYTES * 2) {
      this.nodes[n] = node;
      this.counts[n] = count;
      return;
    }
    // Split an overfull node in two halves.
    const c = new PackCursor().reset(node);
    let k = 0;
    let cut = 0;
    while (c.next()) {
      k++;
      if (k === Math.ceil(count / 2)) {
        cut = c.end;
        break;
      }
    }
    this.nodes.splice(n, 1, node.slice(0, cut), node.slice(cut));
    this.counts.splice(n, 1, Math.ceil(count / 2), count - Math.ceil(count / 2));
  }

  private dropEmptyNodes(): void {
    for (let n = this.nodes.length - 1; n >= 0; n--) {
      if (this.counts[n] === 0) {
        this.nodes.splice(n, 1);
        this.counts.splice(n, 1);
      }
    }
  }
}
