import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCommand, readAofSync } from '../../src/aof/resp.js';
import { applyFix, planFix } from '../../src/operations/fix-aof.js';
import { checkAof } from '../../src/operations/check-aof.js';
import { makeTempDir } from '../support/redis.js';
import { concat } from '../support/bytes.js';

// --salvage searches resume points window by window; a tiny window makes every corner of that search run
// on a small file: records crossing windows, values larger than the window, damage inside a transaction.


describe('--salvage with bounded windows', () => {
  for (const window of [64, 1000, 1 << 20]) {
    it(`keeps every intact command and drops each damaged one (and a damaged transaction whole), window ${window}`, async () => {
      const commands: string[][] = [];
      for (let i = 0; i < 300; i++) {
        if (i === 100) commands.push(['MULTI'], ['SET', 'tx:a', '1'], ['SET', 'tx:b', 'x'.repeat(3000)], ['SET', 'tx:c', '3'], ['EXEC']);
        commands.push(['SET', `key:${i}`, i % 37 === 0 ? 'v'.repeat(5000) : `value ${i} *1\r\n$4\r\nEXEC\r\n`]);
      }
      const pieces = commands.map((c) => concat(encodeCommand(c)));
      const offsets: number[] = [];
      let at = 0;
      for (const p of pieces) {
        offsets.push(at);
        at += p.length;
      }
      const data = concat(pieces);
      // Damage: the header of command 10, a length inside command 50, and the SET tx:b inside the transaction.
      const damaged = Uint8Array.from(data);
      const damage = (index: number, delta: number, byte: number): void => {
        damaged[(offsets[index] as number) + delta] = byte;
      };
      damage(10, 0, 0x21);
      damage(50, 5, 0x7a);
      damage(102, 5, 0x7a);
      const dir = await makeTempDir('redback-salvage-');
      const file = path.join(dir, 'appendonly.aof');
      await writeFile(file, damaged);
      const plan = await planFix(file, { salvage: true, salvageWindow: window });
      await applyFix(plan, { noBackup: true });
      const fixed = new Uint8Array(await readFile(file));
      expect((await checkAof(file)).valid).toBe(true);
      const lost = new Set([10, 50, 100, 101, 102, 103, 104]);
      const expected = concat(pieces.filter((_, i) => !lost.has(i)));
      expect(Buffer.from(fixed).equals(Buffer.from(expected))).toBe(true);
      expect([...readAofSync(fixed)].length).toBe(pieces.length - lost.size);
    });
  }
});

describe('--salvage across a multi-part set', () => {
  it('salvages every broken INCR file into new files (next sequence numbers) and keeps their order', async () => {
    const { writeAofSet } = await import('../../src/aof/set-edit.js');
    const base = new Uint8Array(await readFile(path.resolve(import.meta.dirname, '../../fixtures/redis-7.0-no-checksum.rdb')));
    const incr = (tag: string): { pieces: Uint8Array[]; damaged: Uint8Array } => {
      const pieces = Array.from({ length: 40 }, (_, i) => concat(encodeCommand(['SET', `${tag}:${i}`, `v${i}`])));
      const damaged = concat(pieces);
      damaged[pieces.slice(0, 20).reduce((n, p) => n + p.length, 0)] = 0x3f; // command 20's '*'
      return { pieces, damaged };
    };
    const first = incr('one');
    const second = incr('two');
    const dir = await makeTempDir('redback-salvage-set-');
    const written = await writeAofSet(dir, { base: { format: 'rdb', chunks: [base] }, incrs: [[first.damaged], [second.damaged]] });
    const plan = await planFix(dir, { salvage: true, salvageWindow: 256 });
    expect(plan.targets.map((t) => t.name)).toEqual(['appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof']);
    expect(plan.targets.map((t) => t.commandsLost)).toEqual([0, 0]);
    expect(plan.droppedFiles).toEqual([]);
    await applyFix(plan, { noBackup: true });
    expect((await checkAof(dir)).valid).toBe(true);
    // The broken files are replaced by new ones under the next INCR numbers, in the same order.
    expect(await readFile(written.manifestPath, 'latin1')).toBe(
      'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\nfile appendonly.aof.4.incr.aof seq 4 type i\n',
    );
    for (const [name, parts] of [['appendonly.aof.3.incr.aof', first.pieces], ['appendonly.aof.4.incr.aof', second.pieces]] as const) {
      const fixed = new Uint8Array(await readFile(path.join(dir, name)));
      expect(Buffer.from(fixed).equals(Buffer.from(concat(parts.filter((_, i) => i !== 20))))).toBe(true);
    }
  });
});

describe('fix on LZ4-compressed AOFs', () => {
  it('repairs a compressed file and writes it back compressed; --compress lz4 compresses a plain one', async () => {
    const { lz4DecodeBuffer, lz4EncodeBuffer, isLz4Frame } = await import('../../src/codecs/lz4.js');
    const pieces = Array.from({ length: 50 }, (_, i) => concat(encodeCommand(['SET', `k${i}`, 'v'.repeat(i * 7)])));
    const whole = concat(pieces);
    const cut = whole.subarray(0, whole.length - 5); // the last command is cut short
    const dir = await makeTempDir('redback-fix-lz4-');
    const compressed = path.join(dir, 'appendonly.aof.lz4');
    await writeFile(compressed, lz4EncodeBuffer(cut));
    const plan = await planFix(compressed);
    expect(plan.target?.dropped).toEqual([{ start: whole.length - (pieces.at(-1) as Uint8Array).length, end: cut.length }]);
    await applyFix(plan, { noBackup: true });
    const fixed = new Uint8Array(await readFile(compressed));
    expect(isLz4Frame(fixed)).toBe(true);
    expect(Buffer.from(lz4DecodeBuffer(fixed)).equals(Buffer.from(concat(pieces.slice(0, -1))))).toBe(true);

    const plain = path.join(dir, 'plain.aof');
    await writeFile(plain, cut);
    await applyFix(await planFix(plain), { noBackup: true, compress: 'lz4' });
    const written = new Uint8Array(await readFile(plain));
    expect(isLz4Frame(written)).toBe(true);
    expect(Buffer.from(lz4DecodeBuffer(written)).equals(Buffer.from(concat(pieces.slice(0, -1))))).toBe(true);
    expect((await checkAof(plain)).valid).toBe(true);
  });
});
