import { validateCommandName } from '../aof/commands.js';
import { resolveAof } from '../aof/set.js';
import type { AofPart, AofSet } from '../aof/set.js';
import { toFailure } from '../errors.js';
import type { ScanFailure } from '../errors.js';
import { readAofSet } from '../input/aof-reader.js';
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
  let set: AofSet;
  try {
    set = await resolveAof(path);
  } catch (error) {
    const failure = toFailure(error);
    if (failure.kind === 'io') throw error;
    return { file: path, format: 'aof', layout: 'single', manifest: undefined, valid: false, files: [], problems: [], error: failure };
  }
  return checkAofSet(set, path, options);
}

/** {@link checkAof} of an AOF already resolved to its files. */
export async function checkAofSet(set: AofSet, path: string, options: CheckAofOptions = {}): Promise<AofCheckReport> {
  const report: AofCheckReport = { file: path, format: 'aof', layout: set.kind, manifest: set.manifestPath, valid: false, files: [], problems: [], error: undefined };
  const max = options.maxWarnings ?? 20;
  let verdict: AofFileVerdict | undefined;
  const onCommand = (name: string, argc: number, offset: number, line: number): void => {
    const problem = validateCommandName(name, argc);
    if (!problem || !verdict) return;
    verdict.commandWarningCount++;
    if (verdict.commandWarnings.length < max) verdict.commandWarnings.push({ offset, line, message: problem.message });
  };
  const total = (file: AofFileInfo): number | undefined => (file.compressed ? undefined : file.size);
  let rdbKeys = 0;
  const countKeys = { keyEnd: (): void => void rdbKeys++ };
  for await (const event of readAofSet(set, {
    check: { onCommand },
    rdb: () => countKeys,
    onProgress: (file, offset) => options.onProgress?.(offset, total(file)),
  })) {
    switch (event.kind) {
      case 'file':
        rdbKeys = 0;
        verdict = newVerdict(event.file.part, event.file, report.files.at(-1)?.okUpToLine ?? 1);
        report.files.push(verdict);
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
        // Commands after ok_up_to are in the part Redis would cut: they are not findings about what it replays.
        current.commandWarnings = current.commandWarnings.filter((w) => w.offset < current.okUpTo);
        break;
      }
      default:
        break;
    }
  }
  for (let i = 0; i < report.files.length; i++) {
    const file = report.files[i] as AofFileVerdict;
    const last = i === set.parts.length - 1;
    if (!file.valid) {
      if (!last && file.error?.truncated) {
        report.problems.push(`${file.name} is truncated but is not the last file: Redis refuses to load the AOF (only the last file may be cut short)`);
      }
      break; // redis-check-aof stops at the first invalid file
    }
    if (options.strict && file.commandWarningCount > 0) {
      report.problems.push(`${file.name}: ${file.commandWarningCount} command${file.commandWarningCount === 1 ? '' : 's'} Redis would refuse to replay (--strict)`);
    }
  }
  report.valid = report.files.length === set.parts.length && report.files.every((f) => f.valid) && report.problems.length === 0;
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
