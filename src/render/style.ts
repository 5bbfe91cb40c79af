import { createRequire } from 'node:module';
import type { ChalkInstance } from 'chalk';

/** Colours, or undefined for plain text (the default). */
let chalk: ChalkInstance | undefined;

/**
 * Turns colour on or off for everything rendered afterwards. chalk is loaded only when colour is turned
 * on: output for scripts and CI does not pay for it (see bench, "startup").
 */
export function setColor(enabled: boolean): void {
  if (!enabled) {
    chalk = undefined;
    return;
  }
  const { Chalk } = createRequire(import.meta.url)('chalk') as typeof import('chalk');
  chalk = new Chalk({ level: 1 });
}

const plain = (text: string): string => text;

/** The colours of redback's output, by meaning. */
export const style = {
  ok: (text: string): string => (chalk ? chalk.green(text) : plain(text)),
  bad: (text: string): string => (chalk ? chalk.red(text) : plain(text)),
  warn: (text: string): string => (chalk ? chalk.yellow(text) : plain(text)),
  dim: (text: string): string => (chalk ? chalk.dim(text) : plain(text)),
  bold: (text: string): string => (chalk ? chalk.bold(text) : plain(text)),
  heading: (text: string): string => (chalk ? chalk.bold.cyan(text) : plain(text)),
};

/** Bytes for people: 1.5 KiB, 3.2 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A count (rounded to an integer) with thousands separators: 1,234,567. (Not toLocaleString: its first call costs ~20 ms.) */
export function formatCount(value: number): string {
  const digits = String(Math.round(Math.abs(value)));
  let grouped = '';
  for (let end = digits.length; end > 0; end -= 3) grouped = digits.slice(Math.max(0, end - 3), end) + (grouped ? `,${grouped}` : '');
  return (value < 0 ? '-' : '') + grouped;
}

/** A TTL in ms for people: 3d 4h, 12m 5s, expired 2h ago. */
export function formatTtl(ms: number | null): string {
  if (ms === null) return '-';
  const expired = ms < 0;
  let rest = Math.abs(ms) / 1000;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return expired ? `expired ${parts.join(' ')} ago` : parts.join(' ');
}
