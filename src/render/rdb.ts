import Table from 'cli-table3';
import type { JsonBytes } from '../bytes/text.js';
import type { RdbCheckReport } from '../operations/check-rdb.js';
import type { KeyInfo, KeyTotals, RdbInspectReport } from '../operations/inspect-rdb.js';
import { formatBytes, formatCount, formatTtl, style } from './style.js';

/** A byte string from a report, for a terminal. */
export function showBytes(value: JsonBytes): string {
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex
    return value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  }
  return `${style.dim('base64:')}${value.base64}`;
}

function table(head: string[]): Table.Table {
  return new Table({ head: head.map((h) => style.bold(h)), style: { head: [], border: [] } });
}

function totalsRows(totals: Partial<Record<string, KeyTotals>>): string[][] {
  return Object.entries(totals)
    .sort((a, b) => (b[1]?.bytes ?? 0) - (a[1]?.bytes ?? 0))
    .map(([name, t]) => [name, formatCount(t?.keys ?? 0), formatCount(t?.elements ?? 0), formatBytes(t?.bytes ?? 0)]);
}

/** The human form of `inspect` on an RDB. */
export function renderRdbInspect(report: RdbInspectReport): string {
  const lines: string[] = [];
  lines.push(style.heading(`${report.file}`));
  const version = `${report.magic} RDB version ${report.version}`;
  const size = `${formatBytes(report.size)}${report.compressed ? ' (LZ4-compressed)' : ''}`;
  lines.push(`  ${version}, ${size}, checksum ${report.checksum ?? 'not reached'}`);
  const server = report.server;
  const facts: string[] = [];
  if (server.redisVersion) facts.push(`redis ${server.redisVersion}`);
  if (server.valkeyVersion) facts.push(`valkey ${server.valkeyVersion}`);
  if (server.createdAt) facts.push(`saved ${server.createdAt}`);
  if (server.usedMemory !== undefined) facts.push(`used memory ${formatBytes(server.usedMemory)}`);
  if (server.aofBase) facts.push('AOF base');
  if (facts.length) lines.push(`  ${facts.join(', ')}`);
  if (report.aux.length) {
    const aux = table(['aux field', 'value']);
    for (const field of report.aux) aux.push([showBytes(field.key), showBytes(field.value)]);
    lines.push(aux.toString());
  }
  if (report.functions.length) {
    const functions = table(['function library', 'engine', 'size']);
    for (const f of report.functions) functions.push([f.library ?? '?', f.engine ?? '?', formatBytes(f.bytes)]);
    lines.push(functions.toString());
  }
  if (report.modules.length) {
    const modules = table(['module type', 'encver', 'keys', 'aux records']);
    for (const m of report.modules) modules.push([m.name, String(m.encver), formatCount(m.keys), formatCount(m.auxRecords)]);
    lines.push(modules.toString());
  }
  const t = report.totals;
  lines.push(
    `  ${formatCount(t.keys)} keys in ${report.databases.length} database${report.databases.length === 1 ? '' : 's'}, ` +
      `${formatCount(t.expires)} with a TTL (${formatCount(t.alreadyExpired)} already expired), ${formatBytes(t.bytes)} of key data`,
  );
  for (const db of report.databases) {
    lines.push('');
    lines.push(style.heading(`db ${db.db}`) + `: ${formatCount(db.keys)} keys, ${formatCount(db.expires)} with TTL, ${formatCount(db.alreadyExpired)} expired, ${formatBytes(db.bytes)}`);
    const byType = table(['type', 'keys', 'elements', 'encoded']);
    byType.push(...totalsRows(db.byType));
    const byEncoding = table(['encoding', 'keys', 'elements', 'encoded']);
    byEncoding.push(...totalsRows(db.byEncoding));
    lines.push(byType.toString());
    lines.push(byEncoding.toString());
  }
  if (report.top.length) {
    lines.push('');
    lines.push(style.heading(`biggest ${report.top.length} keys`));
    lines.push(renderKeyTable(report.top));
  }
  for (const warning of report.warnings) lines.push(style.warn(`warning: ${warning}`));
  return lines.join('\n');
}

/** A table of keys (for `--top` and `--keys`). */
export function renderKeyTable(keys: KeyInfo[]): string {
  const keysTable = table(['db', 'key', 'type', 'encoding', 'elements', 'encoded', 'ttl']);
  for (const k of keys) {
    keysTable.push([String(k.db), showBytes(k.key), k.type, k.encoding, formatCount(k.elements), formatBytes(k.bytes), formatTtl(k.ttlMs)]);
  }
  return keysTable.toString();
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
    const version = `${report.magic} ${report.version}`;
    lines.push(
      `${style.ok('valid')}   ${report.file}: RDB ${version}, ${formatCount(report.keys)} keys, ${formatCount(report.expires)} expires ` +
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
