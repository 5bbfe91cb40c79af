// cspell:words strtod strtol isspace fpclassify
import { canonicalInteger } from '../rdb/blob-common.js';
import { unbin } from './bytes.js';

/*
 * Numbers as Redis reads them from arguments and values: `string2ll` for integers (no spaces, no '+', no
 * leading zeros, no "-0", int64 range), C's `strtod` for doubles with the checks of `getDoubleFromObject`.
 */

export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/** Redis's `string2ll`: a canonical int64 decimal, or undefined. */
export function parseInt64(bytes: Uint8Array): bigint | undefined {
  const v = canonicalInteger(bytes);
  return v === undefined ? undefined : BigInt(v);
}

/** {@link parseInt64} as a number when the value is a safe integer; undefined when not an integer at all. */
export function parseInteger(bytes: Uint8Array): number | bigint | undefined {
  return canonicalInteger(bytes);
}

/** Decimal text of an integer, as bytes. */
export function intText(value: number | bigint): Uint8Array {
  return unbin(String(value));
}

const CHAR_0 = 0x30;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= CHAR_0 && c <= 0x39;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** What C's strtod made of a byte string. */
export interface StrtodResult {
  value: number;
  /** Index just after the parsed text (0 when nothing was parsed, as strtod's endptr = nptr). */
  end: number;
  /** strtod set errno to ERANGE: the value overflowed to ±HUGE_VAL or underflowed (to zero or a denormal). */
  erange: boolean;
}

