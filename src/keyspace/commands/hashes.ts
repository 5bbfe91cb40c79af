// cspell:words hset hmset hsetnx hdel hincrby hincrbyfloat hexpire hpexpire hexpireat hpexpireat hpersist hsetex hgetdel hgetex numfields keepttl pxat exat
import { bin, unbin } from '../bytes.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../long-double.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../numbers.js';
import { HashValue } from '../types/hash.js';
import { NOT_INTEGER, ReplyError, arg, deleteIfEmpty, int64, intInRange, key, lookupHash, opt } from './common.js';
import type { Context, Handler } from './common.js';

/** Redis's HFE_MAX_ABS_TIME_MSEC (EB_EXPIRE_TIME_MAX): 2^48 - 1 ms. */
const HFE_MAX_ABS_TIME_MSEC = 2n ** 48n - 1n;

/**
 * hashTypeGetValue while an AOF loads: a field whose TTL is before the replay clock reads as missing (Redis
 * does not delete it while loading; the original server had propagated an HDEL if it had).
 */
function liveValue(c: Context, hash: HashValue, field: string): string | undefined {
  const v = hash.get(field);
  if (v === undefined) return undefined;
  const when = hash.expireOf(field);
  if (when !== undefined && when < c.now) return undefined;
  return v;
}

function lookupOrCreate(c: Context, k: string): HashValue {
  let hash = lookupHash(c.db, k);
  if (!hash) {
    hash = new HashValue();
    c.db.set(k, hash);
  }
  return hash;
}

function hset(c: Context, argv: Uint8Array[]): void {
  if (argv.length % 2 === 1) throw new ReplyError(`ERR wrong number of arguments for '${opt(argv[0]).toLowerCase()}' command`);
  const hash = lookupOrCreate(c, key(argv, 1));
  for (let j = 2; j < argv.length; j += 2) hash.set(bin(argv[j] as Uint8Array), bin(argv[j + 1] as Uint8Array));
}

function hsetnx(c: Context, argv: Uint8Array[]): void {
  const hash = lookupOrCreate(c, key(argv, 1));
  const field = bin(arg(argv, 2));
  if (liveValue(c, hash, field) !== undefined) return;
  hash.set(field, bin(arg(argv, 3)));
}

function hdel(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  const hash = lookupHash(c.db, k);
  if (!hash) return;
  for (let j = 2; j < argv.length; j++) {
    if (hash.delete(bin(argv[j] as Uint8Array)) && hash.size === 0) break;
  }
  deleteIfEmpty(c.db, k, hash);
}

function hincrby(c: Context, argv: Uint8Array[]): void {
  const incr = int64(arg(argv, 3));
  const hash = lookupOrCreate(c, key(argv, 1));
  const field = bin(arg(argv, 2));
  const current = liveValue(c, hash, field);
  let value = 0n;
  if (current !== undefined) {
    const v = current.length > 20 ? undefined : parseInt64(unbin(current));
    if (v === undefined) throw new ReplyError('ERR hash value is not an integer');
    value = v;
  }
  if ((incr < 0n && value < 0n && incr < INT64_MIN - value) || (incr > 0n && value > 0n && incr > INT64_MAX - value)) {
    throw new ReplyError('ERR increment or decrement would overflow');
  }
  hash.set(field, String(value + incr), true);
}

function hincrbyfloat(c: Context, argv: Uint8Array[]): void {
  const incr = parseLongDouble(arg(argv, 3));
  if (incr === undefined) throw new ReplyError('ERR value is not a valid float');
  const hash = lookupOrCreate(c, key(argv, 1));
  const field = bin(arg(argv, 2));
  const current = liveValue(c, hash, field);
  let value = { negative: false, mant: 0n, exp: 0 };
  if (current !== undefined) {
    const v = parseLongDouble(unbin(current));
    if (v === undefined) throw new ReplyError('ERR hash value is not a float');
    value = v;
  }
  const sum = addLongDouble(value, incr);
  if (sum === undefined) throw new ReplyError('ERR increment would produce NaN or Infinity');
  hash.set(field, formatLongDouble(sum), true);
}

