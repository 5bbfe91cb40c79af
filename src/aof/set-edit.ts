/* cspell:words appendfilename appendonly EXDEV reflink */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputOutputError, UsageError, ioError } from '../errors.js';
import {
  copyNewFile,
  exists,
  fsyncDirectory,
  linkOrCopy,
  makeDirectory,
  moveFile,
  randomToken,
  removeFile,
  renameDurably,
  tempPathFor,
  writeFileAtomic,
  writeNewFile,
} from '../io/atomic.js';
import type { Chunks, Compression, StepHook } from '../io/atomic.js';
import { journalPathFor, newJournal, pathIn, readJournal, recoverEdit, removeJournal, sha256, writeJournal } from '../io/edit-journal.js';
import type { EditJournal, EditOwner, RecoveryReport } from '../io/edit-journal.js';
import { readHead } from '../io/open.js';
import { readRanges } from '../io/ranges.js';
import type { ByteRange } from '../io/ranges.js';
import { DEFAULT_AOF_FILENAME, baseFileName, formatManifest, incrFileName, isManifest, manifestFileName, parseManifest } from './manifest.js';
import type { Manifest, ManifestEntry, ManifestEntryInit } from './manifest.js';

/**
 * The one way redback changes an AOF: every writing command (fix, truncate, filter, rewrite) describes
 * the set it wants and hands it here.
 *
 * **A multi-part set is edited in place** by {@link editAofSet}, so that a process killed at any instant
 * leaves either the old set or the new one:
 * 1. an interrupted earlier edit is finished or undone first (see `io/edit-journal.ts`);
 * 2. a journal naming every file about to be created and retired is written and fsynced;
 * 3. new files are written under new names — Redis's own, `<appendfilename>.<seq>.base.rdb|aof` and
 *    `<appendfilename>.<seq>.incr.aof`, with sequence numbers after the live ones (Redis's rule:
 *    `curr_base_file_seq + 1`, `curr_incr_file_seq + 1`, skipping names already in the directory) —
 *    and fsynced; a file the live manifest names is never opened for writing;
 * 4. the old manifest is copied to the backup directory;
 * 5. the new manifest is written to a temporary file, fsynced and renamed over the old one, and the
 *    directory fsynced: **that rename is the commit**;
 * 6. the files that left the manifest are moved to the backup directory (or deleted, without a backup);
 * 7. the journal is removed.
 *
 * Redis's loader wants INCR sequence numbers to increase strictly in manifest order, so an INCR kept after
 * a new one (whose number is above every live one) is copied under a new name too.
 *
 * **A single-file AOF** is replaced by {@link replaceAofFile}: the original gets a second name in the
 * backup directory first (a hard link, or a copy), then the new content goes to a temporary file, fsynced,
 * renamed over the original (the commit), and the directory fsynced.
 *
 * **Output elsewhere**: {@link writeAofSet} writes a fresh set into a directory (the manifest last, as the
 * commit), {@link writeAofFile} a single file; both leave nothing half-written under a final name.
 */

export type { ByteRange } from '../io/ranges.js';
export type { Chunks, Compression, FsStep, StepHook } from '../io/atomic.js';
export type { EditOwner, RecoveryReport } from '../io/edit-journal.js';

/** The bytes of a new file. */
export type FileContent =
  /** Bytes from a producer (a writer, a rewrite). A function is called once, when the file is written. */
  | { chunks: Chunks | (() => Chunks) }
  /** Byte ranges of an existing file, in order (offsets after LZ4 decoding for a compressed file). */
  | { rangesOf: string; ranges: readonly ByteRange[] }
  /** An existing file, byte for byte (a reflink or kernel copy). */
  | { copyOf: string };

/** A file of the new set that is written (under a new name). */
export interface NewSetFile {
  content: FileContent;
  /** For a BASE: an RDB (preamble) is named `.base.rdb`, RESP `.base.aof` (default 'aof'). */
  format?: 'rdb' | 'aof';
  /** Compress `chunks` and `rangesOf` content as LZ4 (default none); a `copyOf` stays as it is. */
  compression?: Compression;
  /** Extra key/value pairs of its manifest line (Redis 8 `startoffset`/`endoffset`). */
  extra?: readonly (readonly [key: string, value: string])[];
}

