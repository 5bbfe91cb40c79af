import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/redis.js';
import { REPO_ROOT } from '../support/paths.js';

// bin/run.js runs plain command lines without oclif (src/render/fast-path.ts). The two ways must give the
// same output and exit code; REDBACK_OCLIF=1 forces oclif.

const BIN = path.join(REPO_ROOT, 'bin/run.js');
const FIXTURE = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');

function run(args: string[], env: Record<string, string> = {}, preload?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...(preload ? ['--require', preload] : []), BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the fast path of bin/run.js', () => {
  it('gives the same output and exit code as oclif', { timeout: 120_000 }, () => {
    const now = ['--now', '2026-01-01T00:00:00Z'];
    const lines = [
      ['--version'],
      ['check', FIXTURE],
      ['check', FIXTURE, '--json', ...now],
      ['check', FIXTURE, path.join(REPO_ROOT, 'no-such.rdb'), '--json', ...now],
      ['inspect', FIXTURE, '--top', '3', ...now],
      ['inspect', FIXTURE, '--json', '--top=0', ...now],
      ['inspect', FIXTURE, '--keys', '--jsonl', '--summary', ...now],
      ['inspect', '--no-color', FIXTURE, '--by-encoding', ...now],
      ['inspect', FIXTURE, '--top', '-1'],
      ['inspect', FIXTURE, '--top', 'x', '--json'],
      ['inspect', FIXTURE, '--bogus'],
      ['inspect'],
      ['inspect', FIXTURE, 'extra'],
      ['inspect', FIXTURE, '--summary'],
      ['fix', FIXTURE, '--compress', 'zip'],
      ['check', '--', FIXTURE],
    ];
    for (const args of lines) {
      const fast = run(args);
      const oclif = run(args, { REDBACK_OCLIF: '1' });
      expect({ args, code: fast.code, stdout: fast.stdout }).toEqual({ args, code: oclif.code, stdout: oclif.stdout });
      // Usage errors are worded by each parser; both are one line plus the hint.
      expect(fast.stderr.split('\n').length, `${args.join(' ')}: ${fast.stderr}`).toBe(oclif.stderr.split('\n').length);
    }
  });

  it('does not load oclif for a plain command line, and does for help', async () => {
    const dir = await makeTempDir('redback-fast-');
    const probe = path.join(dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write(Object.keys(require('module')._cache).some((f) => f.includes('/@oclif/core/')) ? 'oclif loaded\\n' : 'no oclif\\n'));");
    expect(run(['check', FIXTURE], {}, probe).stderr).toBe('no oclif\n');
    expect(run(['--version'], {}, probe).stderr).toBe('no oclif\n');
    expect(run(['check', FIXTURE, '--help'], {}, probe).stderr).toContain('oclif loaded');
  });
});
