/**
 * `check DIR`: a folder of backups or a Redis `dir` gives one verdict per RDB, AOF and AOF directory in it,
 * and the exit code says the worst (3 unreadable, 1 invalid, 4 unverified, 0 all valid).
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { concat } from '../support/bytes.js';
import { REPO_ROOT } from '../support/paths.js';
import { makeTempDir } from '../support/redis.js';

const BIN = path.join(REPO_ROOT, 'bin/run.js');
const RDB = path.join(REPO_ROOT, 'fixtures/redis-7.0-all-types.rdb');
const NO_CHECKSUM = path.join(REPO_ROOT, 'fixtures/redis-7.0-no-checksum.rdb');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function run(...args: string[]): { code: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout };
}

/** The no-checksum fixture with a Redis Enterprise opcode (107, RAM_LRU) before its first SELECTDB. */
async function withVendorOpcode(): Promise<Uint8Array> {
  const data = new Uint8Array(await readFile(NO_CHECKSUM));
  let at = -1;
  for (let i = 9; i + 2 < data.length; i++) if (data[i] === 0xfe && data[i + 1] === 0x00 && data[i + 2] === 0xfb) at = at < 0 ? i : at;
  expect(at).toBeGreaterThan(9);
  return concat([data.subarray(0, at), new Uint8Array([107]), data.subarray(at)]);
}

async function redisDir(): Promise<string> {
  const dir = await makeTempDir('redback-check-dir-');
  dirs.push(dir);
  await cp(RDB, path.join(dir, 'dump.rdb'));
  await writeFile(path.join(dir, 'appendonly.aof'), concat(encodeCommand(['SET', 'a', '1'])));
  const set = path.join(dir, 'appendonlydir');
  await mkdir(set);
  await cp(RDB, path.join(set, 'appendonly.aof.1.base.rdb'));
  await writeFile(path.join(set, 'appendonly.aof.1.incr.aof'), concat(encodeCommand(['DEL', 'a'])));
  await writeFile(path.join(set, 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  await writeFile(path.join(dir, 'redis.conf.notes'), 'not a redis file\n');
  return dir;
}

describe('check of a folder', () => {
  it('a Redis dir: dump.rdb, appendonly.aof and appendonlydir/ each get a verdict; other files are skipped', async () => {
    const dir = await redisDir();
    const result = run('check', dir, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { files: { file: string; valid: boolean; format: string }[]; summary: { skipped: string[] } };
    expect(report.files.map((f) => [path.basename(f.file), f.format, f.valid])).toEqual([
      ['appendonly.aof', 'aof', true],
      ['appendonlydir', 'aof', true],
      ['dump.rdb', 'rdb', true],
    ]);
    expect(report.summary.skipped.map((p) => path.basename(p))).toEqual(['redis.conf.notes']);
  });

  it('a folder of backups, with damaged and unverifiable files and a subfolder', async () => {
    const dir = await redisDir();
    await writeFile(path.join(dir, 'cut.rdb'), (await readFile(RDB)).subarray(0, 3000));
    await writeFile(path.join(dir, 'enterprise.rdb'), await withVendorOpcode());
    await mkdir(path.join(dir, 'older'));
    await cp(RDB, path.join(dir, 'older', 'dump-2026-11-01.rdb'));
    const flat = run('check', dir, '--json');
    const verdicts = (run: { stdout: string }): string[][] =>
      (JSON.parse(run.stdout) as { files: { file: string; valid: boolean; verdict?: string }[] }).files.map((f) => [path.relative(dir, f.file), f.verdict ?? String(f.valid)]);
    expect(verdicts(flat)).toEqual([
      ['appendonly.aof', 'true'],
      ['appendonlydir', 'true'],
      ['cut.rdb', 'invalid'],
      ['dump.rdb', 'valid'],
      ['enterprise.rdb', 'unverified'],
    ]);
    expect(flat.code).toBe(1); // invalid beats unverified
    const deep = run('check', dir, '--recursive', '--json');
    expect(verdicts(deep).map((v) => v[0])).toContain('older/dump-2026-11-01.rdb');
    const human = run('check', path.join(dir, 'enterprise.rdb'));
    expect(human.code).toBe(4);
    expect(human.stdout).toMatch(/UNVERIFIED .*enterprise\.rdb: offset \d+: opcode 107 \(RAM_LRU, Redis Enterprise\)/);
    expect(human.stdout).not.toMatch(/invalid object type/);
  });

  it('a folder with nothing to check is an error, exit 3', async () => {
    const dir = await makeTempDir('redback-check-dir-');
    dirs.push(dir);
    await writeFile(path.join(dir, 'notes.txt'), 'hello\n');
    const result = run('check', dir);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/no RDB or AOF file here/);
  });

  it('a checksum mismatch says the damage lies before the checksum', async () => {
    const dir = await makeTempDir('redback-check-dir-');
    dirs.push(dir);
    const data = new Uint8Array(await readFile(RDB));
    data[data.length - 3] = (data[data.length - 3] as number) ^ 0xff;
    await writeFile(path.join(dir, 'crc.rdb'), data);
    const result = run('check', path.join(dir, 'crc.rdb'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/checksum mismatch/);
    expect(result.stdout).toMatch(/damage lies somewhere before the checksum/);
    expect(result.stdout).not.toMatch(/good up to offset/);
  });
});
