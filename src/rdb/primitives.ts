import type { ByteReader } from '../bytes/reader.js';
import { printable, writeDecimal } from '../bytes/text.js';
import { ByteWriter, type ByteWriterOptions } from '../bytes/writer.js';
import { CorruptError } from '../errors.js';
import { Crc64 } from '../codecs/crc64.js';
import { lzfCompress, lzfDecompress, lzfDecompressTransient, lzfValidate } from '../codecs/lzf.js';
import { ModuleOpcode, RdbOpcode, StringEncoding } from './constants.js';

/*
 * The RDB primitives, read side and write side next to each other. The write side makes the choices Redis
 * makes (rdbSaveLen, rdbSaveRawString, rdbSaveDoubleValue… in redis/redis src/rdb.c), so that what it writes
 * for a value is what Redis would have written: see test/rdb/canonical.test.ts for the files it is held to.
 */

/**
 * Reads an RDB length: 6-bit, 14-bit (big-endian), 32-bit big-endian (0x80) or 64-bit big-endian (0x81).
 *
 * Like Redis's rdbLoadLen with no `isencoded` out-parameter, a byte whose top bits are 11 (a special string
 * encoding) yields its low 6 bits as the length; we mirror that so our verdicts match redis-check-rdb's.
 * Lengths above 2^53 cannot be counts of anything we could hold and are reported as corrupt.
 */
export function readLength(r: ByteReader): number {
  const first = r.u8();
  const kind = first >> 6;
  if (kind === 0 || kind === 3) return first & 0x3f;
  if (kind === 1) return ((first & 0x3f) << 8) | r.u8();
  if (first === 0x80) return r.u32be();
  if (first === 0x81) {
    const at = r.offset;
    const value = r.u64be();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CorruptError(`64-bit length ${value} is larger than any file`, { file: r.file, offset: at });
    }
    return Number(value);
  }
  throw new CorruptError(`unknown length encoding 0x${first.toString(16)}`, { file: r.file, offset: r.offset - 1 });
}

const LENGTH_ERROR = 0xffffffffffffffffn;

/**
 * Reads a 64-bit value stored as an RDB length that Redis keeps as a plain number (db ids, size hints,
 * idle times): any value is accepted, as Redis does, except 2^64-1, which Redis's rdbLoadLen uses as its
 * error value. Values above 2^53 lose precision (they are only ever displayed).
 */
export function readLengthLoose(r: ByteReader): number {
  const at = r.offset;
  const value = readLengthBig(r);
  if (value === LENGTH_ERROR) throw new CorruptError('length 2^64-1 (Redis reads it as an error)', { file: r.file, offset: at });
  return Number(value);
}

/** Reads past an RDB length of any size (as {@link readLengthBig} would read it) without making its value. */
export function skipLength(r: ByteReader): void {
  const first = r.u8();
  const kind = first >> 6;
  if (kind === 0 || kind === 3) return;
  const size = kind === 1 ? 1 : first === 0x80 ? 4 : first === 0x81 ? 8 : 0;
  if (size === 0) throw new CorruptError(`unknown length encoding 0x${first.toString(16)}`, { file: r.file, offset: r.offset - 1 });
  r.need(size);
  r.pos += size;
}

/** Reads an RDB length as an unsigned 64-bit bigint (module ids, stream ids, entry counters). */
export function readLengthBig(r: ByteReader): bigint {
  const first = r.u8();
  const kind = first >> 6;
  if (kind === 0 || kind === 3) return BigInt(first & 0x3f);
  if (kind === 1) return BigInt(((first & 0x3f) << 8) | r.u8());
  if (first === 0x80) return BigInt(r.u32be());
  if (first === 0x81) return r.u64be();
  throw new CorruptError(`unknown length encoding 0x${first.toString(16)}`, { file: r.file, offset: r.offset - 1 });
}

