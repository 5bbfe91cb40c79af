import { Args, Flags } from '../src/render/flags.js';
import { UsageError } from '../src/errors.js';
import { convert } from '../src/operations/convert.js';
import type { ConvertReport } from '../src/operations/convert.js';
import { parseTypes } from '../src/operations/key-filter.js';
import { parseTimeMs } from '../src/operations/time.js';
import { OUTPUT_FORMATS, outputFormat } from '../src/output/formats.js';
import { TARGET_NAMES } from '../src/rdb/targets.js';
import { BaseCommand } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { formatBytes, formatCount, style } from '../src/render/style.js';

export default class Convert extends BaseCommand {
  static override summary = 'Convert an RDB or a JSON dump to an RDB of any Redis or Valkey release (downgrades too), an AOF, a multi-part AOF, RESP, JSON or JSONL.';

  static override description = `IN may be any RDB redback reads (RDB 1–13, Valkey 80/81) or a JSON/JSONL dump written by --to json or jsonl (edited or not), plain or .lz4. A file output is written to a temporary file, fsynced and renamed: a crash leaves the old file or the new one; an existing output is replaced only with --force. -o - writes to standard output (not multipart).

Formats (--to):
${Object.entries(OUTPUT_FORMATS)
  .map(([name, format]) => `  ${name.padEnd(9)} ${format.description}`)
  .join('\n')}

--to multipart writes a new or empty directory: each file through a temporary file, fsync and rename, the manifest last (its rename is the commit). --compress lz4 compresses the file (each file of a set) as an LZ4 frame.

--to rdb writes for --target-redis (${TARGET_NAMES.join(', ')}) or --rdb-version N, by default the input's own version. Values whose encoding the target loads are copied as they are; the others are re-encoded as that release encodes them, with Redis's thresholds (or those of --redis-conf FILE). What the target cannot hold (hash field TTLs before 7.4, functions before 7.0, streams before 5.0…) is an error naming the key, unless --drop-unsupported.

Filters keep a subset of the keys, for every format: --db, --key and --exclude-key (Redis glob patterns), --type, --min-bytes (encoded size in the input; a first pass over the input finds them), --drop-expired (TTL before --now).`;

  static override examples = [
    '<%= config.bin %> convert dump.rdb -o dump-6.2.rdb --to rdb --target-redis 6.2',
    '<%= config.bin %> convert dump.rdb -o dump-7.0.rdb --to rdb --target-redis 7.0 --drop-unsupported --json',
    "<%= config.bin %> convert dump.rdb -o users.rdb --to rdb --key 'user:*' --drop-expired",
    '<%= config.bin %> convert dump.rdb.lz4 -o small.rdb.lz4 --to rdb --redis-conf /etc/redis/redis.conf --compress lz4',
    '<%= config.bin %> convert dump.rdb -o dump.jsonl --to jsonl && <%= config.bin %> convert dump.jsonl -o edited.rdb --to rdb --target-redis 7.0',
    '<%= config.bin %> convert dump.rdb -o appendonlydir --to multipart --preamble',
    "<%= config.bin %> convert dump.rdb -o - --to resp --key 'session:*' | redis-cli --pipe",
  ];

  static override args = {
    input: Args.string({ description: 'The RDB file or JSON/JSONL dump to convert.', required: true }),
  };

