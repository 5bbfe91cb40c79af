/**
 * LZF, the compression Redis applies to RDB strings (special string encoding 3: `0xC3`, then the
 * compressed length, the original length, and the compressed bytes).
 *
 * The format is a sequence of items, each starting with a control byte `ctrl`:
 * - `ctrl < 32`: a literal run; the next `ctrl + 1` bytes are copied to the output.
 * - otherwise a back reference: `len = ctrl >> 5`; when `len == 7` the next byte is added to it; then
 *   one more byte completes the distance `((ctrl & 0x1f) << 8 | byte) + 1` (1..8192); `len + 2` bytes
 *   (3..264) are copied from that far back in the output (the copy may overlap what it produces).
 */

// cspell:words lzf

import { CorruptError, UnsupportedError, type Location } from '../errors.js';
import { WASM_LZF_MAX, lzfDecompressWasm } from './lzf-wasm.js';

/** Longest literal run one control byte can carry. */
const MAX_LITERAL = 32;
/** Farthest a back reference can reach (distance, 1-based). */
const MAX_DISTANCE = 1 << 13;
/** Longest back reference: 7 + 255 + 2. */
const MAX_MATCH = 264;
/** Most output one input byte can stand for: a 3-byte reference yields 264 bytes. */
const MAX_EXPANSION = MAX_MATCH / 3;
/** Shortest back reference worth encoding. */
const MIN_MATCH = 3;

/**
 * Decompresses Redis LZF data into exactly `outputLength` bytes.
 *
 * @param input the compressed bytes (exactly the declared compressed length).
 * @param outputLength the declared uncompressed length, in bytes. The caller must have checked it is a
 *   length it is willing to allocate: this function allocates it up front.
 * @param where where the compressed bytes start: `where.offset` is the absolute offset of `input[0]`
 *   and `where.file` the file name; errors report `where.offset` plus the position of the bad item.
 * @returns a new array of `outputLength` bytes.
 * @throws CorruptError when `outputLength` is 0 or `input` is empty (Redis treats a zero-length
 *   result as a failure); when `outputLength` exceeds what `input` could possibly expand to (88 bytes
 *   per compressed byte, checked before allocating); when an item runs past the end of `input`; when a
 *   back reference points before the start of the output; when the output would exceed
 *   `outputLength`; or when `input` ends before exactly `outputLength` bytes were produced.
 *   UnsupportedError (a CorruptError) when the output cannot be allocated. Throws nothing else.
 */
export function lzfDecompress(input: Uint8Array, outputLength: number, where: Location = {}): Uint8Array {
  checkLengths(input, outputLength, where);
  let out: Uint8Array;
  try {
    out = new Uint8Array(outputLength);
  } catch {
    throw new UnsupportedError(`lzf: ${outputLength} bytes are too many to decompress in memory`, where);
  }
  const fast = lzfDecompressWasm(input, outputLength);
  if (fast !== undefined) out.set(fast);
  else walk(input, outputLength, where, out);
  return out;
}

/** The buffer {@link lzfDecompressTransient} falls back to when the WebAssembly kernel cannot be used. */
let scratch = new Uint8Array(64 * 1024);

/**
 * {@link lzfDecompress} for data that is looked at and dropped at once: the result is a view that is only
 * valid until the next call (into the WebAssembly kernel's memory, or a buffer reused by every call), which
 * saves allocating and collecting an array per blob. The same checks and errors as {@link lzfDecompress}.
 */
export function lzfDecompressTransient(input: Uint8Array, outputLength: number, where: Location = {}): Uint8Array {
  checkLengths(input, outputLength, where);
  const fast = lzfDecompressWasm(input, outputLength);
  if (fast !== undefined) return fast;
  if (outputLength > WASM_LZF_MAX) return lzfDecompress(input, outputLength, where);
  if (outputLength > scratch.length) {
    walk(input, outputLength, where, undefined); // a corrupt declared length must not grow the buffer
    scratch = new Uint8Array(Math.max(outputLength, 2 * scratch.length));
  }
  walk(input, outputLength, where, scratch);
  return scratch.subarray(0, outputLength);
}

/**
 * Checks that `input` is LZF data that decompresses to exactly `outputLength` bytes, without producing
 * them: the same verdict and errors as {@link lzfDecompress}, at the cost of reading the control bytes
 * only (a literal run or back reference is skipped, not copied). For validating values nobody reads.
 *
 * @throws CorruptError exactly when {@link lzfDecompress} would.
 */
