import { Args, Flags } from '@oclif/core';
import { inspectRdb } from '../src/operations/inspect-rdb.js';
import type { KeyInfo } from '../src/operations/inspect-rdb.js';
import { parseTimeMs } from '../src/operations/time.js';
import { isAofInput, sniffInput } from '../src/io/sniff.js';
import { BaseCommand, jsonReplacer } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { renderKeyLine, renderKeyLineHeader, renderRdbInspect } from '../src/render/rdb.js';
import { CorruptError, UsageError } from '../src/errors.js';
import { inspectAof } from '../src/operations/inspect-aof.js';
import { INSPECT_FILES_SHOWN, renderAofInspect } from '../src/render/aof.js';
import type { AofFileReport } from '../src/operations/inspect-aof.js';
import { JsonWriter, Output } from '../src/render/output.js';

export default class Inspect extends BaseCommand {
  static override description = `Describe an RDB file or an AOF: version, aux fields, databases, keys by type and encoding, TTLs, sizes and the biggest keys.

PATH may be an .rdb, an .aof, an AOF directory or manifest, or any of these compressed as .lz4.`;

  static override examples = [
    '<%= config.bin %> inspect dump.rdb',
    '<%= config.bin %> inspect dump.rdb --top 20',
    '<%= config.bin %> inspect dump.rdb --keys --jsonl > keys.jsonl',
    '<%= config.bin %> inspect dump.rdb --json --now 2026-01-01T00:00:00Z',
  ];

  static override args = {
    path: Args.string({ description: 'file or directory to inspect', required: true }),
  };

  static override flags = {
    top: Flags.integer({ description: 'how many of the biggest keys to list', default: 10, min: 0 }),
    keys: Flags.boolean({ description: 'list every key (db, type, encoding, TTL, elements, encoded size)', default: false }),
    jsonl: Flags.boolean({
      description: 'with --keys: one JSON object per key per line, then the summary as the last line (streams; --json --keys holds every key in memory)',
      default: false,
    }),
    now: Flags.string({ description: 'the time TTLs are measured from: unix seconds, ms, or ISO date (default: now)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Inspect);
    this.configureOutput(flags);
    if (flags.jsonl && !flags.keys) throw new UsageError('--jsonl goes with --keys');
    const now = flags.now === undefined ? Date.now() : parseTimeMs(flags.now);
    const kind = await sniffInput(args.path);
    if (isAofInput(kind, args.path)) {
      if (flags.keys) throw new UsageError('--keys lists the keys of an RDB; for an AOF use inspect without it');
      if (kind === 'manifest' || kind === 'directory') this.limitYoungGeneration();
      if (flags.json) {
        // The files are written as they are read (a set may have a hundred thousand), then the totals.
        const out = new Output((text) => process.stdout.write(text));
        const json = new JsonWriter(out, jsonReplacer);
        json.beginObject();
        json.value(args.path, 'file');
        json.value('aof', 'format');
        json.beginArray('files');
        const aof = await inspectAof(args.path, { now, top: flags.top, onFile: (file) => json.value(file) });
        json.end();
        for (const [key, value] of Object.entries(aof)) if (key !== 'file' && key !== 'format' && key !== 'files') json.value(value, key);
        json.end();
        out.flush();
        return;
      }
      // On a terminal, the first and the last files of a large set.
      const half = INSPECT_FILES_SHOWN / 2;
      const head: AofFileReport[] = [];
      const tail: AofFileReport[] = [];
      const aof = await inspectAof(args.path, {
        now,
        top: flags.top,
        onFile: (file) => {
          if (head.length < half) head.push(file);
          else {
            tail.push(file);
            if (tail.length > half) tail.shift();
          }
        },
      });
      this.log(renderAofInspect({ ...aof, files: [...head, ...tail] }, head.length));
      return;
    }
    if (kind !== 'rdb') throw new CorruptError(`neither an RDB nor an AOF (${kind === 'empty' ? 'empty file' : 'unknown signature'})`, { file: args.path, offset: 0 });
    const progress = createProgress('inspect', this.progressAllowed(flags.json || flags.jsonl));
    const listed: KeyInfo[] = [];
    // --keys streams: one JSON line or one text line per key as it is read; only --json collects them.
    const onKey = flags.keys
      ? flags.jsonl
        ? (key: KeyInfo) => this.printJsonLine(key)
        : flags.json
          ? (key: KeyInfo) => listed.push(key)
          : (key: KeyInfo) => this.log(renderKeyLine(key))
      : undefined;
    if (flags.keys && !flags.json && !flags.jsonl) this.log(renderKeyLineHeader());
    let report;
    try {
      report = await inspectRdb(args.path, { top: flags.top, now, onKey, onProgress: (done, total) => progress.update(done, total) });
    } finally {
      progress.finish();
    }
    if (flags.jsonl) {
      this.printJsonLine({ summary: report });
    } else if (flags.json) {
      this.printJson(flags.keys ? { ...report, keys: listed } : report);
    } else {
      this.log(renderRdbInspect(report));
    }
  }
}