// ---------------------------------------------------------------------------------------------
// Hash field expiration (Redis 7.4+, HSETEX / HGETEX / HGETDEL from 8.0)

/** parseExpireTime of t_hash.c: an absolute expiry in ms within [0, 2^48). */
function hashExpire(a: Uint8Array, seconds: boolean, base: number): number {
  let v = int64(a);
  if (v < 0n) throw new ReplyError('ERR invalid expire time, must be >= 0');
  if (seconds) {
    if (v > HFE_MAX_ABS_TIME_MSEC / 1000n) throw new ReplyError('ERR invalid expire time');
    v *= 1000n;
  }
  if (v > HFE_MAX_ABS_TIME_MSEC - BigInt(base)) throw new ReplyError('ERR invalid expire time');
  return Number(v + BigInt(base));
}

/** Checks `FIELDS numfields field…` at `at` (the FIELDS word); returns the index of the first field. */
function fieldsAt(argv: Uint8Array[], at: number, perField = 1): number {
  if (opt(argv[at]) !== 'FIELDS') throw new ReplyError('ERR Mandatory argument FIELDS is missing or not at the right position');
  const n = intInRange(arg(argv, at + 1), 1, Number.MAX_SAFE_INTEGER, 'ERR Number of fields must be a positive integer');
  if (n * perField !== argv.length - at - 2) throw new ReplyError('ERR The `numfields` parameter must match the number of arguments');
  return at + 2;
}

type SetCondition = 'NX' | 'XX' | 'GT' | 'LT' | undefined;

/**
 * hashTypeSetEx for an existing field: applies the condition, then sets the TTL (an expiry in the past does not
 * delete the field while an AOF loads). Returns true when the TTL was set.
 */
function setFieldExpire(hash: HashValue, field: string, when: number, cond: SetCondition): boolean {
  if (!hash.has(field)) return false;
  const prev = hash.expireOf(field);
  if (prev === undefined) {
    if (cond === 'XX' || cond === 'GT') return false;
  } else if ((cond === 'NX') || (cond === 'GT' && prev >= when) || (cond === 'LT' && prev <= when)) {
    return false;
  }
  hash.setExpire(field, when);
  return true;
}

function hexpireGeneric(relative: boolean, seconds: boolean): Handler {
  return (c, argv) => {
    const hash = lookupHash(c.db, key(argv, 1));
    const when = hashExpire(arg(argv, 2), seconds, relative ? c.now : 0);
    const o = opt(arg(argv, 3));
    let cond: SetCondition;
    let at = 3;
    if (o === 'NX' || o === 'XX' || o === 'GT' || o === 'LT') {
      cond = o;
      at = 4;
    }
    const first = fieldsAt(argv, at);
    if (!hash) return;
    for (let j = first; j < argv.length; j++) setFieldExpire(hash, bin(argv[j] as Uint8Array), when, cond);
  };
}

function hpersist(c: Context, argv: Uint8Array[]): void {
  const hash = lookupHash(c.db, key(argv, 1));
  const first = fieldsAt(argv, 2);
  if (!hash) return;
  for (let j = first; j < argv.length; j++) {
    const field = bin(argv[j] as Uint8Array);
    const when = hash.expireOf(field);
    if (!hash.has(field) || when === undefined || when < c.now) continue;
    hash.persist(field);
  }
}

