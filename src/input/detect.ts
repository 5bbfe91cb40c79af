import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AofSet } from '../aof/set.js';
import { CorruptError, ioError } from '../errors.js';
import { readDecodedHead, sniffInput } from '../io/sniff.js';

/*
 * What a path is, decided once for every command. Deciding needs both formats (an AOF may start with an RDB
 * preamble, an AOF set names RDB and AOF files), so it lives above rdb/ and aof/.
 */

/** An RDB snapshot (plain or LZ4-framed). */
export interface RdbInputInfo {
  kind: 'rdb';
  /** The path to open. */
  path: string;
}

/** An AOF: one file (with or without an RDB preamble) or a Redis 7 multi-part set. */
export interface AofInputInfo {
  kind: 'aof';
  path: string;
  /** The files Redis would load, in order. */
  set: AofSet;
}

export type InputInfo = RdbInputInfo | AofInputInfo;

/** A redback JSON dump (the output of `convert --to json` or `--to jsonl`, plain or LZ4-framed). */
export interface DumpInputInfo {
  kind: 'dump';
  path: string;
  /** `jsonl` when the first line is a complete header object, `json` for a document. */
  layout: 'json' | 'jsonl';
}

/** What `convert` can read: an RDB, an AOF, or a JSON dump. */
export type ConvertInputInfo = InputInfo | DumpInputInfo;

/** Bytes read from the start of a file to identify a JSON dump by its header. */
const DUMP_HEAD = 4096;

/**
 * Says whether `path` is a redback JSON dump, by content: a JSON object first whose head names the format
 * (`"format": "redback-dump"`), plain or LZ4-framed, whatever its name. Undefined for anything else
 * (a directory, a file that cannot be read). The layout is `jsonl` when the first line parses as a whole
 * object without `records`.
 */
export async function sniffDump(path: string): Promise<'json' | 'jsonl' | undefined> {
  let head: Uint8Array;
  try {
    head = await readDecodedHead(path, DUMP_HEAD);
  } catch {
    return undefined;
  }
  // Loaded here, not at the top: an RDB's check should not pay for the dump reader (see bench, startup).
  const { looksLikeDump } = await import('./json-dump.js');
  if (!looksLikeDump(head)) return undefined;
  const newline = head.indexOf(0x0a);
  if (newline < 0) return 'json';
  try {
    const first: unknown = JSON.parse(new TextDecoder().decode(head.subarray(0, newline)));
    return typeof first === 'object' && first !== null && !('records' in first) ? 'jsonl' : 'json';
  } catch {
    return 'json';
  }
}

/**
 * What `path` is for `convert`: a JSON dump (see {@link sniffDump}), else what {@link identifyInput} says.
 * Throws what {@link identifyInput} throws.
 */
export async function identifyConvertInput(path: string): Promise<ConvertInputInfo> {
  const kind = await sniffInput(path);
  if (kind === 'unknown') {
    const layout = await sniffDump(path);
    if (layout !== undefined) return { kind: 'dump', path, layout };
  }
  return identifyInput(path);
}

/** Names Redis gives AOF files (`appendonly.aof`, `….1.incr.aof`, `….1.base.aof`), possibly LZ4-compressed. */
const AOF_NAME = /\.aof(\.lz4)?$/i;
/** Names of RDB files (`dump.rdb`, `….1.base.rdb`), possibly LZ4-compressed. */
const RDB_NAME = /\.rdb(\.lz4)?$/i;

/**
 * Says what `path` is, by content first:
 * - a directory: a Redis 7 AOF directory (holding a manifest), or a Redis `dir` holding `appendonlydir/` or a
 *   legacy `appendonly.aof`;
 * - a manifest (a line starting with `file`): that set;
 * - RESP (`*`) or an annotation (`#`) first: a single-file AOF;
 * - the `REDIS`/`VALKEY` magic: an RDB — or an AOF whose RDB preamble is followed by commands, which the bytes
 *   alone cannot tell before the RDB's end: a name ending in `.aof` (Redis's names) makes it an AOF;
 * - an empty file: an empty AOF (Redis loads it as one), unless named `.rdb`;
 * - anything else: a {@link CorruptError} at offset 0.
 * Each of these may be LZ4-framed. Throws {@link InputOutputError} for a missing or unreadable path and what
 * {@link resolveAof} throws for a broken manifest.
 */
