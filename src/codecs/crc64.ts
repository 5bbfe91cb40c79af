/**
 * CRC-64 as Redis computes it over RDB files and DUMP payloads ("CRC-64/Jones" in Redis's variant).
 *
 * Parameters: polynomial 0xad93d23594c935a9 (processed in its reflected form 0x95ac9329ac4bc9b5),
 * input and output reflected, initial value 0, no final XOR. Check value for the ASCII bytes
 * `123456789` is 0xe9c6d914c4b8d9ca. An RDB stores the result as 8 bytes little-endian after the EOF opcode.
 *
 * Speed matters (the checker streams whole files through it). Ranges of 4 KiB and more go through a
 * tiny WebAssembly kernel (slicing-by-16 on native 64-bit integers, assembled at load time from the
 * readable description below; about 2-2.5 GB/s; whole 256 KiB chunks as two interleaved halves whose CRCs
 * are then combined, which lets the CPU overlap their lookups). Smaller ranges, and everything when WebAssembly is
 * unavailable, use the same slicing-by-16 in plain JS with the state kept as two unsigned 32-bit halves
 * and the tables split into low and high halves (about 1 GB/s). No BigInt arithmetic happens per byte.
 */

// cspell:words Jones
import { WASM_HEADER, instantiate, signedLeb, unsignedLeb, wasmName, wasmSection } from './wasm-encoding.js';

/** Low and high 32-bit halves of the reflected polynomial 0x95ac9329ac4bc9b5. */
const POLY_LO = 0xac4bc9b5;
const POLY_HI = 0x95ac9329;

/** Number of bytes consumed per step of the bulk loop, and the number of tables. */
const SLICES = 16;

/**
 * Table k maps a byte b to the CRC contribution of b followed by k zero bytes. Table k is stored at
 * [k * 256, k * 256 + 256) of {@link TABLE_LO} (low 32 bits) and {@link TABLE_HI} (high 32 bits).
 */
const TABLE_LO = new Uint32Array(SLICES * 256);
const TABLE_HI = new Uint32Array(SLICES * 256);

function buildTables(): void {
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TABLE_LO[i] = lo;
    TABLE_HI[i] = hi;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let i = 0; i < 256; i++) {
      const prevLo = TABLE_LO[(k - 1) * 256 + i] as number;
      const prevHi = TABLE_HI[(k - 1) * 256 + i] as number;
      const index = prevLo & 0xff;
      // (prev >>> 8) ^ T0[prev & 0xff], on the two halves.
      TABLE_LO[k * 256 + i] = (((prevLo >>> 8) | (prevHi << 24)) ^ (TABLE_LO[index] as number)) >>> 0;
      TABLE_HI[k * 256 + i] = ((prevHi >>> 8) ^ (TABLE_HI[index] as number)) >>> 0;
    }
  }
}
buildTables();

/** True when the platform stores a Uint32Array element least significant byte first. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Below this many bytes the byte-at-a-time loop is used (setting up the word view costs more). */
const BULK_THRESHOLD = 64;

/**
 * Advances the CRC state `(lo, hi)` over `data[start, end)` and returns the new state packed in `out`:
 * through the WebAssembly kernel for large ranges when it is available, in plain JS otherwise.
 */
function update(lo: number, hi: number, data: Uint8Array, start: number, end: number, out: Uint32Array): void {
  if (kernel !== undefined && end - start >= WASM_THRESHOLD) {
    let crc = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    const { view, run } = kernel;
    for (let p = start; p < end; p += WASM_CHUNK) {
      const n = Math.min(WASM_CHUNK, end - p);
      view.set(data.subarray(p, p + n), WASM_DATA);
      if (n === WASM_CHUNK) {
        // Both halves at once, then A's CRC carried over B's length and B's added.
        const half = WASM_CHUNK / 2;
        const a = BigInt.asUintN(64, kernel.run2(crc, WASM_DATA, WASM_DATA + half, half));
        crc = shiftHalfChunk(a) ^ (kernel.words[TWO_OUT / 8] as bigint);
      } else {
        crc = run(crc, WASM_DATA, WASM_DATA + n);
      }
    }
    const value = BigInt.asUintN(64, crc);
    out[0] = Number(value & 0xffffffffn);
    out[1] = Number(value >> 32n);
    return;
  }
  updateJs(lo, hi, data, start, end, out);
}

