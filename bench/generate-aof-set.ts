/**
 * Generates the bench's huge AOF set: one BASE and 100,000 INCR files, as Redis lays them out.
 *
 * A real redis-server (appendonly, RDB preamble) gets 20,000 keys, rewrites its AOF (BASE = an RDB, a fresh
 * INCR), then takes 500,000 small writes, which it appends to that INCR. The INCR is split at command
 * boundaries into 100,000 files named as Redis names them (`appendonly.aof.<seq>.incr.aof`, consecutive
 * sequence numbers from the server's own), with a manifest listing the BASE and all of them. Once written, a
 * second server loads the set (`aof-load-truncated no`) and must reach the `DEBUG DIGEST` of the first.
 * Kept separate from generate.ts so that other bench inputs can grow beside it.
 */
// cspell:words appendonly appenddirname appendfsync HSET INCRBY RPUSH LTRIM

import { cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Log } from './generate.js';
import { startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

/** Bump when the generated set changes, so a stale cache is rebuilt. */
export const AOF_SET_VERSION = 1;
/** INCR files in the set. */
export const AOF_SET_INCR_FILES = 100_000;
/** Small writes sent to the server (five per INCR file). */
const WRITES = 500_000;

export interface AofSetInfo {
  version: number;
  /** INCR files (the BASE and the manifest come on top). */
  incrFiles: number;
  /** Bytes of every file of the set, the manifest included. */
  bytes: number;
  commands: number;
  keys: number;
  /** The server's DEBUG DIGEST, which the split set reproduces. */
  digest: string;
  seconds: number;
  /** How long redis-server took to load the split set. */
  loadSeconds: number;
}

async function waitRewrite(server: RedisServer): Promise<void> {
  for (let i = 0; i < 2400; i++) {
    const info = String(await server.client.call(['INFO', 'persistence']));
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) {
      if (!/aof_last_bgrewrite_status:ok/.test(info)) throw new Error(`BGREWRITEAOF failed:\n${info}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('BGREWRITEAOF did not finish in 60 s');
}

/** Where each RESP command of a server-written file ends (the file holds commands only). */
function commandEnds(data: Buffer): number[] {
  const ends: number[] = [];
  let pos = 0;
  const line = (from: number): [value: number, next: number] => {
    const eol = data.indexOf(13, from);
    if (eol < 0 || data[eol + 1] !== 10) throw new Error(`RESP: no CRLF after offset ${from}`);
    return [Number(data.toString('latin1', from + 1, eol)), eol + 2];
  };
  while (pos < data.length) {
    if (data[pos] !== 0x2a) throw new Error(`RESP: expected '*' at ${pos}`);
    let [argc, at] = line(pos);
    for (; argc > 0; argc--) {
      if (data[at] !== 0x24) throw new Error(`RESP: expected '$' at ${at}`);
      const [length, body] = line(at);
      at = body + length + 2;
    }
    ends.push(at);
    pos = at;
  }
  return ends;
}

/** Every `file` line of a manifest as [name, seq, type]. */
function manifestEntries(text: string): [name: string, seq: number, type: string][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('file '))
    .map((line) => {
      const match = /^file (\S+) seq (\d+) type ([bhi])$/.exec(line);
      if (!match) throw new Error(`unexpected manifest line: ${line}`);
      return [match[1] as string, Number(match[2]), match[3] as string];
    });
}

/**
 * Writes the set into `target` (a directory, replaced when it exists) and returns what it holds. `log` gets
 * progress lines.
 */
export async function generateAofSet(target: string, log: Log, incrFiles = AOF_SET_INCR_FILES): Promise<AofSetInfo> {
  const started = performance.now();
  const server = await startRedis([
    '--appendonly', 'yes',
    '--aof-use-rdb-preamble', 'yes',
    '--appenddirname', 'aof',
    '--appendfsync', 'no',
    '--auto-aof-rewrite-percentage', '0',
  ]);
  let digest: string;
  let keys: number;
  let commands: number;
  const built = `${target}.tmp`;
  try {
    const c = server.client;
    log(`  redis-server (appendonly) on 127.0.0.1:${server.port}, dir ${server.dir}`);
    // The BASE: 20,000 keys, then a rewrite (an RDB BASE and a new, empty INCR).
    for (let i = 0; i < 20_000; i += 100) {
      const args: (string | number)[] = ['MSET'];
      for (let j = i; j < i + 100; j++) args.push(`base:${j}`, `value-${j}-${'x'.repeat(j % 50)}`);
      await c.send(args);
    }
    await c.sync();
    await c.call(['BGREWRITEAOF']);
    await waitRewrite(server);
    // The INCR: small writes of several kinds over a few thousand keys.
    for (let i = 0; i < WRITES; i++) {
      const k = (i * 7919) % 40_000;
      switch (i % 5) {
        case 0:
          await c.send(['SET', `s:${k}`, `v${i}`]);
          break;
        case 1:
          await c.send(['INCRBY', `n:${k % 5000}`, (i % 97) + 1]);
          break;
        case 2:
          await c.send(['HSET', `h:${k % 3000}`, `f${i % 13}`, i]);
          break;
        case 3:
          await c.send(['RPUSH', `l:${k % 2000}`, `e${i}`]);
          break;
        default:
          await c.send(['SADD', `z:${k % 1000}`, i % 10_000]);
      }
    }
    await c.sync();
    if (c.errorCount > 0) throw new Error(`the server refused writes: ${c.errors.join(' | ')}`);
    digest = String(await c.call(['DEBUG', 'DIGEST']));
    keys = Number(await c.call(['DBSIZE']));
    await server.stop();

    // Split the one INCR into `incrFiles` files at command boundaries.
    const aofDir = path.join(server.dir, 'aof');
    const manifest = await readFile(path.join(aofDir, 'appendonly.aof.manifest'), 'latin1');
    const entries = manifestEntries(manifest);
    const base = entries.find(([, , type]) => type === 'b');
    const incr = entries.filter(([, , type]) => type === 'i');
    if (!base || incr.length !== 1) throw new Error(`expected a BASE and one INCR after the rewrite:\n${manifest}`);
    const [incrName, firstSeq] = incr[0] as [string, number, string];
    const data = await readFile(path.join(aofDir, incrName));
    const ends = commandEnds(data);
    commands = ends.length;
    log(`  ${(data.length / 2 ** 20).toFixed(1)} MiB INCR with ${commands} commands: splitting into ${incrFiles} files`);
    await rm(built, { recursive: true, force: true });
    await mkdir(built, { recursive: true });
    await cp(path.join(aofDir, base[0]), path.join(built, base[0]));
    let lines = `file ${base[0]} seq ${base[1]} type b\n`;
    let from = 0;
    for (let i = 0; i < incrFiles; i++) {
      const to = i === incrFiles - 1 ? data.length : (ends[Math.floor(((i + 1) * commands) / incrFiles) - 1] ?? data.length);
      const name = `appendonly.aof.${firstSeq + i}.incr.aof`;
      await writeFile(path.join(built, name), data.subarray(from, to));
      lines += `file ${name} seq ${firstSeq + i} type i\n`;
      from = to;
    }
    await writeFile(path.join(built, 'appendonly.aof.manifest'), lines);
  } finally {
    await server.dispose();
  }

  // Redis loads the split set into the same data set.
  const loadStarted = performance.now();
  const check = await startRedis(['--appendonly', 'yes', '--appenddirname', 'aof', '--aof-load-truncated', 'no'], 'redis-server', {
    before: async (dir) => cp(built, path.join(dir, 'aof'), { recursive: true }),
    startTimeoutMs: 300_000,
  });
  let loaded: string;
  try {
    loaded = String(await check.client.call(['DEBUG', 'DIGEST']));
  } finally {
    await check.dispose();
  }
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  if (loaded !== digest) throw new Error(`redis-server loaded the split set with digest ${loaded}, the server that wrote it had ${digest}`);
  log(`  redis-server loaded the ${incrFiles + 1}-file set in ${loadSeconds.toFixed(1)} s with the same DEBUG DIGEST (${digest})`);

  await rm(target, { recursive: true, force: true });
  await rename(built, target);
  let bytes = 0;
  for (const name of await readdir(target)) bytes += (await stat(path.join(target, name))).size;
  return { version: AOF_SET_VERSION, incrFiles, bytes, commands, keys, digest, seconds: (performance.now() - started) / 1000, loadSeconds };
}
