import { checkAofStream, checkAofSync } from '../aof/check.js';
import type { AofCheckResult } from '../aof/check.js';
import { validateCommandName } from '../aof/commands.js';
import { missingFileError, resolveAof } from '../aof/set.js';
import type { AofPart, AofSet } from '../aof/set.js';
import { isLz4Frame } from '../codecs/lz4.js';
import { openInput } from '../io/open.js';
import { readFilesInOrder } from '../io/small-files.js';
import { hasRdbPreamble, startsWithRdbMagic } from '../io/sniff.js';
import { scanRdb, toFailure } from './rdb-scan.js';
import type { ScanFailure } from './rdb-scan.js';

/** A finding about commands that redis-check-aof does not look at but the server would refuse. */
export interface CommandWarning {
  offset: number;
  line: number;
  message: string;
}

/** The verdict for one file of an AOF. */
export interface AofFileVerdict {
  name: string;
  path: string;
  role: AofPart['role'];
  /** 'resp', 'rdb+resp' (RDB preamble then RESP), 'empty'. */
  kind: 'resp' | 'rdb+resp' | 'empty';
  size: number;
  compressed: boolean;
  /** redis-check-aof's verdict for this file. */
  valid: boolean;
  okUpTo: number;
  okUpToLine: number;
  diff: number;
  error: { offset: number; message: string; truncated: boolean } | undefined;
  commands: number;
  annotations: number;
  firstTimestamp: number | undefined;
  lastTimestamp: number | undefined;
  /** The RDB preamble, when there is one. */
  rdb: { version: number; magic: string; keys: number; checksum: string | undefined; endOffset: number; error: ScanFailure | undefined } | undefined;
  /** Unknown commands and wrong argument counts (warnings unless --strict). */
  commandWarnings: CommandWarning[];
  /** Total command warnings, when more than the ones listed. */
  commandWarningCount: number;
}

/** What `redback check` reports for an AOF (single file or multi-part set). */
export interface AofCheckReport {
  file: string;
  format: 'aof';
  layout: 'single' | 'multipart';
  manifest: string | undefined;
  valid: boolean;
  /** The verdict of every file checked, in load order; empty when they went to {@link CheckAofOptions.onFile}. */
  files: AofFileVerdict[];
  /** Files checked (redis-check-aof stops at the first invalid one). */
  checked: number;
  /** Files the AOF has: BASE and INCR files, or 1. */
  total: number;
  /** Complete commands in the files checked. */
  commands: number;
  /** Problems beyond redis-check-aof's verdicts (a truncated non-last file, --strict command findings). */
  problems: string[];
  /** Set when the AOF could not be resolved (bad manifest, missing file). */
  error: ScanFailure | undefined;
}

/** Options of {@link checkAof}. */
export interface CheckAofOptions {
  /** Treat unknown commands and wrong argument counts as making the file invalid. */
  strict?: boolean;
  /** Most command warnings listed per file (default 20; all are counted). */
  maxWarnings?: number;
  onProgress?: (offset: number, total: number | undefined) => void;
  /**
   * Receives each file's verdict as soon as it is made, instead of the report's `files` (which then stays
   * empty): memory stays bounded whatever the number of files.
   */
  onFile?: (verdict: AofFileVerdict) => void;
}

/**
 * Checks every file of an AOF the way redis-check-aof does (same verdict, ok_up_to and ok_up_to_line per
 * file), then looks further: an RDB preamble is checked fully with the RDB checker, a truncated file that is
 * not the last is reported (Redis refuses to load it), and command names and argument counts are checked
 * against Redis's command table. Never throws for bad data; throws {@link InputOutputError} when a file
 * cannot be read.
 */
export async function checkAof(path: string, options: CheckAofOptions = {}): Promise<AofCheckReport> {
  const report: AofCheckReport = {
    file: path,
    format: 'aof',
    layout: 'single',
    manifest: undefined,
    valid: false,
    files: [],
    checked: 0,
    total: 0,
    commands: 0,
    problems: [],
    error: undefined,
  };
  let set: AofSet;
  try {
    // Files are opened one by one below; a missing one is reported when its turn comes, as redis-check-aof does.
    set = await resolveAof(path, { verifyFiles: false });
  } catch (error) {
    const failure = toFailure(error);
    if (failure.kind === 'io') throw error;
    report.error = failure;
    return report;
  }
  report.layout = set.kind;
  report.manifest = set.manifestPath;
  report.total = set.parts.length;
  let line = 1;
  let allValid = true;
  const parts = set.parts;
  // Small files are read whole and checked in memory; others are streamed.
  const reader = readFilesInOrder(parts.length, (i) => (parts[i] as AofPart).path, SMALL_FILE);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as AofPart;
    const last = i === parts.length - 1;
    const file = reader.next();
    if (file.kind === 'error') {
      const missing = file.missing ? await missingFileError(set, part) : undefined;
      if (!missing) throw file.error;
      report.error = toFailure(missing);
      allValid = false;
      break;
    }
    const verdict = await checkPart(part, file.path, file.kind === 'bytes' ? file.bytes : undefined, line, options);
    if (options.onFile) options.onFile(verdict);
    else report.files.push(verdict);
    report.checked++;
    report.commands += verdict.commands;
    line = verdict.okUpToLine;
    if (!verdict.valid) {
      allValid = false;
      if (!last && verdict.error?.truncated) {
        report.problems.push(`${part.name} is truncated but is not the last file: Redis refuses to load the AOF (only the last file may be cut short)`);
      }
      break; // redis-check-aof stops at the first invalid file
    }
    if (options.strict && verdict.commandWarningCount > 0) {
      report.problems.push(`${part.name}: ${verdict.commandWarningCount} command${verdict.commandWarningCount === 1 ? '' : 's'} Redis would refuse to replay (--strict)`);
    }
  }
  report.valid = report.checked === set.parts.length && allValid && report.problems.length === 0;
  return report;
}