/**
 * The plain JS version of {@link update}: slicing-by-16 over a Uint32Array view of the aligned middle.
 * Kept as one monomorphic function over plain numbers so the JIT keeps everything in registers.
 */
function updateJs(lo: number, hi: number, data: Uint8Array, start: number, end: number, out: Uint32Array): void {
  const tLo = TABLE_LO;
  const tHi = TABLE_HI;
  let p = start;
  if (end - p >= BULK_THRESHOLD && LITTLE_ENDIAN) {
    // Byte-wise until the absolute address is 4-byte aligned, so a Uint32Array view can be used.
    while (((data.byteOffset + p) & 3) !== 0) {
      const idx = (lo ^ (data[p++] as number)) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ (tLo[idx] as number);
      hi = (hi >>> 8) ^ (tHi[idx] as number);
    }
    const words = Math.floor((end - p) / SLICES) * (SLICES / 4);
    if (words > 0) {
      const w = new Uint32Array(data.buffer, data.byteOffset + p, words);
      for (let i = 0; i < words; i += 4) {
        const a = lo ^ (w[i] as number);
        const b = hi ^ (w[i + 1] as number);
        const c = w[i + 2] as number;
        const d = w[i + 3] as number;
        // Byte j of the 16-byte group uses table 15 - j.
        let i0 = 15 * 256 + (a & 0xff);
        let i1 = 14 * 256 + ((a >>> 8) & 0xff);
        let i2 = 13 * 256 + ((a >>> 16) & 0xff);
        let i3 = 12 * 256 + (a >>> 24);
        let nLo = (tLo[i0] as number) ^ (tLo[i1] as number) ^ (tLo[i2] as number) ^ (tLo[i3] as number);
        let nHi = (tHi[i0] as number) ^ (tHi[i1] as number) ^ (tHi[i2] as number) ^ (tHi[i3] as number);
        i0 = 11 * 256 + (b & 0xff);
        i1 = 10 * 256 + ((b >>> 8) & 0xff);
        i2 = 9 * 256 + ((b >>> 16) & 0xff);
        i3 = 8 * 256 + (b >>> 24);
        nLo ^= (tLo[i0] as number) ^ (tLo[i1] as number) ^ (tLo[i2] as number) ^ (tLo[i3] as number);
        nHi ^= (tHi[i0] as number) ^ (tHi[i1] as number) ^ (tHi[i2] as number) ^ (tHi[i3] as number);
        i0 = 7 * 256 + (c & 0xff);
        i1 = 6 * 256 + ((c >>> 8) & 0xff);
        i2 = 5 * 256 + ((c >>> 16) & 0xff);
        i3 = 4 * 256 + (c >>> 24);
        nLo ^= (tLo[i0] as number) ^ (tLo[i1] as number) ^ (tLo[i2] as number) ^ (tLo[i3] as number);
        nHi ^= (tHi[i0] as number) ^ (tHi[i1] as number) ^ (tHi[i2] as number) ^ (tHi[i3] as number);
        i0 = 3 * 256 + (d & 0xff);
        i1 = 2 * 256 + ((d >>> 8) & 0xff);
        i2 = 256 + ((d >>> 16) & 0xff);
        i3 = d >>> 24;
        lo = nLo ^ (tLo[i0] as number) ^ (tLo[i1] as number) ^ (tLo[i2] as number) ^ (tLo[i3] as number);
        hi = nHi ^ (tHi[i0] as number) ^ (tHi[i1] as number) ^ (tHi[i2] as number) ^ (tHi[i3] as number);
      }
      p += words * 4;
    }
  }
  while (p < end) {
    const idx = (lo ^ (data[p++] as number)) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ (tLo[idx] as number);
    hi = (hi >>> 8) ^ (tHi[idx] as number);
  }
  out[0] = lo;
  out[1] = hi;
}

