/**
 * The oracle for the AOF, multi-part, RESP and JSONL writers: a real redis-server 7.0. For every input — the
 * fixtures, the generated RDBs a 7.0 server loads, random datasets built by a server, and every peer RDB a
 * 7.0 server loads — the server's state after loading the input RDB is the truth, and each output must give
 * the same state: the same `DEBUG DIGEST` (values), the same TTLs (PEXPIRETIME of every key), the same
 * stream state beyond the entries (XINFO STREAM FULL: counters, groups, pending entries with their delivery
 * times and counts, consumers) and the same functions.
 *
 * - `--to aof`: the file loads with `appendonly yes`;
 * - `--to multipart`: the directory loads as `appendonlydir/`;
 * - `--to resp`: piped into an empty server with `redis-cli --pipe`, without an error reply;
 * - `--to jsonl`, read back by the dump reader and written again as an AOF: the same state (the JSONL → RDB
 *   path is in convert's tests once the RDB writer is there).
 *
 * Keys already expired are dropped from the records first, as the server drops them when it loads an RDB.
 */
// cspell:words appendonly
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import type { ExpectStatic } from 'vitest';
import { readDumpFile } from '../../src/input/json-dump.js';
import { writeAof, writeResp } from '../../src/output/aof.js';
import { writeJsonl } from '../../src/output/json.js';
import { writeMultipart } from '../../src/output/multipart.js';
import { newWriteReport } from '../../src/output/report.js';
import { makeDatasetRdb } from '../support/dataset.js';
import { generatedLoadableByRedis70 } from '../support/generated-rdbs.js';
import { REPO_ROOT } from '../support/paths.js';
import { HAVE_PEER, loadPeer, peerRdbNames } from '../support/prerequisites.js';
import { RedisStartError, describeWithRedis, makeTempDir } from '../support/redis.js';
import { drainTo, rdbBatches, withoutExpired } from '../support/record-sources.js';
import { aofState, pipedState, rdbState } from '../support/server-state.js';
import type { ServerState } from '../support/server-state.js';
import { PEER_DIR } from '../support/paths.js';

interface Input {
  name: string;
  /** Set before the tests run (generated files are written to a temporary folder). */
  path: string;
  /** A peer file: skipped (and counted) when the server does not load it. */
  peer: boolean;
}

const DATASET_SEEDS = [1, 2, 3];

/** Peer RDBs of a version Redis 7.0 reads (REDIS magic, version ≤ 10), one per distinct content. */
function peerInputs(): Input[] {
  const seen = new Set<string>();
  const out: Input[] = [];
  for (const name of peerRdbNames()) {
    const data = loadPeer(name);
    const header = Buffer.from(data.subarray(0, 9)).toString('latin1');
    if (!/^REDIS00(0\d|10)$/.test(header)) continue;
    const digest = createHash('sha256').update(data).digest('hex');
    if (seen.has(digest)) continue;
    seen.add(digest);
    out.push({ name: `peer/${name}`, path: path.join(PEER_DIR, name), peer: true });
  }
  return out;
}

const inputs: Input[] = [
  ...['redis-7.0-all-types.rdb', 'redis-7.0-no-checksum.rdb', 'redis-7.0-no-compression.rdb'].map((name) => ({ name: `fixtures/${name}`, path: path.join(REPO_ROOT, 'fixtures', name), peer: false })),
  ...generatedLoadableByRedis70().map((file) => ({ name: `generated/${file.name}`, path: '', peer: false })),
  ...DATASET_SEEDS.map((seed) => ({ name: `dataset/seed-${seed}`, path: '', peer: false })),
  ...(HAVE_PEER ? peerInputs() : []),
];

/**
 * Streams whose stored length is not their number of entries (a Redis 5 file has one): `<db>:<key>` → the
 * entries. Redis trusts the stored length when it loads the RDB; commands can only make the real count, and
 * the writers warn about it.
 */
