import { createRequire } from 'node:module';
import type CliTable3 from 'cli-table3';
import { style } from './style.js';

/** One column of a {@link renderTable} table. */
export interface Column {
  header: string;
  /** Numbers are right-aligned. */
  align?: 'left' | 'right';
  /** The column may be shortened (with `…` in the middle) to make the table fit the width. */
  shrink?: boolean;
}

/** Narrowest a shrinkable column gets (content characters). */
const MIN_SHRUNK = 8;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Characters a string takes on a terminal, colour codes left out (one per code point). */
export function visibleLength(text: string): number {
  let n = 0;
  for (const unusedChar of text.replace(ANSI, '')) n++;
  return n;
}

/** Shortens `text` to `width` characters with `…` in the middle (keys and file names differ at both ends). */
export function shortenMiddle(text: string, width: number): string {
  const plain = [...text.replace(ANSI, '')];
  if (plain.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${plain.slice(0, head).join('')}…${tail > 0 ? plain.slice(plain.length - tail).join('') : ''}`;
}

/**
 * The width tables are fitted to: the terminal's columns when stdout is a terminal, `COLUMNS` when set,
 * otherwise none (output piped to a file keeps every character).
 */
export function outputWidth(): number | undefined {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

let Table: typeof CliTable3 | undefined;

/**
 * A bordered table with a line under the header only (no separator under every row), fitted to `width`
 * (default {@link outputWidth}) by shortening the `shrink` columns, widest first.
 */
export function renderTable(columns: Column[], rows: string[][], width = outputWidth()): string {
  const natural = columns.map((column, i) => Math.max(visibleLength(column.header), ...rows.map((row) => visibleLength(row[i] ?? ''))));
  const widths = natural.slice();
  if (width !== undefined) {
    // Each column takes its content plus two spaces of padding and one border; one more border closes the row.
    let excess = widths.reduce((sum, w) => sum + w + 3, 1) - width;
    while (excess > 0) {
      let widest = -1;
      for (const [i, column] of columns.entries()) {
        if (column.shrink && (widths[i] as number) > MIN_SHRUNK && (widest < 0 || (widths[i] as number) > (widths[widest] as number))) widest = i;
      }
      if (widest < 0) break;
      const cut = Math.min(excess, (widths[widest] as number) - MIN_SHRUNK);
      widths[widest] = (widths[widest] as number) - cut;
      excess -= cut;
    }
  }
  Table ??= createRequire(import.meta.url)('cli-table3') as typeof CliTable3;
  const table = new Table({
    head: columns.map((column, i) => style.bold(shortenMiddle(column.header, widths[i] as number))),
    colWidths: widths.map((w) => w + 2),
    colAligns: columns.map((column) => column.align ?? 'left'),
    wordWrap: false,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [] },
  });
  for (const row of rows) table.push(row.map((cell, i) => shortenMiddle(cell, widths[i] as number)));
  // cli-table3 draws the header rule with the row separators it was told to leave out: put it back.
  const lines = table.toString().split('\n');
  lines.splice(2, 0, `├${widths.map((w) => '─'.repeat(w + 2)).join('┼')}┤`);
  return lines.join('\n');
}
