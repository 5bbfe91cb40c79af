// cspell:words lpush rpush lpushx rpushx linsert lset lrem ltrim lpop rpop rpoplpush lmove lmpop blpop brpop brpoplpush blmove blmpop numkeys
import { bin } from '../bytes.js';
import { parseDouble } from '../numbers.js';
import { ListValue } from '../types/list.js';
import { ReplyError, SYNTAX, arg, deleteIfEmpty, int, intInRange, key, lookupList, opt } from './common.js';
import type { Context, Handler } from './common.js';

function push(head: boolean, onlyExisting: boolean): Handler {
  return (c, argv) => {
    const k = key(argv, 1);
    let list = lookupList(c.db, k);
    if (!list) {
      if (onlyExisting) return;
      list = new ListValue();
      c.db.set(k, list);
    }
    for (let j = 2; j < argv.length; j++) {
      const e = bin(argv[j] as Uint8Array);
      if (head) list.pushHead(e);
      else list.pushTail(e);
    }
  };
}

function linsert(c: Context, argv: Uint8Array[]): void {
  const where = opt(arg(argv, 2));
  if (where !== 'AFTER' && where !== 'BEFORE') throw new ReplyError(SYNTAX);
  const list = lookupList(c.db, key(argv, 1));
  if (!list) return;
  list.insert(bin(arg(argv, 3)), where === 'AFTER', bin(arg(argv, 4)));
}

function lset(c: Context, argv: Uint8Array[]): void {
  const list = lookupList(c.db, key(argv, 1));
  if (!list) throw new ReplyError('ERR no such key');
  const index = int(arg(argv, 2));
  const i = index < 0 ? list.length + index : index;
  if (i < 0 || i >= list.length) throw new ReplyError('ERR index out of range');
  list.set(i, bin(arg(argv, 3)));
}

function lrem(c: Context, argv: Uint8Array[]): void {
  const count = int(arg(argv, 2));
  const k = key(argv, 1);
  const list = lookupList(c.db, k);
  if (!list) return;
  list.remove(count, bin(arg(argv, 3)));
  deleteIfEmpty(c.db, k, list);
}

function ltrim(c: Context, argv: Uint8Array[]): void {
  let start = int(arg(argv, 2));
  let end = int(arg(argv, 3));
  const k = key(argv, 1);
  const list = lookupList(c.db, k);
  if (!list) return;
  const len = list.length;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) list.trim(1, 0);
  else list.trim(start, Math.min(end, len - 1));
  deleteIfEmpty(c.db, k, list);
}

/** Pops up to `count` elements from the list at `k` (deleting it when emptied). */
function popFrom(c: Context, k: string, list: ListValue, head: boolean, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count && list.length > 0; i++) out.push((head ? list.popHead() : list.popTail()) as string);
  deleteIfEmpty(c.db, k, list);
  return out;
}

function pop(head: boolean): Handler {
  return (c, argv) => {
    if (argv.length > 3) throw new ReplyError(`ERR wrong number of arguments for '${head ? 'lpop' : 'rpop'}' command`);
    const hasCount = argv.length === 3;
    const count = hasCount ? intInRange(argv[2] as Uint8Array, 0, Number.MAX_SAFE_INTEGER, 'ERR value is out of range, must be positive') : 1;
    const k = key(argv, 1);
    const list = lookupList(c.db, k);
    if (!list || count === 0) return;
    popFrom(c, k, list, head, count);
  };
}

function side(a: Uint8Array): boolean {
  const o = opt(a);
  if (o === 'LEFT') return true;
  if (o === 'RIGHT') return false;
  throw new ReplyError(SYNTAX);
}

