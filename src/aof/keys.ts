import { latin1 } from '../bytes/text.js';
import { keySpecRows, newerKeySpecRows } from './key-specs.js';

/*
 * cspell:words keynum keynumidx firstkey keystep lastkey startfrom getkeys
 *
 * Which arguments of a command are keys, found as Redis finds them: from the command's key specifications
 * (COMMAND INFO), with Redis's own procedures for the commands whose specs are incomplete (SORT's STORE,
 * MIGRATE's KEYS). The facts are Redis's (db.c getKeysUsingKeySpecs, sortGetKeys, migrateGetKeys).
 */

/** Where a key spec starts looking: at an index, after a keyword, or nowhere it can say. */
type BeginSearch = readonly ['index', number] | readonly ['keyword', string, number] | readonly ['unknown'];
/** How a key spec finds the keys from there: a range, a count given by an argument, or nothing it can say. */
type FindKeys = readonly ['range', number, number, number] | readonly ['keynum', number, number, number] | readonly ['unknown'];

/** One key specification, as the generated table holds it. */
export type KeySpecRow = readonly [BeginSearch, FindKeys];

const specs = new Map<string, readonly KeySpecRow[]>();
for (const [name, rows] of keySpecRows) specs.set(name, rows);
for (const [name, rows] of newerKeySpecRows) if (!specs.has(name)) specs.set(name, rows);
const containers = new Set<string>();
for (const name of specs.keys()) {
  const bar = name.indexOf('|');
  if (bar > 0) containers.add(name.slice(0, bar));
}

const lower = (arg: Uint8Array): string => latin1(arg).toLowerCase();

/**
 * The positions of the keys in a command's arguments (name first), in the order Redis lists them for
 * `COMMAND GETKEYS`. Unknown commands, and commands whose arguments do not hold the keys their specs
 * promise, have none.
 */
export function commandKeyPositions(args: readonly Uint8Array[]): number[] {
  const first = args[0];
  if (first === undefined) return [];
  let name = lower(first);
  if (name === 'sort') return sortKeys(args);
  if (name === 'sort_ro') return args.length > 1 ? [1] : [];
  if (name === 'migrate') return migrateKeys(args);
  if (containers.has(name) && args.length > 1) name = `${name}|${lower(args[1] as Uint8Array)}`;
  const rows = specs.get(name);
  if (!rows) return [];
  return keysFromSpecs(rows, args);
}

/** The keys of a command (see {@link commandKeyPositions}), as views into its arguments. */
export function commandKeys(args: readonly Uint8Array[]): Uint8Array[] {
  return commandKeyPositions(args).map((i) => args[i] as Uint8Array);
}

function keysFromSpecs(rows: readonly KeySpecRow[], args: readonly Uint8Array[]): number[] {
  const argc = args.length;
  const out: number[] = [];
  for (const [begin, find] of rows) {
    let first = 0;
    if (begin[0] === 'index') {
      first = begin[1];
    } else if (begin[0] === 'keyword') {
      const word = begin[1].toLowerCase();
      const from = begin[2];
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 0;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (lower(args[i] as Uint8Array) === word) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else {
      continue;
    }
    let last: number;
    let step: number;
    if (find[0] === 'range') {
      const [, lastKey, keyStep, limit] = find;
      step = keyStep;
      if (lastKey >= 0) last = first + lastKey;
      else if (limit === 0) last = argc + lastKey;
      else last = first + (Math.floor((argc - first) / limit) + lastKey);
    } else if (find[0] === 'keynum') {
      const [, keyNumIndex, firstKey, keyStep] = find;
      const countArg = args[first + keyNumIndex];
      if (countArg === undefined) return [];
      const text = latin1(countArg);
      if (!/^-?\d{1,18}$/.test(text)) return [];
      const count = Number(text);
      first += firstKey;
      step = keyStep;
      last = first + (count - 1) * step;
    } else {
      continue;
    }
    for (let i = first; i <= last; i += step) {
      // A command whose arguments do not reach the keys its spec promises has none (the command itself
      // fails with a syntax or arity error).
      if (i >= argc || i < first) return [];
      out.push(i);
    }
  }
  return out;
}

/** SORT: the sorted key, and the destination of the last STORE (LIMIT, GET and BY arguments skipped). */
function sortKeys(args: readonly Uint8Array[]): number[] {
  if (args.length < 2) return [];
  const out = [1];
  let store = -1;
  const skips: Record<string, number> = { limit: 2, get: 1, by: 1 };
  for (let i = 2; i < args.length; i++) {
    const word = lower(args[i] as Uint8Array);
    const skip = skips[word];
    if (skip !== undefined) i += skip;
    else if (word === 'store' && i + 1 < args.length) store = i + 1;
  }
  if (store > 0) out.push(store);
  return out;
}

/** MIGRATE: the key argument, or with an empty one, every argument after KEYS. */
function migrateKeys(args: readonly Uint8Array[]): number[] {
  if (args.length < 4) return [];
  if (args.length > 6) {
    for (let i = 6; i < args.length; i++) {
      if (lower(args[i] as Uint8Array) === 'keys') {
        if ((args[3] as Uint8Array).length > 0) return [];
        const out: number[] = [];
        for (let k = i + 1; k < args.length; k++) out.push(k);
        return out;
      }
    }
  }
  return [3];
}
