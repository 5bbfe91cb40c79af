import { Args, Flags } from '@oclif/core';
import { checkRdb } from '../src/operations/check-rdb.js';
import type { RdbCheckReport } from '../src/operations/check-rdb.js';
import { parseTimeMs } from '../src/operations/time.js';
import { isAofInput, sniffInput } from '../src/io/sniff.js';
import { ExitCode, InputOutputError, RedbackError } from '../src/errors.js';
import { BaseCommand } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { renderRdbCheck } from '../src/render/rdb.js';
import { checkAof } from '../src/operations/check-aof.js';
import type { AofCheckReport } from '../src/operations/check-aof.js';
import { renderAofCheck } from '../src/render/aof.js';
import { style } from '../src/render/style.js';

type Outcome = RdbCheckReport | AofCheckReport | { file: string; format: 'unknown'; valid: false; error: { kind: string; message: string } };

export default class Check extends BaseCommand {
  static override description = `Validate RDB files and AOFs completely and give a verdict for each.

Checks the structure, every encoding (with the deep listpack / ziplist / intset / zipmap checks Redis does with
sanitize-dump-payload yes), stream consistency and the CRC64. Exit code: 0 when every file is valid, 1 when any is
invalid, 3 when any cannot be read, 2 for bad usage.`;

  static override examples = [
    '<%= config.bin %> check dump.rdb',
    '<%= config.bin %> check backups/*.rdb',
    '<%= config.bin %> check dump.rdb --json',
  ];

  static override strict = false;

  static override args = {
    paths: Args.string({ description: 'files to check (several may be given)', required: true }),
  };

  static override flags = {
    strict: Flags.boolean({ description: 'AOF: unknown commands and wrong argument counts make the file invalid (otherwise warnings)', default: false }),
    now: Flags.string({ description: 'the time expiries are measured from: unix seconds, ms, or ISO date (default: now)' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Check);
    this.configureOutput(flags);
    const paths = argv as string[];
    const now = flags.now === undefined ? Date.now() : parseTimeMs(flags.now);
    const outcomes: Outcome[] = [];
    let code: number = ExitCode.ok;
    for (const path of paths) {
      let outcome: Outcome;
      const progress = createProgress(`check ${path}`, this.progressAllowed(flags.json));
      try {
        const kind = await sniffInput(path);
        if (isAofInput(kind, path)) {
          outcome = await checkAof(path, { strict: flags.strict, onProgress: (done, total) => progress.update(done, total) });
        } else if (kind !== 'rdb') {
          const what = kind === 'empty' ? 'empty file (an empty RDB does not load)' : 'neither an RDB nor an AOF: unknown signature';
          outcome = { file: path, format: 'unknown', valid: false, error: { kind: 'corrupt', message: `${path}: offset 0: ${what}` } };
        } else {
          outcome = await checkRdb(path, { now, onProgress: (done, total) => progress.update(done, total) });
        }
      } catch (error) {
        if (!(error instanceof RedbackError)) throw error;
        outcome = { file: path, format: 'unknown', valid: false, error: { kind: error instanceof InputOutputError ? 'io' : 'corrupt', message: error.toLine() } };
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
              ? renderAofCheck(outcome)
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
