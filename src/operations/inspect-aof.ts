import { resolveAof } from '../aof/set.js';
import type { AofPart } from '../aof/set.js';
import type { AofSet } from '../aof/set.js';
import { RedbackError } from '../errors.js';
import { readAofSet } from '../input/aof-reader.js';
import { Summarizer } from '../rdb/summary.js';
import { toReport } from './inspect-rdb.js';
import type { RdbInspectReport } from './inspect-rdb.js';

/** What `inspect` reports for one file of an AOF. */
export interface AofFileReport {
  name: string;
  path: string;
  role: AofPart['role'];
  kind: 'resp' | 'rdb+resp' | 'empty';
  size: number;
  compressed: boolean;
  commands: number;
  /** The RDB preamble summarised as for an RDB file. */
  rdb: RdbInspectReport | undefined;
  firstTimestamp: string | undefined;
  lastTimestamp: string | undefined;
}

/** What `redback inspect` reports for an AOF (single file or multi-part set). */
export interface AofInspectReport {
  file: string;
  format: 'aof';
  layout: 'single' | 'multipart';
  manifest: string | undefined;
  /** Files in load order, then HISTORY files (not loaded). */
  files: AofFileReport[];
  history: { name: string; seq: number | undefined }[];
  commands: number;
  /** Commands by upper-case name, most frequent first. */
  byCommand: Record<string, number>;
  /** Commands by the database they apply to (tracking SELECT across files). */
  byDatabase: Record<string, number>;
  multiBlocks: number;
  annotations: number;
  firstTimestamp: string | undefined;
  lastTimestamp: string | undefined;
  /** Set when reading stopped at a broken file (run `check` for details). */
  stoppedAt: { file: string; offset: number | undefined; message: string } | undefined;
}

const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString();

/**
 * Summarises an AOF in one streaming pass over its files in load order: kinds, sizes and roles, commands by
 * name and by database, MULTI blocks, the first and last `#TS` annotation, and each RDB preamble as for an
 * RDB. A broken file stops the summary where it breaks (reported in `stoppedAt`).
 */
export async function inspectAof(path: string, options: { now?: number; top?: number } = {}): Promise<AofInspectReport> {
  return inspectAofSet(await resolveAof(path), path, options);
}

/** {@link inspectAof} of an AOF already resolved to its files. */
export async function inspectAofSet(set: AofSet, path: string, options: { now?: number; top?: number } = {}): Promise<AofInspectReport> {
  const now = options.now ?? Date.now();
  const report: AofInspectReport = {
    file: path,
    format: 'aof',
    layout: set.kind,
    manifest: set.manifestPath,
    files: [],
    history: set.history.map((h) => ({ name: h.name, seq: h.seq })),
    commands: 0,
    byCommand: {},
    byDatabase: {},
    multiBlocks: 0,
    annotations: 0,
    firstTimestamp: undefined,
    lastTimestamp: undefined,
    stoppedAt: undefined,
  };
  const counts = new Map<string, number>();
  let file: AofFileReport | undefined;
  let summarizer: Summarizer | undefined;
  const events = readAofSet(set, { rdb: () => (summarizer = new Summarizer({ now, detail: true, top: options.top ?? 5 })) });
  try {
    for await (const event of events) {
      switch (event.kind) {
        case 'file':
          file = {
            name: event.file.part.name,
            path: event.file.part.path,
            role: event.file.part.role,
            kind: event.file.size === 0 ? 'empty' : event.file.rdb ? 'rdb+resp' : 'resp',
            size: event.file.size,
            compressed: event.file.compressed,
            commands: 0,
            rdb: undefined,
            firstTimestamp: undefined,
            lastTimestamp: undefined,
          };
          report.files.push(file);
          break;
        case 'rdb':
          if (!event.outcome.error && summarizer && file) {
            file.rdb = toReport(summarizer.finish(event.outcome), { name: file.path, size: event.file.size, compressed: event.file.compressed, now });
          }
          break;
        case 'annotation': {
          report.annotations++;
          const ts = event.annotation.timestamp;
          if (ts !== undefined && file) {
            const when = isoSeconds(ts);
            file.firstTimestamp ??= when;
            file.lastTimestamp = when;
            report.firstTimestamp ??= when;
            report.lastTimestamp = when;
          }
          break;
        }
        case 'command': {
          const { name, db } = event;
          counts.set(name, (counts.get(name) ?? 0) + 1);
          if (file) file.commands++;
          report.commands++;
          if (name === 'MULTI') report.multiBlocks++;
          else if (name !== 'EXEC' && name !== 'SELECT') report.byDatabase[db] = (report.byDatabase[db] ?? 0) + 1;
          break;
        }
        case 'end':
          if (file) file.size = event.file.size;
          break;
      }
    }
  } catch (error) {
    if (!(error instanceof RedbackError)) throw error;
    report.stoppedAt = { file: error.file ?? file?.path ?? path, offset: error.offset, message: error.message };
  }
  report.byCommand = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
  return report;
}
