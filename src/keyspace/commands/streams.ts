// cspell:words xadd xtrim xdel xsetid xgroup xack xclaim xautoclaim xreadgroup nomkstream minid maxlen setid createconsumer delconsumer mkstream entriesread entriesadded maxdeletedid justid lastid retrycount strtoull nack nacks noack
import { bin } from '../bytes.js';
import { INT64_MAX, parseInt64 } from '../numbers.js';
import { ID_MAX, ID_ZERO, StreamValue, idParts, makeId, nextId } from '../types/stream.js';
import type { Consumer, ConsumerGroup, Nack } from '../types/stream.js';
import { NotReplayable, ReplyError, SYNTAX, arg, int64, intInRange, key, lookupStream, opt } from './common.js';
import type { Context, Handler } from './common.js';

const U64_MAX = (1n << 64n) - 1n;
const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** Redis's string2ull: string2ll when it works (negative refused), else strtoull's looser syntax. */
function string2ull(text: string): bigint | undefined {
  const ll = parseInt64(Uint8Array.from(text, (ch) => ch.charCodeAt(0)));
  if (ll !== undefined) return ll < 0n ? undefined : ll;
  const m = /^[\t\n\v\f\r ]*([+-]?)(\d+)$/.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[2] as string);
  if (v > U64_MAX) return undefined; // ERANGE
  return m[1] === '-' ? (U64_MAX + 1n - v) % (U64_MAX + 1n) : v;
}

interface ParsedId {
  id: string;
  /** False for the `ms-*` form. */
  seqGiven: boolean;
}

/** streamGenericParseIDOrReply. */
export function parseStreamId(a: Uint8Array, missingSeq: bigint, strict: boolean, allowSeqStar = false): ParsedId {
  if (a.length > 127) throw new ReplyError(INVALID_ID);
  let text = '';
  for (const b of a) {
    if (b === 0) break; // a C string ends at the first NUL
    text += String.fromCharCode(b);
  }
  if (strict && (text === '-' || text === '+')) throw new ReplyError(INVALID_ID);
  if (text === '-') return { id: ID_ZERO, seqGiven: true };
  if (text === '+') return { id: ID_MAX, seqGiven: true };
  const dash = text.indexOf('-');
  const msText = dash >= 0 ? text.slice(0, dash) : text;
  const ms = string2ull(msText);
  if (ms === undefined) throw new ReplyError(INVALID_ID);
  let seq = missingSeq;
  let seqGiven = true;
  if (dash >= 0) {
    const rest = text.slice(dash + 1);
    if (allowSeqStar && rest === '*') {
      seq = 0n;
      seqGiven = false;
    } else {
      const s = string2ull(rest);
      if (s === undefined) throw new ReplyError(INVALID_ID);
      seq = s;
    }
  }
  return { id: makeId(ms, seq), seqGiven };
}

interface TrimArgs {
  strategy: 'none' | 'maxlen' | 'minid';
  approx: boolean;
  maxlen: bigint;
  minid: string;
  /** XADD only: the ID argument's index. */
  idAt: number;
  id: ParsedId | undefined;
  noMkstream: boolean;
}

