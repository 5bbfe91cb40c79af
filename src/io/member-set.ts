import { ByteSet, hashBytes } from '../bytes/byte-set.js';
import { SpillFile } from './spill.js';

/** Options of {@link MemberSet}. */
export interface MemberSetOptions {
  /** Bytes of memory the members of one key may take before they spill to a temporary file (default 16 MiB). */
  memoryBytes?: number;
  /** Directory for the spill file (default: the system's temporary directory). */
  tempDir?: string;
}

/** One part of a spilled key's members: records in a buffer, and the blocks of them already written out. */
interface Part {
  /** Made on the first record. */
  buffer: Uint8Array;
  bufferBytes: number;
  used: number;
  /** Blocks in the spill file, as position, length, position, length… */
  blocks: number[];
  members: number;
  /** Bytes of records, written and buffered. */
  bytes: number;
}

const EMPTY = new Uint8Array(0);

/** Bytes before a member's bytes in a spill record: its length (u32le) and offset (f64le). */
const RECORD_HEADER = 12;
/** Table bytes per member while a part is checked, at most (16-byte slots, a quarter to half of them used). */
const TABLE_BYTES_PER_MEMBER = 64;
const MAX_PARTS = 1024;
/**
 * Members per part aimed at, budget allowing: a part's table then stays in the processor's cache, which
 * makes checking the parts several times faster than one table of the whole budget.
 */
const CACHED_MEMBERS = 16 * 1024;
/** Buffer bytes shared by the parts of a key. */
const PART_BUFFERS = 4 * 1024 * 1024;
const MAX_PART_BUFFER = 64 * 1024;
/** A part still too big is split this many ways, by another hash, at most {@link MAX_LEVEL} times. */
const SPLIT_WAYS = 16;
const MAX_LEVEL = 3;
/** Smallest memory a part is checked in: below it, splitting costs more than it saves. */
const MIN_PART_BYTES = 256 * 1024;
/** Most bytes of a part read back at a time. */
const READ_CHUNK = 1024 * 1024;

/**
 * Exact duplicate detection over the members of one key (set members, hash fields, zset members), in
 * bounded memory whatever the key holds.
 *
 * Members are kept in a {@link ByteSet} while it fits the memory budget, and a duplicate is reported as it
 * is added. Past the budget the set spills: its members, and every member added after, go with their offset
 * to one of up to 256 parts chosen by the top bits of the member's hash; a part's records are gathered in a
 * small buffer and written out in blocks to one temporary file. {@link finish} then reads the parts back one
 * at a time into an in-memory set, comparing bytes exactly (equal hashes are not taken for equal members),
 * and returns the offset of the first member, in the order they were added, equal to an earlier one — the
 * member an in-memory check would have stopped at. A part still too big for the budget (a skewed hash) is
 * split again by an independent hash.
 *
 * The spill file is made on the first block written, reused from key to key (emptied each time) and never
 * outlives the set: see {@link SpillFile}; {@link close} releases it.
 */
export class MemberSet {
  private readonly set: ByteSet;
  private readonly budget: number;
  /** Memory a part may take while it is checked: the budget, but never less than {@link MIN_PART_BYTES}. */
  private readonly partBudget: number;
  private readonly tempDir: string | undefined;
  private file: SpillFile | undefined;
  private parts: Part[] | undefined;
  /** Top bits of the hash that choose a part. */
  private bits = 0;
  private expected = 0;
  private added = 0;
  /** {@link ByteSet.tableBytes} of the set's size, recomputed when the size reaches {@link tableCheckAt}. */
  private tableBytes = 0;
  private tableCheckAt = 0;
  /** Reused to read parts back (made on first use). */
  private scratch: Uint8Array | undefined;
  private readonly number = new Float64Array(1);
  private readonly numberBytes = new Uint8Array(this.number.buffer);

  constructor(options: MemberSetOptions = {}) {
    this.budget = Math.max(4096, options.memoryBytes ?? 16 * 1024 * 1024);
    this.partBudget = Math.max(this.budget, MIN_PART_BYTES);
    this.tempDir = options.tempDir;
    // What the budget allows stays allocated from key to key and part to part: no churn of big arrays.
    this.set = new ByteSet({ retainBytes: this.budget });
  }

  /** True once the members of the current key went past the memory budget. */
  get spilled(): boolean {
    return this.parts !== undefined;
  }

  /**
   * Starts a new key of about `expected` members (it sizes the spill), dropping the previous one.
   * @throws InputOutputError when the spill file cannot be emptied.
   */
  reset(expected: number): void {
    this.release();
    this.set.reset();
    this.expected = expected;
    this.added = 0;
    this.tableCheckAt = 0;
  }

