/**
 * The LZ4 *frame* format (what the `lz4` command-line tool writes), streaming in both directions.
 *
 * A frame is: magic 0x184D2204 (4 bytes LE); a descriptor of FLG, BD, [content size, 8 bytes LE],
 * [dictionary id, 4 bytes LE] and a header checksum byte (`xxh32(descriptor) >> 8 & 0xff`); then blocks,
 * each a 4-byte LE size whose high bit marks a stored (uncompressed) block, the data, and an optional
 * 4-byte LE xxh32 of the data; an end mark (size 0); and an optional 4-byte LE xxh32 of the whole
 * content. Several frames may follow each other, as may skippable frames (magic 0x184D2A50..5F,
 * 4-byte LE size, that many bytes to ignore).
 *
 * The decoder is our own bounds-checked implementation: it keeps at most one block of input plus one
 * block and a 64 KiB window of output in memory, and reports every problem as a {@link CorruptError},
 * {@link ChecksumError} or {@link TruncatedError} with the absolute offset in the compressed stream.
 * The encoder uses the block compressor of the `lz4js` package.
 */

// cspell:words lz4js xxhash xxh32 FLG dict skippable

import lz4js from 'lz4js';
import { ByteReader } from '../bytes/reader.js';
import { ChecksumError, CorruptError, TruncatedError, UnsupportedError } from '../errors.js';

import { LZ4_FRAME_MAGIC } from './lz4-magic.js';

export { LZ4_FRAME_MAGIC, isLz4Frame } from './lz4-magic.js';
/** Magic of the obsolete "legacy" format (`lz4 -l`), recognized only to say it is not supported. */
const LEGACY_MAGIC = 0x184c2102;
/** Skippable frames have magic 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MAGIC = 0x184d2a50;

/** Back references of linked blocks reach at most this far into earlier output. */
const WINDOW = 64 * 1024;

/** Maximum block sizes by the 3-bit BD code 4..7. */
const BLOCK_SIZES: Record<number, number> = { 4: 0x10000, 5: 0x40000, 6: 0x100000, 7: 0x400000 };

/** The block sizes an LZ4 frame can declare: 64 KiB, 256 KiB, 1 MiB and 4 MiB. */
export type Lz4BlockSize = 65536 | 262144 | 1048576 | 4194304;

// ---------------------------------------------------------------------------------------------------
// xxHash32

const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function readU32le(d: Uint8Array, p: number): number {
  return ((d[p] as number) | ((d[p + 1] as number) << 8) | ((d[p + 2] as number) << 16) | ((d[p + 3] as number) << 24)) >>> 0;
}

function writeU32le(d: Uint8Array, p: number, v: number): void {
  d[p] = v & 0xff;
  d[p + 1] = (v >>> 8) & 0xff;
  d[p + 2] = (v >>> 16) & 0xff;
  d[p + 3] = (v >>> 24) & 0xff;
}

/**
 * Incremental xxHash32 (the checksum of the LZ4 frame format). Feed bytes with {@link Xxh32.update};
 * {@link Xxh32.digest} returns the hash of everything fed so far as an unsigned 32-bit number.
 */
export class Xxh32 {
  private readonly seed: number;
  private v1 = 0;
  private v2 = 0;
  private v3 = 0;
  private v4 = 0;
  /** Total bytes fed (a JS number: exact far beyond any real stream). */
  private total = 0;
  /** Up to 15 bytes waiting for a full 16-byte stripe. */
  private readonly memory = new Uint8Array(16);
  private memorySize = 0;

  /** @param seed the hash seed (LZ4 frames use 0). */
  constructor(seed = 0) {
    this.seed = seed >>> 0;
    this.reset();
  }

  /** Forgets every byte fed so far. */
  reset(): void {
    const s = this.seed;
    this.v1 = (s + PRIME1 + PRIME2) | 0;
    this.v2 = (s + PRIME2) | 0;
    this.v3 = s | 0;
    this.v4 = (s - PRIME1) | 0;
    this.total = 0;
    this.memorySize = 0;
  }

