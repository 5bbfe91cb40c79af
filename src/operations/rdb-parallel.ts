import { existsSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ByteReader } from '../bytes/reader.js';
import { ChecksumError, ioError, RedbackError, TruncatedError } from '../errors.js';
import { fileCrc64 } from '../io/file-crc.js';
import { openInput } from '../io/open.js';
import { REDIS_RDB_VERSION_MAX, RdbOpcode, RdbType, VALKEY_RDB_VERSIONS, typeInfo } from '../rdb/constants.js';
import type { KeyEndRecord, KeyRecord, RdbRecord } from '../rdb/model.js';
import { u32le } from '../rdb/blob-common.js';
import { RdbParser } from '../rdb/parser.js';
import { describeFailure, mergeSummaries, summarizeInput } from './rdb-summary.js';
import type { CrcMessage, CrcTask } from './crc-worker.js';
import type { RdbSummary } from './rdb-summary.js';

/**
 * Reading one RDB with several threads. An RDB is a sequence of records with no index, so a reader cannot
 * simply start in the middle — but it can guess: from a point in the middle of the file, try to parse at
 * each byte until a run of records parses cleanly, and call that a boundary. Each thread then reads its part
 * (the first from the header, the others from their boundary), and stops as soon as it reaches, exactly
 * between two records, a boundary where another part starts.
 *
 * A guess is only ever a shortcut, never trusted: a part counts only if the part before it ended exactly at
 * its start. When a guess was wrong (a boundary found inside a value whose bytes happen to parse), the part
 * before it does not meet it, reads on to the next boundary, and the wrongly started part is dropped. The
 * merged result is therefore exactly what one pass gives — same counts, same first error at the same offset —
 * only sooner. The CRC is computed per part and combined.
 */

/** Options of {@link summarizeRdbFile}. */
export interface FileSummaryOptions {
  /** The name to report (default: the path). */
  name?: string;
  now: number;
  detail: boolean;
  top?: number;
  /** Receives every key in file order; forces a single pass. */
  onKey?: (key: KeyRecord, end: KeyEndRecord) => void;
  /** Bytes read so far (of all parts) and the total. */
  onProgress?: (done: number, total: number | undefined) => void;
  /** Threads to use (default 1: one pass in this thread; at most 8, and twice the cores). */
  threads?: number;
  /** Smallest part of the file read on its own (default 16 MiB). */
  minPartBytes?: number;
  /** With false, a single pass computes the CRC itself instead of on a second thread (default true). */
  crcThread?: boolean;
  /** Smallest file whose CRC a single pass leaves to a second thread (default 16 MiB). */
  crcThreadMinBytes?: number;
  /** Receives a line per boundary search and per part read (for tuning). */
  onTrace?: (line: string) => void;
}

/** A summary of a whole file, with how it was read. */
export interface FileSummary {
  summary: RdbSummary;
  size: number;
  compressed: boolean;
  /** Parts read in parallel (1 for a single pass). */
  parts: number;
}

/** What a part worker is asked to do. */
export interface PartTask {
  path: string;
  name: string;
  start: number;
  resume: { magic: 'REDIS' | 'VALKEY'; version: number; offset: number } | undefined;
  stopAt: number[];
  now: number;
  detail: boolean;
  top: number;
}

/** What the pool asks of a part worker: read a part, or also stop at these boundaries (found later). */
export type PartRequest = { type: 'part'; id: number; task: PartTask } | { type: 'stops'; offsets: number[] };

/** What a part worker posts. */
export type PartMessage = { type: 'progress'; id: number; offset: number } | { type: 'done'; id: number; summary: RdbSummary };

const DEFAULT_MIN_PART = 16 << 20;
/** Parts per thread: smaller parts even out how long each takes (the cost per byte varies by type). */
const PARTS_PER_THREAD = 4;
/** Young generation of a worker: small, as a parse makes short-lived garbage only. */
const YOUNG_GENERATION_MB = 8;
const MAX_THREADS = 8;
/** Bytes searched for a boundary after each guess. */
const SEARCH_WINDOW = 2 << 20;
/** Records that must parse cleanly from a candidate boundary. */
const SYNC_KEYS = 16;
/** Or: keys and bytes that must parse cleanly when the window ends first (large keys). */
const SYNC_MIN_KEYS = 2;
const SYNC_MIN_BYTES = 256 * 1024;
/**
 * Parse attempts and time given to the search after one guess (inside a huge key there is no boundary to
 * find). Candidates that pass {@link plausibleRecord} are a few thousand per MiB.
 */
