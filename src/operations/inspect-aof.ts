import { readAof, readAofSync } from '../aof/resp.js';
import type { AofRecord } from '../aof/resp.js';
import { missingFileError, resolveAof } from '../aof/set.js';
import type { AofPart } from '../aof/set.js';
import { isLz4Frame } from '../codecs/lz4.js';
import { InputOutputError, RedbackError } from '../errors.js';
import { openInput } from '../io/open.js';
import { readFilesInOrder } from '../io/small-files.js';
import { hasRdbPreamble, startsWithRdbMagic } from '../io/sniff.js';
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
  /** Files in load order (empty when they went to {@link InspectAofOptions.onFile}). */
  files: AofFileReport[];
  /** BASE and INCR files the AOF has (1 for a single file). */
  fileCount: number;
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
const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** Files up to this size are read whole and summarised in memory (a set may hold 100,000 small files). */
const SMALL_FILE = 1 << 20;

/** Options of {@link inspectAof}. */
export interface InspectAofOptions {
  /** The time TTLs of an RDB preamble are measured from (ms). */
  now?: number;
  /** Biggest keys listed per RDB preamble. */
  top?: number;
  /**
   * Receives each file's summary once it is read, instead of the report's `files` (which then stays empty):
   * memory stays bounded whatever the number of files.
   */
  onFile?: (file: AofFileReport) => void;
}

/** The counting shared by every file of one AOF. */
class Tally {
  readonly counts = new Map<string, number>();
  db = 0;
  constructor(readonly report: AofInspectReport) {}

  record(record: AofRecord, file: AofFileReport): void {
    const report = this.report;
    if (record.kind === 'annotation') {
      report.annotations++;
      if (record.timestamp !== undefined) {
        const when = isoSeconds(record.timestamp);
        file.firstTimestamp ??= when;
        file.lastTimestamp = when;
        report.firstTimestamp ??= when;
        report.lastTimestamp = when;
      }
      return;
    }
    const name = latin1.decode(record.args[0] as Uint8Array).toUpperCase();
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    file.commands++;
    report.commands++;
    if (name === 'SELECT' && record.args[1]) this.db = Number(latin1.decode(record.args[1]));
    else if (name === 'MULTI') report.multiBlocks++;
    else if (name !== 'EXEC') report.byDatabase[this.db] = (report.byDatabase[this.db] ?? 0) + 1;
  }
}

/**
 * Summarises an AOF in one streaming pass over its files in load order: kinds, sizes and roles, commands by
 * name and by database, MULTI blocks, the first and last `#TS` annotation, and each RDB preamble as for an
 * RDB. A broken file stops the summary where it breaks (reported in `stoppedAt`). Throws a
 * {@link CorruptError} for a manifest Redis would refuse or one naming a missing file, an
 * {@link InputOutputError} for a file that cannot be read or is not a regular file.
 */
export async function inspectAof(path: string, options: InspectAofOptions = {}): Promise<AofInspectReport> {
  const set = await resolveAof(path, { verifyFiles: false });
  const report: AofInspectReport = {
    file: path,
    format: 'aof',
    layout: set.kind,
    manifest: set.manifestPath,
    files: [],
    fileCount: set.parts.length,
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
  const tally = new Tally(report);
  const parts = set.parts;
  const reader = readFilesInOrder(parts.length, (i) => (parts[i] as AofPart).path, SMALL_FILE);
  for (const part of parts) {
    const small = reader.next();
    if (small.kind === 'error') throw (small.missing ? await missingFileError(set, part) : undefined) ?? small.error;
    const bytes = small.kind === 'bytes' && !isLz4Frame(small.bytes) && !startsWithRdbMagic(small.bytes) ? small.bytes : undefined;
    const file = bytes !== undefined ? summarizeSmall(part, bytes, tally) : await summarizeStreaming(part, tally, options);
    if (options.onFile) options.onFile(file);
    else report.files.push(file);
    if (report.stoppedAt) break;
  }
  report.byCommand = Object.fromEntries([...tally.counts.entries()].sort((a, b) => b[1] - a[1]));
  return report;
}

function newFileReport(part: AofPart, kind: AofFileReport['kind'], size: number, compressed: boolean): AofFileReport {
  return { name: part.name, path: part.path, role: part.role, kind, size, compressed, commands: 0, rdb: undefined, firstTimestamp: undefined, lastTimestamp: undefined };
}

/** A plain RESP file read whole. */
function summarizeSmall(part: AofPart, bytes: Uint8Array, tally: Tally): AofFileReport {
  const file = newFileReport(part, bytes.length === 0 ? 'empty' : 'resp', bytes.length, false);
  try {
    for (const record of readAofSync(bytes, file.path)) tally.record(record, file);
  } catch (error) {
    if (!(error instanceof RedbackError)) throw error;
    tally.report.stoppedAt = { file: file.path, offset: error.offset, message: error.message };
  }
  return file;
}

/** A file streamed from disk: large, LZ4-compressed, or with an RDB preamble. */
async function summarizeStreaming(part: AofPart, tally: Tally, options: InspectAofOptions): Promise<AofFileReport> {
  const preamble = await hasRdbPreamble(part.path);
  const input = await openInput(part.path, part.path);
  const file = newFileReport(part, input.fileSize === 0 ? 'empty' : preamble ? 'rdb+resp' : 'resp', input.fileSize, input.compressed);
  try {
    if (preamble) {
      file.rdb = await inspectRdbInput(input, { name: part.path, size: input.fileSize, compressed: input.compressed, now: options.now, top: options.top ?? 5 });
      tally.db = 0;
    }
    for await (const record of readAof(input, { file: part.path })) tally.record(record, file);
  } catch (error) {
    if (!(error instanceof RedbackError) || error instanceof InputOutputError) throw error;
    tally.report.stoppedAt = { file: part.path, offset: error.offset, message: error.message };
  } finally {
    await input.close();
  }
  return file;
}

