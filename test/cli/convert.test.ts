/**
 * `redback convert` and the key filters of `redback inspect --keys` as a user runs them: exit codes, the
 * --json report, one-line errors.
 */
// cspell:words appendonly
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRdbAll } from '../../src/rdb/reader.js';
import { REPO_ROOT } from '../support/paths.js';
import { latin1 } from '../support/rdb-collect.js';
import { makeTempDir } from '../support/redis.js';

const BIN = path.join(REPO_ROOT, 'bin/run.js');
const FIXTURE = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('redback convert', () => {
  it('writes an RDB for another release and reports it as JSON', async () => {
    const dir = await makeTempDir('redback-cli-convert-');
    const output = path.join(dir, 'out.rdb');
    const result = run('convert', FIXTURE, '-o', output, '--to', 'rdb', '--target-redis', '6.2', '--drop-unsupported', '--now', '2030-01-01T00:00:00Z', '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      schemaVersion: 1,
      input: { file: FIXTURE, format: 'rdb', compressed: false },
      output: { file: output, format: 'rdb', compressed: false },
      target: { name: 'redis-6.2', magic: 'REDIS', rdbVersion: 9 },
      keys: 51,
      filtered: {},
      dropped: { function: 1, 'stream-metadata': 3 },
      now: Date.parse('2030-01-01T00:00:00Z'),
    });
    const data = readFileSync(output);
    expect((report.output as { bytes: number }).bytes).toBe(data.length);
    expect(data.subarray(0, 9).toString()).toBe('REDIS0009');
    const aux = readRdbAll(data).flatMap((r) => (r.kind === 'aux' ? [`${latin1(r.key)}=${latin1(r.value)}`] : []));
    expect(aux).toEqual(['redis-ver=6.2.14', 'redis-bits=64', `ctime=${Date.parse('2030-01-01T00:00:00Z') / 1000}`, 'used-mem=1574800', 'aof-preamble=0']);
  });

  it('exits 2 with one line naming the key for what the target cannot hold, and for an existing output', async () => {
    const dir = await makeTempDir('redback-cli-convert-');
    const output = path.join(dir, 'out.rdb');
    const refused = run('convert', FIXTURE, '-o', output, '--to', 'rdb', '--target-redis', '4.0', '--json');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^redback: .*redis-7\.0-all-types\.rdb: offset \d+: function library mylib, which Redis 4\.0 \(RDB 8\) cannot hold\n {2}hint: --drop-unsupported/);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { exitCode: 2 } });
    await writeFile(output, 'old');
    const existing = run('convert', FIXTURE, '-o', output, '--to', 'rdb');
    expect(existing.code).toBe(2);
    expect(existing.stderr).toMatch(/out\.rdb: already exists\n {2}hint: --force replaces it/);
    expect(run('convert', FIXTURE, '-o', output, '--to', 'rdb', '--force').code).toBe(0);
    const aof = path.join(dir, 'appendonly.aof');
    await writeFile(aof, '*1\r\n$4\r\nPING\r\n');
    expect(run('convert', aof, '-o', path.join(dir, 'x.rdb'), '--to', 'rdb').code).toBe(2);
    expect(run('convert', FIXTURE, '-o', path.join(dir, 'y.rdb'), '--to', 'yaml').code).toBe(2);
    expect(run('convert', FIXTURE, '-o', path.join(dir, 'z.rdb'), '--to', 'rdb', '--type', 'tree').stderr).toMatch(/--type: unknown type 'tree'/);
  });

  it('writes to standard output with -o - (when it is not a terminal)', () => {
    const result = spawnSync(process.execPath, [BIN, 'convert', FIXTURE, '-o', '-', '--to', 'rdb', '--key', 'string:*']);
    expect(result.status, String(result.stderr)).toBe(0);
    const keys = readRdbAll(new Uint8Array(result.stdout)).filter((r) => r.kind === 'key');
    const expected = readRdbAll(new Uint8Array(readFileSync(FIXTURE))).filter((r) => r.kind === 'key' && latin1(r.key).startsWith('string:')).length;
    expect(keys.length).toBe(expected);
    expect(String(result.stderr)).toMatch(new RegExp(`wrote standard output: rdb for redis-7\\.0 \\(RDB 10\\), ${expected} keys`));
  });
});

