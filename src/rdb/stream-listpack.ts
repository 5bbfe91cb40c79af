// cspell:words listpack samefields xdel
import { blobCorrupt, canonicalInteger, entryBytes } from './blob-common.js';
import { ListpackCursor, encodeListpack, type ListpackEntry } from './listpack.js';

/**
 * One node of a stream's radix tree: a listpack holding entries whose IDs are stored relative to the
 * node's master ID (the 16-byte key stored before it in the RDB).
 *
 * Master entry: `count, deleted, n, field 1 … field n, 0`.
 * Each entry: `flags, ms-diff, seq-diff`, then either (flag SAMEFIELDS) the n values of the master fields,
 * or `k, field 1, value 1 … field k, value k`; then `lp-count` = number of listpack elements the entry used
 * before it (n + 3 with SAMEFIELDS, 2k + 4 without), so the node can be walked backwards.
 */

export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export interface StreamEntry {
  id: StreamId;
  /** Flag DELETED: the entry was deleted (XDEL) but is still stored in the node. */
  deleted: boolean;
  fields: Uint8Array[];
  values: Uint8Array[];
}

export interface StreamListpack {
  /** Every stored entry in order, deleted ones included (check `deleted`). */
  entries: StreamEntry[];
  /** The master entry's count of live entries (as stored; not cross-checked with the flags, as in Redis). */
  valid: number;
  /** The master entry's count of deleted entries (as stored). */
  deleted: number;
  /** The master entry's field names. */
  masterFields: Uint8Array[];
}

/** Entry flag: the entry is deleted. */
export const STREAM_ITEM_FLAG_DELETED = 1;
/** Entry flag: the entry has the master entry's fields and stores only its values. */
export const STREAM_ITEM_FLAG_SAMEFIELDS = 2;

/**
 * Decodes and validates one stream listpack node, following Redis's `streamValidateListpackIntegrity`
 * (deep): the listpack itself (fully, see {@link decodeListpack}), the master entry (integer count,
 * deleted count and field count, the field names, the 0 terminator), then exactly count + deleted entries
 * each with integer flags, ID deltas, field count, and an lp-count matching the entry's size, and nothing
 * after the last entry. IDs are rebuilt as master ID + deltas (modulo 2^64, as Redis does).
 * Integer elements used as fields or values come back as their decimal text.
 * Throws {@link CorruptError} at `base + position` on any problem.
 */
export function decodeStreamListpack(blob: Uint8Array, masterId: StreamId, base = 0): StreamListpack {
  return walkStreamListpack(blob, masterId, base, true);
}

/**
 * Validates a stream listpack node exactly as {@link decodeStreamListpack} does, without building its entries:
 * returns the stored count of live entries and the number of entries, for checks that keep nothing.
 */
export function checkStreamListpack(blob: Uint8Array, base = 0): { live: number; entries: number } {
  const node = walkStreamListpack(blob, { ms: 0n, seq: 0n }, base, false);
  return { live: node.live, entries: node.valid + node.deleted };
}

/**
 * The walk behind both, entry by entry as Redis's `streamValidateListpackIntegrity` goes: each listpack
 * entry is validated as it is reached. `keep` builds the entries; messages are only made when something is
 * wrong.
 */
