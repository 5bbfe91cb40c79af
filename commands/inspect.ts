import { Args, Flags } from '../src/render/flags.js';
import { inspectPath } from '../src/operations/inspect.js';
import type { KeyInfo } from '../src/operations/inspect-rdb.js';
import { parseTimeMs } from '../src/operations/time.js';
import { inputHints } from '../src/input/detect.js';
import type { AofFileReport } from '../src/operations/inspect-aof.js';
import { BaseCommand } from '../src/render/base-command.js';
import { SCHEMA_VERSION, jsonReplacer } from '../src/render/json.js';
import { JsonWriter, Output } from '../src/render/output.js';
import { createProgress } from '../src/render/progress.js';
import { renderKeyLine, renderKeyLineHeader, renderRdbInspect } from '../src/render/rdb.js';
import { UsageError } from '../src/errors.js';
import { KeyFilter, parseTypes } from '../src/operations/key-filter.js';

/** Files of an AOF listed on a terminal at most: a larger set shows its first and last ones. */
const INSPECT_FILES_SHOWN = 20;

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
    db: Flags.integer({ description: 'With --keys: only keys of this database (repeatable).', min: 0, multiple: true }),
    key: Flags.string({ description: 'With --keys: only keys matching this Redis glob pattern (repeatable).', multiple: true }),
    'exclude-key': Flags.string({ description: 'With --keys: leave out keys matching this Redis glob pattern (repeatable).', multiple: true }),
    type: Flags.string({ description: 'With --keys: only keys of this type (repeatable, or comma-separated).', multiple: true }),
    'min-bytes': Flags.integer({ description: 'With --keys: only keys taking at least this many bytes in the file.', min: 0 }),
    'drop-expired': Flags.boolean({ description: 'With --keys: leave out keys whose TTL is already past at --now.', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Inspect);
    this.configureOutput(flags);
    if (flags.jsonl && !flags.keys) throw new UsageError('--jsonl goes with --keys');
    if (flags.summary && !flags.jsonl) throw new UsageError('--summary goes with --jsonl');
    const now = flags.now === undefined ? Date.now() : parseTimeMs(flags.now);
    const keyFilter = new KeyFilter({
      db: flags.db,
      key: flags.key,
      excludeKey: flags['exclude-key'],
      type: flags.type === undefined ? undefined : parseTypes(flags.type),
      minBytes: flags['min-bytes'],
      dropExpired: flags['drop-expired'],
      now,
    });
    if (keyFilter.active && !flags.keys) throw new UsageError('--db, --key, --exclude-key, --type, --min-bytes and --drop-expired select the keys --keys lists: give --keys');
    const progress = createProgress(`inspect ${args.path}`, this.progressAllowed(flags.json || flags.jsonl));
    const listed: KeyInfo[] = [];
    // --keys streams: one JSON line or one text line per key as it is read; only --json collects them.
    let header = false;
    const onKey = flags.keys
      ? flags.jsonl
        ? (key: KeyInfo) => this.printJsonLine(key)
        : flags.json
          ? (key: KeyInfo) => listed.push(key)
          : (key: KeyInfo) => {
              if (!header) this.log(renderKeyLineHeader());
              header = true;
              this.log(renderKeyLine(key));
            }
      : undefined;
    // The files of an AOF are handed out as they are read (a set may have a hundred thousand): --json writes
    // each into the document at once; on a terminal the first and the last ones are kept for the table.
    const hints = await inputHints(args.path);
    if (hints.set) this.limitYoungGeneration();
    const out = new Output((bytes) => process.stdout.write(bytes));
    const json = flags.json && !flags.keys ? new JsonWriter(out, jsonReplacer) : undefined;
    const head: AofFileReport[] = [];
    const tail: AofFileReport[] = [];
    let streamed = false;
    const onAofFile = (file: AofFileReport): void => {
      if (json) {
        if (!streamed) {
          json.beginObject();
          json.value(SCHEMA_VERSION, 'schemaVersion');
          json.value(args.path, 'file');
          json.value('aof', 'format');
          json.beginArray('files');
          streamed = true;
        }
        json.value(file, undefined, { compact: true, plain: file.rdb === undefined });
      } else if (head.length < INSPECT_FILES_SHOWN / 2) {
        head.push(file);
      } else {
        tail.push(file);
        if (tail.length > INSPECT_FILES_SHOWN / 2) tail.shift();
      }
    };
    let report;
    try {
      report = await inspectPath(args.path, { top: flags.top, now, onKey, onAofFile, keyFilter: keyFilter.active ? keyFilter : undefined, onProgress: (done, total) => progress.update(done, total) });
    } finally {
      progress.finish();
    }
    if (report.format === 'aof') {
      if (json) {
        if (!streamed) {
          json.beginObject();
          json.value(SCHEMA_VERSION, 'schemaVersion');
          json.value(args.path, 'file');
          json.value('aof', 'format');
          json.beginArray('files');
        }
        json.end();
        for (const [key, value] of Object.entries(report)) if (key !== 'file' && key !== 'format' && key !== 'files') json.value(value, key);
        json.end();
        out.flush();
      } else {
        this.log((await import('../src/render/aof.js')).renderAofInspect({ ...report, files: [...head, ...tail] }, head.length));
      }
      return;
    }
    if (flags.keys && !flags.json && !flags.jsonl && !header) this.log(renderKeyLineHeader());
    if (flags.jsonl) {
      if (flags.summary) this.printJsonLine({ summary: report });
    } else if (flags.json) {
      this.printJson(flags.keys ? { ...report, keys: listed } : report);
    } else {
      this.log(renderRdbInspect(report, { byEncoding: flags['by-encoding'] }));
    }
  }
}