/** LMOVE semantics: pop from `src` at one end, push onto `dst` at the other. */
function move(c: Context, src: string, dst: string, fromHead: boolean, toHead: boolean): void {
  const list = lookupList(c.db, src);
  if (!list || list.length === 0) return;
  let target = lookupList(c.db, dst);
  const value = (fromHead ? list.popHead() : list.popTail()) as string;
  if (!target) {
    target = new ListValue();
    c.db.set(dst, target);
  }
  if (toHead) target.pushHead(value);
  else target.pushTail(value);
  if (list.length === 0 && c.db.get(src) === list) c.db.delete(src);
}

function lmove(c: Context, argv: Uint8Array[]): void {
  const from = side(arg(argv, 3));
  const to = side(arg(argv, 4));
  move(c, key(argv, 1), key(argv, 2), from, to);
}

function rpoplpush(c: Context, argv: Uint8Array[]): void {
  move(c, key(argv, 1), key(argv, 2), false, true);
}

/** getTimeoutFromObjectOrReply: a non-negative number of seconds (the replay never blocks). */
function checkTimeout(a: Uint8Array): void {
  const v = parseDouble(a);
  if (v === undefined || !Number.isFinite(v)) throw new ReplyError('ERR timeout is not a float or out of range');
  if (v < 0) throw new ReplyError('ERR timeout is negative');
}

/** BLPOP / BRPOP: the first non-empty list among the keys loses one element; none blocks, which the AOF client cannot. */
function bpop(head: boolean): Handler {
  return (c, argv) => {
    checkTimeout(arg(argv, argv.length - 1));
    for (let j = 1; j < argv.length - 1; j++) {
      const k = key(argv, j);
      const list = lookupList(c.db, k);
      if (list && list.length > 0) {
        popFrom(c, k, list, head, 1);
        return;
      }
    }
  };
}

function blmove(c: Context, argv: Uint8Array[]): void {
  const from = side(arg(argv, 3));
  const to = side(arg(argv, 4));
  checkTimeout(arg(argv, 5));
  move(c, key(argv, 1), key(argv, 2), from, to);
}

function brpoplpush(c: Context, argv: Uint8Array[]): void {
  checkTimeout(arg(argv, 3));
  move(c, key(argv, 1), key(argv, 2), false, true);
}

/** LMPOP / BLMPOP from argument `first` (numkeys). */
function mpop(c: Context, argv: Uint8Array[], first: number): void {
  const numkeys = intInRange(arg(argv, first), 1, Number.MAX_SAFE_INTEGER, 'ERR numkeys should be greater than 0');
  const whereAt = first + 1 + numkeys;
  if (whereAt >= argv.length) throw new ReplyError(SYNTAX);
  const head = side(arg(argv, whereAt));
  let count = 1;
  let countGiven = false;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (opt(argv[j]) === 'COUNT' && j + 1 < argv.length && !countGiven) {
      count = intInRange(argv[j + 1] as Uint8Array, 1, Number.MAX_SAFE_INTEGER, 'ERR count should be greater than 0');
      countGiven = true;
      j++;
    } else throw new ReplyError(SYNTAX);
  }
  for (let j = first + 1; j < first + 1 + numkeys; j++) {
    const k = key(argv, j);
    const list = lookupList(c.db, k);
    if (list && list.length > 0) {
      popFrom(c, k, list, head, count);
      return;
    }
  }
}

function lmpop(c: Context, argv: Uint8Array[]): void {
  mpop(c, argv, 1);
}

function blmpop(c: Context, argv: Uint8Array[]): void {
  checkTimeout(arg(argv, 1));
  mpop(c, argv, 2);
}

/** The write commands of t_list.c. */
export const listCommands: Record<string, Handler> = {
  lpush: push(true, false),
  rpush: push(false, false),
  lpushx: push(true, true),
  rpushx: push(false, true),
  linsert,
  lset,
  lrem,
  ltrim,
  lpop: pop(true),
  rpop: pop(false),
  rpoplpush,
  lmove,
  lmpop,
  blpop: bpop(true),
  brpop: bpop(false),
  brpoplpush,
  blmove,
  blmpop,
};
