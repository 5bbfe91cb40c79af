// cspell:words fmix varint
import { MAX_BINARY_STRING, binRange } from './bytes.js';

/*
 * KeyTable: a hash table keyed by binary strings (see bytes.ts) that keeps its keys — and small values —
 * as bytes in a few large arenas instead of one JS string (and one Map entry) per key. It holds a
 * database's keys and the big hashes, sets and sorted sets.
 *
 * Each entry has an id (a small integer, reused after deletion). Its record sits in an arena chunk:
 *
 *   varint key length, key bytes, tag, payload
 *
 * where the tag says where the value is: nothing (a set member), a binary string of at most
 * INLINE_TEXT_MAX bytes written after the tag (length varint and bytes), a float64 written after the tag
 * (a sorted set's score), or a JS value in `refs[id]` (collections, long strings, bytes). Per id, typed
 * arrays hold the record's location and the key's hash, and optionally an absolute time (a key's or a
 * field's expiry; NaN when none). The index is open addressing with linear probing over an Int32Array of
 * ids, at most 3/4 full, with backward-shift deletion (no tombstones).
 *
 * A record rewritten to another size moves to the end of the arena; the old bytes are garbage until a
 * compaction copies the live records, in id order, to fresh chunks (when garbage exceeds the live bytes).
 * Chunks grow by doubling up to CHUNK_MAX; a record too big for that gets a chunk of its own, freed when
 * the record goes. Past SHARD_AT entries a table splits into 64 tables by hash (each typed array stays well
 * under V8's size limits; about a billion keys in all).
 *
 * Per entry that is 8 bytes of location, 4 of hash, 5.3–10.7 of index, the record (key plus 2 or 3 bytes,
 * plus an inline value), 8 for a reference when any value is one, 8 for a time when any entry has one —
 * against about 80 bytes for a native Map entry with its key string and value string.
 *
 * Iteration is in id order (shard by shard when sharded): stable for a given history of operations, and
 * entries added or removed during an iteration are seen or skipped without harm.
 */

const TAG_NONE = 0;
const TAG_TEXT = 1;
const TAG_NUMBER = 2;
const TAG_REF = 3;

/** Longest string value kept inline in the arena (longer ones stay JS strings, referenced). */
const INLINE_TEXT_MAX = 4096;
const CHUNK_MIN = 256;
const CHUNK_MAX = 1 << 20;
/** Location = chunk * CHUNK_SPAN + offset. */
const CHUNK_SPAN = 2 ** 32;
const SHARD_AT = 1 << 24;
const SHARDS = 64;

const scratchNumber = new Float64Array(1);
const scratchNumberBytes = new Uint8Array(scratchNumber.buffer);

/** murmur3-style mix of a binary string's chars. */
function hashOf(key: string): number {
  let h = 0x9747b28c ^ key.length;
  const n = key.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    let k = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) | (key.charCodeAt(i + 3) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let shift = 0; i < n; i++, shift += 8) k |= key.charCodeAt(i) << shift;
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  // fmix32
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** A value as the record stores it: its tag and payload size. */
function classify(value: unknown, hasValue: boolean): [tag: number, payload: number] {
  if (!hasValue) return [TAG_NONE, 0];
  if (typeof value === 'number') return [TAG_NUMBER, 8];
  if (typeof value === 'string' && value.length <= INLINE_TEXT_MAX) return [TAG_TEXT, varintSize(value.length) + value.length];
  return [TAG_REF, 0];
}

/** One unsharded table. */
class Core<V> {
  size = 0;
  /** Index: id + 1 per slot, 0 when empty. */
  private slots = new Int32Array(8);
  private mask = 7;
  /** Per id: record location, or when the id is free -(next free id + 2) (-1 ends the free list). */
  private locs = new Float64Array(4);
  private hashes = new Int32Array(4);
  private times: Float64Array | undefined;
  private refs: (V | undefined)[] | undefined;
  /** Ids in use or freed (ids ≥ top were never used). */
  private top = 0;
  private freeHead = -1;
  timed = 0;

