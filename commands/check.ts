import { Args, Flags } from '../src/render/flags.js';
import { checkExitCode, checkPath, checkTargets } from '../src/operations/check.js';
import type { CheckReport } from '../src/operations/check.js';
import { parseTimeMs } from '../src/operations/time.js';
import { inputHints } from '../src/input/detect.js';
import { ExitCode } from '../src/errors.js';
import type { AofFileVerdict } from '../src/operations/check-aof.js';
import { BaseCommand } from '../src/render/base-command.js';
import { SCHEMA_VERSION, jsonReplacer } from '../src/render/json.js';
import { JsonWriter, Output } from '../src/render/output.js';
import { createProgress } from '../src/render/progress.js';
import type { Progress } from '../src/render/progress.js';
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
    // Reports are written as they are made (an AOF set may have a hundred thousand files): a line per file,
    // or the JSON document piece by piece; the report of a set keeps no per-file verdicts.
    let progress: Progress = createProgress('', false);
    const out = new Output((bytes) => process.stdout.write(bytes), () => progress.finish());
    const json = flags.json ? new JsonWriter(out, jsonReplacer) : undefined;
    json?.beginObject();
    json?.value(SCHEMA_VERSION, 'schemaVersion');
    json?.beginArray('files');
    // The AOF renderer is loaded only for AOF inputs (startup of `check dump.rdb`; see bench "startup").
    let render: typeof import('../src/render/aof.js') | undefined;
    const outcomes: CheckReport[] = [];
    for (const path of paths) {
      progress = createProgress(`check ${path}`, this.progressAllowed(flags.json));
      const hints = await inputHints(path);
      if (hints.set) this.limitYoungGeneration();
      if (!json && hints.aof) render ??= await import('../src/render/aof.js');
      let streamed = false;
      const onFile = (verdict: AofFileVerdict): void => {
        if (!json) {
          out.line(render?.renderAofFileVerdict(verdict) ?? '');
          return;
        }
        if (!streamed) {
          json.beginObject();
          json.value(path, 'file');
          json.value('aof', 'format');
          json.beginArray('files');
          streamed = true;
        }
        json.value(verdict, undefined, { compact: true, plain: verdict.rdb === undefined });
      };
      let outcome: CheckReport;
      try {
        outcome = await checkPath(path, { now, strict: flags.strict, onProgress: (done, total) => progress.update(done, total), onFile });
      } finally {
        progress.finish();
      }
      outcomes.push(outcome);
      if (json) {
        if (streamed) {
          json.end();
          for (const [key, value] of Object.entries(outcome)) if (key !== 'file' && key !== 'format' && key !== 'files') json.value(value, key);
          json.end();
        } else {
          json.value(outcome);
        }
      } else {
        out.line(
          outcome.format === 'rdb'
            ? renderRdbCheck(outcome)
            : outcome.format === 'aof'
              ? (render?.renderAofCheckVerdict(outcome) ?? '')
              : `${style.bad('INVALID')} ${outcome.error.message}`,
        );
      }
    }
    const valid = outcomes.filter((o) => o.valid).length;
    const unverified = outcomes.filter((o) => o.format === 'rdb' && o.verdict === 'unverified').length;
    const invalid = outcomes.length - valid - unverified;
    if (json) {
      json.end();
      json.value(valid === outcomes.length && targets.empty.length === 0, 'valid');
      json.value({ checked: outcomes.length, valid, invalid, unverified, skipped: targets.skipped, emptyFolders: targets.empty }, 'summary');
      json.end();
    } else {
      for (const folder of targets.empty) out.line(`${style.bad('INVALID')} ${folder}: no RDB or AOF file here`);
      if (outcomes.length > 1 || targets.skipped.length > 0) {
        const parts = [`${valid} of ${outcomes.length} valid`];
        if (invalid) parts.push(`${invalid} invalid`);
        if (unverified) parts.push(`${unverified} unverified`);
        if (targets.skipped.length) parts.push(`${targets.skipped.length} other file${targets.skipped.length === 1 ? '' : 's'} skipped`);
        out.line(parts.join(', '));
      }
    }
    out.flush();
    const code = checkExitCode(outcomes, targets.empty.length);
    if (code !== ExitCode.ok) this.exit(code);
  }
}
