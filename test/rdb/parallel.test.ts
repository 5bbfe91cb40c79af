/**
 * Reading an RDB in parallel parts (`check --threads`) must give exactly the report of one pass: same
 * verdict, counts, first error and offset, checksum. The oracle is the single pass, on real files and on
 * generated ones large enough to be cut into many parts, whole and damaged.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc64 } from '../../src/codecs/crc64.js';
import { encodeListpack } from '../../src/rdb/listpack.js';
import { checkRdb } from '../../src/operations/check-rdb.js';
import { InputOutputError } from '../../src/errors.js';
import { plausibleRecord, startBytes, summarizeRdbFile } from '../../src/operations/rdb-parallel.js';
import { readRdbSync } from '../../src/rdb/reader.js';
import { PEER_DIR, REPO_ROOT } from '../support/paths.js';

const NOW = Date.UTC(2026, 0, 1);
const FIXTURE = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');
const WORKER = path.join(REPO_ROOT, 'dist/src/operations/rdb-part-worker.js');

const ascii = (text: string): number[] => [...new TextEncoder().encode(text)];

/** An RDB length (6, 14 or 32 bits). */
function length(n: number): number[] {
  if (n < 64) return [n];
  if (n < 16384) return [0x40 | (n >> 8), n & 0xff];
  return [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function string(bytes: number[]): number[] {
  return [...length(bytes.length), ...bytes];
}

/**
 * A valid RDB 10 of `keys` keys over three databases: plain strings of varied sizes, integers, strings with
 * an expiry, listpack hashes and plain sets; a seeded pseudo-random mix, with the right CRC.
 */
function generatedRdb(keys: number): Uint8Array {
  let seed = 12345;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const out: number[] = [...ascii('REDIS0010'), 0xfa, ...string(ascii('redis-ver')), ...string(ascii('7.0.15'))];
  for (let i = 0; i < keys; i++) {
    if (i === 0 || i === Math.floor(keys / 3) || i === Math.floor((2 * keys) / 3)) out.push(0xfe, ...length(Math.floor((3 * i) / keys) * 3));
    const name = ascii(`key:${i}`);
    const kind = random(5);
    if (kind === 0) {
      out.push(0, ...string(name), ...string(ascii('v'.repeat(1 + random(300)))));
    } else if (kind === 1) {
      out.push(0, ...string(name), 0xc1, random(256), random(128));
    } else if (kind === 2) {
      out.push(0xfc, ...[random(256), random(256), random(256), random(256), 0x90, 0x01, 0, 0], 0, ...string(name), ...string(ascii(`value ${i}`)));
    } else if (kind === 3) {
      const entries: Uint8Array[] = [];
      for (let f = 0; f < 1 + random(8); f++) entries.push(Uint8Array.from(ascii(`f${f}`)), Uint8Array.from(ascii(`x${random(1000)}`)));
      out.push(16, ...string(name), ...string([...encodeListpack(entries)]));
    } else {
      const members = 1 + random(20);
      out.push(2, ...string(name), ...length(members));
      for (let m = 0; m < members; m++) out.push(...string(ascii(`member-${m}-${random(10)}`)));
    }
  }
  out.push(0xff);
  const body = Uint8Array.from(out);
  const crc = crc64(body);
  const file = new Uint8Array(body.length + 8);
  file.set(body);
  for (let i = 0; i < 8; i++) file[body.length + i] = Number((crc >> BigInt(8 * i)) & 0xffn);
  return file;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'redback-parallel-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

async function bothWays(file: string): Promise<void> {
  const single = await checkRdb(file, { now: NOW, name: 'f.rdb', threads: 1 });
  const parallel = await checkRdb(file, { now: NOW, name: 'f.rdb', threads: 2, minPartBytes: 2048 });
  expect(parallel).toEqual(single);
}

describe('check --threads', () => {
  it('needs the compiled worker (npm test builds it first)', () => {
    expect(existsSync(WORKER), `${WORKER} is missing: run npm run build`).toBe(true);
  });

  it('really cuts a large file into parts, and reads it to the same report', async () => {
    const file = write('generated.rdb', generatedRdb(4000));
    const parts = await summarizeRdbFile(file, { now: NOW, detail: false, threads: 2, minPartBytes: 2048 });
    expect(parts.parts).toBeGreaterThan(3);
    expect(parts.summary.error).toBeUndefined();
    expect(parts.summary.checksum).toBe('ok');
    expect(parts.summary.keys).toBe(4000);
    await bothWays(file);
  });

  it('gives the same report on the Redis 7.0 fixture', async () => {
    await bothWays(FIXTURE);
  });

  it('finds a checksum mismatch that only the combined CRC shows', async () => {
    const data = generatedRdb(4000);
    // A byte inside a string value near the end: the structure stays valid, only the CRC changes.
    const at = Buffer.from(data).lastIndexOf(Buffer.from('vvvvvvvv')) + 3;
    data[at] = 0x77;
    const file = write('bad-crc.rdb', data);
    const parallel = await checkRdb(file, { now: NOW, threads: 2, minPartBytes: 2048 });
    expect(parallel.valid).toBe(false);
    expect(parallel.error?.kind).toBe('checksum');
    expect(parallel.error?.offset).toBe(data.length - 8);
    await bothWays(file);
  });

  it('gives the same first error, offset and counts on truncated and damaged copies', async () => {
    const data = generatedRdb(3000);
    const cuts = [9, 100, 5000, 20_000, 33_333, 50_000, Math.floor(data.length / 2), data.length - 9, data.length - 1];
    for (const cut of cuts) await bothWays(write(`cut-${cut}.rdb`, data.subarray(0, Math.min(cut, data.length))));
    let seed = 7;
    for (let i = 0; i < 24; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const copy = data.slice();
      const at = 9 + (seed % (data.length - 9));
      copy[at] = (copy[at] as number) ^ (1 + (seed % 255));
      await bothWays(write(`flip-${i}.rdb`, copy));
    }
    const trailing = new Uint8Array(data.length + 100);
    trailing.set(data);
    await bothWays(write('trailing.rdb', trailing));
  });

  it('reads the same whichever boundary guesses it starts from', async () => {
    const file = write('generated-2.rdb', generatedRdb(6000));
    const single = await checkRdb(file, { now: NOW, threads: 1 });
    for (const minPartBytes of [1024, 3000, 7777, 20_000]) {
      for (const threads of [2, 3]) {
        expect(await checkRdb(file, { now: NOW, threads, minPartBytes })).toEqual(single);
      }
    }
  });

  it('reports a missing file the same way', async () => {
    const missing = path.join(dir, 'missing.rdb');
    for (const threads of [1, 2]) {
      const error = await checkRdb(missing, { threads }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InputOutputError);
      expect((error as InputOutputError).toLine()).toBe(`${missing}: no such file or directory`);
    }
  });
});

describe('check with the CRC on a second thread', () => {
  async function sameAsOneThread(file: string): Promise<void> {
    const alone = await checkRdb(file, { now: NOW, name: 'f.rdb', crcThread: false });
    const beside = await checkRdb(file, { now: NOW, name: 'f.rdb', crcThreadMinBytes: 0 });
    expect(beside).toEqual(alone);
  }

  it('gives the same report on valid, damaged, cut and padded files', async () => {
    const data = generatedRdb(2000);
    await sameAsOneThread(write('crc-valid.rdb', data));
    const badCrc = data.slice();
    badCrc[Buffer.from(badCrc).lastIndexOf(Buffer.from('vvvvvvvv')) + 2] = 0x41;
    await sameAsOneThread(write('crc-bad.rdb', badCrc));
    const badStored = data.slice();
    badStored[data.length - 3] = (badStored[data.length - 3] as number) ^ 1;
    await sameAsOneThread(write('crc-bad-stored.rdb', badStored));
    const padded = new Uint8Array(data.length + 50);
    padded.set(data);
    await sameAsOneThread(write('crc-padded.rdb', padded)); // the checksum is not at the end: computed here
    await sameAsOneThread(write('crc-cut.rdb', data.subarray(0, data.length - 4)));
    const noChecksum = data.slice();
    noChecksum.fill(0, data.length - 8);
    await sameAsOneThread(write('crc-disabled.rdb', noChecksum));
    expect((await checkRdb(path.join(dir, 'crc-bad.rdb'), { now: NOW, crcThreadMinBytes: 0 })).error?.kind).toBe('checksum');
  });
});

describe('the boundary guess filter', () => {
  it('never turns down a real record start that a part may begin at (on real files and a generated one)', () => {
    const files = [FIXTURE, write('filter.rdb', generatedRdb(3000))];
    for (const name of [
      'redis__redis/tests/assets/encodings.rdb',
      'HDT3213__rdb/cases/listpack.rdb',
      'sripathikrishnan__redis-rdb-tools/tests/dumps/redis_50_with_streams.rdb',
      'leonchen83__redis-replicator/src/test/resources/dumpV11.rdb',
      'leonchen83__redis-replicator/src/test/resources/dump-module-2.rdb',
      'leonchen83__redis-replicator/src/test/resources/dump-slot.rdb',
    ]) {
      if (existsSync(path.join(PEER_DIR, name))) files.push(path.join(PEER_DIR, name));
    }
    let checked = 0;
    for (const file of files) {
      const data = new Uint8Array(readFileSync(file));
      const records = [...readRdbSync(data, { materialize: false })];
      const header = records[0];
      if (header?.kind !== 'header') throw new Error('no header');
      const starts = startBytes({ magic: header.magic, version: header.version });
      for (const record of records) {
        const at = record.kind === 'key' ? record.offset : record.kind === 'selectdb' ? record.offset : undefined;
        if (at === undefined || starts[data[at] as number] !== 1) continue;
        expect(plausibleRecord(data, at, starts), `${path.basename(file)} at ${at}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3000);
  });
});
