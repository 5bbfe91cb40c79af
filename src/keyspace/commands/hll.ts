// cspell:words pfadd pfcount pfmerge pfdebug getreg todense hyperloglog
import { bin, unbin } from '../bytes.js';
import { HLL_REGISTERS, cacheValid, createHll, hllAdd, hllCount, hllMerge, hllSet, invalidateCache, isHll, setCache, sparseToDense } from '../hyperloglog.js';
import type { StringValue } from '../model.js';
import { ReplyError, arg, key, opt } from './common.js';
import type { Context, Handler } from './common.js';
import { lookupString } from './strings.js';

const INVALID_HLL = 'INVALIDOBJ Corrupted HLL object detected';
const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

/** The HLL at `k` as mutable bytes (undefined when missing); the errors of isHLLObjectOrReply. */
function lookupHll(c: Context, k: string): Uint8Array | undefined {
  const v = lookupString(c, k);
  if (v === undefined) return undefined;
  const bytes = typeof v === 'string' ? unbin(v) : v;
  if (!isHll(bytes)) throw new ReplyError(NOT_HLL);
  return bytes;
}

/** Stores an HLL: small (sparse) ones compactly, dense ones as mutable bytes. TTL kept. */
function storeHll(c: Context, k: string, hll: Uint8Array): void {
  const value: StringValue = hll.length <= 4096 ? bin(hll) : hll;
  c.db.set(k, value, false);
}

function pfadd(c: Context, argv: Uint8Array[]): void {
  const k = key(argv, 1);
  let hll = lookupHll(c, k);
  let updated = 0;
  if (!hll) {
    hll = createHll();
    c.db.set(k, bin(hll));
    updated++;
  }
  const maxBytes = c.keyspace.config.hllSparseMaxBytes;
  try {
    for (let j = 2; j < argv.length; j++) {
      const r = hllAdd(hll, argv[j] as Uint8Array, maxBytes);
      hll = r.hll;
      if (r.result === 1) updated++;
      else if (r.result === -1) throw new ReplyError(INVALID_HLL);
    }
    if (updated) invalidateCache(hll);
  } finally {
    storeHll(c, k, hll);
  }
}

function pfcount(c: Context, argv: Uint8Array[]): void {
  if (argv.length > 2) {
    // Several keys: the union's cardinality, computed without writing anything.
    for (let j = 1; j < argv.length; j++) {
      const hll = lookupHll(c, key(argv, j));
      if (hll && !hllMerge(new Uint8Array(HLL_REGISTERS), hll)) throw new ReplyError(INVALID_HLL);
    }
    return;
  }
  const k = key(argv, 1);
  const hll = lookupHll(c, k);
  if (!hll || cacheValid(hll)) return;
  const card = hllCount(hll);
  if (card === undefined) throw new ReplyError(INVALID_HLL);
  setCache(hll, card);
  storeHll(c, k, hll);
}

function pfmerge(c: Context, argv: Uint8Array[]): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const hll = lookupHll(c, key(argv, j));
    if (!hll) continue;
    if (hll[4] === 0) useDense = true;
    if (!hllMerge(max, hll)) throw new ReplyError(INVALID_HLL);
  }
  const k = key(argv, 1);
  let hll = lookupHll(c, k);
  if (!hll) {
    hll = createHll();
    c.db.set(k, bin(hll));
  }
  if (useDense) {
    const dense = sparseToDense(hll);
    if (!dense) throw new ReplyError(INVALID_HLL);
    hll = dense;
  }
  const maxBytes = c.keyspace.config.hllSparseMaxBytes;
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] === 0) continue;
    hll = hllSet(hll, j, max[j] as number, maxBytes).hll;
  }
  invalidateCache(hll);
  storeHll(c, k, hll);
}

function pfdebug(c: Context, argv: Uint8Array[]): void {
  const sub = opt(arg(argv, 1));
  const k = key(argv, 2);
  if (c.db.get(k) === undefined) throw new ReplyError('ERR The specified key does not exist');
  const hll = lookupHll(c, k) as Uint8Array;
  if (sub === 'GETREG' || sub === 'TODENSE') {
    if (argv.length !== 3) throw new ReplyError(`ERR Wrong number of arguments for the '${sub.toLowerCase()}' subcommand`);
    if (hll[4] === 1) {
      const dense = sparseToDense(hll);
      if (!dense) throw new ReplyError(INVALID_HLL);
      storeHll(c, k, dense);
    }
    return;
  }
  if (sub === 'DECODE' || sub === 'ENCODING') return;
  throw new ReplyError(`ERR Unknown PFDEBUG subcommand '${sub}'`);
}

/** The commands of hyperloglog.c that change HLLs (PFCOUNT refreshes the cached cardinality). */
export const hllCommands: Record<string, Handler> = { pfadd, pfcount, pfmerge, pfdebug };
