// cspell:words nack nacks
import { PackCursor, flatten, joinFlat, lengthPrefix } from '../pack.js';

/*
 * Stream IDs inside the model are 16-char binary strings: ms then seq, each 64-bit big-endian, the key
 * Redis uses in its radix trees. JS compares such strings char by char, which is ID order.
 */

/** The smallest ID, 0-0. */
export const ID_ZERO = '\0'.repeat(16);
/** The largest ID, 2^64-1 - 2^64-1. */
export const ID_MAX = '\xff'.repeat(16);

const U64 = (1n << 64n) - 1n;

/** An ID from its two parts (each 0 … 2^64-1). */
export function makeId(ms: bigint, seq: bigint): string {
  const codes: number[] = [];
  for (const part of [ms, seq]) {
    for (let shift = 56n; shift >= 0n; shift -= 8n) codes.push(Number((part >> shift) & 0xffn));
  }
  return String.fromCharCode(...codes);
}

/** The two parts of an ID. */
export function idParts(id: string): { ms: bigint; seq: bigint } {
  let ms = 0n;
  let seq = 0n;
  for (let i = 0; i < 8; i++) ms = (ms << 8n) | BigInt(id.charCodeAt(i));
  for (let i = 8; i < 16; i++) seq = (seq << 8n) | BigInt(id.charCodeAt(i));
  return { ms, seq };
}

/** "ms-seq", as Redis prints IDs. */
export function idText(id: string): string {
  const { ms, seq } = idParts(id);
  return `${ms}-${seq}`;
}

/** The ID after `id`, or undefined after the largest (streamIncrID failing). */
export function nextId(id: string): string | undefined {
  if (id === ID_MAX) return undefined;
  const { ms, seq } = idParts(id);
  return seq === U64 ? makeId(ms + 1n, 0n) : makeId(ms, seq + 1n);
}

/** The ID before `id`, or undefined before 0-0 (streamDecrID failing). */
export function previousId(id: string): string | undefined {
  if (id === ID_ZERO) return undefined;
  const { ms, seq } = idParts(id);
  return seq === 0n ? makeId(ms - 1n, U64) : makeId(ms, seq - 1n);
}

/** A pending entry of a consumer group (Redis's streamNACK). */
export interface Nack {
  /** Last delivery, ms since the epoch. */
  deliveryTime: number;
  deliveryCount: bigint;
  /** Name of the owning consumer (a binary string); undefined only transiently (XCLAIM FORCE). */
  consumer: string | undefined;
}

/** A consumer of a group. */
export interface Consumer {
  name: string;
  /** Last interaction, ms since the epoch. */
  seenTime: number;
  /** Last successful read or claim, ms since the epoch; -1 when never (Redis 7.2+ keeps it). */
  activeTime: number;
  /** IDs of its pending entries. */
  pel: Set<string>;
}

/** A consumer group. */
export interface ConsumerGroup {
  name: string;
  lastId: string;
  /** The logical read counter; -1 when unknown (SCG_INVALID_ENTRIES_READ). */
  entriesRead: bigint;
  /** Pending entries by ID (sorted on demand, see {@link sortedPel}). */
  pel: Map<string, Nack>;
  consumers: Map<string, Consumer>;
}

