/**
 * The baseline of the `rewrite` bench row: what Redis does to compact an AOF. Starts redis-server (appendonly
 * yes, aof-use-rdb-preamble yes, as Redis 7's defaults) on a hard link of the AOF given, waits until it has
 * loaded it (PING answers), runs BGREWRITEAOF, waits until the rewrite is done and its status is ok, then
 * shuts the server down. Run under /usr/bin/time by bench/run.ts, so the time is from start to rewrite done
 * and the peak RSS is the largest of the server and its fork (ru_maxrss of the children); the CPU time adds
 * the server's, the fork's and this script's. Prints one line: `loaded in X s, rewritten in Y s`.
 *
 * Usage: node dist/bench/redis-rewrite.js AOF WORKDIR (WORKDIR on the AOF's file system; removed at the end)
 */
// cspell:words appendonly appenddirname appendfilename appendfsync bgrewriteaof nosave
import { link, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { startRedis } from './redis-server.js';

const [aof, work] = process.argv.slice(2);
if (aof === undefined || work === undefined) {
  process.stderr.write('usage: redis-rewrite.js AOF WORKDIR\n');
  process.exit(2);
}
const started = performance.now();
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
// The server's directory goes under WORKDIR (beside the AOF), so that the AOF can be hard-linked into it.
process.env['TMPDIR'] = path.resolve(work);
const server = await startRedis(
  ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'yes', '--appendfilename', 'appendonly.aof', '--appenddirname', 'appendonlydir', '--appendfsync', 'no', '--auto-aof-rewrite-percentage', '0'],
  'redis-server',
  {
    // Redis 7 moves a single appendonly.aof into appendonlydir/ as it starts: a link, not a copy, is given.
    before: (dir) => link(path.resolve(aof), path.join(dir, 'appendonly.aof')),
    startTimeoutMs: 600_000,
  },
);
try {
  const loaded = performance.now();
  await server.client.call(['BGREWRITEAOF']);
  for (;;) {
    const info = String(await server.client.call(['INFO', 'persistence']));
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) {
      if (!/aof_last_bgrewrite_status:ok/.test(info)) throw new Error(`BGREWRITEAOF failed:\n${info}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const done = performance.now();
  process.stdout.write(`loaded in ${((loaded - started) / 1000).toFixed(2)} s, rewritten in ${((done - loaded) / 1000).toFixed(2)} s\n`);
  await server.stop();
} finally {
  await server.dispose();
  await rm(work, { recursive: true, force: true });
}
