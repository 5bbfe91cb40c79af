/**
 * Fuzzing `check` and `inspect` with mutants of real files: the RDBs and AOFs of fixtures/ and, when present,
 * of ../shared/fixtures/peer (files up to 32 KiB), cut short, with bits flipped, with a huge length written
 * over a real length field, with bytes inserted or deleted, wrapped in an LZ4 frame, and LZ4 frames damaged
 * in turn. Whatever the bytes, only our own errors may come out: a RedbackError, or a report of one, on one
 * line naming the file and a byte offset — never a TypeError, a RangeError, a stack trace or a hang.
 *
 * The mutants run in a child process (test/support/fuzz-driver.mjs, over the built dist/) with a 96 MiB
 * heap, each operation within a time limit and the whole run within a memory limit, so a hang or a runaway
 * allocation is caught and named instead of taking the test runner down. A few mutants also go through the
 * command line. Seeded and reproducible: REDBACK_FUZZ_SEED picks the seed, REDBACK_FUZZ_CASES the number of
 * mutants (default 240, a few tens of seconds).
 */
// cspell:words mulberry
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lz4EncodeBuffer } from '../../src/codecs/lz4.js';
import { readRdbAll } from '../../src/rdb/reader.js';
import { makeTempDir } from '../support/redis.js';
import { PEER_DIR, REPO_ROOT } from '../support/paths.js';

const SEED = Number(process.env.REDBACK_FUZZ_SEED ?? 0x7ed5);
const CASES = Number(process.env.REDBACK_FUZZ_CASES ?? 240);
const MAX_SOURCE = 32 * 1024;
/** Longest one operation on a mutant of a few KiB may take (generous: the machine may be busy). */
const OP_LIMIT_MS = 10_000;
/** Peak RSS the child may reach: a mutant declaring gigabytes must not make us allocate them. */
const RSS_LIMIT_MIB = 256;
const BIN = join(REPO_ROOT, 'bin/run.js');
const DRIVER = join(REPO_ROOT, 'test/support/fuzz-driver.mjs');

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): { int(n: number): number; pick<T>(items: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  };
}

interface Source {
  name: string;
  data: Uint8Array;
  kind: 'rdb' | 'aof';
  /** Offsets of length fields worth overwriting with a huge value. */
  lengths: number[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Where RDB records and values start (their first byte is a type, an opcode or a length). */
function rdbLengths(data: Uint8Array): number[] {
  try {
    const offsets: number[] = [];
    for (const record of readRdbAll(data)) {
      if (record.kind === 'key') offsets.push(record.offset + 1, record.offset + record.length);
      else if (record.kind === 'value') offsets.push(record.offset);
      else if (record.kind === 'aux') offsets.push(record.offset + 1);
    }
    return offsets;
  } catch {
    return [];
  }
}

/** Where RESP counts start: the digits after a `*` or `$` at the start of a line. */
function aofLengths(data: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let i = 0; i < data.length - 1 && offsets.length < 4096; i++) {
    if ((data[i] === 0x2a || data[i] === 0x24) && (i === 0 || data[i - 1] === 0x0a)) offsets.push(i + 1);
  }
  return offsets;
}

function sources(): Source[] {
  const files = walk(join(REPO_ROOT, 'fixtures')).filter((f) => f.endsWith('.rdb'));
  if (existsSync(PEER_DIR)) files.push(...walk(PEER_DIR).filter((f) => /\.(rdb|aof)$/.test(f) && statSync(f).size <= MAX_SOURCE));
  const out: Source[] = [];
  for (const file of files.sort()) {
    const data = new Uint8Array(readFileSync(file));
    if (data.length === 0) continue;
    const head = new TextDecoder('latin1').decode(data.subarray(0, 6));
    const kind = head.startsWith('REDIS') || head.startsWith('VALKEY') ? 'rdb' : 'aof';
    const name = file.startsWith(PEER_DIR) ? `peer/${relative(PEER_DIR, file)}` : relative(REPO_ROOT, file);
    out.push({ name, data, kind, lengths: kind === 'rdb' ? rdbLengths(data) : aofLengths(data) });
  }
  return out;
}

const HUGE_RDB = [
  Uint8Array.of(0x80, 0x7f, 0xff, 0xff, 0xff), // 2^31-1 as a 32-bit length
  Uint8Array.of(0x81, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00), // 2^40 as a 64-bit length
  Uint8Array.of(0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe), // past 2^53
  Uint8Array.of(0xc3, 0x80, 0x7f, 0xff, 0xff, 0xff, 0x80, 0x7f, 0xff, 0xff, 0xff), // an LZF string of 2 GiB
  Uint8Array.of(0xc3, 0x05, 0x80, 0x7f, 0xff, 0xff, 0xff), // 5 compressed bytes said to give 2 GiB
];
const HUGE_AOF = ['2147483647', '9223372036854775807', '99999999999999999999', '-1', '536870913'].map((text) => new TextEncoder().encode(text));

type Mutation = 'truncate' | 'flip' | 'huge-length' | 'insert' | 'delete' | 'lz4' | 'lz4-damaged';
const MUTATIONS: Mutation[] = ['truncate', 'flip', 'huge-length', 'insert', 'delete', 'flip', 'huge-length', 'lz4', 'lz4-damaged'];

function splice(data: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length - remove + insert.length);
  out.set(data.subarray(0, at), 0);
  out.set(insert, at);
  out.set(data.subarray(at + remove), at + insert.length);
  return out;
}