/** The group's pending entries in ID order. */
export function sortedPel(group: ConsumerGroup): [string, Nack][] {
  return [...group.pel].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Most entries in one stream node. */
const NODE_ENTRIES = 100;
/** Most bytes in one stream node. */
const NODE_BYTES = 4096;

/** One decoded entry: its ID and its field/value pairs, binary strings. */
export interface EntryView {
  id: string;
  pairs: string[];
}

/** Reads the entry at `at` in a node: the cursor ends after it. */
function readEntry(c: PackCursor, node: string, at: number): EntryView {
  const id = flatten(node.slice(at, at + 16));
  let p = at + 16;
  let pairs = 0;
  let shift = 0;
  for (;;) {
    const b = node.charCodeAt(p++);
    pairs += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
    shift += 7;
  }
  c.reset(node, p);
  const out: string[] = [];
  for (let i = 0; i < pairs * 2; i++) {
    c.next();
    out.push(c.text());
  }
  return { id, pairs: out };
}

/** Offsets of every entry of a node. */
function entryOffsets(node: string): number[] {
  const out: number[] = [];
  let p = 0;
  const c = new PackCursor();
  while (p < node.length) {
    out.push(p);
    readEntry(c, node, p);
    p = c.end;
  }
  return out;
}

/**
 * A stream: entries in nodes of at most 100 entries or 4 KiB (each a pack of ID, field count and
 * field/value pairs), plus the metadata Redis keeps (last ID, first ID, max deleted ID, entries added) and
 * the consumer groups with their pending entries and consumers. Deleted entries are removed, not kept as
 * tombstones: nothing the model answers depends on where Redis's own nodes begin or end.
 */
export class StreamValue {
  readonly type = 'stream' as const;
  private nodes: string[] = [];
  private firstIds: string[] = [];
  private counts: number[] = [];
  length = 0;
  lastId = ID_ZERO;
  firstId = ID_ZERO;
  maxDeletedId = ID_ZERO;
  entriesAdded = 0n;
  /** Groups by name (sorted by name on walks, as Redis's radix tree orders them). */
  groups = new Map<string, ConsumerGroup>();

  /** Appends an entry whose ID is greater than every ID in the stream (the caller checks). */
  append(id: string, pairs: readonly string[]): void {
    const parts = [id, lengthPrefix(pairs.length / 2)];
    for (const p of pairs) parts.push(lengthPrefix(p.length), p);
    const entry = joinFlat(...parts);
    const last = this.nodes.length - 1;
    if (last >= 0 && (this.counts[last] as number) < NODE_ENTRIES && (this.nodes[last] as string).length + entry.length <= NODE_BYTES) {
      this.nodes[last] = joinFlat(this.nodes[last] as string, entry);
      this.counts[last] = (this.counts[last] as number) + 1;
    } else {
      this.nodes.push(entry);
      this.firstIds.push(flatten(id));
      this.counts.push(1);
    }
    this.length++;
  }

  /** Index of the node that may hold `id` (the last node whose first ID ≤ id), or -1. */
  private nodeFor(id: string): number {
    let lo = 0;
    let hi = this.firstIds.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.firstIds[mid] as string) <= id) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** True when an entry with this ID exists. */
  has(id: string): boolean {
    const n = this.nodeFor(id);
    if (n < 0) return false;
    const node = this.nodes[n] as string;
    for (const at of entryOffsets(node)) if (node.startsWith(id, at)) return true;
    return false;
  }

  /** Deletes the entry with this ID; true when it existed. Metadata is the caller's (XDEL). */
  delete(id: string): boolean {
    const n = this.nodeFor(id);
    if (n < 0) return false;
    const node = this.nodes[n] as string;
    const offsets = entryOffsets(node);
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[i] as number;
      if (!node.startsWith(id, at)) continue;
      const end = i + 1 < offsets.length ? (offsets[i + 1] as number) : node.length;
      this.removeSpan(n, at, end, 1);
      return true;
    }
    return false;
  }

  private removeSpan(n: number, from: number, to: number, entries: number): void {
    const node = this.nodes[n] as string;
    this.length -= entries;
    const count = (this.counts[n] as number) - entries;
    if (count === 0) {
      this.nodes.splice(n, 1);
      this.firstIds.splice(n, 1);
      this.counts.splice(n, 1);
      return;
    }
    const rebuilt = joinFlat(node.slice(0, from), node.slice(to));
    this.nodes[n] = rebuilt;
    this.counts[n] = count;
    if (from === 0) this.firstIds[n] = flatten(rebuilt.slice(0, 16));
  }

  /** Removes entries from the head while `drop(id)` holds and the stream is not empty; returns how many. */
  trimHead(drop: (id: string, remaining: number) => boolean): number {
    let removed = 0;
    while (this.nodes.length > 0) {
      const node = this.nodes[0] as string;
      const offsets = entryOffsets(node);
      let k = 0;
      while (k < offsets.length && drop(node.slice(offsets[k] as number, (offsets[k] as number) + 16), this.length - k)) k++;
      if (k === 0) break;
      const end = k < offsets.length ? (offsets[k] as number) : node.length;
      this.removeSpan(0, 0, end, k);
      removed += k;
      if (k < offsets.length) break;
    }
    return removed;
  }

  /** ID of the first entry, or undefined when empty. */
  firstEntryId(): string | undefined {
    return this.firstIds[0];
  }

  /** ID of the last entry, or undefined when empty. */
  lastEntryId(): string | undefined {
    const n = this.nodes.length - 1;
    if (n < 0) return undefined;
    const node = this.nodes[n] as string;
    const offsets = entryOffsets(node);
    const at = offsets[offsets.length - 1] as number;
    return flatten(node.slice(at, at + 16));
  }

  /** Every entry in ID order. */
  *entries(): IterableIterator<EntryView> {
    const c = new PackCursor();
    for (const node of this.nodes) {
      let p = 0;
      while (p < node.length) {
        const e = readEntry(c, node, p);
        p = c.end;
        yield e;
      }
    }
  }

  /** Entries with start ≤ id ≤ end, in order. */
  *range(start: string, end: string): IterableIterator<EntryView> {
    const c = new PackCursor();
    let n = Math.max(0, this.nodeFor(start));
    for (; n < this.nodes.length; n++) {
      const node = this.nodes[n] as string;
      if ((this.firstIds[n] as string) > end) return;
      let p = 0;
      while (p < node.length) {
        const e = readEntry(c, node, p);
        p = c.end;
        if (e.id < start) continue;
        if (e.id > end) return;
        yield e;
      }
    }
  }

  /**
   * Redis's streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or -1 when it
   * cannot be known.
   */
  estimateDistanceFromFirstEverEntry(id: string): bigint {
    if (this.entriesAdded === 0n) return 0n;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id !== ID_ZERO && id < this.maxDeletedId) return -1n;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return -1n;
    if (this.maxDeletedId === ID_ZERO || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - BigInt(this.length);
      if (id === this.firstId) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return -1n;
  }

  /** Sets firstId from the entries (0-0 when empty), as Redis does after deletions. */
  refreshFirstId(): void {
    this.firstId = this.firstIds[0] ?? ID_ZERO;
  }

  /** Groups sorted by name (Redis's radix-tree order). */
  sortedGroups(): ConsumerGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A deep copy (COPY). */
  clone(): StreamValue {
    const copy = new StreamValue();
    copy.nodes = this.nodes.slice();
    copy.firstIds = this.firstIds.slice();
    copy.counts = this.counts.slice();
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    for (const [name, g] of this.groups) {
      const consumers = new Map<string, Consumer>();
      for (const [cn, c] of g.consumers) consumers.set(cn, { name: c.name, seenTime: c.seenTime, activeTime: c.activeTime, pel: new Set(c.pel) });
      const pel = new Map<string, Nack>();
      for (const [id, n] of g.pel) pel.set(id, { ...n });
      copy.groups.set(name, { name: g.name, lastId: g.lastId, entriesRead: g.entriesRead, pel, consumers });
    }
    return copy;
  }
}
