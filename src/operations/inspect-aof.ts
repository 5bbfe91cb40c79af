import { Buffer } from 'node:buffer';
import { readAofBatches } from '../aof/resp.js';
import { resolveAof } from '../aof/set.js';
import type { AofPart } from '../aof/set.js';
import { openInput } from '../io/open.js';
import { hasRdbPreamble } from '../io/sniff.js';
import { inspectRdbInput } from './inspect-rdb.js';
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

const latin1 = new TextDecoder('latin1');
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;
const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString();

/**
 * Summarises an AOF in one streaming pass over its files in load order: kinds, sizes and roles, commands by
 * name and by database, MULTI blocks, the first and last `#TS` annotation, and each RDB preamble as for an
 * RDB. A broken file stops the summary where it breaks (reported in `stoppedAt`).
 */
export async function inspectAof(path: string, options: { now?: number; top?: number } = {}): Promise<AofInspectReport> {
  const set = await resolveAof(path);
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
  /** Command names as written → upper case (a file spells a few names, millions of times). */
  const upper = new Map<string, string>();
  let db = 0;
  for (const part of set.parts) {
    const preamble = await hasRdbPreamble(part.path);
    // Nothing is kept from a record once it is counted: the input may reuse its buffer.
    const input = await openInput(part.path, part.path, { reuseBuffer: true });
    const file: AofFileReport = {
      name: part.name,
      path: part.path,
      role: part.role,
      kind: input.fileSize === 0 ? 'empty' : preamble ? 'rdb+resp' : 'resp',
      size: input.fileSize,
      compressed: input.compressed,
      commands: 0,
      rdb: undefined,
      firstTimestamp: undefined,
      lastTimestamp: undefined,
    };
    report.files.push(file);
    try {
      if (preamble) {
        file.rdb = await inspectRdbInput(input, { name: part.path, size: input.fileSize, compressed: input.compressed, now: options.now, top: options.top ?? 5 });
        db = 0;
      }
      for await (const batch of readAofBatches(input, { file: part.path })) {
        for (const record of batch) {
          if (record.kind === 'annotation') {
            report.annotations++;
            if (record.timestamp !== undefined) {
              const when = isoSeconds(record.timestamp);
              file.firstTimestamp ??= when;
              file.lastTimestamp = when;
              report.firstTimestamp ??= when;
              report.lastTimestamp = when;
            }
            continue;
          }
          const raw = record.args[0] as Uint8Array;
          const spelled = latin1Slice.call(raw, 0, raw.length);
          let name = upper.get(spelled);
          if (name === undefined) upper.set(spelled, (name = spelled.toUpperCase()));
          counts.set(name, (counts.get(name) ?? 0) + 1);
          file.commands++;
          report.commands++;
          if (name === 'SELECT' && record.args[1]) db = Number(latin1.decode(record.args[1]));
          else if (name === 'MULTI') report.multiBlocks++;
          else if (name !== 'EXEC') report.byDatabase[db] = (report.byDatabase[db] ?? 0) + 1;
        }
      }
    } catch (error) {
      if (!(error instanceof Error) || !('offset' in error)) throw error;
      report.stoppedAt = { file: part.path, offset: (error as { offset?: number }).offset, message: error.message };
      break;
    } finally {
      await input.close();
    }
  }
  report.byCommand = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
  return report;
}
