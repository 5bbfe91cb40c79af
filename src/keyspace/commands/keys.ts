// cspell:words swapdb flushdb flushall renamenx pexpire pexpireat unlink absttl idletime busykey
import type { Database, Value } from '../model.js';
import { typeOf } from '../model.js';
import { INT64_MAX, INT64_MIN } from '../numbers.js';
import { HashValue } from '../types/hash.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { StreamValue } from '../types/stream.js';
import { ZsetValue } from '../types/zset.js';
import { NotReplayable, ReplyError, SYNTAX, arg, dbIndex, int64, key, opt } from './common.js';
import type { Context, Handler } from './common.js';
import { decodeDumpPayload } from '../restore.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** getIntFromObjectOrReply, then the database range check. */
function otherDb(c: Context, a: Uint8Array): number {
  const v = int64(a);
  if (v < BigInt(INT32_MIN) || v > BigInt(INT32_MAX)) throw new ReplyError('ERR value is not an integer or out of range');
  return dbIndex(c, a);
}

function del(c: Context, argv: Uint8Array[]): void {
  for (let i = 1; i < argv.length; i++) c.db.delete(key(argv, i));
}

/** EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT: `basetime` ms added, `seconds` when the argument is in s. */
function expireGeneric(relative: boolean, seconds: boolean): Handler {
  return (c, argv) => {
    let nx = false;
    let xx = false;
    let gt = false;
    let lt = false;
    for (let i = 3; i < argv.length; i++) {
      const o = opt(argv[i]);
      if (o === 'NX') nx = true;
      else if (o === 'XX') xx = true;
      else if (o === 'GT') gt = true;
      else if (o === 'LT') lt = true;
      else throw new ReplyError(`ERR Unsupported option ${String.fromCharCode(...(argv[i] as Uint8Array))}`);
    }
    if (nx && (xx || gt || lt)) throw new ReplyError('ERR NX and XX, GT or LT options at the same time are not compatible');
    if (gt && lt) throw new ReplyError('ERR GT and LT options at the same time are not compatible');
    let when = int64(arg(argv, 2));
    if (seconds) {
      if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw new ReplyError('ERR invalid expire time in \'expire\' command');
      when *= 1000n;
    }
    const base = relative ? BigInt(c.now) : 0n;
    if (when > INT64_MAX - base) throw new ReplyError('ERR invalid expire time in \'expire\' command');
    when += base;
    const k = key(argv, 1);
    if (!c.db.has(k)) return;
    const current = c.db.expireOf(k);
    const whenMs = Number(when);
    if (nx && current !== undefined) return;
    if (xx && current === undefined) return;
    if (gt && (current === undefined || whenMs <= current)) return;
    if (lt && current !== undefined && whenMs >= current) return;
    // While an AOF loads, an expiry in the past does not delete the key: it is set like any other.
    c.db.setExpire(k, whenMs);
  };
}

function persist(c: Context, argv: Uint8Array[]): void {
  c.db.persist(key(argv, 1));
}

function rename(nx: boolean): Handler {
  return (c, argv) => {
    const src = key(argv, 1);
    const dst = key(argv, 2);
    const value = c.db.get(src);
    if (value === undefined) throw new ReplyError('ERR no such key');
    if (src === dst) return;
    const expire = c.db.expireOf(src);
    if (c.db.has(dst)) {
      if (nx) return;
      c.db.delete(dst);
    }
    c.db.set(dst, value);
    if (expire !== undefined) c.db.setExpire(dst, expire);
    c.db.delete(src);
  };
}

function move(c: Context, argv: Uint8Array[]): void {
  const target = otherDb(c, arg(argv, 2));
  const dst = c.keyspace.db(target);
  if (dst === c.db) throw new ReplyError('ERR source and destination objects are the same');
  const k = key(argv, 1);
  const value = c.db.get(k);
  if (value === undefined) return;
  const expire = c.db.expireOf(k);
  if (dst.has(k)) return;
  dst.set(k, value);
  if (expire !== undefined) dst.setExpire(k, expire);
  c.db.delete(k);
}

/** A deep copy of a value (COPY). */
export function duplicate(value: Value): Value {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof ListValue || value instanceof SetValue || value instanceof ZsetValue || value instanceof HashValue || value instanceof StreamValue) return value.clone();
  // A module value: its serialised form copied (the module's copy callback yields an equal value).
  if (value.raw !== undefined) return { ...value, raw: value.raw.slice() };
  throw new NotReplayable('COPY of a module value needs the module', 'modules cannot be replayed offline');
}