  static override flags = {
    output: Flags.string({ char: 'o', description: 'The file (for multipart: the directory) to write, or - for standard output.', required: true }),
    to: Flags.string({ description: 'Output format.', options: Object.keys(OUTPUT_FORMATS), required: true }),
    'target-redis': Flags.string({ description: `Release to write for (an RDB, a preamble, or the release loading aof/resp/multipart commands): ${TARGET_NAMES.join(', ')} (default: the input's version; for commands the newest).` }),
    'rdb-version': Flags.integer({ description: 'RDB version to write (the newest release writing it is the target).', min: 1 }),
    'redis-conf': Flags.string({ description: 'A redis.conf whose *-max-* settings (and rdbcompression, rdbchecksum) decide encodings, instead of the defaults.' }),
    preamble: Flags.boolean({ description: 'aof, multipart: the dataset as an RDB preamble (aof-use-rdb-preamble yes), for the target release.', default: false }),
    'drop-unsupported': Flags.boolean({ description: 'Leave out what the target cannot hold (counted in the report) instead of failing.', default: false }),
    force: Flags.boolean({ description: 'Replace an existing output file.', default: false }),
    compress: Flags.string({ description: 'Compress the output file.', options: ['none', 'lz4'], default: 'none' }),
    db: Flags.integer({ description: 'Only keys of this database (repeatable).', min: 0, multiple: true }),
    key: Flags.string({ description: 'Only keys matching this Redis glob pattern (repeatable).', multiple: true }),
    'exclude-key': Flags.string({ description: 'Leave out keys matching this Redis glob pattern (repeatable).', multiple: true }),
    type: Flags.string({ description: 'Only keys of this type: string, list, set, zset, hash, stream, module (repeatable, or comma-separated).', multiple: true }),
    'min-bytes': Flags.integer({ description: 'Only keys taking at least this many bytes in the input.', min: 0 }),
    'drop-expired': Flags.boolean({ description: 'Leave out keys whose TTL is already past at --now.', default: false }),
    now: Flags.string({ description: 'The time of the conversion: unix seconds, milliseconds or an ISO date (default: now); for --drop-expired and the ctime written.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Convert);
    this.configureOutput(flags);
    const format = outputFormat(flags.to);
    const toStdout = flags.output === '-';
    if (toStdout && flags.json) throw new UsageError('--json prints its report on standard output: it cannot go with -o -');
    if (toStdout && (format?.binary === true || flags.preamble) && process.stdout.isTTY) throw new UsageError(`refusing to write ${flags.to} (binary) to a terminal: redirect standard output or give -o FILE`);
    const progress = createProgress(`convert ${args.input}`, this.progressAllowed(flags.json) && !(toStdout && process.stdout.isTTY));
    let report: ConvertReport;
    try {
      report = await convert(args.input, {
        to: flags.to,
        output: flags.output,
        stdout: toStdout ? writeStdout : undefined,
        force: flags.force,
        compress: flags.compress as 'none' | 'lz4',
        targetRedis: flags['target-redis'],
        rdbVersion: flags['rdb-version'],
        redisConf: flags['redis-conf'],
        dropUnsupported: flags['drop-unsupported'],
        preamble: flags.preamble,
        now: flags.now === undefined ? undefined : parseTimeMs(flags.now),
        filter: {
          db: flags.db,
          key: flags.key,
          excludeKey: flags['exclude-key'],
          type: flags.type === undefined ? undefined : parseTypes(flags.type),
          minBytes: flags['min-bytes'],
          dropExpired: flags['drop-expired'],
        },
        onProgress: (done, total) => progress.update(done, total),
      });
    } finally {
      progress.finish();
    }
    if (flags.json) this.printJson(report);
    else if (!toStdout) this.log(renderConvert(report));
    else this.logToStderr(renderConvert(report));
  }
}

/** Writes to standard output, waiting until the piece is accepted (backpressure). */
function writeStdout(piece: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(piece, (error) => (error ? reject(error) : resolve()));
  });
}

function renderConvert(report: ConvertReport): string {
  const target = report.target ? ` for ${report.target.name} (RDB ${report.target.rdbVersion})` : '';
  const size = report.output.compressed && !report.output.files ? `${formatBytes(report.output.fileBytes)} (${formatBytes(report.output.bytes)} before LZ4)` : formatBytes(report.output.bytes);
  const files = report.output.files ? ` in ${formatCount(report.output.files.length)} files` : '';
  const functions = report.functions > 0 ? `, ${formatCount(report.functions)} function ${report.functions === 1 ? 'library' : 'libraries'}` : '';
  const lines = [style.ok(`wrote ${report.output.file === '-' ? 'standard output' : report.output.file}: ${report.output.format}${target}, ${formatCount(report.keys)} keys${functions}, ${size}${files}`)];
  const counts = (entries: [string, number | undefined][]): string => entries.map(([kind, n]) => `${formatCount(n ?? 0)} ${kind}`).join(', ');
  const filtered = Object.entries(report.filtered);
  const flagOf: Record<string, string> = { db: '--db', key: '--key/--exclude-key', type: '--type', expired: '--drop-expired', minBytes: '--min-bytes' };
  if (filtered.length > 0) lines.push(`  keys filtered out: ${filtered.map(([reason, n]) => `${formatCount(n ?? 0)} by ${flagOf[reason] ?? reason}`).join(', ')}`);
  const dropped = Object.entries(report.dropped);
  if (dropped.length > 0) lines.push(`  left out or approximated: ${counts(dropped)}`);
  for (const note of report.notes) lines.push(style.dim(`  ${note}`));
  for (const warning of report.warnings) lines.push(style.warn(`  warning: ${warning}`));
  return lines.join('\n');
}
