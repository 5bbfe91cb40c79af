import { formatBytes } from './style.js';

/** A progress bar on stderr, redrawn at most ten times a second; a no-op when disabled. */
export interface Progress {
  update(done: number, total: number | undefined): void;
  finish(): void;
}

/** Creates a {@link Progress}; pass `enabled` false when stderr is not a terminal or output is JSON. */
export function createProgress(label: string, enabled: boolean): Progress {
  if (!enabled) return { update() {}, finish() {} };
  let last = 0;
  let drawn = false;
  const started = Date.now();
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const width = 30;
      const rate = done / Math.max(0.001, (now - started) / 1000);
      let line: string;
      if (total && total > 0) {
        const fraction = Math.min(1, done / total);
        const filled = Math.round(fraction * width);
        line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${formatBytes(done)} ${formatBytes(rate)}/s`;
      } else {
        line = `${label} ${formatBytes(done)} ${formatBytes(rate)}/s`;
      }
      process.stderr.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}
