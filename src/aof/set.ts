import { opendir, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
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
export async function resolveAof(path: string, options: ResolveOptions = {}): Promise<AofSet> {
  const directory = await isDirectory(path);
  if (directory === undefined) throw ioError(Object.assign(new Error('missing'), { code: 'ENOENT' }), path);
  if (directory) {
    // The default manifest is looked for by name first: a set's directory may hold a hundred thousand files.
    const preferredPath = join(path, `${DEFAULT_AOF_FILENAME}.manifest`);
    if ((await isDirectory(preferredPath)) === false) return resolveManifest(preferredPath, options);
    const manifests: string[] = [];
    let hasAofDir = false;
    let hasAofFile = false;
    try {
      for await (const entry of await opendir(path)) {
        if (entry.name.endsWith('.manifest') && !entry.name.startsWith('temp-')) manifests.push(entry.name);
        else if (entry.name === DEFAULT_AOF_DIRNAME) hasAofDir = true;
        else if (entry.name === DEFAULT_AOF_FILENAME) hasAofFile = true;
      }
    } catch (error) {
      throw ioError(error, path);
    }
    if (manifests.length > 0) {
      if (manifests.length > 1) throw new UsageError(`${path}: several manifests (${manifests.sort().join(', ')}): name the one to use`);
      return resolveManifest(join(path, manifests[0] as string), options);
    }
    if (hasAofDir && (await isDirectory(join(path, DEFAULT_AOF_DIRNAME)))) {
      return resolveAof(join(path, DEFAULT_AOF_DIRNAME), options);
    }
    if (hasAofFile) return single(join(path, DEFAULT_AOF_FILENAME));
    throw new InputOutputError(`no AOF here: no manifest, no ${DEFAULT_AOF_DIRNAME}/ and no ${DEFAULT_AOF_FILENAME}`, { file: path });
  }
  const head = await readDecodedHead(path, 4096);
  if (isManifest(head)) return resolveManifest(path, options);
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

/**
 * A file named by a manifest. Its path is made when asked for, not kept: a set may have a hundred thousand
 * files, and each file's path is wanted only while it is read.
 */
class SetPart implements AofPart {
  constructor(
    /** The directory, normalized, ending with a separator. */
    private readonly prefix: string,
    readonly entry: ManifestEntry,
  ) {}

  get path(): string {
    const name = this.entry.name;
    // Names are bytes (binary strings); a plain ASCII one is its own UTF-8 path. (A name is never a path.)
    return this.prefix + (PLAIN_NAME.test(name) ? name : Buffer.from(name, 'latin1').toString());
  }

  get name(): string {
    return this.entry.name;
  }

  get role(): ManifestEntry['type'] {
    return this.entry.type;
  }

  get seq(): number {
    return this.entry.seq;
  }
}

const PLAIN_NAME = /^[\x20-\x7e]*$/;

/** Most bytes of a manifest read (a set with tens of thousands of files would still fit). */
const MANIFEST_READ_LIMIT = 64 * 1024 * 1024;

async function resolveManifest(manifestPath: string, options: ResolveOptions): Promise<AofSet> {
  // A manifest is small (lines of at most 1 KiB), and may itself be LZ4-compressed like any input.
  const text = await readDecodedHead(manifestPath, MANIFEST_READ_LIMIT);
  const manifest = parseManifest(new Uint8Array(text), manifestPath);
  const dir = dirname(manifestPath);
  const prefix = join(dir, sep);
  const part = (entry: ManifestEntry): AofPart => new SetPart(prefix, entry);
  const parts = loadOrder(manifest).map(part);
  for (const p of parts) {
    if (p.name === '.' || p.name === '..') {
      throw new CorruptError(`${p.role} entry '${p.name}' at line ${p.entry?.line} names a directory: a manifest names files inside its own directory`, {
        file: manifestPath,
        offset: lineOffset(text, p.entry?.line ?? 1),
      });
    }
  }
  if (options.verifyFiles ?? true) {
    // One listing of the directory tells which files exist (names compared as bytes, the way the manifest
    // holds them), instead of one stat per file.
    let present: Set<string>;
    try {
      present = new Set(await readdir(dir, { encoding: 'latin1' }));
    } catch (error) {
      throw ioError(error, dir);
    }
    const absent = parts.find((p) => !present.has(p.name));
    if (absent) throw missingFile(manifestPath, absent, text);
  }
  if (parts.length === 0) {
    throw new CorruptError('the manifest names no BASE and no INCR file: nothing to load', { file: manifestPath, offset: 0 });
  }
  return { kind: 'multipart', manifestPath, dir, manifest, parts, history: manifest.history.map(part) };
}

/** Options of {@link resolveAof}. */
export interface ResolveOptions {
  /**
   * Check at once that every file the manifest names exists (default true). A caller that opens every file
   * anyway (check, inspect) passes false and reports a missing file with {@link missingFileError} when it
   * comes to it, as redis-check-aof does.
   */
  verifyFiles?: boolean;
}

/** A file the manifest names does not exist (the error names the manifest and the offset of the line). */
export class MissingFileError extends CorruptError {}

function missingFile(manifestPath: string, part: AofPart, text: Uint8Array): CorruptError {
  return new MissingFileError(`${part.role} file '${part.name}' named at line ${part.entry?.line} does not exist in ${dirname(manifestPath)}`, {
    file: manifestPath,
    offset: lineOffset(text, part.entry?.line ?? 1),
  });
}

/**
 * The error for a file of a set that does not exist (the manifest's name and the offset of its line), or
 * undefined when it does exist after all. Reads the manifest again: this is the rare path.
 */
export async function missingFileError(set: AofSet, part: AofPart): Promise<CorruptError | undefined> {
  if (set.manifestPath === undefined || (await exists(part.path))) return undefined;
  return missingFile(set.manifestPath, part, await readDecodedHead(set.manifestPath, MANIFEST_READ_LIMIT));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError(error, path);
  }
}

function lineOffset(text: Uint8Array, line: number): number {
  let seen = 1;
  for (let i = 0; i < text.length && seen < line; i++) {
    if (text[i] === 0x0a && ++seen === line) return i + 1;
  }
  return 0;
}
