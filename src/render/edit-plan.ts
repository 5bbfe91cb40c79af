import type { RecoveryReport } from '../aof/set-edit.js';
import type { AofEditPlan, AofEditResult, RemovedSummary } from '../operations/aof-edit.js';
import type { FilterPlan } from '../operations/filter.js';
import type { TruncatePlan } from '../operations/truncate.js';
import { showBytes } from './rdb.js';
import { formatBytes, formatCount, style } from './style.js';

/** A `#TS` time for people (UTC), with the unix seconds. */
export function showTime(ts: number | null | undefined): string {
  return ts === null || ts === undefined ? 'none' : `${new Date(ts * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC (${ts})`;
}

/** What an edit removes: commands by name, keys, bytes, time span. */
export function renderRemoved(removed: RemovedSummary, verb: string): string[] {
  const lines: string[] = [];
  if (removed.commands === 0 && removed.bytes === 0) return [`  ${verb}: nothing`];
  const names = removed.byName.slice(0, 12).map((n) => `${n.command} ×${formatCount(n.count)}`).join(', ');
  const more = removed.byName.length > 12 ? `, and ${removed.byName.length - 12} other commands` : '';
  lines.push(`  ${verb}: ${formatCount(removed.commands)} commands, ${formatCount(removed.bytes)} bytes (${formatBytes(removed.bytes)})`);
  if (names) lines.push(`    by command: ${names}${more}`);
  if (removed.keys.distinct > 0) {
    const distinct = `${removed.keys.distinctCapped ? 'more than ' : ''}${formatCount(removed.keys.distinct)}`;
    const sample = removed.keys.sample.map(showBytes).join(' ');
    const ellipsis = removed.keys.distinct > removed.keys.sample.length || removed.keys.distinctCapped ? ' …' : '';
    lines.push(`    keys touched: ${distinct}: ${sample}${ellipsis}`);
  }
  if (removed.dbs.length > 0) lines.push(`    databases: ${removed.dbs.join(', ')}`);
  if (removed.firstTimestamp !== undefined) lines.push(`    time span: ${showTime(removed.firstTimestamp)} to ${showTime(removed.lastTimestamp)}`);
  else if (removed.commands > 0) lines.push('    time span: unknown (no #TS annotation before these commands)');
  return lines;
}

function pendingLine(plan: AofEditPlan): string[] {
  if (!plan.pendingEdit) return [];
  const what = plan.pendingEdit.purpose ? ` (${plan.pendingEdit.purpose}, started ${plan.pendingEdit.started})` : '';
  return [style.warn(`an interrupted edit was found${what}: ${plan.pendingEdit.journal}; an --in-place run finishes or undoes it first`)];
}

