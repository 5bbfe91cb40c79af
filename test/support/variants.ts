/**
 * Corrupted variants of RDB files, and a runner for redis-check-rdb, for differential tests
 * that compare our verdict with Redis's.
 *
 * - `findRdbCorpus` discovers RDB files by their magic (content-deduplicated).
 * - `truncations` / `flips` describe variants deterministically (seeded by the file's content);
 *   `applyVariant` materializes one.
 * - `runRedisCheckRdb` runs the tool with a hard timeout; `mapPool` bounds concurrency.
 */
// cspell:words mulberry

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import { readdir, readFile, open } from 'node:fs/promises';
import path from 'node:path';
import { crc64 } from '../../src/codecs/crc64.js';

// ---------------------------------------------------------------------------------------------
// Corpus

/** One RDB file of the corpus. */
export interface CorpusFile {
  /** Absolute path of the first copy found. */
  path: string;
  /** Short name for reports (path relative to its root, prefixed with the root's label). */
  name: string;
  /** Other copies with identical content (short names). */
  aliases: string[];
  magic: 'REDIS' | 'VALKEY';
  /** The 4 digits after REDIS (or the 3 after VALKEY). */
  version: number;
  size: number;
  sha1: string;
}

/** A directory to search, with the label its files are reported under. */
export interface CorpusRoot {
  dir: string;
  label: string;
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

async function readMagic(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(9);
    const { bytesRead } = await handle.read(head, 0, 9, 0);
    return head.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}

/**
 * Every file under `roots` that starts with `REDIS` + 4 digits or `VALKEY` + 3 digits, one entry
 * per distinct content (later copies become aliases), in a stable order.
 */
export async function findRdbCorpus(roots: readonly CorpusRoot[]): Promise<CorpusFile[]> {
  const byHash = new Map<string, CorpusFile>();
  for (const root of roots) {
    for await (const file of walk(root.dir)) {
      const magic = await readMagic(file);
      const redis = /^REDIS(\d{4})$/.exec(magic);
      const valkey = /^VALKEY(\d{3})$/.exec(magic);
      if (!redis && !valkey) continue;
      const data = await readFile(file);
      const sha1 = createHash('sha1').update(data).digest('hex');
      const name = `${root.label}/${path.relative(root.dir, file)}`;
      const seen = byHash.get(sha1);
      if (seen) {
        seen.aliases.push(name);
        continue;
      }
      byHash.set(sha1, {
        path: file,
        name,
        aliases: [],
        magic: redis ? 'REDIS' : 'VALKEY',
        version: Number((redis ?? valkey)?.[1]),
        size: data.length,
        sha1,
      });
    }
  }
  return [...byHash.values()];
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** A small deterministic PRNG (mulberry32): returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed derived from a hex digest (so a file's variants depend on its content only). */
export function seedFrom(hexDigest: string): number {
  return parseInt(hexDigest.slice(0, 8), 16) >>> 0;
}

/** An integer in [0, n). */
export function randomBelow(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

// ---------------------------------------------------------------------------------------------
// Variants

/** A corruption of a file. */
export type Variant =
  | { kind: 'original' }
  | { kind: 'truncate'; at: number }
  /** XOR of the byte at `at` with `xor` (non-zero); with `fixCrc`, the CRC64 trailer is then recomputed. */
  | { kind: 'flip'; at: number; xor: number; fixCrc?: { crcAt: number } };

/** A short, stable label: `original`, `truncate@123`, `flip@45^0x3c`, `flip+crc@45^0x3c`. */
export function variantLabel(variant: Variant): string {
  if (variant.kind === 'original') return 'original';
  if (variant.kind === 'truncate') return `truncate@${variant.at}`;
  const hex = `0x${variant.xor.toString(16).padStart(2, '0')}`;
  return `${variant.fixCrc ? 'flip+crc' : 'flip'}@${variant.at}^${hex}`;
}

/**
 * Truncation points: every offset when the file is shorter than `everyBelow`; otherwise `random`
 * seeded offsets plus the last `tail` offsets. Sorted, distinct, each in [0, size).
 */
export function truncations(size: number, seed: number, options: { everyBelow: number; random: number; tail: number }): Variant[] {
  const offsets = new Set<number>();
  if (size < options.everyBelow) {
    for (let at = 0; at < size; at++) offsets.add(at);
  } else {
    const random = seededRandom(seed ^ 0x7472756e);
    for (let i = 0; i < options.random; i++) offsets.add(randomBelow(random, size));
    for (let at = Math.max(0, size - options.tail); at < size; at++) offsets.add(at);
  }
  return [...offsets].sort((a, b) => a - b).map((at) => ({ kind: 'truncate', at }));
}

/**
 * Up to `count` single-byte flips: about half at `structural` positions (key headers, lengths,
 * the CRC trailer…; chosen at random among them), the rest at random positions. Each XORs a seeded
 * non-zero byte. Positions are distinct and inside [0, size).
 */
export function flips(size: number, seed: number, structural: readonly number[], count: number): Extract<Variant, { kind: 'flip' }>[] {
  const random = seededRandom(seed ^ 0x666c6970);
  const positions = new Set<number>();
  const candidates = [...new Set(structural.filter((at) => at >= 0 && at < size))];
  // Fisher-Yates on the structural candidates, then take the first half of the budget.
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = randomBelow(random, i + 1);
    [candidates[i], candidates[j]] = [candidates[j] as number, candidates[i] as number];
  }
  for (const at of candidates) {
    if (positions.size >= Math.ceil(count / 2)) break;
    positions.add(at);
  }
  for (let attempts = 0; positions.size < Math.min(count, size) && attempts < count * 20; attempts++) {
    positions.add(randomBelow(random, size));
  }
  return [...positions]
    .sort((a, b) => a - b)
    .map((at) => ({ kind: 'flip' as const, at, xor: 1 + randomBelow(random, 255) }));
}

/** The bytes of `variant` applied to `data` (`data` itself is never modified). */
export function applyVariant(data: Uint8Array, variant: Variant): Uint8Array {
  if (variant.kind === 'original') return data;
  if (variant.kind === 'truncate') return data.slice(0, variant.at);
  const out = data.slice();
  out[variant.at] = (out[variant.at] as number) ^ variant.xor;
  if (variant.fixCrc) {
    const { crcAt } = variant.fixCrc;
    const crc = crc64(out.subarray(0, crcAt));
    new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(crcAt, crc, true);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// redis-check-rdb

/** Absolute path of `name` on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What redis-check-rdb made of a file. */
export interface ToolVerdict {
  /** Exit code 0. A crash (signal) or a timeout counts as invalid. */
  valid: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The first line after `--- RDB ERROR DETECTED ---`, the crash banner, or ''. */
  errorLine: string;
  /** The `[additional info]` lines, joined with '; '. */
  info: string;
  stdout: string;
}

/** Runs `tool file`, killing it after `timeoutMs` (a hang is reported, never awaited forever). */
export function runRedisCheckRdb(tool: string, file: string, options: { cwd: string; timeoutMs: number }): Promise<ToolVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [file], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.split('\n');
      const marker = lines.findIndex((line) => line.includes('--- RDB ERROR DETECTED ---'));
      const crash = lines.find((line) => /REDIS BUG REPORT|crashed by signal|ASSERTION FAILED|Guru Meditation/.test(line));
      const errorLine = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : marker >= 0
          ? (lines[marker + 1] ?? '').trim()
          : (crash ?? (signal ? `killed by ${signal}` : code !== 0 ? `exit code ${code}` : '')).trim();
      const info = lines
        .filter((line) => line.startsWith('[additional info]'))
        .map((line) => line.slice('[additional info]'.length).trim())
        .join('; ');
      resolve({ valid: !timedOut && code === 0, code, signal, timedOut, errorLine, info, stdout });
    });
  });
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}
