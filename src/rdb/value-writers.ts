// cspell:words fpconv listpack listpackex quicklist ziplist intset zset zsets skiplist hashtable
import { ByteWriter } from '../bytes/writer.js';
import { CorruptError } from '../errors.js';
import { Spool } from '../io/spool.js';
import { canonicalInteger, entryBytes } from './blob-common.js';
import { QuicklistContainer, RdbType } from './constants.js';
import type { EncodingConfig } from './encoding-config.js';
import { encodeIntset } from './intset.js';
import { LISTPACK_EMPTY_SIZE, encodeListpack, listpackEntrySize } from './listpack.js';
import type { AnyKeyRecord, Element, HashEntry, ValueChunk, ZsetEntry } from './model.js';
import { printable } from './parser.js';
import { formatRdbDouble, writeAsciiDouble, writeBinaryDouble, writeLength, writeMillisecondTime, writeString } from './primitives.js';
import type { RdbTarget } from './targets.js';
import type { DropKind } from './write-report.js';
import { ZIPLIST_EMPTY_SIZE, encodeZiplist, ziplistEntrySize } from './ziplist.js';

/*
 * Re-encoding a key's value for a target release, the way that release encodes it when it saves: the value
 * arrives as the reader's chunks; each writer below collects what it must know before it can choose (the
 * element count and longest element against the `*-max-*` thresholds, the field TTLs), keeps small values
 * in memory and sends the body of a large one to a {@link Spool}, since RDB puts counts before elements.
 * The choices follow rdbSaveObjectType / rdbSaveObject of each release (see targets.ts).
 */

/** What a value writer needs from the RDB writer. */
export interface ValueContext {
  readonly target: RdbTarget;
  readonly config: EncodingConfig;
  /** The main writer (its bytes go through the file's CRC). */
  readonly w: ByteWriter;
  /**
   * A writer for a body written before its count is known, shared by every key (one at a time): what a key
   * leaves in it is taken at the key's end, or moved to a spool when it grows big.
   */
  readonly body: ByteWriter;
  /** LZF-compress strings as Redis does (`rdbcompression`). */
  readonly compress: boolean;
  /** Bytes a value may hold in memory before its body is spooled (and strings above it are written plain). */
  readonly memoryLimit: number;
  readonly tempDir: string | undefined;
  readonly key: AnyKeyRecord;
  /** Writes the key's prefix opcodes, the type byte and the key's name. */
  startKey(typeCode: number): void;
  /** A value part the target cannot hold: throws, or counts it (with --drop-unsupported) and returns. */
  unsupported(kind: DropKind, what: string, count?: number): void;
  /** Counts something the target approximates (never an error). */
  approximated(kind: DropKind, count?: number): void;
}

/**
 * Re-encodes one key. `add` takes the value's chunks, `raw` the value's bytes as the input holds them (when
 * the reader gives them); `end` finishes the key. Each may return pieces to append after what it wrote to
 * the main writer (a spooled body, read back in bounded pieces). `end` returns false when the key was
 * left out (an empty collection, which Redis never writes).
 */
export interface ValueWriter {
  add(chunk: ValueChunk): Iterable<Uint8Array> | undefined;
  raw(bytes: Uint8Array): Iterable<Uint8Array> | undefined;
  end(): { tail?: Iterable<Uint8Array>; written: boolean };
  /** Removes what a key that failed midway left in a spool. */
  dispose?(): void;
}

/** A value writer for the key of `context`, by its logical type. */
export function valueWriter(context: ValueContext): ValueWriter {
  switch (context.key.type) {
    case 'string':
      return new StringWriter(context);
    case 'list':
      return new ListWriter(context);
    case 'set':
      return new SetWriter(context);
    case 'zset':
      return new ZsetWriter(context);
    case 'hash':
      return new HashWriter(context);
    case 'module':
      return new ModuleWriter(context);
    case 'stream':
      throw new RangeError('streams have their own writer (stream-writer.ts)');
  }
}