/** The plan of `truncate`, printed before anything is written. */
export function renderTruncatePlan(plan: TruncatePlan, dryRun: boolean): string {
  const lines = pendingLine(plan);
  const cut = plan.cut;
  if (!cut) {
    const target = plan.target;
    lines.push(style.ok(`${plan.file}: nothing to cut${target.kind === 'timestamp' ? ` (no #TS annotation after ${showTime(target.timestamp)})` : ''}`));
    return lines.join('\n');
  }
  const at =
    cut.at.kind === 'command'
      ? `before ${cut.at.name}${cut.at.keys.length ? ` ${cut.at.keys.map(showBytes).join(' ')}` : ''}`
      : cut.at.kind === 'annotation'
        ? `at the annotation #TS:${cut.at.timestamp ?? '?'}`
        : 'at the end of the file';
  lines.push(`cut ${cut.file} at offset ${formatCount(cut.offset)} (${at})`);
  for (const note of plan.notes) lines.push(style.warn(`  note: ${note}`));
  const file = plan.files[cut.index];
  if (file) lines.push(`  ${file.name}: ${formatCount(file.size)} → ${formatCount(cut.offset)} bytes${plan.layout === 'multipart' ? ', written as a new file of the set' : ''}`);
  for (const name of plan.droppedFiles) lines.push(`  ${name} leaves the set`);
  if (plan.layout === 'multipart') lines.push(`  the manifest is rewritten`);
  lines.push(`  last #TS kept: ${showTime(cut.lastTimestampKept)}`);
  lines.push(...renderRemoved(plan.removed, 'removed'));
  if (dryRun) lines.push(style.dim('dry run: nothing written'));
  return lines.join('\n');
}

/** The plan of `filter`, printed before anything is written. */
export function renderFilterPlan(plan: FilterPlan, dryRun: boolean): string {
  const lines = pendingLine(plan);
  if (!plan.changed && plan.mixedCount === 0) {
    lines.push(style.ok(`${plan.file}: no command matches: nothing to drop`));
    return lines.join('\n');
  }
  for (const file of plan.files) {
    if (file.action === 'edit') lines.push(`  ${file.name}: ${formatCount(file.size)} → ${formatCount(file.size - file.bytesRemoved)} bytes${plan.layout === 'multipart' ? ', written as a new file of the set' : ''}`);
  }
  lines.unshift(`filter ${plan.file}`);
  if (plan.emptiedBlocks > 0) lines.push(`  ${formatCount(plan.emptiedBlocks)} MULTI block(s) emptied: removed with their MULTI and EXEC`);
  lines.push(...renderRemoved(plan.removed, 'dropped'));
  if (plan.mixedCount > 0) {
    const how = plan.mixedChoice === undefined ? '' : plan.mixedChoice === 'keep' ? ' (kept whole: --mixed keep)' : ' (dropped whole: --mixed drop)';
    lines.push(style.warn(`  ${formatCount(plan.mixedCount)} command(s) touch keys both kept and dropped${how}:`));
    for (const m of plan.mixed) {
      lines.push(`    ${m.file}:${m.offset}  ${m.command}  kept: ${m.kept.map(showBytes).join(' ')}  dropped: ${m.dropped.map(showBytes).join(' ')}`);
    }
    if (plan.mixedCount > plan.mixed.length) lines.push(`    … and ${formatCount(plan.mixedCount - plan.mixed.length)} more (redback log finds them)`);
  }
  if (plan.flushWarning) {
    lines.push(
      style.warn(
        `  warning: ${formatCount(plan.flushWarning.flushes)} FLUSHALL/FLUSHDB dropped: the AOF lacks the writes that were no-ops after the flush (a DEL of a key the flush had removed was never written); ${formatCount(plan.flushWarning.commandsAffected)} later command(s) in the flushed databases may act differently`,
      ),
    );
  }
  if (plan.refusal) lines.push(style.bad(`  ${plan.refusal.message}`));
  if (dryRun) lines.push(style.dim('dry run: nothing written'));
  return lines.join('\n');
}

/** An interrupted edit finished or undone before this one. */
export function renderRecovered(recovered: RecoveryReport): string {
  const outcome = recovered.outcome === 'completed' ? 'finished' : recovered.outcome === 'rolled-back' ? 'undone' : 'discarded (it had not started)';
  return `interrupted edit ${outcome}${recovered.purpose ? ` (${recovered.purpose})` : ''}`;
}

/** What an applied edit did. */
export function renderEditResult(result: AofEditResult, inPlace: boolean): string {
  const lines: string[] = [];
  if (result.recovered) lines.push(renderRecovered(result.recovered));
  lines.push(style.ok(`${inPlace ? 'edited' : 'written'}: ${result.target} (${formatCount(result.bytes)} bytes)`));
  for (const file of result.written) if (file !== result.target) lines.push(`  wrote ${file}`);
  if (result.removed.length) lines.push(`  left the set: ${result.removed.join(', ')}`);
  if (result.backupDir) lines.push(`  originals kept in ${result.backupDir}`);
  return lines.join('\n');
}
