/**
 * A set of byte strings for duplicate checks (set members, hash fields, zset members), cheaper than a
 * `Set<string>`: no string is made per member. Members are hashed straight from the bytes they are read
 * from (murmur3, 32-bit) into an open-addressing table; their bytes are copied to an arena only so that a
 * later member with the same hash can be compared byte for byte, which keeps the answer exact.
 *
 * One instance is reused for key after key: {@link reset} starts an empty set in O(1) (slots carry a
 * generation stamp instead of being cleared).
 */

import { writeDecimal } from './text.js';

/** Int32 words per slot: generation stamp, hash, reference (offset in the home array, or ~offset in the arena), length. */
const SLOT = 4;
/** Slots of a new table (a power of two). */
const INITIAL_SLOTS = 1 << 10;
/** Tables above this many slots, and arenas above this many bytes, are dropped on reset. */
const KEEP_SLOTS = 1 << 16;
const KEEP_ARENA = 4 << 20;

export class ByteSet {
  /** Bytes of table and of arena that {@link reset} keeps for the next use. */
  private readonly retainSlots: number;
  private readonly retainArena: number;
  private table = new Int32Array(INITIAL_SLOTS * SLOT);
  private mask = INITIAL_SLOTS - 1;
  private generation = 1;
  private count = 0;
  private arena = new Uint8Array(64 * 1024);
  private used = 0;
  private readonly digits = new Uint8Array(24);

  /**
   * @param options.retainBytes a table or arena up to this many bytes is kept by {@link reset} for the next
   *   use instead of being dropped (default: 1 MiB of table, 4 MiB of arena).
   */
  constructor(options: { retainBytes?: number } = {}) {
    this.retainSlots = Math.max(KEEP_SLOTS, Math.floor((options.retainBytes ?? 0) / (SLOT * 4)));
    this.retainArena = Math.max(KEEP_ARENA, options.retainBytes ?? 0);
  }

  /** Bytes of table a set of `members` members needs (the table doubles when it is half full). */
  static tableBytes(members: number): number {
    let slots = INITIAL_SLOTS;
    while (members * 2 > slots) slots *= 2;
    return slots * SLOT * 4;
  }

  /**
   * Makes room for `members` more members of `bytes` bytes in all, so that adding them allocates nothing
   * (each of table and arena is allocated once, at its size, when it is too small).
   */
  reserve(members: number, bytes: number): void {
    const slots = ByteSet.tableBytes(this.count + members) / (SLOT * 4);
    if (slots > this.mask + 1) this.grow(slots);
    if (this.used + bytes > this.arena.length) {
      const grown = new Uint8Array(this.used + bytes);
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
  }

  /** Members in the set. */
  get size(): number {
    return this.count;
  }

  /** Bytes of member data held (for memory limits). */
  get bytes(): number {
    return this.used;
  }

  /** Bytes of memory the set holds now: its table and its arena. */
  get memoryBytes(): number {
    return this.table.byteLength + this.arena.length;
  }

  /** Bytes the table will take after the next growth (it doubles when half full). */
  get nextTableBytes(): number {
    return this.count * 2 + 2 > this.mask + 1 ? this.table.byteLength * 2 : this.table.byteLength;
  }

  /**
   * Calls `visit(data, start, end)` for every member, in no particular order: `data[start, end)` are its
   * bytes, in the set's own memory (valid until the set changes).
   */
  forEach(visit: (data: Uint8Array, start: number, end: number) => void): void {
    const table = this.table;
    for (let at = 0; at < table.length; at += SLOT) {
      if (table[at] !== this.generation) continue;
      const ref = table[at + 2] as number;
      const length = table[at + 3] as number;
      if (ref >= 0) visit(this.home as Uint8Array, ref, ref + length);
      else visit(this.arena, ~ref, ~ref + length);
    }
  }

  /**
   * Members added with {@link addInPlace} are not copied: they are compared where they are, in this array,
   * which must stay unchanged until the next reset (a whole listpack being checked, say).
   */
  private home: Uint8Array | undefined;

  /** Empties the set; with `home`, members may be added in place from it (see {@link addInPlace}). */
  reset(home?: Uint8Array): void {
    this.home = home;
    this.count = 0;
    this.used = 0;
    if (this.arena.length > this.retainArena) this.arena = new Uint8Array(64 * 1024);
    if (this.table.length > this.retainSlots * SLOT) {
      this.table = new Int32Array(INITIAL_SLOTS * SLOT);
      this.mask = INITIAL_SLOTS - 1;
      this.generation = 1;
      return;
    }
    this.generation++;
    if (this.generation === 0x7fffffff) {
      this.table.fill(0);
      this.generation = 1;
    }
  }

  /**
   * Adds `home[start, end)` without copying it (the set was reset with `home`, which must stay unchanged
   * until the next reset); returns false when an equal member was already in the set.
   */
  addInPlace(start: number, end: number): boolean {
    const home = this.home as Uint8Array;
    const hash = hashBytes(home, start, end);
    const slot = this.probe(hash, home, start, end - start);
    if (slot < 0) return false;
    this.insert(slot, hash, start, end - start);
    return true;
  }

  /** Adds a copy of `data[start, end)`; returns false when an equal member was already in the set. */
  add(data: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    // Copy to the arena's free end and hash in the same pass; the copy is kept only for a new member.
    const offset = this.arenaRoom(length);
    const arena = this.arena;
    const hash = length > 32 ? copyThenHash(data, start, end, arena, offset) : hashCopy(data, start, end, arena, offset);
    const slot = this.probe(hash, arena, offset, length);
    if (slot < 0) return false;
    this.used = offset + length;
    // Copied members are told apart from members in place by a negative reference (~arena offset).
    this.insert(slot, hash, ~offset, length);
    return true;
  }

  /** The free slot for a member, or -1 when an equal member is in the set. */
  private probe(hash: number, data: Uint8Array, start: number, length: number): number {
    const table = this.table;
    const generation = this.generation;
    let slot = hash & this.mask;
    for (;;) {
      const at = slot * SLOT;
      if (table[at] !== generation) return slot;
      if (table[at + 1] === hash && table[at + 3] === length) {
        const ref = table[at + 2] as number;
        if (ref >= 0 ? sameBytes(this.home as Uint8Array, ref, data, start, length) : sameBytes(this.arena, ~ref, data, start, length)) return -1;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  private insert(slot: number, hash: number, ref: number, length: number): void {
    const table = this.table;
    const at = slot * SLOT;
    table[at] = this.generation;
    table[at + 1] = hash;
    table[at + 2] = ref;
    table[at + 3] = length;
    this.count++;
    if (this.count * 2 > this.mask + 1) this.grow((this.mask + 1) * 2);
  }

  /** Adds an integer as its decimal text (Redis compares the string forms of members). */
  addInteger(value: number | bigint): boolean {
    const digits = this.digits;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return this.add(digits, writeDecimal(value, digits), digits.length);
    const text = value.toString();
    for (let i = 0; i < text.length; i++) digits[i] = text.charCodeAt(i);
    return this.add(digits, 0, text.length);
  }

  /** Makes room for `length` more bytes in the arena; returns where they would go (not yet used). */
  private arenaRoom(length: number): number {
    const offset = this.used;
    const need = offset + length;
    if (need > this.arena.length) {
      let size = this.arena.length * 2;
      while (size < need) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.arena.subarray(0, offset));
      this.arena = grown;
    }
    return offset;
  }


  /** Moves the members to a table of `slots` slots (a power of two). */
  private grow(slots: number): void {
    const old = this.table;
    const generation = this.generation;
    const table = new Int32Array(slots * SLOT);
    const mask = slots - 1;
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at] !== generation) continue;
      let slot = (old[at + 1] as number) & mask;
      while (table[slot * SLOT] === 1) slot = (slot + 1) & mask;
      const to = slot * SLOT;
      table[to] = 1;
      table[to + 1] = old[at + 1] as number;
      table[to + 2] = old[at + 2] as number;
      table[to + 3] = old[at + 3] as number;
    }
    this.table = table;
    this.mask = mask;
    this.generation = 1;
  }
}

