import { Args, Flags } from '../src/render/flags.js';
import { RedbackError } from '../src/errors.js';
import { applyAofEdit, checkOutputOptions, recoverBeforeEdit, parseFileOffset } from '../src/operations/aof-edit.js';
import { planFilter } from '../src/operations/filter.js';
import { BaseCommand } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { editFlags } from '../src/render/edit-flags.js';
import { renderEditResult, renderFilterPlan, renderRecovered } from '../src/render/edit-plan.js';

export default class Filter extends BaseCommand {
  static override summary = 'Remove commands from an AOF: by name, by position, by key or by database; keep everything else.';

  static override description = `MULTI/EXEC blocks stay well formed: a block whose commands are all dropped disappears with its MULTI and EXEC. Every SELECT a kept command needs stays. A command whose keys are partly kept and partly dropped (MSET, RENAME, SMOVE, a script) is never split or kept silently: the plan lists each one and the run stops unless --mixed keep or --mixed drop says what to do. Dropping a FLUSHALL or FLUSHDB brings back the data before it, but the AOF lacks the writes that were no-ops after the flush (a DEL of a key the flush had removed was never written): the plan warns, with the number of later commands in the flushed databases that may act differently.

Before writing, filter prints what is dropped (commands by name, keys, bytes, time span) and asks on a terminal (--yes to skip, --dry-run to only look). Without --in-place the input is only read and the result goes to --output (a new directory for a set, a new file for a single AOF); with --in-place the AOF itself is edited crash-safely, its originals kept in a backup directory beside it.

Exit codes: 0 filtered (or nothing matched); 1 mixed commands without --mixed, or the answer was no; 2 bad usage (a --drop-at that is not the start of a command, a question without a terminal); 3 an input/output error.`;

  static override examples = [
    '<%= config.bin %> filter appendonlydir --drop-command FLUSHALL -o restored',
    '<%= config.bin %> filter appendonlydir --drop-at appendonly.aof.3.incr.aof:48213 --in-place --yes',
    "<%= config.bin %> filter appendonly.aof --exclude-key 'session:*' --mixed drop -o appendonly.clean.aof",
    '<%= config.bin %> filter appendonlydir --db 0 -o db0 --dry-run',
  ];

  static override args = {
    path: Args.string({ description: 'An .aof file, an AOF directory, its manifest, or a Redis dir.', required: true }),
  };

  static override flags = {
    'drop-command': Flags.string({ description: 'Drop every command with this name (repeatable, or comma-separated).', multiple: true }),
    'drop-at': Flags.string({ description: 'Drop the command at FILE:OFFSET, as log prints it (repeatable).', multiple: true }),
    key: Flags.string({ description: 'Keep only commands whose keys match this Redis glob (repeatable; commands without keys stay).', multiple: true }),
    'exclude-key': Flags.string({ description: 'Drop commands whose keys match this Redis glob (repeatable).', multiple: true }),
    db: Flags.integer({ description: 'Keep only the commands of this database (FLUSHALL and commands without keys stay).', min: 0 }),
    mixed: Flags.string({ description: 'A command with keys both kept and dropped: keep it whole or drop it whole (default: stop).', options: ['keep', 'drop'] }),
    ...editFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Filter);
    this.configureOutput(flags);
    const output = { inPlace: flags['in-place'], out: flags.output, backupDir: flags['backup-dir'], noBackup: flags['no-backup'] };
    if (!flags['dry-run']) checkOutputOptions(output);
    // An interrupted edit is finished or undone first, so that the plan sees the set as it is.
    const recovered = flags['in-place'] && !flags['dry-run'] ? await recoverBeforeEdit(args.path, { owner: this.editOwner(), onStep: this.crashHook() }) : undefined;
    if (recovered && !flags.json) this.log(renderRecovered(recovered));
    const progress = createProgress('filter', this.progressAllowed(flags.json));
    let plan;
    try {
      plan = await planFilter(args.path, {
        dropCommands: (flags['drop-command'] ?? []).flatMap((c) => c.split(',')),
        dropAt: (flags['drop-at'] ?? []).map((text) => parseFileOffset(text, '--drop-at')),
        keys: flags.key,
        excludeKeys: flags['exclude-key'],
        db: flags.db,
        mixed: flags.mixed as 'keep' | 'drop' | undefined,
        onProgress: (done, total) => progress.update(done, total),
      });
    } finally {
      progress.finish();
    }
    if (!flags.json) this.log(renderFilterPlan(plan, flags['dry-run']));
    if (flags['dry-run'] || (!plan.changed && flags['in-place'] && !plan.refusal)) {
      if (flags.json) this.printJson({ dryRun: flags['dry-run'], applied: false, recovered, plan });
      return;
    }
    if (plan.refusal) {
      const error = new RedbackError(plan.refusal.message, { file: args.path });
      error.hint = plan.refusal.hint;
      throw error;
    }
    await this.confirmChange(flags.yes);
    const result = await applyAofEdit(plan, {
      ...output,
      compress: flags.compress as 'none' | 'lz4' | undefined,
      owner: this.editOwner(),
      onStep: this.crashHook(),
      purpose: `filter: drop ${plan.removed.commands} commands`,
    });
    if (flags.json) this.printJson({ dryRun: false, applied: true, recovered, plan, result });
    else this.log(renderEditResult(result, flags['in-place']));
  }
}