/** Decimal ASCII bytes of an integer (what Redis makes of an int-encoded string), without TextEncoder. */
export function intBytes(value: number): Uint8Array {
  const digits = new Uint8Array(21);
  return digits.slice(writeDecimal(value, digits));
}

/**
 * Reads an RDB string: a plain length-prefixed byte string (returned as a view into the reader's data),
 * an int8/16/32 (returned as its decimal ASCII bytes, as Redis would), or an LZF-compressed string
 * (decompressed; a {@link CorruptError} when it does not decompress to the stated length).
 */
export function readString(r: ByteReader): Uint8Array {
  const at = r.offset;
  const first = r.u8();
  const kind = first >> 6;
  let length: number;
  if (kind === 0) {
    length = first;
  } else if (kind === 1) {
    length = ((first & 0x3f) << 8) | r.u8();
  } else if (kind === 3) {
    const encoding = first & 0x3f;
    switch (encoding) {
      case StringEncoding.INT8:
        return intBytes(r.i8());
      case StringEncoding.INT16:
        return intBytes(r.i16le());
      case StringEncoding.INT32:
        return intBytes(r.i32le());
      case StringEncoding.LZF: {
        const compressedLength = readLength(r);
        const originalLength = readLength(r);
        const dataAt = r.offset;
        const compressed = r.bytes(compressedLength, 'LZF string');
        return lzfDecompress(compressed, originalLength, { file: r.file, offset: dataAt });
      }
      default:
        throw new CorruptError(`unknown string encoding ${encoding}`, { file: r.file, offset: at });
    }
  } else {
    r.pos -= 1;
    length = readLength(r);
  }
  return r.bytes(length, 'string');
}

/**
 * {@link readString} for a string that is looked at and dropped at once: an LZF string is decompressed into
 * a buffer shared by every call, so the result is only valid until the next call. Saves allocating (and
 * collecting) a new array per compressed blob in checks.
 */
export function readStringTransient(r: ByteReader): Uint8Array {
  const first = r.peek();
  if (first !== 0xc0 + StringEncoding.LZF) return readString(r);
  r.pos += 1;
  const compressedLength = readLength(r);
  const originalLength = readLength(r);
  const dataAt = r.offset;
  const compressed = r.bytes(compressedLength, 'LZF string');
  return lzfDecompressTransient(compressed, originalLength, { file: r.file, offset: dataAt });
}

/**
 * Reads past an RDB string without making a view. LZF data is validated as strictly as {@link readString}
 * does (it must decompress to the stated length), but without being decompressed.
 */
export function skipString(r: ByteReader): void {
  const first = r.peek();
  if (first >> 6 === 3) {
    if ((first & 0x3f) === StringEncoding.LZF) {
      r.pos += 1;
      const compressedLength = readLength(r);
      const originalLength = readLength(r);
      const dataAt = r.offset;
      lzfValidate(r.bytes(compressedLength, 'LZF string'), originalLength, { file: r.file, offset: dataAt });
      return;
    }
    const encoding = first & 0x3f;
    if (encoding <= StringEncoding.INT32) {
      r.pos += 1;
      r.need(1 << encoding); // as the integer read would
      r.pos += 1 << encoding;
      return;
    }
    readString(r); // throws the unknown-encoding error
    return;
  }
  const length = readLength(r);
  r.skip(length, 'string');
}

/** Longest string Redis keeps in one allocation with its object header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_SIZE_LIMIT = 44;

/**
 * True when `bytes` is a long long as Redis's string2ll reads one: optional `-`, no leading zeros
 * (except "0" itself), no "+" or spaces, within 64 bits, at most 20 characters.
 */
export function isRedisInteger(bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (n === 0 || n > 20) return false;
  const negative = bytes[0] === 0x2d;
  const start = negative ? 1 : 0;
  if (start === n) return false;
  if (bytes[start] === 0x30) return n === 1;
  let value = 0n;
  for (let i = start; i < n; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) return false;
    value = value * 10n + BigInt(digit);
  }
  return negative ? value <= 9223372036854775808n : value <= 9223372036854775807n;
}

