// cspell:words quicklist
import { PackCursor, flatten, joinFlat, lengthPrefix, packText } from '../pack.js';

/** Most entries in one list node. */
const NODE_ENTRIES = 128;
/** Most bytes in one list node (a longer element gets a node of its own). */
const NODE_BYTES = 2048;

const cursor = new PackCursor();

/** A list of several nodes. */
interface Nodes {
  /** The packs, head first; never empty. */
  nodes: string[];
  counts: number[];
}

/**
 * A list: a quicklist of packs (see pack.ts), each node at most 128 elements or 2 KiB. Elements are binary
 * strings. A list of one node is just that pack (no arrays). Pushes copy the end node (at most 2 KiB, as a
 * listpack insert moves memory); positional operations walk the nodes.
 */
export class ListValue {
  /** One pack, or the nodes. */
  private data: string | Nodes = '';
  /** Number of elements. */
  length = 0;

  get type(): 'list' {
    return 'list';
  }

  /** The nodes as arrays (a view: a single pack is wrapped; write back with {@link store}). */
  private get nodes(): string[] {
    const data = this.data;
    return typeof data === 'string' ? (data === '' ? [] : [data]) : data.nodes;
  }

  private get counts(): number[] {
    const data = this.data;
    return typeof data === 'string' ? (data === '' ? [] : [this.length]) : data.counts;
  }

  /** Stores nodes back, collapsing to a single pack when there is one node. */
  private store(nodes: string[], counts: number[]): void {
    if (nodes.length === 0) this.data = '';
    else if (nodes.length === 1) this.data = nodes[0] as string;
    else this.data = { nodes, counts };
  }

  /** Elements from `elements`, in order. */
  static from(elements: Iterable<string>): ListValue {
    const list = new ListValue();
    list.pushTailAll([...elements]);
    return list;
  }

  /** Appends elements in order, filling nodes in one copy each (as RPUSH of many, or a load). */
  pushTailAll(elements: readonly string[]): void {
    let i = 0;
    // Top up the last node one by one, then build whole nodes.
    while (i < elements.length && this.length > 0) {
      const nodes = this.nodes;
      const last = nodes.length - 1;
      const entry = packText(elements[i] as string);
      if ((this.counts[last] as number) >= NODE_ENTRIES || (nodes[last] as string).length + entry.length > NODE_BYTES) break;
      this.pushTail(elements[i++] as string);
    }
    const nodes = this.nodes;
    const counts = this.counts;
    while (i < elements.length) {
      const parts: string[] = [];
      let bytes = 0;
      while (i < elements.length && parts.length < NODE_ENTRIES * 2) {
        const e = elements[i] as string;
        const prefix = lengthPrefix(e.length);
        if (parts.length > 0 && bytes + prefix.length + e.length > NODE_BYTES) break;
        parts.push(prefix, e);
        bytes += prefix.length + e.length;
        i++;
      }
      nodes.push(joinFlat(...parts));
      counts.push(parts.length / 2);
      this.length += parts.length / 2;
    }
    this.store(nodes, counts);
  }

  pushTail(element: string): void {
    const entry = packText(element);
    const nodes = this.nodes;
    const counts = this.counts;
    const last = nodes.length - 1;
    if (last >= 0 && (counts[last] as number) < NODE_ENTRIES && (nodes[last] as string).length + entry.length <= NODE_BYTES) {
      nodes[last] = joinFlat(nodes[last] as string, entry);
      counts[last] = (counts[last] as number) + 1;
    } else {
      nodes.push(joinFlat(entry));
      counts.push(1);
    }
    this.length++;
    this.store(nodes, counts);
  }