  /**
   * Adds the member `data[start, end)` found at absolute offset `offset`. Returns false when the set is in
   * memory and already holds an equal member; once spilled, duplicates are found by {@link finish}.
   * @throws InputOutputError when the spill file cannot be made or written.
   */
  add(data: Uint8Array, start: number, end: number, offset: number): boolean {
    this.added++;
    const parts = this.parts;
    if (parts !== undefined) {
      this.writeRecord(parts[hashBytes(data, start, end) >>> (32 - this.bits)] as Part, data, start, end, offset);
      return true;
    }
    const set = this.set;
    if (!set.add(data, start, end)) return false;
    // What the set needs (not what it keeps allocated from earlier keys), with room for its next growth.
    if (set.size >= this.tableCheckAt) {
      this.tableBytes = ByteSet.tableBytes(set.size + 1);
      this.tableCheckAt = this.tableBytes / 32;
    }
    if (2 * this.tableBytes + 2 * set.bytes > this.budget) this.spill();
    return true;
  }

  /**
   * Ends the key: checks the spilled members part by part and drops them. Returns the offset of the first
   * member equal to an earlier one, or -1 (always -1 when nothing spilled: the in-memory check answered as
   * members were added).
   * @throws InputOutputError when the spill file cannot be read or written.
   */
  finish(): number {
    const parts = this.parts;
    if (parts === undefined) return -1;
    let first = -1;
    try {
      for (const part of parts) {
        const found = this.checkPart(part, 0);
        if (found >= 0 && (first < 0 || found < first)) first = found;
      }
    } finally {
      this.release();
      this.set.reset();
    }
    return first;
  }

  /** Drops the current key and releases the spill file. Safe to call at any time, and twice. */
  close(): void {
    this.parts = undefined;
    this.set.reset();
    const file = this.file;
    this.file = undefined;
    file?.close();
  }

  private release(): void {
    if (this.parts === undefined) return;
    this.parts = undefined;
    this.file?.clear();
  }

  private newPart(bufferBytes: number): Part {
    return { buffer: EMPTY, bufferBytes, used: 0, blocks: [], members: 0, bytes: 0 };
  }

  /** Moves the in-memory members to parts, where every later member goes too. */
  private spill(): void {
    const set = this.set;
    const fit = Math.floor(this.partBudget / (set.bytes / Math.max(1, set.size) + TABLE_BYTES_PER_MEMBER));
    const perPart = Math.max(1, Math.min(fit, CACHED_MEMBERS));
    const wanted = Math.ceil(Math.max(this.expected, this.added * 2) / perPart);
    let count = 2;
    while (count < wanted && count < MAX_PARTS) count *= 2;
    this.bits = Math.log2(count);
    const bufferBytes = Math.min(MAX_PART_BUFFER, Math.max(4096, Math.floor(PART_BUFFERS / count)));
    const parts: Part[] = [];
    for (let i = 0; i < count; i++) parts.push(this.newPart(bufferBytes));
    this.parts = parts;
    const bits = this.bits;
    // Offset -1: these members are distinct and come before every later one, so none is a duplicate.
    set.forEach((data, start, end) => this.writeRecord(parts[hashBytes(data, start, end) >>> (32 - bits)] as Part, data, start, end, -1));
    set.reset();
  }

  private writeRecord(part: Part, data: Uint8Array, start: number, end: number, offset: number): void {
    const length = end - start;
    part.members++;
    part.bytes += RECORD_HEADER + length;
    if (part.buffer.length === 0) part.buffer = new Uint8Array(part.bufferBytes);
    if (part.used + RECORD_HEADER + length > part.buffer.length) this.flush(part);
    const out = part.buffer;
    let at = part.used;
    out[at] = length;
    out[at + 1] = length >>> 8;
    out[at + 2] = length >>> 16;
    out[at + 3] = length >>> 24;
    this.number[0] = offset;
    const number = this.numberBytes;
    for (let i = 0; i < 8; i++) out[at + 4 + i] = number[i] as number;
    at += RECORD_HEADER;
    if (at + length <= out.length) {
      if (length <= 32) for (let i = 0; i < length; i++) out[at + i] = data[start + i] as number;
      else out.set(data.subarray(start, end), at);
      part.used = at + length;
      return;
    }
    // A member longer than the buffer: written out straight after its header.
    part.used = at;
    this.flush(part);
    const position = this.spillFile().append(data, start, end);
    part.blocks.push(position, length);
  }

  private spillFile(): SpillFile {
    return (this.file ??= new SpillFile(this.tempDir));
  }

