/**
 * The huge-value inputs of the bench (issue 7, §3): files where one value or one key is far larger than the
 * memory redback may use, made once by a real redis-server and cached in bench/.cache beside the others.
 *
 * - huge-string-raw.rdb: one string of 512 MiB of incompressible bytes (stored raw: Redis's LZF attempt fails);
 * - huge-string-lzf.rdb: one string of 512 MiB of log-like text (stored LZF-compressed);
 * - huge-hash.rdb: one hash of 5,000,000 fields (hashtable encoding, RDB type 4);
 * - huge-list.rdb: one list of 10,000,000 elements (quicklist of listpacks, RDB type 18);
 * - huge.aof: a 1 GiB RESP AOF made like bench.aof (small commands, 100 KiB–2 MiB values, MULTI/EXEC).
 *
 * Data comes from seeded generators (an AES-CTR keystream with a fixed key for the random bytes, xorshift
 * for the rest), so two generations send the same commands.
 */
// cspell:words appendonly ctr keystream quicklist listpacks hashtable xorshift RPUSH HSET

import { createCipheriv } from 'node:crypto';
import { copyFile, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MIB, generateAof } from './generate.js';
import type { Log } from './generate.js';
import type { Arg, RespClient } from './resp-client.js';
import { startRedis } from './redis-server.js';

/** Bump when the huge inputs change, so stale caches are rebuilt. */
export const HUGE_VERSION = 1;

export const STRING_BYTES = 512 * MIB;
export const HASH_FIELDS = 5_000_000;
export const LIST_ELEMENTS = 10_000_000;
export const AOF_MIN_BYTES = 1024 * MIB;

/** One cached huge input. */
export interface HugeInput {
  id: 'string-raw' | 'string-lzf' | 'hash' | 'list' | 'aof';
  file: string;
  /** What it holds, for the table. */
  what: string;
  size: number;
}

/** The cache's record of what was generated (bench/.cache/huge-meta.json). */
interface HugeMeta {
  version: number;
  inputs: Partial<Record<HugeInput['id'], { size: number; seconds: number }>>;
}

const FILES: Record<HugeInput['id'], { file: string; what: string }> = {
  'string-raw': { file: 'huge-string-raw.rdb', what: 'one raw string of 512 MiB' },
  'string-lzf': { file: 'huge-string-lzf.rdb', what: 'one LZF string of 512 MiB' },
  hash: { file: 'huge-hash.rdb', what: `one hash of ${HASH_FIELDS.toLocaleString('en')} fields` },
  list: { file: 'huge-list.rdb', what: `one list of ${LIST_ELEMENTS.toLocaleString('en')} elements` },
  aof: { file: 'huge.aof', what: 'a 1 GiB AOF' },
};

class Xorshift {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  u32(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return x;
  }
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:.';

function text(rng: Xorshift, min: number, max: number): string {
  const length = min + rng.int(max - min + 1);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[rng.int(ALPHABET.length)];
  return out;
}

/** A deterministic stream of incompressible bytes: AES-256-CTR over zeros with a fixed key. */
function randomBytes(): (length: number) => Buffer {
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 1));
  return (length) => cipher.update(Buffer.alloc(length));
}

/** Log-like text that LZF compresses about 6 to 1 (random numbers break up the repeats). */
function logText(rng: Xorshift, length: number): Buffer {
  const words = ['GET /api/v1/users', 'POST /api/v1/orders', 'GET /static/app.js', 'PUT /api/v1/cart', 'GET /health'];
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  while (at < length) {
    const line = `2026-11-${String(1 + rng.int(28)).padStart(2, '0')}T${String(rng.int(24)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}Z host=web-${rng.int(16)} ${words[rng.int(words.length)]} status=${rng.int(8) === 0 ? 500 : 200} bytes=${rng.int(100000)} ms=${rng.int(1000)}\n`;
    at += out.write(line, at, 'latin1');
  }
  return out;
}

/** Saves the server's single key to `target`, then empties the server. */
async function saveTo(c: RespClient, dir: string, target: string): Promise<void> {
  await c.sync();
  if (c.errorCount > 0) throw new Error(`${path.basename(target)}: ${c.errorCount} error replies, e.g. ${c.errors.join(' | ')}`);
  await c.call(['SAVE']);
  await copyFile(path.join(dir, 'dump.rdb'), `${target}.tmp`);
  await rename(`${target}.tmp`, target);
  await c.call(['FLUSHALL']);
}

