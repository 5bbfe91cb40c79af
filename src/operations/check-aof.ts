import { validateCommandName } from '../aof/commands.js';
import { resolveAof } from '../aof/set.js';
import type { AofPart, AofSet } from '../aof/set.js';
import { toFailure } from '../errors.js';
import type { ScanFailure } from '../errors.js';
import { readAofSetBatches } from '../input/aof-reader.js';
import type { AofFileInfo } from '../input/aof-reader.js';

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
   * empty): memory stays bounded whatever the number of files (a set may have a hundred thousand).
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
  let set: AofSet;
  try {
    // The files are opened one by one by the reader; a missing one is reported when its turn comes, as
    // redis-check-aof does.
    set = await resolveAof(path, { verifyFiles: false });
  } catch (error) {
    const failure = toFailure(error);
    if (failure.kind === 'io') throw error;
    return { file: path, format: 'aof', layout: 'single', manifest: undefined, valid: false, files: [], checked: 0, total: 0, commands: 0, problems: [], error: failure };
  }
  return checkAofSet(set, path, options);
}

/** {@link checkAof} of an AOF already resolved to its files. */
export async function checkAofSet(set: AofSet, path: string, options: CheckAofOptions = {}): Promise<AofCheckReport> {
  const report: AofCheckReport = {
    file: path,
    format: 'aof',
    layout: set.kind,
    manifest: set.manifestPath,
    valid: false,
    files: [],
    checked: 0,
    total: set.parts.length,
    commands: 0,
    problems: [],
    error: undefined,
  };
  let allValid = true;
  /** A file's verdict is complete: hand it out, and note what it means for the whole. */
  const done = (file: AofFileVerdict): void => {
    // Commands after ok_up_to are in the part Redis would cut: they are not findings about what it replays.
    if (file.commandWarnings.length > 0) file.commandWarnings = file.commandWarnings.filter((w) => w.offset < file.okUpTo);
    if (options.onFile) options.onFile(file);
    else report.files.push(file);
    const last = report.checked === set.parts.length - 1;
    report.checked++;
    report.commands += file.commands;
    if (!file.valid) {
      allValid = false;
      if (!last && file.error?.truncated) {
        report.problems.push(`${file.name} is truncated but is not the last file: Redis refuses to load the AOF (only the last file may be cut short)`);
      }
    } else if (options.strict && file.commandWarningCount > 0) {
      report.problems.push(`${file.name}: ${file.commandWarningCount} command${file.commandWarningCount === 1 ? '' : 's'} Redis would refuse to replay (--strict)`);
    }
  };
  const max = options.maxWarnings ?? 20;
  let verdict: AofFileVerdict | undefined;
  let verdictIndex = -1;
  // The commands of a small file are checked before its `file` event is seen: its findings wait here.
  type Findings = Pick<AofFileVerdict, 'commandWarnings' | 'commandWarningCount'>;
  const early = new Map<number, Findings>();
  const onCommand = (file: AofFileInfo, name: string, argc: number, offset: number, line: number): void => {
    const problem = validateCommandName(name, argc);
    if (!problem) return;
    let into: Findings | undefined = verdict && verdictIndex === file.index ? verdict : early.get(file.index);
    if (!into) {
      into = { commandWarnings: [], commandWarningCount: 0 };
      early.set(file.index, into);
    }
    into.commandWarningCount++;
    if (into.commandWarnings.length < max) into.commandWarnings.push({ offset, line, message: problem.message });
  };
  const total = (file: AofFileInfo): number | undefined => (file.compressed ? undefined : file.size);
  let rdbKeys = 0;
  const countKeys = { keyEnd: (): void => void rdbKeys++ };
  let startLine = 1;
  try {
    for await (const batch of readAofSetBatches(set, {
      check: { onCommand },
      rdb: () => countKeys,
      onProgress: (file, offset) => options.onProgress?.(offset, total(file)),
    })) {
      for (const event of batch) {
        switch (event.kind) {
          case 'file':
            if (verdict) done(verdict);
            rdbKeys = 0;
            verdict = newVerdict(event.file.part, event.file, startLine);
            verdictIndex = event.file.index;
            Object.assign(verdict, early.get(verdictIndex));
            early.delete(verdictIndex);
            break;
          case 'rdb': {
            const outcome = event.outcome;
            const rdb = { version: outcome.version ?? 0, magic: outcome.magic ?? 'REDIS', keys: rdbKeys, checksum: outcome.checksum, endOffset: outcome.okUpTo, error: outcome.error };
            (verdict as AofFileVerdict).kind = 'rdb+resp';
            (verdict as AofFileVerdict).rdb = rdb;
            if (outcome.error) {
              rdb.endOffset = 0;
              (verdict as AofFileVerdict).error = {
                offset: outcome.error.offset ?? 0,
                message: `RDB preamble of AOF file is not sane: ${outcome.error.message}`,
                truncated: outcome.error.kind === 'truncated',
              };
            }
            break;
          }
          case 'end': {
            const current = verdict as AofFileVerdict;
            const result = event.verdict;
            if (!result) break;
            Object.assign(current, {
              kind: result.empty ? 'empty' : current.kind,
              size: event.file.size,
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
            startLine = result.okUpToLine;
            break;
          }
          default:
            break;
        }
      }
    }
  } catch (error) {
    // A file the manifest names is missing (the manifest's name and offset), or cannot be read.
    const failure = toFailure(error);
    if (failure.kind === 'io') throw error;
    report.error = failure;
    allValid = false;
  }
  if (verdict) done(verdict);
  report.valid = report.checked === set.parts.length && allValid && report.problems.length === 0 && report.error === undefined;
  return report;
}

function newVerdict(part: AofPart, file: AofFileInfo, startLine: number): AofFileVerdict {
  return {
    name: part.name,
    path: part.path,
    role: part.role,
    kind: 'resp',
    size: file.size,
    compressed: file.compressed,
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
}
