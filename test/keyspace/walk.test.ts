/**
 * The keyspace walk (walk.ts) round-trips: a dataset replayed from commands, walked, written by the RDB
 * writer and by the AOF rewrite writer, then read back (the RDB through the RDB loader, the AOF through the
 * replay engine) gives the same reply-visible state; batches stay bounded. Also: replay up to a cut, and the
 * default target of a rewrite (the release of the input's RDB preamble).
 */
// cspell:words fieldttl keyspace hset hexpire xadd xgroup xreadgroup rpush zadd sadd pfadd
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { UsageError } from '../../src/errors.js';
import { snapshotAt } from '../../src/keyspace/snapshot.js';
import { replayAof, replayAofBuffer, replayCommands } from '../../src/keyspace/replay.js';
import { walkKeyspace, walkKeyspaceAsync } from '../../src/keyspace/walk.js';
import { rewriteAof } from '../../src/operations/rewrite.js';
import { writeAof } from '../../src/output/aof.js';
import { resolveTarget } from '../../src/rdb/targets.js';
import { writeRdbRecords } from '../../src/rdb/writer.js';
import { newWriteReport } from '../../src/rdb/write-report.js';
import { generateWorkload } from '../support/workload.js';
import { compareStates, modelState } from '../support/keyspace-state.js';
import type { RdbRecord } from '../../src/rdb/model.js';

async function collect(pieces: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of pieces) parts.push(p.slice());
  return Buffer.concat(parts);
}

const NOW = Date.UTC(2026, 0, 1);

function dataset(seed: number) {
  const commands = generateWorkload({ seed, commands: 800, now: NOW }).filter((c) => c[0] !== '__DUMP_RESTORE__');
  const extra: string[][] = [
    ['SELECT', '0'],
    ['HSET', 'fieldttl', 'a', '1', 'b', '2'],
    ['HPEXPIREAT', 'fieldttl', String(NOW + 3_600_000), 'FIELDS', '1', 'a'],
    ['RPUSH', 'bigList', ...Array.from({ length: 3000 }, (_, i) => `e${i}`)],
    ['SET', 'long', 'x'.repeat(70_000)],
  ];
  return replayCommands([...commands, ...extra], { now: NOW, skipUnsupported: true });
}

describe('walkKeyspace', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: RDB written from the walk loads back to the same state`, async () => {
      const { keyspace } = dataset(seed);
      const report = newWriteReport();
      const rdb = await collect(writeRdbRecords(walkKeyspaceAsync(keyspace, { header: { magic: 'REDIS', version: 12 } }), { now: NOW }, report));
      const back = replayAofBuffer(rdb, { now: NOW });
      expect(compareStates(modelState(keyspace, NOW), modelState(back.keyspace, NOW))).toEqual([]);
    });

    it(`seed ${seed}: the AOF rewrite of the walk replays to the same state`, async () => {
      const { keyspace } = dataset(seed);
      const aof = await collect(writeAof(walkKeyspaceAsync(keyspace)));
      const back = replayAofBuffer(aof, { now: NOW });
      expect(compareStates(modelState(keyspace, NOW), modelState(back.keyspace, NOW), { ignoreSeenTime: true })).toEqual([]);
    });
  }

  it('hands out bounded batches with every record kind in RDB order', () => {
    const { keyspace } = dataset(3);
    const batches = [...walkKeyspace(keyspace, { batchRecords: 50, chunkElements: 100 })];
    expect(batches.length).toBeGreaterThan(5);
    const records: RdbRecord[] = batches.flat();
    expect(records[0]?.kind).toBe('header');
    expect(records.at(-1)?.kind).toBe('eof');
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(50 + 110);
    const keys = records.filter((r) => r.kind === 'key').length;
    expect(keys).toBe(keyspace.size);
    expect(records.filter((r) => r.kind === 'key-end').length).toBe(keys);
  });
});

describe('replayAof up to a cut (snapshotAt)', () => {
  it('leaves out the command at the cut and after it, drops a transaction the cut splits, and refuses a cut it cannot make', async () => {
    const enc = new TextEncoder();
    const parts = [['SET', 'a', '1'], ['MULTI'], ['SET', 'b', '2'], ['EXEC'], ['SET', 'c', '3']].map((c) => Buffer.concat(encodeCommand(c.map((x) => enc.encode(x)))));
    const offsets: number[] = [];
    let at = 0;
    for (const p of parts) {
      offsets.push(at);
      at += p.length;
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'redback-cut-'));
    const file = path.join(dir, 'appendonly.aof');
    await writeFile(file, Buffer.concat(parts));
    const keysAt = async (offset: number): Promise<string[]> => [...(await snapshotAt(file, { file, offset })).keyspace.db(0).keyNames()].sort();
    expect(await keysAt(0)).toEqual([]);
    expect(await keysAt(offsets[1] as number)).toEqual(['a']);
    // Inside MULTI … EXEC: the transaction is dropped, as at the end of a truncated AOF.
    const inside = await replayAof(file, { stopBefore: { file, offset: offsets[3] as number } });
    expect([...inside.keyspace.db(0).keyNames()]).toEqual(['a']);
    expect(inside.report.droppedTransaction).toMatchObject({ commands: 1 });
    expect(inside.report.stoppedAt).toEqual({ file, offset: offsets[3] });
    expect(await keysAt(offsets[4] as number)).toEqual(['a', 'b']);
    expect(await keysAt(at)).toEqual(['a', 'b', 'c']);
    await expect(snapshotAt(file, { file: path.join(dir, 'other.aof'), offset: 0 })).rejects.toBeInstanceOf(UsageError);
    const progress: number[] = [];
    await replayAof(file, { onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(at);
  });
});

describe('rewriteAof of an AOF a Redis 6 wrote', () => {
  it('writes for the release of its RDB preamble, leaving out the stream counters that release does not keep', async () => {
    const { keyspace } = replayCommands([['SET', 'a', '1'], ['XADD', 's', '1-1', 'f', 'v'], ['XADD', 's', '2-1', 'f', 'v']], { now: NOW });
    const preamble = await collect(writeRdbRecords(walkKeyspaceAsync(keyspace), { target: resolveTarget('6.2'), aofPreamble: true, now: NOW }, newWriteReport()));
    const tail = Buffer.concat([['XDEL', 's', '1-1'], ['SET', 'b', '2']].flatMap((c) => encodeCommand(c.map((x) => new TextEncoder().encode(x)))));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'redback-rdb9-'));
    const file = path.join(dir, 'appendonly.aof');
    await writeFile(file, Buffer.concat([preamble, tail]));
    const report = await rewriteAof(file, { output: path.join(dir, 'out.aof'), now: NOW });
    expect(report.target).toMatchObject({ name: 'redis-6.2', rdbVersion: 9 });
    expect(report.dropped).toEqual({ 'stream-metadata': 1 });
    const back = await replayAof(path.join(dir, 'out.aof'), { now: NOW });
    expect([...back.keyspace.db(0).keyNames()].sort()).toEqual(['a', 'b', 's']);
  });
});
