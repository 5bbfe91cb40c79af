/*
 * Maps and sets keyed by binary strings that grow past V8's limit of 2^24 entries per Map or Set. Below
 * SHARD_AT entries a table is one native Map; past it, the entries are spread over 64 Maps by a hash of the
 * key (about a billion entries in all). Iteration order is stable: insertion order while unsharded, then
 * shard by shard.
 */

const SHARD_AT = 1 << 23;
const SHARDS = 64;

function shardOf(key: string): number {
  // FNV-1a over at most 64 chars from each end: cheap, and spreads keys with common prefixes.
  let h = 0x811c9dc5;
  const n = key.length;
  if (n <= 128) {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < 64; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    for (let i = n - 64; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ n, 0x01000193);
  }
  return (h >>> 0) % SHARDS;
}

/** A Map from binary strings without the native entry limit. */
export class BinMap<V> {
  private one: Map<string, V> | undefined = new Map();
  private shards: Map<string, V>[] | undefined;
  private count = 0;

  /** `shardAt`: entries past which the map is sharded (tests lower it). */
  constructor(private readonly shardAt = SHARD_AT) {}

  get size(): number {
    return this.one ? this.one.size : this.count;
  }

  get(key: string): V | undefined {
    return this.one ? this.one.get(key) : (this.shards as Map<string, V>[])[shardOf(key)]?.get(key);
  }

  has(key: string): boolean {
    return this.one ? this.one.has(key) : ((this.shards as Map<string, V>[])[shardOf(key)] as Map<string, V>).has(key);
  }

  set(key: string, value: V): this {
    if (this.one) {
      this.one.set(key, value);
      if (this.one.size >= this.shardAt) this.shard();
      return this;
    }
    const map = (this.shards as Map<string, V>[])[shardOf(key)] as Map<string, V>;
    const before = map.size;
    map.set(key, value);
    this.count += map.size - before;
    return this;
  }

  delete(key: string): boolean {
    if (this.one) return this.one.delete(key);
    const removed = ((this.shards as Map<string, V>[])[shardOf(key)] as Map<string, V>).delete(key);
    if (removed) this.count--;
    return removed;
  }

  clear(): void {
    this.one = new Map();
    this.shards = undefined;
    this.count = 0;
  }

  *entries(): IterableIterator<[string, V]> {
    if (this.one) {
      yield* this.one.entries();
      return;
    }
    for (const map of this.shards as Map<string, V>[]) yield* map.entries();
  }

  *keys(): IterableIterator<string> {
    if (this.one) {
      yield* this.one.keys();
      return;
    }
    for (const map of this.shards as Map<string, V>[]) yield* map.keys();
  }

  *values(): IterableIterator<V> {
    if (this.one) {
      yield* this.one.values();
      return;
    }
    for (const map of this.shards as Map<string, V>[]) yield* map.values();
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  private shard(): void {
    const one = this.one as Map<string, V>;
    const shards = Array.from({ length: SHARDS }, () => new Map<string, V>());
    for (const [k, v] of one) (shards[shardOf(k)] as Map<string, V>).set(k, v);
    this.count = one.size;
    this.one = undefined;
    this.shards = shards;
  }
}

/** A Set of binary strings without the native entry limit. */
export class BinSet {
  private one: Set<string> | undefined = new Set();
  private shards: Set<string>[] | undefined;
  private count = 0;

  /** `shardAt`: entries past which the set is sharded (tests lower it). */
  constructor(private readonly shardAt = SHARD_AT) {}

  get size(): number {
    return this.one ? this.one.size : this.count;
  }

  has(key: string): boolean {
    return this.one ? this.one.has(key) : ((this.shards as Set<string>[])[shardOf(key)] as Set<string>).has(key);
  }

  /** Adds `key`; true when it was not there. */
  add(key: string): boolean {
    if (this.one) {
      const before = this.one.size;
      this.one.add(key);
      if (this.one.size >= this.shardAt) this.shard();
      return this.size > before;
    }
    const set = (this.shards as Set<string>[])[shardOf(key)] as Set<string>;
    const before = set.size;
    set.add(key);
    const added = set.size > before;
    if (added) this.count++;
    return added;
  }

  delete(key: string): boolean {
    if (this.one) return this.one.delete(key);
    const removed = ((this.shards as Set<string>[])[shardOf(key)] as Set<string>).delete(key);
    if (removed) this.count--;
    return removed;
  }

  *values(): IterableIterator<string> {
    if (this.one) {
      yield* this.one.values();
      return;
    }
    for (const set of this.shards as Set<string>[]) yield* set.values();
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.values();
  }

  private shard(): void {
    const one = this.one as Set<string>;
    const shards = Array.from({ length: SHARDS }, () => new Set<string>());
    for (const k of one) (shards[shardOf(k)] as Set<string>).add(k);
    this.count = one.size;
    this.one = undefined;
    this.shards = shards;
  }
}
