import { Args, Flags } from '../src/render/flags.js';
import { checkExitCode, checkPath, checkTargets } from '../src/operations/check.js';
import type { CheckReport } from '../src/operations/check.js';
import { parseTimeMs } from '../src/operations/time.js';
import { ExitCode } from '../src/errors.js';
import { BaseCommand } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { renderRdbCheck } from '../src/render/rdb.js';
import { style } from '../src/render/style.js';

export default class Check extends BaseCommand {
  static override summary = 'Validate RDB files and AOFs completely and give a verdict for each.';

  static override description = `Checks the structure, every encoding (with the deep listpack, ziplist, intset and zipmap checks Redis does with sanitize-dump-payload yes), stream consistency and the CRC64; for an AOF, what redis-check-aof checks and more. A folder gives one verdict per RDB, AOF and AOF directory in it (a Redis dir, or a folder of backups; --recursive for subfolders). Exit code: 0 when every file is valid, 1 when any is invalid, 3 when any cannot be read, 4 when any could not be fully verified (a format redback does not read, not damage), 2 for bad usage.`;

  static override examples = [
    '<%= config.bin %> check dump.rdb',
    '<%= config.bin %> check backups/*.rdb',
    '<%= config.bin %> check dump.rdb --json',
    '<%= config.bin %> check /var/lib/redis',
    '<%= config.bin %> check backups --recursive',
  ];

  static override strict = false;

  static override args = {
    paths: Args.string({ description: 'Files to check (several may be given).', required: true }),
  };

  static override flags = {
    strict: Flags.boolean({ description: 'AOF: unknown commands and wrong argument counts make the file invalid (otherwise they are warnings).', default: false }),
    recursive: Flags.boolean({ char: 'r', description: 'In a folder, also check the files of its subfolders.', default: false }),
    now: Flags.string({ description: 'The time expiries are measured from: unix seconds, milliseconds or an ISO date (default: now).' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Check);
    this.configureOutput(flags);
    const targets = await checkTargets(argv as string[], { recursive: flags.recursive });
    const paths = targets.paths;
    const now = flags.now === undefined ? Date.now() : parseTimeMs(flags.now);
    const outcomes: CheckReport[] = [];
    for (const path of paths) {
      const progress = createProgress(`check ${path}`, this.progressAllowed(flags.json));
      let outcome: CheckReport;
      try {
        outcome = await checkPath(path, { now, strict: flags.strict, onProgress: (done, total) => progress.update(done, total) });
      } finally {
        progress.finish();
      }
      outcomes.push(outcome);
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
    const unverified = outcomes.filter((o) => o.format === 'rdb' && o.verdict === 'unverified').length;
    const invalid = outcomes.length - valid - unverified;
    if (flags.json) {
      this.printJson({
        valid: valid === outcomes.length && targets.empty.length === 0,
        files: outcomes,
        summary: { checked: outcomes.length, valid, invalid, unverified, skipped: targets.skipped, emptyFolders: targets.empty },
      });
    } else {
      for (const folder of targets.empty) this.log(`${style.bad('INVALID')} ${folder}: no RDB or AOF file here`);
      if (outcomes.length > 1 || targets.skipped.length > 0) {
        const parts = [`${valid} of ${outcomes.length} valid`];
        if (invalid) parts.push(`${invalid} invalid`);
        if (unverified) parts.push(`${unverified} unverified`);
        if (targets.skipped.length) parts.push(`${targets.skipped.length} other file${targets.skipped.length === 1 ? '' : 's'} skipped`);
        this.log(parts.join(', '));
      }
    }
    const code = checkExitCode(outcomes, targets.empty.length);
    if (code !== ExitCode.ok) this.exit(code);
  }
}
