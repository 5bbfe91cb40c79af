import { Buffer } from 'node:buffer';

/**
 * The write side of {@link ByteReader}: methods named by width and byte order (`u8`, `u32be`, `i64le`,
 * `f64le`, `bytes`), so a format's encoder reads like its decoder.
 *
 * The output is a list of pieces, never one big array. Small writes fill fixed-size chunks; a chunk is
 * handed out once it is full (or when the caller takes what is there), and a large byte string is handed
 * out as its own piece, the caller's very array, without a copy. A consumer takes the pieces after each
 * record ({@link ByteWriter.take}) and writes them out before asking for more, so an async writer keeps
 * its memory bounded by one chunk plus the record at hand and backpressure holds end to end.
 *
 * Pieces are final: the writer never writes into a range it has handed out (a chunk taken half full goes on
 * filling only after that range). `onPiece` sees every piece once, in order, when it is sealed; a checksum
 * computed there is the checksum of the bytes as they go out.
 */

/** Options of {@link ByteWriter}. */
export interface ByteWriterOptions {
  /** Size in bytes of the chunks small writes are gathered into (default 64 KiB). */
  chunkSize?: number;
  /**
   * Byte strings of at least this many bytes are handed out as their own piece instead of being copied
   * (default 4 KiB). Must not exceed `chunkSize`.
   */
  passThrough?: number;
  /** Called with every piece when it is sealed, in output order (a checksum, a byte counter). */
  onPiece?: (piece: Uint8Array) => void;
}

const DEFAULT_CHUNK = 64 * 1024;
const utf8Encoder = new TextEncoder();
/** Node's native latin1 writer, which takes any Uint8Array as `this`. */
const latin1Write = Buffer.prototype.latin1Write as (this: Uint8Array, text: string, offset: number, length: number) => number;
const DEFAULT_PASS_THROUGH = 4 * 1024;

export class ByteWriter {
  private readonly chunkSize: number;
  private readonly passThrough: number;
  private readonly onPiece: ((piece: Uint8Array) => void) | undefined;
  /** The chunk being filled. */
  private chunk: Uint8Array;
  private view: DataView;
  /** Next free index in {@link chunk}. */
  private pos = 0;
  /** Index in {@link chunk} of the first byte not yet sealed into a piece. */
  private sealedTo = 0;
  /** Sealed pieces not yet taken. */
  private pieces: Uint8Array[] = [];
  private piecesBytes = 0;
  /** Bytes in pieces already taken. */
  private takenBytes = 0;

