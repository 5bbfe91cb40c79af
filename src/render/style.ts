import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';

let chalk: ChalkInstance = new Chalk({ level: 0 });
let colored = false;

/** Turns colour on or off for everything rendered afterwards. */
export function setColor(enabled: boolean): void {
  chalk = new Chalk({ level: enabled ? 1 : 0 });
  colored = enabled;
}

/** The colours of redback's output, by meaning. Without colour the text is returned as it is, at no cost. */
export const style = {
  ok: (text: string): string => (colored ? chalk.green(text) : text),
  bad: (text: string): string => (colored ? chalk.red(text) : text),
  warn: (text: string): string => (colored ? chalk.yellow(text) : text),
  dim: (text: string): string => (colored ? chalk.dim(text) : text),
  bold: (text: string): string => (colored ? chalk.bold(text) : text),
  heading: (text: string): string => (colored ? chalk.bold.cyan(text) : text),
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

const countFormat = new Intl.NumberFormat('en-US');

/** A count with thousands separators. */
export function formatCount(value: number): string {
  // Below 1,000 there is nothing to separate; a formatter made once is far quicker than toLocaleString.
  return value < 1000 && value > -1000 && Number.isInteger(value) ? String(value) : countFormat.format(value);
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
