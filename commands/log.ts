import { Args, Flags } from '../src/render/flags.js';
import { UsageError } from '../src/errors.js';
import { logAof } from '../src/operations/log.js';
import type { LogEntry } from '../src/operations/log.js';
import { parseTimeMs } from '../src/operations/time.js';
import { BaseCommand } from '../src/render/base-command.js';
import { logLineRenderer, renderLogSummary } from '../src/render/log.js';
import { createProgress } from '../src/render/progress.js';

export default class Log extends BaseCommand {
  static override description = `List the commands of an AOF as a timeline, one line per command, in the order Redis replays them.

Each line gives the time (from the last #TS annotation before the command), the file and byte offset, the database, the command and its keys. The commands of a MULTI block are indented under it. Use it to find the command to cut before (truncate) or drop (filter).`;

  static override examples = [
    '<%= config.bin %> log appendonlydir --command FLUSHALL,FLUSHDB',
    "<%= config.bin %> log appendonlydir --key 'user:*' --reverse --limit 20",
    '<%= config.bin %> log appendonly.aof --since 2026-12-01T00:00:00Z --jsonl',
  ];

  static override args = {
    path: Args.string({ description: 'an .aof file, an AOF directory, its manifest, or a Redis dir', required: true }),
  };

  static override flags = {
    command: Flags.string({ description: 'only these commands (comma-separated, any case; repeatable)', multiple: true }),
    key: Flags.string({ description: 'only commands touching a key matching this Redis glob (repeatable)', multiple: true }),
    db: Flags.integer({ description: 'only commands running in this database', min: 0 }),
    since: Flags.string({ description: 'only commands at or after this time (unix seconds or ISO date; from #TS annotations)' }),
    until: Flags.string({ description: 'only commands at or before this time (unix seconds or ISO date)' }),
    limit: Flags.integer({ description: 'at most this many commands (the newest ones with --reverse)', min: 0 }),
    reverse: Flags.boolean({ description: 'newest first', default: false }),
    jsonl: Flags.boolean({ description: 'one JSON object per command and nothing else', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Log);
    this.configureOutput(flags);
    if (flags.json && flags.jsonl) throw new UsageError('--json and --jsonl exclude each other');
    const seconds = (text: string | undefined, flag: string): number | undefined => (text === undefined ? undefined : Math.floor(parseTimeMs(text, flag) / 1000));
    const options = {
      commands: (flags.command ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean),
      keys: flags.key,
      db: flags.db,
      since: seconds(flags.since, '--since'),
      until: seconds(flags.until, '--until'),
      limit: flags.limit,
      reverse: flags.reverse,
    };
    // A bar on stderr would tear the lines printed on the same terminal: only when the output goes elsewhere.
    const progress = createProgress('log', this.progressAllowed(flags.json || flags.jsonl) && !process.stdout.isTTY);
    let emit: (entry: LogEntry) => void;
    let first = true;
    if (flags.jsonl) {
      emit = (entry) => this.printJsonLine(entry);
    } else if (flags.json) {
      // One document, streamed: the entries as they come, the summary at the end.
      process.stdout.write('{"entries":[');
      emit = (entry) => {
        process.stdout.write(`${first ? '\n' : ',\n'}${JSON.stringify(entry)}`);
        first = false;
      };
    } else {
      const render = logLineRenderer();
      emit = (entry) => this.log(render(entry));
    }
    let summary;
    try {
      summary = await logAof(args.path, { ...options, onProgress: (done, total) => progress.update(done, total) }, emit);
    } finally {
      progress.finish();
    }
    if (flags.json) process.stdout.write(`\n],"summary":${JSON.stringify(summary)}}\n`);
    else if (!flags.jsonl) this.log(renderLogSummary(summary));
  }
}
