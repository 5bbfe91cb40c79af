// cspell:words sadd srem smove spop sinterstore sunionstore sdiffstore
import { bin } from '../bytes.js';
import { SetValue } from '../types/set.js';
import { NotReplayable, ReplyError, SYNTAX, arg, deleteIfEmpty, intInRange, key, lookupSet } from './common.js';
import type { Context, Handler } from './common.js';

function sadd(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  let set = lookupSet(c.db, k);
  if (!set) {
    set = new SetValue();
    c.db.set(k, set);
  }
  for (let j = 2; j < argv.length; j++) set.add(bin(argv[j] as Uint8Array));
}

function srem(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  const set = lookupSet(c.db, k);
  if (!set) return;
  for (let j = 2; j < argv.length && set.size > 0; j++) set.delete(bin(argv[j] as Uint8Array));
  deleteIfEmpty(c.db, k, set);
}

function smove(c: Context, argv: Uint8Array[]): void {
  const sk = key(argv, 1);
  const dk = key(argv, 2);
  const src = c.db.get(sk);
  if (src === undefined) return;
  const from = lookupSet(c.db, sk) as SetValue;
  let to = lookupSet(c.db, dk);
  if (from === to) return;
  const member = bin(arg(argv, 3));
  if (!from.delete(member)) return;
  deleteIfEmpty(c.db, sk, from);
  if (!to) {
    to = new SetValue();
    c.db.set(dk, to);
  }
  to.add(member);
}

/**
 * SPOP picks members at random. Redis never writes it to an AOF (it propagates SREM), and the deterministic
 * cases are replayed: a count of 0, a missing key, or a count (or a set size of 1) that takes every member.
 */
function spop(c: Context, argv: Uint8Array[]): void {
  if (argv.length > 3) throw new ReplyError(SYNTAX);
  const k = key(argv, 1);
  const count = argv.length === 3 ? intInRange(argv[2] as Uint8Array, 0, Number.MAX_SAFE_INTEGER, 'ERR value is out of range, must be positive') : 1;
  if (argv.length === 3 && count === 0) return;
  const set = lookupSet(c.db, k);
  if (!set) return;
  if (count >= set.size) {
    c.db.delete(k);
    return;
  }
  throw new NotReplayable('SPOP removes random members', 'Redis writes SREM for SPOP; this AOF was not written by Redis, or was edited');
}

function collect(c: Context, argv: Uint8Array[], from: number): (SetValue | undefined)[] {
  const sets: (SetValue | undefined)[] = [];
  for (let j = from; j < argv.length; j++) sets.push(lookupSet(c.db, key(argv, j)));
  return sets;
}

function store(c: Context, dk: string, members: Iterable<string>): void {
  const result = SetValue.from(members);
  if (result.size > 0) c.db.set(dk, result);
  else c.db.delete(dk);
}

function sinterstore(c: Context, argv: Uint8Array[]): void {
  const dk = key(argv, 1);
  const sets = collect(c, argv, 2);
  if (sets.some((s) => s === undefined)) {
    c.db.delete(dk);
    return;
  }
  const ordered = (sets as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const [first, ...rest] = ordered as [SetValue, ...SetValue[]];
  const out: string[] = [];
  for (const m of first.members()) if (rest.every((s) => s.has(m))) out.push(m);
  store(c, dk, out);
}

function sunionstore(c: Context, argv: Uint8Array[]): void {
  const dk = key(argv, 1);
  const sets = collect(c, argv, 2);
  const out = new SetValue();
  for (const s of sets) if (s) for (const m of s.members()) out.add(m);
  store(c, dk, out.members());
}

function sdiffstore(c: Context, argv: Uint8Array[]): void {
  const dk = key(argv, 1);
  const [first, ...rest] = collect(c, argv, 2);
  const out: string[] = [];
  if (first) {
    for (const m of first.members()) if (!rest.some((s) => s !== undefined && s.has(m))) out.push(m);
  }
  store(c, dk, out);
}

/** The write commands of t_set.c. */
export const setCommands: Record<string, Handler> = { sadd, srem, smove, spop, sinterstore, sunionstore, sdiffstore };
