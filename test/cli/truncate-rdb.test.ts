/**
 * `redback truncate … --to rdb` as a user runs it: the dataset at the cut as an RDB (read back by our own
 * reader here; test/aof/pitr.oracle.test.ts loads it in a real redis-server), --json, and one-line errors with
 * exit code 2 for the flags that do not go with it.
 */
// cspell:words appendonly
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { rdbRecordSource } from '../../src/input/records.js';
import { REPO_ROOT } from '../support/paths.js';
import { makeTempDir } from '../support/redis.js';

const BIN = path.join(REPO_ROOT, 'bin/run.js');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const enc = new TextEncoder();
function aof(...commands: string[][]): Buffer {
  return Buffer.concat(commands.flatMap((c) => encodeCommand(c.map((a) => enc.encode(a)))));
}

async function keysOf(rdb: string): Promise<string[]> {
  const keys: string[] = [];
  const source = await rdbRecordSource(rdb);
  for await (const batch of source.records()) for (const r of batch) if (r.kind === 'key') keys.push(Buffer.from(r.key).toString());
  return keys.sort();
}

describe('truncate --to rdb', () => {
  it('writes the dataset just before the command as an RDB; --json reports it; the input is only read', async () => {
    const dir = await makeTempDir('redback-truncate-rdb-');
    const input = path.join(dir, 'appendonly.aof');
    const bytes = aof(['SELECT', '0'], ['SET', 'a', '1'], ['RPUSH', 'l', 'x'], ['FLUSHALL'], ['SET', 'b', '2']);
    await writeFile(input, bytes);
    const out = path.join(dir, 'cut.rdb');
    const result = run('truncate', input, '--before-command', 'FLUSHALL', '--to', 'rdb', '-o', out, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { applied: boolean; snapshot: { keys: number; output: string; target: string } };
    expect(doc.applied).toBe(true);
    expect(doc.snapshot).toMatchObject({ keys: 2, output: out, target: 'redis-7.0' });
    expect(await keysOf(out)).toEqual(['a', 'l']);
    // Again without --force: the output exists.
    const again = run('truncate', input, '--before-command', 'FLUSHALL', '--to', 'rdb', '-o', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    expect(run('truncate', input, '--before-command', 'FLUSHALL', '--to', 'rdb', '-o', out, '--force').code).toBe(0);
  });

  it('refuses --in-place and a missing -o with --to rdb, and --target-redis without it (exit 2, one line)', async () => {
    const dir = await makeTempDir('redback-truncate-rdb-');
    const input = path.join(dir, 'appendonly.aof');
    await writeFile(input, aof(['SET', 'a', '1'], ['FLUSHALL']));
    for (const args of [
      ['--to', 'rdb', '--in-place'],
      ['--to', 'rdb'],
      ['--target-redis', '6.2', '-o', path.join(dir, 'x.aof')],
    ]) {
      const result = run('truncate', input, '--before-command', 'FLUSHALL', ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(/^redback: /);
    }
    expect(existsSync(path.join(dir, 'x.aof'))).toBe(false);
  });
});
