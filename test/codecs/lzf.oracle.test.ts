/**
 * LZF and CRC64 against a real Redis 7.0: the server loads strings we compressed and returns them, and
 * strings the server compressed come out of our compressor as the very same bytes.
 */
// cspell:words lzf redback DBSIZE GETRANGE xxtail dbfilename
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeWithRedis, makeTempDir, runTool, startRedis } from '../support/redis.js';
import { recodeRdb } from '../support/rdb-recode.js';
import { writeRdb, type RdbItem } from '../support/rdb-writer.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describeWithRedis('Redis 7.0 and our LZF and CRC64', () => {
  it('redis-server loads an RDB of strings we compressed and returns the original values', async () => {
    const dir = await makeTempDir('redback-lzf-');
    const entries: [string, Uint8Array][] = [];
    const words = ['redis', 'back', 'key', 'value', 'compress', 'lzf', '0123456789', ':'];
    let seed = 42;
    for (let i = 0; i < 40; i++) {
      let text = '';
      const n = 5 + ((i * 37) % 400);
      while (text.length < n) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        text += words[(seed >>> 16) % words.length] as string;
      }
      entries.push([`k${i}`, ascii(text)]);
    }
    entries.push(['big', ascii('x'.repeat(100_000) + 'tail')]);
    const items: RdbItem[] = [{ selectDb: 0 }, ...entries.map(([key, value]): RdbItem => ({ key: { key, value: { encoding: 'string', value } } }))];
    const file = writeRdb({ version: 9, items });
    const compressed = recodeRdb(file).sites['string-lzf'] ?? 0;
    expect(compressed).toBeGreaterThan(30);
    const path = join(dir, 'dump.rdb');
    await writeFile(path, file);

    const check = await runTool('redis-check-rdb', [path], { cwd: dir });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    // A wrong checksum is noticed by Redis too: the trailer really is Redis's CRC-64.
    const bad = file.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    await writeFile(join(dir, 'bad.rdb'), bad);
    expect((await runTool('redis-check-rdb', [join(dir, 'bad.rdb')], { cwd: dir })).code).not.toBe(0);

    const server = await startRedis({ dir, dbfilename: 'dump.rdb' });
    try {
      expect(await server.call('DBSIZE')).toBe(entries.length);
      for (const [key, value] of entries.slice(0, 40)) expect(Buffer.from((await server.call('GET', key)) as Buffer)).toEqual(Buffer.from(value));
      expect(await server.call('STRLEN', 'big')).toBe(100004);
      expect(Buffer.from((await server.call('GETRANGE', 'big', '99998', '-1')) as Buffer).toString()).toBe('xxtail');
    } finally {
      await server.stop();
    }
  });

  it('strings Redis compressed (random text, and blobs of every listpack shape) re-encode to its bytes', async () => {
    const server = await startRedis();
    try {
      const strings = fc.sample(
        fc.oneof(
          fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'ab', 'xyz', '0', ' '), minLength: 15, maxLength: 400 }),
          fc.string({ unit: 'grapheme-ascii', minLength: 21, maxLength: 120 }),
          fc.array(fc.constantFrom('redis', 'back', ':', '0123456789', '\u0000', 'é'), { minLength: 5, maxLength: 200 }).map((parts) => parts.join('')),
        ),
        { numRuns: 400, seed: 0x1a2f },
      );
      const commands: string[][] = strings.map((value, i) => ['SET', `s${i}`, value]);
      // Listpack blobs (hashes, zsets, lists) go through the same rdbSaveRawString: compressed when they can be.
      for (let i = 0; i < 40; i++) {
        commands.push(['HSET', `h${i}`, ...strings.slice(i, i + 6).flatMap((v, j) => [`f${j}`, v.slice(0, 50)])]);
        commands.push(['RPUSH', `l${i}`, ...strings.slice(i, i + 8).map((v) => v.slice(0, 40))]);
      }
      await server.callMany(commands);
      await server.call('SAVE');
      const dump = new Uint8Array(await readFile(join(server.dir, 'dump.rdb')));
      const report = recodeRdb(dump);
      expect(report.examples).toEqual([]);
      expect(report.differing).toEqual({});
      expect(report.sites['string-lzf'] ?? 0).toBeGreaterThan(100);
      expect(Buffer.compare(Buffer.from(report.output), Buffer.from(dump))).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