/** Files up to this size are read whole and checked in memory (a set may hold 100,000 small files). */
const SMALL_FILE = 1 << 20;

/** Command warnings of a file that has none (shared, never changed). */
const NO_WARNINGS: readonly CommandWarning[] = Object.freeze([]);

/**
 * One file's verdict. `bytes` is the whole file when it was read already (a small file): plain RESP is then
 * checked in memory; anything else (LZ4, an RDB preamble, a large file) is streamed from disk.
 */
async function checkPart(part: AofPart, path: string, bytes: Uint8Array | undefined, startLine: number, options: CheckAofOptions): Promise<AofFileVerdict> {
  const max = options.maxWarnings ?? 20;
  let warnings: CommandWarning[] | undefined;
  let warningCount = 0;
  const onCommand = (name: string, argc: number, offset: number, line: number): void => {
    const problem = validateCommandName(name, argc);
    if (!problem) return;
    warningCount++;
    warnings ??= [];
    if (warnings.length < max) warnings.push({ offset, line, message: problem.message });
  };
  if (bytes !== undefined && !isLz4Frame(bytes) && !startsWithRdbMagic(bytes)) {
    const result = checkAofSync(bytes, { file: path, startLine, onCommand });
    return {
      name: part.name,
      path,
      role: part.role,
      kind: result.empty ? 'empty' : 'resp',
      size: result.size,
      compressed: false,
      valid: result.valid,
      okUpTo: result.okUpTo,
      okUpToLine: result.okUpToLine,
      diff: result.diff,
      error: result.error,
      commands: result.commands,
      annotations: result.annotations,
      firstTimestamp: result.firstTimestamp,
      lastTimestamp: result.lastTimestamp,
      rdb: undefined,
      // Commands after ok_up_to are in the part Redis would cut: they are not findings about what it replays.
      commandWarnings: warnings === undefined ? (NO_WARNINGS as CommandWarning[]) : warnings.filter((w) => w.offset < result.okUpTo),
      commandWarningCount: warningCount,
    };
  }
  return checkPartStreaming(part, startLine, options, onCommand, () => ({ warnings, count: warningCount }));
}

async function checkPartStreaming(
  part: AofPart,
  startLine: number,
  options: CheckAofOptions,
  onCommand: (name: string, argc: number, offset: number, line: number) => void,
  found: () => { warnings: CommandWarning[] | undefined; count: number },
): Promise<AofFileVerdict> {
  const verdict: AofFileVerdict = {
    name: part.name,
    path: part.path,
    role: part.role,
    kind: 'resp',
    size: 0,
    compressed: false,
    valid: false,
    okUpTo: 0,
    okUpToLine: startLine,
    diff: 0,
    error: undefined,
    commands: 0,
    annotations: 0,
    firstTimestamp: undefined,
    lastTimestamp: undefined,
    rdb: undefined,
    commandWarnings: NO_WARNINGS as CommandWarning[],
    commandWarningCount: 0,
  };
  const preamble = await hasRdbPreamble(part.path);
  const input = await openInput(part.path, part.path, { reuseBuffer: true });
  verdict.compressed = input.compressed;
  try {
    verdict.size = input.fileSize;
    if (preamble) {
      verdict.kind = 'rdb+resp';
      const rdb: NonNullable<AofFileVerdict['rdb']> = { version: 0, magic: 'REDIS', keys: 0, checksum: undefined, endOffset: 0, error: undefined };
      verdict.rdb = rdb;
      try {
        await scanRdb(
          input,
          {
            record(record) {
              if (record.kind === 'header') {
                rdb.version = record.version;
                rdb.magic = record.magic;
              } else if (record.kind === 'key-end') rdb.keys++;
              else if (record.kind === 'eof') rdb.checksum = record.checksum;
            },
          },
          { onProgress: (offset) => options.onProgress?.(offset, input.compressed ? undefined : input.fileSize) },
        );
        rdb.endOffset = input.offset;
      } catch (error) {
        rdb.error = toFailure(error);
        if (rdb.error.kind === 'io') throw error;
        verdict.error = { offset: rdb.error.offset ?? 0, message: `RDB preamble of AOF file is not sane: ${rdb.error.message}`, truncated: rdb.error.kind === 'truncated' };
        return verdict;
      }
    }
    const result: AofCheckResult = await checkAofStream(input, {
      file: part.path,
      startLine,
      onProgress: (offset) => options.onProgress?.(offset, input.compressed ? undefined : input.fileSize),
      onCommand,
    });
    if (input.compressed) verdict.size = result.size;
    if (result.empty) verdict.kind = 'empty';
    Object.assign(verdict, {
      valid: result.valid,
      okUpTo: result.okUpTo,
      okUpToLine: result.okUpToLine,
      diff: result.diff,
      error: result.error,
      commands: result.commands,
      annotations: result.annotations,
      firstTimestamp: result.firstTimestamp,
      lastTimestamp: result.lastTimestamp,
    });
  } finally {
    await input.close();
  }
  const { warnings, count } = found();
  // Commands after ok_up_to are in the part Redis would cut: they are not findings about what it replays.
  if (warnings !== undefined) verdict.commandWarnings = warnings.filter((w) => w.offset < verdict.okUpTo);
  verdict.commandWarningCount = count;
  return verdict;
}
