/**
 * `redback rewrite` as a user runs it: the output in the input's shape, --json, --dry-run, --drop-expired,
 * --in-place with its backup, and one-line errors with the documented exit codes (2 usage, 4 a command that
 * cannot be replayed).
 */
// cspell:words appendonly
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { replayAof } from '../../src/keyspace/replay.js';
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

const NOW = Date.UTC(2030, 0, 1);
const COMMANDS = [
  ['SELECT', '0'],
  ['SET', 'a', '1'],
  ['SET', 'a', '2'],
  ['RPUSH', 'l', 'x', 'y'],
  ['LPOP', 'l'],
  ['SET', 'old', 'v', 'PXAT', String(NOW - 1000)],
  ['SET', 'ttl', 'v', 'PXAT', String(NOW + 3_600_000)],
  ['DEL', 'gone'],
];

describe('redback rewrite', () => {
  it('rewrites a single file into one file, reports it as JSON, and leaves out what expired with --drop-expired', async () => {
    const dir = await makeTempDir('redback-cli-rewrite-');
    const input = path.join(dir, 'appendonly.aof');
    await writeFile(input, aof(...COMMANDS));
    const output = path.join(dir, 'out.aof');
    const result = run('rewrite', input, '-o', output, '--json', '--now', String(NOW), '--drop-expired');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ schemaVersion: 1, commands: 8, keys: 3, expired: { keys: 1, fields: 0 }, output: { layout: 'single', base: 'rdb', files: [output] }, input: { layout: 'single' } });
    expect(readFileSync(output).subarray(0, 5).toString()).toBe('REDIS');
    const { keyspace } = await replayAof(output, { now: NOW });
    expect(keyspace.db(0).get('a')).toBe('2');
    expect(keyspace.db(0).expireOf('ttl')).toBe(NOW + 3_600_000);
    expect(keyspace.db(0).has('old')).toBe(false);

    // --base aof writes commands; an existing output needs --force.
    expect(run('rewrite', input, '-o', output, '--base', 'aof').code).toBe(2);
    const again = run('rewrite', input, '-o', output, '--base', 'aof', '--force');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^wrote .*out\.aof: one file \(RESP\) for redis-7\.0, 4 keys in 1 databases/);
    expect(readFileSync(output, 'latin1')).toMatch(/^\*2\r\n\$6\r\nSELECT\r\n/);
  });

  it('keeps a set a set, and --in-place replaces it keeping a backup', async () => {
    const dir = await makeTempDir('redback-cli-rewrite-set-');
    const set = path.join(dir, 'appendonlydir');
    await mkdir(set);
    await writeFile(path.join(set, 'appendonly.aof.1.base.aof'), aof(['SET', 'a', '1']));
    await writeFile(path.join(set, 'appendonly.aof.1.incr.aof'), aof(['SET', 'b', '2'], ['INCR', 'a']));
    await writeFile(path.join(set, 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    const dry = run('rewrite', set, '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, keys: 2, output: { layout: 'multipart', files: [] } });
    const out = path.join(dir, 'out');
    expect(run('rewrite', set, '-o', out).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    const backup = path.join(dir, 'backup');
    const inPlace = run('rewrite', set, '--in-place', '--backup-dir', backup, '--base', 'aof');
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(readFileSync(path.join(set, 'appendonly.aof.manifest'), 'latin1')).toBe('file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    expect(readdirSync(backup).sort()).toEqual(['appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    const { keyspace } = await replayAof(set);
    expect([keyspace.db(0).get('a'), keyspace.db(0).get('b')]).toEqual(['2', '2']);
  });

  it('fails with one line and the documented exit code', async () => {
    const dir = await makeTempDir('redback-cli-rewrite-err-');
    const input = path.join(dir, 'appendonly.aof');
    await writeFile(input, aof(['SET', 'k', 'v'], ['EVAL', 'return 1', '0']));
    const noOutput = run('rewrite', input);
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toMatch(/give -o OUT, or --in-place/);
    const scripted = run('rewrite', input, '-o', path.join(dir, 'out.aof'));
    expect(scripted.code).toBe(4);
    expect(scripted.stderr).toMatch(/^redback: .*appendonly\.aof: offset 27: cannot replay 'eval'.*\n {2}hint: /);
    expect(existsSync(path.join(dir, 'out.aof'))).toBe(false);
    const json = run('rewrite', input, '-o', path.join(dir, 'out.aof'), '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { exitCode: 4, offset: 27 } });
    const skipped = run('rewrite', input, '-o', path.join(dir, 'out.aof'), '--skip-unsupported', '--json');
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ keys: 1, skipped: { eval: { count: 1, offset: 27 } } });
    expect(run('rewrite', path.join(dir, 'missing.aof'), '-o', path.join(dir, 'x')).code).toBe(3);
  });
});