  private flush(part: Part): void {
    if (part.used === 0) return;
    const position = this.spillFile().append(part.buffer, 0, part.used);
    part.blocks.push(position, part.used);
    part.used = 0;
  }

  /** The first duplicate's offset in one part (-1 when none), splitting the part when it is too big. */
  private checkPart(part: Part, level: number): number {
    if (part.members < 2) return -1;
    // In memory, a part costs its members' bytes and a table, allocated once at their sizes.
    const memberBytes = part.bytes - part.members * RECORD_HEADER;
    if (ByteSet.tableBytes(part.members) + memberBytes > this.partBudget && level < MAX_LEVEL) return this.splitPart(part, level);
    const set = this.set;
    set.reset();
    set.reserve(part.members, memberBytes);
    let first = -1;
    this.forEachRecord(part, (data, start, end, offset) => {
      if (set.add(data, start, end) || offset < 0) return true;
      first = offset;
      return false;
    });
    set.reset();
    return first;
  }

  /** Splits a part by an independent hash into {@link SPLIT_WAYS} parts and checks each. */
  private splitPart(part: Part, level: number): number {
    const subs: Part[] = [];
    for (let i = 0; i < SPLIT_WAYS; i++) subs.push(this.newPart(MAX_PART_BUFFER));
    const seed = (0x5bd1e995 + level * 0x9e3779b9) | 0;
    this.forEachRecord(part, (data, start, end, offset) => {
      this.writeRecord(subs[(hashBytes(data, start, end, seed) >>> 0) % SPLIT_WAYS] as Part, data, start, end, offset);
      return true;
    });
    part.blocks = [];
    part.buffer = EMPTY;
    let first = -1;
    for (const sub of subs) {
      const found = this.checkPart(sub, level + 1);
      if (found >= 0 && (first < 0 || found < first)) first = found;
    }
    return first;
  }

  /** Reads a part's records in order, in bounded pieces, until `visit` returns false. */
  private forEachRecord(part: Part, visit: (data: Uint8Array, start: number, end: number, offset: number) => boolean): void {
    if (part.blocks.length === 0) {
      this.visitRecords(part.buffer, 0, part.used, visit);
      return;
    }
    const file = this.spillFile();
    const blocks = part.blocks;
    let block = 0;
    let inBlock = 0;
    let tail = 0;
    if (this.scratch === undefined || this.scratch.length < Math.min(part.bytes, READ_CHUNK)) this.scratch = new Uint8Array(Math.min(Math.max(part.bytes, 4096), READ_CHUNK));
    let chunk: Uint8Array = this.scratch;
    let have = 0;
    for (;;) {
      // Fill the chunk from the blocks, then from the buffered tail.
      while (have < chunk.length) {
        if (block < blocks.length) {
          const position = blocks[block] as number;
          const length = blocks[block + 1] as number;
          const n = Math.min(chunk.length - have, length - inBlock);
          file.read(position + inBlock, chunk, have, n);
          have += n;
          inBlock += n;
          if (inBlock === length) {
            block += 2;
            inBlock = 0;
          }
        } else if (tail < part.used) {
          const n = Math.min(chunk.length - have, part.used - tail);
          chunk.set(part.buffer.subarray(tail, tail + n), have);
          have += n;
          tail += n;
        } else {
          break;
        }
      }
      if (have === 0) return;
      const used = this.visitRecords(chunk, 0, have, visit);
      if (used < 0) return;
      if (used === 0) {
        // One record longer than the chunk: make room for it whole.
        const bigger = new Uint8Array(RECORD_HEADER + readU32(chunk, 0));
        bigger.set(chunk.subarray(0, have));
        chunk = bigger;
        continue;
      }
      chunk.copyWithin(0, used, have);
      have -= used;
    }
  }

  /** Visits the whole records of `data[start, end)`; returns the bytes they took, or -1 when `visit` said stop. */
  private visitRecords(data: Uint8Array, start: number, end: number, visit: (data: Uint8Array, start: number, end: number, offset: number) => boolean): number {
    let p = start;
    while (p + RECORD_HEADER <= end) {
      const length = readU32(data, p);
      const body = p + RECORD_HEADER;
      if (body + length > end) break;
      const number = this.numberBytes;
      for (let i = 0; i < 8; i++) number[i] = data[p + 4 + i] as number;
      if (!visit(data, body, body + length, this.number[0] as number)) return -1;
      p = body + length;
    }
    return p - start;
  }
}

function readU32(data: Uint8Array, at: number): number {
  return ((data[at] as number) | ((data[at + 1] as number) << 8) | ((data[at + 2] as number) << 16) | ((data[at + 3] as number) << 24)) >>> 0;
}