/** A file of the live set kept as it is: same name, same sequence number, same manifest line. */
export interface KeptSetFile {
  keep: string;
}

export type SetEntry = NewSetFile | KeptSetFile;

/** The set an edit makes: its BASE and INCR files in load order. Live files not listed leave the set. */
export interface AofSetLayout {
  base?: SetEntry;
  incr: readonly SetEntry[];
  /** The live HISTORY lines (never loaded): kept as they are (default), or dropped with their files. */
  history?: 'keep' | 'drop';
}

/** Options shared by every edit. */
export interface EditOptions {
  /** Where files that leave the set (and the old manifest, or a single file's original) go. Required unless `noBackup`. */
  backupDir?: string;
  /** Delete files that leave the set instead of keeping them. */
  noBackup?: boolean;
  /** This process, for the lock: a journal left by a process still running makes the edit refuse. */
  owner?: EditOwner;
  /** Called before every step that changes the file system (the crash test stops the process there). */
  onStep?: StepHook;
  /** One line saying what the edit does, kept in the journal for whoever finds it. */
  purpose?: string;
}

/** One file of the set an edit made. */
export interface SetFileResult {
  name: string;
  path: string;
  seq: number;
  type: 'base' | 'incr';
  /** True when the edit wrote it; false for a file kept as it was. */
  written: boolean;
  /** For a written file: what it was made from, when it was an existing file. */
  from: string | undefined;
}

/** What {@link editAofSet} did. */
export interface SetEditResult {
  manifestPath: string;
  /** The set as the new manifest names it, in load order. */
  files: SetFileResult[];
  /** Paths of the files that left the set (before they were moved or deleted). */
  retired: string[];
  backupDir: string | undefined;
  /** An interrupted earlier edit that was finished or undone first. */
  recovered: RecoveryReport | undefined;
  /** False when the layout asked for the set as it already was: nothing was written. */
  changed: boolean;
}

/** The `appendfilename` of a set: its manifest's name without `.manifest`. */
export function prefixOfManifest(manifestPath: string): string {
  const name = basename(manifestPath);
  return name.endsWith('.manifest') && name.length > '.manifest'.length ? name.slice(0, -'.manifest'.length) : DEFAULT_AOF_FILENAME;
}

/**
 * What an interrupted edit left for `target` (a manifest or a single AOF): its journal, or undefined.
 * Reads only.
 */
export async function pendingAofEdit(target: string): Promise<{ journal: string; started: string; purpose: string } | undefined> {
  const path = journalPathFor(target);
  const journal = await readJournal(path);
  if (journal === undefined) return undefined;
  return journal === 'partial' ? { journal: path, started: '', purpose: '' } : { journal: path, started: journal.started, purpose: journal.purpose };
}

/**
 * Finishes or undoes an interrupted edit of `target` (a manifest, or a single AOF file), if there is one.
 * Every writing function here does this first; call it alone to clean up without editing.
 */
export async function recoverAofEdit(target: string, options: Pick<EditOptions, 'owner' | 'onStep'> = {}): Promise<RecoveryReport | undefined> {
  return recoverEdit(journalPathFor(target), {
    owner: options.owner,
    onStep: options.onStep,
    protectedNames: async () => namesOf(await readManifestIfAny(target)),
  });
}

/** The names a manifest gives (BASE, INCR and HISTORY). */
function namesOf(manifest: Manifest | undefined): Set<string> {
  const names = new Set<string>();
  if (!manifest) return names;
  if (manifest.base) names.add(manifest.base.name);
  for (const entry of [...manifest.history, ...manifest.incr]) names.add(entry.name);
  return names;
}

/** The manifest at `path` parsed, or undefined when `path` is missing or is not a manifest (a single AOF). */
async function readManifestIfAny(path: string): Promise<Manifest | undefined> {
  let head: Uint8Array;
  try {
    head = await readHead(path, 4096);
  } catch (error) {
    if (error instanceof InputOutputError && !(await exists(path))) return undefined;
    throw error;
  }
  if (!isManifest(head)) return undefined;
  try {
    return parseManifest(await readFile(path), path);
  } catch {
    return undefined;
  }
}

/** Names present in a directory, as binary strings. */
async function listNames(dir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(dir, { encoding: 'latin1' }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw ioError(error, dir);
  }
}

