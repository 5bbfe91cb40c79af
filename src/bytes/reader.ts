import { TruncatedError } from '../errors.js';

/**
 * A cursor over a byte array. Every read checks that enough bytes remain first and throws a
 * {@link TruncatedError} naming the absolute offset otherwise, so a declared length can never make us
 * allocate or read past the data we hold.
 *
 * Method names carry width and byte order (`u32be`, `i64le`) because RDB mixes big-endian lengths with
 * little-endian integers. Offsets reported to the user are absolute: `base` is the absolute offset of
 * `bytes[0]`, so a reader over a chunk of a large file or over a nested blob still reports file offsets.
 */
export class ByteReader {
  /** The bytes being read. Views returned by {@link bytes} share this memory. */
  readonly data: Uint8Array;
  /** Index into `data` of the next byte to read. */
  pos: number;
  /** Index into `data` one past the last readable byte. */
  readonly end: number;
  /** Absolute offset (in the file) of `data[0]`. */
  readonly base: number;
  /** File name used in error messages. */
  readonly file: string | undefined;
  private view: DataView | undefined;

  constructor(data: Uint8Array, options: { pos?: number; end?: number; base?: number; file?: string } = {}) {
    this.data = data;
    this.pos = options.pos ?? 0;
    this.end = options.end ?? data.length;
    this.base = options.base ?? 0;
    this.file = options.file;
  }

  /** Absolute offset of the next byte to read. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** True when at least `n` bytes remain. */
  has(n: number): boolean {
    return this.end - this.pos >= n;
  }

  /** Throws a {@link TruncatedError} unless at least `n` bytes remain. */
  need(n: number, what?: string): void {
    if (this.end - this.pos < n) {
      throw new TruncatedError(n, this.end - this.pos, { file: this.file, offset: this.base + this.pos }, what === undefined ? undefined : `unexpected end of file in ${what}`);
    }
  }

  /** The next byte, without consuming it. */
  peek(): number {
    this.need(1);
    return this.data[this.pos] as number;
  }

  u8(): number {
    this.need(1);
    return this.data[this.pos++] as number;
  }

  i8(): number {
    return (this.u8() << 24) >> 24;
  }

  u16le(): number {
    this.need(2);
    const d = this.data;
    const p = this.pos;
    this.pos = p + 2;
    return (d[p] as number) | ((d[p + 1] as number) << 8);
  }

  u16be(): number {
    this.need(2);
    const d = this.data;
    const p = this.pos;
    this.pos = p + 2;
    return ((d[p] as number) << 8) | (d[p + 1] as number);
  }

  i16le(): number {
    return (this.u16le() << 16) >> 16;
  }

  u24le(): number {
    this.need(3);
    const d = this.data;
    const p = this.pos;
    this.pos = p + 3;
    return (d[p] as number) | ((d[p + 1] as number) << 8) | ((d[p + 2] as number) << 16);
  }

  i24le(): number {
    return (this.u24le() << 8) >> 8;
  }

  u32le(): number {
    this.need(4);
    const d = this.data;
    const p = this.pos;
    this.pos = p + 4;
    return ((d[p] as number) | ((d[p + 1] as number) << 8) | ((d[p + 2] as number) << 16)) + (d[p + 3] as number) * 0x1000000;
  }

  u32be(): number {
    this.need(4);
    const d = this.data;
    const p = this.pos;
    this.pos = p + 4;
    return (d[p] as number) * 0x1000000 + (((d[p + 1] as number) << 16) | ((d[p + 2] as number) << 8) | (d[p + 3] as number));
  }

  i32le(): number {
    return this.u32le() | 0;
  }

  u64le(): bigint {
    this.need(8);
    const value = this.dataView().getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  u64be(): bigint {
    this.need(8);
    const value = this.dataView().getBigUint64(this.pos, false);
    this.pos += 8;
    return value;
  }

  i64le(): bigint {
    this.need(8);
    const value = this.dataView().getBigInt64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Signed 64-bit little-endian as a JS number; exact for |v| < 2^53 (millisecond timestamps). */
  i64leNumber(): number {
    this.need(8);
    const d = this.data;
    const p = this.pos;
    this.pos = p + 8;
    const lo = ((d[p] as number) | ((d[p + 1] as number) << 8) | ((d[p + 2] as number) << 16)) + (d[p + 3] as number) * 0x1000000;
    const hi = (d[p + 4] as number) | ((d[p + 5] as number) << 8) | ((d[p + 6] as number) << 16) | ((d[p + 7] as number) << 24);
    return hi * 0x100000000 + lo;
  }

  f32le(): number {
    this.need(4);
    const value = this.dataView().getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  f64le(): number {
    this.need(8);
    const value = this.dataView().getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** The next `n` bytes as a view (no copy) into {@link data}. */
  bytes(n: number, what?: string): Uint8Array {
    this.need(n, what);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skips `n` bytes. */
  skip(n: number, what?: string): void {
    this.need(n, what);
    this.pos += n;
  }

  private dataView(): DataView {
    this.view ??= new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return this.view;
  }
}
