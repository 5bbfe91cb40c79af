// cspell:words hyperloglog murmur xzero regval runlen reghisto todense getreg ertl
/*
 * Redis's HyperLogLog string format, byte for byte (hyperloglog.c): a 16-byte header ("HYLL", encoding,
 * 3 unused bytes, 8-byte little-endian cached cardinality whose top bit marks it stale), then either 16384
 * 6-bit registers packed little-endian (dense, 12304 bytes in all) or run-length opcodes (sparse):
 * ZERO 00xxxxxx (1–64 zero registers), XZERO 01xxxxxx xxxxxxxx (1–16384), VAL 1vvvvvxx (1–4 registers of
 * value 1–32). Every edit, split and merge of opcodes, promotion to dense, and the cardinality estimate
 * (Ertl's improved estimator, in doubles) follows Redis step by step, so the bytes come out the same.
 */

const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8);
const HLL_DENSE = 0;
const HLL_SPARSE = 1;
const HLL_SPARSE_VAL_MAX_VALUE = 32;
const HLL_SPARSE_VAL_MAX_LEN = 4;
const HLL_SPARSE_ZERO_MAX_LEN = 64;
const HLL_SPARSE_XZERO_MAX_LEN = 16384;
const HLL_ALPHA_INF = 0.7213475204444817; // 0.721347520444481703680, 0.5/ln(2), as a double

const isZero = (b: number): boolean => (b & 0xc0) === 0;
const isXzero = (b: number): boolean => (b & 0xc0) === 0x40;
const isVal = (b: number): boolean => (b & 0x80) !== 0;
const zeroLen = (b: number): number => (b & 0x3f) + 1;
const xzeroLen = (b0: number, b1: number): number => (((b0 & 0x3f) << 8) | b1) + 1;
const valValue = (b: number): number => ((b >> 2) & 0x1f) + 1;
const valLen = (b: number): number => (b & 0x3) + 1;
const valByte = (value: number, len: number): number => (((value - 1) << 2) | (len - 1)) | 0x80;

// ---------------------------------------------------------------------------------------------
// MurmurHash64A (seed 0xadc83b19), little-endian, as Redis hashes elements.

const M = 0xc6a4a7935bd1e995n;
const MASK64 = (1n << 64n) - 1n;

function murmurHash64A(data: Uint8Array, seed: bigint): bigint {
  const len = data.length;
  let h = (seed ^ ((BigInt(len) * M) & MASK64)) & MASK64;
  const blocks = len - (len & 7);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < blocks; i += 8) {
    let k = view.getBigUint64(i, true);
    k = (k * M) & MASK64;
    k ^= k >> 47n;
    k = (k * M) & MASK64;
    h ^= k;
    h = (h * M) & MASK64;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) h ^= BigInt(data[blocks + i] as number) << BigInt(8 * i);
    h = (h * M) & MASK64;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK64;
  h ^= h >> 47n;
  return h;
}

/** hllPatLen: the register an element maps to and its "000…1" run length (1 … Q+1). */
export function hllPatLen(element: Uint8Array): [index: number, count: number] {
  let hash = murmurHash64A(element, 0xadc83b19n);
  const index = Number(hash & BigInt(HLL_P_MASK));
  hash >>= BigInt(HLL_P);
  hash |= 1n << BigInt(HLL_Q);
  let count = 1;
  while ((hash & 1n) === 0n) {
    count++;
    hash >>= 1n;
  }
  return [index, count];
}

// ---------------------------------------------------------------------------------------------
// Dense registers

