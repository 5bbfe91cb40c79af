import { Args, Flags } from '../src/render/flags.js';
import { inspectRdb } from '../src/operations/inspect-rdb.js';
import type { KeyInfo } from '../src/operations/inspect-rdb.js';
import { parseTimeMs } from '../src/operations/time.js';
import { sniffInput } from '../src/io/sniff.js';
import { BaseCommand } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { renderKeyLine, renderKeyLineHeader, renderRdbInspect } from '../src/render/rdb.js';
import { CorruptError, UsageError } from '../src/errors.js';

export default class Inspect extends BaseCommand {
  static override summary = 'Describe an RDB file or an AOF: version, aux fields, keys by type and encoding, TTLs, sizes, the biggest keys.';

  static override description = `PATH may be an .rdb file, an .aof file, an AOF directory or its manifest, or any of these compressed as .lz4; the format is told by content, not by name. Encodings are named as Redis's OBJECT ENCODING names them once the file is loaded (listpack, quicklist, skiplist, intset, hashtable, int, embstr, raw…); --json also gives the RDB type of each.`;

  static override examples = [
    '<%= config.bin %> inspect dump.rdb',
    '<%= config.bin %> inspect dump.rdb --top 20 --by-encoding',
    '<%= config.bin %> inspect dump.rdb --keys --jsonl > keys.jsonl',
    '<%= config.bin %> inspect dump.rdb --json --now 2026-01-01T00:00:00Z',
  ];

  static override args = {
    path: Args.string({ description: 'File or directory to inspect.', required: true }),
  };

  static override flags = {
    top: Flags.integer({ description: 'How many of the biggest keys to list.', default: 10, min: 0 }),
    'by-encoding': Flags.boolean({ description: 'One row per type and encoding in the table of each database.', default: false }),
    keys: Flags.boolean({ description: 'List every key: db, type, encoding, elements, encoded size, TTL.', default: false }),
    jsonl: Flags.boolean({
      description: 'With --keys: one JSON object per key per line, as the keys are read (--json --keys holds every key in memory).',
      default: false,
    }),
    summary: Flags.boolean({ description: 'With --jsonl: end with one line holding the summary, {"summary": …}.', default: false }),
    now: Flags.string({ description: 'The time TTLs are measured from: unix seconds, milliseconds or an ISO date (default: now).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Inspect);
    this.configureOutput(flags);
    if (flags.jsonl && !flags.keys) throw new UsageError('--jsonl goes with --keys');
    if (flags.summary && !flags.jsonl) throw new UsageError('--summary goes with --jsonl');
    const now = flags.now === undefined ? Date.now() : parseTimeMs(flags.now);
    const kind = await sniffInput(args.path);
    if (kind === 'aof' || kind === 'manifest' || kind === 'directory' || (kind === 'rdb' && /\.aof(\.lz4)?$/i.test(args.path))) {
      if (flags.keys) throw new UsageError('--keys lists the keys of an RDB; for an AOF use inspect without it');
      // The AOF modules are loaded only for AOF inputs (startup; see bench "startup").
      const { inspectAof } = await import('../src/operations/inspect-aof.js');
      const { renderAofInspect } = await import('../src/render/aof.js');
      const aof = await inspectAof(args.path, { now, top: flags.top });
      if (flags.json) this.printJson(aof);
      else this.log(renderAofInspect(aof));
      return;
    }
    if (kind !== 'rdb') throw new CorruptError(`neither an RDB nor an AOF (${kind === 'empty' ? 'empty file' : 'unknown signature'})`, { file: args.path, offset: 0 });
    const progress = createProgress(`inspect ${args.path}`, this.progressAllowed(flags.json || flags.jsonl));
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
      if (flags.summary) this.printJsonLine({ summary: report });
    } else if (flags.json) {
      this.printJson(flags.keys ? { ...report, keys: listed } : report);
    } else {
      this.log(renderRdbInspect(report, { byEncoding: flags['by-encoding'] }));
    }
  }
}
