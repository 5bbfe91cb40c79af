// cspell:words zadd zincrby zrem zremrangebyrank zremrangebyscore zremrangebylex zpopmin zpopmax bzpopmin bzpopmax zmpop bzmpop zunionstore zinterstore zdiffstore zrangestore numkeys bylex byscore listpack skiplist minex maxex zset
import { bin } from '../bytes.js';
import { parseDouble, strtod } from '../numbers.js';
import type { SetValue } from '../types/set.js';
import { ZsetValue } from '../types/zset.js';
import type { LexBound } from '../types/zset.js';
import { ReplyError, SYNTAX, WRONGTYPE, arg, deleteIfEmpty, double, int, intInRange, key, lookupZset, opt } from './common.js';
import type { Context, Handler } from './common.js';

/** A new sorted set for ZADD (7.0): a listpack unless the first member is too long for one. */
function createForAdd(c: Context, firstMember: Uint8Array): ZsetValue {
  const limits = c.keyspace.config.zset;
  return new ZsetValue(limits.entries !== 0 && limits.value >= firstMember.length);
}

/** zaddGenericCommand (ZADD, and ZINCRBY with INCR preset). */
function zaddGeneric(incrPreset: boolean): Handler {
  return (c, argv) => {
    let nx = false;
    let xx = false;
    let gt = false;
    let lt = false;
    let incr = incrPreset;
    let scoreAt = 2;
    for (; scoreAt < argv.length; scoreAt++) {
      const o = opt(argv[scoreAt]);
      if (o === 'NX') nx = true;
      else if (o === 'XX') xx = true;
      else if (o === 'CH') continue;
      else if (o === 'INCR') incr = true;
      else if (o === 'GT') gt = true;
      else if (o === 'LT') lt = true;
      else break;
    }
    const pairs = argv.length - scoreAt;
    if (pairs % 2 !== 0 || pairs === 0) throw new ReplyError(SYNTAX);
    const elements = pairs / 2;
    if (nx && xx) throw new ReplyError('ERR XX and NX options at the same time are not compatible');
    if ((gt && nx) || (lt && nx) || (gt && lt)) throw new ReplyError('ERR GT, LT, and/or NX options at the same time are not compatible');
    if (incr && elements > 1) throw new ReplyError('ERR INCR option supports a single increment-element pair');
    const scores: number[] = [];
    for (let j = 0; j < elements; j++) scores.push(double(argv[scoreAt + j * 2] as Uint8Array));
    const k = key(argv, 1);
    let zset = lookupZset(c.db, k);
    if (!zset) {
      if (xx) return;
      zset = createForAdd(c, argv[scoreAt + 1] as Uint8Array);
      c.db.set(k, zset);
    }
    const limits = c.keyspace.config.zset;
    for (let j = 0; j < elements; j++) {
      let score = scores[j] as number;
      const member = bin(argv[scoreAt + 1 + j * 2] as Uint8Array);
      const current = zset.score(member);
      if (current !== undefined) {
        if (nx) continue;
        if (incr) {
          score += current;
          if (Number.isNaN(score)) throw new ReplyError('ERR resulting score is not a number (NaN)');
        }
        if ((lt && score >= current) || (gt && score <= current)) continue;
        if (score !== current) zset.set(member, score, limits);
      } else if (!xx) {
        zset.set(member, score, limits);
      }
    }
  };
}

function zrem(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  const zset = lookupZset(c.db, k);
  if (!zset) return;
  for (let j = 2; j < argv.length; j++) zset.delete(bin(argv[j] as Uint8Array));
  deleteIfEmpty(c.db, k, zset);
}