  constructor(options: ByteWriterOptions = {}) {
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    this.passThrough = Math.min(options.passThrough ?? DEFAULT_PASS_THROUGH, this.chunkSize);
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 16) throw new RangeError(`ByteWriter: chunk size ${this.chunkSize} is below 16 bytes`);
    this.onPiece = options.onPiece;
    this.chunk = new Uint8Array(this.chunkSize);
    this.view = new DataView(this.chunk.buffer);
  }

  /** Bytes written so far (taken or not): the absolute offset of the next byte. */
  get offset(): number {
    return this.takenBytes + this.piecesBytes + (this.pos - this.sealedTo);
  }

  /** Bytes written but not yet taken; a streaming consumer drains when this passes its high-water mark. */
  get pendingBytes(): number {
    return this.piecesBytes + (this.pos - this.sealedTo);
  }

  /**
   * Makes room for `n` bytes in the current chunk and returns the chunk: write at {@link cursor}, then move the
   * cursor past what was written (at most `n` bytes). For encoders that write many small fields at once.
   */
  reserve(n: number): Uint8Array {
    this.room(n);
    return this.chunk;
  }

  /** Where the next byte goes in the chunk {@link reserve} returned. */
  get cursor(): number {
    return this.pos;
  }

  set cursor(position: number) {
    this.pos = position;
  }

  u8(value: number): void {
    this.room(1);
    this.chunk[this.pos++] = value;
  }

  i8(value: number): void {
    this.u8(value & 0xff);
  }

  u16le(value: number): void {
    this.room(2);
    this.view.setUint16(this.pos, value, true);
    this.pos += 2;
  }

  u16be(value: number): void {
    this.room(2);
    this.view.setUint16(this.pos, value, false);
    this.pos += 2;
  }

  i16le(value: number): void {
    this.room(2);
    this.view.setInt16(this.pos, value, true);
    this.pos += 2;
  }

  u24le(value: number): void {
    this.room(3);
    const c = this.chunk;
    const p = this.pos;
    c[p] = value & 0xff;
    c[p + 1] = (value >>> 8) & 0xff;
    c[p + 2] = (value >>> 16) & 0xff;
    this.pos = p + 3;
  }

  i24le(value: number): void {
    this.u24le(value & 0xffffff);
  }

  u32le(value: number): void {
    this.room(4);
    this.view.setUint32(this.pos, value, true);
    this.pos += 4;
  }

  u32be(value: number): void {
    this.room(4);
    this.view.setUint32(this.pos, value, false);
    this.pos += 4;
  }

  i32le(value: number): void {
    this.room(4);
    this.view.setInt32(this.pos, value, true);
    this.pos += 4;
  }

  /** Unsigned 64-bit little-endian; only the low 64 bits of `value` are written. */
  u64le(value: bigint): void {
    this.room(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, value), true);
    this.pos += 8;
  }

  /** Unsigned 64-bit big-endian; only the low 64 bits of `value` are written. */
  u64be(value: bigint): void {
    this.room(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, value), false);
    this.pos += 8;
  }

  /**
   * Signed 64-bit little-endian (two's complement). A number must be an integer (exact up to 2^53: the
   * millisecond timestamps RDB stores); throws RangeError otherwise.
   */
  i64le(value: bigint | number): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`i64le: ${value} is not a safe integer`);
    this.room(8);
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, BigInt(value)), true);
    this.pos += 8;
  }

  f32le(value: number): void {
    this.room(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
  }

  f64le(value: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /**
   * Appends `data`. Below the pass-through size it is copied into the chunk; from it on, `data` itself
   * becomes a piece (no copy), so the caller must not change it afterwards.
   */
  bytes(data: Uint8Array): void {
    const n = data.length;
    if (n >= this.passThrough) {
      this.seal();
      this.push(data);
      return;
    }
    if (n === 0) return;
    this.room(n);
    const c = this.chunk;
    let p = this.pos;
    if (n < 16) {
      // A loop beats TypedArray#set for a few bytes (most keys, members and fields are short).
      for (let i = 0; i < n; i++) c[p++] = data[i] as number;
      this.pos = p;
      return;
    }
    c.set(data, p);
    this.pos = p + n;
  }

  /** Appends the characters of `text` as bytes, one per character (ASCII/latin1; higher code units are cut to 8 bits). */
  latin1(text: string): void {
    const n = text.length;
    if (n > this.chunkSize) {
      this.bytes(Uint8Array.from(text, (c) => c.charCodeAt(0)));
      return;
    }
    this.room(n);
    const c = this.chunk;
    let p = this.pos;
    if (n > 24) {
      latin1Write.call(c, text, p, n);
      this.pos = p + n;
      return;
    }
    for (let i = 0; i < n; i++) c[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** Appends `text` encoded as UTF-8. */
  utf8(text: string): void {
    const most = text.length * 3;
    if (most > this.chunkSize) {
      this.bytes(utf8Encoder.encode(text));
      return;
    }
    this.room(most);
    this.pos += utf8Encoder.encodeInto(text, this.chunk.subarray(this.pos)).written;
  }

  /**
   * Appends the decimal ASCII digits of a safe integer, with a leading `-` when negative, as Redis prints
   * integers (`-0` is written `0`). Throws RangeError for a number that is not a safe integer.
   */
  decimal(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`decimal: ${value} is not a safe integer`);
    this.room(17);
    const c = this.chunk;
    let p = this.pos;
    let rest = value;
    if (rest < 0) {
      c[p++] = 45;
      rest = -rest;
    }
    const digits = decimalDigits(rest);
    let q = p + digits;
    do {
      c[--q] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    this.pos = p + digits;
  }

  /**
   * Seals the bytes written since the last piece into one, so `onPiece` has seen every byte written so
   * far (a checksum computed there is now up to date). The pieces stay queued until {@link take}.
   */
  seal(): void {
    if (this.pos === this.sealedTo) return;
    const piece = this.chunk.subarray(this.sealedTo, this.pos);
    this.sealedTo = this.pos;
    this.push(piece);
  }

  /** Seals what was written and hands out every piece not taken yet, in order (possibly none). */
  take(): Uint8Array[] {
    this.seal();
    const out = this.pieces;
    this.takenBytes += this.piecesBytes;
    this.pieces = [];
    this.piecesBytes = 0;
    return out;
  }

  /** Makes sure `n` bytes fit in the current chunk, starting a new one (and sealing this one) if not. */
  private room(n: number): void {
    if (this.pos + n <= this.chunk.length) return;
    this.seal();
    this.chunk = new Uint8Array(Math.max(this.chunkSize, n));
    this.view = new DataView(this.chunk.buffer);
    this.pos = 0;
    this.sealedTo = 0;
  }

  private push(piece: Uint8Array): void {
    this.onPiece?.(piece);
    this.pieces.push(piece);
    this.piecesBytes += piece.length;
  }
}

/**
 * Writes the decimal digits of a non-negative safe integer into `out` at `at` and returns the position after
 * them (`out` must have room: 16 bytes always do).
 */
export function putDecimal(out: Uint8Array, at: number, value: number): number {
  const end = at + decimalDigits(value);
  let p = end;
  let rest = value;
  do {
    out[--p] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  return end;
}

/** The most bytes {@link putShortDecimal} writes. */
export const SHORT_DECIMAL_MAX = 18;

/**
 * The fast path of formatting a double as `String(value)` does, for the common scores and prices: a finite
 * non-integer double of magnitude in [0.0001, 2^30) that is exactly `n / 10^k` rounded, for an integer `n` and
 * k ≤ 4 (`12.5`, `-3141.593`). Writes the text into `out` at `at` (room for {@link SHORT_DECIMAL_MAX} bytes)
 * and returns the position after it; returns -1, writing nothing, for any other value (the caller then uses
 * `String`). The text is `String(value)`'s: IEEE division is correctly rounded, so it reads back as `value`,
 * and below 2^30 doubles are less than 10^-6 apart, so no other decimal of at most 4 fraction digits (no
 * shorter text) reads back as `value`.
 */
export function putShortDecimal(out: Uint8Array, at: number, value: number): number {
  const magnitude = value < 0 ? -value : value;
  if (!(magnitude < 1073741824) || magnitude < 0.0001) return -1;
  let scale = 10;
  let k = 1;
  let scaled = magnitude * 10;
  while (!Number.isInteger(scaled) || scaled / scale !== magnitude) {
    if (k === 4) return -1;
    k++;
    scale *= 10;
    scaled = magnitude * scale;
  }
  const whole = Math.floor(scaled / scale);
  let fraction = scaled - whole * scale;
  if (fraction === 0) return -1;
  while (fraction % 10 === 0) {
    fraction /= 10;
    k--;
  }
  let p = at;
  if (value < 0) out[p++] = 0x2d;
  p = putDecimal(out, p, whole);
  out[p++] = 0x2e;
  for (let i = k - 1; i >= 0; i--) {
    out[p + i] = 48 + (fraction % 10);
    fraction = Math.floor(fraction / 10);
  }
  return p + k;
}

/** Number of decimal digits of a non-negative safe integer (1 for 0). */
export function decimalDigits(value: number): number {
  if (value < 10) return 1;
  if (value < 100) return 2;
  if (value < 1000) return 3;
  if (value < 10000) return 4;
  if (value < 100000) return 5;
  if (value < 1000000) return 6;
  if (value < 10000000) return 7;
  if (value < 100000000) return 8;
  if (value < 1000000000) return 9;
  let digits = 10;
  let limit = 1e10;
  while (value >= limit) {
    digits++;
    limit *= 10;
  }
  return digits;
}