/**
 * What Redis's `OBJECT ENCODING` says of a string value read from an RDB (it applies tryObjectEncoding on
 * load, whatever the RDB encoding was): 'int' for a long long of at most 20 characters, 'embstr' up to 44
 * bytes, 'raw' beyond. Looks at the string at the reader's position without moving it; throws what reading
 * the string would (a truncated or corrupt header).
 */
export function stringObjectEncoding(r: ByteReader): 'int' | 'embstr' | 'raw' {
  const start = r.pos;
  try {
    const first = r.peek();
    let length: number;
    if (first >> 6 === 3) {
      const encoding = first & 0x3f;
      if (encoding <= StringEncoding.INT32) return 'int';
      if (encoding !== StringEncoding.LZF) return 'raw';
      r.pos += 1;
      readLength(r);
      length = readLength(r);
      if (length <= 20) {
        r.pos = start;
        return isRedisInteger(readStringTransient(r)) ? 'int' : 'embstr';
      }
    } else {
      length = readLength(r);
      if (length <= 20) return isRedisInteger(r.bytes(length, 'string')) ? 'int' : 'embstr';
    }
    return length <= EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
  } finally {
    r.pos = start;
  }
}

/**
 * Reads a ZSET (type 3) score: a 1-byte length then ASCII, with 253 = NaN, 254 = +inf, 255 = -inf.
 * Parsed like C's `%lg`: the longest numeric prefix; a {@link CorruptError} when there is none.
 */
export function readAsciiDouble(r: ByteReader): number {
  const at = r.offset;
  const length = r.u8();
  if (length === 253) return Number.NaN;
  if (length === 254) return Number.POSITIVE_INFINITY;
  if (length === 255) return Number.NEGATIVE_INFINITY;
  const bytes = r.bytes(length, 'score');
  const value = parseCDouble(new TextDecoder('latin1').decode(bytes));
  if (value === undefined) throw new CorruptError(`score '${printable(bytes)}' is not a number`, { file: r.file, offset: at });
  return value;
}