/** streamParseAddOrTrimArgsOrReply, as for a client that must be obeyed (AOF): LIMIT is accepted and ignored. */
function parseAddOrTrim(argv: Uint8Array[], xadd: boolean): TrimArgs {
  const t: TrimArgs = { strategy: 'none', approx: false, maxlen: 0n, minid: ID_ZERO, idAt: -1, id: undefined, noMkstream: false };
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const a = argv[i] as Uint8Array;
    const o = opt(a);
    if (xadd && a.length === 1 && a[0] === 0x2a) break;
    if ((o === 'MAXLEN' || o === 'MINID') && more) {
      if (t.strategy !== 'none') throw new ReplyError('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      t.approx = false;
      const next = argv[i + 1] as Uint8Array;
      if (more >= 2 && next.length === 1 && next[0] === 0x7e) {
        t.approx = true;
        i++;
      } else if (more >= 2 && next.length === 1 && next[0] === 0x3d) {
        i++;
      }
      if (o === 'MAXLEN') {
        t.maxlen = int64(arg(argv, i + 1));
        if (t.maxlen < 0n) throw new ReplyError('ERR The MAXLEN argument must be >= 0.');
        t.strategy = 'maxlen';
      } else {
        t.minid = parseStreamId(arg(argv, i + 1), 0n, true).id;
        t.strategy = 'minid';
      }
      i++;
    } else if (o === 'LIMIT' && more) {
      const limit = int64(arg(argv, i + 1));
      if (limit < 0n) throw new ReplyError('ERR The LIMIT argument must be >= 0.');
      i++;
    } else if (xadd && o === 'NOMKSTREAM') {
      t.noMkstream = true;
    } else if (xadd) {
      t.id = parseStreamId(a, 0n, true, true);
      break;
    } else throw new ReplyError(SYNTAX);
  }
  if (!xadd && t.strategy === 'none') throw new ReplyError('ERR syntax error, XTRIM must be called with a trimming strategy');
  t.idAt = i;
  return t;
}

/** streamTrim with an exact strategy; `~` is replayed only when no trimming can happen at all. */
function trim(s: StreamValue, t: TrimArgs): number {
  if (t.strategy === 'none') return 0;
  if (t.approx) {
    const nothing = t.strategy === 'maxlen' ? BigInt(s.length) <= t.maxlen : s.length === 0 || (s.firstEntryId() as string) >= t.minid;
    if (nothing) return 0;
    throw new NotReplayable(
      'approximate trimming (MAXLEN ~ / MINID ~) removes whole Redis radix-tree nodes, which depend on the server\'s memory layout',
      'Redis writes trims as exact ("=") in AOFs; this file was edited or written by another tool',
    );
  }
  let removed: number;
  if (t.strategy === 'maxlen') removed = s.trimHead((_id, remaining) => BigInt(remaining) > t.maxlen);
  else removed = s.trimHead((id) => id < t.minid);
  if (removed > 0) s.refreshFirstId();
  if (s.length === 0) s.firstId = ID_ZERO;
  return removed;
}

function xadd(c: Context, argv: Uint8Array[]): void {
  const t = parseAddOrTrim(argv, true);
  const fieldsAt = t.idAt + 1;
  const n = argv.length - fieldsAt;
  if (n < 2 || n % 2 === 1) throw new ReplyError('ERR wrong number of arguments for \'xadd\' command');
  if (t.id && t.id.seqGiven && t.id.id === ID_ZERO) throw new ReplyError('ERR The ID specified in XADD must be greater than 0-0');
  const k = key(argv, 1);
  let s = lookupStream(c.db, k);
  if (!s) {
    if (t.noMkstream) return;
    s = new StreamValue();
    c.db.set(k, s);
  }
  if (s.lastId === ID_MAX) throw new ReplyError('ERR The stream has exhausted the last possible ID, unable to add more items');
  let id: string;
  if (t.id) {
    if (t.id.seqGiven) id = t.id.id;
    else {
      const last = idParts(s.lastId);
      const want = idParts(t.id.id);
      if (last.ms === want.ms) {
        if (last.seq === U64_MAX) throw new ReplyError('ERR The ID specified in XADD is equal or smaller than the target stream top item');
        id = makeId(last.ms, last.seq + 1n);
      } else id = t.id.id;
    }
  } else {
    const last = idParts(s.lastId);
    const now = BigInt(c.now);
    id = now > last.ms ? makeId(now, 0n) : (nextId(s.lastId) as string);
  }
  if (id <= s.lastId) throw new ReplyError('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  const pairs: string[] = [];
  for (let j = fieldsAt; j < argv.length; j++) pairs.push(bin(argv[j] as Uint8Array));
  s.append(id, pairs);
  s.entriesAdded++;
  s.lastId = id;
  if (s.length === 1) s.firstId = id;
  trim(s, t);
}

function xtrim(c: Context, argv: Uint8Array[]): void {
  const t = parseAddOrTrim(argv, false);
  const s = lookupStream(c.db, key(argv, 1));
  if (!s) return;
  trim(s, t);
}

function xdel(c: Context, argv: Uint8Array[]): void {
  const s = lookupStream(c.db, key(argv, 1));
  if (!s) return;
  const ids: string[] = [];
  for (let j = 2; j < argv.length; j++) ids.push(parseStreamId(argv[j] as Uint8Array, 0n, true).id);
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (id === s.firstId) firstDeleted = true;
    if (id > s.maxDeletedId) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted) {
    if (s.length === 0) s.firstId = ID_ZERO;
    else if (firstDeleted) s.refreshFirstId();
  }
}