/** A score range bound (zslParseRange): "(" for exclusive, then strtod up to the C string's end. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

function parseBound(a: Uint8Array): [number, boolean] | undefined {
  const exclusive = a[0] === 0x28;
  let end = a.indexOf(0);
  if (end < 0) end = a.length;
  const text = a.subarray(exclusive ? 1 : 0, end);
  const r = strtod(text);
  if (r.end !== text.length || Number.isNaN(r.value)) return undefined;
  return [r.value, exclusive];
}

export function parseScoreRange(minArg: Uint8Array, maxArg: Uint8Array): ScoreRange {
  const min = parseBound(minArg);
  const max = parseBound(maxArg);
  if (!min || !max) throw new ReplyError('ERR min or max is not a float');
  return { min: min[0], minex: min[1], max: max[0], maxex: max[1] };
}

function lexBound(a: Uint8Array): LexBound | undefined {
  const first = a[0];
  if (first === 0x2b) return a.length === 1 || a[1] === 0 ? { value: Infinity, exclusive: true } : undefined;
  if (first === 0x2d) return a.length === 1 || a[1] === 0 ? { value: -Infinity, exclusive: true } : undefined;
  if (first === 0x28) return { value: bin(a.subarray(1)), exclusive: true };
  if (first === 0x5b) return { value: bin(a.subarray(1)), exclusive: false };
  return undefined;
}

export function parseLexRange(minArg: Uint8Array, maxArg: Uint8Array): [LexBound, LexBound] {
  const min = lexBound(minArg);
  const max = lexBound(maxArg);
  if (!min || !max) throw new ReplyError('ERR min or max not valid string range item');
  return [min, max];
}

/** Ranks [first, last] of the entries in a score range (first > last when empty). */
export function scoreRanks(zset: ZsetValue, r: ScoreRange): [number, number] {
  if (r.min > r.max || (r.min === r.max && (r.minex || r.maxex))) return [0, -1];
  return [zset.firstByScore(r.min, r.minex), zset.lastByScore(r.max, r.maxex)];
}

function zremrange(kind: 'rank' | 'score' | 'lex'): Handler {
  return (c, argv) => {
    let start = 0;
    let end = 0;
    let range: ScoreRange | undefined;
    let lex: [LexBound, LexBound] | undefined;
    if (kind === 'rank') {
      start = int(arg(argv, 2));
      end = int(arg(argv, 3));
    } else if (kind === 'score') range = parseScoreRange(arg(argv, 2), arg(argv, 3));
    else lex = parseLexRange(arg(argv, 2), arg(argv, 3));
    const k = key(argv, 1);
    const zset = lookupZset(c.db, k);
    if (!zset) return;
    let first: number;
    let last: number;
    if (kind === 'rank') {
      const len = zset.size;
      if (start < 0) start = len + start;
      if (end < 0) end = len + end;
      if (start < 0) start = 0;
      if (start > end || start >= len) return;
      first = start;
      last = Math.min(end, len - 1);
    } else if (range) [first, last] = scoreRanks(zset, range);
    else [first, last] = zset.lexRange(...(lex as [LexBound, LexBound]), true);
    if (first > last) return;
    for (const [m] of zset.range(first, last)) zset.delete(m);
    deleteIfEmpty(c.db, k, zset);
  };
}

/** Pops `count` entries from the min (or max) end. */
function popFrom(c: Context, k: string, zset: ZsetValue, max: boolean, count: number): void {
  const n = Math.min(count, zset.size);
  const victims = max ? zset.range(zset.size - n, zset.size - 1) : zset.range(0, n - 1);
  for (const [m] of victims) zset.delete(m);
  deleteIfEmpty(c.db, k, zset);
}

function zpop(max: boolean): Handler {
  return (c, argv) => {
    if (argv.length > 3) throw new ReplyError(`ERR wrong number of arguments for '${max ? 'zpopmax' : 'zpopmin'}' command`);
    const count = argv.length === 3 ? intInRange(argv[2] as Uint8Array, 0, Number.MAX_SAFE_INTEGER, 'ERR value is out of range, must be positive') : 1;
    const k = key(argv, 1);
    const zset = lookupZset(c.db, k);
    if (!zset || count === 0) return;
    popFrom(c, k, zset, max, count);
  };
}

function checkTimeout(a: Uint8Array): void {
  const v = parseDouble(a);
  if (v === undefined || !Number.isFinite(v)) throw new ReplyError('ERR timeout is not a float or out of range');
  if (v < 0) throw new ReplyError('ERR timeout is negative');
}

function bzpop(max: boolean): Handler {
  return (c, argv) => {
    checkTimeout(arg(argv, argv.length - 1));
    for (let j = 1; j < argv.length - 1; j++) {
      const k = key(argv, j);
      const zset = lookupZset(c.db, k);
      if (zset && zset.size > 0) {
        popFrom(c, k, zset, max, 1);
        return;
      }
    }
  };
}