/** Parses the longest prefix of `text` that C's strtod accepts; undefined when there is none. */
export function parseCDouble(text: string): number | undefined {
  const trimmed = text.replace(/^[\s]+/, '');
  const special = /^([+-]?)(inf(inity)?|nan)/i.exec(trimmed);
  if (special) {
    const negative = special[1] === '-';
    if ((special[2] ?? '').toLowerCase() === 'nan') return Number.NaN;
    return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const hex = /^([+-]?)0x([0-9a-f]*)(\.[0-9a-f]*)?(p[+-]?\d+)?/i.exec(trimmed);
  if (hex && (hex[2] !== '' || (hex[3] !== undefined && hex[3].length > 1))) {
    const mantissa = Number.parseInt((hex[2] ?? '') + (hex[3] ?? '').slice(1) || '0', 16) / 16 ** Math.max(0, (hex[3] ?? '.').length - 1);
    const exponent = hex[4] ? Number.parseInt(hex[4].slice(1), 10) : 0;
    const value = mantissa * 2 ** exponent;
    return hex[1] === '-' ? -value : value;
  }
  const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(trimmed);
  if (!decimal) return undefined;
  return Number.parseFloat(decimal[0]);
}

const moduleCharset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Splits a 64-bit module type id into its 9-character name and 10-bit encoding version. */
export function decodeModuleId(id: bigint): { name: string; encver: number } {
  let name = '';
  for (let i = 0; i < 9; i++) {
    const shift = BigInt(64 - 6 * (i + 1));
    name += moduleCharset[Number((id >> shift) & 63n)];
  }
  return { name, encver: Number(id & 1023n) };
}

/**
 * Skips one module-opcode body (MODULE_2 value, MODULE_AUX payload, KEY_META class): (opcode, payload)
 * pairs until opcode 0. Returns the number of opcodes read. `limit` stops early (returning -1 - count)
 * so long bodies can be walked in steps; pass Infinity to read to the end.
 */
export function skipModuleOpcodes(r: ByteReader, limit = Number.POSITIVE_INFINITY): number {
  let count = 0;
  while (count < limit) {
    const big = readLengthBig(r);
    // Like Redis's rdbLoadCheckModuleValue, an opcode it does not know carries no operand and is passed over.
    const opcode = big > 5n ? -1 : Number(big);
    switch (opcode) {
      case ModuleOpcode.EOF:
        return count;
      case ModuleOpcode.SINT:
      case ModuleOpcode.UINT:
        readLengthBig(r);
        break;
      case ModuleOpcode.FLOAT:
        r.skip(4, 'module float');
        break;
      case ModuleOpcode.DOUBLE:
        r.skip(8, 'module double');
        break;
      case ModuleOpcode.STRING:
        readString(r);
        break;
      default:
        break;
    }
    count++;
  }
  return -1 - count;
}

// ---------------------------------------------------------------------------------------------------
// Write side

/** Largest length the 64-bit form can hold. */
const U64_MAX = 0xffffffffffffffffn;

/**
 * Writes an RDB length in the smallest form, as rdbSaveLen does: 6-bit (below 64), 14-bit big-endian
 * (below 16384), 0x80 + 32-bit big-endian (up to 2^32-1), 0x81 + 64-bit big-endian.
 * Throws RangeError for a negative, fractional or unsafe number, or a bigint outside 0..2^64-1.
 */
export function writeLength(w: ByteWriter, length: number | bigint): void {
  if (typeof length === 'bigint') {
    if (length < 0n || length > U64_MAX) throw new RangeError(`RDB length ${length} is outside 0..2^64-1`);
    if (length > 0xffffffffn) {
      w.u8(0x81);
      w.u64be(length);
      return;
    }
    length = Number(length);
  } else if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`RDB length ${length} is not a non-negative safe integer`);
  }
  if (length < 64) w.u8(length);
  else if (length < 16384) w.u16be(0x4000 | length);
  else if (length <= 0xffffffff) {
    w.u8(0x80);
    w.u32be(length);
  } else {
    w.u8(0x81);
    w.u64be(BigInt(length));
  }
}

/** Bytes {@link writeLength} takes for `length` (1, 2, 5 or 9). */
export function lengthSize(length: number | bigint): number {
  const n = typeof length === 'bigint' ? length : BigInt(length);
  if (n < 64n) return 1;
  if (n < 16384n) return 2;
  if (n <= 0xffffffffn) return 5;
  return 9;
}

/**
 * The value of `bytes` when Redis's rdbTryIntegerEncoding would store it as an int8/16/32: canonical
 * decimal text (optional '-', no leading zeros, no '+', no spaces, not "-0") of at most 11 characters that
 * fits in a signed 32-bit integer. Undefined otherwise.
 */
export function integerEncodable(bytes: Uint8Array): number | undefined {
  const n = bytes.length;
  if (n === 0 || n > 11) return undefined;
  const negative = bytes[0] === 0x2d;
  let i = negative ? 1 : 0;
  if (i === n) return undefined;
  const lead = bytes[i] as number;
  if (lead === 0x30) return n === 1 ? 0 : undefined; // "0" only; "-0" and "01" are not canonical
  let value = 0;
  for (; i < n; i++) {
    const c = bytes[i] as number;
    if (c < 0x30 || c > 0x39) return undefined;
    value = value * 10 + (c - 0x30);
  }
  if (negative) value = -value;
  return value >= -2147483648 && value <= 2147483647 ? value : undefined;
}

