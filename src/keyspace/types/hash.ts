import { bin } from '../bytes.js';
import { PackCursor, packText } from '../pack.js';
import { BinMap } from '../table.js';

/** Fields a packed hash holds before it becomes a hashed one. */
const PACKED_ENTRIES = 128;
/** Pack bytes a packed hash holds before it becomes a hashed one. */
const PACKED_BYTES = 4096;
/** Values longer than this are kept as Uint8Array (off the V8 heap) in a hashed hash. */
const BYTES_VALUE_AT = 64 * 1024;

const cursor = new PackCursor();

/** A stored hash value: a binary string, or bytes for long values. */
type Stored = string | Uint8Array;

function toText(value: Stored): string {
  return typeof value === 'string' ? value : bin(value);
}

/**
 * A hash: a pack of alternating fields and values while small and without field TTLs, then a {@link BinMap}
 * of fields to values plus, once any field has one, a map of fields to absolute expiry times (ms since the
 * epoch, Redis 7.4+ hash-field expiration).
 */
export class HashValue {
  readonly type = 'hash' as const;
  private packed: string | undefined = '';
  private count = 0;
  private table: BinMap<Stored> | undefined;
  private ttl: BinMap<number> | undefined;

  get size(): number {
    return this.table ? this.table.size : this.count;
  }

  /** True when at least one field has a TTL. */
  get hasFieldTtls(): boolean {
    return this.ttl !== undefined && this.ttl.size > 0;
  }

  /** True while the hash is packed (a writer may choose a compact encoding). */
  get compact(): boolean {
    return this.table === undefined;
  }

  get(field: string): string | undefined {
    if (this.table) {
      const v = this.table.get(field);
      return v === undefined ? undefined : toText(v);
    }
    cursor.reset(this.packed as string);
    while (cursor.next()) {
      const match = cursor.equalsText(field);
      cursor.next();
      if (match) return cursor.text();
    }
    return undefined;
  }

  has(field: string): boolean {
    if (this.table) return this.table.has(field);
    return this.get(field) !== undefined;
  }

  /**
   * Sets `field` to `value`; true when the field is new. The field's TTL is dropped unless `keepTtl`
   * (HSETEX KEEPTTL), as HSET does.
   */
  set(field: string, value: string | Uint8Array, keepTtl = false): boolean {
    if (!this.table) {
      const text = toText(value);
      const pack = this.packed as string;
      cursor.reset(pack);
      while (cursor.next()) {
        const match = cursor.equalsText(field);
        const valueAt = cursor.end;
        cursor.next();
        if (!match) continue;
        const rebuilt = pack.slice(0, valueAt) + packText(text) + pack.slice(cursor.end);
        if (rebuilt.length <= PACKED_BYTES) {
          this.packed = rebuilt;
          return false;
        }
        this.toTable();
        break;
      }
      if (!this.table) {
        const entry = packText(field) + packText(text);
        if (this.count + 1 <= PACKED_ENTRIES && pack.length + entry.length <= PACKED_BYTES) {
          this.packed = pack + entry;
          this.count++;
          return true;
        }
        this.toTable();
      }
    }
    const table = this.table as BinMap<Stored>;
    const isNew = !table.has(field);
    table.set(field, typeof value === 'string' && value.length > BYTES_VALUE_AT ? Uint8Array.from(value, (c) => c.charCodeAt(0)) : value);
    if (!keepTtl) this.ttl?.delete(field);
    return isNew;
  }

  /** Removes `field`; true when it was there. */
  delete(field: string): boolean {
    if (this.table) {
      this.ttl?.delete(field);
      return this.table.delete(field);
    }
    const pack = this.packed as string;
    cursor.reset(pack);
    while (cursor.next()) {
      const at = cursor.at;
      const match = cursor.equalsText(field);
      cursor.next();
      if (!match) continue;
      this.packed = pack.slice(0, at) + pack.slice(cursor.end);
      this.count--;
      return true;
    }
    return false;
  }

  /** The field's absolute expiry in ms, or undefined when it has none (or does not exist). */
  expireOf(field: string): number | undefined {
    return this.ttl?.get(field);
  }

  /** Gives an existing field an absolute expiry in ms. */
  setExpire(field: string, whenMs: number): void {
    if (!this.table) this.toTable();
    this.ttl ??= new BinMap();
    this.ttl.set(field, whenMs);
  }

  /** Removes a field's TTL; true when it had one. */
  persist(field: string): boolean {
    return this.ttl?.delete(field) ?? false;
  }

  /** Every field with its value and TTL, in a stable order. */
  *entries(): IterableIterator<[field: string, value: string, expireMs: number | undefined]> {
    if (this.table) {
      for (const [f, v] of this.table) yield [f, toText(v), this.ttl?.get(f)];
      return;
    }
    const c = new PackCursor().reset(this.packed as string);
    while (c.next()) {
      const f = c.text();
      c.next();
      yield [f, c.text(), undefined];
    }
  }

  /** Fields whose TTL is at or before `nowMs`. */
  expiredFields(nowMs: number): string[] {
    const out: string[] = [];
    if (!this.ttl) return out;
    for (const [f, when] of this.ttl) if (when <= nowMs) out.push(f);
    return out;
  }

  /** The earliest field expiry, or undefined. */
  minExpire(): number | undefined {
    let min: number | undefined;
    if (this.ttl) for (const when of this.ttl.values()) if (min === undefined || when < min) min = when;
    return min;
  }

  clone(): HashValue {
    const copy = new HashValue();
    if (this.table) {
      copy.packed = undefined;
      copy.table = new BinMap();
      for (const [f, v] of this.table) copy.table.set(f, typeof v === 'string' ? v : new Uint8Array(v));
      if (this.ttl) {
        copy.ttl = new BinMap();
        for (const [f, w] of this.ttl) copy.ttl.set(f, w);
      }
    } else {
      copy.packed = this.packed;
      copy.count = this.count;
    }
    return copy;
  }

  private toTable(): void {
    const table = new BinMap<Stored>();
    const c = new PackCursor().reset(this.packed as string);
    while (c.next()) {
      const f = c.text();
      c.next();
      table.set(f, c.text());
    }
    this.table = table;
    this.packed = undefined;
    this.count = 0;
  }
}
