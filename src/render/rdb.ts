import type { JsonBytes } from '../bytes/text.js';
import type { RedisType } from '../rdb/constants.js';
import type { RdbCheckReport } from '../operations/check-rdb.js';
import type { KeyInfo, KeyTotals, RdbInspectReport } from '../operations/inspect-rdb.js';
import { formatBytes, formatCount, formatTtl, style } from './style.js';
import { renderTable } from './table.js';
import type { Column } from './table.js';

/** A byte string from a report, for a terminal. */
export function showBytes(value: JsonBytes): string {
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex
    return value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  }
  return `${style.dim('base64:')}${value.base64}`;
}

const byBytes = (a: [string, KeyTotals | undefined], b: [string, KeyTotals | undefined]): number => (b[1]?.bytes ?? 0) - (a[1]?.bytes ?? 0);

const totalsColumns = [
  { header: 'keys', align: 'right' },
  { header: 'elements', align: 'right' },
  { header: 'encoded', align: 'right' },
] satisfies Column[];

function totalsCells(t: KeyTotals | undefined): string[] {
  return [formatCount(t?.keys ?? 0), formatCount(t?.elements ?? 0), formatBytes(t?.bytes ?? 0)];
}

/** A date for people: 2026-01-02 03:04:05 UTC. */
export function formatDate(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/** An AUX value for people: ctime as a date, used-mem with its size in units. */
function auxValue(key: string, value: JsonBytes): string {
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    if (key === 'ctime') return `${formatDate(new Date(Number(value) * 1000).toISOString())} ${style.dim(`(${value})`)}`;
    if (key === 'used-mem' || key === 'aof-base-size') return `${formatBytes(Number(value))} ${style.dim(`(${value})`)}`;
  }
  return showBytes(value);
}

/** Options of {@link renderRdbInspect}. */
export interface RdbInspectRenderOptions {
  /** One row per type and encoding instead of one per type. */
  byEncoding?: boolean;
}

/** The human form of `inspect` on an RDB: tables fitted to the terminal, one per database. */
export function renderRdbInspect(report: RdbInspectReport, options: RdbInspectRenderOptions = {}): string {
  const lines: string[] = [];
  lines.push(style.heading(`${report.file}`));
  const size = `${formatBytes(report.size)}${report.compressed ? ' (LZ4-compressed)' : ''}`;
  lines.push(`  RDB version ${report.version}${report.magic === 'REDIS' ? '' : ` (${report.magic})`}, ${size}, checksum ${report.checksum ?? 'not reached'}`);
  const server = report.server;
  const facts: string[] = [];
  if (server.redisVersion) facts.push(`redis ${server.redisVersion}`);
  if (server.valkeyVersion) facts.push(`valkey ${server.valkeyVersion}`);
  if (server.createdAt) facts.push(`saved ${formatDate(server.createdAt)}`);
  if (server.usedMemory !== undefined) facts.push(`used memory ${formatBytes(server.usedMemory)}`);
  if (server.aofBase) facts.push('AOF base');
  if (facts.length) lines.push(`  ${facts.join(', ')}`);
  if (report.aux.length) {
    const rows = report.aux.map((field) => [showBytes(field.key), auxValue(typeof field.key === 'string' ? field.key : '', field.value)]);
    lines.push(renderTable([{ header: 'aux field', shrink: true }, { header: 'value', shrink: true }], rows));
  }
  if (report.functions.length) {
    const rows = report.functions.map((f) => [f.library ?? '?', f.engine ?? '?', formatBytes(f.bytes)]);
    lines.push(renderTable([{ header: 'function library', shrink: true }, { header: 'engine' }, { header: 'size', align: 'right' }], rows));
  }
  if (report.modules.length) {
    const rows = report.modules.map((m) => [m.name, String(m.encver), formatCount(m.keys), formatCount(m.auxRecords)]);
    lines.push(renderTable([{ header: 'module type', shrink: true }, { header: 'encver', align: 'right' }, { header: 'keys', align: 'right' }, { header: 'aux records', align: 'right' }], rows));
  }
  const t = report.totals;
  lines.push(
    `  ${formatCount(t.keys)} keys in ${report.databases.length} database${report.databases.length === 1 ? '' : 's'}, ` +
      `${formatCount(t.expires)} with a TTL (${formatCount(t.alreadyExpired)} already expired), ${formatBytes(t.bytes)} of key data`,
  );
  for (const db of report.databases) {
    lines.push('');
    lines.push(style.heading(`db ${db.db}`) + `: ${formatCount(db.keys)} keys, ${formatCount(db.expires)} with a TTL (${formatCount(db.alreadyExpired)} expired), ${formatBytes(db.bytes)}`);
    if (db.keys === 0) continue;
    const types = Object.entries(db.byType).sort(byBytes);
    if (options.byEncoding) {
      const rows: string[][] = [];
      for (const [type] of types) {
        for (const [encoding, totals] of Object.entries(db.byEncoding[type as RedisType] ?? {}).sort(byBytes)) rows.push([type, encoding, ...totalsCells(totals)]);
      }
      lines.push(renderTable([{ header: 'type' }, { header: 'encoding', shrink: true }, ...totalsColumns], rows));
    } else {
      const rows = types.map(([type, totals]) => {
        const encodings = Object.entries(db.byEncoding[type as RedisType] ?? {})
          .sort((a, b) => b[1].keys - a[1].keys)
          .map(([name, e]) => (Object.keys(db.byEncoding[type as RedisType] ?? {}).length === 1 ? name : `${name} ${formatCount(e.keys)}`));
        return [type, ...totalsCells(totals), encodings.join(', ')];
      });
      lines.push(renderTable([{ header: 'type' }, ...totalsColumns, { header: 'encodings', shrink: true }], rows));
    }
  }
  if (report.top.length) {
    lines.push('');
    lines.push(style.heading(`biggest ${report.top.length} keys`));
    lines.push(renderKeyTable(report.top));
  }
  for (const warning of report.warnings) lines.push(style.warn(`warning: ${warning}`));
  return lines.join('\n');
}

