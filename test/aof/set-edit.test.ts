import { copyFile, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { parseManifest } from '../../src/aof/manifest.js';
import { writeAofSet } from '../../src/aof/set-edit.js';
import { checkAof } from '../../src/operations/check-aof.js';
import { describeWithRedis, loadAofDigest, loadRdbDigest, makeTempDir, runTool, startRedis } from '../support/redis.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function commands(list: string[][]): Uint8Array[] {
  return list.flatMap((args) => encodeCommand(args));
}

describe('writing a multi-part AOF', () => {
  it('lays files out as Redis names them and writes the manifest Redis would', async () => {
    const dir = await makeTempDir('redback-setw-');
    const base = await readFile(`${fixtures}redis-7.0-all-types.rdb`);
    const written = await writeAofSet(dir, { base: { format: 'rdb', chunks: [base] }, incrs: [commands([['SET', 'a', '1']]), commands([['SET', 'b', '2']])] }, { seq: 3 });
    expect((await readdir(dir)).sort()).toEqual(['appendonly.aof.3.base.rdb', 'appendonly.aof.3.incr.aof', 'appendonly.aof.4.incr.aof', 'appendonly.aof.manifest']);
    const manifest = await readFile(written.manifestPath, 'latin1');
    expect(manifest).toBe('file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\nfile appendonly.aof.4.incr.aof seq 4 type i\n');
    expect(parseManifest(new Uint8Array(Buffer.from(manifest, 'latin1'))).incr.map((e) => e.seq)).toEqual([3, 4]);
    const report = await checkAof(dir);
    expect(report.valid).toBe(true);
    expect(report.files.map((f) => f.kind)).toEqual(['rdb+resp', 'resp', 'resp']);
    // No temporary files are left behind.
    expect((await readdir(dir)).some((name) => name.includes('.tmp'))).toBe(false);
  });
});

describeWithRedis('a written set is what Redis loads', () => {
  it('redis-check-aof accepts it and redis-server loads the base plus every INCR command', async () => {
    const dir = await makeTempDir('redback-setw-redis-');
    const base = path.join(fixtures, 'redis-7.0-no-checksum.rdb');
    await writeAofSet(dir, {
      base: { format: 'rdb', chunks: [await readFile(base)] },
      incrs: [commands([['SELECT', '0'], ['SET', 'written:a', 'x'], ['RPUSH', 'written:list', '1', '2']]), commands([['SET', 'written:b', 'y']])],
    });
    const tool = await runTool('redis-check-aof', [path.join(dir, 'appendonly.aof.manifest')]);
    expect(tool.code, tool.stdout).toBe(0);
    expect(tool.stdout).toContain('All AOF files and manifest are valid');
    const fromRdb = await loadRdbDigest(base);
    const fromSet = await loadAofDigest(dir);
    expect(fromSet.keys).toBe(fromRdb.keys + 3);
    // The same data through a server that loaded the base and ran the commands itself.
    const refDir = await makeTempDir('redback-setw-ref-');
    await copyFile(base, path.join(refDir, 'dump.rdb'));
    const reference = await startRedis({ dir: refDir, dbfilename: 'dump.rdb' });
    try {
      await reference.callMany([['SET', 'written:a', 'x'], ['RPUSH', 'written:list', '1', '2'], ['SET', 'written:b', 'y']]);
      expect(fromSet.digest).toBe(await reference.digest());
    } finally {
      await reference.stop();
    }
  });
});
