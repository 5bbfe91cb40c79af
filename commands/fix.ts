import { Args, Flags } from '../src/render/flags.js';
import { DEFAULT_MAX_LOSS_BYTES, DEFAULT_MAX_LOSS_PERCENT, applyFix, planFix } from '../src/operations/fix-aof.js';
import type { FixPlan, FixResult } from '../src/operations/fix-aof.js';
import { UsageError } from '../src/errors.js';
import { BaseCommand } from '../src/render/base-command.js';
import { showTime } from '../src/render/edit-plan.js';
import { showBytes } from '../src/render/rdb.js';
import { formatBytes, formatCount, style } from '../src/render/style.js';

export default class Fix extends BaseCommand {
  static override summary = 'Repair a truncated or corrupt AOF: cut the broken file back to its last complete command outside a MULTI.';

  static override description = `Works on any file of a multi-part set, not only the last: when a middle file is broken, the files after it are dropped from the manifest. A set is never changed in place: the repaired file is written under a new name (Redis's own naming, the next sequence number), the manifest is replaced atomically (the one commit point), and only then do the files that left the set move to the backup directory (beside the AOF directory by default). A single-file AOF is replaced through a temporary file and a rename, after a hard link (or copy) of the original into the backup directory. A fix killed at any moment leaves the old AOF or the new one, and running the same command again finishes or undoes the interrupted one.

fix refuses a file that does not start like an AOF, and a repair that would drop more than half of a file or more than 64 MiB in all (--force overrides; --max-loss-percent and --max-loss-bytes set the limits), saying what it would lose. With --salvage, only the corrupt regions are dropped and the well-formed commands after them are kept.

Exit codes: 0 repaired (or nothing to repair); 1 the AOF cannot be repaired, the repair was refused, or the answer was no; 2 bad usage, or a question without a terminal (use --yes); 3 an input/output error.`;

  static override examples = [
    '<%= config.bin %> fix appendonlydir --dry-run',
    '<%= config.bin %> fix appendonlydir --yes',
    '<%= config.bin %> fix appendonly.aof --salvage --yes --backup-dir /backups/aof',
    '<%= config.bin %> fix appendonlydir --yes --force --no-backup',
  ];

  static override args = {
    path: Args.string({ description: 'An .aof file, an AOF directory or its manifest.', required: true }),
  };

  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation.', default: false }),
    'dry-run': Flags.boolean({ description: 'Show what would be cut and dropped; change nothing.', default: false }),
    salvage: Flags.boolean({ description: 'Skip corrupt regions in the middle of a file and keep the commands after them.', default: false }),
    'backup-dir': Flags.string({
      description: 'Where the originals go (default: beside the AOF directory, <dir>.redback-backup-<time>; for a single file, <file>.redback-backup-<time>).',
    }),
    'no-backup': Flags.boolean({ description: 'Delete the files that leave the set instead of keeping them.', default: false }),
    compress: Flags.string({ description: 'Compress rewritten files (default: as the input was).', options: ['none', 'lz4'] }),
    force: Flags.boolean({ description: 'Repair even beyond the loss limits, or a file that does not start like an AOF.', default: false }),
    'max-loss-percent': Flags.string({ description: `Refuse to drop more than this percentage of one file (default ${DEFAULT_MAX_LOSS_PERCENT}; drops of up to 4 KiB always pass).` }),
    'max-loss-bytes': Flags.string({ description: `Refuse to lose more than this much in all, e.g. 64MiB, 1GiB, 1000000 (default ${DEFAULT_MAX_LOSS_BYTES / 2 ** 20}MiB).` }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Fix);
    this.configureOutput(flags);
    if (flags['no-backup'] && flags['backup-dir']) throw new UsageError('--no-backup and --backup-dir exclude each other');
    const plan = await planFix(args.path, {
      salvage: flags.salvage,
      force: flags.force,
      maxLossPercent: flags['max-loss-percent'] === undefined ? undefined : parsePercent(flags['max-loss-percent']),
      maxLossBytes: flags['max-loss-bytes'] === undefined ? undefined : parseByteSize(flags['max-loss-bytes']),
    });
    if (!flags.json) this.log(renderPlan(plan, flags['dry-run']));
    const nothingToDo = plan.clean && plan.pendingEdit === undefined;
    if (nothingToDo || flags['dry-run']) {
      if (flags.json) this.printJson({ dryRun: flags['dry-run'], applied: false, ...summary(plan) });
      return;
    }
    if (plan.refusal) {
      // applyFix refuses too; say it before asking anything.
      await applyFix(plan);
    }
    await this.confirmChange(flags.yes);
    const result = await applyFix(plan, {
      backupDir: flags['backup-dir'],
      noBackup: flags['no-backup'],
      compress: flags.compress as 'none' | 'lz4' | undefined,
      owner: this.editOwner(),
      onStep: this.crashHook(),
    });
    if (flags.json) {
      this.printJson({
        dryRun: false,
        applied: true,
        backupDir: result.backupDir,
        written: result.written,
        removed: result.removed,
        recovered: result.recovered,
        ...summary(plan),
      });
    } else {
      this.log(renderResult(result));
    }
  }
}