export function lzfValidate(input: Uint8Array, outputLength: number, where: Location = {}): void {
  checkLengths(input, outputLength, where);
  // A tight loop that only follows the control bytes; on any problem the full walk finds and reports it.
  const inLength = input.length;
  let ip = 0;
  let op = 0;
  while (ip < inLength) {
    const ctrl = input[ip] as number;
    if (ctrl < MAX_LITERAL) {
      ip += ctrl + 2;
      op += ctrl + 1;
    } else {
      let len = ctrl >> 5;
      let next = ip + 1;
      if (len === 7) len += input[next++] ?? 0;
      const distance = (((ctrl & 0x1f) << 8) | (input[next] ?? 0)) + 1;
      if (distance > op) break;
      ip = next + 1;
      op += len + 2;
    }
    if (op > outputLength) break;
  }
  if (ip !== inLength || op !== outputLength) walk(input, outputLength, where, undefined);
}

function failure(detail: string, at: number, where: Location): CorruptError {
  return new CorruptError(`lzf: ${detail}`, { file: where.file, offset: where.offset === undefined ? undefined : where.offset + at });
}

function checkLengths(input: Uint8Array, outputLength: number, where: Location): void {
  if (!Number.isSafeInteger(outputLength) || outputLength <= 0) {
    throw failure(`invalid uncompressed length ${outputLength}`, 0, where);
  }
  if (input.length === 0) throw failure('empty compressed data', 0, where);
  if (outputLength > input.length * MAX_EXPANSION) {
    throw failure(`declared length ${outputLength} cannot come from ${input.length} compressed bytes`, 0, where);
  }
}

/** Runs the items of `input`, writing them to `out` when given, and checks every bound. */
function walk(input: Uint8Array, outputLength: number, where: Location, out: Uint8Array | undefined): void {
  const inLength = input.length;
  let ip = 0;
  let op = 0;
  while (ip < inLength) {
    const itemStart = ip;
    const ctrl = input[ip++] as number;
    if (ctrl < MAX_LITERAL) {
      const count = ctrl + 1;
      if (op + count > outputLength) {
        throw failure(`literal run of ${count} bytes overflows the declared length ${outputLength}`, itemStart, where);
      }
      if (ip + count > inLength) {
        throw failure(`literal run of ${count} bytes runs past the end of the compressed data`, itemStart, where);
      }
      if (out === undefined) {
        ip += count;
        op += count;
      } else {
        // A literal run is at most 32 bytes: a plain loop beats a native copy call.
        for (let k = 0; k < count; k++) out[op++] = input[ip++] as number;
      }
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= inLength) throw failure('back reference runs past the end of the compressed data', itemStart, where);
        len += input[ip++] as number;
      }
      if (ip >= inLength) throw failure('back reference runs past the end of the compressed data', itemStart, where);
      const distance = (((ctrl & 0x1f) << 8) | (input[ip++] as number)) + 1;
      const count = len + 2;
      if (op + count > outputLength) {
        throw failure(`back reference of ${count} bytes overflows the declared length ${outputLength}`, itemStart, where);
      }
      let ref = op - distance;
      if (ref < 0) {
        throw failure(`back reference ${distance} bytes back points before the start of the output (at ${op})`, itemStart, where);
      }
      if (out === undefined) {
        op += count;
      } else if (distance === 1) {
        // A run of one byte: a fill.
        out.fill(out[ref] as number, op, op + count);
        op += count;
      } else if (distance >= count && count > 32) {
        out.copyWithin(op, ref, ref + count);
        op += count;
      } else {
        for (let k = 0; k < count; k++) out[op++] = out[ref++] as number;
      }
    }
  }
  if (op !== outputLength) {
    throw failure(`compressed data ends after ${op} of ${outputLength} bytes`, inLength, where);
  }
}

/** Bits of the hash of three bytes. */
const HASH_BITS = 16;
/**
 * Positions of recent 3-byte sequences, shared by every call. An entry is `generation + position`;
 * entries below the current call's generation are stale, which saves clearing the table per call.
 */
const table = new Int32Array(1 << HASH_BITS);
let generation = 0;

