// cspell:words genfunc genlib genmodule auxmodule rcfunc rclib abcabcabc
/**
 * RDB files generated inside the tests with the writer (test/support/rdb-writer.ts), so that the safety
 * nets (reader equivalence, the three ways of reading, robustness, verdict agreement) run on every checkout,
 * with or without ../shared. Together they hold every type and encoding the reader knows, every top-level
 * opcode, and the versions where the layouts change:
 *
 * | file | what it covers |
 * | --- | --- |
 * | v3-legacy.rdb | REDIS0003, no CRC: int8/16/32 and LZF strings, linked list, hashtable set and hash, zset v1 (ASCII scores), zipmap, ziplist list/zset/hash, intset 16/32/64, second-precision expiry, two dbs |
 * | v6-ziplists.rdb | REDIS0006 with CRC: ziplists with 5-byte prevlens and every integer width, LZF blobs, ms expiries, RESIZEDB, AUX |
 * | v9-redis5.rdb | quicklist (14) of ziplist nodes (one LZF), zset v2, stream (15) with deleted entries, groups, PEL and consumers, LRU idle, LFU freq |
 * | v9-modules.rdb | MODULE_AUX (247) and a module value (7) with every operand kind (kept apart: a server cannot load them) |
 * | v10-redis7.rdb | quicklist v2 (18) with packed, PLAIN and LZF nodes, listpack hash and zset, stream v2 (19), FUNCTION2 (245), several dbs, binary and empty keys and values |
 * | v10-plain.rdb | `rdbcompression no` and `rdbchecksum no`: long compressible strings stored plain, CRC zero |
 * | v10-function-rc.rdb | the Redis 7.0 RC function record (246) |
 * | v11-redis72.rdb | set listpack (20), stream v3 (21) with consumer active times |
 * | v12-redis74.rdb | hash with field TTLs as hashtable (24) and listpack (25), the 7.4 RC layouts (22, 23), SLOT_INFO (244) |
 * | v13-key-meta.rdb | KEY_META (243) before a key |
 * | valkey-80.rdb | VALKEY080: HASH_2 (22) with field TTLs, SLOT_IMPORT (243) |
 */
// cspell:words quicklist listpack ziplist zipmap intset
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import type { StreamEntry, StreamId } from '../../src/rdb/stream-listpack.js';
import { writeRdb, type KeySpec, type RdbFileSpec, type RdbItem, type StreamSpec, type ValueSpec } from './rdb-writer.js';

export interface GeneratedRdb {
  name: string;
  spec: RdbFileSpec;
  data: Uint8Array;
}

/** A far-future expiry (2100-01-01), so that keys survive a load by a real server. */
export const FAR_FUTURE_MS = 4102444800000;

const id = (ms: number, seq = 0): StreamId => ({ ms: BigInt(ms), seq: BigInt(seq) });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** Pseudo-random text of `n` characters (incompressible enough that LZF does not apply). */
function noise(n: number, seed: number): string {
  const random = seeded(seed);
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(33 + Math.floor(random() * 94));
  return out;
}

const key = (name: string, value: ValueSpec, extra: Partial<KeySpec> = {}): RdbItem => ({ key: { key: name, value, ...extra } });

const integersOfEveryWidth = [0, 12, 13, -1, 127, -128, 128, 4095, -4096, 32767, -32768, 32768, 8388607, -8388608, 8388608, 2147483647, -2147483648, 2147483648, 9007199254740993n, -9223372036854775808n, 9223372036854775807n];

function entry(ms: number, seq: number, fields: [string, string][], deleted = false): StreamEntry {
  return { id: id(ms, seq), deleted, fields: fields.map(([f]) => text(f)), values: fields.map(([, v]) => text(v)) };
}