/**
 * Writes an integer as Redis's rdbEncodeInteger does: 0xC0 + int8, 0xC1 + int16 LE or 0xC2 + int32 LE,
 * whichever is the smallest that holds it. Throws RangeError outside the signed 32-bit range.
 */
export function writeEncodedInteger(w: ByteWriter, value: number): void {
  if (value >= -128 && value <= 127) {
    w.u8(0xc0 | StringEncoding.INT8);
    w.i8(value);
  } else if (value >= -32768 && value <= 32767) {
    w.u8(0xc0 | StringEncoding.INT16);
    w.i16le(value);
  } else if (value >= -2147483648 && value <= 2147483647 && Number.isInteger(value)) {
    w.u8(0xc0 | StringEncoding.INT32);
    w.i32le(value);
  } else {
    throw new RangeError(`${value} does not fit an RDB integer encoding (signed 32-bit)`);
  }
}

/** How {@link writeString} may encode a string. */
export interface StringWriteOptions {
  /**
   * LZF-compress strings of more than 20 bytes when that saves at least 4 bytes, as Redis does with
   * `rdbcompression yes` (its default). Default false.
   */
  compress?: boolean;
  /** Compress as the liblzf of Redis 2.x did (see {@link lzfCompress}). */
  beforeLiblzf36?: boolean;
}

/**
 * Writes an RDB string the way rdbSaveRawString chooses its form: an int8/16/32 when the bytes are
 * canonical decimal text of a 32-bit integer (at most 11 bytes); else, with `compress`, LZF when the
 * string is longer than 20 bytes and liblzf compresses it into at most `length - 4` bytes; else the length
 * and the bytes (a large string is passed to the writer as its own piece, not copied).
 */
export function writeString(w: ByteWriter, bytes: Uint8Array, options: StringWriteOptions = {}): void {
  const integer = integerEncodable(bytes);
  if (integer !== undefined) {
    writeEncodedInteger(w, integer);
    return;
  }
  if (options.compress === true && bytes.length > 20) {
    const compressed = lzfCompress(bytes, bytes.length - 4, { beforeLiblzf36: options.beforeLiblzf36 === true });
    if (compressed !== undefined) {
      writeLzfString(w, compressed, bytes.length);
      return;
    }
  }
  writePlainString(w, bytes);
}

/** Writes a string as its length and bytes, with no integer or LZF encoding (what Redis writes when neither applies). */
export function writePlainString(w: ByteWriter, bytes: Uint8Array): void {
  writeLength(w, bytes.length);
  w.bytes(bytes);
}

/**
 * Writes already-compressed LZF data as an RDB string (rdbSaveLzfBlob): 0xC3, the compressed length, the
 * original length, the data. For quicklist nodes Redis keeps compressed in memory, and for copying a
 * compressed string unchanged.
 */
export function writeLzfString(w: ByteWriter, compressed: Uint8Array, originalLength: number): void {
  w.u8(0xc0 | StringEncoding.LZF);
  writeLength(w, compressed.length);
  writeLength(w, originalLength);
  w.bytes(compressed);
}

/**
 * Writes an integer held as a number as Redis's rdbSaveLongLongAsStringObject does (int-encoded string
 * objects, AUX integers): an int8/16/32 when it fits, otherwise its decimal text as a plain string.
 * Throws RangeError for a non-integer or a value outside int64.
 */
export function writeIntegerString(w: ByteWriter, value: number | bigint): void {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  const big = BigInt(value);
  if (big < -(1n << 63n) || big >= 1n << 63n) throw new RangeError(`${value} is outside the signed 64-bit range`);
  if (big >= -2147483648n && big <= 2147483647n) {
    writeEncodedInteger(w, Number(big));
    return;
  }
  writePlainString(w, Uint8Array.from(big.toString(), (c) => c.charCodeAt(0)));
}

/** Writes a ZSET_2 score or any binary double: 8 bytes, IEEE 754, little-endian (rdbSaveBinaryDoubleValue). */
export function writeBinaryDouble(w: ByteWriter, value: number): void {
  w.f64le(value);
}

