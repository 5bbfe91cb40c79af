// cspell:words strtold isspace
/*
 * INCRBYFLOAT and HINCRBYFLOAT compute in C's `long double`, which on x86-64 Linux is the x87 80-bit
 * extended format: a 64-bit significand (explicit leading bit), exponents down to 2^-16382 for normal
 * numbers and 2^-16445 for denormals, up to just below 2^16384. Redis parses with strtold, adds, and prints
 * with "%.17Lf" minus trailing zeros. The arithmetic here is exact (BigInt rationals) with one rounding to
 * the 64-bit significand, to nearest with ties to even, as the FPU does.
 */

/** An extended-precision value: sign × mant × 2^exp, or a special. */
export interface LongDouble {
  negative: boolean;
  /** 0 for zero; else up to 64 bits. */
  mant: bigint;
  exp: number;
  special?: 'inf' | 'nan';
}

const MANT_BITS = 64;
const MIN_EXP = -16445; // exponent of the last bit of the smallest denormal
const MAX_TOP = 16383; // the largest finite value is below 2^16384

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds the positive rational num/den to the extended format. */
function roundRational(negative: boolean, num: bigint, den: bigint): LongDouble {
  if (num === 0n) return { negative, mant: 0n, exp: 0 };
  // Find e with 2^63 ≤ num/den × 2^-e < 2^64, i.e. scale so the quotient has 64 bits.
  let e = bitLength(num) - bitLength(den) - MANT_BITS;
  for (;;) {
    const q = e >= 0 ? num / (den << BigInt(e)) : (num << BigInt(-e)) / den;
    if (q >= 1n << 64n) e++;
    else if (q < 1n << 63n) e--;
    else break;
  }
  if (e < MIN_EXP) e = MIN_EXP; // denormal: fewer significant bits
  let n = num;
  let d = den;
  if (e >= 0) d <<= BigInt(e);
  else n <<= BigInt(-e);
  let q = n / d;
  const r = n - q * d;
  if (r * 2n > d || (r * 2n === d && (q & 1n) === 1n)) q += 1n;
  if (q >= 1n << 64n) {
    q >>= 1n;
    e++;
  }
  if (q === 0n) return { negative, mant: 0n, exp: 0 };
  if (bitLength(q) - 1 + e > MAX_TOP) return { negative, mant: 0n, exp: 0, special: 'inf' };
  return { negative, mant: q, exp: e };
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d);
}

/** Redis's MAX_LONG_DOUBLE_CHARS. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/**
 * Redis's `string2ld`: the whole text must be a number strtold reads (decimal, hexadecimal float, inf),
 * without leading space, not NaN, not out of range. Undefined when Redis would reply "not a valid float".
 */
export function parseLongDouble(bytes: Uint8Array): LongDouble | undefined {
  if (bytes.length === 0 || bytes.length >= MAX_LONG_DOUBLE_CHARS || isSpace(bytes[0])) return undefined;
  let text = '';
  for (const b of bytes) {
    if (b === 0) return undefined; // strtold stops at the NUL: the rest is not consumed
    text += String.fromCharCode(b);
  }
  const m = /^([+-]?)(?:(inf|infinity)|(nan(?:\([0-9A-Za-z_]*\))?)|0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?|(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?)$/i.exec(text);
  if (!m) return undefined;
  const negative = m[1] === '-';
  if (m[2] !== undefined) return { negative, mant: 0n, exp: 0, special: 'inf' };
  if (m[3] !== undefined) return undefined;
  let value: LongDouble;
  let nonZero: boolean;
  if (m[4] !== undefined || m[5] !== undefined) {
    const intPart = m[4] ?? '';
    const frac = m[5] ?? '';
    if (intPart === '' && frac === '') return undefined;
    const digits = BigInt(`0x${intPart + frac || '0'}`);
    let exp = -4 * frac.length + (m[6] ? Math.max(-1e6, Math.min(1e6, Number(m[6]))) : 0);
    nonZero = digits !== 0n;
    if (exp >= 0) value = roundRational(negative, digits << BigInt(exp), 1n);
    else {
      exp = -exp;
      value = roundRational(negative, digits, 1n << BigInt(exp));
    }
  } else {
    const intPart = m[7] ?? '';
    const frac = m[8] ?? '';
    if (intPart === '' && frac === '') return undefined;
    const digits = BigInt(intPart + frac || '0');
    nonZero = digits !== 0n;
    let exp = -frac.length + (m[9] ? Math.max(-1e6, Math.min(1e6, Number(m[9]))) : 0);
    if (!nonZero) value = { negative, mant: 0n, exp: 0 };
    else if (exp >= 0) {
      if (exp + intPart.length + frac.length > 5000) value = { negative, mant: 0n, exp: 0, special: 'inf' };
      else value = roundRational(negative, digits * 10n ** BigInt(exp), 1n);
    } else {
      exp = -exp;
      if (exp - intPart.length - frac.length > 5000) value = { negative, mant: 0n, exp: 0 };
      else value = roundRational(negative, digits, 10n ** BigInt(exp));
    }
  }
  // ERANGE: overflow to ±HUGE_VALL or underflow to zero makes string2ld fail.
  if (value.special === 'inf') return undefined;
  if (value.mant === 0n && nonZero) return undefined;
  return value;
}

/** a + b in extended precision; undefined when the result is NaN or infinite (Redis refuses it). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if (a.special === 'inf' || b.special === 'inf') return undefined;
  if (a.mant === 0n && b.mant === 0n) return { negative: a.negative && b.negative, mant: 0n, exp: 0 };
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  const e = Math.min(a.exp, b.exp);
  const av = (a.negative ? -a.mant : a.mant) << BigInt(a.exp - e);
  const bv = (b.negative ? -b.mant : b.mant) << BigInt(b.exp - e);
  const sum = av + bv;
  if (sum === 0n) return { negative: false, mant: 0n, exp: 0 };
  const negative = sum < 0n;
  const abs = negative ? -sum : sum;
  const r = e >= 0 ? roundRational(negative, abs << BigInt(e), 1n) : roundRational(negative, abs, 1n << BigInt(-e));
  if (r.special) return undefined;
  return r;
}

/** Redis's ld2string(…, LD_STR_HUMAN): "%.17Lf", trailing zeros (and a trailing '.') removed, "-0" → "0". */
export function formatLongDouble(v: LongDouble): string {
  if (v.special === 'inf') return v.negative ? '-inf' : 'inf';
  if (v.special === 'nan') return 'nan';
  // round(|v| × 10^17), ties to even.
  const scale = 10n ** 17n;
  let num = v.mant * scale;
  let den = 1n;
  if (v.exp >= 0) num <<= BigInt(v.exp);
  else den <<= BigInt(-v.exp);
  let q = num / den;
  const r = num - q * den;
  if (r * 2n > den || (r * 2n === den && (q & 1n) === 1n)) q += 1n;
  const digits = q.toString().padStart(18, '0');
  const intPart = digits.slice(0, -17);
  const frac = digits.slice(-17).replace(/0+$/, '');
  let text = frac.length > 0 ? `${intPart}.${frac}` : intPart;
  if (v.negative) text = `-${text}`;
  if (text === '-0') text = '0';
  return text;
}
