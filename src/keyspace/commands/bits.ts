// cspell:words setbit bitop bitfield incrby owtype
import { bin } from '../bytes.js';
import { stringBytes } from '../model.js';
import type { StringValue } from '../model.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../numbers.js';
import { ReplyError, SYNTAX, WRONGTYPE, arg, int64, key, opt } from './common.js';
import type { Context, Handler } from './common.js';
import { lookupString, mutableString, settleString } from './strings.js';

const OFFSET_ERROR = 'ERR bit offset is not an integer or out of range';

/** getBitOffsetFromArgument: a bit offset, or `#n` (× bits) when `bits` is given. */
function bitOffset(c: Context, a: Uint8Array, bits = 0): number {
  const hash = bits > 0 && a[0] === 0x23;
  let v = parseInt64(hash ? a.subarray(1) : a);
  if (v === undefined) throw new ReplyError(OFFSET_ERROR);
  if (hash) v *= BigInt(bits);
  if (v < 0n || v >> 3n >= BigInt(c.keyspace.config.protoMaxBulkLen)) throw new ReplyError(OFFSET_ERROR);
  return Number(v);
}

/** lookupStringForBitCommand: the string at `k`, grown (zero-filled) to hold bit `maxBit`. */
function stringForBits(c: Context, k: string, maxBit: number): Uint8Array {
  const current = lookupString(c, k);
  return mutableString(c, k, current, Math.max(current?.length ?? 0, Math.floor(maxBit / 8) + 1));
}

function setbit(c: Context, argv: Uint8Array[]): void {
  const offset = bitOffset(c, arg(argv, 2));
  const on = int64(arg(argv, 3), 'ERR bit is not an integer or out of range');
  if (on !== 0n && on !== 1n) throw new ReplyError('ERR bit is not an integer or out of range');
  const k = key(argv, 1);
  const bytes = stringForBits(c, k, offset);
  const byte = offset >> 3;
  const bit = 7 - (offset & 7);
  if (on) bytes[byte] = (bytes[byte] as number) | (1 << bit);
  else bytes[byte] = (bytes[byte] as number) & ~(1 << bit);
  settleString(c, k, bytes);
}

function bitop(c: Context, argv: Uint8Array[]): void {
  const op = opt(arg(argv, 1));
  if (op !== 'AND' && op !== 'OR' && op !== 'XOR' && op !== 'NOT') throw new ReplyError(SYNTAX);
  if (op === 'NOT' && argv.length !== 4) throw new ReplyError('ERR BITOP NOT must be called with a single source key.');
  const sources: Uint8Array[] = [];
  for (let j = 3; j < argv.length; j++) {
    const v = c.db.get(key(argv, j));
    if (v === undefined) {
      sources.push(new Uint8Array(0));
      continue;
    }
    if (!(typeof v === 'string' || v instanceof Uint8Array)) throw new ReplyError(WRONGTYPE);
    sources.push(stringBytes(v as StringValue));
  }
  const dest = key(argv, 2);
  let maxLen = 0;
  for (const s of sources) maxLen = Math.max(maxLen, s.length);
  if (maxLen === 0) {
    c.db.delete(dest);
    return;
  }
  const out = new Uint8Array(maxLen);
  if (op === 'NOT') {
    const s = sources[0] as Uint8Array;
    for (let i = 0; i < maxLen; i++) out[i] = ~(s[i] as number) & 0xff;
  } else {
    for (let i = 0; i < maxLen; i++) {
      let acc = i < (sources[0] as Uint8Array).length ? ((sources[0] as Uint8Array)[i] as number) : 0;
      for (let s = 1; s < sources.length; s++) {
        const src = sources[s] as Uint8Array;
        const b = i < src.length ? (src[i] as number) : 0;
        if (op === 'AND') acc &= b;
        else if (op === 'OR') acc |= b;
        else acc ^= b;
      }
      out[i] = acc;
    }
  }
  c.db.set(dest, maxLen <= 4096 ? bin(out) : out);
}

// ---------------------------------------------------------------------------------------------
// BITFIELD

function getUnsigned(bytes: Uint8Array, offset: number, bits: number): bigint {
  let v = 0n;
  for (let j = 0; j < bits; j++) {
    const byte = Math.floor((offset + j) / 8);
    const bit = 7 - ((offset + j) & 7);
    v = (v << 1n) | BigInt(((bytes[byte] ?? 0) >> bit) & 1);
  }
  return v;
}

function setUnsigned(bytes: Uint8Array, offset: number, bits: number, value: bigint): void {
  for (let j = 0; j < bits; j++) {
    const bitval = (value >> BigInt(bits - 1 - j)) & 1n;
    const byte = Math.floor((offset + j) / 8);
    const bit = 7 - ((offset + j) & 7);
    if (bitval) bytes[byte] = (bytes[byte] as number) | (1 << bit);
    else bytes[byte] = (bytes[byte] as number) & ~(1 << bit);
  }
}

function getSigned(bytes: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(bytes, offset, bits));
}