/** `50`, `50%` or `12.5` → a percentage in [0, 100]. */
function parsePercent(text: string): number {
  const value = Number(text.trim().replace(/%$/, ''));
  if (!Number.isFinite(value) || value < 0 || value > 100) throw new UsageError(`--max-loss-percent wants a number from 0 to 100, got ${JSON.stringify(text)}`);
  return value;
}

// cspell:words kmgt
/** `1000`, `64MiB`, `64M`, `1.5GiB`, `512k` (binary units) → bytes. */
function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) throw new UsageError(`--max-loss-bytes wants a size such as 64MiB or 1000000, got ${JSON.stringify(text)}`);
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[(match[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(match[1]) * scale);
}

function summary(plan: FixPlan): Record<string, unknown> {
  // `target` is `targets[0]`: printed once.
  const { check, target: unusedTarget, ...rest } = plan;
  return { ...rest, files: check.files.map((f) => ({ name: f.name, role: f.role, valid: f.valid, size: f.size, okUpTo: f.okUpTo, error: f.error })) };
}

function renderPlan(plan: FixPlan, dryRun: boolean): string {
  const lines: string[] = [];
  if (plan.pendingEdit) {
    const what = plan.pendingEdit.purpose ? ` (${plan.pendingEdit.purpose}, started ${plan.pendingEdit.started})` : '';
    lines.push(style.warn(`an interrupted edit was found${what}: ${plan.pendingEdit.journal}; it is finished or undone first`));
  }
  if (plan.clean) {
    lines.push(style.ok(`${plan.file}: every file is valid, nothing to fix`));
    return lines.join('\n');
  }
  for (const t of plan.targets) {
    lines.push(`${style.bad('broken')} ${t.name} (${t.role}) at offset ${t.error.offset}: ${t.error.message}`);
    const kept = t.keep.reduce((n, r) => n + r.end - r.start, 0);
    const how = plan.layout === 'multipart' ? ', written as a new file of the set' : '';
    if (plan.mode === 'cut') {
      lines.push(`  cut ${t.name} from ${formatCount(t.size)} to ${formatCount(kept)} bytes${how}`);
    } else {
      for (const range of t.dropped) lines.push(`  drop bytes ${range.start}–${range.end} of ${t.name} (${formatBytes(range.end - range.start)})${how}`);
    }
    if (t.partial) {
      const key = t.partial.key === undefined ? '' : ` ${showBytes(t.partial.key)}`;
      const what = t.partial.command === 'MULTI' ? 'the unfinished MULTI block' : `the ${t.partial.complete ? 'damaged' : 'partial'} command ${t.partial.command}${key}`;
      lines.push(`  drops ${what} at offset ${t.partial.offset}`);
    }
    lines.push(`  loses ${formatCount(t.commandsLost)} complete commands and ${formatCount(t.bytesLost)} bytes in ${t.name}`);
  }
  for (const file of plan.droppedFiles) {
    lines.push(`  drop ${file.name} (${file.role}) from the set: ${formatCount(file.commands)} commands, ${formatCount(file.bytes)} bytes`);
  }
  if (plan.manifestRewritten) lines.push(`  replace ${plan.manifest}`);
  lines.push(`  in all: ${formatCount(plan.totals.commandsLost)} commands and ${formatCount(plan.totals.bytesLost)} bytes are lost`);
  lines.push(`  last #TS kept: ${showTime(plan.lastTimestampKept)}`);
  if (plan.refusal) lines.push(style.bad(`  ${plan.refusal.message}${dryRun ? ' (without --force)' : ''}`));
  if (dryRun) lines.push(style.dim('dry run: nothing changed'));
  return lines.join('\n');
}

function renderResult(result: FixResult): string {
  const lines: string[] = [];
  const recovered = result.recovered;
  if (recovered) {
    const outcome = recovered.outcome === 'completed' ? 'finished' : recovered.outcome === 'rolled-back' ? 'undone' : 'discarded (it had not started)';
    lines.push(`interrupted edit ${outcome}${recovered.purpose ? ` (${recovered.purpose})` : ''}`);
    for (const moved of recovered.moved) lines.push(`  moved to the backup: ${moved}`);
    for (const removed of recovered.removed) lines.push(`  removed: ${removed}`);
  }
  if (result.written.length > 0) lines.push(style.ok(`fixed: ${result.written.join(', ')}`));
  if (result.plan.manifestRewritten && result.written.length > 0) lines.push(`manifest replaced: ${result.manifest}`);
  if (result.removed.length) lines.push(`left the set: ${result.removed.join(', ')}`);
  if (result.backupDir && result.written.length > 0) lines.push(`originals kept in ${result.backupDir}`);
  if (lines.length === 0) lines.push(style.ok('nothing to fix'));
  return lines.join('\n');
}
