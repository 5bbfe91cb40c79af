import type { AofCheckReport } from '../operations/check-aof.js';
import type { AofFileReport, AofInspectReport } from '../operations/inspect-aof.js';
import { formatDate } from './rdb.js';
import { formatBytes, formatCount, style } from './style.js';
import { renderTable } from './table.js';

/** What a file of an AOF holds, for people: "RESP", "RDB 10" (a pure base file), "RDB 10 + RESP". */
function kindLabel(file: { kind: string; commands: number; rdb?: { version?: number | undefined } | undefined }): string {
  if (file.kind !== 'rdb+resp') return file.kind === 'resp' ? 'RESP' : file.kind;
  return file.commands === 0 ? `RDB ${file.rdb?.version ?? ''}`.trim() : `RDB ${file.rdb?.version ?? ''} + RESP`;
}

/** The human form of `check` on an AOF: redis-check-aof's facts per file, then our extra findings. */
export function renderAofCheck(report: AofCheckReport): string {
  const lines: string[] = [];
  if (report.error) {
    lines.push(`${style.bad('INVALID')} ${report.error.message}`);
    return lines.join('\n');
  }
  const what = report.layout === 'multipart' ? `multi-part AOF, manifest ${report.manifest}` : 'AOF';
  lines.push(`${report.valid ? style.ok('valid') + '  ' : style.bad('INVALID')} ${report.file}`);
  lines.push(`        ${what}, ${report.files.length} file${report.files.length === 1 ? '' : 's'} checked`);
  for (const file of report.files) {
    const rdb = file.rdb;
    const kind = file.kind === 'rdb+resp' && rdb ? `RDB ${rdb.version}${rdb.endOffset === file.size ? '' : ' + RESP'} (${formatCount(rdb.keys)} keys)` : kindLabel(file);
    lines.push(`  ${file.role.padEnd(5)} ${file.name}: ${file.valid ? style.ok('valid') : style.bad('not valid')}, ${kind}, ${formatCount(file.commands)} commands`);
    lines.push(style.dim(`        size=${file.size} ok_up_to=${file.okUpTo} ok_up_to_line=${file.okUpToLine} diff=${file.diff}`));
    if (file.error) lines.push(style.bad(`        offset ${file.error.offset}: ${file.error.message}`));
    for (const warning of file.commandWarnings) lines.push(style.warn(`        warning: offset ${warning.offset} (line ${warning.line}): ${warning.message}`));
    if (file.commandWarningCount > file.commandWarnings.length) {
      lines.push(style.warn(`        … ${file.commandWarningCount - file.commandWarnings.length} more command warnings`));
    }
  }
  for (const problem of report.problems) lines.push(style.bad(`  ${problem}`));
  return lines.join('\n');
}

function fileKind(f: AofFileReport): string {
  return kindLabel(f) + (f.compressed ? ', lz4' : '');
}

/** The human form of `inspect` on an AOF, its tables fitted to the terminal. */
export function renderAofInspect(report: AofInspectReport): string {
  const lines: string[] = [];
  lines.push(style.heading(report.file));
  lines.push(`  ${report.layout === 'multipart' ? `multi-part AOF, manifest ${report.manifest}` : 'single-file AOF'}`);
  lines.push(
    renderTable(
      [{ header: 'file', shrink: true }, { header: 'role' }, { header: 'kind' }, { header: 'size', align: 'right' }, { header: 'commands', align: 'right' }],
      report.files.map((f) => [f.name, f.role, fileKind(f), formatBytes(f.size), formatCount(f.commands)]),
    ),
  );
  const timed = report.files.filter((f) => f.firstTimestamp !== undefined);
  if (timed.length) {
    lines.push(
      renderTable(
        [{ header: 'file', shrink: true }, { header: 'first #TS' }, { header: 'last #TS' }],
        timed.map((f) => [f.name, formatDate(f.firstTimestamp as string), f.lastTimestamp ? formatDate(f.lastTimestamp) : '-']),
      ),
    );
  }
  if (report.history.length) lines.push(`  history (not loaded): ${report.history.map((h) => h.name).join(', ')}`);
  lines.push(`  ${formatCount(report.commands)} commands, ${formatCount(report.multiBlocks)} MULTI blocks, ${formatCount(report.annotations)} annotations`);
  if (report.firstTimestamp) lines.push(`  time span: ${formatDate(report.firstTimestamp)} → ${report.lastTimestamp ? formatDate(report.lastTimestamp) : '?'}`);
  const byCommand = Object.entries(report.byCommand);
  if (byCommand.length) {
    lines.push(
      renderTable(
        [{ header: 'command', shrink: true }, { header: 'count', align: 'right' }],
        byCommand.slice(0, 20).map(([name, count]) => [name, formatCount(count)]),
      ),
    );
    if (byCommand.length > 20) lines.push(style.dim(`  … ${byCommand.length - 20} more commands (--json lists all)`));
  }
  const byDatabase = Object.entries(report.byDatabase);
  if (byDatabase.length) {
    lines.push(renderTable([{ header: 'db', align: 'right' }, { header: 'commands', align: 'right' }], byDatabase.map(([db, count]) => [db, formatCount(count)])));
  }
  for (const f of report.files) {
    if (f.rdb) lines.push(`  RDB preamble of ${f.name}: ${formatCount(f.rdb.totals.keys)} keys in ${f.rdb.databases.length} databases, checksum ${f.rdb.checksum}`);
  }
  if (report.stoppedAt) lines.push(style.bad(`  stopped at ${report.stoppedAt.message}; run 'redback check' for the verdict`));
  return lines.join('\n');
}
