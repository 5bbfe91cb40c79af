import { commandKeys } from '../aof/keys.js';
import type { AofSet } from '../aof/set.js';
import { globMatcher } from '../bytes/glob.js';
import { jsonBytes } from '../bytes/text.js';
import type { JsonBytes } from '../bytes/text.js';
import { CorruptError, RedbackError, UsageError } from '../errors.js';
import { readAofSetBatches } from '../input/aof-reader.js';
import type { AofSetEvent } from '../input/aof-reader.js';
import { identifyInput } from '../input/detect.js';
import { RemovedCounter, partIndexNamed, pendingEditOf, progressOf } from './aof-edit.js';
import type { AofEditPlan, EditedFile, ProgressCallback, RemovedSummary } from './aof-edit.js';

/*
 * `redback truncate`: the AOF as it was at a point — cut at a `#TS` time, at a byte offset, or just before a
 * command. The file holding the cut is shortened; the files after it leave the set.
 */

/** Where to cut. */
export type TruncateTarget =
  /** At the first `#TS` annotation greater than `timestamp` (unix seconds), as redis-check-aof --truncate-to-timestamp. */
  | { kind: 'timestamp'; timestamp: number }
  /** At a command boundary of a file (its name as `log` prints it). */
  | { kind: 'offset'; file: string; offset: number }
  /** Before the first (or `last`) command with this name, and a key matching `key` when given. */
  | { kind: 'command'; command: string; key?: string; last?: boolean };

/** The cut a plan makes. */
export interface TruncateCut {
  /** The file cut, as the manifest names it, and its position in load order. */
  file: string;
  index: number;
  /** Bytes of that file kept: the cut is here. */
  offset: number;
  /** Where the rule put the cut before it was moved back to the MULTI of a transaction it fell inside. */
  requested: number;
  /** The cut fell inside a MULTI block and was moved to the block's MULTI. */
  movedBeforeMulti: boolean;
  /** What the cut is at: the command or annotation that is the first thing removed. */
  at: { kind: 'command' | 'annotation' | 'end'; name?: string; keys: JsonBytes[]; timestamp: number | undefined };
  /** The last `#TS` kept (unix seconds); absent when none is. */
  lastTimestampKept: number | undefined;
}

/** What `truncate` will do. */
export interface TruncatePlan extends AofEditPlan {
  target: TruncateTarget;
  /** Undefined when there is nothing to cut (no `#TS` after the time given): the AOF stays as it is. */
  cut: TruncateCut | undefined;
  /** Files after the cut that leave the set. */
  droppedFiles: string[];
  removed: RemovedSummary;
  /** Things the user should know (a cut moved before a MULTI). */
  notes: string[];
}

/**
 * Works out a cut of the AOF at `path` (any form: file, set, manifest, `.lz4`): reads up to the cut, then
 * from the cut to the end to count what is lost. Reads only. Throws {@link UsageError} for an offset that
 * is not a command boundary (naming the nearest ones) or a file the AOF does not have,
 * {@link CorruptError} for an invalid `#TS` annotation met before the cut (as redis-check-aof refuses it)
 * or a cut that would leave nothing, a {@link RedbackError} (exit 1) when no command matches, and the
 * readers' errors for a broken file.
 */
export async function planTruncate(path: string, target: TruncateTarget, options: { onProgress?: ProgressCallback } = {}): Promise<TruncatePlan> {
  const input = await identifyInput(path);
  if (input.kind !== 'aof') throw new UsageError(`${path} is an RDB snapshot: truncate cuts AOFs`);
  const set = input.set;
  const found = await findCut(set, target, await progressOf(set, options.onProgress));
  const files: EditedFile[] = set.parts.map((part, index) => ({
    name: part.name,
    path: part.path,
    role: part.role === 'single' ? 'single' : part.role === 'base' ? 'base' : 'incr',
    size: found.sizes[index] ?? 0,
    compressed: found.compressed[index] ?? false,
    rdb: found.rdb[index] ?? false,
    action: 'keep',
    keep: [],
    bytesRemoved: 0,
  }));
  const plan: TruncatePlan = {
    file: path,
    layout: set.kind,
    manifest: set.manifestPath,
    files,
    changed: false,
    pendingEdit: await pendingEditOf(set),
    target,
    cut: found.cut,
    droppedFiles: [],
    removed: new RemovedCounter().summary(),
    notes: [],
  };
  const cut = found.cut;
  if (!cut) {
    for (const file of files) file.keep = [{ start: 0, end: file.size }];
    return plan;
  }
  if (cut.movedBeforeMulti) {
    plan.notes.push(`the cut at ${cut.file}:${cut.requested} falls inside the MULTI block at offset ${cut.offset}: it goes before the MULTI (a transaction is kept whole or not at all)`);
  }
  const counter = found.counter;
  files.forEach((file, index) => {
    if (index < cut.index) {
      file.keep = [{ start: 0, end: file.size }];
    } else if (index === cut.index) {
      file.action = 'edit';
      file.keep = cut.offset > 0 ? [{ start: 0, end: cut.offset }] : [];
      file.bytesRemoved = file.size - cut.offset;
    } else {
      file.action = 'drop';
      file.bytesRemoved = file.size;
      plan.droppedFiles.push(file.name);
    }
    counter.addBytes(file.bytesRemoved);
  });
  plan.removed = counter.summary();
  plan.changed = files.some((f) => f.bytesRemoved > 0) || plan.droppedFiles.length > 0;
  return plan;
}