function mutate(source: Source, mutation: Mutation, rng: ReturnType<typeof prng>): Uint8Array {
  const data = source.data;
  switch (mutation) {
    case 'truncate':
      return data.slice(0, rng.int(data.length));
    case 'flip': {
      const copy = data.slice();
      for (let n = 1 + rng.int(8); n > 0; n--) {
        const at = rng.int(copy.length);
        copy[at] = (copy[at] as number) ^ (1 << rng.int(8));
      }
      return copy;
    }
    case 'huge-length': {
      const at = source.lengths.length > 0 ? rng.pick(source.lengths) : rng.int(data.length);
      if (source.kind === 'rdb') {
        const pattern = rng.pick(HUGE_RDB);
        return splice(data, at, Math.min(pattern.length, data.length - at), pattern);
      }
      let digits = 0;
      while (at + digits < data.length && data[at + digits] !== 0x0d) digits++;
      return splice(data, at, digits, rng.pick(HUGE_AOF));
    }
    case 'insert': {
      const bytes = new Uint8Array(1 + rng.int(32));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(4) === 0 ? (data[rng.int(data.length)] as number) : rng.int(256);
      return splice(data, rng.int(data.length + 1), 0, bytes);
    }
    case 'delete': {
      const at = rng.int(data.length);
      return splice(data, at, Math.min(1 + rng.int(64), data.length - at), new Uint8Array(0));
    }
    case 'lz4':
      return lz4EncodeBuffer(mutate(source, rng.pick(['truncate', 'flip', 'huge-length', 'insert', 'delete'] as const), rng));
    case 'lz4-damaged': {
      const frame = lz4EncodeBuffer(data, { blockSize: 65536 });
      if (rng.int(2) === 0) return frame.slice(0, rng.int(frame.length));
      const copy = frame.slice();
      for (let n = 1 + rng.int(4); n > 0; n--) {
        const at = rng.int(copy.length);
        copy[at] = (copy[at] as number) ^ (1 << rng.int(8));
      }
      return copy;
    }
  }
}

interface Step {
  path: string;
  op: string;
  ms: number;
  outcome: 'ok' | 'ours' | 'foreign';
  error?: string;
}

/** Runs the driver over `paths`; resolves to its steps, or to why it did not finish. */
function runDriver(listFile: string, timeoutMs: number): Promise<{ steps: Step[]; peakRssMiB: number; failure: string | undefined }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=96', DRIVER, REPO_ROOT, listFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const steps: Step[] = [];
    let peakRssMiB = 0;
    let current = '';
    let done = false;
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      buffered += text;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        buffered = buffered.slice(newline + 1);
        if (line.start !== undefined) current = `${String(line.op)} of ${String(line.start)}`;
        else if (line.peakRssMiB !== undefined) peakRssMiB = Math.max(peakRssMiB, line.peakRssMiB as number);
        else if (line.done === true) done = true;
        else steps.push(line as unknown as Step);
        newline = buffered.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const failure = done && code === 0 ? undefined : `the driver stopped (exit ${code ?? signal}) during ${current}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`;
      resolve({ steps, peakRssMiB, failure });
    });
  });
}

