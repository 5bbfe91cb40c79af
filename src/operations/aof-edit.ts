import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { editAofSet, pendingAofEdit, prefixOfManifest, recoverAofEdit, replaceAofFile, writeAofFile, writeAofSet } from '../aof/set-edit.js';
import { resolveAof } from '../aof/set.js';
import type { AofSetLayout, ByteRange, Compression, EditOwner, FileContent, RecoveryReport, SetEntry, StepHook } from '../aof/set-edit.js';
import type { AofSet } from '../aof/set.js';
import { jsonBytes, latin1 } from '../bytes/text.js';
import type { JsonBytes } from '../bytes/text.js';
import { UsageError } from '../errors.js';
import { exists } from '../io/atomic.js';
import { readRanges } from '../io/ranges.js';
import { defaultBackupDir } from './fix-aof.js';

/*
 * What `truncate` and `filter` share: the plan of an edit of an AOF (which bytes of which file are kept),
 * what the edit removes (commands by name, keys, bytes, time span), and carrying the plan out through the
 * crash-safe set edit of `aof/set-edit.ts` — in place with a backup, or into a new file or directory.
 */

/** One file of the AOF and what the edit does with it. */
export interface EditedFile {
  /** The name the manifest gives (or the file's name, for a single AOF). */
  name: string;
  path: string;
  role: 'single' | 'base' | 'incr';
  /** Bytes of the file as read (after LZ4 decoding for a compressed file). */
  size: number;
  compressed: boolean;
  /** The file starts with an RDB (an RDB preamble or an RDB BASE). */
  rdb: boolean;
  /** 'keep': unchanged; 'edit': only `keep` ranges stay (written as a new file); 'drop': leaves the set. */
  action: 'keep' | 'edit' | 'drop';
  /** The byte ranges kept, in order (the whole file for 'keep', nothing for 'drop'). */
  keep: ByteRange[];
  /** Bytes removed from this file. */
  bytesRemoved: number;
  /**
   * For an 'edit' whose kept ranges are not listed in `keep` (filter: they are worked out again while the file
   * is written): the kept bytes, in order. Not part of the JSON.
   */
  produce?: (options: { reuseBuffer?: boolean }) => AsyncIterable<Uint8Array>;
}

/** At most this many distinct keys are counted (and this many shown) in a summary. */
const KEYS_COUNTED = 10_000;
const KEYS_SHOWN = 20;

/** What an edit removes. */
export interface RemovedSummary {
  /** Commands removed (MULTI and EXEC included). */
  commands: number;
  /** Bytes removed (commands, annotations, whole files). */
  bytes: number;
  /** Removed commands by name (upper case), most frequent first. */
  byName: { command: string; count: number }[];
  /** Keys the removed commands touch. */
  keys: {
    /** Distinct keys (counted up to 10 000: `distinctCapped` then says there are more, uncounted). */
    distinct: number;
    distinctCapped: boolean;
    /** The first 20 distinct keys. */
    sample: JsonBytes[];
  };
  /** The `#TS` time of the first and the last removed command (unix seconds); absent before any annotation. */
  firstTimestamp: number | undefined;
  lastTimestamp: number | undefined;
  /** Databases the removed commands ran in. */
  dbs: number[];
}

/** Counts what an edit removes, in bounded memory. */
export class RemovedCounter {
  private commands = 0;
  private bytes = 0;
  private readonly names = new Map<string, number>();
  private readonly distinct = new Set<string>();
  private capped = false;
  private readonly sample: JsonBytes[] = [];
  private first: number | undefined;
  private last: number | undefined;
  private readonly dbs = new Set<number>();

  /**
   * One removed command (its bytes are counted with {@link addBytes}). `keys` may be a function: it is called
   * only while distinct keys are still counted (finding keys costs more than the rest of the count).
   */
  addCommand(name: string, keys: readonly Uint8Array[] | (() => readonly Uint8Array[]), db: number, timestamp: number | undefined): void {
    this.commands++;
    this.names.set(name, (this.names.get(name) ?? 0) + 1);
    this.dbs.add(db);
    if (this.capped) return this.time(timestamp);
    for (const key of typeof keys === 'function' ? keys() : keys) {
      const text = latin1(key);
      if (this.distinct.has(text)) continue;
      if (this.distinct.size >= KEYS_COUNTED) {
        this.capped = true;
        continue;
      }
      this.distinct.add(text);
      if (this.sample.length < KEYS_SHOWN) this.sample.push(jsonBytes(key));
    }
    this.time(timestamp);
  }

  private time(timestamp: number | undefined): void {
    if (timestamp !== undefined) {
      this.first ??= timestamp;
      this.last = timestamp;
    }
  }

  addBytes(bytes: number): void {
    this.bytes += bytes;
  }

  get count(): number {
    return this.commands;
  }

  summary(): RemovedSummary {
    return {
      commands: this.commands,
      bytes: this.bytes,
      byName: [...this.names].map(([command, count]) => ({ command, count })).sort((a, b) => b.count - a.count || a.command.localeCompare(b.command)),
      keys: { distinct: this.distinct.size, distinctCapped: this.capped, sample: [...this.sample] },
      firstTimestamp: this.first,
      lastTimestamp: this.last,
      dbs: [...this.dbs].sort((a, b) => a - b),
    };
  }
}