/**
 * An element to hold past the current batch of records: byte strings are copied, since the reader may reuse
 * its buffer once a batch is consumed (see writeRdbRecords).
 */
function own(element: Element): Element {
  return element instanceof Uint8Array ? element.slice() : element;
}

/** Memory a held element is charged with (its bytes plus a little for the object). */
function cost(element: Element): number {
  return element instanceof Uint8Array ? element.length + 16 : 16;
}

/** The length of an element as a string (what Redis measures against the `*-value` thresholds). */
export function elementLength(element: Element): number {
  if (element instanceof Uint8Array) return element.length;
  return entryBytes(element).length;
}

function mismatch(context: ValueContext, chunk: ValueChunk): CorruptError {
  return new CorruptError(`key '${printable(context.key.key)}' of type ${context.key.type} got a ${chunk.type} value chunk`, { offset: context.key.offset });
}

/** Bytes of a body held in the shared body writer before it moves to a spool. */
const SPOOL_AT = 256 * 1024;

/** The base of the writers whose body waits for its count: the shared body writer, then a spool if it grows. */
abstract class Spooling {
  protected readonly context: ValueContext;
  private spool: Spool | undefined;

  constructor(context: ValueContext) {
    this.context = context;
  }

  /** The writer of the body. */
  protected bodyWriter(): ByteWriter {
    return this.context.body;
  }

  /** Moves the body to a spool once it is big (all of it, with `force`, once a spool exists). */
  protected settle(force = false): void {
    const body = this.context.body;
    if (this.spool === undefined ? body.pendingBytes < SPOOL_AT : !force && body.pendingBytes < 64 * 1024) return;
    this.spool ??= new Spool({ memoryLimit: this.context.memoryLimit, dir: this.context.tempDir });
    for (const piece of body.take()) this.spool.write(piece);
  }

  dispose(): void {
    this.spool?.dispose();
    this.context.body.take();
  }

  /** The body, to be written after the header (empty when there is none). */
  protected spooled(): Iterable<Uint8Array> {
    if (this.spool === undefined) return this.context.body.take();
    this.settle(true);
    return this.spool.drain();
  }
}

// ---------------------------------------------------------------------------------------------------
// Strings

class StringWriter extends Spooling implements ValueWriter {
  private readonly chunks: Uint8Array[] = [];
  private bytes = 0;
  private plain = false;

  add(chunk: ValueChunk): undefined {
    if (chunk.type !== 'string') throw mismatch(this.context, chunk);
    const value = chunk.value;
    if (!this.plain && this.chunks.length > 0 && this.bytes + value.length > this.context.memoryLimit) {
      // A string in several chunks that is too big to hold: written plain (uncompressed) from a spool.
      this.plain = true;
      for (const held of this.chunks) this.bodyWriter().bytes(held);
      this.chunks.length = 0;
    }
    if (this.plain) {
      this.bodyWriter().bytes(value.slice());
      this.settle();
    } else {
      this.chunks.push(value.slice());
    }
    this.bytes += value.length;
    return undefined;
  }

  raw(): undefined {
    return undefined;
  }

