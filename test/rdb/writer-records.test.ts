/**
 * Records a writer can consume: with `raw: true` the reader hands over every key's value bytes exactly as
 * the file holds them (so an RDB → RDB copy can re-emit an encoding unchanged), module AUX records and module
 * values keep their bodies, and KEY_META records their bytes. Checked on every RDB at hand, by rebuilding
 * each key's bytes from its records and comparing them with the file.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChunkedInput, iterableSource } from '../../src/bytes/input.js';
import type { AnyRdbRecord, RdbRecord } from '../../src/rdb/model.js';
import { readRdb, readRdbSync } from '../../src/rdb/reader.js';
import { PEER_DIR, REPO_ROOT } from '../support/paths.js';

function rdbFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...rdbFiles(path));
    else if (name.endsWith('.rdb')) out.push(path);
  }
  return out;
}

const FIXTURES = rdbFiles(join(REPO_ROOT, 'fixtures'));
const PEERS = rdbFiles(PEER_DIR);

/** Every record of a file, or undefined when the file does not read to its end (damaged peers). */
function records(data: Uint8Array, materialize: boolean): AnyRdbRecord[] | undefined {
  try {
    return [...readRdbSync(data, { raw: true, materialize })];
  } catch {
    return undefined;
  }
}

/** For each key: the file's bytes from after its name to its end, and the raw pieces the reader gave. */
function rawCoverage(data: Uint8Array, list: readonly AnyRdbRecord[]): { expected: Buffer; actual: Buffer; key: string }[] {
  const out: { expected: Buffer; actual: Buffer; key: string }[] = [];
  let pieces: Uint8Array[] = [];
  let start = 0;
  let at = 0;
  for (const record of list) {
    if (record.kind === 'key') {
      start = record.offset + record.length;
      at = start;
      pieces = [];
    } else if (record.kind === 'raw') {
      if (record.offset !== at || record.bytes.length !== record.length) throw new Error(`raw piece at ${record.offset} does not follow ${at}`);
      at += record.length;
      pieces.push(record.bytes);
    } else if (record.kind === 'key-end') {
      out.push({ expected: Buffer.from(data.subarray(start, record.offset)), actual: Buffer.concat(pieces), key: Buffer.from(record.key).toString('latin1') });
    }
  }
  return out;
}

describe('raw value bytes for writers', () => {
  const files = [...FIXTURES, ...PEERS];
  it(`cover every key's value exactly, with and without values built (${files.length} files)`, () => {
    expect(FIXTURES.length).toBeGreaterThan(0);
    let keys = 0;
    for (const file of files) {
      const data = new Uint8Array(readFileSync(file));
      for (const materialize of [true, false]) {
        const list = records(data, materialize);
        if (!list) continue;
        for (const { expected, actual, key } of rawCoverage(data, list)) {
          if (!actual.equals(expected)) expect.fail(`${file}: key '${key}': raw bytes differ from the file`);
          keys++;
        }
      }
    }
    expect(keys).toBeGreaterThan(100);
  });

  it('are the same when the bytes arrive one at a time (pieces follow the input, their concatenation does not)', async () => {
    const data = new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb')));
    async function* bytewise(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < data.length; i++) yield data.subarray(i, i + 1);
    }
    const streamed: AnyRdbRecord[] = [];
    for await (const record of readRdb(new ChunkedInput(iterableSource(bytewise(), 'bytes'), 1), { raw: true, batchSize: 2 })) {
      streamed.push(record.kind === 'raw' ? { ...record, bytes: record.bytes.slice() } : record);
    }
    const whole = rawCoverage(data, records(data, true) as AnyRdbRecord[]);
    const pieces = rawCoverage(data, streamed);
    expect(pieces.map((k) => [k.key, k.actual.toString('hex')])).toEqual(whole.map((k) => [k.key, k.expected.toString('hex')]));
  });

  it('are not given unless asked for', () => {
    const data = new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb')));
    expect([...readRdbSync(data)].some((r) => r.kind === 'raw')).toBe(false);
  });
});

const RDB_TOOLS = join(PEER_DIR, 'sripathikrishnan__redis-rdb-tools/tests/dumps');
const describePeer = existsSync(join(PEER_DIR, 'PROVENANCE.md')) || process.env.CI === 'true' ? describe : describe.skip;

describePeer('module records keep their bodies', () => {
  it('a module value: its bytes after the module id, through the EOF opcode (redis_40_with_module.rdb)', () => {
    const data = new Uint8Array(readFileSync(join(RDB_TOOLS, 'redis_40_with_module.rdb')));
    const list = [...readRdbSync(data)] as RdbRecord[];
    const key = list.find((r) => r.kind === 'key' && r.typeCode === 7);
    expect(key?.kind === 'key' && key.module?.moduleName).toBe('ReJSON-RL');
    const value = list.find((r) => r.kind === 'value' && r.chunk.type === 'module');
    // key 'foo' (type 7) at 190, module id at 195, 10 opcodes from 204 to 239
    expect(value?.kind === 'value' && value.chunk.type === 'module' && Buffer.from(value.chunk.body ?? []).equals(Buffer.from(data.subarray(204, 239)))).toBe(true);
    // The validating reader builds no value, but names the module on the key.
    const checked = [...readRdbSync(data, { materialize: false })];
    expect(checked.some((r) => (r as { kind: string }).kind === 'value')).toBe(false);
    expect(checked.find((r) => r.kind === 'key' && r.typeCode === 7)).toMatchObject({ values: false, module: { moduleName: 'ReJSON-RL' } });
  });

  it('a module AUX record: its bytes after `when`, through the EOF opcode (redis_60_with_module_aux.rdb)', () => {
    const data = new Uint8Array(readFileSync(join(RDB_TOOLS, 'redis_60_with_module_aux.rdb')));
    const aux = [...readRdbSync(data)].find((r) => r.kind === 'module-aux');
    expect(aux?.kind).toBe('module-aux');
    if (aux?.kind !== 'module-aux') return;
    const end = aux.offset + aux.length;
    expect(aux.body.length).toBeGreaterThan(0);
    expect(Buffer.from(aux.body).equals(Buffer.from(data.subarray(end - aux.body.length, end)))).toBe(true);
    expect(aux.body.at(-1)).toBe(0); // the module EOF opcode
  });
});
