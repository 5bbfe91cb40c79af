import { Args, Flags } from '../src/render/flags.js';
import { UsageError } from '../src/errors.js';
import { applyAofEdit, checkOutputOptions, recoverBeforeEdit } from '../src/operations/aof-edit.js';
import { parseFileOffset } from '../src/operations/aof-edit.js';
import { parseTimeMs } from '../src/operations/time.js';
import { planTruncate } from '../src/operations/truncate.js';
import type { TruncateTarget } from '../src/operations/truncate.js';
import { BaseCommand } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { renderEditResult, renderRecovered, renderTruncatePlan } from '../src/render/edit-plan.js';
import { editFlags } from '../src/render/edit-flags.js';

export default class Truncate extends BaseCommand {
  static override summary = 'Cut an AOF back to a point in time: a #TS time, a byte offset, or just before a command.';

  static override description = `Works on any file of a multi-part set, not only the last: the file holding the cut is shortened (written as a new file of the set), the files after it leave the manifest, and the manifest is rewritten. --to-timestamp cuts where redis-check-aof --truncate-to-timestamp does: at the first #TS annotation greater than the time. A cut that falls inside a MULTI block goes before its MULTI; an RDB preamble cannot be cut (only its end is a boundary).

Before writing, truncate prints what is lost (commands by name, keys, bytes, time span) and asks on a terminal (--yes to skip, --dry-run to only look). Without --in-place the input is only read and the result goes to --output (a new directory for a set, a new file for a single AOF); with --in-place the AOF itself is edited crash-safely, its originals kept in a backup directory beside it.

Exit codes: 0 cut (or nothing to cut); 1 no command matches, an invalid #TS annotation, nothing would be left, or the answer was no; 2 bad usage (an offset that is not a command boundary, a question without a terminal); 3 an input/output error.`;

  static override examples = [
    '<%= config.bin %> truncate appendonlydir --before-command FLUSHALL -o restored',
    "<%= config.bin %> truncate appendonlydir --before-command 'DEL user:*' --last --in-place --yes",
    '<%= config.bin %> truncate appendonly.aof --to-timestamp 2026-12-01T03:00:00Z -o appendonly.restored.aof',
    '<%= config.bin %> truncate appendonlydir --to-offset appendonly.aof.2.incr.aof:18234 -o restored --dry-run',
  ];

  static override args = {
    path: Args.string({ description: 'An .aof file, an AOF directory, its manifest, or a Redis dir.', required: true }),
  };

  static override flags = {
    'to-timestamp': Flags.string({ description: 'Cut at the first #TS annotation after this time (unix seconds or ISO date).' }),
    'to-offset': Flags.string({ description: 'Cut at this command boundary, FILE:OFFSET as log prints it.' }),
    'before-command': Flags.string({ description: "Cut before the first command with this name, and optionally a key matching a glob: 'FLUSHALL', 'DEL user:*'." }),
    last: Flags.boolean({ description: 'With --before-command: before the last such command.', default: false }),
    ...editFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Truncate);
    this.configureOutput(flags);
    const given = ['to-timestamp', 'to-offset', 'before-command'].filter((f) => flags[f as 'to-offset'] !== undefined);
    if (given.length !== 1) throw new UsageError('give exactly one of --to-timestamp, --to-offset and --before-command');
    if (flags.last && flags['before-command'] === undefined) throw new UsageError('--last goes with --before-command');
    const output = { inPlace: flags['in-place'], out: flags.output, backupDir: flags['backup-dir'], noBackup: flags['no-backup'] };
    if (!flags['dry-run']) checkOutputOptions(output);
    let target: TruncateTarget;
    if (flags['to-timestamp'] !== undefined) {
      target = { kind: 'timestamp', timestamp: Math.floor(parseTimeMs(flags['to-timestamp'], '--to-timestamp') / 1000) };
    } else if (flags['to-offset'] !== undefined) {
      target = { kind: 'offset', ...parseFileOffset(flags['to-offset'], '--to-offset') };
    } else {
      const [command = '', ...rest] = (flags['before-command'] as string).trim().split(/\s+/);
      if (command === '' || rest.length > 1) throw new UsageError(`--before-command wants a command name and an optional key glob, e.g. 'DEL user:*'; got ${JSON.stringify(flags['before-command'])}`);
      target = { kind: 'command', command, key: rest[0], last: flags.last };
    }
    // An interrupted edit is finished or undone first, so that the plan sees the set as it is.
    const recovered = flags['in-place'] && !flags['dry-run'] ? await recoverBeforeEdit(args.path, { owner: this.editOwner(), onStep: this.crashHook() }) : undefined;
    if (recovered && !flags.json) this.log(renderRecovered(recovered));
    const progress = createProgress('truncate', this.progressAllowed(flags.json));
    let plan;
    try {
      plan = await planTruncate(args.path, target, { onProgress: (done, total) => progress.update(done, total) });
    } finally {
      progress.finish();
    }
    if (!flags.json) this.log(renderTruncatePlan(plan, flags['dry-run']));
    if (flags['dry-run'] || (!plan.changed && flags['in-place'])) {
      if (flags.json) this.printJson({ dryRun: flags['dry-run'], applied: false, recovered, plan });
      return;
    }
    await this.confirmChange(flags.yes);
    const result = await applyAofEdit(plan, {
      ...output,
      compress: flags.compress as 'none' | 'lz4' | undefined,
      owner: this.editOwner(),
      onStep: this.crashHook(),
      purpose: `truncate: cut ${plan.cut ? `${plan.cut.file} at ${plan.cut.offset}` : 'nothing'}`,
    });
    if (flags.json) this.printJson({ dryRun: false, applied: true, recovered, plan, result });
    else this.log(renderEditResult(result, flags['in-place']));
  }
}
