/**
 * What `check`, `inspect` and `fix` refuse, on the command line: each refusal is a one-line error with the
 * documented exit code, comes at once (a FIFO never blocks), and leaves every file on disk as it was.
 *
 * - fix refuses a file that does not start like an AOF, and a repair that would drop more than half of a file
 *   or more than the byte limit without --force, saying what it would lose;
 * - an empty AOF is valid, as redis-check-aof says, and check and fix agree on every input;
 * - FIFOs, sockets, character devices, a directory where a file is expected and symlink loops are refused by
 *   every command; a symlink to a file is followed;
 * - a manifest naming a path (`../../etc/passwd`, `/etc/passwd`, `sub/x`), a directory (`..`) or a missing
 *   file is refused with the manifest's name and the offset of that line.
 */
// cspell:words appendonly dirset dotdot mkfifo redback

import { spawn } from 'node:child_process';
import { lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { concat } from '../support/bytes.js';
import { REPO_ROOT } from '../support/paths.js';
import { haveRedis, makeTempDir, runTool } from '../support/redis.js';

const BIN = path.join(REPO_ROOT, 'bin/run.js');
const RDB_FIXTURE = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');

interface Run {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI; a run that takes more than 20 s is killed (and fails the "at once" checks). */
function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ args, code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs many CLI calls, a few at a time. */
async function cliAll(calls: string[][]): Promise<Run[]> {
  const results: Run[] = new Array<Run>(calls.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls.length) {
      const index = next++;
      results[index] = await cli(...(calls[index] as string[]));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return results;
}

/** Every entry under `dir` (recursively): its type and, for regular files, its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string): Promise<void> => {
    for (const name of (await readdir(at)).sort()) {
      const full = path.join(at, name);
      const info = await lstat(full);
      const key = path.relative(dir, full);
      if (info.isDirectory()) {
        out[key] = 'dir';
        await walk(full);
      } else if (info.isFile()) {
        out[key] = (await readFile(full)).toString('base64');
      } else {
        out[key] = info.isSymbolicLink() ? 'symlink' : info.isFIFO() ? 'fifo' : info.isSocket() ? 'socket' : 'other';
      }
    }
  };
  await walk(dir);
  return out;
}

const command = (...args: string[]): Uint8Array => concat(encodeCommand(args));

/** One line on stderr, `redback: <file>: …`, no stack trace. */
function expectOneLineError(run: Run, file: string, pattern: RegExp): void {
  const lines = run.stderr.trim().split('\n');
  expect(lines[0], `${run.args.join(' ')}: ${run.stderr}`).toMatch(new RegExp(`^redback: ${escape(file)}: ${pattern.source}`));
  expect(lines.slice(1).every((line) => line.startsWith('  hint: ')), run.stderr).toBe(true);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('refusals on the command line: one line, at once, nothing changed', () => {
  let work = '';
  let before: Record<string, string> = {};
  let socketServer: net.Server | undefined;
  const at = (...parts: string[]): string => path.join(work, ...parts);

  beforeAll(async () => {
    work = await makeTempDir('redback-refusals-');
    // Regular inputs.
    await writeFile(at('empty.aof'), '');
    await writeFile(at('empty.rdb'), '');
    await writeFile(at('text.aof'), 'hello world\nthis is a text file, not an AOF\n'.repeat(200));
    await writeFile(at('markdown.aof'), '# Notes\n\nSome text that is not an AOF.\n'.repeat(100));
    const commands = Array.from({ length: 2000 }, (_, i) => command('SET', `key:${i}`, `value ${i} `.repeat(3)));
    const valid = concat(commands);
    await writeFile(at('valid.aof'), valid);
    await writeFile(at('truncated.aof'), valid.subarray(0, valid.length - 7));
    // A byte of the 6th command overwritten: the cut would drop nearly all of the file.
    const early = Uint8Array.from(valid);
    early[commands.slice(0, 5).reduce((n, c) => n + c.length, 0)] = 0x21;
    await writeFile(at('early.aof'), early);
    await writeFile(at('cut.rdb'), (await readFile(RDB_FIXTURE)).subarray(0, 3000));
    await symlink('valid.aof', at('link.aof'));
    // A set whose middle INCR is cut: the repair drops the last INCR (about 20 KB) whole.
    await mkdir(at('set'));
    const incr = (tag: string): Uint8Array => concat(Array.from({ length: 300 }, (_, i) => command('SET', `${tag}:${i}`, 'x'.repeat(40))));
    await writeFile(at('set', 'appendonly.aof.1.base.aof'), incr('base'));
    const middle = incr('middle');
    await writeFile(at('set', 'appendonly.aof.1.incr.aof'), middle.subarray(0, middle.length - 10));
    await writeFile(at('set', 'appendonly.aof.2.incr.aof'), incr('last'));
    await writeFile(at('set', 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n');

    // Not regular files.
    const mkfifo = await runTool('mkfifo', [at('fifo.aof')]);
    expect(mkfifo.code, mkfifo.stderr).toBe(0);
    socketServer = net.createServer();
    await new Promise<void>((resolve) => socketServer?.listen(at('socket.aof'), resolve));
    await symlink('loop-b.aof', at('loop-a.aof'));
    await symlink('loop-a.aof', at('loop-b.aof'));
    // A set whose manifest names a directory, and sets whose manifest names paths.
    await mkdir(at('dirset'));
    await mkdir(at('dirset', 'appendonly.aof.1.incr.aof'));
    await writeFile(at('dirset', 'appendonly.aof.1.base.aof'), command('SET', 'a', '1'));
    await writeFile(at('dirset', 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    // A set whose manifest names a file that is not there.
    await mkdir(at('missing'));
    await writeFile(at('missing', 'appendonly.aof.1.base.aof'), command('SET', 'a', '1'));
    await writeFile(at('missing', 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    for (const [label, name] of [['dotdot', '../../etc/passwd'], ['absolute', '/etc/passwd'], ['slash', 'sub/x'], ['parent', '..']] as const) {
      await mkdir(at(label));
      await writeFile(at(label, 'appendonly.aof.1.base.aof'), command('SET', 'a', '1'));
      await writeFile(at(label, 'appendonly.aof.manifest'), `file appendonly.aof.1.base.aof seq 1 type b\nfile ${name} seq 1 type i\n`);
    }
    before = await snapshot(work);
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (socketServer ? socketServer.close(() => resolve()) : resolve()));
  });

  it('fix refuses a file that does not start like an AOF, and a cut beyond the loss limits, saying what it would lose', async () => {
    const [text, markdown, early, earlyJson, set, setDry] = await cliAll([
      ['fix', at('text.aof'), '--yes'],
      ['fix', at('markdown.aof'), '--yes', '--no-backup'],
      ['fix', at('early.aof'), '--yes'],
      ['fix', at('early.aof'), '--yes', '--json'],
      ['fix', at('set'), '--yes', '--max-loss-bytes', '10KiB'],
      ['fix', at('set'), '--dry-run', '--json', '--max-loss-bytes', '10KiB'],
    ]) as [Run, Run, Run, Run, Run, Run];
    for (const [run, file] of [[text, 'text.aof'], [markdown, 'markdown.aof']] as const) {
      expect(run.code).toBe(1);
      expectOneLineError(run, at(file), /offset 0: does not start like an AOF \(it begins with ".*"; an AOF starts with a command '\*', an annotation '#' or an RDB preamble 'REDIS'\): refusing to cut/);
    }
    // The 6th command is corrupt: everything from it on would go (1,995 intact commands).
    expect(early.code).toBe(1);
    expectOneLineError(early, at('early.aof'), /offset \d+: refusing to repair: it would drop [\d,]+ bytes of the [\d,]+ bytes of early\.aof \(99\.\d %, 1,994 complete commands\), more than 50 % of the file/);
    expect(early.stderr).toMatch(/hint: .*--force/);
    expect(earlyJson.code).toBe(1);
    expect(JSON.parse(earlyJson.stdout)).toMatchObject({ error: { file: at('early.aof'), exitCode: 1, message: expect.stringMatching(/refusing to repair/) as unknown } });
    // The set: the middle INCR loses only a partly written command, but the last INCR (22 KB) goes whole.
    expect(set.code).toBe(1);
    expectOneLineError(set, at('set', 'appendonly.aof.1.incr.aof'), /offset \d+: refusing to repair: it would drop [\d,]+ bytes in all \(300 complete commands, 1 whole file dropped\), more than the limit of 10,240 bytes/);
    // --dry-run shows the plan and the refusal without failing.
    expect(setDry.code).toBe(0);
    expect(JSON.parse(setDry.stdout)).toMatchObject({ dryRun: true, applied: false, refusal: { message: expect.stringMatching(/^refusing to repair/) as unknown } });
    expect(await snapshot(work)).toEqual(before);
  }, 60_000);

  it('non-regular files and symlink loops: every command refuses them at once with one line; a symlink to a file is followed', async () => {
    const cases: [file: string, what: RegExp, shown: string][] = [
      [at('fifo.aof'), /is a FIFO \(named pipe\), not a regular file/, at('fifo.aof')],
      [at('socket.aof'), /is a socket, not a regular file/, at('socket.aof')],
      ['/dev/null', /is a character device, not a regular file/, '/dev/null'],
      [at('loop-a.aof'), /too many levels of symbolic links/, at('loop-a.aof')],
      [at('dirset'), /is a directory, not a regular file/, at('dirset', 'appendonly.aof.1.incr.aof')],
    ];
    const calls = cases.flatMap(([file]) => [['check', file], ['inspect', file], ['fix', file, '--yes', '--no-backup']]);
    const runs = await cliAll([...calls, ['fix', '/dev/zero', '--yes', '--no-backup'], ['check', at('link.aof')]]);
    cases.forEach(([, what, shown], k) => {
      const [check, inspect, fix] = runs.slice(k * 3, k * 3 + 3) as [Run, Run, Run];
      for (const run of [check, inspect, fix]) {
        expect(run.signal, `${run.args.join(' ')} was killed after ${run.ms} ms (it blocked)`).toBeNull();
        expect(run.code, `${run.args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(3);
      }
      // check reports every path on stdout (it may be given several), after the verdicts of the files before
      // the bad one, as redis-check-aof does; the other commands print the error line.
      expect(check.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^INVALID ${escape(shown)}: ${what.source}`));
      expectOneLineError(inspect, shown, what);
      expectOneLineError(fix, shown, what);
    });
    const zero = runs.at(-2) as Run;
    expect(zero.code).toBe(3);
    expectOneLineError(zero, '/dev/zero', /is a character device, not a regular file/);
    expect(zero.stdout).not.toMatch(/every file is valid/);
    expect((runs.at(-1) as Run).code).toBe(0);
    expect(await snapshot(work)).toEqual(before);
  }, 120_000);

  it('a manifest naming a path, a directory or a missing file is refused with the manifest and the offset of that line', async () => {
    const labels = ['dotdot', 'absolute', 'slash', 'parent', 'missing'];
    const runs = await cliAll(labels.flatMap((label) => [['check', at(label)], ['inspect', at(label)], ['fix', at(label), '--yes']]));
    const offset = 'file appendonly.aof.1.base.aof seq 1 type b\n'.length;
    labels.forEach((label, k) => {
      const manifest = at(label, 'appendonly.aof.manifest');
      const what =
        label === 'parent'
          ? /names a directory: a manifest names files inside its own directory/
          : label === 'missing'
            ? /incr file 'appendonly\.aof\.1\.incr\.aof' named at line 2 does not exist in /
            : /File can't be a path, just a filename/;
      const [check, inspect, fix] = runs.slice(k * 3, k * 3 + 3) as [Run, Run, Run];
      for (const run of [check, inspect, fix]) expect(run.code, `${run.args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(1);
      expect(check.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^INVALID ${escape(manifest)}: offset ${offset}: .*${what.source}`));
      expectOneLineError(inspect, manifest, new RegExp(`offset ${offset}: .*${what.source}`));
      expectOneLineError(fix, manifest, new RegExp(`offset ${offset}: .*${what.source}`));
    });
    expect(await snapshot(work)).toEqual(before);
  }, 60_000);

  it('an empty AOF is valid (as redis-check-aof says), and check and fix agree on every input', async () => {
    const inputs = ['empty.aof', 'empty.rdb', 'text.aof', 'markdown.aof', 'valid.aof', 'truncated.aof', 'early.aof', 'cut.rdb', 'link.aof', 'set'];
    const runs = await cliAll([
      ['check', ...inputs.map((name) => at(name)), '--json'],
      ['check', at('empty.aof')],
      ['inspect', at('empty.aof'), '--json'],
      ...inputs.map((name) => ['fix', at(name), '--dry-run', '--json']),
    ]);
    const [checkAll, checkEmpty, inspectEmpty] = runs as [Run, Run, Run];
    const verdicts = (JSON.parse(checkAll.stdout) as { files: { file: string; valid: boolean }[] }).files;
    expect(verdicts.map((v) => v.file)).toEqual(inputs.map((name) => at(name)));
    expect(checkEmpty.code).toBe(0);
    expect(checkEmpty.stdout).toMatch(/AOF is empty/);
    expect(inspectEmpty.code).toBe(0);
    inputs.forEach((name, k) => {
      const fix = runs[3 + k] as Run;
      const valid = (verdicts[k] as { valid: boolean }).valid;
      // check valid ⇔ fix has nothing to do; check invalid ⇔ fix plans a repair (dry run) or refuses (exit 1).
      const said = fix.code === 0 ? ((JSON.parse(fix.stdout) as { clean: boolean }).clean ? 'nothing to fix' : 'a repair') : fix.code === 1 ? 'refused' : `exit ${String(fix.code)}`;
      expect({ name, fix: said }, fix.stderr).toEqual({ name, fix: valid ? 'nothing to fix' : expect.stringMatching(/^(a repair|refused)$/) });
    });
    expect(Object.fromEntries(inputs.map((name, k) => [name, (verdicts[k] as { valid: boolean }).valid]))).toEqual({
      'empty.aof': true,
      'empty.rdb': false,
      'text.aof': false,
      'markdown.aof': false,
      'valid.aof': true,
      'truncated.aof': false,
      'early.aof': false,
      'cut.rdb': false,
      'link.aof': true,
      set: false,
    });
    if (haveRedis) {
      const tool = await runTool('redis-check-aof', [at('empty.aof')]);
      expect(tool.code).toBe(0);
      expect(tool.stdout).toMatch(/is empty/);
    }
    expect(await snapshot(work)).toEqual(before);
  }, 60_000);
});
