import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lz4EncodeBuffer } from '../src/codecs/lz4.js';
import { makeTempDir, stopAll } from './support/redis.js';
import { REPO_ROOT } from './support/paths.js';
import { writeRdb } from './support/rdb-writer.js';
import { readFileSync } from 'node:fs';

// The commands as a user runs them (npm test builds dist/ first): exit codes, one-line errors, --json.

const BIN = path.join(REPO_ROOT, 'bin/run.js');
const FIXTURE = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('redback on the command line', () => {
  afterAll(stopAll); // removes the temp dirs, whatever happened

  it('check: exit 0 for a valid RDB, 1 for a truncated one with a one-line error naming file and offset, 3 for a missing file', async () => {
    const dir = await makeTempDir('redback-cli-');
    const truncated = path.join(dir, 'cut.rdb');
    await writeFile(truncated, readFileSync(FIXTURE).subarray(0, 5000));
    expect(run('check', FIXTURE).code).toBe(0);
    const bad = run('check', truncated);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/INVALID .*cut\.rdb: offset \d+: unexpected end of file/);
    expect(run('check', path.join(dir, 'missing.rdb')).code).toBe(3);
    const several = run('check', FIXTURE, truncated, '--json');
    expect(several.code).toBe(1);
    const report = JSON.parse(several.stdout) as { valid: boolean; summary: { checked: number; valid: number } };
    expect(report).toMatchObject({ valid: false, summary: { checked: 2, valid: 1 } });
  });

  it('inspect: errors are one line on stderr without a stack trace; bad flags exit 2', async () => {
    const dir = await makeTempDir('redback-cli-');
    const garbage = path.join(dir, 'garbage.rdb');
    // An empty version 10 RDB cut inside its checksum.
    await writeFile(garbage, writeRdb({ version: 10, items: [] }).subarray(0, 12));
    const result = run('inspect', garbage);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^redback: .*garbage\.rdb: offset \d+: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(run('inspect', FIXTURE, '--no-such-flag').code).toBe(2);
  });

  it('inspect reads an LZ4-compressed RDB exactly as the plain one', async () => {
    const dir = await makeTempDir('redback-cli-');
    const compressed = path.join(dir, 'dump.rdb.lz4');
    await writeFile(compressed, lz4EncodeBuffer(new Uint8Array(readFileSync(FIXTURE))));
    const plain = JSON.parse(run('inspect', FIXTURE, '--json', '--now', '2026-01-01T00:00:00Z').stdout) as Record<string, unknown>;
    const viaLz4 = JSON.parse(run('inspect', compressed, '--json', '--now', '2026-01-01T00:00:00Z').stdout) as Record<string, unknown>;
    expect(viaLz4.compressed).toBe(true);
    expect(viaLz4.totals).toEqual(plain.totals);
    expect(viaLz4.databases).toEqual(plain.databases);
    expect(viaLz4.top).toEqual(plain.top);
  });

  it('inspect --keys --jsonl gives one object per key and nothing else; --summary adds the summary as the last line', async () => {
    const now = ['--now', '2026-01-01T00:00:00Z'];
    const keys = run('inspect', FIXTURE, '--keys', '--jsonl', ...now).stdout.trim().split('\n');
    const withSummary = run('inspect', FIXTURE, '--keys', '--jsonl', '--summary', ...now).stdout.trim().split('\n');
    const summary = JSON.parse(withSummary.at(-1) as string) as { schemaVersion: number; summary: { totals: { keys: number } } };
    expect(summary.schemaVersion).toBe(1);
    expect(keys.length).toBe(summary.summary.totals.keys);
    expect(withSummary.slice(0, -1)).toEqual(keys);
    for (const line of keys) expect(JSON.parse(line)).toMatchObject({ schemaVersion: 1, encoding: expect.any(String), rdbType: expect.any(String) });
  });

  it('check and inspect take AOF paths too', async () => {
    const dir = await makeTempDir('redback-cli-');
    await writeFile(path.join(dir, 'appendonly.aof'), Buffer.concat([readFileSync(FIXTURE), Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n')]));
    expect(run('check', path.join(dir, 'appendonly.aof')).code).toBe(0);
    const inspected = JSON.parse(run('inspect', dir, '--json').stdout) as { format: string; commands: number; files: { kind: string }[] };
    expect(inspected).toMatchObject({ format: 'aof', commands: 1 });
    expect(inspected.files[0]?.kind).toBe('rdb+resp');
  });
});