// ---------------------------------------------------------------------------------------------------
// WebAssembly kernel: the same slicing-by-16 on native 64-bit integers, about 1.5-2x the JS speed.
//
// The module is assembled below from readable parts rather than shipped as an opaque blob. It has one
// memory (exported) and one function, equivalent to this WAT:
//
//   (func (export "update") (param $crc i64) (param $p i32) (param $end i32) (result i64)
//     (local $x i64) (local $y i64)
//     (block (loop                                         ;; 16 bytes per turn
//       (br_if 1 (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
//       (local.set $x (i64.xor (local.get $crc) (i64.load (local.get $p))))
//       (local.set $y (i64.load offset=8 (local.get $p)))
//       (local.set $crc (i64.xor ...16 terms: i64.load offset=(2048 * (15 - j))
//                                  (i32.shl (i32.wrap_i64 (byte j of $x:$y)) (i32.const 3)))...))
//       (local.set $p (i32.add (local.get $p) (i32.const 16)))
//       (br 0)))
//     (block (loop                                         ;; the remaining bytes one by one
//       (br_if 1 (i32.ge_u (local.get $p) (local.get $end)))
//       (local.set $crc (i64.xor (i64.load (table 0 at (crc ^ byte) & 0xff)) (i64.shr_u (local.get $crc) (i64.const 8))))
//       (local.set $p (i32.add (local.get $p) (i32.const 1)))
//       (br 0)))
//     (local.get $crc))
//
// Memory layout: table k (k = 0..15) at bytes [2048 k, 2048 k + 2048), one little-endian u64 per
// byte value (the same values as TABLE_LO/TABLE_HI); input chunks are copied to WASM_DATA.

/** Where input chunks are copied in the kernel's memory, and the largest chunk. */
const WASM_DATA = 65536;
const WASM_CHUNK = 1 << 18;
/** Where update2 leaves its second CRC (after the 16 tables, before WASM_DATA). */
const TWO_OUT = 32768;
/** From this many bytes on, copying into the kernel and calling it beats the JS loop. */
const WASM_THRESHOLD = 4096;

interface Kernel {
  /** The kernel's memory as bytes. */
  view: Uint8Array;
  /** Runs the CRC over memory [p, end) starting from `crc`; the result is signed (use asUintN). */
  run: (crc: bigint, p: number, end: number) => bigint;
  /** Two interleaved streams of n bytes at pA (from crcA) and pB (from 0): A's CRC; B's is left at TWO_OUT. */
  run2: (crcA: bigint, pA: number, pB: number, n: number) => bigint;
  /** The memory as u64 words (for B's CRC). */
  words: BigUint64Array;
}