/** A stream of two nodes with a deleted entry, entries with and without the master fields, and groups. */
function stream(layout: 1 | 2 | 3): StreamSpec {
  const nodes = [
    {
      masterId: id(1000, 0),
      entries: [
        entry(1000, 0, [['temp', '20'], ['city', 'Paris']]),
        entry(1000, 1, [['temp', '21'], ['city', 'Lyon']], true),
        entry(1001, 0, [['temp', '-3'], ['city', 'Oslo']]),
        entry(1002, 5, [['other', 'field'], ['n', '123456789012']]),
      ],
    },
    { masterId: id(2000, 0), entries: [entry(2000, 0, [['k', 'v']]), entry(2500, 7, [['k', 'w'], ['extra', noise(40, 7)]])] },
  ];
  const pending = [
    { id: id(1000, 0), deliveryTimeMs: 1700000000000, deliveryCount: 1 },
    { id: id(1001, 0), deliveryTimeMs: 1700000000500, deliveryCount: 3 },
    { id: id(2000, 0), deliveryTimeMs: 1700000001000, deliveryCount: 1 },
  ];
  return {
    nodes,
    length: 5n,
    lastId: id(2500, 7),
    firstId: layout >= 2 ? id(1000, 0) : undefined,
    maxDeletedId: layout >= 2 ? id(1000, 1) : undefined,
    entriesAdded: layout >= 2 ? 6n : undefined,
    groups: [
      {
        name: 'readers',
        lastId: id(2000, 0),
        entriesRead: layout >= 2 ? 4n : undefined,
        pending,
        consumers: [
          { name: 'alice', seenTimeMs: 1700000000500, activeTimeMs: 1700000000400, pending: [id(1000, 0), id(1001, 0)] },
          { name: 'bob', seenTimeMs: 1700000001000, activeTimeMs: 1700000001000, pending: [id(2000, 0)] },
          { name: 'carol-no-pending', seenTimeMs: 1700000002000, pending: [] },
        ],
      },
      { name: 'empty-group', lastId: id(0, 0), entriesRead: layout >= 2 ? 0n : undefined, pending: [], consumers: [] },
    ],
  };
}

function aux(version: string): RdbItem[] {
  return [{ aux: ['redis-ver', version] }, { aux: ['redis-bits', 64] }, { aux: ['ctime', 1700000000] }, { aux: ['used-mem', 1048576] }];
}

const FUNCTION_CODE = "#!lua name=genlib\nredis.register_function('genfunc', function(keys, args) return 1 end)\n";

