// cspell:words setnx setex psetex msetnx getset getdel getex setrange incrby decrby incrbyfloat keepttl pxat exat
import { bin, unbin } from '../bytes.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../long-double.js';
import type { StringValue, Value } from '../model.js';
import { STRING_INLINE_MAX, makeString, stringBytes, typeOf } from '../model.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../numbers.js';
import { NOT_INTEGER, ReplyError, SYNTAX, WRONGTYPE, arg, int64, key, opt } from './common.js';
import type { Context, Handler } from './common.js';

const EXPIRE_ERROR = 'ERR invalid expire time in \'set\' command';

/** The string at `k`, undefined when missing; WRONGTYPE for another type. */
export function lookupString(c: Context, k: string): StringValue | undefined {
  const v = c.db.get(k);
  if (v === undefined) return undefined;
  if (typeOf(v) !== 'string') throw new ReplyError(WRONGTYPE);
  return v as StringValue;
}

interface StringFlags {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepttl: boolean;
  persist: boolean;
  unit: 'EX' | 'PX' | 'EXAT' | 'PXAT' | undefined;
  expire: Uint8Array | undefined;
}

/** parseExtendedStringArgumentsOrReply, for SET (from argv[3]) and GETEX (from argv[2]). */
function parseStringFlags(argv: Uint8Array[], forGet: boolean): StringFlags {
  const f: StringFlags = { nx: false, xx: false, get: false, keepttl: false, persist: false, unit: undefined, expire: undefined };
  for (let j = forGet ? 2 : 3; j < argv.length; j++) {
    const o = opt(argv[j]);
    const next = j === argv.length - 1 ? undefined : argv[j + 1];
    const timed = f.unit !== undefined;
    if (o === 'NX' && !f.xx && !forGet) f.nx = true;
    else if (o === 'XX' && !f.nx && !forGet) f.xx = true;
    else if (o === 'GET' && !forGet) f.get = true;
    else if (o === 'KEEPTTL' && !f.persist && !timed && !forGet) f.keepttl = true;
    else if (o === 'PERSIST' && forGet && !timed && !f.keepttl) f.persist = true;
    else if ((o === 'EX' || o === 'PX' || o === 'EXAT' || o === 'PXAT') && !f.keepttl && !f.persist && (f.unit === undefined || f.unit === o) && next) {
      f.unit = o;
      f.expire = next;
      j++;
    } else throw new ReplyError(SYNTAX);
  }
  return f;
}

/** getExpireMillisecondsOrReply: the absolute expiry in ms. */
function expireMs(c: Context, f: StringFlags): number {
  let ms = int64(f.expire as Uint8Array);
  const seconds = f.unit === 'EX' || f.unit === 'EXAT';
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) throw new ReplyError(EXPIRE_ERROR);
  if (seconds) ms *= 1000n;
  if (f.unit === 'EX' || f.unit === 'PX') ms += BigInt(c.now);
  if (ms <= 0n || ms > INT64_MAX) throw new ReplyError(EXPIRE_ERROR);
  return Number(ms);
}

/** setGenericCommand. */
function setGeneric(c: Context, k: string, value: Uint8Array, f: StringFlags): void {
  const when = f.expire ? expireMs(c, f) : undefined;
  if (f.get) lookupString(c, k); // GET aborts on a wrong type
  const found = c.db.has(k);
  if ((f.nx && found) || (f.xx && !found)) return;
  c.db.set(k, makeString(value), !f.keepttl);
  if (when !== undefined) c.db.setExpire(k, when);
}

function set(c: Context, argv: Uint8Array[]): void {
  setGeneric(c, key(argv, 1), arg(argv, 2), parseStringFlags(argv, false));
}

const noFlags = (): StringFlags => ({ nx: false, xx: false, get: false, keepttl: false, persist: false, unit: undefined, expire: undefined });

function setnx(c: Context, argv: Uint8Array[]): void {
  setGeneric(c, key(argv, 1), arg(argv, 2), { ...noFlags(), nx: true });
}

function setex(unit: 'EX' | 'PX'): Handler {
  return (c, argv) => setGeneric(c, key(argv, 1), arg(argv, 3), { ...noFlags(), unit, expire: arg(argv, 2) });
}

function getex(c: Context, argv: Uint8Array[]): void {
  const f = parseStringFlags(argv, true);
  const k = key(argv, 1);
  if (lookupString(c, k) === undefined) return;
  const when = f.expire ? expireMs(c, f) : undefined;
  if (when !== undefined) c.db.setExpire(k, when);
  else if (f.persist) c.db.persist(k);
}

function getdel(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  if (lookupString(c, k) !== undefined) c.db.delete(k);
}

function getset(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  lookupString(c, k);
  c.db.set(k, makeString(arg(argv, 2)));
}