function assembleKernel(): Uint8Array {
  // Opcodes used.
  const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
  const LOCAL_GET = 0x20, LOCAL_SET = 0x21;
  const I64_LOAD = 0x29, I64_LOAD8_U = 0x31;
  const I32_CONST = 0x41, I64_CONST = 0x42;
  const I32_GE_U = 0x4f, I32_GT_U = 0x4b, I32_ADD = 0x6a, I32_SHL = 0x74;
  const I64_AND = 0x83, I64_XOR = 0x85, I64_SHR_U = 0x88, I32_WRAP_I64 = 0xa7, I64_STORE = 0x37;
  const I32 = 0x7f, I64 = 0x7e;
  // Locals: parameters crc, p, end; then x, y.
  const CRC = 0, P = 1, LIMIT = 2, X = 3, Y = 4;

  /**
   * Appends to `out` the 16 lookups of one slicing-by-16 step, for the 16 bytes held in locals `x` (the
   * first 8, already XORed with the CRC) and `y`: table[(value >> 8·byte) & 0xff] of the matching table,
   * XORed together; the result is left on the stack.
   */
  const step16 = (out: number[], x: number, y: number): void => {
    const lookup = (value: number, byte: number, table: number, first: boolean): void => {
      out.push(LOCAL_GET, value);
      if (byte > 0) out.push(I64_CONST, ...signedLeb(8 * byte), I64_SHR_U);
      if (byte < 7) out.push(I64_CONST, ...signedLeb(0xff), I64_AND);
      out.push(I32_WRAP_I64, I32_CONST, 3, I32_SHL, I64_LOAD, 3, ...unsignedLeb(table * 2048));
      if (!first) out.push(I64_XOR);
    };
    for (let j = 0; j < 8; j++) lookup(x, j, 15 - j, j === 0);
    for (let j = 0; j < 8; j++) lookup(y, j, 7 - j, false);
  };

  const code: number[] = [];
  const emit = (...bytes: number[]): void => {
    code.push(...bytes);
  };

  emit(BLOCK, VOID, LOOP, VOID);
  emit(LOCAL_GET, P, I32_CONST, 16, I32_ADD, LOCAL_GET, LIMIT, I32_GT_U, BR_IF, 1);
  emit(LOCAL_GET, CRC, LOCAL_GET, P, I64_LOAD, 3, 0, I64_XOR, LOCAL_SET, X);
  emit(LOCAL_GET, P, I64_LOAD, 3, 8, LOCAL_SET, Y);
  step16(code, X, Y);
  emit(LOCAL_SET, CRC);
  emit(LOCAL_GET, P, I32_CONST, 16, I32_ADD, LOCAL_SET, P, BR, 0, END, END);

  emit(BLOCK, VOID, LOOP, VOID);
  emit(LOCAL_GET, P, LOCAL_GET, LIMIT, I32_GE_U, BR_IF, 1);
  emit(LOCAL_GET, CRC, LOCAL_GET, P, I64_LOAD8_U, 0, 0, I64_XOR, I64_CONST, ...signedLeb(0xff), I64_AND);
  emit(I32_WRAP_I64, I32_CONST, 3, I32_SHL, I64_LOAD, 3, 0);
  emit(LOCAL_GET, CRC, I64_CONST, 8, I64_SHR_U, I64_XOR, LOCAL_SET, CRC);
  emit(LOCAL_GET, P, I32_CONST, 1, I32_ADD, LOCAL_SET, P, BR, 0, END, END);
  emit(LOCAL_GET, CRC, END);

  const body = [1, 2, I64, ...code]; // one local group: 2 × i64

  // update2(crcA, pA, pB, n): two independent streams of n bytes each (n a multiple of 16), A continuing
  // from crcA and B from 0, interleaved so that the CPU overlaps their lookups. Returns A's CRC and stores
  // B's at TWO_OUT.
  const code2: number[] = [];
  {
    const A = 0, PA = 1, PB = 2, N = 3, XA = 4, YA = 5, B = 6, XB = 7, YB = 8, END2 = 9;
    const e = (...bytes: number[]): void => {
      code2.push(...bytes);
    };
    e(LOCAL_GET, PA, LOCAL_GET, N, I32_ADD, LOCAL_SET, END2);
    e(BLOCK, VOID, LOOP, VOID);
    e(LOCAL_GET, PA, LOCAL_GET, END2, I32_GE_U, BR_IF, 1);
    e(LOCAL_GET, A, LOCAL_GET, PA, I64_LOAD, 3, 0, I64_XOR, LOCAL_SET, XA);
    e(LOCAL_GET, PA, I64_LOAD, 3, 8, LOCAL_SET, YA);
    e(LOCAL_GET, B, LOCAL_GET, PB, I64_LOAD, 3, 0, I64_XOR, LOCAL_SET, XB);
    e(LOCAL_GET, PB, I64_LOAD, 3, 8, LOCAL_SET, YB);
    step16(code2, XA, YA);
    e(LOCAL_SET, A);
    step16(code2, XB, YB);
    e(LOCAL_SET, B);
    e(LOCAL_GET, PA, I32_CONST, 16, I32_ADD, LOCAL_SET, PA);
    e(LOCAL_GET, PB, I32_CONST, 16, I32_ADD, LOCAL_SET, PB);
    e(BR, 0, END, END);
    e(I32_CONST, ...signedLeb(TWO_OUT), LOCAL_GET, B, I64_STORE, 3, 0);
    e(LOCAL_GET, A, END);
  }
  // locals of update2 after its 4 parameters: xA, yA, crcB, xB, yB (i64) then end (i32)
  const body2 = [2, 5, I64, 1, I32, ...code2];
  const name = wasmName;
  const section = wasmSection;
  return Uint8Array.from([
    ...WASM_HEADER,
    // types: 0 = (i64, i32, i32) -> i64; 1 = (i64, i32, i32, i32) -> i64
    ...section(1, [2, 0x60, 3, I64, I32, I32, 1, I64, 0x60, 4, I64, I32, I32, I32, 1, I64]),
    ...section(3, [2, 0, 1]), // function 0 has type 0, function 1 type 1
    ...section(5, [1, 0, 1]), // one memory, at least 1 page
    ...section(7, [3, ...name('memory'), 2, 0, ...name('update'), 0, 0, ...name('update2'), 0, 1]),
    ...section(10, [2, ...unsignedLeb(body.length), ...body, ...unsignedLeb(body2.length), ...body2]),
  ]);
}

