/** A set written by writeAofSet is what redis-check-aof accepts and redis-server loads. */
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { writeAofSet } from '../../src/aof/set-writer.js';
import { describeWithRedis, loadAofDigest, loadRdbDigest, makeTempDir, runTool, startRedis } from '../support/redis.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function commands(list: string[][]): Uint8Array[] {
  return list.flatMap((args) => encodeCommand(args));
}

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
