import { stat } from 'node:fs/promises';
import { commandKeys } from '../aof/keys.js';
import { globMatcher } from '../bytes/glob.js';
import type { GlobMatcher } from '../bytes/glob.js';
import { jsonBytes } from '../bytes/text.js';
import type { JsonBytes } from '../bytes/text.js';
import { UsageError } from '../errors.js';
import { readLinesBackwards, writeLineSpill } from '../io/line-spill.js';
import { readAofSetBatches } from '../input/aof-reader.js';
import type { AofSetCommand } from '../input/aof-reader.js';
import { identifyInput } from '../input/detect.js';

/*
 * `redback log`: an AOF as a timeline, one entry per command, in the order Redis replays them.
 */

/** One command of the timeline (the `--jsonl` line). */
export interface LogEntry {
  /** The file holding the command, as the manifest names it. */
  file: string;
  /** Absolute byte offset of the command in that file. */
  offset: number;
  /** Bytes of the command. */
  length: number;
  /** RESP line of the command in its file, from 1. */
  line: number;
  /** The last `#TS` annotation before the command, in unix seconds; null before the first one. */
  ts: number | null;
  /** The database the command runs in. */
  db: number;
  /** The command name in upper case. */
  command: string;
  /** The keys of the command, as Redis finds them. */
  keys: JsonBytes[];
  /** Offset of the MULTI of the transaction the command belongs to (MULTI and EXEC included), or null. */
  multi: number | null;
}

/** Options of {@link logAof}. */
export interface LogOptions {
  /** Only these commands (names in any case). */
  commands?: readonly string[];
  /** Only commands touching a key that matches one of these Redis globs. */
  keys?: readonly string[];
  /** Only commands running in this database. */
  db?: number;
  /** Only commands whose time (the last `#TS` before them) is at or after this, in unix seconds. */
  since?: number;
  /** … and at or before this, in unix seconds. */
  until?: number;
  /** At most this many entries (the first ones; the last ones with `reverse`). */
  limit?: number;
  /** Newest first. */
  reverse?: boolean;
  /** Where temporary files go (for `reverse` without `limit`); default the system's. */
  tempDir?: string;
  onProgress?: (done: number, total: number | undefined) => void;
}

/** What a log run saw. */
export interface LogSummary {
  file: string;
  layout: 'single' | 'multipart';
  /** Commands read. */
  commands: number;
  /** Entries given. */
  matched: number;
  /** The first and last `#TS` seen, unix seconds. */
  firstTimestamp: number | null;
  lastTimestamp: number | null;
}

/**
 * Reads the AOF at `path` (any form: file, set, manifest, `.lz4`) and hands every command that passes the
 * filters to `emit`, oldest first (newest first with `reverse`). Streams: memory holds one command, or
 * `limit` entries with `reverse`; `reverse` without a limit spills the entries to a temporary file.
 * Throws the readers' errors at the first broken file (after emitting what came before it, unless
 * `reverse`), and {@link UsageError} for an RDB input.
 */
export async function logAof(path: string, options: LogOptions, emit: (entry: LogEntry) => void): Promise<LogSummary> {
  const input = await identifyInput(path);
  if (input.kind !== 'aof') throw new UsageError(`${path} is an RDB snapshot: it has no commands to list (log reads AOFs)`);
  const set = input.set;
  const summary: LogSummary = { file: path, layout: set.kind, commands: 0, matched: 0, firstTimestamp: null, lastTimestamp: null };
  const accept = entryFilter(options);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const ring: LogEntry[] = [];
  const spill = options.reverse && options.limit === undefined ? await writeLineSpill(options.tempDir) : undefined;
  try {
    const sizes = options.onProgress ? await partSizes(set.parts.map((p) => p.path)) : undefined;
    const total = sizes?.reduce((a, b) => a + b, 0);
    let before = 0;
    const onProgress = options.onProgress && ((index: number, offset: number): void => options.onProgress?.(before + offset, total));
    let done = 0;
    reading: for await (const events of readAofSetBatches(set, { onProgress: onProgress && ((file, offset) => onProgress(file.index, offset)) })) {
      for (const event of events) {
        if (event.kind === 'annotation') {
          const ts = event.annotation.timestamp;
          if (ts !== undefined) {
            summary.firstTimestamp ??= ts;
            summary.lastTimestamp = ts;
          }
          continue;
        }
        if (event.kind === 'end') {
          before += sizes?.[event.file.index] ?? 0;
          continue;
        }
        if (event.kind !== 'command') continue;
        summary.commands++;
        const command = event;
        if (!accept.quick(command)) continue;
        const keys = accept.needsKeys ? commandKeys(command.args) : undefined;
        if (keys && !accept.keys(keys)) continue;
        const entry = toEntry(command.file.part.name, command, keys ?? commandKeys(command.args));
        if (!options.reverse) {
          if (done >= limit) break reading;
          done++;
          emit(entry);
        } else if (spill) {
          await spill.write(JSON.stringify(entry));
        } else {
          ring.push(entry);
          if (ring.length > limit) ring.shift();
        }
      }
    }
    if (spill) {
      await spill.finish();
      for await (const line of readLinesBackwards(spill.path)) emit(JSON.parse(line) as LogEntry);
      summary.matched = spill.lines;
    } else if (options.reverse) {
      for (let i = ring.length - 1; i >= 0; i--) emit(ring[i] as LogEntry);
      summary.matched = ring.length;
    } else {
      summary.matched = done;
    }
  } finally {
    await spill?.remove();
  }
  return summary;
}

/** Bytes on disk of each file (for the progress bar; a compressed file counts as it is stored). */
async function partSizes(paths: readonly string[]): Promise<number[]> {
  const sizes: number[] = [];
  for (const path of paths) sizes.push(await stat(path).then((s) => s.size, () => 0));
  return sizes;
}

function toEntry(file: string, command: AofSetCommand, keys: Uint8Array[]): LogEntry {
  return {
    file,
    offset: command.offset,
    length: command.length,
    line: command.line,
    ts: command.timestamp ?? null,
    db: command.db,
    command: command.name,
    keys: keys.map(jsonBytes),
    multi: command.multi ?? null,
  };
}

/** The filters of {@link LogOptions}: the cheap ones first, then the key globs (which need the keys). */
function entryFilter(options: LogOptions): { quick: (c: AofSetCommand) => boolean; needsKeys: boolean; keys: (keys: Uint8Array[]) => boolean } {
  const names = options.commands && options.commands.length > 0 ? new Set(options.commands.map((n) => n.toUpperCase())) : undefined;
  const matchers: GlobMatcher[] = (options.keys ?? []).map((glob) => globMatcher(glob));
  const { db, since, until } = options;
  if (since !== undefined && until !== undefined && since > until) throw new UsageError('--since is after --until');
  return {
    quick: (c) => {
      if (names && !names.has(c.name)) return false;
      if (db !== undefined && c.db !== db) return false;
      if (since !== undefined && (c.timestamp === undefined || c.timestamp < since)) return false;
      if (until !== undefined && (c.timestamp === undefined || c.timestamp > until)) return false;
      return true;
    },
    needsKeys: matchers.length > 0,
    keys: (keys) => keys.some((key) => matchers.some((m) => m(key))),
  };
}