function hsetex(c: Context, argv: Uint8Array[]): void {
  let fnx = false;
  let fxx = false;
  let expire: number | undefined;
  let keepttl = false;
  let timed = false;
  let first = -1;
  let count = 0;
  for (let i = 2; i < argv.length; i++) {
    const o = opt(argv[i]);
    if (o === 'FIELDS') {
      if (i >= argv.length - 3) throw new ReplyError('ERR wrong number of arguments for \'hsetex\' command');
      const n = intInRange(arg(argv, i + 1), 1, 2 ** 31 - 1, 'ERR invalid number of fields');
      const remaining = argv.length - i - 2;
      if (remaining % 2 !== 0 || n !== remaining / 2) throw new ReplyError('ERR wrong number of arguments for \'hsetex\' command');
      first = i + 2;
      count = n;
      break;
    } else if (o === 'EX' || o === 'PX' || o === 'EXAT' || o === 'PXAT') {
      if (timed || keepttl) throw new ReplyError('ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified');
      if (i >= argv.length - 1) throw new ReplyError('ERR missing expire time');
      timed = true;
      i++;
      expire = hashExpire(argv[i] as Uint8Array, o === 'EX' || o === 'EXAT', o === 'EX' || o === 'PX' ? c.now : 0);
    } else if (o === 'KEEPTTL') {
      if (timed || keepttl) throw new ReplyError('ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified');
      keepttl = true;
    } else if (o === 'FXX' || o === 'FNX') {
      if (fnx || fxx) throw new ReplyError('ERR Only one of FXX or FNX arguments can be specified');
      if (o === 'FXX') fxx = true;
      else fnx = true;
    } else throw new ReplyError(`ERR unknown argument: ${String.fromCharCode(...(argv[i] as Uint8Array))}`);
  }
  if (first < 0) throw new ReplyError('ERR wrong number of arguments for \'hsetex\' command');
  const k = key(argv, 1);
  let hash = lookupHash(c.db, k);
  if (!hash) {
    if (fxx) return;
    hash = new HashValue();
    c.db.set(k, hash);
  }
  if (fnx || fxx) {
    let found = 0;
    for (let i = 0; i < count; i++) {
      const exists = liveValue(c, hash, bin(argv[first + i * 2] as Uint8Array)) !== undefined;
      if (exists) found++;
      if ((fxx && !exists) || (fnx && exists)) break;
    }
    if ((fnx && found !== 0) || (fxx && found !== count)) {
      deleteIfEmpty(c.db, k, hash);
      return;
    }
  }
  for (let i = 0; i < count; i++) {
    const field = bin(argv[first + i * 2] as Uint8Array);
    hash.set(field, bin(argv[first + i * 2 + 1] as Uint8Array), timed || keepttl);
    if (expire !== undefined) setFieldExpire(hash, field, expire, undefined);
  }
  deleteIfEmpty(c.db, k, hash);
}

function hgetdel(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  const hash = lookupHash(c.db, k);
  const first = fieldsAt(argv, 2);
  if (!hash) return;
  for (let j = first; j < argv.length; j++) {
    const field = bin(argv[j] as Uint8Array);
    if (liveValue(c, hash, field) !== undefined) hash.delete(field);
  }
  deleteIfEmpty(c.db, k, hash);
}

function hgetex(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  const hash = lookupHash(c.db, k);
  const o = opt(arg(argv, 2));
  let at = 2;
  let expire: number | undefined;
  let persist = false;
  if (o === 'EX' || o === 'PX' || o === 'EXAT' || o === 'PXAT') {
    expire = hashExpire(arg(argv, 3), o === 'EX' || o === 'EXAT', o === 'EX' || o === 'PX' ? c.now : 0);
    at = 4;
  } else if (o === 'PERSIST') {
    persist = true;
    at = 3;
  }
  const first = fieldsAt(argv, at);
  if (!hash) return;
  for (let j = first; j < argv.length; j++) {
    const field = bin(argv[j] as Uint8Array);
    if (liveValue(c, hash, field) === undefined) continue;
    if (persist) hash.persist(field);
    else if (expire !== undefined) setFieldExpire(hash, field, expire, undefined);
  }
  deleteIfEmpty(c.db, k, hash);
}

/** The write commands of t_hash.c. */
export const hashCommands: Record<string, Handler> = {
  hset,
  hmset: hset,
  hsetnx,
  hdel,
  hincrby,
  hincrbyfloat,
  hexpire: hexpireGeneric(true, true),
  hpexpire: hexpireGeneric(true, false),
  hexpireat: hexpireGeneric(false, true),
  hpexpireat: hexpireGeneric(false, false),
  hpersist,
  hsetex,
  hgetdel,
  hgetex,
};

export { NOT_INTEGER };