  private chunks: Uint8Array[] = [];
  /** The chunk new records go to, and its fill. */
  private tail = -1;
  private tailUsed = 0;
  /** Chunks that hold a single big record. */
  private solo = new Set<number>();
  private liveBytes = 0;
  private garbage = 0;

  // ---- records

  private chunkOf(loc: number): Uint8Array {
    return this.chunks[Math.floor(loc / CHUNK_SPAN)] as Uint8Array;
  }

  /** Reads the key length varint at `p`: [length, offset of the key bytes]. */
  private static keyHeader(chunk: Uint8Array, p: number): [number, number] {
    let length = 0;
    let shift = 0;
    for (;;) {
      const c = chunk[p++] as number;
      length += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) return [length, p];
      shift += 7;
    }
  }

  private recordSize(chunk: Uint8Array, offset: number): number {
    const [length, keyAt] = Core.keyHeader(chunk, offset);
    let p = keyAt + length;
    const tag = chunk[p++] as number;
    if (tag === TAG_NUMBER) p += 8;
    else if (tag === TAG_TEXT) {
      const [textLength, textAt] = Core.keyHeader(chunk, p);
      p = textAt + textLength;
    }
    return p - offset;
  }

  /** Space for `size` bytes: its location. */
  private reserve(size: number): number {
    if (size > CHUNK_MAX / 2) {
      const index = this.chunks.length;
      this.chunks.push(new Uint8Array(size));
      this.solo.add(index);
      return index * CHUNK_SPAN;
    }
    let chunk = this.chunks[this.tail];
    if (chunk === undefined || this.tailUsed + size > chunk.length) {
      if (chunk !== undefined && chunk.length < CHUNK_MAX) {
        // Grow the tail chunk in place (same index, so locations stay valid).
        let capacity = chunk.length * 2;
        while (capacity < this.tailUsed + size) capacity *= 2;
        const grown = new Uint8Array(Math.min(capacity, CHUNK_MAX));
        if (grown.length >= this.tailUsed + size) {
          grown.set(chunk.subarray(0, this.tailUsed));
          this.chunks[this.tail] = grown;
          chunk = grown;
        } else chunk = undefined;
      } else chunk = undefined;
      if (chunk === undefined) {
        let capacity = CHUNK_MIN;
        while (capacity < size || (this.chunks.length > 0 && capacity < CHUNK_MAX && capacity < this.liveBytes / 4)) capacity *= 2;
        this.tail = this.chunks.length;
        this.chunks.push(new Uint8Array(Math.min(capacity, CHUNK_MAX)));
        this.tailUsed = 0;
      }
    }
    const loc = this.tail * CHUNK_SPAN + this.tailUsed;
    this.tailUsed += size;
    return loc;
  }

  /** Writes a record; returns its location. */
  private writeRecord(key: string, tag: number, payload: number, value: unknown): number {
    const size = varintSize(key.length) + key.length + 1 + payload;
    const loc = this.reserve(size);
    const chunk = this.chunkOf(loc);
    let p = loc % CHUNK_SPAN;
    let n = key.length;
    while (n >= 0x80) {
      chunk[p++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    chunk[p++] = n;
    for (let i = 0; i < key.length; i++) chunk[p++] = key.charCodeAt(i);
    chunk[p++] = tag;
    this.writePayload(chunk, p, tag, value);
    this.liveBytes += size;
    return loc;
  }

  private writePayload(chunk: Uint8Array, p: number, tag: number, value: unknown): void {
    if (tag === TAG_NUMBER) {
      scratchNumber[0] = value as number;
      chunk.set(scratchNumberBytes, p);
    } else if (tag === TAG_TEXT) {
      const text = value as string;
      let n = text.length;
      while (n >= 0x80) {
        chunk[p++] = (n % 0x80) | 0x80;
        n = Math.floor(n / 0x80);
      }
      chunk[p++] = n;
      for (let i = 0; i < text.length; i++) chunk[p++] = text.charCodeAt(i);
    }
  }

  /** Drops a record's bytes (garbage, or its own chunk). */
  private dropRecord(loc: number): void {
    const index = Math.floor(loc / CHUNK_SPAN);
    const chunk = this.chunks[index] as Uint8Array;
    const size = this.recordSize(chunk, loc % CHUNK_SPAN);
    this.liveBytes -= size;
    if (this.solo.has(index)) {
      this.solo.delete(index);
      this.chunks[index] = EMPTY;
    } else this.garbage += size;
  }

  private keyEquals(id: number, key: string): boolean {
    const loc = this.locs[id] as number;
    const chunk = this.chunkOf(loc);
    const [length, at] = Core.keyHeader(chunk, loc % CHUNK_SPAN);
    if (length !== key.length) return false;
    for (let i = 0; i < length; i++) if (chunk[at + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  /** The key of entry `id`. */
  keyOf(id: number): string {
    const loc = this.locs[id] as number;
    const chunk = this.chunkOf(loc);
    const [length, at] = Core.keyHeader(chunk, loc % CHUNK_SPAN);
    return binRange(chunk, at, at + length);
  }

  /** The value of entry `id`. */
  valueOf(id: number): V | undefined {
    const loc = this.locs[id] as number;
    const chunk = this.chunkOf(loc);
    const [length, at] = Core.keyHeader(chunk, loc % CHUNK_SPAN);
    const p = at + length;
    const tag = chunk[p] as number;
    if (tag === TAG_TEXT) {
      const [textLength, textAt] = Core.keyHeader(chunk, p + 1);
      return binRange(chunk, textAt, textAt + textLength) as V;
    }
    if (tag === TAG_NUMBER) {
      for (let i = 0; i < 8; i++) scratchNumberBytes[i] = chunk[p + 1 + i] as number;
      return scratchNumber[0] as V;
    }
    if (tag === TAG_REF) return (this.refs as (V | undefined)[])[id];
    return undefined;
  }

  /** True when entry `id` holds a value (false for a bare member). */
  hasValue(id: number): boolean {
    const loc = this.locs[id] as number;
    const chunk = this.chunkOf(loc);
    const [length, at] = Core.keyHeader(chunk, loc % CHUNK_SPAN);
    return chunk[at + length] !== TAG_NONE;
  }

  timeOf(id: number): number | undefined {
    const t = this.times?.[id];
    return t === undefined || Number.isNaN(t) ? undefined : t;
  }

  // ---- index

  /** The id of `key` (hash `h`), or -1. */
  find(key: string, h: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = slots[i] as number;
      if (s === 0) return -1;
      if (this.hashes[s - 1] === h && this.keyEquals(s - 1, key)) return s - 1;
    }
  }

  private place(id: number, h: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = id + 1;
  }

  private removeSlot(id: number, h: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    while (slots[i] !== id + 1) i = (i + 1) & mask;
    // Backward-shift deletion: move later entries of the probe run into the hole when allowed.
    let hole = i;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const s = slots[j] as number;
      if (s === 0) break;
      const home = (this.hashes[s - 1] as number) & mask;
      // The entry at j may move to the hole when its home is not cyclically within (hole, j].
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        slots[hole] = s;
        hole = j;
      }
    }
    slots[hole] = 0;
  }

  private resizeIndex(capacity: number): void {
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let id = 0; id < this.top; id++) if ((this.locs[id] as number) >= 0) this.place(id, this.hashes[id] as number);
  }

  // ---- ids

  private newId(): number {
    if (this.freeHead >= 0) {
      const id = this.freeHead;
      this.freeHead = -(this.locs[id] as number) - 2;
      return id;
    }
    if (this.top === this.locs.length) this.growIds(Math.max(4, Math.ceil(this.locs.length * 1.5)));
    return this.top++;
  }

  private growIds(capacity: number): void {
    const locs = new Float64Array(capacity);
    locs.set(this.locs.subarray(0, Math.min(this.top, capacity)));
    this.locs = locs;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes.subarray(0, Math.min(this.top, capacity)));
    this.hashes = hashes;
    if (this.times) {
      const times = new Float64Array(capacity).fill(NaN);
      times.set(this.times.subarray(0, Math.min(this.top, capacity)));
      this.times = times;
    }
  }

  // ---- operations

  /** Inserts or replaces (`hasValue` false: a member without value); returns true when the key is new. */
  set(key: string, h: number, value: V | undefined, hasValue: boolean, keepTime: boolean): boolean {
    if (key.length > MAX_BINARY_STRING) throw new RangeError(`a key of ${key.length} bytes is longer than this model can hold`);
    const [tag, payload] = classify(value, hasValue);
    let id = this.find(key, h);
    const isNew = id < 0;
    if (!isNew) {
      const loc = this.locs[id] as number;
      const chunk = this.chunkOf(loc);
      const offset = loc % CHUNK_SPAN;
      const [length, at] = Core.keyHeader(chunk, offset);
      const tagAt = at + length;
      if (chunk[tagAt] === tag && tagAt + 1 + payload - offset === this.recordSize(chunk, offset)) {
        this.writePayload(chunk, tagAt + 1, tag, value);
      } else {
        this.dropRecord(loc);
        this.locs[id] = this.writeRecord(key, tag, payload, value);
      }
      if (!keepTime) this.clearTime(id);
    } else {
      if ((this.size + 1) * 4 > this.slots.length * 3) this.resizeIndex(this.slots.length * 2);
      id = this.newId();
      this.locs[id] = this.writeRecord(key, tag, payload, value);
      this.hashes[id] = h;
      if (this.times) this.times[id] = NaN;
      this.place(id, h);
      this.size++;
    }
    if (tag === TAG_REF) {
      this.refs ??= [];
      while (this.refs.length <= id) this.refs.push(undefined);
      this.refs[id] = value;
    } else if (this.refs && id < this.refs.length) this.refs[id] = undefined;
    this.maybeCompact();
    return isNew;
  }

  delete(key: string, h: number): boolean {
    const id = this.find(key, h);
    if (id < 0) return false;
    this.removeSlot(id, h);
    this.dropRecord(this.locs[id] as number);
    this.clearTime(id);
    if (this.refs && id < this.refs.length) this.refs[id] = undefined;
    this.locs[id] = -(this.freeHead + 2);
    this.freeHead = id;
    this.size--;
    this.maybeCompact();
    return true;
  }

  setTime(id: number, ms: number): void {
    if (!this.times) {
      this.times = new Float64Array(this.locs.length).fill(NaN);
    }
    if (Number.isNaN(this.times[id] as number)) this.timed++;
    this.times[id] = ms;
  }

  clearTime(id: number): boolean {
    const times = this.times;
    if (!times || Number.isNaN(times[id] as number)) return false;
    times[id] = NaN;
    this.timed--;
    return true;
  }

  /** Arena compactions, plus 2^16 per renumbering (for {@link KeyTable.stats}). */
  compactions = 0;

  /** Memory held, in bytes: arena chunks, and index plus per-id arrays. */
  footprint(): { arena: number; index: number } {
    let arena = 0;
    for (const c of this.chunks) arena += c.length;
    const index = this.slots.byteLength + this.locs.byteLength + this.hashes.byteLength + (this.times?.byteLength ?? 0) + (this.refs?.length ?? 0) * 8;
    return { arena, index };
  }

  /** Iterations in progress (ids are renumbered only when none is). */
  private iterating = 0;

  /** Entry ids in order (a live view: each id is checked when reached). */
  *ids(): IterableIterator<number> {
    this.iterating++;
    try {
      for (let id = 0; id < this.top; id++) if ((this.locs[id] as number) >= 0) yield id;
    } finally {
      this.iterating--;
    }
  }

  /**
   * When garbage outweighs the live records, copies them to fresh chunks in id order; when free ids
   * outnumber used ones (and no iteration is under way), also renumbers the ids densely, keeping their order.
   */
  private maybeCompact(): void {
    const freeIds = this.top - this.size;
    const renumber = freeIds > 64 && freeIds > this.size && this.iterating === 0;
    if (!renumber && !(this.garbage > 4096 && this.garbage > this.liveBytes)) return;
    this.compactions += renumber ? 0x10000 : 1;
    const oldChunks = this.chunks;
    const oldSolo = this.solo;
    const oldLocs = this.locs;
    const oldTop = this.top;
    const live = this.liveBytes;
    this.chunks = [];
    this.solo = new Set();
    this.tail = -1;
    this.tailUsed = 0;
    this.garbage = 0;
    this.liveBytes = 0;
    if (renumber) {
      const capacity = Math.max(4, Math.ceil(this.size * 1.25));
      const oldHashes = this.hashes;
      const oldTimes = this.times;
      const oldRefs = this.refs;
      this.locs = new Float64Array(capacity);
      this.hashes = new Int32Array(capacity);
      this.times = oldTimes && this.timed > 0 ? new Float64Array(capacity).fill(NaN) : undefined;
      this.refs = oldRefs ? [] : undefined;
      this.freeHead = -1;
      let next = 0;
      for (let id = 0; id < oldTop; id++) {
        if ((oldLocs[id] as number) < 0) continue;
        this.hashes[next] = oldHashes[id] as number;
        if (this.times && oldTimes) this.times[next] = oldTimes[id] as number;
        if (this.refs && oldRefs) this.refs.push(oldRefs[id]);
        this.locs[next++] = oldLocs[id] as number;
      }
      this.top = next;
    }
    // Move every live record (by its possibly new id) into fresh chunks.
    let first = CHUNK_MIN;
    while (first < Math.min(live, CHUNK_MAX)) first *= 2;
    for (let id = 0; id < this.top; id++) {
      const loc = this.locs[id] as number;
      if (loc < 0) continue;
      const index = Math.floor(loc / CHUNK_SPAN);
      const chunk = oldChunks[index] as Uint8Array;
      if (oldSolo.has(index)) {
        this.solo.add(this.chunks.length);
        this.locs[id] = this.chunks.length * CHUNK_SPAN;
        this.chunks.push(chunk);
        this.liveBytes += chunk.length;
        continue;
      }
      const offset = loc % CHUNK_SPAN;
      const size = this.recordSize(chunk, offset);
      if (this.tail < 0) {
        // The first chunk sized to the live bytes, so a compacted table carries little slack.
        this.tail = this.chunks.length;
        this.chunks.push(new Uint8Array(Math.min(first, CHUNK_MAX)));
      }
      const newLoc = this.reserve(size);
      this.chunkOf(newLoc).set(chunk.subarray(offset, offset + size), newLoc % CHUNK_SPAN);
      this.liveBytes += size;
      this.locs[id] = newLoc;
    }
    if (renumber) {
      let slots = 8;
      while (this.size * 4 > slots * 3) slots *= 2;
      this.resizeIndex(slots);
    }
  }
}