async function fillRawString(c: RespClient): Promise<void> {
  const next = randomBytes();
  const piece = 16 * MIB;
  for (let at = 0; at < STRING_BYTES; at += piece) await c.send(['APPEND', 'huge:string', next(piece)]);
}

async function fillLzfString(c: RespClient): Promise<void> {
  const rng = new Xorshift(0x5eed_0003);
  const piece = 16 * MIB;
  for (let at = 0; at < STRING_BYTES; at += piece) await c.send(['APPEND', 'huge:string', logText(rng, piece)]);
}

async function fillHash(c: RespClient): Promise<void> {
  const rng = new Xorshift(0x5eed_0004);
  for (let i = 0; i < HASH_FIELDS; ) {
    const args: Arg[] = ['HSET', 'huge:hash'];
    for (let j = 0; j < 1000 && i < HASH_FIELDS; j++, i++) args.push(`field:${i}:${text(rng, 2, 12)}`, rng.int(5) === 0 ? rng.u32() : text(rng, 4, 40));
    await c.send(args);
  }
}

async function fillList(c: RespClient): Promise<void> {
  const rng = new Xorshift(0x5eed_0005);
  for (let i = 0; i < LIST_ELEMENTS; ) {
    const args: Arg[] = ['RPUSH', 'huge:list'];
    for (let j = 0; j < 1000 && i < LIST_ELEMENTS; j++, i++) args.push(rng.int(5) === 0 ? rng.u32() - 2147483648 : text(rng, 4, 40));
    await c.send(args);
  }
}

const FILLERS: Record<Exclude<HugeInput['id'], 'aof'>, (c: RespClient) => Promise<void>> = {
  'string-raw': fillRawString,
  'string-lzf': fillLzfString,
  hash: fillHash,
  list: fillList,
};

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

/**
 * Makes the huge inputs that are missing or stale in `cache` (all of them with `regenerate`) and returns
 * them all. RDBs come from one redis-server (SAVE, copy, FLUSHALL per file); the AOF from the generator of
 * bench.aof, run until 1 GiB.
 */
export async function ensureHugeInputs(cache: string, log: Log, regenerate: boolean): Promise<HugeInput[]> {
  const metaFile = path.join(cache, 'huge-meta.json');
  let meta: HugeMeta = { version: HUGE_VERSION, inputs: {} };
  try {
    const stored = JSON.parse(await readFile(metaFile, 'utf8')) as HugeMeta;
    if (stored.version === HUGE_VERSION) meta = stored;
  } catch {
    // no cache yet
  }
  const ids = Object.keys(FILES) as HugeInput['id'][];
  const stale: HugeInput['id'][] = [];
  for (const id of ids) {
    const size = await fileSize(path.join(cache, FILES[id].file));
    if (regenerate || size === undefined || meta.inputs[id]?.size !== size) stale.push(id);
  }
  const rdbInputs = stale.filter((id): id is Exclude<HugeInput['id'], 'aof'> => id !== 'aof');
  if (rdbInputs.length > 0) {
    const server = await startRedis([]);
    try {
      log(`  redis-server on 127.0.0.1:${server.port} for ${rdbInputs.join(', ')}`);
      for (const id of rdbInputs) {
        const started = performance.now();
        const target = path.join(cache, FILES[id].file);
        log(`generating ${path.basename(target)} (${FILES[id].what}) ...`);
        await FILLERS[id](server.client);
        await saveTo(server.client, server.dir, target);
        const size = (await stat(target)).size;
        meta.inputs[id] = { size, seconds: (performance.now() - started) / 1000 };
        await writeFile(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
        log(`  -> ${path.basename(target)}: ${(size / MIB).toFixed(1)} MiB in ${meta.inputs[id]?.seconds.toFixed(1)} s`);
      }
      await server.stop();
    } finally {
      await server.dispose();
    }
  }
  if (stale.includes('aof')) {
    const started = performance.now();
    const target = path.join(cache, FILES.aof.file);
    log(`generating ${path.basename(target)} (${FILES.aof.what}) ...`);
    const info = await generateAof(target, log, AOF_MIN_BYTES);
    meta.inputs.aof = { size: info.size, seconds: (performance.now() - started) / 1000 };
    await writeFile(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
    log(`  -> ${path.basename(target)}: ${(info.size / MIB).toFixed(1)} MiB, ${info.commands} commands, in ${meta.inputs.aof.seconds.toFixed(1)} s`);
  }
  return ids.map((id) => ({ id, file: path.join(cache, FILES[id].file), what: FILES[id].what, size: meta.inputs[id]?.size ?? 0 }));
}
