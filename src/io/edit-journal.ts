import { createHash } from 'node:crypto';
import { open, readFile, rmdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { InputOutputError, ioError } from '../errors.js';
import { exists, fsyncDirectory, makeDirectory, moveFile, removeFile } from './atomic.js';
import type { StepHook } from './atomic.js';

/*
 * The journal of an edit: how a crashed edit is recognised and finished or undone by the next run.
 *
 * An edit of files in one directory is: create new files (under names that did not exist), then one
 * commit — the rename of a temporary file over its target (a manifest, or a single AOF) — then retire the
 * files the commit left out (move them to the backup, or delete them). Before any of it, the journal
 * `<target>.redback-journal` is written and fsynced, naming every file the edit will create, the commit,
 * and every file it will retire. It is removed when the edit is done. A journal found later means a run
 * was interrupted:
 *
 * - before the commit (the temporary file still exists, or the target is not the new one): every file
 *   the journal says this edit created is removed — never one the live set names — and the old state is
 *   exactly as it was;
 * - after it: the retiring is finished (into the backup directory the journal names).
 *
 * The journal is also a lock: a second run finds it, and while the process that wrote it is alive on this
 * host, refuses to touch the files.
 */

/** Who is editing: this process, and how to tell whether another one is still running. */
export interface EditOwner {
  pid: number;
  /** True when a process with this id is running (on this host). */
  isRunning(pid: number): boolean;
}

/** The contents of a journal file (JSON). Names are binary strings, one character per byte. */
export interface EditJournal {
  format: 'redback-edit-journal';
  version: 1;
  /** The random token in the names of this edit's temporary files. */
  token: string;
  /** The process that wrote it (null when the caller gave no owner) and its host. */
  pid: number | null;
  host: string;
  /** When the edit started (ISO 8601). */
  started: string;
  /** What the edit does, for people reading the journal ("fix: cut appendonly.aof.2.incr.aof"). */
  purpose: string;
  /** Files the edit creates in the directory. */
  created: string[];
  /** The commit: `temp` renamed over `target`. `sha256` of the new target when recovery must compare contents. */
  commit: { temp: string; target: string; sha256: string | null };
  /** Files the commit leaves out, retired after it. */
  retired: string[];
  /** Where retired files go; null: they are deleted. */
  backupDir: string | null;
  /** Files the edit puts into the backup directory before the commit (the old manifest, a single AOF's original). */
  backupFiles: string[];
  /** True when the edit creates the backup directory (a rollback removes it again when it is empty). */
  backupDirCreated: boolean;
}

/** What a recovery found and did. */
export interface RecoveryReport {
  journal: string;
  /** 'rolled-back': the edit had not committed, its new files were removed; 'completed': it had, the retiring was finished. */
  outcome: 'rolled-back' | 'completed' | 'discarded';
  purpose: string;
  started: string;
  /** Files removed (rolled back, or retired without a backup). */
  removed: string[];
  /** Files moved to the backup directory. */
  moved: string[];
  backupDir: string | null;
}

/** The journal path of an edit whose commit target is `target`. */
export function journalPathFor(target: string): string {
  return `${target}.redback-journal`;
}

/** The path of a file named `name` (a binary string) in `dir`. */
export function pathIn(dir: string, name: string): string {
  return join(dir, Buffer.from(name, 'latin1').toString());
}

/** A new journal for an edit in the directory of `target`. */
export function newJournal(fields: Omit<EditJournal, 'format' | 'version' | 'pid' | 'host' | 'started'>, owner: EditOwner | undefined): EditJournal {
  return { format: 'redback-edit-journal', version: 1, pid: owner?.pid ?? null, host: hostname(), started: new Date().toISOString(), ...fields };
}

/**
 * Reads a journal: undefined when there is none, 'partial' when it does not hold a whole journal (a crash
 * while it was being written, before the edit did anything else).
 */
export async function readJournal(path: string): Promise<EditJournal | 'partial' | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(error, path);
  }
  try {
    const journal = JSON.parse(text) as EditJournal;
    if (journal.format !== 'redback-edit-journal' || journal.version !== 1 || !Array.isArray(journal.created) || !Array.isArray(journal.retired)) return 'partial';
    return journal;
  } catch {
    return 'partial';
  }
}

/**
 * Writes the journal (which must not exist), fsynced with its directory: from here on a crash is
 * recoverable. Throws an {@link InputOutputError} when a journal is already there (another edit).
 */