const SEARCH_TRIES = 5_000;
/** A part with less than this left to read is not split. */
const MIN_SPLIT = 8 << 20;
const SEARCH_MS = 250;

/**
 * Summarizes an RDB file, in parallel parts when it is large and the machine has cores to spare, otherwise in
 * one pass. The result does not depend on the number of threads. Throws {@link InputOutputError} when the
 * file cannot be read; problems in the file are in `summary.error`.
 */
export async function summarizeRdbFile(path: string, options: FileSummaryOptions): Promise<FileSummary> {
  const name = options.name ?? path;
  const top = options.top ?? 10;
  const input = await openInput(path, name, { reuseBuffer: true });
  const size = input.fileSize;
  const compressed = input.compressed;
  const threads = Math.max(1, Math.min(options.threads ?? 1, MAX_THREADS, availableParallelism() * 2));
  const minPart = options.minPartBytes ?? DEFAULT_MIN_PART;
  const parts = threads < 2 ? 1 : Math.min(threads * PARTS_PER_THREAD, Math.floor(size / Math.max(1, minPart)));
  const workerUrl = parts >= 2 && !compressed && options.onKey === undefined ? workerScript('rdb-part-worker.js') : undefined;
  if (workerUrl) {
    const header = await input.fill(9).then(() => readHeader(input.reader()));
    if (header) {
      await input.close();
      const hints: number[] = [];
      for (let i = 1; i < parts; i++) hints.push(Math.floor((size * i) / parts));
      const read = await readInParts(workerUrl, { path, name, size, header, hints, threads, top, options });
      return { summary: read.summary, size, compressed, parts: read.parts };
    }
  }
  // One pass; on a large plain file the CRC is computed by a second thread meanwhile (it is independent
  // of the parse: the bytes before the stored checksum, which ends the file in the usual layout).
  const crcUrl = !compressed && size >= (options.crcThreadMinBytes ?? CRC_THREAD_MIN) && size > 9 && options.crcThread !== false ? workerScript('crc-worker.js') : undefined;
  const crcWorker = crcUrl ? startCrc(crcUrl, path, size - 8) : undefined;
  try {
    const summary = await summarizeInput(input, {
      now: options.now,
      detail: options.detail,
      top,
      onKey: options.onKey,
      verifyChecksum: crcWorker === undefined,
      onProgress: (offset) => options.onProgress?.(offset, compressed ? undefined : size),
    });
    if (crcWorker) await settleChecksum(summary, crcWorker, path, name);
    return { summary, size, compressed, parts: 1 };
  } finally {
    await crcWorker?.worker.terminate();
    await input.close();
  }
}

/** Files from this size on have their CRC computed by a second thread in a single pass. */
const CRC_THREAD_MIN = 16 << 20;

interface CrcRun {
  worker: Worker;
  /** The CRC of [0, end), or undefined when the worker could not compute it. */
  result: Promise<bigint | undefined>;
  end: number;
}