function specs(): { name: string; spec: RdbFileSpec }[] {
  const compressible = 'abcabcabc-redback-'.repeat(12);
  return [
    {
      name: 'v3-legacy.rdb',
      spec: {
        version: 3,
        items: [
          { selectDb: 0 },
          key('string:int8', { encoding: 'string', value: '-12' }),
          key('string:int16', { encoding: 'string', value: '1000' }),
          key('string:int32', { encoding: 'string', value: '-2147483648' }),
          key('string:not-an-int', { encoding: 'string', value: '007' }),
          key('string:lzf', { encoding: 'string', value: compressible }),
          key('string:raw', { encoding: 'string', value: noise(120, 1) }),
          key('string:expires-seconds', { encoding: 'string', value: 'x' }, { expireSeconds: 2145916800 }),
          key('list:linked', { encoding: 'list-linked', elements: ['a', '', 'b', '12', noise(30, 2)] }),
          key('set:hashtable', { encoding: 'set-hashtable', members: ['x', 'y', '', '-7'] }),
          key('zset:v1', { encoding: 'zset-v1', entries: [['a', 1], ['b', -2.5], ['c', 0.1], ['d', 1e300], ['e', Number.POSITIVE_INFINITY], ['f', Number.NEGATIVE_INFINITY], ['g', 2 ** 60]] }),
          key('hash:hashtable', { encoding: 'hash-hashtable', fields: [['f1', 'v1'], ['f2', '42'], ['empty', '']] }),
          key('hash:zipmap', { encoding: 'hash-zipmap', fields: [['name', 'redback'], ['big', noise(300, 3)], ['n', '5']] }),
          key('list:ziplist', { encoding: 'list-ziplist', elements: [...integersOfEveryWidth, 'text', '', noise(70, 4)] }),
          key('set:intset:16', { encoding: 'set-intset', members: [1, -5, 300, 32767] }),
          key('set:intset:32', { encoding: 'set-intset', members: [1, 70000, -2147483648] }),
          key('set:intset:64', { encoding: 'set-intset', members: [1, 9007199254740993n, -9223372036854775808n] }),
          key('zset:ziplist', { encoding: 'zset-ziplist', entries: [['a', 1], ['b', 2.5], ['c', -3]] }),
          key('hash:ziplist', { encoding: 'hash-ziplist', fields: [['a', '1'], ['b', 'two'], ['c', 1234567]] }),
          { selectDb: 2 },
          key('db2:string', { encoding: 'string', value: 'in db 2' }),
        ],
      },
    },
    {
      name: 'v6-ziplists.rdb',
      spec: {
        version: 6,
        items: [
          ...aux('2.8.24').slice(0, 2),
          { selectDb: 0 },
          { resizeDb: [4, 1] },
          key('list:ziplist:big-prevlen', { encoding: 'list-ziplist', elements: ['small', noise(300, 5), 'after-big', 7, noise(20000, 6)] }),
          key('list:ziplist:compressible', { encoding: 'list-ziplist', elements: Array.from({ length: 40 }, (_, i) => `item-${i % 5}`) }),
          key('hash:ziplist', { encoding: 'hash-ziplist', fields: [['f', noise(260, 8)], ['g', 'h']] }, { expireMs: FAR_FUTURE_MS }),
          key('zset:ziplist', { encoding: 'zset-ziplist', entries: Array.from({ length: 20 }, (_, i): [string, number] => [`m${i}`, i / 4]) }),
        ],
      },
    },
    {
      name: 'v9-redis5.rdb',
      spec: {
        version: 9,
        items: [
          ...aux('5.0.14'),
          { aux: ['aof-preamble', 0] },
          { selectDb: 0 },
          { resizeDb: [5, 1] },
          key('list:quicklist', {
            encoding: 'quicklist',
            nodes: [{ elements: ['a', 'b', 1, 2] }, { elements: Array.from({ length: 30 }, () => 'same-same-same') }, { elements: [-70000, 'z'] }],
          }),
          key('zset:v2', { encoding: 'zset-v2', entries: [['low', -1.5], ['zero', -0], ['pi', Math.PI], ['inf', Number.POSITIVE_INFINITY], ['big', 2 ** 53]] }),
          key('stream:v1', { encoding: 'stream', stream: stream(1) }, { expireMs: FAR_FUTURE_MS }),
          key('string:lru', { encoding: 'string', value: 'idle' }, { idle: 12345 }),
          key('string:lfu', { encoding: 'string', value: 'freq' }, { freq: 200 }),
          key('set:hashtable', { encoding: 'set-hashtable', members: Array.from({ length: 40 }, (_, i) => `member-${i}`) }),
        ],
      },
    },
    {
      name: 'v9-modules.rdb',
      spec: {
        version: 9,
        items: [
          { moduleAux: { moduleName: 'auxmodule', encver: 2, when: 2, operands: [{ uint: 7n }, { string: 'aux payload' }] } },
          { selectDb: 0 },
          key('module:value', {
            encoding: 'module-value',
            moduleName: 'genmodule',
            encver: 5,
            operands: [{ sint: -5n }, { uint: 18446744073709551615n }, { float: 1.5 }, { double: -2.25 }, { string: 'payload' }, { string: '12' }],
          }),
          key('string:after-module', { encoding: 'string', value: 'still read' }),
        ],
      },
    },
    {
      name: 'v10-redis7.rdb',
      spec: {
        version: 10,
        items: [
          ...aux('7.0.15'),
          { function: FUNCTION_CODE },
          { selectDb: 0 },
          { resizeDb: [9, 2] },
          key('list:quicklist2', {
            encoding: 'quicklist-v2',
            nodes: [
              { elements: ['head', ...integersOfEveryWidth] },
              { plain: noise(150, 9) },
              { elements: Array.from({ length: 40 }, (_, i) => `compressed-node-${i % 4}`), lzf: true },
              { elements: ['', 'tail'] },
            ],
          }),
          key('hash:listpack', { encoding: 'hash-listpack', fields: [['int', '123'], ['neg', '-5'], ['empty', ''], ['big', '9223372036854775807'], ['text', noise(70, 10)]] }),
          key('zset:listpack', { encoding: 'zset-listpack', entries: [['a', 1], ['b', 1], ['c', 0.1], ['d', Number.NEGATIVE_INFINITY], ['e', 1e-7]] }),
          key('stream:v2', { encoding: 'stream-v2', stream: stream(2) }),
          key('stream:empty', {
            encoding: 'stream-v2',
            stream: { nodes: [], length: 0n, lastId: id(7, 7), firstId: id(0, 0), maxDeletedId: id(0, 0), entriesAdded: 3n, groups: [] },
          }),
          key('set:intset', { encoding: 'set-intset', members: [3, 1, 2] }, { expireMs: FAR_FUTURE_MS }),
          key('hash:hashtable', { encoding: 'hash-hashtable', fields: Array.from({ length: 30 }, (_, i): [string, string] => [`field-${i}`, `value-${i}`]) }),
          key('string:empty', { encoding: 'string', value: '' }),
          { key: { key: Uint8Array.of(0, 1, 0xff, 0xfe, 0x6b), value: { encoding: 'string', value: Uint8Array.of(0, 0xc3, 0xff) } } },
          key('string:int64-as-text', { encoding: 'string', value: '9223372036854775807' }),
          { selectDb: 1 },
          key('same-name', { encoding: 'string', value: 'db1' }),
          { selectDb: 15 },
          key('same-name', { encoding: 'list-ziplist', elements: ['db15'] }),
        ],
      },
    },
    {
      name: 'v10-plain.rdb',
      spec: {
        version: 10,
        compress: false,
        checksum: false,
        items: [
          { selectDb: 0 },
          key('string:compressible-but-plain', { encoding: 'string', value: compressible }),
          key('hash:listpack-plain', { encoding: 'hash-listpack', fields: Array.from({ length: 12 }, (_, i): [string, string] => [`f${i}`, 'repeated value']) }),
          key('list:quicklist2-lzf-node', { encoding: 'quicklist-v2', nodes: [{ elements: ['a'] }, { elements: Array.from({ length: 30 }, () => 'lzf in memory'), lzf: true }, { elements: ['b'] }] }),
        ],
      },
    },
    {
      name: 'v10-function-rc.rdb',
      spec: {
        version: 10,
        items: [
          { functionPreGa: { name: 'rclib', engine: 'LUA', description: 'from 7.0 RC1', code: "redis.register_function('rcfunc', function() return 2 end)" } },
          { selectDb: 0 },
          key('string', { encoding: 'string', value: 'v' }),
        ],
      },
    },
    {
      name: 'v11-redis72.rdb',
      spec: {
        version: 11,
        items: [
          ...aux('7.2.4'),
          { selectDb: 0 },
          key('set:listpack', { encoding: 'set-listpack', members: ['a', 'b', 5, -300, 'c'] }),
          key('stream:v3', { encoding: 'stream-v3', stream: stream(3) }),
          key('hash:listpack', { encoding: 'hash-listpack', fields: [['x', '1']] }),
        ],
      },
    },
    {
      name: 'v12-redis74.rdb',
      spec: {
        version: 12,
        items: [
          ...aux('7.4.0'),
          { selectDb: 0 },
          { slotInfo: [1234, 6, 2] },
          key('hash:md', { encoding: 'hash-hashtable-md', fields: [['a', '1', FAR_FUTURE_MS + 5000], ['b', '2'], ['c', '3', FAR_FUTURE_MS]] }),
          key('hash:listpack-md', { encoding: 'hash-listpack-md', fields: [['a', '1', FAR_FUTURE_MS], ['b', '2'], ['c', 'x', FAR_FUTURE_MS + 1]] }),
          key('hash:md-rc', { encoding: 'hash-hashtable-md-pre-release', fields: [['a', '1', FAR_FUTURE_MS], ['b', '2']] }),
          key('hash:listpack-md-rc', { encoding: 'hash-listpack-md-pre-release', fields: [['a', '1', FAR_FUTURE_MS], ['b', '2']] }),
        ],
      },
    },
    {
      name: 'v13-key-meta.rdb',
      spec: {
        version: 13,
        items: [
          { selectDb: 0 },
          key('string:with-meta', { encoding: 'string', value: 'meta' }, { meta: [{ spec: 0x01020304, operands: [{ uint: 9n }, { string: 'class data' }] }] }),
          key('string:plain', { encoding: 'string', value: 'plain' }),
        ],
      },
    },
    {
      name: 'valkey-80.rdb',
      spec: {
        magic: 'VALKEY',
        version: 80,
        items: [
          { aux: ['valkey-ver', '9.0.0'] },
          { slotImport: { job: 'import-job-1', ranges: [[0, 100], [200, 300]] } },
          { selectDb: 0 },
          key('hash:hash2', { encoding: 'hash-2', fields: [['a', '1', FAR_FUTURE_MS], ['b', '2']] }),
          key('set:listpack', { encoding: 'set-listpack', members: ['m'] }),
        ],
      },
    },
  ];
}

