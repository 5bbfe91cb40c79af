/**
 * Hash-field expiration (Redis 7.4: HEXPIRE … HPERSIST; Redis 8.0: HSETEX, HGETDEL, HGETEX) cannot run on the
 * Redis 7.0 server installed here, so these tests check the engine against expectations worked out by hand
 * from the Redis documentation and tests/unit/type/hash-field-expire.tcl, and against the peer RDB files of
 * HDT3213/rdb with the JSON that project expects.
 */
// cspell:words hexpire hpexpire hexpireat hpexpireat hpersist hsetex hgetdel hgetex hsetnx hincrby keepttl pxat exat hfe listpack
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Keyspace } from '../../src/keyspace/model.js';
import { RdbLoader } from '../../src/keyspace/rdb-loader.js';
import { replayCommands } from '../../src/keyspace/replay.js';
import { HashValue } from '../../src/keyspace/types/hash.js';
import { readRdbSync } from '../../src/rdb/reader.js';

const NOW = 1_700_000_000_000;

function fields(commands: string[][], key = 'h'): Record<string, [string, number | undefined]> | undefined {
  const { keyspace } = replayCommands(commands, { now: NOW });
  const hash = keyspace.db(0).get(key);
  if (hash === undefined) return undefined;
  expect(hash).toBeInstanceOf(HashValue);
  return Object.fromEntries([...(hash as HashValue).entries()].map(([f, v, when]) => [f, [v, when]]));
}

