import { commandKeys } from '../aof/keys.js';
import type { ByteRange } from '../aof/set-edit.js';
import { globMatcher } from '../bytes/glob.js';
import type { GlobMatcher } from '../bytes/glob.js';
import { jsonBytes } from '../bytes/text.js';
import type { JsonBytes } from '../bytes/text.js';
import type { AofPart, AofSet } from '../aof/set.js';
import { CorruptError, UsageError } from '../errors.js';
import { readAofSetBatches } from '../input/aof-reader.js';
import type { AofSetCommandEvent, AofSetEvent } from '../input/aof-reader.js';
import { identifyInput } from '../input/detect.js';
import { readRangeStream } from '../io/ranges.js';
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
/**
 * Dropped ranges held back after a SELECT whose fate is open (it goes when only dropped commands follow it):
 * past this many, the SELECT is kept (harmless) and they go out, so memory stays bounded.
 */
const HELD_RANGES = 4096;

/** A dropped command waiting for the end of its MULTI block, or a SELECT whose fate is open. */
interface Pending {
  offset: number;
  length: number;
  name: string;
  keys: Uint8Array[];
  db: number;
  timestamp: number | undefined;
}

/** The rules of a filter, compiled once. */
interface Rules {
  dropNames: ReadonlySet<string>;
  /** `--drop-at` offsets by file name; the flag is set once the command is met. */
  dropAt: Map<string, Map<number, boolean>>;
  db: number | undefined;
  include: GlobMatcher[];
  exclude: GlobMatcher[];
  mixed: 'keep' | 'drop' | undefined;
}

/** What a pass reports besides the dropped ranges. */
interface PassHooks {
  /** A command (or a SELECT, or a MULTI/EXEC of an emptied block) is removed. */
  removed(p: Pending): void;
  /** A command (not SELECT/MULTI/EXEC) is kept, with its keys. */
  kept(c: AofSetCommandEvent, keys: readonly Uint8Array[]): void;
  /** A command with keys on both sides. */
  mixed(c: AofSetCommandEvent, kept: Uint8Array[], dropped: Uint8Array[]): void;
  emptiedBlock(): void;
}

/**
 * One pass of the filter over the events of a file (or of every file, in order): decides what is dropped and
 * hands the dropped byte ranges of each file to `drop`, in order and merged, as soon as they are final. The
 * planning pass and the writing pass run the same code, so they agree byte for byte; neither holds more than a
 * MULTI block and {@link HELD_RANGES} ranges.
 */
class FilterPass {
  private readonly keyFilters: boolean;
  private fileName = '';
  private block: { offset: number; kept: number; dropped: Pending[]; annotations: ByteRange[] } | undefined;
  private select: Pending | undefined;
  private held: ByteRange[] = [];
  private last: ByteRange | undefined;
  private previousStart = 0;
  private dropHere: Map<number, boolean> | undefined;

  constructor(
    private readonly rules: Rules,
    private readonly hooks: PassHooks,
    private readonly drop: (start: number, end: number) => void,
  ) {
    this.keyFilters = rules.include.length > 0 || rules.exclude.length > 0;
  }

  private keyPasses(key: Uint8Array): boolean {
    return (this.rules.include.length === 0 || this.rules.include.some((m) => m(key))) && !this.rules.exclude.some((m) => m(key));
  }

  /** Sends a final range out, merged with the one before when adjacent. */
  private emit(start: number, end: number): void {
    if (end <= start) return;
    if (this.last && this.last.end === start) {
      this.last.end = end;
      return;
    }
    if (this.last) this.drop(this.last.start, this.last.end);
    this.last = { start, end };
  }

  /** A dropped range: out at once, or held while a SELECT's fate is open. */
  private add(start: number, end: number): void {
    if (!this.select) return this.emit(start, end);
    const tail = this.held.at(-1);
    if (tail && tail.end === start) tail.end = end;
    else this.held.push({ start, end });
    if (this.held.length > HELD_RANGES) this.settleSelect(false);
  }