function isKept(entry: SetEntry): entry is KeptSetFile {
  return 'keep' in entry;
}

/** A file to write, with its name. */
interface PlannedWrite {
  name: string;
  file: NewSetFile;
}

/** Writes one new file; returns its size in bytes (for copies: the source's). */
async function writeContent(path: string, file: NewSetFile, onStep: StepHook | undefined): Promise<number> {
  const content = file.content;
  if ('copyOf' in content) {
    await copyNewFile(content.copyOf, path, onStep);
    return (await stat(path)).size;
  }
  // writeNewFile writes each chunk before asking for the next: uncompressed ranges can come as views into one buffer.
  const reuseBuffer = (file.compression ?? 'none') === 'none';
  const chunks = 'chunks' in content ? (typeof content.chunks === 'function' ? content.chunks() : content.chunks) : readRanges(content.rangesOf, content.ranges, { reuseBuffer });
  return writeNewFile(path, chunks, { compression: file.compression ?? 'none', onStep });
}

/** Fails when the backup directory already holds a file an edit would put there (unless it is the same bytes). */
async function checkBackupFree(backupDir: string, names: readonly string[], same: (name: string, path: string) => Promise<boolean>): Promise<void> {
  for (const name of names) {
    const path = pathIn(backupDir, name);
    if ((await exists(path)) && !(await same(name, path))) {
      throw new UsageError(`the backup directory already holds ${name}: choose another backup directory`, { file: path });
    }
  }
}

/**
 * The common tail of every set edit, from the journal to its removal (steps 2–7 of the module comment).
 * `old` is the live manifest's bytes (undefined when the directory holds no set yet).
 */
async function commitSet(args: {
  dir: string;
  manifestPath: string;
  old: Uint8Array | undefined;
  writes: readonly PlannedWrite[];
  manifestText: string;
  retired: readonly string[];
  backupDir: string | undefined;
  options: EditOptions;
}): Promise<void> {
  const { dir, manifestPath, old, writes, retired, backupDir, options } = args;
  const onStep = options.onStep;
  const manifestName = basename(manifestPath);
  const manifestBytes = Buffer.from(args.manifestText, 'latin1');
  const token = randomToken();
  const temp = basename(tempPathFor(manifestPath, token));
  // The old manifest is copied into the backup directory under its own name (written directly: until the
  // commit it is only a copy, and a rollback removes it); an identical copy already there is left alone.
  const copyManifest = backupDir !== undefined && old !== undefined && !(await exists(pathIn(backupDir, manifestName)));
  const backupFiles = copyManifest ? [manifestName] : [];
  const journal: EditJournal = newJournal(
    {
      purpose: options.purpose ?? 'edit of an AOF set',
      token,
      created: writes.map((w) => w.name),
      commit: { temp, target: manifestName, sha256: sha256(manifestBytes) },
      retired: [...retired],
      backupDir: backupDir ?? null,
      backupFiles,
      backupDirCreated: backupDir !== undefined && !(await exists(backupDir)),
    },
    options.owner,
  );
  const journalPath = journalPathFor(manifestPath);
  await writeJournal(journalPath, journal, onStep);

  for (const write of writes) await writeContent(pathIn(dir, write.name), write.file, onStep);
  await fsyncDirectory(dir);

  if (backupDir !== undefined) {
    await makeDirectory(backupDir, onStep);
    if (copyManifest && old !== undefined) await writeNewFile(pathIn(backupDir, manifestName), [old], { onStep });
    await fsyncDirectory(backupDir);
  }

  // The commit.
  await writeFileAtomic(manifestPath, [manifestBytes], 'none', { temp: join(dir, temp), onStep });

  for (const name of retired) {
    const path = pathIn(dir, name);
    if (!(await exists(path))) continue;
    if (backupDir === undefined) await removeFile(path, onStep);
    else await moveFile(path, pathIn(backupDir, name), onStep);
  }
  await fsyncDirectory(dir);
  if (backupDir !== undefined) await fsyncDirectory(backupDir);
  await removeJournal(journalPath, onStep);
}

