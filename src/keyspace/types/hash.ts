import { bin } from '../bytes.js';
import { PackCursor, joinFlat, lengthPrefix, packCount, packText } from '../pack.js';
import { KeyTable } from '../table.js';

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
 * A hash: a pack of alternating fields and values while small and without field TTLs, then a
 * {@link KeyTable} of fields to values and absolute expiry times (ms since the epoch, Redis 7.4+ hash-field
 * expiration). One field per instance: the pack or the table.
 */
export class HashValue {
  private data: string | KeyTable<Stored> = '';

  get type(): 'hash' {
    return 'hash';
  }

  /** Fields in the pack (counted: a field of the instance would cost 8 bytes per hash). */
  private get count(): number {
    return packCount(this.data as string) / 2;
  }

  get size(): number {
    return typeof this.data === 'string' ? this.count : this.data.size;
  }

  /** True when at least one field has a TTL. */
  get hasFieldTtls(): boolean {
    return typeof this.data !== 'string' && this.data.timedCount > 0;
  }

  /** True while the hash is packed (a writer may choose a compact encoding). */
  get compact(): boolean {
    return typeof this.data === 'string';
  }

  get(field: string): string | undefined {
    const data = this.data;
    if (typeof data !== 'string') {
      const v = data.get(field);
      return v === undefined ? undefined : toText(v);
    }
    cursor.reset(data);
    while (cursor.next()) {
      const match = cursor.equalsText(field);
      cursor.next();
      if (match) return cursor.text();
    }
    return undefined;
  }

  has(field: string): boolean {
    const data = this.data;
    if (typeof data !== 'string') return data.has(field);
    return this.get(field) !== undefined;
  }

  /**
   * Sets `field` to `value`; true when the field is new. The field's TTL is dropped unless `keepTtl`
   * (HSETEX KEEPTTL), as HSET does.
   */
  set(field: string, value: string | Uint8Array, keepTtl = false): boolean {
    let data = this.data;
    if (typeof data === 'string') {
      const text = toText(value);
      cursor.reset(data);
      let replaced = false;
      let count = 0;
      while (cursor.next()) {
        const match = cursor.equalsText(field);
        const valueAt = cursor.end;
        cursor.next();
        count++;
        if (!match) continue;
        const rebuilt = joinFlat(data.slice(0, valueAt), packText(text), data.slice(cursor.end));
        if (rebuilt.length <= PACKED_BYTES) {
          this.data = rebuilt;
          return false;
        }
        replaced = true;
        break;
      }
      if (!replaced) {
        const entry = packText(field) + packText(text);
        if (count + 1 <= PACKED_ENTRIES && data.length + entry.length <= PACKED_BYTES) {
          this.data = joinFlat(data, entry);
          return true;
        }
      }
      data = this.toTable();
    }
    return data.set(field, typeof value === 'string' && value.length > BYTES_VALUE_AT ? Uint8Array.from(value, (c) => c.charCodeAt(0)) : value, keepTtl);
  }

  /**
   * Sets fields from alternating field/value strings (later duplicates win); an empty hash that stays
   * packed is built in one copy.
   */
  setAll(pairs: readonly string[]): void {
    if (this.data === '' && pairs.length <= PACKED_ENTRIES * 2) {
      const fields = new Set<string>();
      const parts: string[] = [];
      let bytes = 0;
      for (let i = 0; i < pairs.length; i += 2) {
        const f = pairs[i] as string;
        const v = pairs[i + 1] as string;
        fields.add(f);
        const fp = lengthPrefix(f.length);
        const vp = lengthPrefix(v.length);
        parts.push(fp, f, vp, v);
        bytes += fp.length + f.length + vp.length + v.length;
      }
      if (fields.size * 2 === pairs.length && bytes <= PACKED_BYTES) {
        this.data = joinFlat(...parts);
        return;
      }
    }
    for (let i = 0; i < pairs.length; i += 2) this.set(pairs[i] as string, pairs[i + 1] as string);
  }

  /** Removes `field`; true when it was there. */
  delete(field: string): boolean {
    const data = this.data;
    if (typeof data !== 'string') return data.delete(field);
    cursor.reset(data);
    while (cursor.next()) {
      const at = cursor.at;
      const match = cursor.equalsText(field);
      cursor.next();
      if (!match) continue;
      this.data = joinFlat(data.slice(0, at), data.slice(cursor.end));
      return true;
    }
    return false;
  }

  /** The field's absolute expiry in ms, or undefined when it has none (or does not exist). */
  expireOf(field: string): number | undefined {
    const data = this.data;
    return typeof data === 'string' ? undefined : data.timeOf(field);
  }

  /** Gives an existing field an absolute expiry in ms. */
  setExpire(field: string, whenMs: number): void {
    const data = typeof this.data === 'string' ? this.toTable() : this.data;
    data.setTime(field, whenMs);
  }

  /** Removes a field's TTL; true when it had one. */
  persist(field: string): boolean {
    const data = this.data;
    return typeof data !== 'string' && data.clearTime(field);
  }

  /** Every field with its value and TTL, in a stable order. */
  *entries(): IterableIterator<[field: string, value: string, expireMs: number | undefined]> {
    const data = this.data;
    if (typeof data !== 'string') {
      for (const [f, v, when] of data) yield [f, toText(v), when];
      return;
    }
    const c = new PackCursor().reset(data);
    while (c.next()) {
      const f = c.text();
      c.next();
      yield [f, c.text(), undefined];
    }
  }

  /** Fields whose TTL is at or before `nowMs`. */
  expiredFields(nowMs: number): string[] {
    const out: string[] = [];
    const data = this.data;
    if (typeof data === 'string') return out;
    for (const [f, when] of data.timed()) if (when <= nowMs) out.push(f);
    return out;
  }

  /** The earliest field expiry, or undefined. */
  minExpire(): number | undefined {
    let min: number | undefined;
    const data = this.data;
    if (typeof data !== 'string') for (const [, when] of data.timed()) if (min === undefined || when < min) min = when;
    return min;
  }

  clone(): HashValue {
    const copy = new HashValue();
    const data = this.data;
    if (typeof data === 'string') {
      copy.data = data;
      return copy;
    }
    const table = new KeyTable<Stored>();
    for (const [f, v, when] of data) {
      table.set(f, typeof v === 'string' ? v : new Uint8Array(v));
      if (when !== undefined) table.setTime(f, when);
    }
    copy.data = table;
    return copy;
  }

  private toTable(): KeyTable<Stored> {
    const table = new KeyTable<Stored>();
    const c = new PackCursor().reset(this.data as string);
    while (c.next()) {
      const f = c.text();
      c.next();
      table.set(f, c.text());
    }
    this.data = table;
    return table;
  }
}