  /** Decides the open SELECT: dropped (only dropped commands followed it) or kept; the held ranges go out. */
  private settleSelect(dropIt: boolean): void {
    const select = this.select;
    if (!select) return;
    this.select = undefined;
    if (dropIt) {
      this.emit(select.offset, select.offset + select.length);
      this.hooks.removed(select);
    }
    for (const range of this.held) this.emit(range.start, range.end);
    this.held = [];
  }

  private removeCommand(p: Pending): void {
    this.add(p.offset, p.offset + p.length);
    this.hooks.removed(p);
  }

  /** Whether a command (not SELECT, MULTI or EXEC) is dropped. */
  private decide(c: AofSetCommandEvent, keys: Uint8Array[]): boolean {
    if (this.dropHere?.has(c.offset)) {
      this.dropHere.set(c.offset, true);
      return true;
    }
    if (this.rules.dropNames.has(c.name)) return true;
    if (this.rules.db !== undefined && c.db !== this.rules.db && (keys.length > 0 || c.name === 'FLUSHDB')) return true;
    if (this.keyFilters && keys.length > 0) {
      const kept = keys.filter((k) => this.keyPasses(k));
      if (kept.length === 0) return true;
      if (kept.length < keys.length) {
        this.hooks.mixed(c, kept, keys.filter((k) => !this.keyPasses(k)));
        return this.rules.mixed === 'drop';
      }
    }
    return false;
  }

  /** Handles one event of the reader. Throws {@link UsageError} for a `--drop-at` that names no command. */
  onEvent(event: AofSetEvent): void {
    switch (event.kind) {
      case 'file':
        this.fileName = event.file.part.name;
        this.dropHere = this.rules.dropAt.get(this.fileName);
        this.previousStart = 0;
        this.block = undefined;
        this.select = undefined;
        this.held = [];
        this.last = undefined;
        return;
      case 'rdb':
        this.previousStart = event.outcome.okUpTo;
        return;
      case 'annotation':
        this.previousStart = event.annotation.offset;
        this.block?.annotations.push({ start: event.annotation.offset, end: event.annotation.offset + event.annotation.length });
        return;
      case 'end':
        this.endFile(event.file.size);
        return;
      case 'command':
        this.onCommand(event);
    }
  }

  private onCommand(event: AofSetCommandEvent): void {
    const name = this.fileName;
    if (this.dropHere) {
      for (const [offset, seen] of this.dropHere) {
        if (!seen && offset > this.previousStart && offset < event.offset) {
          throw new UsageError(`--drop-at ${name}:${offset} is not the start of a command (nearest: ${name}:${this.previousStart} and ${name}:${event.offset})`);
        }
      }
    }
    this.previousStart = event.offset;
    const pending = (keys: Uint8Array[]): Pending => ({ offset: event.offset, length: event.length, name: event.name, keys, db: event.db, timestamp: event.timestamp });
    if (STRUCTURAL.has(event.name)) {
      if (this.dropHere?.has(event.offset)) {
        throw new UsageError(`--drop-at ${name}:${event.offset} is a ${event.name}: drop the commands of its block instead (an emptied block disappears whole)`);
      }
      if (event.name === 'MULTI') {
        this.block = { offset: event.offset, kept: 0, dropped: [], annotations: [] };
      } else if (event.name === 'EXEC' && this.block) {
        const open = this.block;
        this.block = undefined;
        if (open.kept === 0) {
          // Every command of the block is dropped: the block goes whole, MULTI and EXEC with it; the #TS
          // annotations inside stay (they date the commands after the block).
          this.hooks.emptiedBlock();
          let from = open.offset;
          for (const a of open.annotations) {
            this.add(from, a.start);
            from = a.end;
          }
          this.add(from, event.offset + event.length);
          for (const p of open.dropped) this.hooks.removed(p);
          this.hooks.removed({ ...pending([]), name: 'MULTI' });
          this.hooks.removed(pending([]));
        } else {
          for (const p of open.dropped) this.removeCommand(p);
        }
      } else if (event.name === 'SELECT' && !this.block) {
        this.settleSelect(true);
        this.select = pending([]);
      }
      return;
    }
    const keys = commandKeys(event.args);
    const drop = this.decide(event, keys);
    if (this.block) {
      if (drop) {
        this.block.dropped.push(pending(keys.map((k) => k.slice())));
      } else {
        this.block.kept++;
        // A kept command inside the block keeps the SELECT before the block.
        this.settleSelect(false);
        this.hooks.kept(event, keys);
      }
    } else if (drop) {
      this.removeCommand(pending(keys));
    } else {
      this.settleSelect(false);
      this.hooks.kept(event, keys);
    }
  }