async function streamsWithWrongLength(file: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let key = '';
  let entries = 0;
  for await (const batch of rdbBatches(file)) {
    for (const record of batch) {
      if (record.kind === 'key') {
        key = `${record.db}:${Buffer.from(record.key).toString('latin1')}`;
        entries = 0;
      } else if (record.kind === 'value' && record.chunk.type === 'stream-entries') entries += record.chunk.entries.length;
      else if (record.kind === 'value' && record.chunk.type === 'stream-meta' && record.chunk.meta.length !== BigInt(entries)) out.set(key, entries);
    }
  }
  return out;
}

function expectSameState(expect: ExpectStatic, actual: ServerState, truth: ServerState, what: string): void {
  expect(actual.keys, `${what}: keys`).toBe(truth.keys);
  expect(actual.digest, `${what}: DEBUG DIGEST`).toBe(truth.digest);
  expect(actual.perKey, `${what}: TTLs and stream state`).toEqual(truth.perKey);
  expect(actual.functions, `${what}: functions`).toEqual(truth.functions);
}

describeWithRedis('writers against redis-server 7.0', () => {
  let dir = '';
  const refused: string[] = [];
  const checked: string[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('redback-writers-');
    for (const file of generatedLoadableByRedis70()) {
      const input = inputs.find((i) => i.name === `generated/${file.name}`) as Input;
      input.path = path.join(dir, file.name);
      await writeFile(input.path, file.data);
    }
    for (const seed of DATASET_SEEDS) {
      const input = inputs.find((i) => i.name === `dataset/seed-${seed}`) as Input;
      input.path = path.join(dir, `dataset-${seed}.rdb`);
      await makeDatasetRdb(seed, input.path);
    }
  }, 120_000);

  afterAll(() => {
    if (HAVE_PEER) console.info(`writers oracle: ${checked.length} inputs checked; peer RDBs redis-server 7.0 refuses (left out): ${refused.length ? refused.join(', ') : 'none'}`);
  });

  // Concurrent: the time goes into servers starting and loading (processes of their own).
  for (const input of inputs) {
    it.concurrent(`${input.name}: aof, multipart, resp and jsonl load with the same state`, async ({ expect }) => {
      let truth: ServerState;
      try {
        truth = await rdbState(input.path);
      } catch (error) {
        if (input.peer && error instanceof RedisStartError) {
          refused.push(input.name);
          return;
        }
        throw error;
      }
      const wrongLength = await streamsWithWrongLength(input.path);
      for (const [key, entries] of wrongLength) ((truth.perKey.get(key) as { stream: { length: number } }).stream.length = entries);
      const work = await makeTempDir('redback-out-');
      const now = Date.now();
      const records = (): AsyncGenerator<readonly import('../../src/rdb/model.js').RdbRecord[]> => withoutExpired(rdbBatches(input.path), now);

      const aofReport = newWriteReport();
      await drainTo(path.join(work, 'out.aof'), writeAof(records(), {}, aofReport));
      expect(aofReport.warnings.length).toBe(wrongLength.size);
      for (const warning of aofReport.warnings) expect(warning).toMatch(/^stream '.*': its metadata says \d+ entries but it holds \d+/);
      expectSameState(expect, await aofState(path.join(work, 'out.aof')), truth, 'aof');

      await writeMultipart(path.join(work, 'set'), records());
      expectSameState(expect, await aofState(path.join(work, 'set')), truth, 'multipart');

      await drainTo(path.join(work, 'out.resp'), writeResp(records()));
      const piped = await pipedState(path.join(work, 'out.resp'));
      expect(piped.pipe.output, 'redis-cli --pipe').toMatch(/errors: 0, replies: \d+/);
      expectSameState(expect, piped, truth, 'resp');

      await drainTo(path.join(work, 'out.jsonl'), writeJsonl(records()));
      await drainTo(path.join(work, 'from-jsonl.aof'), writeAof(readDumpFile(path.join(work, 'out.jsonl'))));
      expectSameState(expect, await aofState(path.join(work, 'from-jsonl.aof')), truth, 'jsonl → aof');
      checked.push(input.name);
    }, 60_000);
  }

  if (HAVE_PEER) {
    it('most peer RDBs of versions 1–10 load in redis-server 7.0 and were checked', ({ expect }) => {
      const peers = inputs.filter((i) => i.peer).length;
      expect(peers).toBeGreaterThan(40);
      expect(refused.length).toBeLessThan(peers / 4);
    });
  }
});