export async function writeJournal(path: string, journal: EditJournal, onStep?: StepHook): Promise<void> {
  await onStep?.({ action: 'create', path });
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw busy(path, undefined);
    throw ioError(error, path);
  }
  try {
    // Binary strings stay one byte per character, so names round-trip exactly.
    await handle.writeFile(Buffer.from(`${JSON.stringify(journal, null, 1)}\n`, 'latin1'));
    await handle.sync();
  } catch (error) {
    throw ioError(error, path);
  } finally {
    await handle.close();
  }
  await fsyncDirectory(dirname(path));
}

/** Removes the journal: the edit is over. */
export async function removeJournal(path: string, onStep?: StepHook): Promise<void> {
  await removeFile(path, onStep);
  await fsyncDirectory(dirname(path));
}

/** SHA-256 of a file's bytes, hex (for small files: a manifest). */
export async function sha256File(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(error, path);
  }
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function busy(path: string, journal: EditJournal | undefined): InputOutputError {
  const who = journal?.pid != null ? ` (process ${journal.pid} on ${journal.host}, since ${journal.started})` : '';
  const error = new InputOutputError(`another redback edit of these files is in progress${who}`, { file: path });
  error.hint = `wait for it to finish; if no redback is running, remove ${basename(path)} and run the command again`;
  return error;
}

/** Options of {@link recoverEdit}. */
export interface RecoverOptions {
  /**
   * Names in the directory that must not be touched: the files the live state names (the manifest's
   * entries). Read only after the commit state is known, so it reflects the live manifest.
   */
  protectedNames: () => Promise<Set<string>>;
  owner?: EditOwner;
  onStep?: StepHook;
}

/**
 * Finishes or undoes the edit a journal describes (see the module comment) and removes the journal.
 * Resolves to undefined when there is no journal. Throws an {@link InputOutputError} when the process
 * that wrote the journal is still running on this host.
 */
export async function recoverEdit(journalPath: string, options: RecoverOptions): Promise<RecoveryReport | undefined> {
  const journal = await readJournal(journalPath);
  if (journal === undefined) return undefined;
  if (journal === 'partial') {
    // The journal is fsynced before anything else is done: an incomplete one means nothing else was.
    await removeJournal(journalPath, options.onStep);
    return { journal: journalPath, outcome: 'discarded', purpose: '', started: '', removed: [], moved: [], backupDir: null };
  }
  const owner = options.owner;
  if (owner && journal.pid !== null && journal.pid !== owner.pid && journal.host === hostname() && owner.isRunning(journal.pid)) {
    throw busy(journalPath, journal);
  }
  const dir = dirname(journalPath);
  const temp = pathIn(dir, journal.commit.temp);
  let committed: boolean;
  if (await exists(temp)) committed = false;
  else if (journal.commit.sha256 === null) committed = true; // the temporary file was renamed (or never made: nothing to undo)
  else committed = (await sha256File(pathIn(dir, journal.commit.target))) === journal.commit.sha256;

  const keep = await options.protectedNames();
  const report: RecoveryReport = {
    journal: journalPath,
    outcome: committed ? 'completed' : 'rolled-back',
    purpose: journal.purpose,
    started: journal.started,
    removed: [],
    moved: [],
    backupDir: journal.backupDir,
  };
  if (!committed) {
    for (const name of [...journal.created, journal.commit.temp]) {
      if (keep.has(name) || name === journal.commit.target) continue;
      const path = pathIn(dir, name);
      if (!(await exists(path))) continue;
      await removeFile(path, options.onStep);
      report.removed.push(path);
    }
    if (journal.backupDir !== null) {
      // The old state is whole again: the copies made for the backup go too, and the directory if we made it.
      for (const name of journal.backupFiles) {
        const path = pathIn(journal.backupDir, name);
        if (!(await exists(path))) continue;
        await removeFile(path, options.onStep);
        report.removed.push(path);
      }
      if (journal.backupDirCreated) await rmdir(journal.backupDir).catch(() => undefined);
    }
  } else {
    if (journal.backupDir !== null) await makeDirectory(journal.backupDir, options.onStep);
    for (const name of journal.retired) {
      if (keep.has(name)) continue;
      const path = pathIn(dir, name);
      if (!(await exists(path))) continue;
      if (journal.backupDir === null) {
        await removeFile(path, options.onStep);
        report.removed.push(path);
      } else {
        const to = pathIn(journal.backupDir, name);
        await moveFile(path, to, options.onStep);
        report.moved.push(to);
      }
    }
  }
  await fsyncDirectory(dir);
  await removeJournal(journalPath, options.onStep);
  return report;
}
