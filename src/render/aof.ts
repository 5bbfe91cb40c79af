import Table from 'cli-table3';
import type { AofCheckReport, AofFileVerdict } from '../operations/check-aof.js';
import type { AofInspectReport } from '../operations/inspect-aof.js';
import { formatBytes, formatCount, style } from './style.js';

/** The human form of one file's verdict in `check` (redis-check-aof's facts, then our findings): one or more lines. */
export function renderAofFileVerdict(file: AofFileVerdict): string {
  const kind = file.kind === 'rdb+resp' ? `RDB ${file.rdb?.version} preamble (${formatCount(file.rdb?.keys ?? 0)} keys) + RESP` : file.kind === 'empty' ? 'AOF is empty' : file.kind;
  const head = `  ${file.role.padEnd(6)} ${file.name}: ${file.valid ? style.ok('valid') : style.bad('not valid')}, ${kind}, ${formatCount(file.commands)} commands; size=${file.size}, ok_up_to=${file.okUpTo}, ok_up_to_line=${file.okUpToLine}, diff=${file.diff}`;
  if (!file.error && file.commandWarningCount === 0) return head;
  const lines = [head];
  if (file.error) lines.push(style.bad(`         offset ${file.error.offset}: ${file.error.message}`));
  for (const warning of file.commandWarnings) lines.push(style.warn(`         warning: offset ${warning.offset} (line ${warning.line}): ${warning.message}`));
  if (file.commandWarningCount > file.commandWarnings.length) {
    lines.push(style.warn(`         … ${file.commandWarningCount - file.commandWarnings.length} more command warnings`));
  }
  return lines.join('\n');
}

/** The verdict of `check` on an AOF, after its files' lines (as redis-check-aof ends with its verdict), then our findings. */
export function renderAofCheckVerdict(report: AofCheckReport): string {
  if (report.error) return `${style.bad('INVALID')} ${report.error.message}`;
  const lines: string[] = [];
  const what = report.layout === 'multipart' ? `multi-part AOF (${report.manifest})` : 'AOF';
  const checked = report.checked === report.total ? `${formatCount(report.checked)} file${report.checked === 1 ? '' : 's'} checked` : `${formatCount(report.checked)} of ${formatCount(report.total)} files checked`;
  lines.push(`${report.valid ? style.ok('valid') + '  ' : style.bad('INVALID')} ${report.file}: ${what}, ${checked}, ${formatCount(report.commands)} commands`);
  for (const problem of report.problems) lines.push(style.bad(`  ${problem}`));
  return lines.join('\n');
}

/** The human form of `check` on an AOF whose verdicts are in the report: the files' lines, then the verdict. */
export function renderAofCheck(report: AofCheckReport): string {
  return [...report.files.map(renderAofFileVerdict), renderAofCheckVerdict(report)].join('\n');
}

/** Files listed by `inspect` on a terminal at most; a larger set shows its first and last ones. */
export const INSPECT_FILES_SHOWN = 20;

/**
 * The human form of `inspect` on an AOF. `report.files` may hold only some of the files (the first and
 * the last ones of a large set, split at `splitAt`): a row then says how many are not shown.
 */
export function renderAofInspect(report: AofInspectReport, splitAt = report.files.length): string {
  const lines: string[] = [];
  lines.push(style.heading(report.file));
  lines.push(`  ${report.layout === 'multipart' ? `multi-part AOF, manifest ${report.manifest}, ${formatCount(report.fileCount)} file${report.fileCount === 1 ? '' : 's'}` : 'single-file AOF'}`);
  const files = new Table({ head: ['file', 'role', 'kind', 'size', 'commands', 'first #TS', 'last #TS'].map((h) => style.bold(h)), style: { head: [], border: [] } });
  report.files.forEach((f, i) => {
    if (i === splitAt && report.files.length < report.fileCount) {
      files.push([style.dim(`… ${formatCount(report.fileCount - report.files.length)} more files`), '', '', '', '', '', '']);
    }
    const kind = f.kind === 'rdb+resp' ? `RDB ${f.rdb?.version} + RESP` : f.kind;
    files.push([f.name, f.role, kind + (f.compressed ? ' (lz4)' : ''), formatBytes(f.size), formatCount(f.commands), f.firstTimestamp ?? '-', f.lastTimestamp ?? '-']);
  });
  lines.push(files.toString());
  if (report.history.length) lines.push(`  history (not loaded): ${report.history.map((h) => h.name).join(', ')}`);
  lines.push(`  ${formatCount(report.commands)} commands, ${formatCount(report.multiBlocks)} MULTI blocks, ${formatCount(report.annotations)} annotations`);
  if (report.firstTimestamp) lines.push(`  time span: ${report.firstTimestamp} → ${report.lastTimestamp}`);
  const commands = new Table({ head: ['command', 'count'].map((h) => style.bold(h)), style: { head: [], border: [] } });
  for (const [name, count] of Object.entries(report.byCommand).slice(0, 20)) commands.push([name, formatCount(count)]);
  lines.push(commands.toString());
  const dbs = new Table({ head: ['db', 'commands'].map((h) => style.bold(h)), style: { head: [], border: [] } });
  for (const [db, count] of Object.entries(report.byDatabase)) dbs.push([db, formatCount(count)]);
  lines.push(dbs.toString());
  for (const f of report.files) {
    if (f.rdb) lines.push(`  RDB preamble of ${f.name}: ${formatCount(f.rdb.totals.keys)} keys in ${f.rdb.databases.length} databases, checksum ${f.rdb.checksum}`);
  }
  if (report.stoppedAt) lines.push(style.bad(`  stopped at ${report.stoppedAt.message}; run 'redback check' for the verdict`));
  return lines.join('\n');
}