describe('fuzzing check and inspect with mutants of real files', () => {
  const haveBuild = existsSync(join(REPO_ROOT, 'dist/src/operations/check-rdb.js'));
  const all = sources();
  const rng = prng(SEED);
  const mutants: { path: string; from: string; mutation: Mutation }[] = [];
  let dir = '';

  beforeAll(async () => {
    dir = await makeTempDir('redback-fuzz-');
    for (let i = 0; i < CASES; i++) {
      const source = all[i % all.length] as Source;
      const mutation = MUTATIONS[rng.int(MUTATIONS.length)] as Mutation;
      const data = mutate(source, mutation, rng);
      const extension = `${source.kind === 'rdb' ? '.rdb' : '.aof'}${mutation.startsWith('lz4') ? '.lz4' : ''}`;
      const path = join(dir, `m${String(i).padStart(4, '0')}-${mutation}${extension}`);
      writeFileSync(path, data);
      mutants.push({ path, from: source.name, mutation });
    }
  });

  it('has real files to mutate, and a build to run them with', () => {
    expect(haveBuild, 'dist/ is missing: run npm run build (npm test does)').toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(new Set(mutants.map((m) => m.mutation)).size).toBe(new Set(MUTATIONS).size);
  });

  it('only our own one-line errors with file and offset come out, each run in bounded time and memory', async () => {
    expect(mutants.length).toBe(CASES);
    const list = join(dir, 'list.txt');
    writeFileSync(list, mutants.map((m) => m.path).join('\n'));
    const { steps, peakRssMiB, failure } = await runDriver(list, 240_000);
    const origin = new Map(mutants.map((m) => [m.path, `${m.mutation} of ${m.from}`]));
    expect(failure, failure).toBeUndefined();
    expect(steps.length).toBe(CASES * 3);
    const foreign = steps.filter((s) => s.outcome === 'foreign').map((s) => `${s.op} ${s.path} (${origin.get(s.path)}): ${s.error}`);
    expect(foreign.slice(0, 5), `${foreign.length} foreign errors (seed ${SEED})`).toEqual([]);
    const slow = steps.filter((s) => s.ms > OP_LIMIT_MS).map((s) => `${s.op} ${s.path} (${origin.get(s.path)}): ${s.ms} ms`);
    expect(slow, `seed ${SEED}`).toEqual([]);
    expect(peakRssMiB).toBeLessThan(RSS_LIMIT_MIB);
    // The mutants do exercise the error paths: most are rejected, for many different reasons.
    const rejected = steps.filter((s) => s.outcome === 'ours');
    expect(rejected.length).toBeGreaterThan(steps.length / 4);
    const reasons = new Set(rejected.map((s) => (s.error ?? '').replace(/^.*?offset \d+: /, '').replace(/\d+/g, 'N').slice(0, 40)));
    expect(reasons.size).toBeGreaterThan(20);
  }, 300_000);

  it('through the command line: exit 0 or 1, one line on stderr at most, no stack trace', () => {
    const picked = mutants.filter((_, i) => i % Math.max(1, Math.floor(CASES / 3)) === 0).slice(0, 3);
    for (const { path } of picked) {
      for (const args of [['check', path], ['inspect', path, '--json']]) {
        const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
        expect([0, 1], `${args.join(' ')}: exit ${result.status}: ${result.stderr}`).toContain(result.status);
        expect(result.stderr).not.toMatch(/\n\s+at /);
        const lines = result.stderr.trim() === '' ? [] : result.stderr.trim().split('\n');
        expect(lines.length, result.stderr).toBeLessThanOrEqual(1);
        if (lines.length === 1) expect(lines[0]).toMatch(/^redback: .*: offset \d+: /);
      }
    }
  }, 300_000);
});
