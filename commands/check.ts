import { Args, Flags } from '../src/render/flags.js';
import { checkPath } from '../src/operations/check.js';
import type { CheckReport } from '../src/operations/check.js';
import { parseTimeMs } from '../src/operations/time.js';
import { ExitCode } from '../src/errors.js';
import { BaseCommand } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { renderRdbCheck } from '../src/render/rdb.js';
import { style } from '../src/render/style.js';

export default class Check extends BaseCommand {
  static override summary = 'Validate RDB files and AOFs completely and give a verdict for each.';

  static override description = `Checks the structure, every encoding (with the deep listpack, ziplist, intset and zipmap checks Redis does with sanitize-dump-payload yes), stream consistency and the CRC64; for an AOF, what redis-check-aof checks and more. Exit code: 0 when every file is valid, 1 when any is invalid, 3 when any cannot be read, 2 for bad usage.`;

  static override examples = [
    '<%= config.bin %> check dump.rdb',
    '<%= config.bin %> check backups/*.rdb',
    '<%= config.bin %> check dump.rdb --json',
  ];

  static override strict = false;

  static override args = {
    paths: Args.string({ description: 'Files to check (several may be given).', required: true }),
  };

  static override flags = {
    strict: Flags.boolean({ description: 'AOF: unknown commands and wrong argument counts make the file invalid (otherwise they are warnings).', default: false }),
    now: Flags.string({ description: 'The time expiries are measured from: unix seconds, milliseconds or an ISO date (default: now).' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Check);
    this.configureOutput(flags);
    const paths = argv as string[];
    const now = flags.now === undefined ? Date.now() : parseTimeMs(flags.now);
    const outcomes: CheckReport[] = [];
    let code: number = ExitCode.ok;
    for (const path of paths) {
      const progress = createProgress(`check ${path}`, this.progressAllowed(flags.json));
      let outcome: CheckReport;
      try {
        outcome = await checkPath(path, { now, strict: flags.strict, onProgress: (done, total) => progress.update(done, total) });
      } finally {
        progress.finish();
      }
      outcomes.push(outcome);
      if (!outcome.valid) code = Math.max(code, outcome.format !== 'aof' && outcome.error?.kind === 'io' ? ExitCode.io : ExitCode.invalid);
      if (!flags.json) {
        this.log(
          outcome.format === 'rdb'
            ? renderRdbCheck(outcome)
            : outcome.format === 'aof'
              ? (await import('../src/render/aof.js')).renderAofCheck(outcome)
              : `${style.bad('INVALID')} ${outcome.error.message}`,
        );
      }
    }
    const valid = outcomes.filter((o) => o.valid).length;
    if (flags.json) {
      this.printJson({ valid: valid === outcomes.length, files: outcomes, summary: { checked: outcomes.length, valid, invalid: outcomes.length - valid } });
    } else if (outcomes.length > 1) {
      this.log(`${valid} of ${outcomes.length} files valid${valid === outcomes.length ? '' : `, ${outcomes.length - valid} invalid`}`);
    }
    if (code !== ExitCode.ok) this.exit(code);
  }
}