/**
 * Writes a double in the ASCII form of ZSET (type 3) scores, as rdbSaveDoubleValue does: one length byte
 * then the text, with the special lengths 253 (NaN), 254 (+inf) and 255 (-inf); see {@link formatRdbDouble}
 * for the text. {@link readAsciiDouble} reads it back to the same value, except -0, which Redis writes as 0.
 */
export function writeAsciiDouble(w: ByteWriter, value: number): void {
  if (Number.isNaN(value)) {
    w.u8(253);
    return;
  }
  if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) {
    w.u8(value > 0 ? 254 : 255);
    return;
  }
  const text = formatRdbDouble(value);
  w.u8(text.length);
  w.latin1(text);
}

/**
 * The text rdbSaveDoubleValue writes for a finite double: an integer strictly between -(2^52 - 1) and 2^52
 * as its decimal digits (so -0 becomes "0"), anything else as C's `%.17g` (17 significant digits, rounded
 * half to even from the exact binary value as glibc does, trailing zeros dropped, exponent form below 1e-4
 * and from 1e17 on).
 */
export function formatRdbDouble(value: number): string {
  if (value > -4503599627370495 && value < 4503599627370496 && Number.isInteger(value)) return (value === 0 ? 0 : value).toString();
  return formatG17(value);
}

/** C's `%.17g` of a finite double, exactly as glibc prints it. */
export function formatG17(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // toExponential rounds correctly to the nearest 17 digits, as glibc does; they differ only on an exact tie
  // (glibc rounds half to even, JavaScript half up), which the exact path below handles.
  const abs = Math.abs(value);
  const wide = abs.toExponential(39);
  if (!(wide[18] === '5' && /^0*$/.test(wide.slice(19, 41)))) {
    const text = abs.toExponential(16);
    const e = text.indexOf('e');
    const digits = text[0] + text.slice(2, e);
    const x = Number(text.slice(e + 1));
    let out: string;
    if (x < -4 || x >= 17) {
      const exponent = Math.abs(x);
      out = `${trimFraction(`${digits[0]}.${digits.slice(1)}`)}e${x < 0 ? '-' : '+'}${exponent < 10 ? `0${exponent}` : exponent}`;
    } else if (x < 0) {
      out = trimFraction(`0.${'0'.repeat(-x - 1)}${digits}`);
    } else {
      out = trimFraction(`${digits.slice(0, x + 1)}.${digits.slice(x + 1)}`);
    }
    return value < 0 ? `-${out}` : out;
  }
  return formatG17Exact(value);
}