/** What the first pass found: the cut, and what it learnt of the files before it. */
interface FoundCut {
  cut: TruncateCut | undefined;
  /** What is removed from the cut on. */
  counter: RemovedCounter;
  sizes: number[];
  compressed: boolean[];
  rdb: boolean[];
}

/**
 * Reads the whole AOF once: finds the cut, and counts what is removed from it on (with `last`, the count starts
 * again at each later match).
 */
async function findCut(set: AofSet, target: TruncateTarget, progress: Awaited<ReturnType<typeof progressOf>>): Promise<FoundCut> {
  const found: FoundCut = { cut: undefined, counter: new RemovedCounter(), sizes: [], compressed: [], rdb: [] };
  const wantedIndex = target.kind === 'offset' ? partIndexNamed(set, target.file, '--to-offset') : -1;
  const wantedOffset = target.kind === 'offset' ? target.offset : -1;
  const name = target.kind === 'command' ? target.command.trim().toUpperCase() : '';
  const match = target.kind === 'command' && target.key !== undefined ? globMatcher(target.key) : undefined;
  /** The MULTI of the open transaction of the file being read, and the last `#TS` before it. */
  let inMulti: number | undefined;
  let multiTs: number | undefined;
  let lastTs: number | undefined;
  /** The last record boundary before the one being read (for the error of `--to-offset`). */
  let previous = 0;
  /** The commands of the open MULTI block (counted as removed when a cut goes before its MULTI). */
  let block: { name: string; keys: Uint8Array[]; db: number; timestamp: number | undefined }[] = [];
  /** True once the cut is final: the rest is only counted. */
  let settled = false;
  const lastMode = target.kind === 'command' && target.last === true;

  /** A cut at `requested` of file `index`, moved back to the open MULTI when inside one. */
  const cutAt = (index: number, requested: number, multi: number | undefined, at: TruncateCut['at']): TruncateCut => ({
    file: set.parts[index]?.name ?? '',
    index,
    offset: multi ?? requested,
    requested,
    movedBeforeMulti: multi !== undefined,
    at,
    lastTimestampKept: multi === undefined ? lastTs : multiTs,
  });
  /** For `--to-offset`: true when a record of the wanted file starts at the offset; throws when one starts past it. */
  const atBoundary = (file: string, offset: number): boolean => {
    if (offset === wantedOffset) return true;
    if (offset > wantedOffset) throw new UsageError(`${file}:${wantedOffset} is not a command boundary (nearest: ${file}:${previous} and ${file}:${offset})`);
    return false;
  };

  /** Sets the cut (again, with `last`): the count of what is removed starts over, with the open block's commands. */
  const setCut = (cut: TruncateCut): void => {
    found.cut = cut;
    found.counter = new RemovedCounter();
    if (cut.movedBeforeMulti) for (const c of block) found.counter.addCommand(c.name, c.keys, c.db, c.timestamp);
    settled = !lastMode;
  };
  /** After the cut: every command counts; only file facts are still gathered. */
  const count = (event: AofSetEvent): void => {
    if (event.kind === 'command') found.counter.addCommand(event.name, () => commandKeys(event.args), event.db, event.timestamp);
  };

  const onEvent = (event: AofSetEvent): boolean => {
    const index = event.file.index;
    if (settled) {
      if (event.kind === 'file') {
        found.compressed[index] = event.file.compressed;
        found.rdb[index] = event.file.rdb;
      } else if (event.kind === 'end') {
        found.sizes[index] = event.file.size;
      } else {
        count(event);
      }
      return false;
    }
    const counting = found.cut !== undefined;
    const fileName = event.file.part.name;
    const wanted = index === wantedIndex;
    switch (event.kind) {
      case 'file':
        inMulti = undefined;
        previous = 0;
        found.compressed[index] = event.file.compressed;
        found.rdb[index] = event.file.rdb;
        if (wanted && wantedOffset === 0) {
          setCut(cutAt(index, 0, undefined, { kind: 'end', keys: [], timestamp: lastTs }));
          return true;
        }
        return false;
      case 'rdb':
        if (wanted && wantedOffset < event.outcome.okUpTo) {
          throw new UsageError(
            `${fileName}:${wantedOffset} is inside the RDB preamble (bytes 0–${event.outcome.okUpTo}): an RDB cannot be cut, only its end is a boundary (nearest: ${fileName}:0 and ${fileName}:${event.outcome.okUpTo})`,
          );
        }
        previous = event.outcome.okUpTo;
        return false;
      case 'end':
        found.sizes[index] = event.file.size;
        if (wanted) {
          if (wantedOffset === event.file.size) {
            setCut(cutAt(index, wantedOffset, inMulti, { kind: 'end', keys: [], timestamp: lastTs }));
            return true;
          }
          throw new UsageError(
            wantedOffset > event.file.size
              ? `${fileName}:${wantedOffset} is past the end of the file (${event.file.size} bytes)`
              : `${fileName}:${wantedOffset} is not a command boundary (nearest: ${fileName}:${previous} and ${fileName}:${event.file.size}, its end)`,
          );
        }
        return false;
      case 'annotation': {
        const annotation = event.annotation;
        const at: TruncateCut['at'] = { kind: 'annotation', keys: [], timestamp: annotation.timestamp };
        if (target.kind === 'timestamp' && isTsLine(annotation.text)) {
          if (annotation.timestamp === undefined) {
            throw new CorruptError('invalid #TS annotation (redis-check-aof --truncate-to-timestamp refuses it too)', { file: event.file.part.path, offset: annotation.offset });
          }
          if (annotation.timestamp > target.timestamp) {
            setCut(cutAt(index, annotation.offset, inMulti, at));
            return true;
          }
        }
        if (wanted && atBoundary(fileName, annotation.offset)) {
          setCut(cutAt(index, annotation.offset, inMulti, at));
          return true;
        }
        if (annotation.timestamp !== undefined) lastTs = annotation.timestamp;
        previous = annotation.offset;
        return false;
      }
      case 'command': {
        const multiBefore = event.name === 'MULTI' ? undefined : inMulti;
        if (event.name === 'MULTI') block = [];
        let cutHere = false;
        if (wanted && atBoundary(fileName, event.offset)) {
          setCut(cutAt(index, event.offset, multiBefore, commandAt(event.name, event.args, event.timestamp)));
          cutHere = true;
        } else if (target.kind === 'command' && event.name === name && (!match || commandKeys(event.args).some((key) => match(key)))) {
          setCut(cutAt(index, event.offset, multiBefore, commandAt(event.name, event.args, event.timestamp)));
          cutHere = true;
        }
        if (cutHere || counting) count(event);
        if (event.name === 'MULTI') {
          inMulti = event.offset;
          multiTs = lastTs;
        }
        if (inMulti !== undefined && !settled) {
          block.push({ name: event.name, keys: commandKeys(event.args).map((k) => k.slice()), db: event.db, timestamp: event.timestamp });
        }
        if (event.name === 'EXEC') {
          inMulti = undefined;
          block = [];
        }
        previous = event.offset;
        return false;
      }
    }
  };

  for await (const events of readAofSetBatches(set, { onProgress: progress.read })) {
    for (const event of events) {
      onEvent(event);
      if (event.kind === 'end') progress.ended(event.file.index);
    }
  }
  if (target.kind === 'command' && !found.cut) {
    throw new RedbackError(`no ${name}${target.key === undefined ? '' : ` touching a key matching '${target.key}'`} in this AOF: nothing to cut before`, { file: set.manifestPath ?? set.parts[0]?.path });
  }
  const cut = found.cut;
  if (cut && cut.offset === 0 && cut.index === 0) {
    const what = set.kind === 'single' ? 'the AOF' : `its first file, ${cut.file},`;
    throw new CorruptError(`nothing would be left: the cut falls at the start of ${what} (redis-check-aof refuses this too)`, { file: set.parts[0]?.path, offset: 0 });
  }
  return found;
}

/** `#TS:` at the start of an annotation's text (after the '#'). */
function isTsLine(text: Uint8Array): boolean {
  return text.length >= 3 && text[0] === 0x54 && text[1] === 0x53 && text[2] === 0x3a;
}

function commandAt(name: string, args: readonly Uint8Array[], timestamp: number | undefined): TruncateCut['at'] {
  return { kind: 'command', name, keys: commandKeys(args).slice(0, 4).map(jsonBytes), timestamp };
}
