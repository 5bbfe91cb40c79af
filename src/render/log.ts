import type { LogEntry, LogSummary } from '../operations/log.js';
import { showBytes } from './rdb.js';
import { formatCount, style } from './style.js';

/** A `#TS` time for people: the UTC date and time, or a dash before the first annotation. */
function when(ts: number | null): string {
  return ts === null ? '-'.padEnd(19) : new Date(ts * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Renders log entries one line each, as they come: time, where (file:offset), db, command and keys. The
 * commands of a MULTI block are indented under it; a block entered in the middle (filters) gets a header.
 */
export function logLineRenderer(): (entry: LogEntry) => string {
  let block: number | null = null;
  let blockFile = '';
  return (entry) => {
    const lines: string[] = [];
    const inBlock = entry.multi !== null && entry.command !== 'MULTI';
    if (inBlock && (entry.multi !== block || entry.file !== blockFile)) lines.push(style.dim(`${' '.repeat(21)}(in the MULTI at ${entry.file}:${entry.multi})`));
    block = entry.command === 'EXEC' ? null : entry.multi;
    blockFile = entry.file;
    const keys = entry.keys.map(showBytes).join(' ');
    const indent = inBlock ? '  ' : '';
    lines.push(`${style.dim(when(entry.ts))}  ${entry.file}:${entry.offset}  db${entry.db}  ${indent}${style.bold(entry.command)}${keys ? ` ${keys}` : ''}`);
    return lines.join('\n');
  };
}

/** The closing line of `log`: commands read and shown, and the time span. */
export function renderLogSummary(summary: LogSummary): string {
  const span = summary.firstTimestamp === null ? 'no #TS annotations' : `#TS from ${when(summary.firstTimestamp)} to ${when(summary.lastTimestamp)} UTC`;
  return style.dim(`${formatCount(summary.matched)} of ${formatCount(summary.commands)} commands shown; ${span}`);
}
