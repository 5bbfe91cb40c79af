// cspell:words bgrewriteaof preamble appendonlydir
import { Args, Flags } from '../src/render/flags.js';
import { rewriteAof } from '../src/operations/rewrite.js';
import type { RewriteReport } from '../src/operations/rewrite.js';
import { parseTimeMs } from '../src/operations/time.js';
import { TARGET_NAMES } from '../src/rdb/targets.js';
import { BaseCommand } from '../src/render/base-command.js';
import { createProgress } from '../src/render/progress.js';
import { formatBytes, formatCount, style } from '../src/render/style.js';

export default class Rewrite extends BaseCommand {
  static override summary = 'Compact an AOF offline, as BGREWRITEAOF would: replay it and write the smallest equivalent AOF.';

  static override description = `PATH is any AOF: a single file (with or without an RDB preamble), a multi-part set (its directory or manifest), .lz4 or not. Every command is replayed with Redis's semantics into an in-memory dataset, which is then written in the input's shape: a set becomes a directory with one new BASE, an empty INCR and a fresh manifest; a single file stays one file. --base rdb (the default, as Redis 7's aof-use-rdb-preamble yes) writes the BASE as an RDB; --base aof as commands.

The output is for the release that wrote the input (the RDB version of its preamble or BASE, else Redis 7.0; at least 7.0 with functions, 7.4 when hashes have field TTLs), or for --target-redis. It is written crash-safely: a fresh set with its manifest last, a file through a temporary file and a rename. --in-place replaces the AOF through the crash-safe set edit (the manifest rename is the commit) and keeps the old files in a backup directory.

Commands that cannot be replayed offline (EVAL bodies in AOFs written with verbatim script replication, module commands) stop the rewrite with the file, the offset and a hint, unless --skip-unsupported (each skipped command is counted).

Exit codes: 0 rewritten; 1 the AOF is corrupt or truncated where Redis refuses it; 2 bad usage; 3 an input/output error; 4 a command cannot be replayed offline.`;

  static override examples = [
    '<%= config.bin %> rewrite appendonlydir -o compacted',
    '<%= config.bin %> rewrite appendonly.aof -o appendonly-small.aof --base aof',
    '<%= config.bin %> rewrite appendonlydir --in-place --backup-dir /backups/aof',
    '<%= config.bin %> rewrite appendonlydir --dry-run --json',
  ];

  static override args = {
    path: Args.string({ description: 'An .aof file, an AOF directory or its manifest.', required: true }),
  };

