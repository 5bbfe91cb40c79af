import { checkAofStream } from '../aof/check.js';
import type { AofCheckResult } from '../aof/check.js';
import { validateCommandName } from '../aof/commands.js';
import { resolveAof } from '../aof/set.js';
import type { AofPart, AofSet } from '../aof/set.js';
import { openInput } from '../io/open.js';
import { hasRdbPreamble } from '../io/sniff.js';
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
  files: AofFileVerdict[];
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
}

/**
 * Checks every file of an AOF the way redis-check-aof does (same verdict, ok_up_to and ok_up_to_line per
 * file), then looks further: an RDB preamble is checked fully with the RDB checker, a truncated file that is
 * not the last is reported (Redis refuses to load it), and command names and argument counts are checked
 * against Redis's command table. Never throws for bad data; throws {@link InputOutputError} when a file
 * cannot be read.
 */
export async function checkAof(path: string, options: CheckAofOptions = {}): Promise<AofCheckReport> {
  const report: AofCheckReport = { file: path, format: 'aof', layout: 'single', manifest: undefined, valid: false, files: [], problems: [], error: undefined };
  let set: AofSet;
  try {
    set = await resolveAof(path);
  } catch (error) {
    const failure = toFailure(error);
    if (failure.kind === 'io') throw error;
    report.error = failure;
    return report;
  }
  report.layout = set.kind;
  report.manifest = set.manifestPath;
  let line = 1;
  for (let i = 0; i < set.parts.length; i++) {
    const part = set.parts[i] as AofPart;
    const last = i === set.parts.length - 1;
    const verdict = await checkPart(part, line, options);
    report.files.push(verdict);
    line = verdict.okUpToLine;
    if (!verdict.valid) {
      if (!last && verdict.error?.truncated) {
        report.problems.push(`${part.name} is truncated but is not the last file: Redis refuses to load the AOF (only the last file may be cut short)`);
      }
      break; // redis-check-aof stops at the first invalid file
    }
    if (options.strict && verdict.commandWarningCount > 0) {
      report.problems.push(`${part.name}: ${verdict.commandWarningCount} command${verdict.commandWarningCount === 1 ? '' : 's'} Redis would refuse to replay (--strict)`);
    }
  }
  report.valid = report.files.length === set.parts.length && report.files.every((f) => f.valid) && report.problems.length === 0;
  return report;
}

async function checkPart(part: AofPart, startLine: number, options: CheckAofOptions): Promise<AofFileVerdict> {
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
    commandWarnings: [],
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
    const max = options.maxWarnings ?? 20;
    const result: AofCheckResult = await checkAofStream(input, {
      file: part.path,
      startLine,
      onProgress: (offset) => options.onProgress?.(offset, input.compressed ? undefined : input.fileSize),
      onCommand(name, argc, offset, line) {
        const problem = validateCommandName(name, argc);
        if (!problem) return;
        verdict.commandWarningCount++;
        if (verdict.commandWarnings.length < max) verdict.commandWarnings.push({ offset, line, message: problem.message });
      },
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
  // Commands after ok_up_to are in the part Redis would cut: they are not findings about what it replays.
  verdict.commandWarnings = verdict.commandWarnings.filter((w) => w.offset < verdict.okUpTo);
  return verdict;
}