/** The part of a plan {@link applyAofEdit} needs. */
export interface AofEditPlan {
  /** The path given. */
  file: string;
  layout: 'single' | 'multipart';
  manifest: string | undefined;
  /** Every file Redis loads, in order, with what happens to it. */
  files: EditedFile[];
  /** False when the edit would leave the AOF as it is. */
  changed: boolean;
  /** An interrupted earlier edit of these files, which an in-place edit finishes or undoes first. */
  pendingEdit: { journal: string; started: string; purpose: string } | undefined;
}

/** Options of {@link applyAofEdit}. */
export interface ApplyEditOptions {
  /** Edit the AOF itself (keeping a backup unless `noBackup`). Excludes `out`. */
  inPlace?: boolean;
  /** Write the result here: a directory for a set, a file for a single AOF. Excludes `inPlace`. */
  out?: string;
  /** In place: where the originals go (default beside the AOF directory or file, `<name>.redback-backup-<time>`). */
  backupDir?: string;
  noBackup?: boolean;
  /** Compress written files (default: as the input was). */
  compress?: Compression;
  owner?: EditOwner;
  onStep?: StepHook;
  /** What the edit does, for the journal. */
  purpose: string;
  /** The time the default backup directory is named after. */
  now?: Date;
}

/** What {@link applyAofEdit} did. */
export interface AofEditResult {
  /** The AOF written or edited: the output file, the output directory's manifest, or the edited AOF. */
  target: string;
  /** Files written. */
  written: string[];
  /** Files that left the set (moved to the backup or deleted). */
  removed: string[];
  backupDir: string | undefined;
  recovered: RecoveryReport | undefined;
  /** Bytes of the AOF written or edited, every file counted. */
  bytes: number;
}

/** Called with the bytes read so far and in all (on disk; undefined when unknown), for a progress bar. */
export type ProgressCallback = (done: number, total: number | undefined) => void;

/**
 * The progress hooks of a pass over `set` with {@link readAofSetBatches}: `read` for its `onProgress`, `ended`
 * at each file's `end` event. Sizes are on disk (a compressed file counts as stored), as `log` counts them.
 */