/**
 * Edits a multi-part AOF set in place, crash-safely (see the module comment): the set becomes `layout`,
 * files that leave it go to `options.backupDir` (with a copy of the old manifest) or are deleted with
 * `noBackup`. An interrupted earlier edit of the same set is finished or undone first.
 *
 * Throws a {@link UsageError} for a layout that names a file the live manifest does not (or names one
 * twice), when neither a backup directory nor `noBackup` is given, or when the backup directory already
 * holds a file of the same name; a {@link ManifestError} when the live manifest is not readable; an
 * {@link InputOutputError} when the file system fails (the set is then as it was, plus files a rerun
 * removes) or another edit of the set is running.
 */
export async function editAofSet(manifestPath: string, layout: AofSetLayout, options: EditOptions = {}): Promise<SetEditResult> {
  if (!options.noBackup && options.backupDir === undefined) throw new UsageError('an edit needs a backup directory, or noBackup');
  const recovered = await recoverAofEdit(manifestPath, options);
  const dir = dirname(manifestPath);
  let old: Uint8Array;
  try {
    old = await readFile(manifestPath);
  } catch (error) {
    throw ioError(error, manifestPath);
  }
  const live = parseManifest(old, manifestPath);
  const prefix = prefixOfManifest(manifestPath);
  const taken = await listNames(dir);
  for (const name of namesOf(live)) taken.add(name);
  taken.add(basename(journalPathFor(manifestPath)));

  const loadable = new Map<string, ManifestEntry>();
  if (live.base) loadable.set(live.base.name, live.base);
  for (const entry of live.incr) loadable.set(entry.name, entry);
  const used = new Set<string>();
  const keptEntry = (name: string, type: 'base' | 'incr'): ManifestEntry => {
    const entry = loadable.get(name);
    if (!entry) throw new UsageError(`the layout keeps ${name}, which the manifest does not name as a BASE or INCR file`, { file: manifestPath });
    if (entry.type !== type) throw new UsageError(`the layout keeps ${name} as ${type}, but the manifest names it as ${entry.type}`, { file: manifestPath });
    if (used.has(name)) throw new UsageError(`the layout names ${name} twice`, { file: manifestPath });
    used.add(name);
    return entry;
  };
  const writes: PlannedWrite[] = [];
  const files: SetFileResult[] = [];
  const fromOf = (file: NewSetFile): string | undefined =>
    'copyOf' in file.content ? file.content.copyOf : 'rangesOf' in file.content ? file.content.rangesOf : undefined;

  let base: ManifestEntryInit | undefined;
  if (layout.base) {
    if (isKept(layout.base)) {
      base = keptEntry(layout.base.keep, 'base');
      files.push({ name: base.name, path: pathIn(dir, base.name), seq: base.seq, type: 'base', written: false, from: undefined });
    } else {
      let seq = (live.base?.seq ?? 0) + 1;
      const format = layout.base.format ?? 'aof';
      while (taken.has(baseFileName(prefix, seq, format))) seq++;
      const name = baseFileName(prefix, seq, format);
      taken.add(name);
      writes.push({ name, file: layout.base });
      base = { name, seq, type: 'base', extra: layout.base.extra };
      files.push({ name, path: pathIn(dir, name), seq, type: 'base', written: true, from: fromOf(layout.base) });
    }
  }
  const incr: ManifestEntryInit[] = [];
  let last = 0;
  let next = Math.max(0, ...live.incr.map((entry) => entry.seq)) + 1;
  for (const wanted of layout.incr) {
    let file: NewSetFile;
    if (isKept(wanted)) {
      const entry = keptEntry(wanted.keep, 'incr');
      if (entry.seq > last) {
        incr.push(entry);
        last = entry.seq;
        files.push({ name: entry.name, path: pathIn(dir, entry.name), seq: entry.seq, type: 'incr', written: false, from: undefined });
        continue;
      }
      // Kept after a new file: its number would break the increasing order Redis requires.
      file = { content: { copyOf: pathIn(dir, entry.name) }, extra: entry.extra };
    } else {
      file = wanted;
    }
    let seq = Math.max(next, last + 1);
    while (taken.has(incrFileName(prefix, seq))) seq++;
    const name = incrFileName(prefix, seq);
    taken.add(name);
    writes.push({ name, file });
    incr.push({ name, seq, type: 'incr', extra: file.extra });
    files.push({ name, path: pathIn(dir, name), seq, type: 'incr', written: true, from: fromOf(file) });
    last = seq;
    next = seq + 1;
  }
  const dropHistory = layout.history === 'drop';
  const manifestText = formatManifest({ base, history: dropHistory ? [] : live.history, incr });
  const inNew = new Set(files.map((f) => f.name));
  const retired = [...loadable.keys(), ...(dropHistory ? live.history.map((h) => h.name) : [])].filter((name) => !inNew.has(name));
  const result: SetEditResult = {
    manifestPath,
    files,
    retired: retired.map((name) => pathIn(dir, name)),
    backupDir: options.noBackup ? undefined : options.backupDir,
    recovered,
    changed: writes.length > 0 || manifestText !== Buffer.from(old).toString('latin1'),
  };
  if (!result.changed) return result;

  const backupDir = options.noBackup ? undefined : options.backupDir;
  if (backupDir !== undefined) {
    const manifestName = basename(manifestPath);
    await checkBackupFree(backupDir, [manifestName, ...retired], async (name, path) => name === manifestName && Buffer.from(old).equals(await readFile(path)));
  }
  await commitSet({ dir, manifestPath, old, writes, manifestText, retired, backupDir, options });
  return result;
}

