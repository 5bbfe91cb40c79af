/**
 * The release table of the RDB writer and the redis.conf settings it reads.
 */
// cspell:words ziplist listpack zset maxmemory
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_ENCODING_CONFIG, parseRedisConf } from '../../src/rdb/encoding-config.js';
import { RDB_TARGETS, TARGET_NAMES, describeTarget, resolveTarget, targetForRdbVersion } from '../../src/rdb/targets.js';

describe('target releases', () => {
  it('maps each release to the RDB version and magic it writes', () => {
    const versions = Object.fromEntries(RDB_TARGETS.map((t) => [t.name, `${t.magic}${t.rdbVersion}`]));
    expect(versions).toEqual({
      'redis-2.8': 'REDIS6',
      'redis-3.0': 'REDIS6',
      'redis-3.2': 'REDIS7',
      'redis-4.0': 'REDIS8',
      'redis-5.0': 'REDIS9',
      'redis-6.0': 'REDIS9',
      'redis-6.2': 'REDIS9',
      'redis-7.0': 'REDIS10',
      'redis-7.2': 'REDIS11',
      'redis-7.4': 'REDIS12',
      'redis-8.0': 'REDIS12',
      'redis-8.2': 'REDIS12',
      'redis-8.4': 'REDIS12',
      'redis-8.6': 'REDIS13',
      'valkey-7.2': 'REDIS11',
      'valkey-8.0': 'REDIS11',
      'valkey-8.1': 'REDIS11',
      'valkey-9.0': 'VALKEY80',
    });
    expect(TARGET_NAMES).toContain('2.8');
    expect(TARGET_NAMES).toContain('valkey-9.0');
  });

  it('knows which encodings each release loads and writes', () => {
    const r62 = resolveTarget('6.2');
    expect(r62.loads.has('quicklist')).toBe(true);
    expect(r62.loads.has('quicklist-v2')).toBe(false);
    expect(r62.loads.has('hash-listpack')).toBe(false);
    expect(r62.writes).toMatchObject({ list: 'quicklist', quicklistPacking: 'ziplist-estimate', small: 'ziplist', setListpack: false, zsetBinary: true, stream: 15, fieldTtl: undefined });
    expect(resolveTarget('7.0').writes).toMatchObject({ list: 'quicklist-v2', small: 'listpack', setListpack: false, stream: 19, quicklistPacking: 'listpack-estimate' });
    expect(resolveTarget('7.2').writes).toMatchObject({ setListpack: true, stream: 21, quicklistPacking: 'listpack-estimate-plain', scoreText: 'shortest' });
    expect(resolveTarget('7.4').writes.fieldTtl).toBe('redis');
    expect(resolveTarget('7.4').loads.has('hash-listpack-md')).toBe(true);
    expect(resolveTarget('2.8').writes).toMatchObject({ list: 'linked', zsetBinary: false, stream: undefined });
    expect(resolveTarget('2.8').records).toMatchObject({ aux: false, resizeDb: false, idleFreq: false, checksum: true });
    expect(resolveTarget('3.2').records).toMatchObject({ aux: true, aofAux: undefined });
    expect(resolveTarget('4.0').records.aofAux).toBe('aof-preamble');
    expect(resolveTarget('7.0').records).toMatchObject({ aofAux: 'aof-base', functions: true, moduleAux: true });
    const valkey9 = resolveTarget('valkey-9.0');
    expect(valkey9).toMatchObject({ magic: 'VALKEY', rdbVersion: 80, versionAux: 'valkey-ver' });
    expect(valkey9.writes.fieldTtl).toBe('valkey');
    expect(valkey9.loads.has('hash-2')).toBe(true);
    expect(valkey9.loads.has('hash-listpack-md')).toBe(false);
    expect(resolveTarget('valkey-7.2')).toMatchObject({ versionAux: 'redis-ver', serverVersion: '7.2.4' });
    expect(resolveTarget('valkey-8.0').versionAux).toBe('valkey-ver');
  });

  it('resolves names with or without a product and a patch level', () => {
    expect(resolveTarget('7.0').name).toBe('redis-7.0');
    expect(resolveTarget('7.0.15').name).toBe('redis-7.0');
    expect(resolveTarget('redis-6.2').name).toBe('redis-6.2');
    expect(resolveTarget('Valkey-9.0').name).toBe('valkey-9.0');
    expect(() => resolveTarget('7.1')).toThrow(UsageError);
    expect(() => resolveTarget('seven')).toThrow(/unknown target 'seven': known are 2\.8, /);
  });

  it('picks the newest release writing an RDB version', () => {
    expect(targetForRdbVersion(6).name).toBe('redis-3.0');
    expect(targetForRdbVersion(9).name).toBe('redis-6.2');
    expect(targetForRdbVersion(11).name).toBe('redis-7.2');
    expect(targetForRdbVersion(12).name).toBe('redis-8.4');
    expect(targetForRdbVersion(13).name).toBe('redis-8.6');
    expect(targetForRdbVersion(80).name).toBe('valkey-9.0');
    expect(() => targetForRdbVersion(5)).toThrow(UsageError);
    expect(() => targetForRdbVersion(81)).toThrow(/no release writes RDB version 81 under the VALKEY magic/);
    expect(describeTarget(targetForRdbVersion(10))).toBe('Redis 7.0 (RDB 10)');
  });
});

describe('redis.conf settings', () => {
  it('reads the *-max-* thresholds under either name, the last one winning', () => {
    const text = [
      '# a comment',
      'hash-max-ziplist-entries 100',
      'hash-max-listpack-entries 200',
      'HASH-MAX-LISTPACK-VALUE 1kb',
      'zset-max-ziplist-value "32"',
      "set-max-intset-entries '1000'",
      'list-max-ziplist-size -3',
      'stream-node-max-bytes 4k',
      'rdbcompression no',
      'maxmemory 1gb',
      '',
    ].join('\n');
    const { config, applied } = parseRedisConf(text, DEFAULT_ENCODING_CONFIG, 'my.conf');
    expect(config).toMatchObject({
      hashMaxEntries: 200,
      hashMaxValue: 1024,
      zsetMaxValue: 32,
      setMaxIntsetEntries: 1000,
      listMaxSize: -3,
      streamNodeMaxBytes: 4000,
      rdbCompression: false,
      rdbChecksum: true,
      zsetMaxEntries: 128,
    });
    expect(applied).toEqual([
      'hash-max-ziplist-entries 100',
      'hash-max-listpack-entries 200',
      'hash-max-listpack-value 1kb',
      'zset-max-ziplist-value 32',
      'set-max-intset-entries 1000',
      'list-max-ziplist-size -3',
      'stream-node-max-bytes 4k',
      'rdbcompression no',
    ]);
  });

  it('names the file and line of a bad value', () => {
    expect(() => parseRedisConf('\nhash-max-listpack-entries lots\n', DEFAULT_ENCODING_CONFIG, 'my.conf')).toThrow('my.conf: line 2: hash-max-listpack-entries expects a non-negative integer');
    expect(() => parseRedisConf('hash-max-listpack-entries 1kb')).toThrow(UsageError);
    expect(() => parseRedisConf('list-max-listpack-size -6')).toThrow(/expects -5 … 32767/);
    expect(() => parseRedisConf('rdbchecksum maybe')).toThrow(/expects yes or no/);
    expect(() => parseRedisConf('zset-max-listpack-value "12')).toThrow(/unbalanced quotes/);
    expect(() => parseRedisConf('zset-max-listpack-value 1 2')).toThrow(/takes one argument, got 2/);
  });
});