export async function progressOf(set: AofSet, onProgress: ProgressCallback | undefined): Promise<{ read?: (file: { index: number }, offset: number) => void; ended: (index: number) => void }> {
  if (!onProgress) return { ended: () => undefined };
  const sizes: number[] = [];
  for (const part of set.parts) sizes.push(await stat(part.path).then((s) => s.size, () => 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  let before = 0;
  return {
    read: (file, offset) => onProgress(before + Math.min(offset, sizes[file.index] ?? 0), total),
    ended: (index) => {
      before += sizes[index] ?? 0;
      onProgress(before, total);
    },
  };
}

/** The interrupted edit of the AOF at `set`, if any (for the plan). */
export async function pendingEditOf(set: AofSet): Promise<AofEditPlan['pendingEdit']> {
  const target = set.manifestPath ?? set.parts[0]?.path;
  return target === undefined ? undefined : pendingAofEdit(target);
}

/**
 * Finishes or undoes an interrupted edit of the AOF at `path` (any form), before an in-place edit is
 * planned: the plan must see the set as it really is, and a rerun of a killed command must leave no stray
 * file even when it finds nothing left to do. Returns what was recovered, if anything.
 */
export async function recoverBeforeEdit(path: string, options: { owner?: EditOwner; onStep?: StepHook } = {}): Promise<RecoveryReport | undefined> {
  const set = await resolveAof(path);
  const target = set.manifestPath ?? set.parts[0]?.path;
  return target === undefined ? undefined : recoverAofEdit(target, options);
}

/** Checks the output options before anything is read: exactly one of `inPlace` and `out`. */
export function checkOutputOptions(options: Pick<ApplyEditOptions, 'inPlace' | 'out' | 'backupDir' | 'noBackup'>): void {
  if (options.inPlace && options.out !== undefined) throw new UsageError('--in-place and --output exclude each other');
  if (!options.inPlace && options.out === undefined) throw new UsageError('say where the result goes: --output OUT (a new file or directory), or --in-place');
  if (!options.inPlace && (options.backupDir !== undefined || options.noBackup)) throw new UsageError('--backup-dir and --no-backup go with --in-place');
  if (options.noBackup && options.backupDir !== undefined) throw new UsageError('--no-backup and --backup-dir exclude each other');
}

/**
 * Carries out an edit plan. In place, through {@link editAofSet} (a set: the edited files are written under
 * new names, the manifest rename commits, the files that leave go to the backup directory) or
 * {@link replaceAofFile} (a single file, after a hard link of the original into the backup directory).
 * Elsewhere, through {@link writeAofSet} (a new directory; the manifest is written last) or
 * {@link writeAofFile}; the input is only read. Throws {@link UsageError} for an output that exists,
 * {@link InputOutputError} when the file system fails.
 */
export async function applyAofEdit(plan: AofEditPlan, options: ApplyEditOptions): Promise<AofEditResult> {
  checkOutputOptions(options);
  const compressionOf = (file: EditedFile): Compression => options.compress ?? (file.compressed ? 'lz4' : 'none');
  const loaded = plan.files.filter((f) => f.action !== 'drop');
  if (options.inPlace) {
    const backupDir = options.noBackup ? undefined : (options.backupDir ?? (await defaultBackupDir({ layout: plan.layout, manifest: plan.manifest, file: plan.file, targets: plan.files }, options.now)));
    const editOptions = { backupDir, noBackup: options.noBackup, owner: options.owner, onStep: options.onStep, purpose: options.purpose };
    if (plan.layout === 'single') {
      const file = plan.files[0] as EditedFile;
      const done = await replaceAofFile(file.path, contentOf(file, compressionOf(file)), { ...editOptions, compression: compressionOf(file) });
      return { target: file.path, written: [file.path], removed: [], backupDir: done.backup === undefined ? undefined : backupDir, recovered: done.recovered, bytes: done.bytes };
    }
    const entryOf = (file: EditedFile): SetEntry =>
      file.action === 'keep' ? { keep: file.name } : { content: contentOf(file, compressionOf(file)), format: file.rdb && file.role === 'base' ? 'rdb' : 'aof', compression: compressionOf(file) };
    const base = loaded.find((f) => f.role === 'base');
    const layout: AofSetLayout = { base: base && entryOf(base), incr: loaded.filter((f) => f.role === 'incr').map(entryOf) };
    const edit = await editAofSet(plan.manifest as string, layout, editOptions);
    return {
      target: plan.manifest as string,
      written: edit.files.filter((f) => f.written).map((f) => f.path),
      removed: edit.retired,
      backupDir: edit.changed ? backupDir : undefined,
      recovered: edit.recovered,
      bytes: await sizeOf(edit.files.map((f) => f.path)),
    };
  }
  const out = options.out as string;
  const compress = options.compress ?? (plan.files.some((f) => f.compressed) ? 'lz4' : 'none');
  // writeAofSet writes each chunk before asking for the next: uncompressed, the chunks can be views into one buffer.
  const ranges = (file: EditedFile): (() => AsyncIterable<Uint8Array>) => () =>
    file.produce ? file.produce({ reuseBuffer: compress === 'none' }) : readRanges(file.path, file.keep, { reuseBuffer: compress === 'none' });
  if (plan.layout === 'single') {
    const file = plan.files[0] as EditedFile;
    const done = await writeAofFile(out, contentOf(file, compressionOf(file)), { compression: compressionOf(file), owner: options.owner, onStep: options.onStep, purpose: options.purpose });
    return { target: out, written: [out], removed: [], backupDir: undefined, recovered: done.recovered, bytes: done.bytes };
  }
  if ((await exists(out)) && !(await isDirectory(out))) throw new UsageError('the output of a multi-part AOF is a directory, and this is a file', { file: out });
  const base = loaded.find((f) => f.role === 'base');
  const written = await writeAofSet(
    out,
    { base: base && { format: base.rdb ? 'rdb' : 'aof', chunks: ranges(base) }, incrs: loaded.filter((f) => f.role === 'incr').map(ranges) },
    { prefix: prefixOfManifest(plan.manifest as string), compression: compress, owner: options.owner, onStep: options.onStep, purpose: options.purpose },
  );
  return { target: written.manifestPath, written: written.files, removed: [], backupDir: undefined, recovered: undefined, bytes: written.bytes };
}

/** What a written file holds: its kept ranges (through `rangesOf`), or the bytes its plan produces. */
function contentOf(file: EditedFile, compression: Compression): FileContent {
  const produce = file.produce;
  // Written chunk by chunk: uncompressed, the chunks may be views into one buffer.
  return produce ? { chunks: () => produce({ reuseBuffer: compression === 'none' }) } : { rangesOf: file.path, ranges: file.keep };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function sizeOf(paths: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const path of paths) bytes += await stat(path).then((s) => s.size, () => 0);
  return bytes;
}

/** `FILE:OFFSET` as `log` prints it → the file name and the offset. Throws {@link UsageError}. */
export function parseFileOffset(text: string, flag: string): { file: string; offset: number } {
  const at = text.lastIndexOf(':');
  const offset = at > 0 ? text.slice(at + 1) : '';
  if (!/^\d+$/.test(offset)) throw new UsageError(`${flag} wants FILE:OFFSET as log prints it (e.g. appendonly.aof.2.incr.aof:1234), got ${JSON.stringify(text)}`);
  return { file: text.slice(0, at), offset: Number(offset) };
}

/** The part of the AOF a `FILE` of {@link parseFileOffset} names: its manifest name, its path, or its base name. */
export function partIndexNamed(set: AofSet, file: string, flag: string): number {
  const index = set.parts.findIndex((p) => p.name === file || p.path === file || basename(p.path) === file || basename(p.path) === basename(file));
  if (index < 0) throw new UsageError(`${flag}: ${file} is not a file of this AOF (its files: ${set.parts.map((p) => p.name).join(', ')})`);
  return index;
}