describe('HEXPIRE family', () => {
  it('NX sets only fields without a TTL', () => {
    expect(fields([['HSET', 'h', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3'], ['HPEXPIRE', 'h', '1000', 'NX', 'FIELDS', '1', 'f1'], ['HPEXPIRE', 'h', '5000', 'NX', 'FIELDS', '2', 'f1', 'f2']])).toEqual({
      f1: ['v1', NOW + 1000],
      f2: ['v2', NOW + 5000],
      f3: ['v3', undefined],
    });
  });

  it('XX sets only fields with a TTL', () => {
    expect(fields([['HSET', 'h', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3'], ['HPEXPIRE', 'h', '1000', 'NX', 'FIELDS', '2', 'f1', 'f2'], ['HPEXPIRE', 'h', '3000', 'XX', 'FIELDS', '2', 'f1', 'f3']])).toEqual({
      f1: ['v1', NOW + 3000],
      f2: ['v2', NOW + 1000],
      f3: ['v3', undefined],
    });
  });

  it('GT raises, LT lowers, and a field without a TTL counts as infinite', () => {
    const base = [['HSET', 'h', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3'], ['HPEXPIRE', 'h', '1000', 'NX', 'FIELDS', '1', 'f1'], ['HPEXPIRE', 'h', '2000', 'NX', 'FIELDS', '1', 'f2']];
    expect(fields([...base, ['HPEXPIRE', 'h', '1500', 'GT', 'FIELDS', '3', 'f1', 'f2', 'f3']])).toEqual({ f1: ['v1', NOW + 1500], f2: ['v2', NOW + 2000], f3: ['v3', undefined] });
    expect(fields([...base, ['HPEXPIRE', 'h', '1500', 'LT', 'FIELDS', '3', 'f1', 'f2', 'f3']])).toEqual({ f1: ['v1', NOW + 1000], f2: ['v2', NOW + 1500], f3: ['v3', NOW + 1500] });
  });

  it('HEXPIREAT and HEXPIRE take seconds; an expiry in the past is kept while loading', () => {
    expect(fields([['HSET', 'h', 'a', '1', 'b', '2'], ['HEXPIRE', 'h', '10', 'FIELDS', '1', 'a'], ['HEXPIREAT', 'h', '1000', 'FIELDS', '2', 'b', 'missing']])).toEqual({
      a: ['1', NOW + 10_000],
      b: ['2', 1_000_000],
    });
    const { keyspace } = replayCommands([['HSET', 'h', 'a', '1', 'b', '2'], ['HPEXPIREAT', 'h', '5', 'FIELDS', '1', 'a'], ['HSET', 'g', 'x', '1'], ['HPEXPIREAT', 'g', '5', 'FIELDS', '1', 'x']], { now: NOW });
    expect(keyspace.dropExpired(NOW)).toEqual({ keys: 1, fields: 2 });
    expect([...(keyspace.db(0).get('h') as HashValue).entries()]).toEqual([['b', '2', undefined]]);
  });

  it('rejects malformed argument lists without changing anything', () => {
    const base = [['HSET', 'h', 'a', '1']];
    for (const bad of [
      ['HPEXPIRE', 'h', '1000', 'FIELDS', '2', 'a'],
      ['HPEXPIRE', 'h', '1000', 'FIELDS', '0', 'a'],
      ['HPEXPIRE', 'h', '1000', 'NX', 'XX', 'FIELDS', '1', 'a'],
      ['HPEXPIRE', 'h', '-1', 'FIELDS', '1', 'a'],
      ['HPEXPIRE', 'h', String(2 ** 48), 'FIELDS', '1', 'a'],
      ['HEXPIRE', 'h', '10', 'BOGUS', '1', 'a'],
    ]) {
      expect(fields([...base, bad])).toEqual({ a: ['1', undefined] });
    }
    expect(replayCommands([['SET', 's', 'x'], ['HPEXPIRE', 's', '10', 'FIELDS', '1', 'a']]).report.rejected).toEqual({ WRONGTYPE: 1 });
  });

  it('HPERSIST removes TTLs, but not of a field already expired at the replay clock', () => {
    expect(
      fields([
        ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
        ['HPEXPIRE', 'h', '1000', 'FIELDS', '1', 'a'],
        ['HPEXPIREAT', 'h', '5', 'FIELDS', '1', 'b'],
        ['HPERSIST', 'h', 'FIELDS', '4', 'a', 'b', 'c', 'missing'],
      ]),
    ).toEqual({ a: ['1', undefined], b: ['2', 5], c: ['3', undefined] });
  });
});

describe('other hash commands and field TTLs', () => {
  it('HSET drops a field TTL; HINCRBY and HINCRBYFLOAT keep it', () => {
    expect(
      fields([
        ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
        ['HPEXPIRE', 'h', '1000', 'FIELDS', '3', 'a', 'b', 'c'],
        ['HSET', 'h', 'a', 'x'],
        ['HINCRBY', 'h', 'b', '5'],
        ['HINCRBYFLOAT', 'h', 'c', '0.5'],
      ]),
    ).toEqual({ a: ['x', undefined], b: ['7', NOW + 1000], c: ['3.5', NOW + 1000] });
  });

  it('a field expired at the replay clock reads as missing (HSETNX sets it, HINCRBY starts from 0)', () => {
    expect(fields([['HSET', 'h', 'a', '1', 'b', '10'], ['HPEXPIREAT', 'h', '5', 'FIELDS', '2', 'a', 'b'], ['HSETNX', 'h', 'a', 'new'], ['HINCRBY', 'h', 'b', '3']])).toEqual({
      a: ['new', undefined],
      b: ['3', 5],
    });
  });

  it('COPY and RENAME carry field TTLs', () => {
    const { keyspace } = replayCommands([['HSET', 'h', 'a', '1'], ['HPEXPIRE', 'h', '1000', 'FIELDS', '1', 'a'], ['COPY', 'h', 'c'], ['RENAME', 'h', 'r']], { now: NOW });
    for (const k of ['c', 'r']) expect([...(keyspace.db(0).get(k) as HashValue).entries()]).toEqual([['a', '1', NOW + 1000]]);
  });
});

describe('HSETEX, HGETDEL, HGETEX (Redis 8.0)', () => {
  it('HSETEX sets values and TTLs; KEEPTTL keeps, no option drops', () => {
    expect(
      fields([
        ['HSET', 'h', 'k', 'old'],
        ['HPEXPIRE', 'h', '9000', 'FIELDS', '1', 'k'],
        ['HSETEX', 'h', 'EX', '60', 'FIELDS', '2', 'a', '1', 'b', '2'],
        ['HSETEX', 'h', 'PXAT', '1800000000000', 'FIELDS', '1', 'c', '3'],
        ['HSETEX', 'h', 'KEEPTTL', 'FIELDS', '1', 'k', 'kept'],
        ['HSETEX', 'h', 'FIELDS', '1', 'b', 'plain'],
      ]),
    ).toEqual({ k: ['kept', NOW + 9000], a: ['1', NOW + 60_000], b: ['plain', undefined], c: ['3', 1_800_000_000_000] });
  });

  it('HSETEX FNX and FXX apply to all fields or none', () => {
    const base = [['HSET', 'h', 'a', '1']];
    expect(fields([...base, ['HSETEX', 'h', 'FNX', 'FIELDS', '2', 'a', 'x', 'b', 'y']])).toEqual({ a: ['1', undefined] });
    expect(fields([...base, ['HSETEX', 'h', 'FNX', 'FIELDS', '1', 'b', 'y']])).toEqual({ a: ['1', undefined], b: ['y', undefined] });
    expect(fields([...base, ['HSETEX', 'h', 'FXX', 'FIELDS', '2', 'a', 'x', 'b', 'y']])).toEqual({ a: ['1', undefined] });
    expect(fields([...base, ['HSETEX', 'h', 'FXX', 'PX', '100', 'FIELDS', '1', 'a', 'x']])).toEqual({ a: ['x', NOW + 100] });
    expect(fields([['HSETEX', 'h', 'FXX', 'FIELDS', '1', 'a', 'x']])).toBeUndefined();
    expect(fields([['HSETEX', 'h', 'FNX', 'FXX', 'FIELDS', '1', 'a', 'x']])).toBeUndefined();
    expect(fields([['HSETEX', 'h', 'EX', '1', 'KEEPTTL', 'FIELDS', '1', 'a', 'x']])).toBeUndefined();
    expect(fields([['HSETEX', 'h', 'FIELDS', '2', 'a', 'x']])).toBeUndefined();
  });

  it('HGETDEL deletes the fields it returns, and the key with the last one', () => {
    const base = [['HSET', 'h', 'field1', 'Hello', 'field2', 'World', 'field3', '!']];
    expect(fields([...base, ['HGETDEL', 'h', 'FIELDS', '2', 'field3', 'field4']])).toEqual({ field1: ['Hello', undefined], field2: ['World', undefined] });
    expect(fields([...base, ['HGETDEL', 'h', 'FIELDS', '3', 'field1', 'field2', 'field3']])).toBeUndefined();
  });

  it('HGETEX sets or removes TTLs of existing fields', () => {
    expect(
      fields([
        ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
        ['HGETEX', 'h', 'EX', '60', 'FIELDS', '2', 'a', 'missing'],
        ['HGETEX', 'h', 'PXAT', '1800000000000', 'FIELDS', '2', 'b', 'c'],
        ['HGETEX', 'h', 'PERSIST', 'FIELDS', '1', 'c'],
        ['HGETEX', 'h', 'FIELDS', '1', 'a'],
      ]),
    ).toEqual({ a: ['1', NOW + 60_000], b: ['2', 1_800_000_000_000], c: ['3', undefined] });
  });
});

describe('RDB files with field TTLs (HDT3213/rdb cases)', async () => {
  const dir = path.resolve(import.meta.dirname, '../../../shared/fixtures/peer/HDT3213__rdb/cases');
  const present = await stat(dir).then(
    () => true,
    () => false,
  );
  for (const name of ['hash_with_hfe', 'hash_as_listpack_with_hfe', 'valkey_hash2_with_hfe']) {
    it.runIf(present)(`${name}.rdb loads as its JSON says`, async () => {
      const keyspace = new Keyspace();
      const loader = new RdbLoader(keyspace);
      for (const record of readRdbSync(new Uint8Array(await readFile(path.join(dir, `${name}.rdb`))), { deep: false })) loader.accept(record);
      const expected = JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')) as { key: string; hash: Record<string, string>; expire: Record<string, number> }[];
      for (const record of expected) {
        const hash = keyspace.db(0).get(record.key) as HashValue;
        const got = Object.fromEntries([...hash.entries()].map(([f, v, when]) => [f, [v, when ?? 0]]));
        expect(got).toEqual(Object.fromEntries(Object.entries(record.hash).map(([f, v]) => [f, [v, record.expire[f] ?? 0]])));
      }
    });
  }
});