let cache: GeneratedRdb[] | undefined;

/** The generated files (built once per test file). */
export function generatedRdbs(): GeneratedRdb[] {
  cache ??= specs().map(({ name, spec }) => ({ name, spec, data: writeRdb(spec) }));
  return cache;
}

/** The generated files redis-check-rdb 7.0 reads: REDIS magic, RDB version 10 or lower. */
export function generatedForRedis70(): GeneratedRdb[] {
  return generatedRdbs().filter((file) => (file.spec.magic ?? 'REDIS') === 'REDIS' && file.spec.version <= 10);
}

/** The generated files a Redis 7.0 server loads: those of {@link generatedForRedis70} without module data. */
export function generatedLoadableByRedis70(): GeneratedRdb[] {
  return generatedForRedis70().filter((file) => !file.spec.items.some((item) => 'moduleAux' in item || ('key' in item && item.key.value.encoding === 'module-value')));
}

/** An RDB file the tests can read without ../shared: a fixture made by Redis, or a generated one. */
export interface InRepoRdb {
  /** `fixtures/<file>` or `generated/<file>`. */
  name: string;
  data: Uint8Array;
}

/** Every in-repo RDB: fixtures/*.rdb (written by Redis 7.0) and the generated files. */
export function inRepoRdbs(): InRepoRdb[] {
  const fixtures = readdirSync(join(REPO_ROOT, 'fixtures'))
    .filter((name) => name.endsWith('.rdb'))
    .sort()
    .map((name) => ({ name: `fixtures/${name}`, data: new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures', name))) }));
  return [...fixtures, ...generatedRdbs().map((file) => ({ name: `generated/${file.name}`, data: file.data }))];
}