/** A table of keys (for `--top`), the key names shortened to fit the terminal. */
export function renderKeyTable(keys: KeyInfo[]): string {
  const rows = keys.map((k) => [String(k.db), showBytes(k.key), k.type, k.encoding, formatCount(k.elements), formatBytes(k.bytes), formatTtl(k.ttlMs)]);
  return renderTable(
    [
      { header: 'db', align: 'right' },
      { header: 'key', shrink: true },
      { header: 'type' },
      { header: 'encoding' },
      { header: 'elements', align: 'right' },
      { header: 'encoded', align: 'right' },
      { header: 'ttl', shrink: true },
    ],
    rows,
  );
}

/** The header of the streamed key listing (`inspect --keys`). */
export function renderKeyLineHeader(): string {
  return style.bold(['db', 'type', 'encoding', 'elements', 'encoded', 'ttl', 'key'].join('\t'));
}

/** One key of the streamed listing: tab-separated, the key last (it may hold anything). */
export function renderKeyLine(k: KeyInfo): string {
  return [String(k.db), k.type, k.encoding, String(k.elements), String(k.bytes), formatTtl(k.ttlMs), showBytes(k.key)].join('\t');
}

/** The one-line verdict of `check` for an RDB, plus warnings. */
export function renderRdbCheck(report: RdbCheckReport): string {
  const lines: string[] = [];
  if (report.valid) {
    const version = `${report.version}${report.magic === 'REDIS' ? '' : ` (${report.magic})`}`;
    lines.push(`${style.ok('valid')}   ${report.file}`);
    lines.push(
      `        RDB version ${version}, ${formatCount(report.keys)} keys, ${formatCount(report.expires)} with a TTL ` +
        `(${formatCount(report.alreadyExpired)} already expired), checksum ${report.checksum}`,
    );
  } else if (report.verdict === 'unverified') {
    lines.push(`${style.warn('UNVERIFIED')} ${report.error?.message ?? report.file}`);
    lines.push(style.dim(`        not damage as far as read: ${formatCount(report.keys)} keys read and valid up to offset ${report.okUpTo}, the rest not verified`));
  } else {
    const error = report.error;
    lines.push(`${style.bad('INVALID')} ${error?.message ?? report.file}`);
    if (error?.kind === 'checksum') {
      lines.push(style.dim(`        every record parsed (${formatCount(report.keys)} keys), but the bytes differ from what was saved: the damage lies somewhere before the checksum`));
    } else if (error) {
      lines.push(style.dim(`        ${error.kind}; ${formatCount(report.keys)} keys read before it; good up to offset ${report.okUpTo}`));
    }
  }
  for (const warning of report.warnings) lines.push(style.warn(`        warning: offset ${warning.offset}: ${warning.message}`));
  return lines.join('\n');
}