const EMPTY = new Uint8Array(0);

/**
 * A map (or, with {@link KeyTable.add}, a set) from binary strings to values, each entry with an optional
 * absolute time; see the notes at the top of this file for the representation.
 */
export class KeyTable<V> {
  private cores: Core<V>[] = [new Core()];

  /** `shardAt`: entries past which the table splits by hash (tests lower it). */
  constructor(private readonly shardAt = SHARD_AT) {}

  get size(): number {
    let n = 0;
    for (const core of this.cores) n += core.size;
    return n;
  }

  /** Number of entries with a time. */
  get timedCount(): number {
    let n = 0;
    for (const core of this.cores) n += core.timed;
    return n;
  }

  private coreFor(h: number): Core<V> {
    const cores = this.cores;
    return (cores.length === 1 ? cores[0] : cores[h >>> 26]) as Core<V>;
  }

  has(key: string): boolean {
    const h = hashOf(key);
    return this.coreFor(h).find(key, h) >= 0;
  }

  get(key: string): V | undefined {
    const h = hashOf(key);
    const core = this.coreFor(h);
    const id = core.find(key, h);
    return id < 0 ? undefined : core.valueOf(id);
  }

  /** Sets `key` to `value`, dropping its time unless `keepTime`; true when the key is new. */
  set(key: string, value: V, keepTime = false): boolean {
    return this.put(key, value, true, keepTime);
  }