function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

function copyThenHash(data: Uint8Array, start: number, end: number, arena: Uint8Array, offset: number): number {
  arena.set(data.subarray(start, end), offset);
  return hashBytes(arena, offset, offset + end - start);
}

/** murmur3's step for one 4-byte word `k`. */
function mixWord(h: number, k: number): number {
  h ^= mixTail(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's scrambling of a word (also of the 1–3 tail bytes, XORed in without the step). */
function mixTail(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** murmur3's final avalanche. */
function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** {@link hashBytes} of `data[start, end)` while copying those bytes to `arena` at `offset`. */
function hashCopy(data: Uint8Array, start: number, end: number, arena: Uint8Array, offset: number): number {
  let h = 0x9747b28c ^ (end - start);
  let p = start;
  let q = offset;
  const whole = end - ((end - start) & 3);
  while (p < whole) {
    const b0 = data[p] as number;
    const b1 = data[p + 1] as number;
    const b2 = data[p + 2] as number;
    const b3 = data[p + 3] as number;
    arena[q] = b0;
    arena[q + 1] = b1;
    arena[q + 2] = b2;
    arena[q + 3] = b3;
    h = mixWord(h, b0 | (b1 << 8) | (b2 << 16) | (b3 << 24));
    p += 4;
    q += 4;
  }
  let k = 0;
  for (let i = 0; p + i < end; i++) {
    const b = data[p + i] as number;
    arena[q + i] = b;
    k |= b << (8 * i);
  }
  if (p < end) h ^= mixTail(k);
  return finalMix(h);
}

/** murmur3 (x86, 32-bit) of `data[start, end)`; another `seed` gives an independent hash. */
export function hashBytes(data: Uint8Array, start: number, end: number, seed = 0x9747b28c): number {
  let h = seed ^ (end - start);
  let p = start;
  const whole = end - ((end - start) & 3);
  while (p < whole) {
    h = mixWord(h, (data[p] as number) | ((data[p + 1] as number) << 8) | ((data[p + 2] as number) << 16) | ((data[p + 3] as number) << 24));
    p += 4;
  }
  let k = 0;
  for (let i = 0; p + i < end; i++) k |= (data[p + i] as number) << (8 * i);
  if (p < end) h ^= mixTail(k);
  return finalMix(h);
}
