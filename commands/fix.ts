import { Args, Flags } from '../src/render/flags.js';
import { createInterface } from 'node:readline/promises';
import { applyFix, planFix } from '../src/operations/fix-aof.js';
import type { FixPlan } from '../src/operations/fix-aof.js';
import { UsageError } from '../src/errors.js';
import { BaseCommand } from '../src/render/base-command.js';
import { formatBytes, formatCount, style } from '../src/render/style.js';

export default class Fix extends BaseCommand {
  static override summary = 'Repair a truncated or corrupt AOF: cut the broken file back to its last complete command outside a MULTI.';

  static override description = `Works on any file of a multi-part set, not only the last: when a middle file is broken, the files after it are dropped from the manifest, which is rewritten. The originals are copied to a backup directory first. With --salvage, only the corrupt regions are dropped and the well-formed commands after them are kept.`;

  static override examples = [
    '<%= config.bin %> fix appendonlydir --dry-run',
    '<%= config.bin %> fix appendonlydir --yes',
    '<%= config.bin %> fix appendonly.aof --salvage --yes --backup-dir /backups/aof',
  ];

  static override args = {
    path: Args.string({ description: 'An .aof file, an AOF directory or its manifest.', required: true }),
  };

  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation.', default: false }),
    'dry-run': Flags.boolean({ description: 'Show what would be cut and dropped; change nothing.', default: false }),
    salvage: Flags.boolean({ description: 'Skip corrupt regions in the middle of a file and keep the commands after them.', default: false }),
    'backup-dir': Flags.string({ description: 'Where to copy the original files first (default: beside them, redback-backup-<time>).' }),
    'no-backup': Flags.boolean({ description: 'Do not keep copies of the original files.', default: false }),
    compress: Flags.string({ description: 'Compress rewritten files (default: as the input was).', options: ['none', 'lz4'] }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Fix);
    this.configureOutput(flags);
    if (flags['no-backup'] && flags['backup-dir']) throw new UsageError('--no-backup and --backup-dir exclude each other');
    const plan = await planFix(args.path, { salvage: flags.salvage });
    if (!flags.json) this.log(renderPlan(plan, flags['dry-run']));
    if (plan.clean || flags['dry-run']) {
      if (flags.json) this.printJson({ dryRun: flags['dry-run'], applied: false, ...summary(plan) });
      return;
    }
    if (!flags.yes) {
      if (!process.stdin.isTTY) throw new UsageError('refusing to change files without --yes (standard input is not a terminal)');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question('Continue? [y/N]: ');
      rl.close();
      if (!/^y/i.test(answer.trim())) {
        this.logToStderr('Aborted: nothing changed.');
        this.exit(1);
      }
    }
    const result = await applyFix(plan, {
      backupDir: flags['backup-dir'],
      noBackup: flags['no-backup'],
      compress: flags.compress as 'none' | 'lz4' | undefined,
    });
    if (flags.json) {
      this.printJson({ dryRun: false, applied: true, backupDir: result.backupDir, written: result.written, removed: result.removed, ...summary(plan) });
    } else {
      this.log(style.ok(`fixed: ${result.written.join(', ')}`));
      if (result.removed.length) this.log(`removed from the set: ${result.removed.join(', ')}`);
      if (result.backupDir) this.log(`originals kept in ${result.backupDir}`);
    }
  }
}

function summary(plan: FixPlan): Record<string, unknown> {
  // `target` is `targets[0]`: printed once.
  const { check, target: unusedTarget, ...rest } = plan;
  return { ...rest, files: check.files.map((f) => ({ name: f.name, role: f.role, valid: f.valid, size: f.size, okUpTo: f.okUpTo, error: f.error })) };
}

function renderPlan(plan: FixPlan, dryRun: boolean): string {
  if (plan.clean) return style.ok(`${plan.file}: every file is valid, nothing to fix`);
  const lines: string[] = [];
  for (const t of plan.targets) {
    lines.push(`${style.bad('broken')} ${t.name} (${t.role}) at offset ${t.error.offset}: ${t.error.message}`);
    if (plan.mode === 'cut') {
      lines.push(`  cut ${t.name} from ${formatCount(t.size)} to ${formatCount(t.keep.at(-1)?.end ?? 0)} bytes`);
    } else {
      for (const range of t.dropped) lines.push(`  drop bytes ${range.start}–${range.end} of ${t.name} (${formatBytes(range.end - range.start)})`);
    }
    lines.push(`  loses ${formatCount(t.commandsLost)} complete commands and ${formatCount(t.bytesLost)} bytes in ${t.name}`);
  }
  for (const file of plan.droppedFiles) {
    lines.push(`  drop ${file.name} (${file.role}) from the set: ${formatCount(file.commands)} commands, ${formatCount(file.bytes)} bytes`);
  }
  if (plan.manifestRewritten) lines.push(`  rewrite ${plan.manifest}`);
  lines.push(`  in all: ${formatCount(plan.totals.commandsLost)} commands and ${formatCount(plan.totals.bytesLost)} bytes are lost`);
  if (dryRun) lines.push(style.dim('dry run: nothing changed'));
  return lines.join('\n');
}
