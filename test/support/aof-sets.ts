/**
 * AOF sets written by a real redis-server, for tests that compare our AOF checks and repairs with Redis.
 *
 * - `workload` builds a deterministic mix of writes: several dbs via SELECT, MULTI/EXEC blocks, binary
 *   values (all 256 byte values, CR LF and RESP-looking bytes inside values), lists, hashes, sets, zsets,
 *   streams, TTLs and a few larger values.
 * - `generateServerAof` drives one server through three phases: writes, a BGREWRITEAOF that succeeds
 *   (BASE + INCR), more writes, a BGREWRITEAOF whose child is killed (Redis keeps the INCR it opened, so
 *   the manifest lists two INCR files), more writes. It returns the manifest and the files in load order.
 * - `respRecords` splits well-formed RESP into records. It is written here on purpose, independent of
 *   src/, so that expectations computed from it do not depend on the code under test.
 * - `writeSet` materialises a set (or a variant of it) in a directory.
 */
// cspell:words appendonly appendonlydir appendfsync bgrewriteaof hset incrby lpush pexpire rpush sadd setrange xadd zadd zincrby

import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, startRedis, type RedisArg, type RedisHandle } from './redis.js';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** A small seeded PRNG (mulberry32): same seed, same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Workload

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
/** Bytes that look like RESP and annotations inside a value. */
const TRICKY = Buffer.from('x\r\n*1\r\n$4\r\nEXEC\r\n#TS:1\r\n*3\r\n$3\r\nSET\r\n', 'latin1');

/**
 * `count` write commands (a MULTI block counts as its commands), deterministic for a seed. Key names carry
 * `tag`, so different phases write different keys, and also touch a few shared ones. Every command succeeds
 * (types never clash), so the whole list can be pipelined with `callMany`.
 */