  /** Adds `data[start, end)` to the hash. Indexes are not checked: pass a valid range. */
  update(data: Uint8Array, start = 0, end = data.length): void {
    let p = start;
    this.total += end - p;
    if (this.memorySize > 0) {
      const take = Math.min(16 - this.memorySize, end - p);
      this.memory.set(data.subarray(p, p + take), this.memorySize);
      this.memorySize += take;
      p += take;
      if (this.memorySize < 16) return;
      this.stripes(this.memory, 0, 16);
      this.memorySize = 0;
    }
    const bulkEnd = p + ((end - p) & ~15);
    if (bulkEnd > p) {
      this.stripes(data, p, bulkEnd);
      p = bulkEnd;
    }
    if (p < end) {
      this.memory.set(data.subarray(p, end), 0);
      this.memorySize = end - p;
    }
  }

  /** The hash of every byte fed so far, as an unsigned 32-bit number; the state is not changed. */
  digest(): number {
    let h: number;
    if (this.total >= 16) {
      h = (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0;
    } else {
      h = (this.seed + PRIME5) | 0;
    }
    h = (h + this.total) | 0;
    const m = this.memory;
    const n = this.memorySize;
    let p = 0;
    for (; p + 4 <= n; p += 4) {
      h = (h + Math.imul(readU32le(m, p), PRIME3)) | 0;
      h = Math.imul(rotl(h, 17), PRIME4);
    }
    for (; p < n; p++) {
      h = (h + Math.imul(m[p] as number, PRIME5)) | 0;
      h = Math.imul(rotl(h, 11), PRIME1);
    }
    h ^= h >>> 15;
    h = Math.imul(h, PRIME2);
    h ^= h >>> 13;
    h = Math.imul(h, PRIME3);
    h ^= h >>> 16;
    return h >>> 0;
  }

  /** Processes whole 16-byte stripes of `d[p, end)`; `end - p` is a multiple of 16. */
  private stripes(d: Uint8Array, p: number, end: number): void {
    let v1 = this.v1;
    let v2 = this.v2;
    let v3 = this.v3;
    let v4 = this.v4;
    for (; p < end; p += 16) {
      let w = (d[p] as number) | ((d[p + 1] as number) << 8) | ((d[p + 2] as number) << 16) | ((d[p + 3] as number) << 24);
      v1 = (v1 + Math.imul(w, PRIME2)) | 0;
      v1 = Math.imul((v1 << 13) | (v1 >>> 19), PRIME1);
      w = (d[p + 4] as number) | ((d[p + 5] as number) << 8) | ((d[p + 6] as number) << 16) | ((d[p + 7] as number) << 24);
      v2 = (v2 + Math.imul(w, PRIME2)) | 0;
      v2 = Math.imul((v2 << 13) | (v2 >>> 19), PRIME1);
      w = (d[p + 8] as number) | ((d[p + 9] as number) << 8) | ((d[p + 10] as number) << 16) | ((d[p + 11] as number) << 24);
      v3 = (v3 + Math.imul(w, PRIME2)) | 0;
      v3 = Math.imul((v3 << 13) | (v3 >>> 19), PRIME1);
      w = (d[p + 12] as number) | ((d[p + 13] as number) << 8) | ((d[p + 14] as number) << 16) | ((d[p + 15] as number) << 24);
      v4 = (v4 + Math.imul(w, PRIME2)) | 0;
      v4 = Math.imul((v4 << 13) | (v4 >>> 19), PRIME1);
    }
    this.v1 = v1;
    this.v2 = v2;
    this.v3 = v3;
    this.v4 = v4;
  }
}

/**
 * One-shot xxHash32 of `data[start, end)`.
 *
 * @returns the hash as an unsigned 32-bit number.
 * @throws never.
 */
export function xxh32(data: Uint8Array, seed = 0, start = 0, end = data.length): number {
  const h = new Xxh32(seed);
  h.update(data, start, end);
  return h.digest();
}

// ---------------------------------------------------------------------------------------------------
// Block decoding

/** Why {@link decodeBlock} failed, indexed by the negative code it returns (minus one). */
const BLOCK_ERRORS = [
  'block ends after a match instead of literals',
  'literal length runs past the end of the block',
  'literal run runs past the end of the block',
  'block decodes to more than the maximum block size',
  'match offset runs past the end of the block',
  'match offset 0',
  'match length runs past the end of the block',
  'match offset points before the start of the data',
];
const E_OFFSET_BEFORE_START = -8;

/** Index into the block of the sequence {@link decodeBlock} failed on (valid after it returned < 0). */
let blockErrorAt = 0;

/**
 * Decodes one raw LZ4 block `src[sp, sEnd)` into `dst` from index `dp`, never writing at or past
 * `dLimit` and never referencing before `dLowest`. Returns the index one past the last byte written,
 * or a negative code (see {@link BLOCK_ERRORS}) with {@link blockErrorAt} set to the bad sequence.
 * Kept free of closures and allocations: this is the hot loop of decompression.
 */
function decodeBlock(src: Uint8Array, sp: number, sEnd: number, dst: Uint8Array, dp: number, dLimit: number, dLowest: number): number {
  let ip = sp;
  let op = dp;
  // Below these indexes a fixed 16-byte copy stays inside the block and the output limit.
  const safeIn = sEnd - 40;
  const safeOut = dLimit - 40;
  while (true) {
    blockErrorAt = ip;
    if (ip >= sEnd) return -1;
    const token = src[ip++] as number;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (ip >= sEnd) return -2;
        b = src[ip++] as number;
        literals += b;
      } while (b === 255);
    }
    if (literals > sEnd - ip) return -3;
    if (literals > dLimit - op) return -4;
    if (literals <= 16 && op < safeOut && ip < safeIn) {
      // Far from both ends: copy 8 or 16 bytes whatever the count. Bytes past the run are rewritten
      // by the following sequences before anything reads them, and never reach the output.
      dst[op] = src[ip] as number;
      dst[op + 1] = src[ip + 1] as number;
      dst[op + 2] = src[ip + 2] as number;
      dst[op + 3] = src[ip + 3] as number;
      dst[op + 4] = src[ip + 4] as number;
      dst[op + 5] = src[ip + 5] as number;
      dst[op + 6] = src[ip + 6] as number;
      dst[op + 7] = src[ip + 7] as number;
      if (literals > 8) {
        dst[op + 8] = src[ip + 8] as number;
        dst[op + 9] = src[ip + 9] as number;
        dst[op + 10] = src[ip + 10] as number;
        dst[op + 11] = src[ip + 11] as number;
        dst[op + 12] = src[ip + 12] as number;
        dst[op + 13] = src[ip + 13] as number;
        dst[op + 14] = src[ip + 14] as number;
        dst[op + 15] = src[ip + 15] as number;
      }
      ip += literals;
      op += literals;
    } else if (literals > 32) {
      dst.set(src.subarray(ip, ip + literals), op);
      ip += literals;
      op += literals;
    } else {
      for (let k = 0; k < literals; k++) dst[op++] = src[ip++] as number;
    }
    if (ip === sEnd) return op;
    if (sEnd - ip < 2) return -5;
    const offset = (src[ip] as number) | ((src[ip + 1] as number) << 8);
    ip += 2;
    if (offset === 0) return -6;
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (ip >= sEnd) return -7;
        b = src[ip++] as number;
        length += b;
      } while (b === 255);
    }
    length += 4;
    if (offset > op - dLowest) return E_OFFSET_BEFORE_START;
    if (length > dLimit - op) return -4;
    let ref = op - offset;
    if (length <= 18 && offset >= 8 && op < safeOut) {
      // Same trick for short matches: the first 8 bytes unconditionally (they never overlap the source).
      dst[op] = dst[ref] as number;
      dst[op + 1] = dst[ref + 1] as number;
      dst[op + 2] = dst[ref + 2] as number;
      dst[op + 3] = dst[ref + 3] as number;
      dst[op + 4] = dst[ref + 4] as number;
      dst[op + 5] = dst[ref + 5] as number;
      dst[op + 6] = dst[ref + 6] as number;
      dst[op + 7] = dst[ref + 7] as number;
      for (let k = 8; k < length; k++) dst[op + k] = dst[ref + k] as number;
      op += length;
    } else if (length <= 32) {
      for (let k = 0; k < length; k++) dst[op++] = dst[ref++] as number;
    } else if (offset >= length) {
      dst.copyWithin(op, ref, ref + length);
      op += length;
    } else {
      // Overlapping copy of a repeating pattern: each step copies everything produced so far.
      const end = op + length;
      while (op < end) {
        const n = Math.min(op - ref, end - op);
        dst.copyWithin(op, ref, ref + n);
        op += n;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Frame decoding

const S_MAGIC = 0;
const S_DESCRIPTOR = 1;
const S_BLOCK_SIZE = 2;
const S_BLOCK_DATA = 3;
const S_CONTENT_CHECKSUM = 4;
const S_SKIP_SIZE = 5;
const S_SKIP_DATA = 6;

const STRUCTURE_NAMES = [
  'frame magic',
  'frame descriptor',
  'block size',
  'block',
  'content checksum',
  'skippable frame size',
  'skippable frame',
];

/**
 * A push-style LZ4 frame decoder: feed compressed chunks of any size with {@link push}, collect the
 * decoded blocks it yields, and call {@link finish} at the end of the input.
 *
 * Memory: one structure (at most a block of input plus its checksum) is buffered when a chunk ends in
 * its middle, and the output window is one maximum block plus 64 KiB for linked blocks.
 */
class Lz4FrameDecoder {
  private readonly file: string | undefined;
  private state = S_MAGIC;
  /** Absolute offset (in the compressed stream) where the structure being read starts. */
  private offset = 0;
  /** Bytes of the current structure held back because the chunk ended in its middle. */
  private pending = new Uint8Array(0);
  private pendingLength = 0;
  /** Bytes still to skip in a skippable frame. */
  private skipLeft = 0;

  // Frame parameters.
  private linked = false;
  private blockChecksum = false;
  private contentChecksum = false;
  private contentSize: bigint | undefined;
  private dictId: number | undefined;
  private maxBlock = 0;
  /** Size of the block being read (state S_BLOCK_DATA) and whether it is stored uncompressed. */
  private blockLength = 0;
  private blockStored = false;

  // Frame output state.
  private window = new Uint8Array(0);
  /** Bytes of history at the start of {@link window} (linked blocks only). */
  private windowLength = 0;
  private readonly hash = new Xxh32();
  private produced = 0;

  constructor(file: string | undefined) {
    this.file = file;
  }

  /** Feeds one chunk of compressed input; yields each decoded block (fresh arrays the caller may keep). */
  *push(input: Uint8Array): Generator<Uint8Array, void, undefined> {
    // A plain Uint8Array view keeps element access monomorphic and subarray() cheap (Buffer's is not).
    const chunk = Object.getPrototypeOf(input) === Uint8Array.prototype ? input : new Uint8Array(input.buffer, input.byteOffset, input.length);
    let pos = 0;
    while (true) {
      if (this.state === S_SKIP_DATA) {
        const n = Math.min(this.skipLeft, chunk.length - pos);
        pos += n;
        this.skipLeft -= n;
        this.offset += n;
        if (this.skipLeft > 0) return;
        this.state = S_MAGIC;
        continue;
      }
      const fromPending = this.pendingLength > 0;
      const src = fromPending ? this.pending : chunk;
      const p = fromPending ? 0 : pos;
      const available = fromPending ? this.pendingLength : chunk.length - pos;
      const need = this.required(src, p, available);
      if (available >= need) {
        const output = this.process(src, p, need);
        if (fromPending) this.pendingLength = 0;
        else pos += need;
        this.offset += need;
        if (output !== undefined && output.length > 0) yield output;
        continue;
      }
      const left = chunk.length - pos;
      if (left === 0) return;
      if (fromPending) {
        const take = Math.min(need - this.pendingLength, left);
        this.hold(chunk, pos, take, need);
        pos += take;
      } else {
        this.hold(chunk, pos, left, need);
        return;
      }
    }
  }

  /**
   * Declares the end of the input.
   *
   * @throws TruncatedError ("lz4: truncated frame") when the input stopped inside a frame.
   */
  finish(): void {
    if (this.state === S_MAGIC && this.pendingLength === 0) return;
    const name = STRUCTURE_NAMES[this.state] ?? 'frame';
    if (this.state === S_SKIP_DATA) {
      throw new TruncatedError(this.skipLeft, 0, { file: this.file, offset: this.offset }, `lz4: truncated frame (in ${name})`);
    }
    const need = this.required(this.pending, 0, this.pendingLength);
    throw new TruncatedError(need, this.pendingLength, { file: this.file, offset: this.offset }, `lz4: truncated frame (in ${name})`);
  }

  /** Appends `chunk[pos, pos + count)` to the held-back bytes, growing the buffer to `need` if required. */
  private hold(chunk: Uint8Array, pos: number, count: number, need: number): void {
    if (this.pending.length < this.pendingLength + count) {
      const next = new Uint8Array(Math.max(need, 32));
      next.set(this.pending.subarray(0, this.pendingLength), 0);
      this.pending = next;
    }
    this.pending.set(chunk.subarray(pos, pos + count), this.pendingLength);
    this.pendingLength += count;
  }

  /** Bytes the structure expected in the current state occupies, given the first `available` bytes. */
  private required(src: Uint8Array, p: number, available: number): number {
    switch (this.state) {
      case S_DESCRIPTOR: {
        if (available < 1) return 1;
        const flg = src[p] as number;
        return 3 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
      }
      case S_BLOCK_DATA:
        return this.blockLength + (this.blockChecksum ? 4 : 0);
      default:
        return 4;
    }
  }

  private corrupt(detail: string, at = 0): CorruptError {
    return new CorruptError(`lz4: ${detail}`, { file: this.file, offset: this.offset + at });
  }

  /** Handles one complete structure `src[p, p + length)`; returns decoded bytes, if any. */
  private process(src: Uint8Array, p: number, length: number): Uint8Array | undefined {
    // Fixed fields are read through a ByteReader (absolute offsets); required() made sure they are all here.
    const r = new ByteReader(src, { pos: p, end: p + length, base: this.offset - p, file: this.file });
    switch (this.state) {
      case S_MAGIC: {
        const magic = r.u32le();
        if (magic === LZ4_FRAME_MAGIC) {
          this.state = S_DESCRIPTOR;
        } else if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) {
          this.state = S_SKIP_SIZE;
        } else if (magic === LEGACY_MAGIC) {
          throw new UnsupportedError('lz4: legacy frame format (lz4 -l) is not supported', { file: this.file, offset: this.offset });
        } else {
          throw this.corrupt(`bad frame magic 0x${magic.toString(16).padStart(8, '0')}`);
        }
        return undefined;
      }
      case S_DESCRIPTOR:
        this.startFrame(r, length);
        return undefined;
      case S_BLOCK_SIZE: {
        const word = r.u32le();
        const size = word & 0x7fffffff;
        if (size === 0) {
          // End mark (the reference decoder also accepts 0x80000000 here).
          if (this.contentSize !== undefined && BigInt(this.produced) !== this.contentSize) {
            throw this.corrupt(`frame content size is ${this.contentSize} but ${this.produced} bytes were decoded`);
          }
          this.state = this.contentChecksum ? S_CONTENT_CHECKSUM : S_MAGIC;
          if (!this.contentChecksum) this.endFrame();
          return undefined;
        }
        if (size > this.maxBlock) {
          throw this.corrupt(`block size ${size} exceeds the frame's maximum block size ${this.maxBlock}`);
        }
        this.blockLength = size;
        this.blockStored = word >>> 31 === 1;
        this.state = S_BLOCK_DATA;
        return undefined;
      }
      case S_BLOCK_DATA: {
        const output = this.decodeBlockData(src, p);
        this.state = S_BLOCK_SIZE;
        return output;
      }
      case S_CONTENT_CHECKSUM: {
        const stored = r.u32le();
        const actual = this.hash.digest();
        if (stored !== actual) {
          throw new ChecksumError(BigInt(stored), BigInt(actual), { file: this.file, offset: this.offset }).during(
            'lz4 content checksum',
          );
        }
        this.state = S_MAGIC;
        this.endFrame();
        return undefined;
      }
      case S_SKIP_SIZE:
        this.skipLeft = r.u32le();
        this.state = S_SKIP_DATA;
        return undefined;
      default:
        throw new Error(`unreachable lz4 decoder state ${this.state}`);
    }
  }

  /** Parses and checks the frame descriptor (`length` bytes at `r`) and resets the per-frame state. */
  private startFrame(r: ByteReader, length: number): void {
    const start = r.pos;
    const flg = r.u8();
    const bd = r.u8();
    const version = flg >>> 6;
    if (version !== 1) throw this.corrupt(`unsupported frame version ${version} (expected 1)`);
    if (flg & 0x02) throw this.corrupt('reserved bit set in frame flags');
    if (bd & 0x8f) throw this.corrupt('reserved bit set in block descriptor');
    const maxBlock = BLOCK_SIZES[(bd >>> 4) & 7];
    if (maxBlock === undefined) throw this.corrupt(`invalid maximum block size code ${(bd >>> 4) & 7}`, 1);
    const actual = (xxh32(r.data, 0, start, start + length - 1) >>> 8) & 0xff;
    const stored = r.data[start + length - 1] as number;
    if (stored !== actual) {
      throw new ChecksumError(BigInt(stored), BigInt(actual), { file: this.file, offset: this.offset + length - 1 }).during(
        'lz4 frame header checksum',
      );
    }
    this.linked = (flg & 0x20) === 0;
    this.blockChecksum = (flg & 0x10) !== 0;
    this.contentChecksum = (flg & 0x04) !== 0;
    this.contentSize = flg & 0x08 ? r.u64le() : undefined;
    this.dictId = flg & 0x01 ? r.u32le() : undefined;
    this.maxBlock = maxBlock;
    this.windowLength = 0;
    this.hash.reset();
    this.produced = 0;
    this.state = S_BLOCK_SIZE;
  }

  /** Makes the window hold at least `length` bytes, keeping the history at its start. */
  private ensureWindow(length: number): void {
    if (this.window.length >= length) return;
    const full = (this.linked ? WINDOW : 0) + this.maxBlock;
    const next = new Uint8Array(Math.min(full, Math.max(length, this.window.length * 2)));
    next.set(this.window.subarray(0, this.windowLength), 0);
    this.window = next;
  }

  private endFrame(): void {
    // Let a large window go once a frame ends; the next frame allocates what it needs.
    if (this.window.length > WINDOW + 0x10000) this.window = new Uint8Array(0);
    this.windowLength = 0;
  }

  /** Verifies and decodes the block `src[p, p + blockLength)` (+ checksum); returns a fresh output array. */
  private decodeBlockData(src: Uint8Array, p: number): Uint8Array {
    const size = this.blockLength;
    if (this.blockChecksum) {
      const stored = readU32le(src, p + size);
      const actual = xxh32(src, 0, p, p + size);
      if (stored !== actual) {
        throw new ChecksumError(BigInt(stored), BigInt(actual), { file: this.file, offset: this.offset + size }).during(
          'lz4 block checksum',
        );
      }
    }
    const start = this.windowLength;
    // Grow the window only as far as this block can reach (an LZ4 byte expands to at most 255 bytes),
    // so small frames do not allocate a 4 MiB buffer.
    this.ensureWindow(start + (this.blockStored ? size : Math.min(this.maxBlock, size * 255 + 64)));
    let end: number;
    if (this.blockStored) {
      this.window.set(src.subarray(p, p + size), start);
      end = start + size;
    } else {
      const limit = Math.min(start + this.maxBlock, this.window.length);
      end = decodeBlock(src, p, p + size, this.window, start, limit, this.linked ? 0 : start);
      if (end < 0) {
        const where = { file: this.file, offset: this.offset + (blockErrorAt - p) };
        if (end === E_OFFSET_BEFORE_START && this.dictId !== undefined) {
          const id = this.dictId.toString(16).padStart(8, '0');
          throw new UnsupportedError(`lz4: match reaches into dictionary 0x${id}, which is not available`, where);
        }
        throw new CorruptError(`lz4: ${BLOCK_ERRORS[-end - 1] ?? 'malformed block'}`, where);
      }
    }
    const output = this.window.slice(start, end);
    if (this.contentChecksum) this.hash.update(this.window, start, end);
    this.produced += end - start;
    if (this.linked) {
      if (end > WINDOW) {
        this.window.copyWithin(0, end - WINDOW, end);
        this.windowLength = WINDOW;
      } else {
        this.windowLength = end;
      }
    }
    return output;
  }
}

/**
 * Decodes a stream of LZ4 frames (concatenated frames and skippable frames allowed), block by block.
 * Memory stays bounded by one block of input plus one block and a 64 KiB window of output, whatever the
 * stream's length. An empty input yields nothing (as `lz4 -d` does).
 *
 * Supports independent and linked blocks, all four maximum block sizes, block checksums, content
 * checksums and content sizes (all verified). Frames that declare a dictionary decode only while no
 * match reaches into the (unavailable) dictionary.
 *
 * @param chunks the compressed bytes, in chunks of any size (a chunk may be reused by the producer once
 *   the next one is requested).
 * @param file the file name used in error messages.
 * @returns an async generator of decoded blocks (fresh arrays, each at most the frame's block size).
 * @throws CorruptError for a bad magic, version, reserved bit, block size, or malformed block data;
 *   ChecksumError (a CorruptError) for a header, block or content checksum mismatch;
 *   UnsupportedError for the legacy format or a needed dictionary; TruncatedError ("lz4: truncated frame")
 *   when the input ends inside a frame. Every error carries `file` and the absolute offset in the
 *   compressed stream of the structure at fault. Errors of the `chunks` iterable pass through.
 */
export async function* lz4DecodeFrames(chunks: AsyncIterable<Uint8Array>, file?: string): AsyncGenerator<Uint8Array> {
  const decoder = new Lz4FrameDecoder(file);
  for await (const chunk of chunks) {
    for (const block of decoder.push(chunk)) yield block;
  }
  decoder.finish();
}

/**
 * Decodes a whole in-memory LZ4 stream (see {@link lz4DecodeFrames}) at once.
 *
 * @param data the compressed bytes.
 * @param file the file name used in error messages.
 * @returns the decoded bytes.
 * @throws the same errors as {@link lz4DecodeFrames}.
 */
export function lz4DecodeBuffer(data: Uint8Array, file?: string): Uint8Array {
  const decoder = new Lz4FrameDecoder(file);
  const parts = [...decoder.push(data)];
  decoder.finish();
  return concat(parts);
}

// ---------------------------------------------------------------------------------------------------
// Frame encoding

const BLOCK_SIZE_CODES = new Map<number, number>([
  [0x10000, 4],
  [0x40000, 5],
  [0x100000, 6],
  [0x400000, 7],
]);

/** Options of {@link lz4EncodeFrames}. */
export interface Lz4EncodeOptions {
  /** Maximum block size in bytes (default 4 MiB, as `lz4 -B7`). */
  blockSize?: Lz4BlockSize;
}

/** lz4js's hash table; shared, since each block is compressed synchronously after clearing it. */
const HASH_TABLE = new Uint32Array(1 << 16);

class Lz4FrameEncoder {
  private readonly blockSize: number;
  private readonly code: number;
  /** Input of the block being filled; grows up to the block size as data arrives. */
  private block = new Uint8Array(0);
  private blockLength = 0;
  /** Scratch output of the block compressor (4-byte size word, then the block). */
  private compressed = new Uint8Array(0);
  private readonly hash = new Xxh32();

  constructor(blockSize: number) {
    const code = BLOCK_SIZE_CODES.get(blockSize);
    if (code === undefined) throw new RangeError(`lz4: invalid block size ${blockSize}`);
    this.blockSize = blockSize;
    this.code = code;
  }

  /** Magic and frame descriptor: independent blocks, content checksum, no content size. */
  header(): Uint8Array {
    const out = new Uint8Array(7);
    writeU32le(out, 0, LZ4_FRAME_MAGIC);
    out[4] = 0x40 | 0x20 | 0x04; // version 01, block independence, content checksum
    out[5] = this.code << 4;
    out[6] = (xxh32(out, 0, 4, 6) >>> 8) & 0xff;
    return out;
  }

  *push(chunk: Uint8Array): Generator<Uint8Array, void, undefined> {
    this.hash.update(chunk);
    let pos = 0;
    while (pos < chunk.length) {
      if (this.blockLength === 0 && chunk.length - pos >= this.blockSize) {
        yield this.encodeBlock(chunk.subarray(pos, pos + this.blockSize));
        pos += this.blockSize;
        continue;
      }
      const take = Math.min(this.blockSize - this.blockLength, chunk.length - pos);
      if (this.block.length < this.blockLength + take) {
        const grown = new Uint8Array(Math.min(this.blockSize, Math.max(this.blockLength + take, this.block.length * 2, 0x10000)));
        grown.set(this.block.subarray(0, this.blockLength), 0);
        this.block = grown;
      }
      this.block.set(chunk.subarray(pos, pos + take), this.blockLength);
      this.blockLength += take;
      pos += take;
      if (this.blockLength === this.blockSize) {
        yield this.encodeBlock(this.block.subarray(0, this.blockLength));
        this.blockLength = 0;
      }
    }
  }

  /** The last partial block, the end mark and the content checksum. */
  finish(): Uint8Array {
    const last = this.blockLength > 0 ? this.encodeBlock(this.block.subarray(0, this.blockLength)) : new Uint8Array(0);
    this.blockLength = 0;
    const out = new Uint8Array(last.length + 8);
    out.set(last, 0);
    writeU32le(out, last.length, 0);
    writeU32le(out, last.length + 4, this.hash.digest());
    return out;
  }

  /** One block with its size word, compressed when that makes it smaller. */
  private encodeBlock(data: Uint8Array): Uint8Array {
    const n = this.compressBlock(data);
    if (n > 0 && n < data.length) {
      writeU32le(this.compressed, 0, n);
      return this.compressed.slice(0, n + 4);
    }
    const out = new Uint8Array(data.length + 4);
    writeU32le(out, 0, (0x80000000 | data.length) >>> 0);
    out.set(data, 4);
    return out;
  }

  /**
   * Compresses `data` into `compressed[4..]`; returns the size, or 0 to store the block as is.
   *
   * lz4js may start its last match 10 bytes before the end of the block, but the LZ4 block format asks
   * for at least 12 (a conformant decoder may reject the block otherwise). So the last
   * {@link END_GUARD} bytes are kept out of lz4js's reach and appended to the final literal run.
   */
  private compressBlock(data: Uint8Array): number {
    const length = data.length;
    if (length < 13 + END_GUARD) return 0;
    const bound = lz4js.compressBound(length) + 16;
    if (this.compressed.length < bound) this.compressed = new Uint8Array(bound);
    HASH_TABLE.fill(0);
    const dst = this.compressed.subarray(4);
    const n = lz4js.compressBlock(data.subarray(0, length - END_GUARD), dst, 0, length - END_GUARD, HASH_TABLE);
    if (n <= 0) return 0;
    // Find the final sequence (literals only) by walking the tokens.
    let p = 0;
    while (true) {
      const tokenAt = p;
      const token = dst[p++] as number;
      let literals = token >>> 4;
      if (literals === 15) {
        let b: number;
        do {
          b = dst[p++] as number;
          literals += b;
        } while (b === 255 && p < n);
      }
      p += literals;
      if (p >= n) {
        if (p !== n) return 0; // not what lz4js writes: store the block instead
        return writeLiterals(dst, tokenAt, data, length - (literals + END_GUARD), length);
      }
      p += 2;
      if ((token & 15) === 15) {
        let b: number;
        do {
          b = dst[p++] as number;
        } while (b === 255 && p < n);
      }
      if (p >= n) return 0;
    }
  }
}

/** Bytes at the end of each block that {@link Lz4FrameEncoder.compressBlock} keeps as literals. */
const END_GUARD = 2;

/** Writes a literals-only final sequence of `data[from, to)` at `dst[at]`; returns the end index. */
function writeLiterals(dst: Uint8Array, at: number, data: Uint8Array, from: number, to: number): number {
  const count = to - from;
  let p = at;
  if (count >= 15) {
    dst[p++] = 15 << 4;
    let rest = count - 15;
    for (; rest >= 255; rest -= 255) dst[p++] = 255;
    dst[p++] = rest;
  } else {
    dst[p++] = count << 4;
  }
  dst.set(data.subarray(from, to), p);
  return p + count;
}

/**
 * Compresses a stream into one LZ4 frame: independent blocks of `options.blockSize` (default 4 MiB), a
 * content checksum, no block checksums and no content size (the default of the `lz4` tool, which
 * decompresses the output). A block is stored uncompressed when compression does not shrink it.
 *
 * @param chunks the bytes to compress, in chunks of any size.
 * @param options see {@link Lz4EncodeOptions}.
 * @returns an async generator of output pieces (the header first, then about one piece per block).
 * @throws RangeError for a block size other than 64 KiB, 256 KiB, 1 MiB or 4 MiB (a programming error).
 *   Errors of the `chunks` iterable pass through.
 */
export async function* lz4EncodeFrames(chunks: AsyncIterable<Uint8Array>, options: Lz4EncodeOptions = {}): AsyncGenerator<Uint8Array> {
  const encoder = new Lz4FrameEncoder(options.blockSize ?? 0x400000);
  yield encoder.header();
  for await (const chunk of chunks) {
    for (const piece of encoder.push(chunk)) yield piece;
  }
  yield encoder.finish();
}

/**
 * Compresses `data` into one LZ4 frame (see {@link lz4EncodeFrames}) at once.
 *
 * @param data the bytes to compress.
 * @param options see {@link Lz4EncodeOptions}.
 * @returns the frame.
 * @throws RangeError for an invalid block size (a programming error).
 */
export function lz4EncodeBuffer(data: Uint8Array, options: Lz4EncodeOptions = {}): Uint8Array {
  const encoder = new Lz4FrameEncoder(options.blockSize ?? 0x400000);
  const parts = [encoder.header(), ...encoder.push(data), encoder.finish()];
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