function matchWord(bytes: Uint8Array, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = bytes[at + i];
    if (c === undefined || (c | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * C's `strtod` over `bytes` (which ends, like a C string, at the first NUL or the end): leading white space,
 * a sign, then a decimal number, a hexadecimal float (`0x1.8p3`), `inf`/`infinity` or `nan`/`nan(...)`.
 * Decimal conversion is correctly rounded, as glibc's is.
 */
export function strtod(bytes: Uint8Array, start = 0): StrtodResult {
  let p = start;
  while (isSpace(bytes[p])) p++;
  let negative = false;
  if (bytes[p] === 0x2b || bytes[p] === 0x2d) {
    negative = bytes[p] === 0x2d;
    p++;
  }
  const sign = negative ? -1 : 1;
  if (matchWord(bytes, p, 'inf')) {
    const end = matchWord(bytes, p, 'infinity') ? p + 8 : p + 3;
    return { value: sign * Infinity, end, erange: false };
  }
  if (matchWord(bytes, p, 'nan')) {
    let end = p + 3;
    if (bytes[end] === 0x28) {
      let q = end + 1;
      while (q < bytes.length && (isDigit(bytes[q]) || hexValue(bytes[q]) >= 0 || bytes[q] === 0x5f || ((bytes[q] as number) | 0x20) >= 0x61 && ((bytes[q] as number) | 0x20) <= 0x7a)) q++;
      if (bytes[q] === 0x29) end = q + 1;
    }
    return { value: NaN, end, erange: false };
  }
  if (bytes[p] === CHAR_0 && ((bytes[p + 1] ?? 0) | 0x20) === 0x78) {
    const hex = parseHex(bytes, p + 2, negative);
    if (hex) return hex;
    // "0x" with no hex digits: strtod reads the "0" alone.
    return { value: negative ? -0 : 0, end: p + 1, erange: false };
  }
  const digitsStart = p;
  let sawDigit = false;
  let nonZero = false;
  while (isDigit(bytes[p])) {
    if (bytes[p] !== CHAR_0) nonZero = true;
    sawDigit = true;
    p++;
  }
  if (bytes[p] === 0x2e) {
    p++;
    while (isDigit(bytes[p])) {
      if (bytes[p] !== CHAR_0) nonZero = true;
      sawDigit = true;
      p++;
    }
  }
  if (!sawDigit) return { value: 0, end: start, erange: false };
  let end = p;
  if (((bytes[p] ?? 0) | 0x20) === 0x65) {
    let q = p + 1;
    if (bytes[q] === 0x2b || bytes[q] === 0x2d) q++;
    if (isDigit(bytes[q])) {
      while (isDigit(bytes[q])) q++;
      end = q;
    }
  }
  let text = '';
  for (let i = digitsStart; i < end; i++) text += String.fromCharCode(bytes[i] as number);
  if (text.startsWith('.')) text = `0${text}`;
  text = text.replace(/\.(?=[eE]|$)/, '');
  const magnitude = Number(text);
  const value = sign * magnitude;
  const erange = (magnitude === Infinity) || (magnitude === 0 && nonZero) || (magnitude !== 0 && magnitude < 2.2250738585072014e-308);
  return { value, end, erange };
}

function parseHex(bytes: Uint8Array, at: number, negative: boolean): StrtodResult | undefined {
  let p = at;
  let mantissa = 0n;
  let exponent = 0;
  let sawDigit = false;
  while (hexValue(bytes[p]) >= 0) {
    mantissa = mantissa * 16n + BigInt(hexValue(bytes[p]));
    sawDigit = true;
    p++;
  }
  if (bytes[p] === 0x2e) {
    let q = p + 1;
    let fraction = false;
    while (hexValue(bytes[q]) >= 0) {
      mantissa = mantissa * 16n + BigInt(hexValue(bytes[q]));
      exponent -= 4;
      fraction = true;
      q++;
    }
    if (sawDigit || fraction) {
      p = q;
      sawDigit = true;
    }
  }
  if (!sawDigit) return undefined;
  if (((bytes[p] ?? 0) | 0x20) === 0x70) {
    let q = p + 1;
    let expNegative = false;
    if (bytes[q] === 0x2b || bytes[q] === 0x2d) {
      expNegative = bytes[q] === 0x2d;
      q++;
    }
    if (isDigit(bytes[q])) {
      let e = 0;
      while (isDigit(bytes[q])) {
        if (e < 1e8) e = e * 10 + ((bytes[q] as number) - CHAR_0);
        q++;
      }
      exponent += expNegative ? -e : e;
      p = q;
    }
  }
  const { value, erange } = binaryToDouble(mantissa, exponent);
  return { value: negative ? -value : value, end: p, erange };
}

/** mantissa × 2^exponent correctly rounded (to nearest, ties to even) to a double; ERANGE as glibc reports it. */
export function binaryToDouble(mantissa: bigint, exponent: number): { value: number; erange: boolean } {
  if (mantissa === 0n) return { value: 0, erange: false };
  const bits = mantissa.toString(2).length;
  // The value is in [2^(bits-1+exponent), 2^(bits+exponent)).
  const top = bits - 1 + exponent;
  if (top > 1023) return { value: Infinity, erange: true };
  // Keep 53 significant bits, or fewer for denormals (whose last bit has weight 2^-1074).
  const lowest = Math.max(top - 52, -1074);
  const shift = lowest - exponent;
  let m: bigint;
  if (shift > 0) {
    const big = BigInt(shift);
    m = mantissa >> big;
    const rest = mantissa - (m << big);
    const half = 1n << (big - 1n);
    if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  } else {
    m = mantissa << BigInt(-shift);
  }
  const value = Number(m) * 2 ** lowest;
  // Multiplying by 2**lowest may lose the scale for lowest < -1022: split it.
  const exact = lowest < -1022 ? Number(m) * 2 ** (lowest + 100) * 2 ** -100 : value;
  const erange = exact === Infinity || exact < 2.2250738585072014e-308;
  return { value: exact, erange };
}

/**
 * `getDoubleFromObject`: the whole argument must be a number strtod reads, with no leading space, not NaN,
 * and not out of range (overflow, or underflow to zero). Undefined when Redis would reply "value is not a
 * valid float".
 */
export function parseDouble(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || isSpace(bytes[0])) return undefined;
  const r = strtod(bytes);
  if (r.end !== bytes.length) return undefined;
  if (Number.isNaN(r.value)) return undefined;
  if (r.erange && (r.value === Infinity || r.value === -Infinity || r.value === 0)) return undefined;
  return r.value;
}

/** Redis's `getLongLongFromObject` on an argument; undefined for "value is not an integer or out of range". */
export function argInt(bytes: Uint8Array): bigint | undefined {
  return parseInt64(bytes);
}

/** An argument as a safe JS number when it is an int64 within ±2^53; undefined when not an integer. */
export function argNumber(bytes: Uint8Array): number | undefined {
  const v = canonicalInteger(bytes);
  if (v === undefined) return undefined;
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Formats a double as C's `%.17g` does. */
export function formatG17(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  let text = value.toExponential(16);
  const [mantissa, e] = text.split('e') as [string, string];
  let mant = mantissa;
  const x = Number(e);
  if (x < -4 || x >= 17) {
    mant = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const sign = x < 0 ? '-' : '+';
    const digits = String(Math.abs(x)).padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  text = value.toFixed(Math.max(0, 16 - x));
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text;
}

/** Redis's `d2string` (7.0): nan, ±inf, "-0"/"0", integers exactly, otherwise `%.17g`. */
export function d2string(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 62) return BigInt(value).toString();
  return formatG17(value);
}