/** The files of a fresh multi-part AOF, in load order (see {@link writeAofSet}). */
export interface AofSetContent {
  /** The BASE: an RDB (`.base.rdb`) or a RESP rewrite (`.base.aof`). */
  base?: { format: 'rdb' | 'aof'; chunks: Chunks | (() => Chunks) };
  /** INCR files, oldest first (an empty iterable makes an empty INCR, as Redis starts one). */
  incrs: (Chunks | (() => Chunks))[];
}

/** Options of {@link writeAofSet}. */
export interface WriteAofSetOptions extends Pick<EditOptions, 'owner' | 'onStep' | 'purpose'> {
  /** `appendfilename`, the prefix of every file name (default `appendonly.aof`). */
  prefix?: string;
  /** Sequence number of the BASE and of the first INCR (default 1). */
  seq?: number;
  compression?: Compression;
}

/** What {@link writeAofSet} wrote. */
export interface AofSetWritten {
  dir: string;
  manifestPath: string;
  /** Paths of the BASE and INCR files, in load order. */
  files: string[];
  bytes: number;
}

/**
 * Writes a fresh multi-part AOF into `dir` (created when missing) the way Redis lays one out:
 * `<prefix>.<seq>.base.rdb|aof`, `<prefix>.<seq>.incr.aof`… then `<prefix>.manifest`, written last through
 * a temporary file and a rename (the commit), so a crash part-way never leaves a manifest naming a file
 * that is not complete; a rerun removes what an interrupted one left. Throws a {@link UsageError} when
 * `dir` already holds that manifest or one of the file names, and an {@link InputOutputError} when the file
 * system fails.
 */
export async function writeAofSet(dir: string, content: AofSetContent, options: WriteAofSetOptions = {}): Promise<AofSetWritten> {
  const prefix = options.prefix ?? DEFAULT_AOF_FILENAME;
  const seq = options.seq ?? 1;
  const manifestPath = join(dir, manifestFileName(prefix));
  await makeDirectory(dir, options.onStep);
  await recoverAofEdit(manifestPath, options);
  if (await exists(manifestPath)) throw new UsageError('the output directory already holds an AOF set: choose an empty directory', { file: manifestPath });
  const writes: PlannedWrite[] = [];
  const entries: { base?: ManifestEntryInit; history: ManifestEntryInit[]; incr: ManifestEntryInit[] } = { history: [], incr: [] };
  const compression = options.compression ?? 'none';
  if (content.base) {
    const name = baseFileName(prefix, seq, content.base.format);
    writes.push({ name, file: { content: { chunks: content.base.chunks }, compression } });
    entries.base = { name, seq, type: 'base' };
  }
  content.incrs.forEach((chunks, i) => {
    const name = incrFileName(prefix, seq + i);
    writes.push({ name, file: { content: { chunks }, compression } });
    entries.incr.push({ name, seq: seq + i, type: 'incr' });
  });
  const manifestText = formatManifest(entries);
  const present = await listNames(dir);
  for (const write of writes) {
    if (present.has(write.name)) throw new UsageError('the output directory already holds this file: choose an empty directory', { file: pathIn(dir, write.name) });
  }
  try {
    await commitSet({ dir, manifestPath, old: undefined, writes, manifestText, retired: [], backupDir: undefined, options: { ...options, purpose: options.purpose ?? `write an AOF set into ${dir}` } });
  } catch (error) {
    // A failure before the commit (a writer's error, a full disk): undo now what a rerun would undo, so that
    // the directory holds no half-written set and no journal. Undoing may fail in turn (the disk is gone):
    // the journal then stays for the next run, and the first error is the one reported.
    await recoverAofEdit(manifestPath, options).catch(() => undefined);
    throw error;
  }
  const files = writes.map((w) => pathIn(dir, w.name));
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).size;
  return { dir, manifestPath, files, bytes };
}