function xsetid(c: Context, argv: Uint8Array[]): void {
  const id = parseStreamId(arg(argv, 2), 0n, true).id;
  let entriesAdded = -1n;
  let maxDeleted = ID_ZERO;
  for (let i = 3; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const o = opt(argv[i]);
    if (o === 'ENTRIESADDED' && more) {
      entriesAdded = int64(arg(argv, i + 1));
      if (entriesAdded < 0n) throw new ReplyError('ERR entries_added must be positive');
      i++;
    } else if (o === 'MAXDELETEDID' && more) {
      maxDeleted = parseStreamId(arg(argv, i + 1), 0n, true).id;
      if (id < maxDeleted) throw new ReplyError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      i++;
    } else throw new ReplyError(SYNTAX);
  }
  const k = key(argv, 1);
  const s = lookupStream(c.db, k);
  if (!s) throw new ReplyError('ERR no such key');
  if (id < s.maxDeletedId) throw new ReplyError('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
  if (s.length > 0) {
    if (id < (s.lastEntryId() as string)) throw new ReplyError('ERR The ID specified in XSETID is smaller than the target stream top item');
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) throw new ReplyError('ERR The entries_added specified in XSETID is smaller than the target stream length');
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (maxDeleted !== ID_ZERO) s.maxDeletedId = maxDeleted;
}

// ---------------------------------------------------------------------------------------------
// Consumer groups

function createConsumer(c: Context, group: ConsumerGroup, name: string): Consumer {
  const consumer: Consumer = { name, seenTime: c.now, activeTime: -1, pel: new Set() };
  group.consumers.set(name, consumer);
  return consumer;
}

/** Deletes a consumer and its pending entries (streamDelConsumer). */
function deleteConsumer(group: ConsumerGroup, consumer: Consumer): void {
  for (const id of consumer.pel) group.pel.delete(id);
  group.consumers.delete(consumer.name);
}

function xgroup(c: Context, argv: Uint8Array[]): void {
  const sub = opt(arg(argv, 1));
  if (argv.length === 2 && sub === 'HELP') return;
  if (argv.length < 4) throw new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${sub}'`);
  let mkstream = false;
  let entriesRead = -1n;
  for (let i = 5; i < argv.length;) {
    const o = opt(argv[i]);
    if (sub === 'CREATE' && o === 'MKSTREAM') {
      mkstream = true;
      i++;
    } else if ((sub === 'CREATE' || sub === 'SETID') && o === 'ENTRIESREAD' && i + 1 < argv.length) {
      entriesRead = int64(argv[i + 1] as Uint8Array);
      if (entriesRead < 0n && entriesRead !== -1n) throw new ReplyError('ERR value for ENTRIESREAD must be positive or -1');
      i += 2;
    } else throw new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${sub}'`);
  }
  const k = key(argv, 2);
  let s = lookupStream(c.db, k);
  const groupName = key(argv, 3);
  let group: ConsumerGroup | undefined;
  if (!mkstream) {
    if (!s) throw new ReplyError('ERR The XGROUP subcommand requires the key to exist.');
    group = s.groups.get(groupName);
    if (!group && (sub === 'SETID' || sub === 'CREATECONSUMER' || sub === 'DELCONSUMER')) throw new ReplyError('NOGROUP no such consumer group');
  }
  if (sub === 'CREATE' && argv.length >= 5 && argv.length <= 8) {
    const a = arg(argv, 4);
    let id: string;
    if (a.length === 1 && a[0] === 0x24) id = s ? s.lastId : ID_ZERO;
    else id = parseStreamId(a, 0n, true).id;
    if (!s) {
      s = new StreamValue();
      c.db.set(k, s);
    }
    if (s.groups.has(groupName)) throw new ReplyError('BUSYGROUP Consumer Group name already exists');
    s.groups.set(groupName, { name: groupName, lastId: id, entriesRead, pel: new Map(), consumers: new Map() });
  } else if (sub === 'SETID' && (argv.length === 5 || argv.length === 7)) {
    const a = arg(argv, 4);
    const g = group as ConsumerGroup;
    g.lastId = a.length === 1 && a[0] === 0x24 ? (s as StreamValue).lastId : parseStreamId(a, 0n, false).id;
    g.entriesRead = entriesRead;
  } else if (sub === 'DESTROY' && argv.length === 4) {
    if (group) (s as StreamValue).groups.delete(groupName);
  } else if (sub === 'CREATECONSUMER' && argv.length === 5) {
    const name = key(argv, 4);
    const g = group as ConsumerGroup;
    if (!g.consumers.has(name)) createConsumer(c, g, name);
  } else if (sub === 'DELCONSUMER' && argv.length === 5) {
    const g = group as ConsumerGroup;
    const consumer = g.consumers.get(key(argv, 4));
    if (consumer) deleteConsumer(g, consumer);
  } else throw new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${sub}'`);
}

function xack(c: Context, argv: Uint8Array[]): void {
  const s = lookupStream(c.db, key(argv, 1));
  const group = s?.groups.get(key(argv, 2));
  if (!s || !group) return;
  const ids: string[] = [];
  for (let j = 3; j < argv.length; j++) ids.push(parseStreamId(argv[j] as Uint8Array, 0n, true).id);
  for (const id of ids) {
    const nack = group.pel.get(id);
    if (!nack) continue;
    group.pel.delete(id);
    if (nack.consumer !== undefined) group.consumers.get(nack.consumer)?.pel.delete(id);
  }
}

/** Looks the consumer up (refreshing its seen time) or creates it: streamLookupConsumer + streamCreateConsumer. */
function consumerFor(c: Context, group: ConsumerGroup, name: string): Consumer {
  const existing = group.consumers.get(name);
  if (existing) {
    existing.seenTime = c.now;
    return existing;
  }
  return createConsumer(c, group, name);
}

/** Moves a pending entry to `consumer` (the shared part of XCLAIM and XAUTOCLAIM). */
function reassign(group: ConsumerGroup, id: string, nack: Nack, consumer: Consumer): void {
  if (nack.consumer !== consumer.name) {
    if (nack.consumer !== undefined) group.consumers.get(nack.consumer)?.pel.delete(id);
    consumer.pel.add(id);
    nack.consumer = consumer.name;
  }
}

function dropNack(group: ConsumerGroup, id: string, nack: Nack): void {
  group.pel.delete(id);
  if (nack.consumer !== undefined) group.consumers.get(nack.consumer)?.pel.delete(id);
}

function xclaim(c: Context, argv: Uint8Array[]): void {
  const s = lookupStream(c.db, key(argv, 1));
  const group = s?.groups.get(key(argv, 2));
  if (!s || !group) throw new ReplyError('NOGROUP No such key or consumer group');
  let minIdle = int64(arg(argv, 4), 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minIdle < 0n) minIdle = 0n;
  const ids: string[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    try {
      ids.push(parseStreamId(argv[j] as Uint8Array, 0n, true).id);
    } catch {
      break;
    }
  }
  const now = c.now;
  let retryCount = -1n;
  let deliveryTime = -1n;
  let force = false;
  let justId = false;
  let lastId = ID_ZERO;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = opt(argv[j]);
    if (o === 'FORCE') force = true;
    else if (o === 'JUSTID') justId = true;
    else if (o === 'IDLE' && more) {
      deliveryTime = BigInt(now) - int64(argv[++j] as Uint8Array, 'ERR Invalid IDLE option argument for XCLAIM');
    } else if (o === 'TIME' && more) {
      deliveryTime = int64(argv[++j] as Uint8Array, 'ERR Invalid TIME option argument for XCLAIM');
    } else if (o === 'RETRYCOUNT' && more) {
      retryCount = int64(argv[++j] as Uint8Array, 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
    } else if (o === 'LASTID' && more) {
      lastId = parseStreamId(argv[++j] as Uint8Array, 0n, true).id;
    } else throw new ReplyError(`ERR Unrecognized XCLAIM option '${String.fromCharCode(...(argv[j] as Uint8Array))}'`);
  }
  if (lastId > group.lastId) group.lastId = lastId;
  const when = deliveryTime === -1n || deliveryTime < 0n || deliveryTime > BigInt(now) ? now : Number(deliveryTime);
  const name = key(argv, 3);
  let consumer: Consumer | undefined;
  for (const id of ids) {
    let nack = group.pel.get(id);
    if (!s.has(id)) {
      if (nack) dropNack(group, id, nack);
      continue;
    }
    if (force && !nack) {
      nack = { deliveryTime: now, deliveryCount: 1n, consumer: undefined };
      group.pel.set(id, nack);
    }
    if (!nack) continue;
    if (nack.consumer !== undefined && minIdle > 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
    consumer ??= consumerFor(c, group, name);
    nack.deliveryTime = when;
    if (retryCount >= 0n) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    reassign(group, id, nack, consumer);
    consumer.activeTime = now;
  }
}

function xautoclaim(c: Context, argv: Uint8Array[]): void {
  let minIdle = int64(arg(argv, 4), 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdle < 0n) minIdle = 0n;
  const startArg = arg(argv, 5);
  const exclusive = startArg.length > 1 && startArg[0] === 0x28;
  let start = parseStreamId(exclusive ? startArg.subarray(1) : startArg, 0n, exclusive).id;
  if (exclusive) {
    const n = nextId(start);
    if (n === undefined) throw new ReplyError('ERR invalid start ID for the interval');
    start = n;
  }
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const o = opt(argv[j]);
    if (o === 'COUNT' && argv.length - 1 - j > 0) {
      count = intInRange(argv[++j] as Uint8Array, 1, Number(INT64_MAX / 10n), 'ERR COUNT must be > 0');
    } else if (o === 'JUSTID') justId = true;
    else throw new ReplyError(SYNTAX);
  }
  const s = lookupStream(c.db, key(argv, 1));
  const group = s?.groups.get(key(argv, 2));
  if (!s || !group) throw new ReplyError('NOGROUP No such key or consumer group');
  const name = key(argv, 3);
  let consumer: Consumer | undefined;
  let attempts = count * 10;
  const now = c.now;
  const pending = [...group.pel.keys()].filter((id) => id >= start).sort();
  for (const id of pending) {
    if (!(attempts-- > 0 && count > 0)) break;
    const nack = group.pel.get(id) as Nack;
    if (!s.has(id)) {
      dropNack(group, id, nack);
      count--;
      continue;
    }
    if (minIdle > 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
    consumer ??= consumerFor(c, group, name);
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    reassign(group, id, nack, consumer);
    count--;
    consumer.activeTime = now;
  }
}

/** streamRangeHasTombstones: whether a deleted entry may lie in [start, end] (from the metadata alone). */
function rangeHasTombstones(s: StreamValue, start: string | undefined, end: string | undefined): boolean {
  if (s.length === 0 || s.maxDeletedId === ID_ZERO) return false;
  if (s.firstId > s.maxDeletedId) return false;
  const a = start ?? ID_ZERO;
  const b = end ?? ID_MAX;
  return a <= s.maxDeletedId && s.maxDeletedId <= b;
}

/**
 * XREADGROUP (Redis writes it to AOFs as XCLAIM and XGROUP; replayed here for AOFs that hold it): delivers
 * new entries (`>`) or re-delivers the consumer's pending ones, at the replay clock. BLOCK never blocks.
 */
function xreadgroup(c: Context, argv: Uint8Array[]): void {
  let count = 0;
  let noack = false;
  let streamsAt = 0;
  let groupName: string | undefined;
  let consumerName: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = opt(argv[i]);
    if (o === 'BLOCK' && more) {
      if (int64(argv[++i] as Uint8Array, 'ERR timeout is not an integer or out of range') < 0n) throw new ReplyError('ERR timeout is negative');
    } else if (o === 'COUNT' && more) {
      const n = int64(argv[++i] as Uint8Array);
      count = n < 0n ? 0 : Number(n);
    } else if (o === 'STREAMS' && more) {
      streamsAt = i + 1;
      if ((argv.length - streamsAt) % 2 !== 0) throw new ReplyError('ERR Unbalanced \'xreadgroup\' list of streams');
      break;
    } else if (o === 'GROUP' && more >= 2) {
      groupName = key(argv, i + 1);
      consumerName = key(argv, i + 2);
      i += 2;
    } else if (o === 'NOACK') noack = true;
    else throw new ReplyError(SYNTAX);
  }
  if (streamsAt === 0) throw new ReplyError(SYNTAX);
  if (groupName === undefined || consumerName === undefined) throw new ReplyError('ERR Missing GROUP option for XREADGROUP');
  const n = (argv.length - streamsAt) / 2;
  const targets: { s: StreamValue; group: ConsumerGroup; after: string | undefined }[] = [];
  for (let i = 0; i < n; i++) {
    const s = lookupStream(c.db, key(argv, streamsAt + i));
    const group = s?.groups.get(groupName);
    if (!s || !group) throw new ReplyError('NOGROUP No such key or consumer group in XREADGROUP with GROUP option');
    const a = argv[streamsAt + n + i] as Uint8Array;
    if (a.length === 1 && (a[0] === 0x24 || a[0] === 0x2b)) throw new ReplyError('ERR The $ and + IDs are meaningless in the context of XREADGROUP');
    const after = a.length === 1 && a[0] === 0x3e ? undefined : parseStreamId(a, 0n, true).id;
    targets.push({ s, group, after });
  }
  const now = c.now;
  for (const { s, group, after } of targets) {
    let consumer = group.consumers.get(consumerName);
    if (!consumer) consumer = createConsumer(c, group, consumerName);
    consumer.seenTime = now;
    if (after !== undefined) {
      // The consumer's own history: pending entries after the ID get a new delivery.
      const start = nextId(after) ?? ID_MAX;
      let served = 0;
      for (const id of [...consumer.pel].sort()) {
        if (id < start) continue;
        if (count && served >= count) break;
        served++;
        if (!s.has(id)) continue;
        const nack = group.pel.get(id) as Nack;
        nack.deliveryTime = now;
        nack.deliveryCount++;
      }
      continue;
    }
    const lastEntry = s.lastEntryId();
    if (s.length === 0 || lastEntry === undefined || lastEntry <= group.lastId) continue;
    const start = nextId(group.lastId) ?? ID_MAX;
    let served = 0;
    for (const e of s.range(start, ID_MAX)) {
      if (e.id > group.lastId) {
        // Redis 7.0's rule (7.2 also requires the group's last ID to be at or after the first entry).
        if (group.entriesRead !== -1n && !rangeHasTombstones(s, e.id, undefined)) group.entriesRead++;
        else if (s.entriesAdded) group.entriesRead = s.estimateDistanceFromFirstEverEntry(e.id);
        group.lastId = e.id;
      }
      if (!noack) {
        const existing = group.pel.get(e.id);
        if (existing) {
          if (existing.consumer !== undefined) group.consumers.get(existing.consumer)?.pel.delete(e.id);
          existing.consumer = consumer.name;
          existing.deliveryTime = now;
          existing.deliveryCount = 1n;
        } else group.pel.set(e.id, { deliveryTime: now, deliveryCount: 1n, consumer: consumer.name });
        consumer.pel.add(e.id);
        consumer.activeTime = now;
      }
      served++;
      if (count && served === count) break;
    }
  }
}

/** The write commands of t_stream.c. */
export const streamCommands: Record<string, Handler> = {
  xadd,
  xtrim,
  xdel,
  xsetid,
  xgroup,
  xack,
  xclaim,
  xautoclaim,
  xreadgroup,
};