export async function identifyInput(path: string): Promise<InputInfo> {
  // Whether every file of a set exists is found out by the reader, file by file (a set may have a hundred
  // thousand): a missing one is a MissingFileError naming the manifest's line when its turn comes.
  if ((await identifyFormat(path)) === 'rdb') return { kind: 'rdb', path };
  // The AOF modules are loaded only for an AOF (an RDB's check starts faster without them).
  const { resolveAof } = await import('../aof/set.js');
  return { kind: 'aof', path, set: await resolveAof(path, { verifyFiles: false }) };
}

/** What a command may prepare for before it reads `path` (see {@link inputHints}). */
export interface InputHints {
  /** The path may be an AOF (its renderer is worth loading). */
  aof: boolean;
  /** The path is a multi-part set (a manifest or a directory), which may hold a hundred thousand files. */
  set: boolean;
}

/**
 * A cheap look at `path` for a command's preparations, made before the operation that reads it: the same
 * rules as {@link identifyFormat}, never throwing (a path that cannot be read counts as a possible AOF; the
 * operation then reports what is wrong with it).
 */
export async function inputHints(path: string): Promise<InputHints> {
  const kind = await sniffInput(path).catch(() => undefined);
  const set = kind === 'manifest' || kind === 'directory';
  return { aof: kind !== 'rdb' || AOF_NAME.test(basename(path)), set };
}

/**
 * The format half of {@link identifyInput}, without resolving an AOF to its files (for `check`, which reports
 * a broken manifest as the verdict of an AOF).
 */
export async function identifyFormat(path: string): Promise<'rdb' | 'aof'> {
  const kind = await sniffInput(path);
  switch (kind) {
    case 'directory':
    case 'manifest':
    case 'aof':
      return 'aof';
    case 'rdb':
      return AOF_NAME.test(basename(path)) ? 'aof' : 'rdb';
    case 'empty':
      return RDB_NAME.test(basename(path)) ? 'rdb' : 'aof';
    default:
      if ((await sniffDump(path)) !== undefined) {
        throw new CorruptError('a redback JSON dump, not an RDB or AOF (`redback convert` reads it: --to rdb makes an RDB of it)', { file: path, offset: 0 });
      }
      throw new CorruptError('neither an RDB nor an AOF: unknown signature', { file: path, offset: 0 });
  }
}

/** What a folder of backups holds, as `check DIR` sees it. */
export interface FolderInputs {
  /** Paths to check, one verdict each: RDB files, single AOF files, AOF directories (sets), sorted. */
  inputs: string[];
  /** Files left out: neither named nor shaped like a Redis file (a README, a checksum list…). */
  skipped: string[];
}

const REDIS_NAME = /\.(rdb|aof)(\.lz4)?$/i;

/**
 * Lists what a folder holds that can be checked: a folder that is itself an AOF directory (it holds a
 * manifest) is one input; otherwise each RDB or AOF file in it (by name, or by content for other names), and
 * each AOF directory below it (`appendonlydir/` of a Redis `dir`), and with `recursive` the same in every
 * subfolder. Redis's temporary files (`temp-*`) are left out. Throws {@link InputOutputError} when the folder
 * cannot be read.
 */
export async function listFolderInputs(dir: string, options: { recursive?: boolean } = {}): Promise<FolderInputs> {
  const found: FolderInputs = { inputs: [], skipped: [] };
  if (await isAofDirectory(dir)) {
    found.inputs.push(dir);
    return found;
  }
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw ioError(error, dir);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (await isAofDirectory(path)) found.inputs.push(path);
      else if (options.recursive) {
        const below = await listFolderInputs(path, options);
        found.inputs.push(...below.inputs);
        found.skipped.push(...below.skipped);
      }
      continue;
    }
    if (!entry.isFile() || entry.name.startsWith('temp-')) {
      found.skipped.push(path);
      continue;
    }
    if (REDIS_NAME.test(entry.name)) {
      found.inputs.push(path);
      continue;
    }
    const kind = await sniffInput(path).catch(() => 'unknown' as const);
    if (kind === 'rdb' || kind === 'aof') found.inputs.push(path);
    else found.skipped.push(path);
  }
  return found;
}

/** True when `dir` is a Redis 7 AOF directory: it holds a manifest. */
async function isAofDirectory(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((name) => name.endsWith('.manifest') && !name.startsWith('temp-'));
  } catch {
    return false;
  }
}