  private endFile(size: number): void {
    if (this.block) {
      // A block the file does not close: its dropped commands go, the MULTI stays (as it was).
      const open = this.block;
      this.block = undefined;
      for (const p of open.dropped) this.removeCommand(p);
    }
    this.settleSelect(true);
    if (this.last) this.drop(this.last.start, this.last.end);
    this.last = undefined;
    const missing = [...(this.dropHere ?? new Map<number, boolean>())].filter(([, seen]) => !seen).map(([offset]) => offset);
    if (missing.length > 0) {
      throw new UsageError(`--drop-at ${this.fileName}:${missing[0]}: no command starts there (the file has ${size} bytes); use an offset that log prints`);
    }
  }
}

/**
 * Works out what `filter` drops from the AOF at `path` (any form), in one streaming pass. Reads only; the
 * kept bytes are worked out again, file by file, when the plan is carried out (see {@link EditedFile.produce}),
 * so no list of ranges is held. Throws {@link UsageError} when nothing is asked, for a `--drop-at` that is
 * not the start of a command (naming the nearest ones) or names a SELECT/MULTI/EXEC, for
 * `--drop-command SELECT|MULTI|EXEC`, and the readers' errors for a broken file.
 */
export async function planFilter(path: string, options: FilterOptions): Promise<FilterPlan> {
  const dropNames = new Set((options.dropCommands ?? []).map((n) => n.trim().toUpperCase()).filter(Boolean));
  for (const name of dropNames) {
    if (STRUCTURAL.has(name)) throw new UsageError(`--drop-command ${name}: ${name === 'SELECT' ? 'the commands after a SELECT need it' : 'MULTI and EXEC go with their block (an emptied block disappears whole)'}; drop the commands themselves`);
  }
  const include: GlobMatcher[] = (options.keys ?? []).map((g) => globMatcher(g));
  const exclude: GlobMatcher[] = (options.excludeKeys ?? []).map((g) => globMatcher(g));
  if (dropNames.size === 0 && (options.dropAt ?? []).length === 0 && include.length === 0 && exclude.length === 0 && options.db === undefined) {
    throw new UsageError('nothing to drop: give --drop-command, --drop-at, --key, --exclude-key or --db');
  }
  const input = await identifyInput(path);
  if (input.kind !== 'aof') throw new UsageError(`${path} is an RDB snapshot: filter edits AOFs`);
  const set = input.set;
  const offsetsByFile = new Map<string, number[]>();
  for (const at of options.dropAt ?? []) {
    const name = (set.parts[partIndexNamed(set, at.file, '--drop-at')] as AofPart).name;
    offsetsByFile.set(name, [...(offsetsByFile.get(name) ?? []), at.offset]);
  }
  /** Fresh rules for each pass (the `--drop-at` flags record what a pass met). */
  const rules = (): Rules => ({
    dropNames,
    dropAt: new Map([...offsetsByFile].map(([name, offsets]) => [name, new Map(offsets.map((o) => [o, false]))])),
    db: options.db,
    include,
    exclude,
    mixed: options.mixed,
  });
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
  /** The flushes dropped so far, and whether a later kept command may act differently. */
  let flushAll = false;
  const flushedDbs = new Set<number>();
  let flushes = 0;
  let affected = 0;
  let file: EditedFile | undefined;
  const pass = new FilterPass(
    rules(),
    {
      removed: (p) => {
        counter.addCommand(p.name, p.keys, p.db, p.timestamp);
        if (p.name === 'FLUSHALL') {
          flushAll = true;
          flushes++;
        } else if (p.name === 'FLUSHDB') {
          flushedDbs.add(p.db);
          flushes++;
        }
      },
      kept: (c, keys) => {
        if (c.name === 'FLUSHALL') {
          flushAll = false;
          flushedDbs.clear();
        } else if (c.name === 'FLUSHDB') {
          flushedDbs.delete(c.db);
        } else if (keys.length > 0 && (flushAll || flushedDbs.has(c.db))) {
          affected++;
        }
      },
      mixed: (c, kept, dropped) => {
        plan.mixedCount++;
        if (plan.mixed.length < MIXED_LISTED) plan.mixed.push({ file: c.file.part.name, offset: c.offset, command: c.name, kept: kept.map(jsonBytes), dropped: dropped.map(jsonBytes) });
      },
      emptiedBlock: () => plan.emptiedBlocks++,
    },
    (start, end) => {
      if (file) file.bytesRemoved += end - start;
    },
  );
  const progress = await progressOf(set, options.onProgress);
  for await (const events of readAofSetBatches(set, { onProgress: progress.read })) {
    for (const event of events) {
      if (event.kind === 'file') {
        const part = event.file.part;
        file = {
          name: part.name,
          path: part.path,
          role: part.role === 'single' ? 'single' : part.role === 'base' ? 'base' : 'incr',
          size: event.file.size,
          compressed: event.file.compressed,
          rdb: event.file.rdb,
          action: 'keep',
          keep: [],
          bytesRemoved: 0,
        };
        plan.files.push(file);
      } else if (event.kind === 'end' && file) {
        file.size = event.file.size;
      }
      pass.onEvent(event);
      if (event.kind === 'end' && file) {
        counter.addBytes(file.bytesRemoved);
        if (file.bytesRemoved > 0) {
          file.action = 'edit';
          file.produce = keptBytes(set, file, rules);
        } else {
          file.keep = [{ start: 0, end: file.size }];
        }
        progress.ended(event.file.index);
      }
    }
  }
  plan.removed = counter.summary();
  plan.changed = plan.files.some((f) => f.action !== 'keep');
  if (flushes > 0) plan.flushWarning = { flushes, commandsAffected: affected };
  if (plan.mixedCount > 0 && options.mixed === undefined) {
    plan.refusal = {
      message: `${plan.mixedCount} command${plan.mixedCount === 1 ? ' touches' : 's touch'} keys that are kept and keys that are dropped: refusing to split or keep ${plan.mixedCount === 1 ? 'it' : 'them'} silently`,
      hint: 'choose --mixed keep (keep such commands whole) or --mixed drop (drop them whole)',
    };
  }
  return plan;
}

