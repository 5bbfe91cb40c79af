import type { AofCheckReport } from '../operations/check-aof.js';
import { formatCount } from './style.js';
import { style } from './style.js';

/** The human form of `check` on an AOF: redis-check-aof's facts per file, then our extra findings. */
export function renderAofCheck(report: AofCheckReport): string {
  const lines: string[] = [];
  if (report.error) {
    lines.push(`${style.bad('INVALID')} ${report.error.message}`);
    return lines.join('\n');
  }
  const what = report.layout === 'multipart' ? `multi-part AOF (${report.manifest})` : 'AOF';
  lines.push(`${report.valid ? style.ok('valid') + '  ' : style.bad('INVALID')} ${report.file}: ${what}, ${report.files.length} file${report.files.length === 1 ? '' : 's'} checked`);
  for (const file of report.files) {
    const head = `  ${file.role.padEnd(6)} ${file.name}`;
    const facts = `size=${file.size}, ok_up_to=${file.okUpTo}, ok_up_to_line=${file.okUpToLine}, diff=${file.diff}`;
    const kind = file.kind === 'rdb+resp' ? `RDB ${file.rdb?.version} preamble (${formatCount(file.rdb?.keys ?? 0)} keys) + RESP` : file.kind;
    lines.push(`${head}: ${file.valid ? style.ok('valid') : style.bad('not valid')}, ${kind}, ${formatCount(file.commands)} commands; ${facts}`);
    if (file.error) lines.push(style.bad(`         offset ${file.error.offset}: ${file.error.message}`));
    for (const warning of file.commandWarnings) lines.push(style.warn(`         warning: offset ${warning.offset} (line ${warning.line}): ${warning.message}`));
    if (file.commandWarningCount > file.commandWarnings.length) {
      lines.push(style.warn(`         … ${file.commandWarningCount - file.commandWarnings.length} more command warnings`));
    }
  }
  for (const problem of report.problems) lines.push(style.bad(`  ${problem}`));
  return lines.join('\n');
}