function mpop(c: Context, argv: Uint8Array[], first: number): void {
  const numkeys = intInRange(arg(argv, first), 1, Number.MAX_SAFE_INTEGER, 'ERR numkeys should be greater than 0');
  const whereAt = first + 1 + numkeys;
  if (whereAt >= argv.length) throw new ReplyError(SYNTAX);
  const where = opt(argv[whereAt]);
  if (where !== 'MIN' && where !== 'MAX') throw new ReplyError(SYNTAX);
  let count = 1;
  let given = false;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (opt(argv[j]) === 'COUNT' && j + 1 < argv.length && !given) {
      count = intInRange(argv[j + 1] as Uint8Array, 1, Number.MAX_SAFE_INTEGER, 'ERR count should be greater than 0');
      given = true;
      j++;
    } else throw new ReplyError(SYNTAX);
  }
  for (let j = first + 1; j < whereAt; j++) {
    const k = key(argv, j);
    const zset = lookupZset(c.db, k);
    if (zset && zset.size > 0) {
      popFrom(c, k, zset, where === 'MAX', count);
      return;
    }
  }
}

function zmpop(c: Context, argv: Uint8Array[]): void {
  mpop(c, argv, 1);
}

function bzmpop(c: Context, argv: Uint8Array[]): void {
  checkTimeout(arg(argv, 1));
  mpop(c, argv, 2);
}

// ---------------------------------------------------------------------------------------------
// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE

interface Source {
  value: ZsetValue | SetValue | undefined;
  weight: number;
}

function sourceSize(s: Source): number {
  return s.value ? s.value.size : 0;
}

function* sourceEntries(s: Source): IterableIterator<[string, number]> {
  if (!s.value) return;
  if (s.value instanceof ZsetValue) yield* s.value.entries();
  else for (const m of s.value.members()) yield [m, 1];
}

function sourceScore(s: Source, member: string): number | undefined {
  if (!s.value) return undefined;
  if (s.value instanceof ZsetValue) return s.value.score(member);
  return s.value.has(member) ? 1 : undefined;
}

function aggregate(target: number, value: number, how: 'SUM' | 'MIN' | 'MAX'): number {
  if (how === 'SUM') {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === 'MIN') return value < target ? value : target;
  return value > target ? value : target;
}

/** Stores a computed sorted set (a skiplist converted to a listpack when small), or deletes `dk` when empty. */
export function storeZset(c: Context, dk: string, entries: Iterable<[string, number]>): void {
  const result = new ZsetValue(false);
  const limits = c.keyspace.config.zset;
  for (const [m, s] of entries) result.set(m, s, limits);
  if (result.size === 0) {
    c.db.delete(dk);
    return;
  }
  result.convertToListpackIfNeeded(limits);
  c.db.set(dk, result);
}

function zsetOp(op: 'union' | 'inter' | 'diff'): Handler {
  return (c, argv) => {
    const dk = key(argv, 1);
    const setnum = int(arg(argv, 2));
    if (setnum < 1) throw new ReplyError(`ERR at least 1 input key is needed for 'z${op}store' command`);
    if (setnum > argv.length - 3) throw new ReplyError(SYNTAX);
    const sources: Source[] = [];
    let j = 3;
    for (let i = 0; i < setnum; i++, j++) {
      const v = c.db.get(key(argv, j));
      if (v !== undefined && !(v instanceof ZsetValue) && !(typeof v === 'object' && 'type' in v && v.type === 'set')) throw new ReplyError(WRONGTYPE);
      sources.push({ value: v as ZsetValue | SetValue | undefined, weight: 1 });
    }
    let how: 'SUM' | 'MIN' | 'MAX' = 'SUM';
    while (j < argv.length) {
      const remaining = argv.length - j;
      const o = opt(argv[j]);
      if (op !== 'diff' && remaining >= setnum + 1 && o === 'WEIGHTS') {
        j++;
        for (let i = 0; i < setnum; i++, j++) (sources[i] as Source).weight = double(argv[j] as Uint8Array, 'ERR weight value is not a float');
      } else if (op !== 'diff' && remaining >= 2 && o === 'AGGREGATE') {
        const a = opt(argv[j + 1]);
        if (a !== 'SUM' && a !== 'MIN' && a !== 'MAX') throw new ReplyError(SYNTAX);
        how = a;
        j += 2;
      } else throw new ReplyError(SYNTAX);
    }
    // Redis sorts the inputs by size (glibc's qsort is a stable merge sort for such arrays).
    const ordered = op === 'diff' ? sources : sources.slice().sort((a, b) => sourceSize(a) - sourceSize(b));
    const result = new Map<string, number>();
    if (op === 'inter') {
      const first = ordered[0] as Source;
      if (sourceSize(first) > 0) {
        for (const [m, s0] of sourceEntries(first)) {
          let score = first.weight * s0;
          if (Number.isNaN(score)) score = 0;
          let all = true;
          for (let i = 1; i < ordered.length; i++) {
            const src = ordered[i] as Source;
            const v = src.value === first.value ? s0 : sourceScore(src, m);
            if (v === undefined) {
              all = false;
              break;
            }
            score = aggregate(score, v * src.weight, how);
          }
          if (all) result.set(m, score);
        }
      }
    } else if (op === 'union') {
      for (const src of ordered) {
        for (const [m, s] of sourceEntries(src)) {
          let score = src.weight * s;
          if (Number.isNaN(score)) score = 0;
          const existing = result.get(m);
          result.set(m, existing === undefined ? score : aggregate(existing, score, how));
        }
      }
    } else {
      const [first, ...rest] = ordered as [Source, ...Source[]];
      for (const [m, s] of sourceEntries(first)) if (!rest.some((r) => sourceScore(r, m) !== undefined)) result.set(m, s);
    }
    storeZset(c, dk, result);
  };
}

