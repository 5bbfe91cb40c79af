import { commandKeys } from '../aof/keys.js';
import type { ByteRange } from '../aof/set-edit.js';
import { globMatcher } from '../bytes/glob.js';
import type { GlobMatcher } from '../bytes/glob.js';
import { jsonBytes } from '../bytes/text.js';
import type { JsonBytes } from '../bytes/text.js';
import { UsageError } from '../errors.js';
import { readAofSetBatches } from '../input/aof-reader.js';
import type { AofSetCommandEvent } from '../input/aof-reader.js';
import { identifyInput } from '../input/detect.js';
import { RemovedCounter, partIndexNamed, pendingEditOf, progressOf } from './aof-edit.js';
import type { AofEditPlan, EditedFile, ProgressCallback, RemovedSummary } from './aof-edit.js';

/*
 * `redback filter`: the AOF without the commands named — by name, by position, by key or by database —
 * keeping MULTI/EXEC blocks well formed and every SELECT a kept command needs.
 */

/** What to drop. A command is dropped when any rule drops it. */
export interface FilterOptions {
  /** Drop these commands (names in any case). */
  dropCommands?: readonly string[];
  /** Drop the commands starting at these positions (`FILE:OFFSET` as `log` prints them). */
  dropAt?: readonly { file: string; offset: number }[];
  /** Keep only commands whose keys match one of these globs (commands without keys are kept). */
  keys?: readonly string[];
  /** Drop commands whose keys match one of these globs. */
  excludeKeys?: readonly string[];
  /** Keep only commands that run in this database (commands without keys are kept, except FLUSHDB). */
  db?: number;
  /** A command whose keys are partly kept and partly dropped: kept whole, dropped whole, or (default) the plan stops. */
  mixed?: 'keep' | 'drop';
  onProgress?: ProgressCallback;
}

/** A command whose keys are partly kept and partly dropped. */
export interface MixedCommand {
  file: string;
  offset: number;
  command: string;
  kept: JsonBytes[];
  dropped: JsonBytes[];
}

/** What `filter` will do. */
export interface FilterPlan extends AofEditPlan {
  removed: RemovedSummary;
  /** Commands with keys on both sides (the first 1 000 listed), and how many there are. */
  mixed: MixedCommand[];
  mixedCount: number;
  /** How mixed commands are handled; undefined when none was chosen. */
  mixedChoice: 'keep' | 'drop' | undefined;
  /** Set when the plan cannot be carried out as it is (mixed commands without `--mixed`). */
  refusal: { message: string; hint: string } | undefined;
  /**
   * After a dropped FLUSHALL/FLUSHDB the AOF lacks the writes that were no-ops after the flush (a DEL of a
   * key it had removed was never written): the kept commands with keys after it, in the databases it
   * flushed, may act differently.
   */
  flushWarning: { flushes: number; commandsAffected: number } | undefined;
  /** MULTI blocks removed whole because every command in them was dropped. */
  emptiedBlocks: number;
  notes: string[];
}

/** At most this many mixed commands are listed. */
const MIXED_LISTED = 1000;
const STRUCTURAL = new Set(['SELECT', 'MULTI', 'EXEC']);

/** The dropped ranges of one file, merged as they come (out-of-order ones are sorted at the end). */
class DropList {
  ranges: ByteRange[] = [];
  private sorted = true;

  add(start: number, end: number): void {
    const last = this.ranges.at(-1);
    if (last && start < last.start) this.sorted = false;
    if (last && last.end === start) last.end = end;
    else this.ranges.push({ start, end });
  }

  finish(): ByteRange[] {
    if (this.sorted) return this.ranges;
    const out: ByteRange[] = [];
    for (const range of [...this.ranges].sort((a, b) => a.start - b.start)) {
      const last = out.at(-1);
      if (last && last.end >= range.start) last.end = Math.max(last.end, range.end);
      else out.push({ ...range });
    }
    return out;
  }
}

/** A dropped command waiting for the end of its MULTI block. */
interface Pending {
  offset: number;
  length: number;
  name: string;
  keys: Uint8Array[];
  db: number;
  timestamp: number | undefined;
}

/**
 * Works out what `filter` drops from the AOF at `path` (any form), in one streaming pass. Reads only.
 * Throws {@link UsageError} when nothing is asked, for a `--drop-at` that is not the start of a command
 * (naming the nearest ones) or names a SELECT/MULTI/EXEC, for `--drop-command SELECT|MULTI|EXEC`, and the
 * readers' errors for a broken file.
 */