function hash3(data: Uint8Array, p: number): number {
  const v = ((data[p] as number) << 16) | ((data[p + 1] as number) << 8) | (data[p + 2] as number);
  return Math.imul(v, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/**
 * Compresses `input` with LZF (greedy matching over a hash table of 3-byte sequences), producing data
 * that {@link lzfDecompress} and Redis's `lzf_decompress` accept.
 *
 * @param input the bytes to compress.
 * @param maxLength the largest acceptable compressed size in bytes (default `input.length - 1`: the
 *   result must be smaller than the input). Redis itself passes `input.length - 4` and only tries
 *   strings longer than 20 bytes.
 * @returns the compressed bytes, or `undefined` when they would exceed `maxLength` (incompressible
 *   data, or an empty input).
 * @throws never.
 */
export function lzfCompress(input: Uint8Array, maxLength = input.length - 1): Uint8Array | undefined {
  const inLength = input.length;
  const limit = Math.min(Math.floor(maxLength), inLength + Math.ceil(inLength / MAX_LITERAL));
  if (inLength === 0 || !(limit > 0)) return undefined;
  if (generation + inLength + 1 > 0x7fffffff) {
    table.fill(0);
    generation = 0;
  }
  const gen = generation + 1; // stored values are gen + position, always >= 1
  generation = gen + inLength;

  const out = new Uint8Array(limit);
  let op = 0;
  let ip = 0;
  let litStart = 0; // first byte of the pending literal run

  // Writes input[litStart, end) as literal runs; false when it does not fit in `limit`.
  const flushLiterals = (end: number): boolean => {
    while (litStart < end) {
      const count = Math.min(MAX_LITERAL, end - litStart);
      if (op + 1 + count > limit) return false;
      out[op++] = count - 1;
      for (let k = 0; k < count; k++) out[op++] = input[litStart++] as number;
    }
    return true;
  };

  while (ip + MIN_MATCH <= inLength) {
    const h = hash3(input, ip);
    const candidate = (table[h] as number) - gen;
    table[h] = gen + ip;
    const distance = ip - candidate;
    if (
      candidate >= 0 &&
      distance <= MAX_DISTANCE &&
      input[candidate] === input[ip] &&
      input[candidate + 1] === input[ip + 1] &&
      input[candidate + 2] === input[ip + 2]
    ) {
      const maxCount = Math.min(MAX_MATCH, inLength - ip);
      let count = MIN_MATCH;
      while (count < maxCount && input[candidate + count] === input[ip + count]) count++;
      if (!flushLiterals(ip)) return undefined;
      const len = count - 2;
      const off = distance - 1;
      if (op + (len >= 7 ? 3 : 2) > limit) return undefined;
      if (len < 7) {
        out[op++] = (len << 5) | (off >> 8);
      } else {
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      // Remember the positions inside the match too, for better matches later.
      const end = ip + count;
      for (let p = ip + 1; p < end && p + MIN_MATCH <= inLength; p++) table[hash3(input, p)] = gen + p;
      ip = end;
      litStart = ip;
    } else {
      ip++;
    }
  }
  if (!flushLiterals(inLength)) return undefined;
  return out.slice(0, op);
}

/** Output bytes a back reference can reach behind the byte it produces. */
export const LZF_HISTORY = MAX_DISTANCE;

/**
 * LZF data of one compressed string fed in pieces, for strings too long to hold: validated item by item,
 * and with `decompress`, decompressed into a window that keeps only the last {@link LZF_HISTORY} bytes of
 * output (as far back as a back reference reaches) plus one piece. Memory is independent of both lengths.
 *
 * Reports exactly what {@link lzfDecompress} reports on the same bytes (same checks, messages and offsets),
 * except that a problem is found when its item is fed, so it can come before a truncation further on.
 */
export class LzfStream {
  /** Compressed bytes consumed so far (whole items only). */
  consumed = 0;
  /** Output bytes produced so far. */
  produced = 0;
  /** After {@link feed} returned 0: the bytes from its `start` that the next item needs. */
  wanted = 0;
  private readonly window: Uint8Array | undefined;
  /** Bytes of earlier output at the front of {@link window}. */
  private held = 0;
  /** Output of the last feed: window[held, held + fresh). */
  private fresh = 0;
  private readonly room: number;

  /**
   * @param compressedLength the declared compressed length, in bytes.
   * @param outputLength the declared uncompressed length, in bytes.
   * @param where `where.offset` is the absolute offset of the first compressed byte.
   * @param options.decompress produce the output (otherwise only validate).
   * @param options.pieceBytes most output bytes one {@link feed} produces (at least one back reference's 264).
   * @throws CorruptError when the lengths are impossible, as {@link lzfDecompress} would.
   */
  constructor(
    readonly compressedLength: number,
    readonly outputLength: number,
    private readonly where: Location,
    options: { decompress: boolean; pieceBytes: number },
  ) {
    if (!Number.isSafeInteger(outputLength) || outputLength <= 0) throw failure(`invalid uncompressed length ${outputLength}`, 0, where);
    if (compressedLength === 0) throw failure('empty compressed data', 0, where);
    if (outputLength > compressedLength * MAX_EXPANSION) {
      throw failure(`declared length ${outputLength} cannot come from ${compressedLength} compressed bytes`, 0, where);
    }
    this.room = Math.max(options.pieceBytes, MAX_MATCH);
    this.window = options.decompress ? new Uint8Array(LZF_HISTORY + this.room) : undefined;
  }

  /** True once every compressed byte has been consumed. */
  get done(): boolean {
    return this.consumed === this.compressedLength;
  }

  /** The output of the last {@link feed}: a view valid until the next one. */
  get output(): Uint8Array {
    return this.window === undefined ? new Uint8Array(0) : this.window.subarray(this.held, this.held + this.fresh);
  }

  /**
   * Reads the whole items of `input[start, end)`, the next compressed bytes (no more than are left).
   * Returns the bytes consumed: 0 when the first item is not whole yet ({@link wanted} says how many bytes
   * it needs). When the last compressed byte is consumed, checks that the output has its declared length.
   *
   * @throws CorruptError on a bad item (overflow, a reference before the start, an item cut by the end of
   *   the compressed data) or a short output, at the offset {@link lzfDecompress} reports.
   */
  feed(input: Uint8Array, start: number, end: number): number {
    const window = this.window;
    if (window !== undefined) this.slide();
    const outputLength = this.outputLength;
    const last = end - start === this.compressedLength - this.consumed;
    const base = this.consumed - start;
    const limit = window === undefined ? Number.POSITIVE_INFINITY : this.held + this.room;
    // Output index in the window: op - shift (the window holds output from `shift` on).
    const shift = this.produced - this.held;
    let op = this.produced;
    let ip = start;
    this.wanted = 0;
    if (window === undefined) {
      // Validating: a tight walk over the control bytes up to the first item it cannot pass as it is (cut by
      // the end of the bytes, or wrong); the careful walk below takes over from there.
      while (ip < end) {
        const ctrl = input[ip] as number;
        let next: number;
        let count: number;
        if (ctrl < MAX_LITERAL) {
          next = ip + ctrl + 2;
          count = ctrl + 1;
        } else {
          const len = ctrl >> 5;
          next = ip + (len === 7 ? 3 : 2);
          if (next > end) break;
          if ((((ctrl & 0x1f) << 8) | (input[next - 1] as number)) + 1 > op) break;
          count = (len === 7 ? 7 + (input[ip + 1] as number) : len) + 2;
        }
        if (next > end || op + count > outputLength) break;
        ip = next;
        op += count;
      }
    }
    while (ip < end) {
      const itemStart = ip;
      const ctrl = input[ip] as number;
      if (ctrl < MAX_LITERAL) {
        const count = ctrl + 1;
        if (op + count > outputLength) throw failure(`literal run of ${count} bytes overflows the declared length ${outputLength}`, base + itemStart, this.where);
        if (ip + 1 + count > end) {
          if (last) throw failure(`literal run of ${count} bytes runs past the end of the compressed data`, base + itemStart, this.where);
          this.wanted = 1 + count;
          break;
        }
        if (window !== undefined) {
          const to = op - shift;
          if (to + count > limit) break;
          for (let k = 0; k < count; k++) window[to + k] = input[ip + 1 + k] as number;
        }
        ip += 1 + count;
        op += count;
      } else {
        let len = ctrl >> 5;
        const size = len === 7 ? 3 : 2;
        if (ip + size > end) {
          if (last) throw failure('back reference runs past the end of the compressed data', base + itemStart, this.where);
          this.wanted = size;
          break;
        }
        if (len === 7) len += input[ip + 1] as number;
        const distance = (((ctrl & 0x1f) << 8) | (input[ip + size - 1] as number)) + 1;
        const count = len + 2;
        if (op + count > outputLength) throw failure(`back reference of ${count} bytes overflows the declared length ${outputLength}`, base + itemStart, this.where);
        if (distance > op) throw failure(`back reference ${distance} bytes back points before the start of the output (at ${op})`, base + itemStart, this.where);
        if (window !== undefined) {
          let to = op - shift;
          if (to + count > limit) break;
          let from = to - distance;
          if (distance === 1) window.fill(window[from] as number, to, to + count);
          else if (distance >= count) window.copyWithin(to, from, from + count);
          else for (let k = 0; k < count; k++) window[to++] = window[from++] as number;
        }
        ip += size;
        op += count;
      }
    }
    const consumed = ip - start;
    this.consumed += consumed;
    this.fresh = op - this.produced;
    this.produced = op;
    if (this.done && op !== outputLength) {
      throw failure(`compressed data ends after ${op} of ${outputLength} bytes`, this.compressedLength, this.where);
    }
    return consumed;
  }

  /** Drops the last output from the window but the history a back reference may reach. */
  private slide(): void {
    const window = this.window as Uint8Array;
    const end = this.held + this.fresh;
    const keep = Math.min(LZF_HISTORY, end);
    if (end > keep) window.copyWithin(0, end - keep, end);
    this.held = keep;
    this.fresh = 0;
  }
}