  end(): { tail?: Iterable<Uint8Array>; written: boolean } {
    const { w } = this.context;
    this.context.startKey(RdbType.STRING);
    if (this.plain) {
      writeLength(w, this.bytes);
      return { tail: this.spooled(), written: true };
    }
    const value = this.chunks.length === 1 ? (this.chunks[0] as Uint8Array) : concat(this.chunks, this.bytes);
    // Redis compresses any string of more than 20 bytes; a huge one is written plain rather than held twice.
    const compress = this.context.compress && value.length <= this.context.memoryLimit;
    writeString(w, value, { compress });
    return { written: true };
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Lists

/** Size limits of a quicklist node for `fill` (list-max-listpack-size): bytes, or elements. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** Largest multi-element node when the limit is a count (quicklist.c SIZE_SAFETY_LIMIT). */
const SIZE_SAFETY_LIMIT = 8192;
/** Elements from this size on get a PLAIN node in every release with PLAIN nodes (quicklist.c packed_threshold). */
const PACKED_THRESHOLD = 1 << 30;

function negativeFillLimit(fill: number): number {
  const offset = Math.min(-fill - 1, OPTIMIZATION_LEVEL.length - 1);
  return OPTIMIZATION_LEVEL[offset] as number;
}

class ListWriter extends Spooling implements ValueWriter {
  private readonly mode: 'linked' | 'quicklist' | 'quicklist-v2';
  private readonly fill: number;
  /** Elements held: the whole list (linked mode, while small) or the node being packed. */
  private held: Element[] = [];
  /** Encoded size of the node being packed (ziplist or listpack bytes). */
  private nodeBytes = 0;
  /** Size of the last entry of the node, for ziplist prevlens. */
  private lastEntry = 0;
  private nodes = 0;
  private count = 0;
  /** Linked mode: the list is too big for a ziplist, elements are spooled as strings. */
  private big = false;

  constructor(context: ValueContext) {
    super(context);
    this.mode = context.target.writes.list;
    this.fill = Math.max(-5, Math.min(32767, context.config.listMaxSize));
  }

  add(chunk: ValueChunk): undefined {
    if (chunk.type !== 'list') throw mismatch(this.context, chunk);
    for (const element of chunk.elements) this.push(element);
    this.settle();
    return undefined;
  }

  raw(): undefined {
    return undefined;
  }

  private push(element: Element): void {
    this.count++;
    if (this.mode === 'linked') {
      this.pushLinked(element);
      return;
    }
    const size = elementLength(element);
    const v2 = this.mode === 'quicklist-v2';
    if (v2 && this.isLarge(size)) {
      this.flushNode();
      const body = this.bodyWriter();
      writeLength(body, QuicklistContainer.PLAIN);
      writeString(body, entryBytes(element), { compress: this.context.compress });
      this.nodes++;
      return;
    }
    if (this.held.length === 0 || !this.allowInsert(size)) {
      this.flushNode();
      this.nodeBytes = v2 ? LISTPACK_EMPTY_SIZE : ZIPLIST_EMPTY_SIZE;
      this.lastEntry = 0;
    }
    this.held.push(own(element));
    if (v2) this.nodeBytes += listpackEntrySize(element);
    else {
      this.lastEntry = ziplistEntrySize(element, this.lastEntry);
      this.nodeBytes += this.lastEntry;
    }
  }

  /** An element that gets a PLAIN node of its own (quicklist v2). */
  private isLarge(size: number): boolean {
    if (this.context.target.writes.quicklistPacking !== 'listpack-estimate-plain') return size >= PACKED_THRESHOLD;
    return this.fill >= 0 ? size > SIZE_SAFETY_LIMIT : size > negativeFillLimit(this.fill);
  }

  /** Whether an element of `size` bytes joins the node being packed (Redis's _quicklistNodeAllowInsert). */
  private allowInsert(size: number): boolean {
    const count = this.held.length;
    if (this.context.target.writes.quicklistPacking !== 'ziplist-estimate') {
      const newSize = this.nodeBytes + size + 8; // SIZE_ESTIMATE_OVERHEAD
      if (this.fill < 0) return newSize <= negativeFillLimit(this.fill);
      if (newSize > SIZE_SAFETY_LIMIT) return false;
      return count + 1 <= (this.fill === 0 ? 1 : this.fill);
    }
    // 3.2 – 6.2: the overhead of a ziplist entry (prevlen and encoding) is estimated from the size.
    const overhead = (size < 254 ? 1 : 5) + (size < 64 ? 1 : size < 16384 ? 2 : 5);
    const newSize = this.nodeBytes + size + overhead;
    if (this.fill < 0 && -this.fill - 1 < OPTIMIZATION_LEVEL.length && newSize <= (OPTIMIZATION_LEVEL[-this.fill - 1] as number)) return true;
    if (newSize > SIZE_SAFETY_LIMIT) return false;
    return count < this.fill;
  }

  private flushNode(): void {
    if (this.held.length === 0) return;
    const body = this.bodyWriter();
    if (this.mode === 'quicklist-v2') {
      writeLength(body, QuicklistContainer.PACKED);
      writeString(body, encodeListpack(this.held), { compress: this.context.compress });
    } else {
      writeString(body, encodeZiplist(this.held), { compress: this.context.compress });
    }
    this.nodes++;
    this.held = [];
  }

  private pushLinked(element: Element): void {
    const { listMaxZiplistEntries, listMaxZiplistValue } = this.context.config;
    if (!this.big && (this.count > listMaxZiplistEntries || elementLength(element) > listMaxZiplistValue)) {
      this.big = true;
      for (const held of this.held) writeString(this.bodyWriter(), entryBytes(held), { compress: this.context.compress });
      this.held = [];
    }
    if (this.big) writeString(this.bodyWriter(), entryBytes(element), { compress: this.context.compress });
    else this.held.push(own(element));
  }

  end(): { tail?: Iterable<Uint8Array>; written: boolean } {
    if (this.count === 0) return { written: false };
    const { w } = this.context;
    if (this.mode === 'linked') {
      if (this.big) {
        this.context.startKey(RdbType.LIST);
        writeLength(w, this.count);
        return { tail: this.spooled(), written: true };
      }
      this.context.startKey(RdbType.LIST_ZIPLIST);
      writeString(w, encodeZiplist(this.held), { compress: this.context.compress });
      return { written: true };
    }
    this.flushNode();
    this.context.startKey(this.mode === 'quicklist-v2' ? RdbType.LIST_QUICKLIST_2 : RdbType.LIST_QUICKLIST);
    writeLength(w, this.nodes);
    return { tail: this.spooled(), written: true };
  }
}

// ---------------------------------------------------------------------------------------------------
// Sets

class SetWriter extends Spooling implements ValueWriter {
  private held: Element[] = [];
  private heldBytes = 0;
  private count = 0;
  private allIntegers = true;
  private longest = 0;
  /** The set is a hashtable and its members go to the spool. */
  private big = false;

  add(chunk: ValueChunk): undefined {
    if (chunk.type !== 'set') throw mismatch(this.context, chunk);
    for (const member of chunk.members) this.push(member);
    this.settle();
    return undefined;
  }

  raw(): undefined {
    return undefined;
  }

  private push(member: Element): void {
    this.count++;
    if (this.big) {
      writeString(this.bodyWriter(), entryBytes(member), { compress: this.context.compress });
      return;
    }
    if (this.allIntegers && member instanceof Uint8Array && canonicalInteger(member) === undefined) this.allIntegers = false;
    this.longest = Math.max(this.longest, elementLength(member));
    this.held.push(own(member));
    this.heldBytes += cost(member);
    if (!this.couldBeSmall() && this.heldBytes > this.context.memoryLimit) {
      this.big = true;
      for (const held of this.held) writeString(this.bodyWriter(), entryBytes(held), { compress: this.context.compress });
      this.held = [];
    }
  }

  private intset(): boolean {
    return this.allIntegers && this.count <= this.context.config.setMaxIntsetEntries;
  }

  private listpack(): boolean {
    const { setMaxListpackEntries, setMaxListpackValue } = this.context.config;
    return this.context.target.writes.setListpack && this.count <= setMaxListpackEntries && this.longest <= setMaxListpackValue;
  }

  private couldBeSmall(): boolean {
    return this.intset() || this.listpack();
  }

  end(): { tail?: Iterable<Uint8Array>; written: boolean } {
    if (this.count === 0) return { written: false };
    const { w, compress } = this.context;
    if (!this.big && this.intset()) {
      this.context.startKey(RdbType.SET_INTSET);
      const values = this.held.map((m) => (m instanceof Uint8Array ? (canonicalInteger(m) as number | bigint) : m));
      writeString(w, guard(this.context, () => encodeIntset(values)), { compress });
      return { written: true };
    }
    if (!this.big && this.listpack()) {
      this.context.startKey(RdbType.SET_LISTPACK);
      writeString(w, encodeListpack(this.held), { compress });
      return { written: true };
    }
    this.context.startKey(RdbType.SET);
    writeLength(w, this.count);
    if (!this.big) {
      for (const member of this.held) writeString(w, entryBytes(member), { compress });
      return { written: true };
    }
    return { tail: this.spooled(), written: true };
  }
}

/** Runs an encoder; its RangeError (bad data, such as duplicate members) becomes an error naming the key. */
function guard<T>(context: ValueContext, encode: () => T): T {
  try {
    return encode();
  } catch (error) {
    if (error instanceof RangeError) throw new CorruptError(`key '${printable(context.key.key)}': ${error.message}`, { offset: context.key.offset });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// Sorted sets

/** Compares members as Redis's skiplist orders them (memcmp, then length). */
function compareMembers(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The text a release stores for a score in a listpack or ziplist (d2string): integers within range as
 * their digits, others as `%.17g` before 7.2 and as the shortest round-trip form (fpconv_dtoa) from 7.2.
 */
export function scoreText(score: number, style: 'g17' | 'shortest'): string {
  if (score === Number.POSITIVE_INFINITY) return 'inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  if (Number.isNaN(score)) return 'nan';
  if (style === 'g17') return formatRdbDouble(score);
  if (Number.isInteger(score) && Math.abs(score) <= 2 ** 62) return BigInt(score).toString();
  return shortestText(score);
}

/** fpconv_dtoa's layout of the shortest round-trip digits (Redis 7.2+ util.c d2string). */
function shortestText(value: number): string {
  const negative = value < 0;
  const [mantissa = '0', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const digitCount = digits.length;
  const exponent = Number(exponentText); // value = d.ddd × 10^exponent
  const k = exponent - digitCount + 1; // value = digits × 10^k
  const exp = Math.abs(k + digitCount - 1);
  let text: string;
  if (k >= 0 && exp < digitCount + 7) {
    text = digits + '0'.repeat(k);
  } else if (k < 0 && (k > -7 || exp < 4)) {
    const offset = digitCount + k;
    text = offset <= 0 ? `0.${'0'.repeat(-offset)}${digits}` : `${digits.slice(0, offset)}.${digits.slice(offset)}`;
  } else {
    const kept = digits.slice(0, Math.min(digitCount, 18 - (negative ? 1 : 0)));
    text = `${kept[0]}${kept.length > 1 ? `.${kept.slice(1)}` : ''}e${k + digitCount - 1 < 0 ? '-' : '+'}${exp}`;
  }
  return negative ? `-${text}` : text;
}

/** ASCII text as bytes (scores are ASCII). */
function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * A score as a listpack or ziplist element: the integer itself when the release prints it as one (the
 * encoders store canonical integers as integers, as lpAppend and ziplistPush do), else its text.
 */
function scoreElement(score: number, style: 'g17' | 'shortest'): Element {
  if (Number.isInteger(score)) {
    if (style === 'g17' ? score > -4503599627370495 && score < 4503599627370496 : Math.abs(score) <= 2 ** 62) {
      return Number.isSafeInteger(score) ? (score === 0 ? 0 : score) : BigInt(score);
    }
  }
  return asciiBytes(scoreText(score, style));
}

class ZsetWriter extends Spooling implements ValueWriter {
  private held: ZsetEntry[] = [];
  private heldBytes = 0;
  private count = 0;
  private longest = 0;
  private big = false;

  add(chunk: ValueChunk): undefined {
    if (chunk.type !== 'zset') throw mismatch(this.context, chunk);
    for (const entry of chunk.entries) this.push(entry);
    this.settle();
    return undefined;
  }

  raw(): undefined {
    return undefined;
  }

  private small(): boolean {
    return this.count <= this.context.config.zsetMaxEntries && this.longest <= this.context.config.zsetMaxValue;
  }

  private push(entry: ZsetEntry): void {
    this.count++;
    if (this.big) {
      this.writeSkiplistEntry(this.bodyWriter(), entry);
      return;
    }
    this.longest = Math.max(this.longest, elementLength(entry.member));
    this.held.push({ member: own(entry.member), score: entry.score });
    this.heldBytes += cost(entry.member) + 8;
    if (!this.small() && this.heldBytes > this.context.memoryLimit) {
      // Too big to hold: spooled in the order it comes (from an RDB skiplist, already Redis's order).
      this.big = true;
      for (const held of this.held) this.writeSkiplistEntry(this.bodyWriter(), held);
      this.held = [];
    }
  }

  private writeSkiplistEntry(w: ByteWriter, entry: ZsetEntry): void {
    writeString(w, entryBytes(entry.member), { compress: this.context.compress });
    if (this.context.target.writes.zsetBinary) writeBinaryDouble(w, entry.score);
    else writeAsciiDouble(w, entry.score);
  }

  end(): { tail?: Iterable<Uint8Array>; written: boolean } {
    if (this.count === 0) return { written: false };
    const { w, target, compress } = this.context;
    const skiplistType = target.writes.zsetBinary ? RdbType.ZSET_2 : RdbType.ZSET;
    if (this.big) {
      this.context.startKey(skiplistType);
      writeLength(w, this.count);
      return { tail: this.spooled(), written: true };
    }
    const sorted = this.held
      .map((entry) => ({ member: entryBytes(entry.member), score: entry.score }))
      .sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : compareMembers(a.member, b.member)));
    if (this.small()) {
      const flat: Element[] = [];
      for (const entry of sorted) flat.push(entry.member, scoreElement(entry.score, target.writes.scoreText));
      const listpack = target.writes.small === 'listpack';
      this.context.startKey(listpack ? RdbType.ZSET_LISTPACK : RdbType.ZSET_ZIPLIST);
      writeString(w, listpack ? encodeListpack(flat) : encodeZiplist(flat), { compress });
      return { written: true };
    }
    // Skiplist: Redis saves from the greatest element to the smallest.
    this.context.startKey(skiplistType);
    writeLength(w, this.count);
    for (let i = sorted.length - 1; i >= 0; i--) this.writeSkiplistEntry(w, sorted[i] as ZsetEntry);
    return { written: true };
  }
}

// ---------------------------------------------------------------------------------------------------
// Hashes

const NO_TTL = -1;

class HashWriter extends Spooling implements ValueWriter {
  private held: HashEntry[] = [];
  private heldBytes = 0;
  private count = 0;
  private longest = 0;
  private ttls = 0;
  private minExpire = Number.POSITIVE_INFINITY;
  /**
   * The hash is too big to hold and certain to be a hashtable: its fields go to the spool, each framed with
   * its TTL (i64le, -1 for none) and the byte length of its field and value, because the layout (plain,
   * Valkey's HASH_2 or Redis's HASH_METADATA with TTLs relative to the smallest) is known only at the end.
   */
  private big = false;

  add(chunk: ValueChunk): undefined {
    if (chunk.type !== 'hash') throw mismatch(this.context, chunk);
    for (const entry of chunk.entries) this.push(entry);
    this.settle();
    return undefined;
  }

  raw(): undefined {
    return undefined;
  }

  private push(original: HashEntry): void {
    let entry = original;
    if (entry.expireMs !== undefined) {
      if (this.context.target.writes.fieldTtl === undefined) {
        this.context.unsupported('field-ttl', 'a hash field TTL');
        entry = { field: entry.field, value: entry.value };
      } else {
        this.ttls++;
        this.minExpire = Math.min(this.minExpire, entry.expireMs);
      }
    }
    this.count++;
    if (this.big) {
      this.writeFrame(entry);
      return;
    }
    this.longest = Math.max(this.longest, elementLength(entry.field), elementLength(entry.value));
    this.held.push(entry.expireMs === undefined ? { field: own(entry.field), value: own(entry.value) } : { field: own(entry.field), value: own(entry.value), expireMs: entry.expireMs });
    this.heldBytes += cost(entry.field) + cost(entry.value) + 8;
    if (!this.small() && this.heldBytes > this.context.memoryLimit) {
      this.big = true;
      for (const held of this.held) this.writeFrame(held);
      this.held = [];
    }
  }

  private small(): boolean {
    if (this.ttls > 0 && this.context.target.writes.fieldTtl === 'valkey') return false; // Valkey keeps volatile fields in a hashtable
    return this.count <= this.context.config.hashMaxEntries && this.longest <= this.context.config.hashMaxValue;
  }

  private writeFrame(entry: HashEntry): void {
    const { compress } = this.context;
    const fields = new ByteWriter({ chunkSize: 256, passThrough: 256 });
    writeString(fields, entryBytes(entry.field), { compress });
    writeString(fields, entryBytes(entry.value), { compress });
    const pieces = fields.take();
    const body = this.bodyWriter();
    body.i64le(entry.expireMs ?? NO_TTL);
    body.u32le(fields.offset);
    for (const piece of pieces) body.bytes(piece);
  }

  /** One field of a hashtable hash: Valkey's HASH_2 adds the absolute expiry, -1 for none. */
  private writeTableEntry(w: ByteWriter, entry: HashEntry, valkey: boolean): void {
    const { compress } = this.context;
    writeString(w, entryBytes(entry.field), { compress });
    writeString(w, entryBytes(entry.value), { compress });
    if (valkey) writeMillisecondTime(w, entry.expireMs ?? NO_TTL);
  }

  end(): { tail?: Iterable<Uint8Array>; written: boolean } {
    if (this.count === 0) return { written: false };
    const { w, target, compress } = this.context;
    const ttlStyle = this.ttls > 0 ? target.writes.fieldTtl : undefined;
    const minExpire = this.minExpire;
    if (this.big) {
      this.context.startKey(ttlStyle === 'redis' ? RdbType.HASH_METADATA : ttlStyle === 'valkey' ? RdbType.HASH_METADATA_PRE_GA : RdbType.HASH);
      if (ttlStyle === 'redis') writeMillisecondTime(w, minExpire);
      writeLength(w, this.count);
      return { tail: hashFromFrames(this.spooled(), ttlStyle, minExpire), written: true };
    }
    if (ttlStyle === 'redis') {
      if (this.small()) {
        // HASH_LISTPACK_EX: fields ordered by TTL, those without one last (as Redis keeps them).
        const ordered = this.held.map((entry, index) => ({ entry, index }));
        ordered.sort((a, b) => {
          const ta = a.entry.expireMs ?? Number.POSITIVE_INFINITY;
          const tb = b.entry.expireMs ?? Number.POSITIVE_INFINITY;
          return ta < tb ? -1 : ta > tb ? 1 : a.index - b.index;
        });
        const flat: Element[] = [];
        for (const { entry } of ordered) flat.push(entry.field, entry.value, entry.expireMs ?? 0);
        this.context.startKey(RdbType.HASH_LISTPACK_EX);
        writeMillisecondTime(w, minExpire);
        writeString(w, encodeListpack(flat), { compress });
        return { written: true };
      }
      // HASH_METADATA: TTLs relative to the smallest, plus one (0 = no TTL).
      this.context.startKey(RdbType.HASH_METADATA);
      writeMillisecondTime(w, minExpire);
      writeLength(w, this.count);
      for (const entry of this.held) {
        writeLength(w, entry.expireMs === undefined ? 0 : entry.expireMs - minExpire + 1);
        this.writeTableEntry(w, entry, false);
      }
      return { written: true };
    }
    if (ttlStyle === 'valkey') {
      this.context.startKey(RdbType.HASH_METADATA_PRE_GA); // 22 is HASH_2 under the VALKEY magic
      writeLength(w, this.count);
      for (const entry of this.held) this.writeTableEntry(w, entry, true);
      return { written: true };
    }
    if (this.small()) {
      const flat: Element[] = [];
      for (const entry of this.held) flat.push(entry.field, entry.value);
      const listpack = target.writes.small === 'listpack';
      this.context.startKey(listpack ? RdbType.HASH_LISTPACK : RdbType.HASH_ZIPLIST);
      writeString(w, listpack ? encodeListpack(flat) : encodeZiplist(flat), { compress });
      return { written: true };
    }
    this.context.startKey(RdbType.HASH);
    writeLength(w, this.count);
    for (const entry of this.held) this.writeTableEntry(w, entry, false);
    return { written: true };
  }
}

/** Turns the framed fields of a spooled hash into the chosen layout (see {@link HashWriter}). */
function* hashFromFrames(frames: Iterable<Uint8Array>, ttlStyle: 'redis' | 'valkey' | undefined, minExpire: number): Generator<Uint8Array> {
  let carry: Uint8Array = new Uint8Array(0);
  for (const piece of frames) {
    let buffer = piece;
    if (carry.length > 0) {
      buffer = new Uint8Array(carry.length + piece.length);
      buffer.set(carry, 0);
      buffer.set(piece, carry.length);
    }
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let p = 0;
    while (buffer.length - p >= 12) {
      const expire = Number(view.getBigInt64(p, true));
      const length = view.getUint32(p + 8, true);
      if (buffer.length - p - 12 < length) break;
      const fields = buffer.subarray(p + 12, p + 12 + length);
      if (ttlStyle === 'redis') yield lengthBytes(expire === NO_TTL ? 0 : expire - minExpire + 1);
      yield fields;
      if (ttlStyle === 'valkey') yield buffer.slice(p, p + 8);
      p += 12 + length;
    }
    carry = buffer.slice(p);
  }
  if (carry.length > 0) throw new RangeError('spooled hash ended inside a field');
}

/** An RDB length as bytes. */
function lengthBytes(value: number): Uint8Array {
  const w = new ByteWriter({ chunkSize: 16 });
  writeLength(w, value);
  const [piece] = w.take();
  return piece as Uint8Array;
}

// ---------------------------------------------------------------------------------------------------
// Module values

class ModuleWriter implements ValueWriter {
  private readonly context: ValueContext;
  private chunk: Extract<ValueChunk, { type: 'module' }> | undefined;

  constructor(context: ValueContext) {
    this.context = context;
  }

  add(chunk: ValueChunk): undefined {
    if (chunk.type !== 'module') throw mismatch(this.context, chunk);
    if (chunk.body === undefined) throw new CorruptError(`module value of key '${printable(this.context.key.key)}' came without its body`, { offset: this.context.key.offset });
    this.chunk = chunk;
    return undefined;
  }

  raw(): undefined {
    return undefined;
  }

  end(): { tail?: Iterable<Uint8Array>; written: boolean } {
    const chunk = this.chunk;
    if (!chunk) throw new CorruptError(`module key '${printable(this.context.key.key)}' has no value`, { offset: this.context.key.offset });
    this.context.startKey(RdbType.MODULE_2);
    writeLength(this.context.w, chunk.moduleId);
    this.context.w.bytes(chunk.body as Uint8Array);
    return { written: true };
  }
}

