import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/aof/resp.js';
import { parseManifest } from '../../src/aof/manifest.js';
import { writeAofSet } from '../../src/aof/set-writer.js';
import { checkAof } from '../../src/operations/check-aof.js';
import { makeTempDir, stopAll } from '../support/redis.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function commands(list: string[][]): Uint8Array[] {
  return list.flatMap((args) => encodeCommand(args));
}

describe('writing a multi-part AOF', () => {
  afterAll(stopAll); // removes the temp dirs, whatever happened

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