  /** Adds `key` without a value (a set member); true when it is new. */
  add(key: string): boolean {
    return this.put(key, undefined, false, true);
  }

  private put(key: string, value: V | undefined, hasValue: boolean, keepTime: boolean): boolean {
    const h = hashOf(key);
    const isNew = this.coreFor(h).set(key, h, value, hasValue, keepTime);
    if (isNew && this.cores.length === 1 && (this.cores[0] as Core<V>).size >= this.shardAt) this.split();
    return isNew;
  }

  delete(key: string): boolean {
    const h = hashOf(key);
    return this.coreFor(h).delete(key, h);
  }

  /** The key's time, or undefined (no time, or no key). */
  timeOf(key: string): number | undefined {
    const h = hashOf(key);
    const core = this.coreFor(h);
    const id = core.find(key, h);
    return id < 0 ? undefined : core.timeOf(id);
  }

  /** Gives an existing key a time; false when the key is absent. */
  setTime(key: string, ms: number): boolean {
    const h = hashOf(key);
    const core = this.coreFor(h);
    const id = core.find(key, h);
    if (id < 0) return false;
    core.setTime(id, ms);
    return true;
  }

  /** Removes a key's time; true when it had one. */
  clearTime(key: string): boolean {
    const h = hashOf(key);
    const core = this.coreFor(h);
    const id = core.find(key, h);
    return id >= 0 && core.clearTime(id);
  }

