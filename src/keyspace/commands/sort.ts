// cspell:words nosort dontsort strtod
import { unbin } from '../bytes.js';
import type { Value } from '../model.js';
import { stringText, typeOf } from '../model.js';
import { strtod } from '../numbers.js';
import { HashValue } from '../types/hash.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { ZsetValue } from '../types/zset.js';
import { ReplyError, SYNTAX, WRONGTYPE, int, key, opt } from './common.js';
import type { Context, Handler } from './common.js';

/*
 * SORT … STORE (sort.c). With STORE, Redis compares strings byte-wise (never strcoll) and sorts a set by
 * value even under BY nosort, so the stored list is deterministic; ties that remain (ALPHA with BY, equal
 * keys) keep the input order, as glibc's merge-sort qsort does.
 */

/** lookupKeyByPattern: `#` is the element itself; `*` is replaced by it; `->field` reads a hash field. */
function byPattern(c: Context, pattern: string, element: string): string | undefined {
  if (pattern === '#') return element;
  const cut = pattern.indexOf('\0');
  const spat = cut >= 0 ? pattern.slice(0, cut) : pattern;
  const star = spat.indexOf('*');
  if (star < 0) return undefined;
  const arrow = spat.indexOf('->', star + 1);
  let field: string | undefined;
  let tail = pattern.slice(star + 1);
  if (arrow >= 0 && arrow + 2 < spat.length) {
    field = pattern.slice(arrow + 2);
    tail = pattern.slice(star + 1, arrow);
  }
  const k = pattern.slice(0, star) + element + tail;
  const v: Value | undefined = c.db.get(k);
  if (v === undefined) return undefined;
  if (field !== undefined) {
    if (!(v instanceof HashValue)) return undefined;
    const value = v.get(field);
    if (value === undefined) return undefined;
    const when = v.expireOf(field);
    if (when !== undefined && when < c.now) return undefined;
    return value;
  }
  if (typeOf(v) !== 'string') return undefined;
  return stringText(v as string | Uint8Array);
}

interface SortItem {
  element: string;
  score: number;
  cmp: string | undefined;
}

function sort(c: Context, argv: Uint8Array[]): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let store: string | undefined;
  let by: string | undefined;
  let dontsort = false;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const o = opt(argv[j]);
    if (o === 'ASC') desc = false;
    else if (o === 'DESC') desc = true;
    else if (o === 'ALPHA') alpha = true;
    else if (o === 'LIMIT' && left >= 2) {
      limitStart = int(argv[j + 1] as Uint8Array);
      limitCount = int(argv[j + 2] as Uint8Array);
      j += 2;
    } else if (o === 'STORE' && left >= 1) {
      store = key(argv, j + 1);
      j++;
    } else if (o === 'BY' && left >= 1) {
      by = key(argv, j + 1);
      const cut = by.indexOf('\0');
      if ((cut >= 0 ? by.slice(0, cut) : by).indexOf('*') < 0) dontsort = true;
      j++;
    } else if (o === 'GET' && left >= 1) {
      gets.push(key(argv, j + 1));
      j++;
    } else throw new ReplyError(SYNTAX);
  }
  const source = c.db.get(key(argv, 1));
  if (source !== undefined && !(source instanceof ListValue || source instanceof SetValue || source instanceof ZsetValue)) throw new ReplyError(WRONGTYPE);
  if (source instanceof ZsetValue) source.toSkiplist(); // Redis converts the sorted set for any SORT
  if (store === undefined) return; // without STORE, SORT only reads
  if (dontsort && source instanceof SetValue) {
    dontsort = false;
    alpha = true;
    by = undefined;
  }
  let elements: string[] = [];
  const length = source ? (source instanceof ListValue ? source.length : source.size) : 0;
  let start = Math.min(Math.max(limitStart, 0), length);
  const count = Math.min(Math.max(limitCount, -1), length);
  let end = count < 0 ? length : start + count;
  if (dontsort && source instanceof ListValue) {
    if (end >= start) {
      const all = [...source.elements()];
      if (desc) all.reverse();
      elements = all.slice(start);
      end -= start;
      start = 0;
    }
  } else if (dontsort && source instanceof ZsetValue) {
    const all = [...source.entries()].map(([m]) => m);
    if (desc) all.reverse();
    elements = all.slice(start, end);
    end -= start;
    start = 0;
  } else if (source instanceof ListValue) elements = [...source.elements()];
  else if (source instanceof SetValue) elements = [...source.members()];
  else if (source instanceof ZsetValue) elements = [...source.entries()].map(([m]) => m);
  const items: SortItem[] = elements.map((element) => ({ element, score: 0, cmp: undefined }));
  if (!dontsort) {
    let conversionError = false;
    for (const item of items) {
      const byValue = by !== undefined ? byPattern(c, by, item.element) : item.element;
      if (byValue === undefined) continue;
      if (alpha) {
        if (by !== undefined) item.cmp = byValue;
      } else {
        const bytes = unbin(byValue);
        const cut = bytes.indexOf(0);
        const r = strtod(cut >= 0 ? bytes.subarray(0, cut) : bytes);
        item.score = r.value;
        if (r.end !== (cut >= 0 ? cut : bytes.length) || r.erange || Number.isNaN(r.value)) conversionError = true;
      }
    }
    const cmpStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    items.sort((a, b) => {
      let r: number;
      if (!alpha) r = a.score > b.score ? 1 : a.score < b.score ? -1 : cmpStrings(a.element, b.element);
      else if (by !== undefined) {
        if (a.cmp === undefined || b.cmp === undefined) r = a.cmp === b.cmp ? 0 : a.cmp === undefined ? -1 : 1;
        else r = cmpStrings(a.cmp, b.cmp);
      } else r = cmpStrings(a.element, b.element);
      return desc ? -r : r;
    });
    if (conversionError) throw new ReplyError('ERR One or more scores can\'t be converted into double');
  }
  const out = new ListValue();
  for (let j = start; j < end && j < items.length; j++) {
    const item = items[j] as SortItem;
    if (gets.length === 0) out.pushTail(item.element);
    else for (const g of gets) out.pushTail(byPattern(c, g, item.element) ?? '');
  }
  if (out.length > 0) c.db.set(store, out);
  else c.db.delete(store);
}

/** SORT (only its STORE form writes). */
export const sortCommands: Record<string, Handler> = { sort };