export function workload(seed: number, count: number, tag: string): RedisArg[][] {
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const out: RedisArg[][] = [];
  let db = -1;
  const single = (i: number): RedisArg[][] => {
    const k = `${tag}:${i}`;
    switch (pick(16)) {
      case 0:
        return [['SET', `str:${k}`, `value-${i}-${'v'.repeat(pick(40))}`]];
      case 1:
        return [['SET', `bin:${k}`, ALL_BYTES]];
      case 2:
        return [['SET', `tricky:${k}`, TRICKY], ['APPEND', `tricky:${k}`, Buffer.from([0, 13, 10, 255])]];
      case 3:
        return [['RPUSH', `list:${tag}`, ...Array.from({ length: 1 + pick(20) }, (_, j) => `item-${i}-${j}`)]];
      case 4:
        return [['HSET', `hash:${tag}:${pick(4)}`, `f${i}`, `v${i}`, 'bin', ALL_BYTES.subarray(pick(200))]];
      case 5:
        return [['SADD', `set:${tag}`, `m${i}`, `m${i + 1}`, String(i)]];
      case 6:
        return [['ZADD', `zset:${tag}`, String(i / 7), `z${i}`, String(-i), `neg${i}`]];
      case 7:
        return [['INCRBY', `counter:shared`, String(1 + pick(100))]];
      case 8:
        return [['SET', `ttl:${k}`, 'expiring', 'EX', String(10_000 + pick(1000))]];
      case 9:
        return [['SET', `p:${k}`, 'x'], ['PEXPIRE', `p:${k}`, String(50_000_000 + pick(1000))]];
      case 10:
        return [['XADD', `stream:${tag}`, `${1000 + i}-${pick(5)}`, 'field', `value-${i}`, 'bin', ALL_BYTES.subarray(0, 32)]];
      case 11:
        return [['SETRANGE', `range:${tag}`, String(pick(64)), `r${i}`]];
      case 12:
        return [['DEL', `str:${tag}:${i - 1 - pick(5)}`, `bin:${tag}:${i - 1 - pick(5)}`]];
      case 13:
        return pick(4) === 0 ? [['SET', `big:${k}`, Buffer.alloc(8_000 + pick(20_000), `big-${i}-`)]] : [['LPUSH', `list:shared`, `l${i}`]];
      case 14:
        return [['ZINCRBY', `zset:shared`, '1.5', `member-${pick(10)}`]];
      default:
        return [['SET', Buffer.concat([Buffer.from(`binkey:${k}:`), ALL_BYTES.subarray(0, 16)]), `${i}`]];
    }
  };
  let i = 0;
  while (out.length < count) {
    if (db < 0 || pick(12) === 0) {
      db = pick(4);
      out.push(['SELECT', String(db)]);
    }
    if (pick(9) === 0) {
      const block: RedisArg[][] = [];
      for (let n = 1 + pick(4); n > 0; n--) block.push(...single(i++));
      out.push(['MULTI'], ...block, ['EXEC']);
    } else {
      out.push(...single(i++));
    }
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `commands` in `batches` pipelined batches with a pause between them (to cross wall-clock seconds). */
export async function sendInBatches(server: RedisHandle, commands: readonly RedisArg[][], batches: number, pauseMs: number): Promise<void> {
  // Split on command boundaries outside MULTI so a transaction never spans a pause.
  const size = Math.ceil(commands.length / batches);
  let start = 0;
  while (start < commands.length) {
    let end = Math.min(commands.length, start + size);
    let open = false;
    for (let k = start; k < end; k++) {
      const name = String(commands[k]?.[0]).toUpperCase();
      if (name === 'MULTI') open = true;
      else if (name === 'EXEC') open = false;
    }
    while (open && end < commands.length) {
      if (String(commands[end]?.[0]).toUpperCase() === 'EXEC') open = false;
      end++;
    }
    await server.callMany(commands.slice(start, end));
    start = end;
    if (start < commands.length && pauseMs > 0) await sleep(pauseMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Generating sets with a real server

export interface AofFile {
  /** File name as the manifest gives it. */
  name: string;
  role: 'base' | 'incr' | 'single';
  data: Buffer;
}

/** A multi-part AOF set as Redis wrote it: the manifest and the files in load order. */
export interface GeneratedAof {
  label: string;
  manifestName: string;
  manifest: string;
  files: AofFile[];
  /** The commands sent, per phase (before the first rewrite, between, after the failed one). */
  phases: RedisArg[][][];
}

export interface GenerateOptions {
  label: string;
  /** `aof-use-rdb-preamble`: BASE is an .rdb when true, RESP .aof when false. */
  preamble: boolean;
  /** `aof-timestamp-enabled`. */
  timestamps: boolean;
  seed: number;
  /** Commands per phase. */
  perPhase: number;
  /** Pause between the batches of a phase (ms); with timestamps, > 1 s in all gives several `#TS:` lines. */
  pauseMs: number;
  /** Batches per phase. */
  batches?: number;
}

async function info(server: RedisHandle, section: string): Promise<Record<string, string>> {
  const text = String(await server.call('INFO', section));
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

export async function waitRewriteDone(server: RedisHandle, timeoutMs = 20_000): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const persistence = await info(server, 'persistence');
    if (persistence.aof_rewrite_in_progress === '0' && persistence.aof_rewrite_scheduled === '0') return persistence;
    if (Date.now() > deadline) throw new Error(`AOF rewrite still running after ${timeoutMs} ms\n${server.log()}`);
    await sleep(20);
  }
}

/** Children of a process (every thread's), from /proc. */
export async function childPids(pid: number): Promise<number[]> {
  const pids: number[] = [];
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return pids;
  }
  for (const task of tasks) {
    try {
      const text = await readFile(`/proc/${pid}/task/${task}/children`, 'latin1');
      for (const word of text.split(/\s+/)) if (word !== '') pids.push(Number(word));
    } catch {
      // the thread is gone
    }
  }
  return pids;
}

/**
 * Runs a server through: phase 1 writes, BGREWRITEAOF (succeeds), phase 2 writes, BGREWRITEAOF whose child
 * is SIGKILLed (the manifest keeps the INCR it opened), phase 3 writes. Returns BASE + two INCR files.
 */
export async function generateServerAof(options: GenerateOptions): Promise<GeneratedAof> {
  const dir = await makeTempDir(`redback-aofset-${options.label}-`);
  const server = await startRedis({
    dir,
    appendonly: true,
    appenddirname: 'appendonlydir',
    appendfilename: 'appendonly.aof',
    extraConfig: {
      'aof-use-rdb-preamble': options.preamble ? 'yes' : 'no',
      'aof-timestamp-enabled': options.timestamps ? 'yes' : 'no',
      appendfsync: 'always',
      'auto-aof-rewrite-percentage': '0',
    },
  });
  const batches = options.batches ?? 3;
  const phases = [0, 1, 2].map((phase) => workload(options.seed * 10 + phase, options.perPhase, `${options.label}${phase}`));
  try {
    await sendInBatches(server, phases[0] as RedisArg[][], batches, options.pauseMs);
    await server.call('BGREWRITEAOF');
    const first = await waitRewriteDone(server);
    if (first.aof_last_bgrewrite_status !== 'ok') throw new Error(`first rewrite failed\n${server.log()}`);
    await sendInBatches(server, phases[1] as RedisArg[][], batches, options.pauseMs);

    // A rewrite that fails: slow the child down, kill it, Redis keeps the new INCR in the manifest.
    await server.call('CONFIG', 'SET', 'rdb-key-save-delay', '1000000');
    await server.call('BGREWRITEAOF');
    let killed = false;
    for (let tries = 0; tries < 500 && !killed; tries++) {
      for (const child of await childPids(server.pid)) {
        process.kill(child, 'SIGKILL');
        killed = true;
      }
      if (!killed) await sleep(10);
    }
    if (!killed) throw new Error('could not find the rewrite child to kill');
    const second = await waitRewriteDone(server);
    if (second.aof_last_bgrewrite_status !== 'err') throw new Error(`the killed rewrite did not fail: ${JSON.stringify(second)}`);
    await server.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await sendInBatches(server, phases[2] as RedisArg[][], batches, options.pauseMs);
  } finally {
    await server.stop();
  }
  const aofDir = path.join(dir, 'appendonlydir');
  const manifestName = 'appendonly.aof.manifest';
  const manifest = await readFile(path.join(aofDir, manifestName), 'latin1');
  const files: AofFile[] = [];
  for (const line of manifest.split('\n')) {
    const match = /^file (\S+) seq \d+ type ([bi])$/.exec(line);
    if (!match) continue;
    const name = match[1] as string;
    files.push({ name, role: match[2] === 'b' ? 'base' : 'incr', data: await readFile(path.join(aofDir, name)) });
  }
  if (files.length !== 3 || files[0]?.role !== 'base') throw new Error(`expected BASE + 2 INCR in the manifest, got:\n${manifest}`);
  return { label: options.label, manifestName, manifest, files, phases };
}

/** Writes a manifest and files into `dir`; returns the manifest's path. */
export async function writeSet(dir: string, manifestName: string, manifest: string, files: readonly { name: string; data: Uint8Array }[]): Promise<string> {
  for (const file of files) await writeFile(path.join(dir, file.name), file.data);
  const manifestPath = path.join(dir, manifestName);
  await writeFile(manifestPath, manifest, 'latin1');
  return manifestPath;
}

/** The manifest text with the lines naming `names` removed. */
export function manifestWithout(manifest: string, names: readonly string[]): string {
  return manifest
    .split('\n')
    .filter((line) => !names.some((name) => line.startsWith(`file ${name} `)))
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// An independent RESP splitter (for well-formed, server-written files)

export interface RespRecordSpan {
  kind: 'command' | 'annotation';
  /** Offset of the record's first byte (`*` or `#`). */
  start: number;
  /** Offset just past its final "\r\n". */
  end: number;
  /** Arguments of a command (empty for an annotation). */
  args: Buffer[];
}

function lineEnd(data: Buffer, from: number): number {
  const at = data.indexOf('\r\n', from, 'latin1');
  if (at < 0) throw new Error(`RESP: no CRLF after offset ${from}`);
  return at;
}

/**
 * Splits well-formed RESP (from `from` to the end) into records. Throws on anything unexpected: it is meant
 * for files the server wrote, before any damage is done to them.
 */
export function respRecords(data: Buffer, from = 0): RespRecordSpan[] {
  const records: RespRecordSpan[] = [];
  let pos = from;
  while (pos < data.length) {
    const type = data[pos];
    const eol = lineEnd(data, pos);
    if (type === 0x23) {
      records.push({ kind: 'annotation', start: pos, end: eol + 2, args: [] });
      pos = eol + 2;
      continue;
    }
    if (type !== 0x2a) throw new Error(`RESP: unexpected byte ${String(type)} at ${pos}`);
    const argc = Number(data.toString('latin1', pos + 1, eol));
    const args: Buffer[] = [];
    let at = eol + 2;
    for (let k = 0; k < argc; k++) {
      if (data[at] !== 0x24) throw new Error(`RESP: expected '$' at ${at}`);
      const headerEnd = lineEnd(data, at);
      const length = Number(data.toString('latin1', at + 1, headerEnd));
      const body = headerEnd + 2;
      args.push(data.subarray(body, body + length));
      if (data.toString('latin1', body + length, body + length + 2) !== '\r\n') throw new Error(`RESP: expected CRLF at ${body + length}`);
      at = body + length + 2;
    }
    records.push({ kind: 'command', start: pos, end: at, args });
    pos = at;
  }
  return records;
}

/** Upper-cased command name. */
export function commandName(record: RespRecordSpan): string {
  return (record.args[0] ?? Buffer.alloc(0)).toString('latin1').toUpperCase();
}

/**
 * Where Redis's rules put the end of the loadable prefix of a file whose bytes stop at `cut`: the end of the
 * last record that is complete before `cut` and not inside an unfinished MULTI (the cut falls before that
 * MULTI then). `records` are the file's records; `from` is where the RESP part starts.
 */
export function loadablePrefix(records: readonly RespRecordSpan[], cut: number, from = 0): number {
  let good = from;
  let inMulti = false;
  for (const record of records) {
    if (record.end > cut) break;
    // Like redis-check-aof: outside a transaction, every complete record (annotations too) moves the mark.
    if (record.kind === 'command') {
      const name = commandName(record);
      if (name === 'MULTI') inMulti = true;
      else if (name === 'EXEC') inMulti = false;
    }
    if (!inMulti) good = record.end;
  }
  return good;
}