  clear(): void {
    this.cores = [new Core()];
  }

  /** Every entry: key, value (undefined for a bare member), time. */
  *entries(): IterableIterator<[key: string, value: V, time: number | undefined]> {
    for (const core of this.cores) for (const id of core.ids()) yield [core.keyOf(id), core.valueOf(id) as V, core.timeOf(id)];
  }

  *keys(): IterableIterator<string> {
    for (const core of this.cores) for (const id of core.ids()) yield core.keyOf(id);
  }

  *values(): IterableIterator<V> {
    for (const core of this.cores) for (const id of core.ids()) yield core.valueOf(id) as V;
  }

  /** Entries with a time: key and time. */
  *timed(): IterableIterator<[key: string, time: number]> {
    for (const core of this.cores) {
      if (core.timed === 0) continue;
      for (const id of core.ids()) {
        const t = core.timeOf(id);
        if (t !== undefined) yield [core.keyOf(id), t];
      }
    }
  }

  [Symbol.iterator](): IterableIterator<[key: string, value: V, time: number | undefined]> {
    return this.entries();
  }

  /** Memory and housekeeping figures (for tests and benchmarks). */
  stats(): { shards: number; arenaBytes: number; indexBytes: number; compactions: number; renumbers: number } {
    let arenaBytes = 0;
    let indexBytes = 0;
    let compactions = 0;
    for (const core of this.cores) {
      const f = core.footprint();
      arenaBytes += f.arena;
      indexBytes += f.index;
      compactions += core.compactions;
    }
    return { shards: this.cores.length, arenaBytes, indexBytes, compactions: compactions % 0x10000, renumbers: Math.floor(compactions / 0x10000) };
  }

  private split(): void {
    const one = this.cores[0] as Core<V>;
    const cores = Array.from({ length: SHARDS }, () => new Core<V>());
    for (const id of one.ids()) {
      const key = one.keyOf(id);
      const h = hashOf(key);
      const core = cores[h >>> 26] as Core<V>;
      core.set(key, h, one.valueOf(id), one.hasValue(id), true);
      const t = one.timeOf(id);
      if (t !== undefined) core.setTime(core.find(key, h), t);
    }
    this.cores = cores;
  }
}