// ---------------------------------------------------------------------------------------------
// ZRANGESTORE

function zrangestore(c: Context, argv: Uint8Array[]): void {
  let offset = 0;
  let limit = -1;
  let reverse = false;
  let type: 'rank' | 'score' | 'lex' | undefined;
  for (let j = 5; j < argv.length; j++) {
    const o = opt(argv[j]);
    const left = argv.length - j - 1;
    if (o === 'LIMIT' && left >= 2) {
      offset = int(argv[j + 1] as Uint8Array);
      limit = int(argv[j + 2] as Uint8Array);
      j += 2;
    } else if (o === 'REV' && !reverse) reverse = true;
    else if (o === 'BYLEX' && type === undefined) type = 'lex';
    else if (o === 'BYSCORE' && type === undefined) type = 'score';
    else throw new ReplyError(SYNTAX);
  }
  type ??= 'rank';
  if (limit !== -1 && type === 'rank') throw new ReplyError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  let minArg = arg(argv, 3);
  let maxArg = arg(argv, 4);
  if (reverse && type !== 'rank') [minArg, maxArg] = [maxArg, minArg];
  let start = 0;
  let end = 0;
  let range: ScoreRange | undefined;
  let lex: [LexBound, LexBound] | undefined;
  if (type === 'rank') {
    start = int(minArg);
    end = int(maxArg);
  } else if (type === 'score') range = parseScoreRange(minArg, maxArg);
  else lex = parseLexRange(minArg, maxArg);
  const dk = key(argv, 1);
  const zset = lookupZset(c.db, key(argv, 2));
  let picked: [string, number][] = [];
  if (zset) {
    if (type === 'rank') {
      const len = zset.size;
      if (start < 0) start = len + start;
      if (end < 0) end = len + end;
      if (start < 0) start = 0;
      if (!(start > end || start >= len)) {
        end = Math.min(end, len - 1);
        picked = reverse ? zset.range(len - 1 - end, len - 1 - start).reverse() : zset.range(start, end);
      }
    } else {
      let inRange: [string, number][];
      if (range) {
        const [first, last] = scoreRanks(zset, range);
        inRange = first > last ? [] : zset.range(first, last);
      } else {
        const [min, max] = lex as [LexBound, LexBound];
        const [first, last] = reverse ? zset.lexRangeReverse(min, max) : zset.lexRange(min, max);
        inRange = first > last ? [] : zset.range(first, last);
      }
      if (reverse) inRange.reverse();
      if (offset > 0 && offset >= zset.size) inRange = [];
      picked = offset < 0 ? [] : inRange.slice(offset, limit < 0 ? undefined : offset + limit);
    }
  }
  // 7.0 builds the result as a listpack and adds to it in order (so a -0 among the first 128 becomes 0).
  const result = new ZsetValue(true);
  const limits = c.keyspace.config.zset;
  for (const [m, s] of picked) result.set(m, s, limits);
  if (result.size === 0) c.db.delete(dk);
  else c.db.set(dk, result);
}

/** The write commands of t_zset.c. */
export const zsetCommands: Record<string, Handler> = {
  zadd: zaddGeneric(false),
  zincrby: zaddGeneric(true),
  zrem,
  zremrangebyrank: zremrange('rank'),
  zremrangebyscore: zremrange('score'),
  zremrangebylex: zremrange('lex'),
  zpopmin: zpop(false),
  zpopmax: zpop(true),
  bzpopmin: bzpop(false),
  bzpopmax: bzpop(true),
  zmpop,
  bzmpop,
  zunionstore: zsetOp('union'),
  zinterstore: zsetOp('inter'),
  zdiffstore: zsetOp('diff'),
  zrangestore,
};