export async function planFilter(path: string, options: FilterOptions): Promise<FilterPlan> {
  const dropNames = new Set((options.dropCommands ?? []).map((n) => n.trim().toUpperCase()).filter(Boolean));
  for (const name of dropNames) {
    if (STRUCTURAL.has(name)) throw new UsageError(`--drop-command ${name}: ${name === 'SELECT' ? 'the commands after a SELECT need it' : 'MULTI and EXEC go with their block (an emptied block disappears whole)'}; drop the commands themselves`);
  }
  const include: GlobMatcher[] = (options.keys ?? []).map((g) => globMatcher(g));
  const exclude: GlobMatcher[] = (options.excludeKeys ?? []).map((g) => globMatcher(g));
  const keyFilters = include.length > 0 || exclude.length > 0;
  if (dropNames.size === 0 && (options.dropAt ?? []).length === 0 && !keyFilters && options.db === undefined) {
    throw new UsageError('nothing to drop: give --drop-command, --drop-at, --key, --exclude-key or --db');
  }
  const input = await identifyInput(path);
  if (input.kind !== 'aof') throw new UsageError(`${path} is an RDB snapshot: filter edits AOFs`);
  const set = input.set;
  const dropAt = new Map<number, Map<number, boolean>>();
  for (const at of options.dropAt ?? []) {
    const index = partIndexNamed(set, at.file, '--drop-at');
    const offsets = dropAt.get(index) ?? new Map<number, boolean>();
    offsets.set(at.offset, false);
    dropAt.set(index, offsets);
  }
  const counter = new RemovedCounter();
  const plan: FilterPlan = {
    file: path,
    layout: set.kind,
    manifest: set.manifestPath,
    files: [],
    changed: false,
    pendingEdit: await pendingEditOf(set),
    removed: counter.summary(),
    mixed: [],
    mixedCount: 0,
    mixedChoice: options.mixed,
    refusal: undefined,
    flushWarning: undefined,
    emptiedBlocks: 0,
    notes: [],
  };
  const keyPasses = (key: Uint8Array): boolean => (include.length === 0 || include.some((m) => m(key))) && !exclude.some((m) => m(key));
  /** The flushes dropped so far, and whether a later kept command may act differently. */
  let flushAll = false;
  const flushedDbs = new Set<number>();
  let flushes = 0;
  let affected = 0;

  /** Whether a command (not SELECT, MULTI or EXEC) is dropped; counts mixed ones and the flush warning. */
  const decide = (c: AofSetCommandEvent, keys: Uint8Array[], dropHere: Map<number, boolean> | undefined): boolean => {
    if (dropHere?.has(c.offset)) {
      dropHere.set(c.offset, true);
      return true;
    }
    if (dropNames.has(c.name)) return true;
    if (options.db !== undefined && c.db !== options.db && (keys.length > 0 || c.name === 'FLUSHDB')) return true;
    if (keyFilters && keys.length > 0) {
      let kept = 0;
      for (const key of keys) if (keyPasses(key)) kept++;
      if (kept === 0) return true;
      if (kept < keys.length) {
        plan.mixedCount++;
        if (plan.mixed.length < MIXED_LISTED) {
          plan.mixed.push({
            file: c.file.part.name,
            offset: c.offset,
            command: c.name,
            kept: keys.filter(keyPasses).map(jsonBytes),
            dropped: keys.filter((k) => !keyPasses(k)).map(jsonBytes),
          });
        }
        return options.mixed === 'drop';
      }
    }
    return false;
  };

  const files: EditedFile[] = [];
  let drops = new DropList();
  let block: { offset: number; kept: number; dropped: Pending[]; annotations: ByteRange[] } | undefined;
  let pendingSelect: Pending | undefined;
  let file: EditedFile | undefined;
  let fileIndex = -1;
  /** Record starts of the file being read, around each `--drop-at` offset (for the error). */
  let previousStart = 0;

  const removeCommand = (p: Pending): void => {
    drops.add(p.offset, p.offset + p.length);
    countRemoved(p);
  };
  const countRemoved = (p: Pending): void => {
    counter.addCommand(p.name, p.keys, p.db, p.timestamp);
    if (p.name === 'FLUSHALL') {
      flushAll = true;
      flushes++;
    } else if (p.name === 'FLUSHDB') {
      flushedDbs.add(p.db);
      flushes++;
    }
  };
  const keepCommand = (c: AofSetCommandEvent, keys: readonly Uint8Array[]): void => {
    // The SELECT before a kept command stays.
    pendingSelect = undefined;
    if (c.name === 'FLUSHALL') {
      flushAll = false;
      flushedDbs.clear();
    } else if (c.name === 'FLUSHDB') {
      flushedDbs.delete(c.db);
    } else if (keys.length > 0 && (flushAll || flushedDbs.has(c.db))) {
      affected++;
    }
  };
  const endFile = (): void => {
    if (!file) return;
    if (block) {
      // A block the file does not close: its dropped commands go, the MULTI stays (as it was).
      for (const p of block.dropped) removeCommand(p);
      block = undefined;
    }
    if (pendingSelect) removeCommand(pendingSelect);
    pendingSelect = undefined;
    const ranges = drops.finish();
    const keep: ByteRange[] = [];
    let pos = 0;
    for (const range of ranges) {
      if (range.start > pos) keep.push({ start: pos, end: range.start });
      pos = range.end;
      file.bytesRemoved += range.end - range.start;
    }
    if (pos < file.size) keep.push({ start: pos, end: file.size });
    file.keep = keep;
    file.action = file.bytesRemoved > 0 ? 'edit' : 'keep';
    counter.addBytes(file.bytesRemoved);
    const missing = [...(dropAt.get(fileIndex) ?? new Map<number, boolean>())].filter(([, seen]) => !seen).map(([offset]) => offset);
    if (missing.length > 0) {
      throw new UsageError(`--drop-at ${file.name}:${missing[0]}: no command starts there (the file has ${file.size} bytes); use an offset that log prints`);
    }
    drops = new DropList();
  };

  const progress = await progressOf(set, options.onProgress);
  for await (const events of readAofSetBatches(set, { onProgress: progress.read })) {
    for (const event of events) {
      switch (event.kind) {
        case 'file':
          fileIndex = event.file.index;
          previousStart = 0;
          file = {
            name: event.file.part.name,
            path: event.file.part.path,
            role: event.file.part.role === 'single' ? 'single' : event.file.part.role === 'base' ? 'base' : 'incr',
            size: event.file.size,
            compressed: event.file.compressed,
            rdb: event.file.rdb,
            action: 'keep',
            keep: [],
            bytesRemoved: 0,
          };
          files.push(file);
          break;
        case 'rdb':
          previousStart = event.outcome.okUpTo;
          break;
        case 'end':
          if (file) file.size = event.file.size;
          endFile();
          progress.ended(event.file.index);
          break;
        case 'annotation':
          previousStart = event.annotation.offset;
          block?.annotations.push({ start: event.annotation.offset, end: event.annotation.offset + event.annotation.length });
          break;
        case 'command': {
          const dropHere = dropAt.get(fileIndex);
          if (dropHere) {
            for (const [offset, seen] of dropHere) {
              if (!seen && offset > previousStart && offset < event.offset) {
                throw new UsageError(`--drop-at ${event.file.part.name}:${offset} is not the start of a command (nearest: ${event.file.part.name}:${previousStart} and ${event.file.part.name}:${event.offset})`);
              }
            }
          }
          previousStart = event.offset;
          const pending = (keys: Uint8Array[]): Pending => ({ offset: event.offset, length: event.length, name: event.name, keys, db: event.db, timestamp: event.timestamp });
          if (STRUCTURAL.has(event.name)) {
            if (dropHere?.has(event.offset)) {
              throw new UsageError(`--drop-at ${event.file.part.name}:${event.offset} is a ${event.name}: drop the commands of its block instead (an emptied block disappears whole)`);
            }
            if (event.name === 'MULTI') {
              block = { offset: event.offset, kept: 0, dropped: [], annotations: [] };
            } else if (event.name === 'EXEC' && block) {
              const open = block;
              block = undefined;
              if (open.kept === 0) {
                // Every command of the block is dropped: the block goes whole, MULTI and EXEC with it.
                plan.emptiedBlocks++;
                // The #TS annotations inside stay: they date the commands after the block.
                let from = open.offset;
                for (const a of open.annotations) {
                  if (a.start > from) drops.add(from, a.start);
                  from = a.end;
                }
                drops.add(from, event.offset + event.length);
                for (const p of open.dropped) countRemoved(p);
                counter.addCommand('MULTI', [], event.db, event.timestamp);
                counter.addCommand('EXEC', [], event.db, event.timestamp);
              } else {
                pendingSelect = undefined;
                for (const p of open.dropped) removeCommand(p);
              }
            } else if (event.name === 'SELECT' && !block) {
              if (pendingSelect) removeCommand(pendingSelect);
              pendingSelect = pending([]);
            }
            break;
          }
          const keys = commandKeys(event.args);
          const drop = decide(event, keys, dropHere);
          if (block) {
            if (drop) block.dropped.push(pending(keys.map((k) => k.slice())));
            else {
              block.kept++;
              keepCommand(event, keys);
            }
          } else if (drop) {
            removeCommand(pending(keys));
          } else {
            keepCommand(event, keys);
          }
          break;
        }
      }
    }
  }
  plan.files = files;
  plan.removed = counter.summary();
  plan.changed = files.some((f) => f.action !== 'keep');
  if (flushes > 0) plan.flushWarning = { flushes, commandsAffected: affected };
  if (plan.mixedCount > 0 && options.mixed === undefined) {
    plan.refusal = {
      message: `${plan.mixedCount} command${plan.mixedCount === 1 ? ' touches' : 's touch'} keys that are kept and keys that are dropped: refusing to split or keep ${plan.mixedCount === 1 ? 'it' : 'them'} silently`,
      hint: 'choose --mixed keep (keep such commands whole) or --mixed drop (drop them whole)',
    };
  }
  return plan;
}