  pushHead(element: string): void {
    const entry = packText(element);
    const nodes = this.nodes;
    const counts = this.counts;
    if (nodes.length > 0 && (counts[0] as number) < NODE_ENTRIES && (nodes[0] as string).length + entry.length <= NODE_BYTES) {
      nodes[0] = joinFlat(entry, nodes[0] as string);
      counts[0] = (counts[0] as number) + 1;
    } else {
      nodes.unshift(joinFlat(entry));
      counts.unshift(1);
    }
    this.length++;
    this.store(nodes, counts);
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
    const nodes = this.nodes;
    const counts = this.counts;
    const node = nodes[n] as string;
    const count = (counts[n] as number) - 1;
    this.length--;
    if (count === 0) {
      nodes.splice(n, 1);
      counts.splice(n, 1);
    } else {
      nodes[n] = from === 0 ? flatten(node.slice(to)) : to === node.length ? flatten(node.slice(0, from)) : joinFlat(node.slice(0, from), node.slice(to));
      counts[n] = count;
    }
    this.store(nodes, counts);
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
    this.replaceNode(n, joinFlat(node.slice(0, cursor.at), packText(element), node.slice(cursor.end)), this.counts[n] as number);
  }

  /** Inserts `element` before or after the first occurrence of `pivot`; false when the pivot is absent. */
  insert(pivot: string, after: boolean, element: string): boolean {
    for (let n = 0; n < this.nodes.length; n++) {
      const node = this.nodes[n] as string;
      cursor.reset(node);
      while (cursor.next()) {
        if (!cursor.equalsText(pivot)) continue;
        const at = after ? cursor.end : cursor.at;
        const count = (this.counts[n] as number) + 1;
        this.length++;
        this.replaceNode(n, joinFlat(node.slice(0, at), packText(element), node.slice(at)), count);
        return true;
      }
    }
    return false;
  }

  /** LREM: removes up to |count| occurrences of `element` (from the tail when count < 0, all when 0). */
  remove(count: number, element: string): number {
    let removed = 0;
    const limit = count === 0 ? Infinity : Math.abs(count);
    const nodes = this.nodes;
    const counts = this.counts;
    const order = count < 0 ? [...nodes.keys()].reverse() : [...nodes.keys()];
    for (const n of order) {
      if (removed >= limit) break;
      const node = nodes[n] as string;
      const spans: [number, number][] = [];
      cursor.reset(node);
      while (cursor.next()) if (cursor.equalsText(element)) spans.push([cursor.at, cursor.end]);
      if (spans.length === 0) continue;
      const take = Math.min(spans.length, limit - removed);
      const chosen = count < 0 ? spans.slice(spans.length - take) : spans.slice(0, take);
      const parts: string[] = [];
      let from = 0;
      for (const [a, b] of chosen) {
        parts.push(node.slice(from, a));
        from = b;
      }
      parts.push(node.slice(from));
      removed += take;
      this.length -= take;
      counts[n] = (counts[n] as number) - take;
      nodes[n] = joinFlat(...parts);
    }
    for (let n = nodes.length - 1; n >= 0; n--) {
      if (counts[n] === 0) {
        nodes.splice(n, 1);
        counts.splice(n, 1);
      }
    }
    this.store(nodes, counts);
    return removed;
  }

  /** LTRIM with resolved bounds: keeps elements start..stop (inclusive); empties the list when start > stop. */
  trim(start: number, stop: number): void {
    if (start > stop || start >= this.length) {
      this.data = '';
      this.length = 0;
      return;
    }
    const kept = this.range(start, Math.min(stop, this.length - 1));
    this.data = '';
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
    copy.store(this.nodes.slice(), this.counts.slice());
    copy.length = this.length;
    return copy;
  }

  private replaceNode(n: number, node: string, count: number): void {
    const nodes = this.nodes;
    const counts = this.counts;
    if (count <= NODE_ENTRIES && node.length <= NODE_BYTES * 2) {
      nodes[n] = node;
      counts[n] = count;
      this.store(nodes, counts);
      return;
    }
    // Split an overfull node in two halves.
    const c = new PackCursor().reset(node);
    const half = Math.ceil(count / 2);
    let k = 0;
    let cut = 0;
    while (c.next()) {
      k++;
      if (k === half) {
        cut = c.end;
        break;
      }
    }
    nodes.splice(n, 1, flatten(node.slice(0, cut)), flatten(node.slice(cut)));
    counts.splice(n, 1, half, count - half);
    this.store(nodes, counts);
  }
}
