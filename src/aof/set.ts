import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CorruptError, InputOutputError, UsageError, ioError } from '../errors.js';
import { readDecodedHead } from '../io/sniff.js';
import { DEFAULT_AOF_DIRNAME, DEFAULT_AOF_FILENAME, isManifest, loadOrder, parseManifest } from './manifest.js';
import type { Manifest, ManifestEntry } from './manifest.js';

/** One file of an AOF, in load order. */
export interface AofPart {
  /** Path to open. */
  path: string;
  /** The name as the manifest (or the user) gives it. */
  name: string;
  /** 'single' for an old-style AOF, else the manifest's role. */
  role: 'single' | 'base' | 'incr' | 'history';
  /** Manifest sequence number. */
  seq: number | undefined;
  /** The manifest line that names it. */
  entry: ManifestEntry | undefined;
}

/** Every way a user points at an AOF, resolved to files. */
export interface AofSet {
  kind: 'single' | 'multipart';
  /** The manifest's path, for a multi-part AOF. */
  manifestPath: string | undefined;
  /** The directory holding the files. */
  dir: string;
  manifest: Manifest | undefined;
  /** Files Redis loads, in order: BASE (if any) then INCRs; or the single file. */
  parts: AofPart[];
  /** HISTORY files named in the manifest (never loaded; may be missing). */
  history: AofPart[];
}

async function isDirectory(path: string): Promise<boolean | undefined> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(error, path);
  }
}

/**
 * Resolves a path to the AOF it designates: a single `.aof` file, a directory holding a manifest (Redis 7's
 * `appenddirname`), the manifest itself, or a `dir` holding `appendonlydir/` or a legacy `appendonly.aof`.
 * Throws {@link CorruptError} for a manifest Redis would refuse or one naming a missing file (with the
 * manifest's offset), {@link InputOutputError} when the path does not exist.
 */
export async function resolveAof(path: string): Promise<AofSet> {
  const directory = await isDirectory(path);
  if (directory === undefined) throw ioError(Object.assign(new Error('missing'), { code: 'ENOENT' }), path);
  if (directory) {
    let names: string[];
    try {
      names = await readdir(path);
    } catch (error) {
      throw ioError(error, path);
    }
    const manifests = names.filter((n) => n.endsWith('.manifest') && !n.startsWith('temp-'));
    if (manifests.length > 0) {
      const preferred = manifests.includes(`${DEFAULT_AOF_FILENAME}.manifest`) ? `${DEFAULT_AOF_FILENAME}.manifest` : manifests.length === 1 ? manifests[0] : undefined;
      if (!preferred) throw new UsageError(`${path}: several manifests (${manifests.join(', ')}): name the one to use`);
      return resolveManifest(join(path, preferred));
    }
    if (names.includes(DEFAULT_AOF_DIRNAME) && (await isDirectory(join(path, DEFAULT_AOF_DIRNAME)))) {
      return resolveAof(join(path, DEFAULT_AOF_DIRNAME));
    }
    if (names.includes(DEFAULT_AOF_FILENAME)) return single(join(path, DEFAULT_AOF_FILENAME));
    throw new InputOutputError(`no AOF here: no manifest, no ${DEFAULT_AOF_DIRNAME}/ and no ${DEFAULT_AOF_FILENAME}`, { file: path });
  }
  const head = await readDecodedHead(path, 4096);
  if (isManifest(head)) return resolveManifest(path);
  return single(path);
}

function single(path: string): AofSet {
  return {
    kind: 'single',
    manifestPath: undefined,
    dir: dirname(path),
    manifest: undefined,
    parts: [{ path, name: basename(path), role: 'single', seq: undefined, entry: undefined }],
    history: [],
  };
}

/** Most bytes of a manifest read (a set with tens of thousands of files would still fit). */
const MANIFEST_READ_LIMIT = 64 * 1024 * 1024;

async function resolveManifest(manifestPath: string): Promise<AofSet> {
  // A manifest is small (lines of at most 1 KiB), and may itself be LZ4-compressed like any input.
  const text = await readDecodedHead(manifestPath, MANIFEST_READ_LIMIT);
  const manifest = parseManifest(new Uint8Array(text), manifestPath);
  const dir = dirname(manifestPath);
  const part = (entry: ManifestEntry): AofPart => ({
    path: join(dir, Buffer.from(entry.name, 'latin1').toString()),
    name: entry.name,
    role: entry.type,
    seq: entry.seq,
    entry,
  });
  const parts = loadOrder(manifest).map(part);
  // One listing of the directory tells which files exist (names compared as bytes, the way the manifest
  // holds them), instead of one stat per file: a set may have a hundred thousand INCR files.
  let present: Set<string>;
  try {
    present = new Set(await readdir(dir, { encoding: 'latin1' }));
  } catch (error) {
    throw ioError(error, dir);
  }
  for (const p of parts) {
    const where = (): { file: string; offset: number } => ({ file: manifestPath, offset: lineOffset(text, p.entry?.line ?? 1) });
    if (p.name === '.' || p.name === '..') {
      throw new CorruptError(`${p.role} entry '${p.name}' at line ${p.entry?.line} names a directory: a manifest names files inside its own directory`, where());
    }
    if (!present.has(p.name)) {
      throw new CorruptError(`${p.role} file '${p.name}' named at line ${p.entry?.line} does not exist in ${dir}`, where());
    }
  }
  if (parts.length === 0) {
    throw new CorruptError('the manifest names no BASE and no INCR file: nothing to load', { file: manifestPath, offset: 0 });
  }
  return { kind: 'multipart', manifestPath, dir, manifest, parts, history: manifest.history.map(part) };
}

function lineOffset(text: Uint8Array, line: number): number {
  let seen = 1;
  for (let i = 0; i < text.length && seen < line; i++) {
    if (text[i] === 0x0a && ++seen === line) return i + 1;
  }
  return 0;
}