function mset(nx: boolean): Handler {
  return (c, argv) => {
    if (argv.length % 2 === 0) throw new ReplyError(`ERR wrong number of arguments for '${nx ? 'msetnx' : 'mset'}' command`);
    if (nx) for (let j = 1; j < argv.length; j += 2) if (c.db.has(key(argv, j))) return;
    for (let j = 1; j < argv.length; j += 2) c.db.set(key(argv, j), makeString(arg(argv, j + 1)));
  };
}

/** Grows a stored string to `length` bytes (zero-filled), returning mutable bytes that the key now holds. */
export function mutableString(c: Context, k: string, current: StringValue | undefined, length: number): Uint8Array {
  let bytes: Uint8Array;
  if (current instanceof Uint8Array) {
    if (current.length >= length) return current;
    const capacity = current.buffer.byteLength - current.byteOffset;
    if (capacity >= length) {
      bytes = new Uint8Array(current.buffer, current.byteOffset, length);
    } else {
      const grown = new Uint8Array(Math.max(length, Math.min(length * 2, length + 64 * 1024 * 1024)));
      grown.set(current);
      bytes = grown.subarray(0, length);
    }
  } else {
    const old = current === undefined ? new Uint8Array(0) : unbin(current);
    bytes = new Uint8Array(Math.max(length, old.length));
    bytes.set(old);
  }
  c.db.set(k, bytes, false);
  return bytes;
}

/** Stores bytes edited in place back in the compact form when they are short. */
export function settleString(c: Context, k: string, bytes: Uint8Array): void {
  if (bytes.length <= STRING_INLINE_MAX && bytes.length <= 4096) c.db.set(k, bin(bytes), false);
}

function append(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  const add = arg(argv, 2);
  const current = lookupString(c, k);
  if (current === undefined) {
    c.db.set(k, makeString(add), false);
    return;
  }
  if (current.length + add.length > c.keyspace.config.protoMaxBulkLen) throw new ReplyError('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  if (typeof current === 'string' && current.length + add.length <= STRING_INLINE_MAX) {
    c.db.set(k, current + bin(add), false);
    return;
  }
  const start = current.length;
  const bytes = mutableString(c, k, current, start + add.length);
  bytes.set(add, start);
}

function setrange(c: Context, argv: Uint8Array[]): void {
  const offset = int64(arg(argv, 2));
  if (offset < 0n) throw new ReplyError('ERR offset is out of range');
  const k = key(argv, 1);
  const value = arg(argv, 3);
  const current = lookupString(c, k);
  if (value.length === 0) return;
  if (offset + BigInt(value.length) > BigInt(c.keyspace.config.protoMaxBulkLen)) throw new ReplyError('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
  const at = Number(offset);
  const bytes = mutableString(c, k, current, at + value.length);
  bytes.set(value, at);
  settleString(c, k, bytes);
}

/** The integer a string value holds (getLongLongFromObject), or a ReplyError. */
function valueInt(v: StringValue | undefined): bigint {
  if (v === undefined) return 0n;
  const n = v.length > 20 ? undefined : parseInt64(stringBytes(v));
  if (n === undefined) throw new ReplyError(NOT_INTEGER);
  return n;
}

function incrDecr(c: Context, k: string, incr: bigint): void {
  const current = lookupString(c, k);
  const old = valueInt(current);
  if ((incr < 0n && old < 0n && incr < INT64_MIN - old) || (incr > 0n && old > 0n && incr > INT64_MAX - old)) {
    throw new ReplyError('ERR increment or decrement would overflow');
  }
  c.db.set(k, String(old + incr), false);
}

function incr(c: Context, argv: Uint8Array[]): void {
  incrDecr(c, key(argv, 1), 1n);
}

function decr(c: Context, argv: Uint8Array[]): void {
  incrDecr(c, key(argv, 1), -1n);
}

function incrby(c: Context, argv: Uint8Array[]): void {
  incrDecr(c, key(argv, 1), int64(arg(argv, 2)));
}

function decrby(c: Context, argv: Uint8Array[]): void {
  const by = int64(arg(argv, 2));
  if (by === INT64_MIN) throw new ReplyError('ERR decrement would overflow');
  incrDecr(c, key(argv, 1), -by);
}

function incrbyfloat(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  const current = lookupString(c, k);
  const value = current === undefined ? { negative: false, mant: 0n, exp: 0 } : parseLongDouble(stringBytes(current));
  if (value === undefined) throw new ReplyError('ERR value is not a valid float');
  const by = parseLongDouble(arg(argv, 2));
  if (by === undefined) throw new ReplyError('ERR value is not a valid float');
  const sum = addLongDouble(value, by);
  if (sum === undefined) throw new ReplyError('ERR increment would produce NaN or Infinity');
  c.db.set(k, formatLongDouble(sum), false);
}

/** The commands of t_string.c (bit commands are in bits.ts). */
export const stringCommands: Record<string, Handler> = {
  set,
  setnx,
  setex: setex('EX'),
  psetex: setex('PX'),
  getex,
  getdel,
  getset,
  mset: mset(false),
  msetnx: mset(true),
  append,
  setrange,
  incr,
  decr,
  incrby,
  decrby,
  incrbyfloat,
};

export type { Value };