/** {@link formatG17} from the exact decimal value of the double (slow; for ties). */
function formatG17Exact(value: number): string {
  const negative = value < 0;
  const { digits, exponent } = exactDecimal(Math.abs(value));
  // Round to 17 significant digits, half to even on the exact value.
  let kept = digits.slice(0, 17);
  let point = exponent + digits.length; // value = 0.<digits> x 10^point
  if (digits.length > 17) {
    const first = digits.charCodeAt(17) - 48;
    const restNonZero = /[1-9]/.test(digits.slice(18));
    const lastOdd = (kept.charCodeAt(16) - 48) % 2 === 1;
    if (first > 5 || (first === 5 && (restNonZero || lastOdd))) {
      const up = (BigInt(kept) + 1n).toString();
      if (up.length > 17) {
        kept = up.slice(0, 17);
        point += 1;
      } else kept = up;
    }
  }
  const x = point - 1; // decimal exponent of the first significant digit
  let text: string;
  if (x < -4 || x >= 17) {
    const mantissa = trimFraction(`${kept[0]}.${kept.slice(1)}`);
    const e = Math.abs(x);
    text = `${mantissa}e${x < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  } else if (x < 0) {
    text = trimFraction(`0.${'0'.repeat(-x - 1)}${kept}`);
  } else {
    text = trimFraction(`${kept.slice(0, x + 1)}.${kept.slice(x + 1)}`);
  }
  return negative ? `-${text}` : text;
}

function trimFraction(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

/** The exact decimal value of a positive finite double: `digits` (no leading zeros) times 10^exponent. */
function exactDecimal(value: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let power: number;
  if (biased === 0) power = -1074;
  else {
    mantissa |= 1n << 52n;
    power = biased - 1075;
  }
  if (power >= 0) return { digits: (mantissa << BigInt(power)).toString(), exponent: 0 };
  // m x 2^p = m x 5^-p x 10^p
  return { digits: (mantissa * 5n ** BigInt(-power)).toString(), exponent: power };
}

/** Writes an absolute time in milliseconds as rdbSaveMillisecondTime does: signed 64-bit little-endian. */
export function writeMillisecondTime(w: ByteWriter, ms: number | bigint): void {
  w.i64le(ms);
}

/** Writes an absolute time in seconds as the old rdbSaveTime did (EXPIRETIME, opcode 253): signed 32-bit little-endian. */
export function writeSecondTime(w: ByteWriter, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < -2147483648 || seconds > 2147483647) throw new RangeError(`${seconds} s does not fit a 32-bit RDB time`);
  w.i32le(seconds);
}

/**
 * Writes the 9-byte header: the magic and the version as decimal digits, zero-padded to 9 bytes
 * ("REDIS0011", "VALKEY080"). Throws RangeError when the version does not fit.
 */
export function writeHeader(w: ByteWriter, magic: 'REDIS' | 'VALKEY', version: number): void {
  const digits = 9 - magic.length;
  const text = version.toString().padStart(digits, '0');
  if (!Number.isInteger(version) || version < 0 || text.length !== digits) throw new RangeError(`RDB version ${version} does not fit the ${magic} header`);
  w.latin1(magic + text);
}

/**
 * A writer whose every byte goes through a CRC64 as it goes out, for a whole RDB file: pass `crc` to
 * {@link writeEof}. (Redis's checksum covers everything from the header to the EOF opcode.)
 */
export function checksummedWriter(options: Omit<ByteWriterOptions, 'onPiece'> = {}): { writer: ByteWriter; crc: Crc64 } {
  const crc = new Crc64();
  const writer = new ByteWriter({ ...options, onPiece: (piece) => crc.update(piece) });
  return { writer, crc };
}

/**
 * Ends an RDB: the EOF opcode and, from version 5 on, the 8-byte CRC64 (little-endian) of every byte
 * before it, taken from `crc` (fed by the writer as in {@link checksummedWriter}); without `crc` the
 * checksum is written as 0, which Redis reads as "checksum disabled" (`rdbchecksum no`).
 */
export function writeEof(w: ByteWriter, version: number, crc?: Crc64): void {
  w.u8(RdbOpcode.EOF);
  if (version < 5) return;
  w.seal();
  w.u64le(crc === undefined ? 0n : crc.digest());
}

/**
 * Builds a 64-bit module type id from its 9-character name and 10-bit encoding version (the inverse of
 * {@link decodeModuleId}). Throws RangeError for a name that is not 9 characters of `A-Za-z0-9-_` or an
 * encoding version outside 0..1023.
 */
export function encodeModuleId(name: string, encver: number): bigint {
  if (name.length !== 9) throw new RangeError(`module type name '${name}' is not 9 characters long`);
  if (!Number.isInteger(encver) || encver < 0 || encver > 1023) throw new RangeError(`module encoding version ${encver} is outside 0..1023`);
  let id = 0n;
  for (const c of name) {
    const index = moduleCharset.indexOf(c);
    if (index < 0) throw new RangeError(`module type name '${name}' has a character outside A-Za-z0-9-_`);
    id = (id << 6n) | BigInt(index);
  }
  return (id << 10n) | BigInt(encver);
}