  static override flags = {
    output: Flags.string({ char: 'o', description: 'Where to write: a file for a single-file AOF, a new directory for a multi-part set.' }),
    base: Flags.string({ description: 'Format of the BASE (or of the single file): an RDB preamble, or RESP commands.', options: ['rdb', 'aof'], default: 'rdb' }),
    'in-place': Flags.boolean({ description: 'Replace the AOF itself, crash-safely, keeping the old files in a backup directory.', default: false }),
    'backup-dir': Flags.string({ description: 'With --in-place: where the old files go (default: beside the AOF, <name>.redback-backup-<time>).' }),
    'no-backup': Flags.boolean({ description: 'With --in-place: delete the old files instead of keeping them.', default: false }),
    'target-redis': Flags.string({ description: `Release to write for: ${TARGET_NAMES.join(', ')} (default: the one that wrote the input).` }),
    force: Flags.boolean({ description: 'Replace an existing output file.', default: false }),
    'dry-run': Flags.boolean({ description: 'Replay and report what would be written; write nothing.', default: false }),
    'skip-unsupported': Flags.boolean({ description: 'Skip commands that cannot be replayed offline (counted in the report) instead of stopping.', default: false }),
    'drop-expired': Flags.boolean({ description: 'Leave out keys and hash fields whose TTL is already past at --now.', default: false }),
    now: Flags.string({ description: 'The time of the rewrite: unix seconds, milliseconds or an ISO date (default: now); the clock of the replay and of --drop-expired.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Rewrite);
    this.configureOutput(flags);
    // Two bars: the replay (bytes of the input, with a total), then the writing (bytes written so far).
    const allowed = this.progressAllowed(flags.json);
    let progress = createProgress(`replay ${args.path}`, allowed);
    let writing = false;
    let report: RewriteReport;
    try {
      report = await rewriteAof(args.path, {
        output: flags.output,
        inPlace: flags['in-place'],
        backupDir: flags['backup-dir'],
        noBackup: flags['no-backup'],
        base: flags.base as 'rdb' | 'aof',
        targetRedis: flags['target-redis'],
        force: flags.force,
        dryRun: flags['dry-run'],
        skipUnsupported: flags['skip-unsupported'],
        dropExpired: flags['drop-expired'],
        now: flags.now === undefined ? undefined : parseTimeMs(flags.now),
        owner: this.editOwner(),
        onStep: this.crashHook(),
        onProgress: (done, total, phase) => {
          if (phase === 'write' && !writing) {
            writing = true;
            progress.finish();
            progress = createProgress(`write ${flags['dry-run'] ? '(dry run)' : (flags.output ?? args.path)}`, allowed);
          }
          progress.update(done, total);
        },
      });
    } finally {
      progress.finish();
    }
    if (flags.json) this.printJson(report);
    else this.log(renderRewrite(report));
  }
}

function renderRewrite(r: RewriteReport): string {
  const out = r.output;
  const where = r.dryRun ? 'dry run: would write' : r.inPlace ? `rewrote ${out.path ?? r.input.path} in place:` : `wrote ${out.path ?? ''}:`;
  const shape = out.layout === 'multipart' ? `a set with ${out.base === 'rdb' ? 'an RDB' : 'a RESP'} BASE` : out.base === 'rdb' ? 'one file (RDB preamble)' : 'one file (RESP)';
  const lines = [
    style.ok(`${where} ${shape} for ${r.target.name}, ${formatCount(r.keys)} keys in ${formatCount(r.databases)} databases${r.functions > 0 ? `, ${formatCount(r.functions)} function libraries` : ''}`),
    `  read ${formatCount(r.commands)} commands from ${formatCount(r.input.files.length)} file${r.input.files.length === 1 ? '' : 's'} (${formatBytes(r.input.bytes)}); wrote ${formatBytes(out.bytes)}`,
  ];
  const rejected = Object.entries(r.rejected);
  if (rejected.length > 0) lines.push(`  rejected as Redis rejects them while loading: ${rejected.map(([code, n]) => `${formatCount(n)} ${code}`).join(', ')}`);
  const skipped = Object.entries(r.skipped);
  if (skipped.length > 0) lines.push(style.warn(`  skipped: ${skipped.map(([name, s]) => `${formatCount(s.count)} ${name} (first at ${s.file} offset ${s.offset})`).join(', ')}`));
  if (r.truncated) lines.push(style.warn(`  ${r.truncated.file} ends inside a command at offset ${r.truncated.offset}: replayed up to there, as Redis loads it`));
  if (r.droppedTransaction) lines.push(style.warn(`  ${r.droppedTransaction.file} ends inside MULTI (offset ${r.droppedTransaction.offset}): its ${r.droppedTransaction.commands} queued commands were dropped, as Redis drops them`));
  if (r.expired.keys > 0 || r.expired.fields > 0) lines.push(`  dropped as expired: ${formatCount(r.expired.keys)} keys, ${formatCount(r.expired.fields)} hash fields`);
  const dropped = Object.entries(r.dropped);
  if (dropped.length > 0) lines.push(`  left out or approximated: ${dropped.map(([kind, n]) => `${formatCount(n)} ${kind}`).join(', ')}`);
  if (r.backupDir) lines.push(`  the old files are in ${r.backupDir}`);
  for (const note of r.notes) lines.push(style.dim(`  ${note}`));
  return lines.join('\n');
}