/** Options of {@link replaceAofFile} and {@link writeAofFile}. */
export interface ReplaceFileOptions extends EditOptions {
  /** Compress the new content as LZ4 (default none). */
  compression?: Compression;
}

/** What {@link replaceAofFile} did. */
export interface FileReplaceResult {
  path: string;
  bytes: number;
  /** Where the original is kept, when it is. */
  backup: string | undefined;
  recovered: RecoveryReport | undefined;
}

/**
 * Replaces a single-file AOF with new content, crash-safely: the original gets a second name in
 * `options.backupDir` first (a hard link, else a copy), then the content is written to a temporary file
 * beside it, fsynced, renamed over it (the commit) and the directory fsynced. A crash leaves the old file
 * or the new one. `content` may read the file itself (`rangesOf`): it is read before the rename.
 */
export async function replaceAofFile(path: string, content: FileContent, options: ReplaceFileOptions = {}): Promise<FileReplaceResult> {
  if (!options.noBackup && options.backupDir === undefined) throw new UsageError('an edit needs a backup directory, or noBackup');
  const recovered = await recoverAofEdit(path, options);
  const name = Buffer.from(basename(path)).toString('latin1');
  const backupDir = options.noBackup ? undefined : options.backupDir;
  const backup = backupDir === undefined ? undefined : join(backupDir, basename(path));
  let linkNeeded = backup !== undefined;
  if (backup !== undefined && (await exists(backup))) {
    const [a, b] = await Promise.all([stat(path), stat(backup)]);
    if (a.ino === b.ino && a.dev === b.dev) linkNeeded = false;
    else throw new UsageError(`the backup directory already holds ${basename(path)}: choose another backup directory`, { file: backup });
  }
  const token = randomToken();
  const temp = tempPathFor(path, token);
  const journal = newJournal(
    {
      purpose: options.purpose ?? `replace ${basename(path)}`,
      token,
      created: [],
      commit: { temp: Buffer.from(basename(temp)).toString('latin1'), target: name, sha256: null },
      retired: [],
      backupDir: backupDir ?? null,
      backupFiles: backup !== undefined && linkNeeded ? [name] : [],
      backupDirCreated: backupDir !== undefined && !(await exists(backupDir)),
    },
    options.owner,
  );
  const journalPath = journalPathFor(path);
  await writeJournal(journalPath, journal, options.onStep);
  if (backupDir !== undefined && backup !== undefined) {
    await makeDirectory(backupDir, options.onStep);
    if (linkNeeded) await linkOrCopy(path, backup, options.onStep);
  }
  const bytes = await writeContent(temp, { content, compression: options.compression }, options.onStep);
  await renameDurably(temp, path, options.onStep);
  await removeJournal(journalPath, options.onStep);
  return { path, bytes, backup, recovered };
}

/**
 * Writes a single-file AOF to `path` (output elsewhere): a temporary file, fsync, rename, directory fsync.
 * Refuses to replace an existing file unless `overwrite`. A rerun removes what an interrupted one left.
 */
export async function writeAofFile(
  path: string,
  content: FileContent,
  options: Pick<ReplaceFileOptions, 'compression' | 'owner' | 'onStep' | 'purpose'> & { overwrite?: boolean } = {},
): Promise<FileReplaceResult> {
  await makeDirectory(dirname(path), options.onStep);
  const recovered = await recoverAofEdit(path, options);
  if (!options.overwrite && (await exists(path))) throw new UsageError('the output file already exists', { file: path });
  const result = await replaceAofFile(path, content, { ...options, noBackup: true, purpose: options.purpose ?? `write ${basename(path)}` });
  return { ...result, recovered };
}