function copy(c: Context, argv: Uint8Array[]): void {
  let replace = false;
  let dst: Database = c.db;
  for (let j = 3; j < argv.length; j++) {
    const o = opt(argv[j]);
    if (o === 'REPLACE') replace = true;
    else if (o === 'DB' && j + 1 < argv.length) {
      dst = c.keyspace.db(otherDb(c, argv[j + 1] as Uint8Array));
      j++;
    } else throw new ReplyError(SYNTAX);
  }
  const k = key(argv, 1);
  const newKey = key(argv, 2);
  if (dst === c.db && k === newKey) throw new ReplyError('ERR source and destination objects are the same');
  const value = c.db.get(k);
  if (value === undefined) return;
  const expire = c.db.expireOf(k);
  if (dst.has(newKey)) {
    if (!replace) return;
  }
  const dup = duplicate(value);
  dst.delete(newKey);
  dst.set(newKey, dup);
  if (expire !== undefined) dst.setExpire(newKey, expire);
}

function swapdb(c: Context, argv: Uint8Array[]): void {
  const a = int64(arg(argv, 1), 'ERR invalid first DB index');
  const b = int64(arg(argv, 2), 'ERR invalid second DB index');
  if (a < BigInt(INT32_MIN) || a > BigInt(INT32_MAX)) throw new ReplyError('ERR invalid first DB index');
  if (b < BigInt(INT32_MIN) || b > BigInt(INT32_MAX)) throw new ReplyError('ERR invalid second DB index');
  const n = BigInt(c.keyspace.config.databases);
  if (a < 0n || a >= n || b < 0n || b >= n) throw new ReplyError('ERR DB index is out of range');
  const current = c.db.index;
  c.keyspace.swap(Number(a), Number(b));
  // The client keeps its database number, which now holds the other contents.
  c.select(current);
}

function flushFlags(argv: Uint8Array[]): void {
  if (argv.length > 2) throw new ReplyError(SYNTAX);
  if (argv.length === 2) {
    const o = opt(argv[1]);
    if (o !== 'SYNC' && o !== 'ASYNC') throw new ReplyError(SYNTAX);
  }
}

function flushdb(c: Context, argv: Uint8Array[]): void {
  flushFlags(argv);
  c.db.clear();
}

function flushall(c: Context, argv: Uint8Array[]): void {
  flushFlags(argv);
  c.keyspace.flushAll();
}

function restore(c: Context, argv: Uint8Array[]): void {
  let replace = false;
  let absttl = false;
  let idle = false;
  let freq = false;
  for (let j = 4; j < argv.length; j++) {
    const o = opt(argv[j]);
    const more = argv.length - j - 1;
    if (o === 'REPLACE') replace = true;
    else if (o === 'ABSTTL') absttl = true;
    else if (o === 'IDLETIME' && more >= 1 && !freq) {
      if (int64(argv[j + 1] as Uint8Array) < 0n) throw new ReplyError('ERR Invalid IDLETIME value, must be >= 0');
      idle = true;
      j++;
    } else if (o === 'FREQ' && more >= 1 && !idle) {
      const f = int64(argv[j + 1] as Uint8Array);
      if (f < 0n || f > 255n) throw new ReplyError('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = true;
      j++;
    } else throw new ReplyError(SYNTAX);
  }
  const k = key(argv, 1);
  if (!replace && c.db.has(k)) throw new ReplyError('BUSYKEY Target key name already exists.');
  let ttl = int64(arg(argv, 2));
  if (ttl < 0n) throw new ReplyError('ERR Invalid TTL value, must be >= 0');
  const value = decodeDumpPayload(arg(argv, 3), c.keyspace.config);
  if (replace) c.db.delete(k);
  if (ttl !== 0n && !absttl) ttl += BigInt(c.now);
  c.db.set(k, value);
  if (ttl !== 0n) c.db.setExpire(k, Number(ttl));
  // LRU idle time and LFU frequency are not part of the model (they are access statistics).
}

/** The commands of db.c and expire.c. */
export const keyCommands: Record<string, Handler> = {
  del,
  unlink: del,
  expire: expireGeneric(true, true),
  pexpire: expireGeneric(true, false),
  expireat: expireGeneric(false, true),
  pexpireat: expireGeneric(false, false),
  persist,
  rename: rename(false),
  renamenx: rename(true),
  move,
  copy,
  swapdb,
  flushdb,
  flushall,
  restore,
  'restore-asking': restore,
};

/** Type name as TYPE replies it (for messages). */
export function typeName(value: Value): string {
  return typeOf(value);
}
