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

/*
 * The compressor makes the same choices as liblzf 3.6's lzf_compress built with Redis's lzfP.h (HLOG 16,
 * VERY_FAST on, ULTRA_FAST off), so that a string Redis compressed compresses here to the same bytes:
 *
 * - one hash table slot per hash of the 3 bytes at a position: ((b0 << 8 | b1) - 5 (b1 << 8 | b2)) mod 2^16;
 *   every position the main loop visits overwrites its slot, whether it matches or not;
 * - a match needs the slot's position p to be after the first byte (p > 0), at most 8192 bytes back, and
 *   the same 3 bytes; it is extended byte by byte, up to 264 bytes and the end rule below;
 * - after a match, only its last two positions are hashed (VERY_FAST), and the loop goes on after it;
 * - the last two bytes of the input are always literals;
 * - the output limit is tested as liblzf tests it (conservatively, before each item), so that a string
 *   Redis stored uncompressed is found incompressible here too.
 *
 * Older liblzf releases (before 3.6, which Redis 2.x shipped) also refused to start a back reference in the
 * last 4 bytes of the input (`ip + 4 < in_end`); {@link LzfCompressOptions.beforeLiblzf36} adds that rule,
 * which reproduces the strings of such files.
 *
 * liblzf leaves its table uninitialised (INIT_HTAB 0), but that cannot change its output: a stale slot can
 * only yield a match when the same 3 bytes occurred earlier in this input at a visited position, and that
 * visit overwrote the slot. So the output is a function of the input alone, as computed here.
 */

/** Slots of the hash table (HLOG 16). */
const HASH_SIZE = 1 << 16;
/**
 * Positions of recent 3-byte sequences, shared by every call. An entry is `generation + position`;
 * entries below the current call's generation are empty, which saves clearing the table per call.
 */
const table = new Int32Array(HASH_SIZE);
let generation = 0;

let compressScratch = new Uint8Array(64 * 1024);

/** The shared output buffer, at least `size` bytes (a fresh one beyond 16 MiB, not kept). */
function scratchFor(size: number): Uint8Array {
  if (size <= compressScratch.length) return compressScratch;
  if (size > 16 << 20) return new Uint8Array(size);
  compressScratch = new Uint8Array(Math.max(size, compressScratch.length * 2));
  return compressScratch;
}

/** liblzf's IDX(h) for the 3 bytes at `p`, with VERY_FAST. */
function slotOf(data: Uint8Array, p: number): number {
  const b1 = data[p + 1] as number;
  return ((((data[p] as number) << 8) | b1) - 5 * ((b1 << 8) | (data[p + 2] as number))) & (HASH_SIZE - 1);
}

/** Options of {@link lzfCompress}. */
export interface LzfCompressOptions {
  /**
   * Compress as liblzf before 3.6 did (Redis 2.x): no back reference starts within the last 4 bytes of the
   * input. Default false: liblzf 3.6, as every Redis since (at least) 4.0.
   */
  beforeLiblzf36?: boolean;
}

/**
 * Compresses `input` with LZF exactly as Redis does (liblzf 3.6 with Redis's settings: see above), producing
 * data that {@link lzfDecompress} and Redis's `lzf_decompress` accept.
 *
 * @param input the bytes to compress.
 * @param outLength the output buffer size liblzf is given (default `input.length - 1`); like liblzf, the
 *   compression fails when it cannot be sure the output fits (it keeps a few bytes of slack, so a result of
 *   exactly `outLength` bytes may be refused). Redis's RDB writer passes `input.length - 4` and only tries
 *   strings longer than 20 bytes (see `writeString` in rdb/primitives.ts).
 * @param options which liblzf to reproduce.
 * @returns the compressed bytes, or `undefined` when liblzf would return 0 (empty input, `outLength` < 1,
 *   or output that would not fit).
 * @throws never.
 */
export function lzfCompress(input: Uint8Array, outLength = input.length - 1, options: LzfCompressOptions = {}): Uint8Array | undefined {
  const inLength = input.length;
  // With the pre-3.6 rule, a match may only start before inLength - 4.
  const matchEnd = options.beforeLiblzf36 === true ? inLength - 4 : inLength;
  const outEnd = Math.floor(Math.min(outLength, inLength + Math.ceil(inLength / MAX_LITERAL) + 4));
  if (inLength === 0 || !(outEnd >= 1)) return undefined;
  if (generation + inLength + 1 > 0x7fffffff) {
    table.fill(0);
    generation = 0;
  }
  const gen = generation + 1; // stored values are gen + position, always >= 1
  generation = gen + inLength;

  // liblzf writes a reserved control byte before checking space, so keep a few bytes of slack. The output
  // goes to a scratch buffer shared by the calls (most attempts of an RDB writer fail: incompressible data).
  const out = scratchFor(outEnd + 4);
  let op = 1; // index after the reserved control byte of the current literal run
  let lit = 0; // bytes in the current literal run
  let ip = 0;
  const loopEnd = inLength - 2;

  while (ip < loopEnd) {
    const slot = slotOf(input, ip);
    const ref = (table[slot] as number) - gen;
    table[slot] = gen + ip;
    if (
      ref > 0 &&
      ref < ip &&
      ip < matchEnd &&
      ip - ref <= MAX_DISTANCE &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] &&
      input[ref + 2] === input[ip + 2]
    ) {
      const off = ip - ref - 1;
      // liblzf's "exact but rare test": the item and a new run's control byte must fit before out_end.
      if (op - (lit === 0 ? 1 : 0) + 4 >= outEnd) return undefined;
      out[op - lit - 1] = lit - 1;
      if (lit === 0) op--;
      // The match length, as liblzf's loop finds it: 16 unchecked steps first when more than 16 bytes may
      // match, so it can end a little past maxlen (at most at the end of the input).
      const maxlen = Math.min(inLength - ip - 2, MAX_MATCH);
      let len = 2;
      let matched = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            matched = true;
            break;
          }
        }
      }
      if (!matched) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // now the match length minus 2, as stored
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start a run
      ip += len + 2;
      if (ip >= loopEnd) break;
      // VERY_FAST: hash the last two positions of the match.
      table[slotOf(input, ip - 2)] = gen + ip - 2;
      table[slotOf(input, ip - 1)] = gen + ip - 1;
    } else {
      if (op >= outEnd) return undefined;
      lit++;
      out[op++] = input[ip++] as number;
      if (lit === MAX_LITERAL) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return undefined;
  while (ip < inLength) {
    lit++;
    out[op++] = input[ip++] as number;
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
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
