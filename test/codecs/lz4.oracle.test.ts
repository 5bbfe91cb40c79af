// cspell:words lz4js redback
/** Our LZ4 frames against the reference `lz4` command-line tool (each reads what the other writes). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { isLz4Frame, lz4DecodeBuffer, lz4EncodeBuffer, lz4EncodeFrames, type Lz4BlockSize } from '../../src/codecs/lz4.js';
import { UnsupportedError } from '../../src/errors.js';
import { describeNeeding } from '../support/prerequisites.js';
import { concat } from '../support/bytes.js';
import { collect, decodeStream, expectBytes, expectDecodesThreeWays, fromChunks, noise, text } from './lz4-samples.js';

const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Catches what `fn` throws (undefined when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const lz4Available = (() => {
  const result = spawnSync('lz4', ['--version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
})();

describeNeeding(lz4Available, 'the lz4 command-line tool', 'apt-get install -y lz4', 'interop with the lz4 command-line tool', () => {
  const lz4 = (args: string[], input?: Uint8Array): Uint8Array => {
    const result = spawnSync('lz4', args, { input, maxBuffer: 1 << 28 });
    if (result.status !== 0) throw new Error(`lz4 ${args.join(' ')} failed: ${result.stderr.toString()}`);
    return new Uint8Array(result.stdout);
  };

  it('decodes files the CLI wrote with each option set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redback-lz4-'));
    try {
      const inputs: [string, Uint8Array][] = [
        ['text', text(300_000, 4)],
        ['noise', noise(150_000, 5)],
        ['mixed', concat([text(70_000, 6), noise(10_000, 7), new Uint8Array(100_000), text(40_000, 6)])],
        ['tiny', ascii('hi')],
        ['empty', new Uint8Array(0)],
      ];
      const optionSets = [
        [],
        ['-BD'],
        ['-B4'],
        ['-B4', '-BD'],
        ['-B5', '-BD', '-BX'],
        ['--content-size'],
        ['--no-frame-crc'],
        ['-BX'],
        ['-B4', '-BD', '-BX', '--content-size'],
        ['-9', '-B4', '-BD'],
        ['-12', '-B6'],
        ['--fast=5'],
      ];
      for (const [name, data] of inputs) {
        const source = join(dir, `${name}.bin`);
        writeFileSync(source, data);
        for (const options of optionSets) {
          const target = join(dir, `${name}.lz4`);
          lz4(['-q', '-f', ...options, source, target]);
          const frame = new Uint8Array(readFileSync(target));
          const how = `${name} ${options.join(' ')}`;
          expect(isLz4Frame(frame), how).toBe(true);
          expectBytes(lz4DecodeBuffer(frame), data, how);
          const chunks: Uint8Array[] = [];
          for (let p = 0; p < frame.length; p += 7919) chunks.push(frame.subarray(p, p + 7919));
          expectBytes(await decodeStream(chunks), data, how);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodes a small CLI frame whole, byte by byte and split at every offset', async () => {
    const data = ascii('redback redback redback: small frames from the lz4 tool, redback redback!');
    for (const options of [['-BD', '-BX'], ['--content-size', '-BX'], []]) {
      const frame = lz4(['-q', '-c', ...options], data);
      await expectDecodesThreeWays(frame, data);
    }
  });

  it('decodes concatenated CLI frames and reports legacy ones as unsupported', () => {
    const a = text(5000, 1);
    const b = text(3000, 2);
    const stream = concat([lz4(['-q', '-c'], a), lz4(['-q', '-c', '-BD', '-BX'], b)]);
    expectBytes(lz4DecodeBuffer(stream), concat([a, b]));
    expect(thrown(() => lz4DecodeBuffer(lz4(['-q', '-c', '-l'], a)))).toBeInstanceOf(UnsupportedError);
  });

  it('the CLI decodes what lz4EncodeBuffer and lz4EncodeFrames write', async () => {
    const sizes: Lz4BlockSize[] = [65536, 262144, 1048576, 4194304];
    for (const blockSize of sizes) {
      const data = concat([text(300_000, blockSize), noise(70_000, 3), new Uint8Array(200_000)]);
      const frame = lz4EncodeBuffer(data, { blockSize });
      expectBytes(lz4(['-d', '-c'], frame), data);
      const chunks: Uint8Array[] = [];
      for (let p = 0; p < data.length; p += 100_003) chunks.push(data.subarray(p, p + 100_003));
      expectBytes(lz4(['-d', '-c'], await collect(lz4EncodeFrames(fromChunks(chunks), { blockSize }))), data);
    }
    expectBytes(lz4(['-d', '-c'], lz4EncodeBuffer(new Uint8Array(0))), new Uint8Array(0));
  });

  it('the CLI decodes the encoder output for random data (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ min: 48, max: 52, maxLength: 3000 }), fc.nat(4000).map((n) => text(n, n + 7))),
        (data) => {
          expectBytes(lz4(['-d', '-c'], lz4EncodeBuffer(data, { blockSize: 65536 })), data);
        },
      ),
      { numRuns: 40 },
    );
  });
});