describe('redback convert to the other formats', () => {
  it('pipes jsonl to standard output and reads it back as an RDB, and writes a multi-part set with --json', async () => {
    const dir = await makeTempDir('redback-cli-convert-');
    const jsonl = spawnSync(process.execPath, [BIN, 'convert', FIXTURE, '-o', '-', '--to', 'jsonl', '--type', 'hash']);
    expect(jsonl.status, String(jsonl.stderr)).toBe(0);
    const lines = String(jsonl.stdout).trim().split('\n').map((line) => JSON.parse(line) as { kind?: string; type?: string });
    const hashes = lines.filter((line) => line.kind === undefined && line.type === 'hash').length;
    expect(hashes).toBeGreaterThan(3);
    expect(String(jsonl.stderr)).toMatch(new RegExp(`wrote standard output: jsonl, ${hashes} keys`));
    const dump = path.join(dir, 'hashes.jsonl');
    await writeFile(dump, jsonl.stdout);
    const rdb = path.join(dir, 'hashes.rdb');
    const back = run('convert', dump, '-o', rdb, '--to', 'rdb', '--target-redis', '7.0', '--json');
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout)).toMatchObject({ input: { format: 'jsonl' }, output: { format: 'rdb' }, keys: hashes, target: { name: 'redis-7.0' } });
    expect(readRdbAll(new Uint8Array(readFileSync(rdb))).filter((r) => r.kind === 'key' && r.type === 'hash').length).toBe(hashes);

    const set = path.join(dir, 'appendonlydir');
    const multipart = run('convert', FIXTURE, '-o', set, '--to', 'multipart', '--preamble', '--json');
    expect(multipart.code, multipart.stderr).toBe(0);
    const report = JSON.parse(multipart.stdout) as { output: { files: string[] }; keys: number; functions: number };
    expect(report).toMatchObject({ keys: 51, functions: 1, target: { name: 'redis-7.0' } });
    expect(report.output.files.map((file) => path.basename(file))).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    const again = run('convert', FIXTURE, '-o', set, '--to', 'multipart');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/appendonlydir: is not empty: multipart writes into a new or empty directory/);
    expect(run('convert', FIXTURE, '-o', '-', '--to', 'multipart').stderr).toMatch(/multipart cannot be written to standard output/);
    expect(run('convert', FIXTURE, '-o', path.join(dir, 'x.json'), '--to', 'json', '--preamble').code).toBe(2);
    const truncated = path.join(dir, 'truncated.jsonl');
    await writeFile(truncated, String(jsonl.stdout).slice(0, 300));
    const corrupt = run('convert', truncated, '-o', path.join(dir, 'y.rdb'), '--to', 'rdb');
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^redback: .*truncated\.jsonl: offset \d+: /);
    expect(corrupt.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('redback inspect --keys with filters', () => {
  it('lists only the keys the filters keep', () => {
    const result = run('inspect', FIXTURE, '--keys', '--jsonl', '--type', 'hash,set', '--exclude-key', '*hashtable*', '--db', '0');
    expect(result.code, result.stderr).toBe(0);
    const keys = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { db: number; key: string; type: string });
    expect(keys.length).toBeGreaterThan(3);
    for (const key of keys) {
      expect(key.db).toBe(0);
      expect(['hash', 'set']).toContain(key.type);
      expect(key.key).not.toMatch(/hashtable/);
    }
    const big = run('inspect', FIXTURE, '--keys', '--jsonl', '--min-bytes', '1000');
    expect(big.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { bytes: number }).bytes).every((n) => n >= 1000)).toBe(true);
    const expired = run('inspect', FIXTURE, '--keys', '--jsonl', '--drop-expired', '--now', '2100-01-02T00:00:00Z');
    expect(expired.stdout.trim().split('\n').every((line) => (JSON.parse(line) as { ttlMs: number | null }).ttlMs === null)).toBe(true);
    expect(run('inspect', FIXTURE, '--type', 'hash').code).toBe(2);
  });
});