type Overflow = 'WRAP' | 'SAT' | 'FAIL';

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** checkSignedBitfieldOverflow: [overflow, limit] with C's 64-bit arithmetic. */
function signedOverflow(value: bigint, incr: bigint, bits: number, owtype: Overflow): [number, bigint] {
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = i64(u64(max) - u64(value));
  const minincr = i64(min - value);
  const wrap = (): bigint => {
    const msb = 1n << BigInt(bits - 1);
    let r = u64(u64(value) + u64(incr));
    if (bits < 64) {
      const mask = u64(-1n << BigInt(bits));
      r = r & msb ? r | mask : r & ~mask & ((1n << 64n) - 1n);
    }
    return i64(r);
  };
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
    return [1, owtype === 'WRAP' ? wrap() : owtype === 'SAT' ? max : 0n];
  }
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
    return [-1, owtype === 'WRAP' ? wrap() : owtype === 'SAT' ? min : 0n];
  }
  return [0, 0n];
}

/** checkUnsignedBitfieldOverflow, `value` an unsigned 64-bit, `incr` a signed 64-bit. */
function unsignedOverflow(value: bigint, incr: bigint, bits: number, owtype: Overflow): [number, bigint] {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(-value);
  const wrap = (): bigint => u64(value + incr) & max;
  if (value > max || (incr > 0n && incr > maxincr)) return [1, owtype === 'WRAP' ? wrap() : owtype === 'SAT' ? max : 0n];
  if (incr < 0n && incr < minincr) return [-1, owtype === 'WRAP' ? wrap() : owtype === 'SAT' ? 0n : 0n];
  return [0, 0n];
}

interface BitfieldOp {
  op: 'GET' | 'SET' | 'INCRBY';
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  owtype: Overflow;
}

const TYPE_ERROR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

function bitfieldType(a: Uint8Array): [boolean, number] {
  let signed: boolean;
  if (a[0] === 0x69) signed = true;
  else if (a[0] === 0x75) signed = false;
  else throw new ReplyError(TYPE_ERROR);
  let end = 1;
  while (end < a.length && a[end] !== 0) end++;
  const bits = parseInt64(a.subarray(1, end));
  if (bits === undefined || bits < 1n || (signed && bits > 64n) || (!signed && bits > 63n)) throw new ReplyError(TYPE_ERROR);
  return [signed, Number(bits)];
}

function bitfield(c: Context, argv: Uint8Array[]): void {
  const ops: BitfieldOp[] = [];
  let owtype: Overflow = 'WRAP';
  let highest = 0;
  let readonly = true;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = opt(argv[j]);
    let op: BitfieldOp['op'];
    if (sub === 'GET' && rem >= 2) op = 'GET';
    else if (sub === 'SET' && rem >= 3) op = 'SET';
    else if (sub === 'INCRBY' && rem >= 3) op = 'INCRBY';
    else if (sub === 'OVERFLOW' && rem >= 1) {
      const o = opt(argv[j + 1]);
      j++;
      if (o === 'WRAP' || o === 'SAT' || o === 'FAIL') owtype = o;
      else throw new ReplyError('ERR Invalid OVERFLOW type specified');
      continue;
    } else throw new ReplyError(SYNTAX);
    const [signed, bits] = bitfieldType(argv[j + 1] as Uint8Array);
    const offset = bitOffset(c, argv[j + 2] as Uint8Array, bits);
    let value = 0n;
    if (op !== 'GET') {
      readonly = false;
      highest = Math.max(highest, offset + bits - 1);
      value = int64(argv[j + 3] as Uint8Array);
    }
    ops.push({ op, signed, bits, offset, value, owtype });
    j += op === 'GET' ? 2 : 3;
  }
  const k = key(argv, 1);
  if (readonly) {
    lookupString(c, k);
    return;
  }
  const bytes = stringForBits(c, k, highest);
  for (const o of ops) {
    if (o.op === 'GET') continue;
    if (o.signed) {
      const old = getSigned(bytes, o.offset, o.bits);
      let next: bigint;
      let overflow: number;
      if (o.op === 'INCRBY') {
        const [ov, limit] = signedOverflow(old, o.value, o.bits, o.owtype);
        overflow = ov;
        next = ov ? limit : old + o.value;
      } else {
        const [ov, limit] = signedOverflow(o.value, 0n, o.bits, o.owtype);
        overflow = ov;
        next = ov ? limit : o.value;
      }
      if (!(overflow && o.owtype === 'FAIL')) setUnsigned(bytes, o.offset, o.bits, BigInt.asUintN(o.bits, next));
    } else {
      const old = getUnsigned(bytes, o.offset, o.bits);
      let next: bigint;
      let overflow: number;
      if (o.op === 'INCRBY') {
        const [ov, limit] = unsignedOverflow(old, o.value, o.bits, o.owtype);
        overflow = ov;
        next = ov ? limit : u64(old + o.value);
      } else {
        const v = u64(o.value);
        const [ov, limit] = unsignedOverflow(v, 0n, o.bits, o.owtype);
        overflow = ov;
        next = ov ? limit : v;
      }
      if (!(overflow && o.owtype === 'FAIL')) setUnsigned(bytes, o.offset, o.bits, BigInt.asUintN(o.bits, next));
    }
  }
  settleString(c, k, bytes);
}

/** The write commands of bitops.c. */
export const bitCommands: Record<string, Handler> = { setbit, bitop, bitfield };

export { INT64_MIN };