/** Instantiates the kernel; undefined when WebAssembly is unavailable (e.g. node --jitless). */
function buildKernel(): Kernel | undefined {
  try {
    const exports = LITTLE_ENDIAN ? instantiate(assembleKernel()) : undefined;
    if (exports === undefined) return undefined;
    const memory = exports['memory'] as { buffer: ArrayBuffer; grow(pages: number): number };
    const run = exports['update'] as (crc: bigint, p: number, end: number) => bigint;
    memory.grow(Math.ceil((WASM_DATA + WASM_CHUNK) / 65536));
    const words = new Uint32Array(memory.buffer, 0, SLICES * 256 * 2);
    for (let i = 0; i < SLICES * 256; i++) {
      words[2 * i] = TABLE_LO[i] as number;
      words[2 * i + 1] = TABLE_HI[i] as number;
    }
    const run2 = exports['update2'] as Kernel['run2'];
    const kernel: Kernel = { view: new Uint8Array(memory.buffer), run, run2, words: new BigUint64Array(memory.buffer) };
    // Self-check against the JS tables before trusting it.
    const probe = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
    kernel.view.set(probe, WASM_DATA);
    const expected = new Uint32Array(2);
    updateJs(0, 0, probe, 0, probe.length, expected);
    const got = BigInt.asUintN(64, run(0n, WASM_DATA, WASM_DATA + probe.length));
    if (got !== ((BigInt(expected[1] as number) << 32n) | BigInt(expected[0] as number))) return undefined;
    return kernel;
  } catch {
    return undefined;
  }
}

const kernel = buildKernel();

/** Which implementation large updates use: 'wasm' or 'js' (for diagnostics and benchmarks). */
export const crc64Backend: 'wasm' | 'js' = kernel === undefined ? 'js' : 'wasm';

function toBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

const scratch = new Uint32Array(2);

/**
 * Computes the Redis CRC-64 of `data`, continuing from `crc` (default 0, the start value Redis uses).
 * `crc64(b, crc64(a))` equals `crc64(a ++ b)`, so a checksum can be carried across chunks.
 *
 * @param data bytes to checksum.
 * @param crc a previous result to continue from; only the low 64 bits are used.
 * @returns the CRC as an unsigned 64-bit bigint (compare with the trailer read as u64 little-endian).
 * @throws never.
 */
export function crc64(data: Uint8Array, crc = 0n): bigint {
  const value = BigInt.asUintN(64, crc);
  update(Number(value & 0xffffffffn), Number(value >> 32n), data, 0, data.length, scratch);
  return toBigInt(scratch[0] as number, scratch[1] as number);
}

/**
 * Incremental Redis CRC-64 over a stream of chunks. Feeding the chunks of a file in order with
 * {@link Crc64.update} and then calling {@link Crc64.digest} gives the same value as {@link crc64}
 * over the whole file.
 */
export class Crc64 {
  private lo = 0;
  private hi = 0;
  private readonly out = new Uint32Array(2);

  /**
   * @param initial start value (default 0, as Redis uses); only the low 64 bits are used.
   */
  constructor(initial = 0n) {
    this.setValue(initial);
  }

  /**
   * Adds `data[start, end)` to the checksum.
   *
   * @param data the chunk.
   * @param start index of the first byte to include (default 0).
   * @param end index one past the last byte to include (default `data.length`).
   * @throws RangeError (a programming error, not an input problem) when `start`/`end` are not
   *   integers with `0 <= start <= end <= data.length`.
   */
  update(data: Uint8Array, start = 0, end = data.length): void {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > data.length) {
      throw new RangeError(`Crc64.update: bad range [${start}, ${end}) for ${data.length} bytes`);
    }
    update(this.lo, this.hi, data, start, end, this.out);
    this.lo = this.out[0] as number;
    this.hi = this.out[1] as number;
  }

  /**
   * The CRC of every byte added so far, as an unsigned 64-bit bigint. Does not change the state, so
   * more data may be added afterwards.
   */
  digest(): bigint {
    return toBigInt(this.lo, this.hi);
  }

  /** Starts over from `initial` (default 0), forgetting every byte added. */
  reset(initial = 0n): void {
    this.setValue(initial);
  }

  private setValue(value: bigint): void {
    const v = BigInt.asUintN(64, value);
    this.lo = Number(v & 0xffffffffn);
    this.hi = Number(v >> 32n);
  }
}