function denseGet(registers: Uint8Array, base: number, regnum: number): number {
  const byte = base + ((regnum * HLL_BITS) >> 3);
  const fb = (regnum * HLL_BITS) & 7;
  const b0 = registers[byte] as number;
  const b1 = registers[byte + 1] ?? 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSetRegister(registers: Uint8Array, base: number, regnum: number, value: number): void {
  const byte = base + ((regnum * HLL_BITS) >> 3);
  const fb = (regnum * HLL_BITS) & 7;
  const fb8 = 8 - fb;
  registers[byte] = ((registers[byte] as number) & ~(HLL_REGISTER_MAX << fb) & 0xff) | ((value << fb) & 0xff);
  if (byte + 1 < registers.length) {
    registers[byte + 1] = ((registers[byte + 1] as number) & ~(HLL_REGISTER_MAX >> fb8) & 0xff) | ((value >> fb8) & 0xff);
  }
}

/** hllDenseSet: raises register `index` to `count`; 1 when it changed. */
function denseSet(hll: Uint8Array, index: number, count: number): number {
  const old = denseGet(hll, HLL_HDR_SIZE, index);
  if (count > old) {
    denseSetRegister(hll, HLL_HDR_SIZE, index, count);
    return 1;
  }
  return 0;
}

function invalidateCache(hll: Uint8Array): void {
  hll[15] = (hll[15] as number) | 0x80;
}

// ---------------------------------------------------------------------------------------------
// The HLL object

/** createHLLObject: an empty sparse HLL (one XZERO opcode covering every register). */
export function createHll(): Uint8Array {
  const out = new Uint8Array(HLL_HDR_SIZE + 2);
  out.set([0x48, 0x59, 0x4c, 0x4c, HLL_SPARSE]);
  const l = HLL_SPARSE_XZERO_MAX_LEN - 1;
  out[16] = (l >> 8) | 0x40;
  out[17] = l & 0xff;
  return out;
}

/** isHLLObjectOrReply's checks: magic, known encoding, dense length. */
export function isHll(bytes: Uint8Array): boolean {
  if (bytes.length < HLL_HDR_SIZE) return false;
  if (bytes[0] !== 0x48 || bytes[1] !== 0x59 || bytes[2] !== 0x4c || bytes[3] !== 0x4c) return false;
  const encoding = bytes[4] as number;
  if (encoding > 1) return false;
  if (encoding === HLL_DENSE && bytes.length !== HLL_DENSE_SIZE) return false;
  return true;
}

/** hllSparseToDense: the dense form, or undefined when the sparse opcodes are invalid. */
export function sparseToDense(hll: Uint8Array): Uint8Array | undefined {
  if (hll[4] === HLL_DENSE) return hll;
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  dense.set(hll.subarray(0, HLL_HDR_SIZE));
  dense[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < hll.length) {
    const b = hll[p] as number;
    if (isZero(b)) {
      idx += zeroLen(b);
      p++;
    } else if (isXzero(b)) {
      idx += xzeroLen(b, hll[p + 1] ?? 0);
      p += 2;
    } else {
      let run = valLen(b);
      const value = valValue(b);
      if (run + idx > HLL_REGISTERS) break;
      while (run--) denseSetRegister(dense, HLL_HDR_SIZE, idx++, value);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return undefined;
  return dense;
}

/** The outcome of a register update: the (possibly reallocated) HLL and 1 changed / 0 unchanged / -1 invalid. */
export interface HllUpdate {
  hll: Uint8Array;
  result: number;
}

/** hllSparseSet: raises register `index` to `count` in a sparse HLL, promoting to dense when Redis does. */
function sparseSet(hll: Uint8Array, index: number, count: number, maxBytes: number): HllUpdate {
  const promote = (): HllUpdate => {
    const dense = sparseToDense(hll);
    if (!dense) return { hll, result: -1 };
    denseSet(dense, index, count);
    return { hll: dense, result: 1 };
  };
  if (count > HLL_SPARSE_VAL_MAX_VALUE) return promote();
  let end = hll.length;
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const b = hll[p] as number;
    let oplen = 1;
    if (isZero(b)) span = zeroLen(b);
    else if (isVal(b)) span = valLen(b);
    else {
      span = xzeroLen(b, hll[p + 1] ?? 0);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return { hll, result: -1 };
  const op = hll[p] as number;
  const zero = isZero(op);
  const xzero = isXzero(op);
  const val = !zero && !xzero;
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, hll[p + 1] ?? 0) : valLen(op);
  let work = hll;
  if (val) {
    const old = valValue(op);
    if (old >= count) return { hll, result: 0 };
    if (runlen === 1) {
      work[p] = valByte(count, 1);
      return merged(work, prev, end);
    }
  }
  if (zero && runlen === 1) {
    work[p] = valByte(count, 1);
    return merged(work, prev, end);
  }
  const seq: number[] = [];
  const last = first + span - 1;
  const pushZeros = (len: number): void => {
    if (len > HLL_SPARSE_ZERO_MAX_LEN) {
      const l = len - 1;
      seq.push((l >> 8) | 0x40, l & 0xff);
    } else seq.push(len - 1);
  };
  if (zero || xzero) {
    if (index !== first) pushZeros(index - first);
    seq.push(valByte(count, 1));
    if (index !== last) pushZeros(last - index);
  } else {
    const cur = valValue(op);
    if (index !== first) seq.push(valByte(cur, index - first));
    seq.push(valByte(count, 1));
    if (index !== last) seq.push(valByte(cur, last - index));
  }
  const oldlen = xzero ? 2 : 1;
  const delta = seq.length - oldlen;
  if (delta > 0 && hll.length + delta > maxBytes) return promote();
  work = new Uint8Array(hll.length + delta);
  work.set(hll.subarray(0, p));
  work.set(seq, p);
  work.set(hll.subarray(p + oldlen), p + seq.length);
  end += delta;
  return merged(work, prev, end);
}

/** Step 4 of hllSparseSet: merges adjacent equal VAL opcodes from `prev`, scanning up to 5 opcodes. */
function merged(hll: Uint8Array, prev: number, endAt: number): HllUpdate {
  let work = hll;
  let end = endAt;
  let p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scan = 5;
  while (p < end && scan--) {
    const b = work[p] as number;
    if (isXzero(b)) {
      p += 2;
      continue;
    } else if (isZero(b)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(work[p + 1] as number)) {
      const v1 = valValue(b);
      const v2 = valValue(work[p + 1] as number);
      if (v1 === v2) {
        const len = valLen(b) + valLen(work[p + 1] as number);
        if (len <= HLL_SPARSE_VAL_MAX_LEN) {
          work[p + 1] = valByte(v1, len);
          const shorter = new Uint8Array(work.length - 1);
          shorter.set(work.subarray(0, p));
          shorter.set(work.subarray(p + 1), p);
          work = shorter;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(work);
  return { hll: work, result: 1 };
}

/** hllAdd: adds one element. */
export function hllAdd(hll: Uint8Array, element: Uint8Array, maxBytes: number): HllUpdate {
  const [index, count] = hllPatLen(element);
  if (hll[4] === HLL_DENSE) return { hll, result: denseSet(hll, index, count) };
  if (hll[4] === HLL_SPARSE) return sparseSet(hll, index, count, maxBytes);
  return { hll, result: -1 };
}

/** Sets register `index` to at least `count` in either encoding (PFMERGE's write loop). */
export function hllSet(hll: Uint8Array, index: number, count: number, maxBytes: number): HllUpdate {
  if (hll[4] === HLL_DENSE) return { hll, result: denseSet(hll, index, count) };
  return sparseSet(hll, index, count, maxBytes);
}

/** hllMerge: max[i] = MAX(max[i], register i); false when a sparse HLL is invalid. */
export function hllMerge(max: Uint8Array, hll: Uint8Array): boolean {
  if (hll[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(hll, HLL_HDR_SIZE, i);
      if (v > (max[i] as number)) max[i] = v;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < hll.length) {
    const b = hll[p] as number;
    if (isZero(b)) {
      const run = zeroLen(b);
      if (run + i > HLL_REGISTERS) return false;
      i += run;
      p++;
    } else if (isXzero(b)) {
      const run = xzeroLen(b, hll[p + 1] ?? 0);
      if (run + i > HLL_REGISTERS) return false;
      i += run;
      p += 2;
    } else {
      let run = valLen(b);
      const value = valValue(b);
      if (run + i > HLL_REGISTERS) return false;
      while (run--) {
        if (value > (max[i] as number)) max[i] = value;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** hllCount: the estimate, or undefined when a sparse HLL is invalid. */
export function hllCount(hll: Uint8Array): bigint | undefined {
  const m = HLL_REGISTERS;
  const reghisto = new Float64Array(64);
  if (hll[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = denseGet(hll, HLL_HDR_SIZE, i);
      reghisto[r] = (reghisto[r] as number) + 1;
    }
  } else {
    let idx = 0;
    let p = HLL_HDR_SIZE;
    let valid = true;
    while (p < hll.length) {
      const b = hll[p] as number;
      let run: number;
      if (isZero(b)) {
        run = zeroLen(b);
        if (run + idx > HLL_REGISTERS) {
          valid = false;
          break;
        }
        reghisto[0] = (reghisto[0] as number) + run;
        p++;
      } else if (isXzero(b)) {
        run = xzeroLen(b, hll[p + 1] ?? 0);
        if (run + idx > HLL_REGISTERS) {
          valid = false;
          break;
        }
        reghisto[0] = (reghisto[0] as number) + run;
        p += 2;
      } else {
        run = valLen(b);
        if (run + idx > HLL_REGISTERS) {
          valid = false;
          break;
        }
        const v = valValue(b);
        reghisto[v] = (reghisto[v] as number) + run;
        p++;
      }
      idx += run;
    }
    if (!valid || idx !== HLL_REGISTERS) return undefined;
  }
  let z = m * hllTau((m - (reghisto[HLL_Q + 1] as number)) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j] as number;
    z *= 0.5;
  }
  z += m * hllSigma((reghisto[0] as number) / m);
  const e = (HLL_ALPHA_INF * m * m) / z;
  const floor = Math.floor(e);
  const rounded = e - floor >= 0.5 ? floor + 1 : floor;
  return BigInt(rounded);
}

/** True when the cached cardinality is valid. */
export function cacheValid(hll: Uint8Array): boolean {
  return ((hll[15] as number) & 0x80) === 0;
}

/** Writes the cached cardinality (PFCOUNT). */
export function setCache(hll: Uint8Array, card: bigint): void {
  for (let i = 0; i < 8; i++) hll[8 + i] = Number((card >> BigInt(8 * i)) & 0xffn);
}

export { invalidateCache, HLL_DENSE, HLL_SPARSE };