/**
 * The kept bytes of one file, worked out again by a second pass of the same filter over that file alone: the
 * dropped ranges come out in order as the file is read, and the bytes between them are copied from a second
 * reader of the file. Throws {@link CorruptError} when the file no longer gives the plan's figure.
 */
function keptBytes(set: AofSet, file: EditedFile, rules: () => Rules): (options: { reuseBuffer?: boolean }) => AsyncGenerator<Uint8Array> {
  return (options) => {
    const part = set.parts.find((p) => p.name === file.name) as AofPart;
    async function* keptRanges(): AsyncGenerator<ByteRange> {
      const ready: ByteRange[] = [];
      let removed = 0;
      const pass = new FilterPass(rules(), { removed: () => undefined, kept: () => undefined, mixed: () => undefined, emptiedBlock: () => undefined }, (start, end) => {
        ready.push({ start, end });
        removed += end - start;
      });
      let pos = 0;
      for await (const events of readAofSetBatches({ ...set, parts: [part] })) {
        for (const event of events) pass.onEvent(event);
        for (const range of ready) {
          if (range.start > pos) yield { start: pos, end: range.start };
          pos = range.end;
        }
        ready.length = 0;
      }
      if (removed !== file.bytesRemoved) {
        throw new CorruptError(`${file.name} changed since the plan was made (${removed} bytes to drop instead of ${file.bytesRemoved})`, { file: file.path });
      }
      if (pos < file.size) yield { start: pos, end: file.size };
    }
    return readRangeStream(file.path, keptRanges(), options);
  };
}
