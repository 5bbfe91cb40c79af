import { formatBytes } from './style.js';
import { shortenMiddle } from './table.js';

/** A progress bar on stderr, redrawn at most ten times a second; a no-op when disabled. */
export interface Progress {
  update(done: number, total: number | undefined): void;
  /** Clears the bar (the line is left empty, the cursor at its start). */
  finish(): void;
}

/** Where the bar is drawn: a terminal's write and width. */
export interface ProgressTerminal {
  write(text: string): void;
  /** Columns of the terminal (undefined: 80). */
  columns: number | undefined;
}

/** Minutes and seconds (or hours, minutes and seconds) of an estimate: 0:42, 12:05, 1:02:03. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/**
 * One frame of the bar, at most `width` characters: `label [####....]  42% 12.0 MiB 45.6 MiB/s ETA 0:03`.
 * Without a total (a compressed input), the bytes read and the rate. Narrow terminals shorten the label (with
 * `…` in the middle) and lose the bar first.
 */
export function progressLine(label: string, done: number, total: number | undefined, elapsedSeconds: number, width: number): string {
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  let facts: string;
  let fraction: number | undefined;
  if (total !== undefined && total > 0) {
    fraction = Math.min(1, done / total);
    const eta = rate > 0 ? formatEta((total - done) / rate) : '?';
    facts = `${(fraction * 100).toFixed(0).padStart(3)}% ${formatBytes(done)} ${formatBytes(rate)}/s ETA ${eta}`;
  } else {
    facts = `${formatBytes(done)} ${formatBytes(rate)}/s`;
  }
  // The facts first, then the label (up to 24 characters when a bar is drawn), then a bar of 10 to 40.
  const room = width - facts.length - 1;
  let labelWidth = Math.max(0, Math.min(label.length, room));
  let barWidth = 0;
  if (fraction !== undefined && room - Math.min(label.length, 24) - 3 >= 10) {
    barWidth = Math.min(40, room - Math.min(label.length, 24) - 3);
    labelWidth = Math.min(label.length, room - barWidth - 3);
  }
  const shownLabel = labelWidth > 0 ? shortenMiddle(label, labelWidth) : '';
  const bar = barWidth > 0 && fraction !== undefined ? `[${'#'.repeat(Math.round(fraction * barWidth)).padEnd(barWidth, '.')}] ` : '';
  const line = `${shownLabel}${shownLabel ? ' ' : ''}${bar}${facts}`;
  return line.length > width ? line.slice(0, Math.max(0, width)) : line;
}

/**
 * Creates a {@link Progress}; pass `enabled` false when stderr is not a terminal or output is for scripts.
 * The bar stays one character short of the terminal's width so that it never wraps (each redraw would
 * otherwise scroll a new line), and it is erased by {@link Progress.finish}.
 */
export function createProgress(label: string, enabled: boolean, terminal?: ProgressTerminal): Progress {
  if (!enabled) return { update() {}, finish() {} };
  const out: ProgressTerminal = terminal ?? {
    write: (text) => process.stderr.write(text),
    get columns() {
      return process.stderr.columns;
    },
  };
  let last = 0;
  let drawn = false;
  const started = Date.now();
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const width = Math.max(1, (out.columns ?? 80) - 1);
      out.write(`\r${progressLine(label, done, total, (now - started) / 1000, width)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) out.write('\r\x1b[K');
      drawn = false;
    },
  };
}