function startCrc(url: URL, path: string, end: number): CrcRun {
  const worker = new Worker(url, { workerData: { path, end } satisfies CrcTask, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
  const result = new Promise<bigint | undefined>((resolve) => {
    worker.once('message', (message: CrcMessage) => resolve('crc' in message ? message.crc : undefined));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  return { worker, result, end };
}

/**
 * Compares the stored checksum of a pass that read with `verifyChecksum: false` with the CRC computed beside
 * it, and records the verdict as the pass itself would have: 'ok', or a checksum error at the stored value.
 * When the file is not laid out as the worker assumed (bytes after the checksum) or the worker failed, the
 * CRC is computed here.
 */
async function settleChecksum(summary: RdbSummary, run: CrcRun, path: string, name: string): Promise<void> {
  const stored = summary.storedChecksum;
  if (!summary.done || summary.error !== undefined || stored === undefined || summary.checksum !== 'skipped') return;
  let crc = stored.offset === run.end ? await run.result : undefined;
  crc ??= await fileCrc64(path, stored.offset, name);
  if (crc === stored.value) {
    summary.checksum = 'ok';
    return;
  }
  summary.checksum = undefined;
  summary.done = false;
  summary.okUpTo = stored.offset - 1;
  summary.error = describeFailure(new ChecksumError(stored.value, crc, { file: name, offset: stored.offset }));
}


/** A compiled worker script beside this module; undefined when there is none (running from sources without a build). */
function workerScript(file: string): URL | undefined {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL(`../../dist/src/operations/${file}`, here) : new URL(`./${file}`, here);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

export interface Header {
  magic: 'REDIS' | 'VALKEY';
  version: number;
}

/** The magic and version when the header is one we read; undefined otherwise (the single pass reports it). */
function readHeader(r: ByteReader): Header | undefined {
  const out: RdbRecord[] = [];
  try {
    new RdbParser({ verifyChecksum: false }).step(r, out);
  } catch {
    return undefined;
  }
  const record = out[0];
  if (record?.kind !== 'header') return undefined;
  const known = record.magic === 'REDIS' ? record.version <= REDIS_RDB_VERSION_MAX : (VALKEY_RDB_VERSIONS as readonly number[]).includes(record.version);
  return known ? { magic: record.magic, version: record.version } : undefined;
}

/**
 * Bytes that may start a record where a part begins: the type bytes the file's version allows, and the
 * opcodes that precede keys (expiry, LRU/LFU, SELECTDB, RESIZEDB). The rarer top-level records (AUX, functions,
 * module AUX, slot info) are simply never chosen as a part's start.
 */
export function startBytes(header: Header): Uint8Array {
  const table = new Uint8Array(256);
  for (let code = 0; code < 0xf0; code++) {
    const info = typeInfo(code, header.magic);
    if (!info || code === RdbType.MODULE_PRE_GA) continue;
    if (header.magic === 'REDIS' && info.sinceVersion > 10 && info.sinceVersion > header.version) continue;
    table[code] = 1;
  }
  for (const code of [RdbOpcode.EXPIRETIME_MS, RdbOpcode.EXPIRETIME, RdbOpcode.IDLE, RdbOpcode.FREQ, RdbOpcode.SELECTDB, RdbOpcode.RESIZEDB]) table[code] = 1;
  return table;
}

/**
 * Guesses a record boundary at or after `hint` (see {@link searchBoundary}); `at` is undefined when none
 * was found in the `scanned` bytes after it.
 */
async function findBoundary(
  handle: FileHandle,
  name: string,
  size: number,
  hint: number,
  header: Header,
  starts: Uint8Array,
): Promise<{ at: number | undefined; scanned: number }> {
  const window = new Uint8Array(Math.min(SEARCH_WINDOW, Math.max(0, size - hint)));
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(window, 0, window.length, hint));
  } catch (error) {
    throw ioError(error, name);
  }
  // Failed guesses throw by the thousand; without stack traces they are cheap.
  const savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return searchBoundary(window.subarray(0, bytesRead), hint, header, starts, hint + bytesRead >= size);
  } finally {
    Error.stackTraceLimit = savedLimit;
  }
}

/**
 * A record boundary in `data` (at absolute `base`): the first offset from which a run of records parses
 * cleanly, or rather the boundary at the end of that run. `scanned` says how far the search went.
 */
function searchBoundary(data: Uint8Array, base: number, header: Header, starts: Uint8Array, atFileEnd: boolean): { at: number | undefined; scanned: number } {
  const out: RdbRecord[] = [];
  const deadline = performance.now() + SEARCH_MS;
  let tries = 0;
  for (let q = 0; q < data.length; q++) {
    if (starts[data[q] as number] !== 1 || !plausibleRecord(data, q, starts)) continue;
    if (++tries > SEARCH_TRIES || ((tries & 63) === 0 && performance.now() > deadline)) return { at: undefined, scanned: q };
    const parser = new RdbParser({ resume: { ...header, offset: base + q, db: -1 }, verifyChecksum: false, materialize: false });
    const r = new ByteReader(data, { pos: q, base });
    let keys = 0;
    // The last point between two records, and the keys read by then.
    let clean = base + q;
    let cleanKeys = 0;
    try {
      for (;;) {
        parser.step(r, out);
        for (const record of out) if (record.kind === 'key-end') keys++;
        out.length = 0;
        // Reaching the EOF opcode first: too close to the end to be worth a part (or not a boundary).
        if (parser.done) break;
        if (!parser.clean) continue;
        clean = parser.committedOffset;
        cleanKeys = keys;
        // Not q itself but the boundary after the run: a false start inside a value usually falls into
        // step with the real records within a few keys, so this point is far more likely a real boundary.
        if (keys >= SYNC_KEYS) return { at: clean, scanned: q };
      }
    } catch (error) {
      out.length = 0;
      if (error instanceof TruncatedError && !atFileEnd && cleanKeys >= SYNC_MIN_KEYS && clean - (base + q) >= SYNC_MIN_BYTES) {
        return { at: clean, scanned: q };
      }
      if (!(error instanceof RedbackError) && !(error instanceof RangeError)) throw error;
    }
  }
  return { at: undefined, scanned: data.length };
}

interface PartsJob {
  path: string;
  name: string;
  size: number;
  header: Header;
  /** Where to look first for boundaries that start parts. */
  hints: number[];
  threads: number;
  top: number;
  options: FileSummaryOptions;
}

/**
 * Reads a file in parts on a pool of workers and merges the chain of parts that meet. Part 0 starts at once;
 * meanwhile boundaries are searched for after each hint, and each one found starts a new part and is sent to
 * the running workers as a place to stop. Whenever a worker is idle with no part waiting, the part with the
 * most left to read is split in two the same way, so that the threads finish together.
 */
async function readInParts(url: URL, job: PartsJob): Promise<{ summary: RdbSummary; parts: number }> {
  const { path, name, size, header, options, top } = job;
  /** Part starts, ascending; a part is known by its start. */
  const starts: number[] = [0];
  const results = new Map<number, RdbSummary>();
  /** How far each started part has read. */
  const reached = new Map<number, number>();
  const waiting: number[] = [0];
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  const hints = job.hints.slice();
  /** Ranges searched for a boundary already. */
  const searched: [number, number][] = [];
  let searching = false;
  let settled = false;
  let lastProgress = 0;
  const began = performance.now();
  const progress = (): void => {
    const now = Date.now();
    if (!options.onProgress || now - lastProgress < 50) return;
    lastProgress = now;
    let done = 0;
    for (const [start, offset] of reached) done += offset - start;
    options.onProgress(Math.min(done, size), size);
  };
  const after = (start: number): number => starts.find((other) => other > start) ?? size;
  const task = (start: number): PartTask => ({
    path,
    name,
    start,
    resume: start === 0 ? undefined : { ...header, offset: start },
    stopAt: starts.filter((other) => other > start),
    now: options.now,
    detail: options.detail,
    top,
  });
  let handle: FileHandle | undefined;
  try {
    return await new Promise<{ summary: RdbSummary; parts: number }>((resolve, reject) => {
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      /** Merges the chain of parts from 0 once every part in it is known. */
      const settle = (): void => {
        if (settled) return;
        const chain: RdbSummary[] = [];
        for (let start = 0; ; ) {
          const part = results.get(start);
          if (!part) return;
          chain.push(part);
          if (part.stoppedAt === undefined) break;
          start = part.stoppedAt;
        }
        settled = true;
        resolve({ summary: mergeSummaries(chain, name, top), parts: chain.length });
      };
      const dispatch = (): void => {
        while (!settled && idle.length > 0 && waiting.length > 0) {
          const start = waiting.shift() as number;
          const worker = idle.pop() as Worker;
          reached.set(start, start);
          worker.postMessage({ type: 'part', id: start, task: task(start) } satisfies PartRequest);
        }
        if (!settled && idle.length > 0 && waiting.length === 0) void search();
      };
      /** The next place to look for a boundary: a hint, or the middle of what the busiest part has left. */
      const nextHint = (): { hint: number; limit: number } | undefined => {
        while (hints.length > 0) {
          const hint = hints.shift() as number;
          if (!starts.includes(hint)) return { hint, limit: after(hint) };
        }
        // Split the part with the most left, near the middle of what it has left, away from places
        // searched before.
        let best: { hint: number; limit: number } | undefined;
        let most = MIN_SPLIT;
        for (const [start, offset] of reached) {
          if (results.has(start)) continue;
          const end = after(start);
          const from = offset + MIN_SPLIT / 4;
          const to = end - MIN_SPLIT / 4;
          if (end - offset <= most) continue;
          const middle = Math.floor((from + to) / 2);
          for (let distance = 0; middle - distance >= from || middle + distance <= to; distance += SEARCH_WINDOW) {
            const hint = [middle + distance, middle - distance].find(
              (h) => h >= from && h <= to && !searched.some(([a, b]) => h >= a && h < b),
            );
            if (hint === undefined) continue;
            most = end - offset;
            best = { hint, limit: end };
            break;
          }
        }
        return best;
      };
      const search = async (): Promise<void> => {
        if (searching) return;
        searching = true;
        try {
          handle ??= await openFile(path, 'r').catch((error: unknown) => {
            throw ioError(error, name);
          });
          const startTable = startBytes(header);
          for (;;) {
            // The first hints are searched at once; splits only when a worker has nothing to do.
            if (settled || (hints.length === 0 && (idle.length === 0 || waiting.length > 0))) break;
            const next = nextHint();
            if (!next) break;
            const { at: found, scanned } = await findBoundary(handle, name, size, next.hint, header, startTable);
            searched.push([next.hint, next.hint + Math.max(scanned, 1)]);
            options.onTrace?.(`search at ${next.hint}: ${found ?? 'none'} (${scanned} bytes), ${(performance.now() - began).toFixed(0)} ms`);
            if (found === undefined || found >= next.limit || starts.includes(found)) continue;
            starts.push(found);
            starts.sort((a, b) => a - b);
            waiting.push(found);
            waiting.sort((a, b) => a - b);
            for (const worker of workers) if (!idle.includes(worker)) worker.postMessage({ type: 'stops', offsets: [found] } satisfies PartRequest);
            dispatch();
          }
        } finally {
          searching = false;
        }
      };
      for (let w = 0; w < job.threads; w++) {
        const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
        workers.push(worker);
        idle.push(worker);
        worker.on('message', (message: PartMessage) => {
          if (message.type === 'progress') {
            reached.set(message.id, message.offset);
            progress();
            return;
          }
          const part = message.summary;
          options.onTrace?.(`part [${part.start}, ${part.stoppedAt ?? 'end'}) ${part.keys} keys, done at ${(performance.now() - began).toFixed(0)} ms`);
          results.set(message.id, part);
          reached.set(message.id, part.okUpTo);
          idle.push(worker);
          settle();
          dispatch();
        });
        worker.on('error', fail);
        worker.on('exit', (code) => fail(new Error(`internal: RDB part worker exited with code ${code}`)));
      }
      dispatch();
    });
  } finally {
    await handle?.close();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/**
 * Where the RDB string at `p` ends, or -1 when its first bytes cannot start one; `data.length` when they may
 * but it runs past the data. Checks only the encoding byte and lengths.
 */
function stringEnd(data: Uint8Array, p: number): number {
  const end = data.length;
  if (p >= end) return end;
  const first = data[p] as number;
  switch (first >> 6) {
    case 0:
      return Math.min(end, p + 1 + first);
    case 1:
      return p + 1 >= end ? end : Math.min(end, p + 2 + (((first & 0x3f) << 8) | (data[p + 1] as number)));
    case 2:
      if (first !== 0x80) return -1; // a 64-bit string length is no real string
      return p + 4 >= end ? end : Math.min(end, p + 5 + u32be(data, p + 1));
    default: {
      const encoding = first & 0x3f;
      if (encoding <= 2) return Math.min(end, p + 2 + (encoding === 0 ? 0 : encoding === 1 ? 1 : 3));
      if (encoding !== 3) return -1;
      // LZF: compressed length, then original length; Redis keeps the result only when it is smaller.
      const [compressed, afterCompressed] = smallLength(data, p + 1);
      if (afterCompressed === -2) return end;
      if (afterCompressed < 0 || compressed === 0) return -1;
      const [original, afterOriginal] = smallLength(data, afterCompressed);
      if (afterOriginal === -2) return end;
      if (afterOriginal < 0 || original <= compressed || original > compressed * 88) return -1;
      return Math.min(end, afterOriginal + compressed);
    }
  }
}

/** A 6/14/32-bit RDB length at p and the position after it; position -1 when invalid, -2 past the data. */
function smallLength(data: Uint8Array, p: number): [number, number] {
  if (p >= data.length) return [0, -2];
  const first = data[p] as number;
  const kind = first >> 6;
  if (kind === 0) return [first, p + 1];
  if (kind === 1) return p + 1 >= data.length ? [0, -2] : [((first & 0x3f) << 8) | (data[p + 1] as number), p + 2];
  if (first === 0x80) return p + 4 >= data.length ? [0, -2] : [u32be(data, p + 1), p + 5];
  return [0, -1];
}

function u32be(data: Uint8Array, p: number): number {
  return (data[p] as number) * 0x1000000 + (((data[p + 1] as number) << 16) | ((data[p + 2] as number) << 8) | (data[p + 3] as number));
}


/** For a plain (not LZF) blob string at p: does its start look like what `type` keeps in it? */
function plausibleBlob(data: Uint8Array, p: number, type: number): boolean {
  if (p >= data.length) return true;
  const first = data[p] as number;
  if (first >> 6 === 3) return (first & 0x3f) === 3; // LZF-compressed: nothing to look at cheaply
  const [length, at] = smallLength(data, p);
  if (at < 0) return at === -2;
  if (length === 0) return false;
  const last = at + length - 1;
  if (last < data.length && data[last] !== 0xff && type !== RdbType.SET_INTSET) return false;
  if (at + 8 > data.length) return true;
  switch (type) {
    case RdbType.SET_INTSET: {
      const width = u32le(data, at);
      return (width === 2 || width === 4 || width === 8) && 8 + width * u32le(data, at + 4) === length;
    }
    case RdbType.HASH_ZIPMAP:
      return true;
    default:
      // listpack and ziplist both start with their total size
      return u32le(data, at) === length;
  }
}

/**
 * A cheap test, without exceptions, that a top-level record could start at q: prefix opcodes, a type, a
 * key name and the start of the value must look right, and where the value's end is known cheaply (strings,
 * blobs, short collections), so must the next record (`depth` records in all). Most bytes inside values fail
 * it, which spares the search a full parse attempt at each. It may pass what is not a record; it must not
 * fail one that {@link startBytes} allows.
 */
export function plausibleRecord(data: Uint8Array, q: number, starts: Uint8Array, depth = 3): boolean {
  if (q >= data.length) return true;
  // The record after: any top-level opcode may follow a key (AUX, MODULE_AUX, functions… are not part
  // starts but may come next).
  const next = (at: number): boolean =>
    at >= data.length || depth <= 1 || ((data[at] as number) >= RdbOpcode.KEY_META_OR_SLOT_IMPORT && starts[data[at] as number] !== 1) || plausibleRecord(data, at, starts, depth - 1);
  let p = q;
  const first = data[p] as number;
  if (starts[first] !== 1) return false;
  if (first === RdbOpcode.SELECTDB) {
    const [, at] = smallLength(data, p + 1);
    return at === -2 || (at >= 0 && next(at));
  }
  if (first === RdbOpcode.RESIZEDB) {
    const [, at1] = smallLength(data, p + 1);
    if (at1 === -1) return false;
    if (at1 === -2) return true;
    const [, at2] = smallLength(data, at1);
    return at2 === -2 || (at2 >= 0 && next(at2));
  }
  for (let prefixes = 0; prefixes < 4; prefixes++) {
    const code = data[p] as number;
    if (code === RdbOpcode.EXPIRETIME_MS) {
      // milliseconds since 1970 below 2^48 (the year 10889): the two high bytes are 0
      if (p + 8 < data.length && (data[p + 8] !== 0 || data[p + 7] !== 0)) return false;
      p += 9;
    } else if (code === RdbOpcode.EXPIRETIME) p += 5;
    else if (code === RdbOpcode.FREQ) p += 2;
    else if (code === RdbOpcode.IDLE) {
      const [, at] = smallLength(data, p + 1);
      if (at === -1) return false;
      p = at < 0 ? data.length : at;
    } else break;
    if (p >= data.length) return true;
  }
  const type = data[p] as number;
  if (type >= 0xf0 || starts[type] !== 1) return false; // after prefixes, a type must follow
  const v = stringEnd(data, p + 1);
  if (v < 0) return false;
  if (v >= data.length) return true;
  switch (type) {
    case RdbType.STRING: {
      const end = stringEnd(data, v);
      return end >= 0 && next(end);
    }
    case RdbType.LIST:
    case RdbType.SET:
    case RdbType.ZSET:
    case RdbType.HASH:
    case RdbType.ZSET_2: {
      const [count, at] = smallLength(data, v);
      if (at === -2) return true;
      if (at < 0 || count === 0) return false;
      // Walk the first few elements: strings, and the score after a zset member.
      const strings = type === RdbType.HASH ? 2 : 1;
      let e = at;
      for (let i = 0; i < Math.min(count, 4); i++) {
        for (let k = 0; k < strings; k++) {
          e = stringEnd(data, e);
          if (e < 0) return false;
          if (e >= data.length) return true;
        }
        if (type === RdbType.ZSET_2) {
          e += 8;
        } else if (type === RdbType.ZSET) {
          const length = data[e] as number;
          if (length > 32 && length < 253) return false;
          e += 1 + (length >= 253 ? 0 : length);
        }
        if (e >= data.length) return true;
      }
      return count > 4 || next(e);
    }
    case RdbType.LIST_QUICKLIST: {
      const [count, at] = smallLength(data, v);
      if (at === -2) return true;
      return at >= 0 && count > 0 && plausibleBlob(data, at, RdbType.LIST_ZIPLIST);
    }
    case RdbType.LIST_QUICKLIST_2: {
      const [count, at] = smallLength(data, v);
      if (at === -2 || at + 1 >= data.length) return at !== -1;
      if (at < 0 || count === 0) return false;
      let e = at;
      for (let i = 0; i < Math.min(count, 4); i++) {
        const container = data[e] as number;
        if (container !== 1 && (container !== 2 || !plausibleBlob(data, e + 1, RdbType.LIST_QUICKLIST_2))) return false;
        e = stringEnd(data, e + 1);
        if (e < 0) return false;
        if (e + 1 >= data.length) return true;
      }
      return count > 4 || next(e);
    }
    case RdbType.HASH_ZIPMAP:
    case RdbType.LIST_ZIPLIST:
    case RdbType.SET_INTSET:
    case RdbType.ZSET_ZIPLIST:
    case RdbType.HASH_ZIPLIST:
    case RdbType.HASH_LISTPACK:
    case RdbType.ZSET_LISTPACK:
    case RdbType.SET_LISTPACK: {
      if (!plausibleBlob(data, v, type)) return false;
      const end = stringEnd(data, v);
      return end >= 0 && next(end);
    }
    case RdbType.STREAM_LISTPACKS:
    case RdbType.STREAM_LISTPACKS_2:
    case RdbType.STREAM_LISTPACKS_3: {
      const [count, at] = smallLength(data, v);
      if (at === -2 || at >= data.length) return at !== -1;
      if (at < 0) return false;
      return count === 0 || data[at] === 16; // a node key is a 16-byte stream ID
    }
    case RdbType.MODULE_2:
      return data[v] === 0x81; // a module type id needs all 64 bits
    default:
      return true;
  }
}
