import { bin } from '../bytes.js';
import type { Database, Keyspace, Value } from '../model.js';
import { typeOf } from '../model.js';
import { argInt, parseDouble } from '../numbers.js';
import { HashValue } from '../types/hash.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { StreamValue } from '../types/stream.js';
import { ZsetValue } from '../types/zset.js';

/** An error reply: Redis answers the command with it and changes nothing (the AOF loader ignores it). */
export class ReplyError extends Error {
  override readonly name = 'ReplyError';
}

/** A command that cannot be replayed offline (a script body, a module command): the engine stops or skips. */
export class NotReplayable extends Error {
  override readonly name = 'NotReplayable';
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const NOT_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_FLOAT = 'ERR value is not a valid float';
export const SYNTAX = 'ERR syntax error';

/** What a command handler works with. */
export interface Context {
  keyspace: Keyspace;
  /** The selected database. */
  db: Database;
  /** The replay clock, ms since the epoch: "now" for commands that read the time. */
  now: number;
  /** Selects another database (SELECT inside a transaction). */
  select(index: number): void;
}

/** A command implementation: reads `argv` (name first), changes the keyspace or throws a ReplyError. */
export type Handler = (c: Context, argv: Uint8Array[]) => void;

/** Option name, upper-cased (Redis compares options with strcasecmp). */
export function opt(arg: Uint8Array | undefined): string {
  if (arg === undefined || arg.length > 24) return '';
  let s = '';
  for (let i = 0; i < arg.length; i++) s += String.fromCharCode(arg[i] as number);
  return s.toUpperCase();
}

/** The argument at `i` (must exist: arity is checked before handlers run). */
export function arg(argv: Uint8Array[], i: number): Uint8Array {
  const a = argv[i];
  if (a === undefined) throw new ReplyError(`ERR wrong number of arguments for '${opt(argv[0]).toLowerCase()}' command`);
  return a;
}

/** The key argument at `i` as a binary string. */
export function key(argv: Uint8Array[], i: number): string {
  return bin(arg(argv, i));
}

/** getLongLongFromObjectOrReply. */
export function int64(a: Uint8Array, message = NOT_INTEGER): bigint {
  const v = argInt(a);
  if (v === undefined) throw new ReplyError(message);
  return v;
}

/** An int64 argument as a number (values beyond ±2^53 lose precision only where Redis would overflow anyway). */
export function int(a: Uint8Array, message = NOT_INTEGER): number {
  return Number(int64(a, message));
}

/** getDoubleFromObjectOrReply. */
export function double(a: Uint8Array, message = NOT_FLOAT): number {
  const v = parseDouble(a);
  if (v === undefined) throw new ReplyError(message);
  return v;
}

/** getPositiveLongFromObjectOrReply and friends: an int64 within [min, max]. */
export function intInRange(a: Uint8Array, min: number, max: number, message: string): number {
  const v = argInt(a);
  if (v === undefined || v < BigInt(min) || v > BigInt(max)) throw new ReplyError(message);
  return Number(v);
}

/** The value at `key` when it has the given type, undefined when missing; WRONGTYPE otherwise. */
export function lookupTyped<T extends Value>(db: Database, k: string, type: string): T | undefined {
  const v = db.get(k);
  if (v === undefined) return undefined;
  if (typeOf(v) !== type) throw new ReplyError(WRONGTYPE);
  return v as T;
}

export function lookupList(db: Database, k: string): ListValue | undefined {
  return lookupTyped<ListValue>(db, k, 'list');
}

export function lookupSet(db: Database, k: string): SetValue | undefined {
  return lookupTyped<SetValue>(db, k, 'set');
}

export function lookupZset(db: Database, k: string): ZsetValue | undefined {
  return lookupTyped<ZsetValue>(db, k, 'zset');
}

export function lookupHash(db: Database, k: string): HashValue | undefined {
  return lookupTyped<HashValue>(db, k, 'hash');
}

export function lookupStream(db: Database, k: string): StreamValue | undefined {
  return lookupTyped<StreamValue>(db, k, 'stream');
}

/** Deletes the key when its collection became empty (Redis never keeps empty lists, sets, zsets, hashes). */
export function deleteIfEmpty(db: Database, k: string, value: { size?: number; length?: number }): void {
  const n = value.size ?? value.length ?? 1;
  if (n === 0) db.delete(k);
}

/** Resolves Redis's negative indexes (from the end) against a length. */
export function resolveIndex(index: number, length: number): number {
  return index < 0 ? length + index : index;
}

/** Checks a database index argument: a non-negative int below `databases`. */
export function dbIndex(c: Context, a: Uint8Array): number {
  const v = argInt(a);
  if (v === undefined) throw new ReplyError('ERR value is not an integer or out of range');
  if (v < 0n || v >= BigInt(c.keyspace.config.databases)) throw new ReplyError('ERR DB index is out of range');
  return Number(v);
}