function walkStreamListpack(blob: Uint8Array, masterId: StreamId, base: number, keep: boolean): StreamListpack & { live: number } {
  const cursor = new ListpackCursor(blob, base);
  const endOffset = base + blob.length - 1;
  /** Offset of the last element read (for messages about it). */
  let at = base;

  /** Moves to the next element; undefined for a string (its bytes in the cursor). */
  const element = (what: () => string): number | bigint | undefined => {
    if (cursor.atEnd) throw blobCorrupt(`stream listpack ends where ${what()} was expected`, endOffset, 0);
    at = cursor.offset;
    return cursor.next();
  };
  const bytes = (value: number | bigint | undefined): Uint8Array =>
    value === undefined ? blob.subarray(cursor.stringStart, cursor.stringEnd) : entryBytes(value);
  const integer = (what: () => string): number | bigint => {
    const value = element(what);
    if (value !== undefined) return value;
    const parsed = canonicalInteger(blob, cursor.stringStart, cursor.stringEnd);
    if (parsed === undefined) throw blobCorrupt(`stream listpack element ${cursor.index - 1}: ${what()} is not an integer`, at, 0);
    return parsed;
  };
  const counter = (what: () => string): number => {
    const v = integer(what);
    if (typeof v !== 'number' || v < 0) {
      throw blobCorrupt(`stream listpack element ${cursor.index - 1}: ${what()} ${v} is not a valid count`, at, 0);
    }
    return v;
  };

  const valid = counter(() => 'the master entry count');
  const deleted = counter(() => 'the master deleted count');
  const masterFieldCount = counter(() => 'the master field count');
  const masterFields: Uint8Array[] = [];
  for (let j = 0; j < masterFieldCount; j++) {
    const field = element(() => `master field ${j}`);
    if (keep) masterFields.push(bytes(field));
  }
  const zero = integer(() => 'the master entry terminator');
  if (zero !== 0) {
    throw blobCorrupt(`stream listpack element ${cursor.index - 1}: master entry terminator is ${zero}, not 0`, at, 0);
  }

  const entries: StreamEntry[] = [];
  const total = valid + deleted;
  let live = 0;
  for (let e = 0; e < total; e++) {
    const what = (): string => `stream entry ${e}`;
    const flagsItem = integer(() => `the flags of ${what()}`);
    const msDiff = integer(() => `the ms delta of ${what()}`);
    const seqDiff = integer(() => `the seq delta of ${what()}`);
    // Only the low bits matter; a bigint (beyond 2^53) keeps them the same way.
    const flags = typeof flagsItem === 'number' ? flagsItem : Number(BigInt.asUintN(8, flagsItem));
    const sameFields = (flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0;
    const isDeleted = (flags & STREAM_ITEM_FLAG_DELETED) !== 0;
    if (!isDeleted) live++;
    let fields: Uint8Array[] = masterFields;
    const values: Uint8Array[] = [];
    let expectedLpCount: number;
    if (sameFields) {
      for (let j = 0; j < masterFieldCount; j++) {
        const value = element(() => `value ${j} of ${what()}`);
        if (keep) values.push(bytes(value));
      }
      expectedLpCount = masterFieldCount + 3;
    } else {
      const fieldCount = counter(() => `the field count of ${what()}`);
      fields = [];
      for (let j = 0; j < fieldCount; j++) {
        const field = element(() => `field ${j} of ${what()}`);
        if (keep) fields.push(bytes(field));
        const value = element(() => `value ${j} of ${what()}`);
        if (keep) values.push(bytes(value));
      }
      expectedLpCount = 2 * fieldCount + 4;
    }
    const lpCount = integer(() => `the lp-count of ${what()}`);
    if (lpCount !== expectedLpCount) {
      throw blobCorrupt(
        `stream listpack element ${cursor.index - 1}: lp-count ${lpCount} of ${what()} does not match its ${expectedLpCount} elements`,
        at,
        0,
      );
    }
    if (keep) {
      entries.push({
        id: { ms: BigInt.asUintN(64, masterId.ms + BigInt(msDiff)), seq: BigInt.asUintN(64, masterId.seq + BigInt(seqDiff)) },
        deleted: isDeleted,
        fields,
        values,
      });
    }
  }
  if (!cursor.atEnd) {
    // Count what is left, validating it, for the message.
    const first = cursor.offset;
    let extra = 0;
    while (!cursor.atEnd) {
      cursor.next();
      extra++;
    }
    throw blobCorrupt(`stream listpack has ${extra} elements after its last entry`, first, 0);
  }
  cursor.finish();
  return { entries, valid, deleted, masterFields, live };
}

/**
 * Encodes one stream node as Redis's `streamAppendItem` builds it: the master entry takes `masterFields`
 * (by default the first entry's fields), entries whose fields equal them get SAMEFIELDS and store only
 * values, IDs are stored as int64 deltas from `masterId`, counts come from the `deleted` flags.
 * Fields and values that are canonical integer text are stored as integers, like `lpAppend` does.
 */
export function encodeStreamListpack(
  masterId: StreamId,
  entries: readonly StreamEntry[],
  masterFields: readonly Uint8Array[] = entries[0]?.fields ?? [],
): Uint8Array {
  const items: ListpackEntry[] = [];
  const live = entries.filter((e) => !e.deleted).length;
  items.push(live, entries.length - live, masterFields.length);
  for (const field of masterFields) items.push(field);
  items.push(0);
  for (const entry of entries) {
    if (entry.fields.length !== entry.values.length) {
      throw new RangeError(`stream entry has ${entry.fields.length} fields but ${entry.values.length} values`);
    }
    const same = entry.fields.length === masterFields.length && entry.fields.every((f, i) => equalBytes(f, masterFields[i] as Uint8Array));
    const flags = (entry.deleted ? STREAM_ITEM_FLAG_DELETED : 0) | (same ? STREAM_ITEM_FLAG_SAMEFIELDS : 0);
    items.push(flags, BigInt.asIntN(64, entry.id.ms - masterId.ms), BigInt.asIntN(64, entry.id.seq - masterId.seq));
    if (same) {
      for (const value of entry.values) items.push(value);
      items.push(entry.values.length + 3);
    } else {
      items.push(entry.fields.length);
      entry.fields.forEach((f, i) => items.push(f, entry.values[i] as Uint8Array));
      items.push(2 * entry.fields.length + 4);
    }
  }
  return encodeListpack(items);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