/** The reflected polynomial as one 64-bit value. */
const POLY = (BigInt(POLY_HI) << 32n) | BigInt(POLY_LO);

/**
 * The operator "append n zero bytes" on a CRC state, as a 64×64 matrix over GF(2) (one column per input
 * bit): for CRC-64/Jones with initial value 0 and no final XOR, crc(A‖B) = shift_|B|(crc(A)) XOR crc(B).
 */
function zeroBytesOperator(n: number): bigint[] {
  const bit: bigint[] = [POLY];
  for (let i = 1; i < 64; i++) bit.push(1n << BigInt(i - 1));
  let power = gf2Square(gf2Square(gf2Square(bit))); // one zero byte
  let result: bigint[] | undefined;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) {
      const soFar = result;
      result = soFar === undefined ? power : power.map((column) => gf2Times(soFar, column));
    }
    if (rest > 1) power = gf2Square(power);
  }
  return result ?? bit.map((_, i) => 1n << BigInt(i));
}

/** Byte-wise tables of the half-chunk shift: entry k·256 + b is the operator applied to b << 8k. */
let halfShift: BigUint64Array | undefined;

function shiftHalfChunk(crc: bigint): bigint {
  if (halfShift === undefined) {
    const operator = zeroBytesOperator(WASM_CHUNK / 2);
    halfShift = new BigUint64Array(8 * 256);
    for (let k = 0; k < 8; k++) {
      for (let b = 0; b < 256; b++) halfShift[k * 256 + b] = gf2Times(operator, BigInt(b) << BigInt(8 * k));
    }
  }
  const t = halfShift;
  let out = 0n;
  for (let k = 0; k < 8; k++) out ^= t[k * 256 + Number((crc >> BigInt(8 * k)) & 0xffn)] as bigint;
  return out;
}

/** A 64×64 matrix over GF(2) (one column per row entry) times a vector. */
function gf2Times(matrix: bigint[], vector: bigint): bigint {
  let sum = 0n;
  for (let i = 0; vector !== 0n; i++, vector >>= 1n) if (vector & 1n) sum ^= matrix[i] as bigint;
  return sum;
}

function gf2Square(matrix: bigint[]): bigint[] {
  return matrix.map((column) => gf2Times(matrix, column));
}

/**
 * The CRC of the concatenation A‖B from the CRC of A, the CRC of B and the length of B in bytes, without
 * the bytes: `crc64Combine(crc64(a), crc64(b), b.length) === crc64(a‖b)`. Lets parts of a file be hashed
 * apart (by parallel readers) and the file's CRC assembled afterwards. CRC-64/Jones as Redis uses it has
 * initial value 0 and no final XOR, so appending B is multiplying A's CRC by x^(8·|B|) and adding B's.
 */
export function crc64Combine(crcA: bigint, crcB: bigint, lengthB: number): bigint {
  if (lengthB <= 0) return crcA ^ crcB;
  // The operator for one zero bit, then squared up to one zero byte.
  let odd: bigint[] = [POLY];
  for (let n = 1; n < 64; n++) odd.push(1n << BigInt(n - 1));
  let even = gf2Square(odd); // two zero bits
  odd = gf2Square(even); // four zero bits
  let crc = crcA;
  let rest = lengthB;
  for (;;) {
    even = gf2Square(odd); // first pass: one zero byte, then 4, 16…
    if (rest % 2 === 1) crc = gf2Times(even, crc);
    rest = Math.floor(rest / 2);
    if (rest === 0) break;
    odd = gf2Square(even);
    if (rest % 2 === 1) crc = gf2Times(odd, crc);
    rest = Math.floor(rest / 2);
    if (rest === 0) break;
  }
  return crc ^ crcB;
}
