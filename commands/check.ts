import { Args, Flags } from '@oclif/core';
import { checkRdb } from '../src/operations/check-rdb.js';
import type { RdbCheckReport } from '../src/operations/check-rdb.js';
import { parseTimeMs } from '../src/operations/time.js';
import { isAofInput, sniffInput } from '../src/io/sniff.js';
import { ExitCode, InputOutputError, RedbackError } from '../src/errors.js';
import { BaseCommand, jsonReplacer } from '../src/render/base-command.js';
import { JsonWriter, Output } from '../src/render/output.js';
import { createProgress } from '../src/render/progress.js';
import { renderRdbCheck } from '../src/render/rdb.js';
import { checkAof } from '../src/operations/check-aof.js';
import type { AofCheckReport } from '../src/operations/check-aof.js';
import { renderAofCheckVerdict, renderAofFileVerdict } from '../src/render/aof.js';
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
    // Reports are written as they are made (an AOF set may have a hundred thousand files): per-file lines,
    // or the JSON document piece by piece.
    let progress = createProgress('', false);
    const out = new Output((text) => process.stdout.write(text), () => progress.finish());
    const json = flags.json ? new JsonWriter(out, jsonReplacer) : undefined;
    json?.beginObject();
    json?.beginArray('files');
    let valid = 0;
    let code: number = ExitCode.ok;
    for (const path of paths) {
      let outcome: Outcome;
      progress = createProgress(`check ${path}`, this.progressAllowed(flags.json));
      let aofOpen = false;
      try {
        const kind = await sniffInput(path);
        if (isAofInput(kind, path)) {
          if (kind === 'manifest' || kind === 'directory') this.limitYoungGeneration();
          json?.beginObject();
          json?.value(path, 'file');
          json?.value('aof', 'format');
          json?.beginArray('files');
          aofOpen = true;
          const report = await checkAof(path, {
            strict: flags.strict,
            onProgress: (done, total) => progress.update(done, total),
            onFile: (verdict) => (json ? json.value(verdict) : out.line(renderAofFileVerdict(verdict))),
          });
          aofOpen = false;
          if (json) {
            json.end();
            for (const key of ['layout', 'manifest', 'valid', 'checked', 'total', 'commands', 'problems', 'error'] as const) json.value(report[key], key);
            json.end();
          } else {
            out.line(renderAofCheckVerdict(report));
          }
          outcome = report;
        } else if (kind !== 'rdb') {
          const what = kind === 'empty' ? 'empty file (an empty RDB does not load)' : 'neither an RDB nor an AOF: unknown signature';
          outcome = { file: path, format: 'unknown', valid: false, error: { kind: 'corrupt', message: `${path}: offset 0: ${what}` } };
        } else {
          outcome = await checkRdb(path, { now, onProgress: (done, total) => progress.update(done, total) });
        }
      } catch (error) {
        if (!(error instanceof RedbackError)) throw error;
        outcome = { file: path, format: 'unknown', valid: false, error: { kind: error instanceof InputOutputError ? 'io' : 'corrupt', message: error.toLine() } };
        if (aofOpen && json) {
          // The set's report was begun: end it with the error that stopped it.
          json.end();
          json.value(false, 'valid');
          json.value(outcome.error, 'error');
          json.end();
        } else if (aofOpen) {
          out.line(`${style.bad('INVALID')} ${outcome.error.message}`);
        }
      } finally {
        progress.finish();
      }
      if (outcome.valid) valid++;
      else code = Math.max(code, outcome.format !== 'aof' && outcome.error?.kind === 'io' ? ExitCode.io : ExitCode.invalid);
      if (outcome.format === 'aof' || aofOpen) continue; // already written
      if (json) json.value(outcome);
      else out.line(outcome.format === 'rdb' ? renderRdbCheck(outcome) : `${style.bad('INVALID')} ${outcome.error.message}`);
    }
    if (json) {
      json.end();
      json.value(valid === paths.length, 'valid');
      json.value({ checked: paths.length, valid, invalid: paths.length - valid }, 'summary');
      json.end();
    } else if (paths.length > 1) {
      out.line(`${valid} of ${paths.length} files valid${valid === paths.length ? '' : `, ${paths.length - valid} invalid`}`);
    }
    out.flush();
    if (code !== ExitCode.ok) this.exit(code);
  }
}
