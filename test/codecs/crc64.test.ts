// cspell:words redback sripathikrishnan chunkings
import { describe, it, expect, vi } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Crc64, crc64, crc64Backend, crc64Combine } from '../../src/codecs/crc64.js';
import { PEER_DIR, REPO_ROOT } from '../support/paths.js';
import { describePeer } from '../support/prerequisites.js';

const DUMPS = `${PEER_DIR}/sripathikrishnan__redis-rdb-tools/tests/dumps`;
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Bit-at-a-time CRC-64/Jones (reflected poly 0x95ac9329ac4bc9b5, init 0, no xor-out), from the definition. */
function referenceCrc(data: Uint8Array, crc = 0n): bigint {
  const poly = 0x95ac9329ac4bc9b5n;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

/** Byte-at-a-time CRC with a BigInt table built from {@link referenceCrc}: the same, but usable on 100 KB. */
const REFERENCE_TABLE = Array.from({ length: 256 }, (_, i) => referenceCrc(Uint8Array.of(i)));
function tableReference(data: Uint8Array, crc = 0n): bigint {
  for (const byte of data) crc = (REFERENCE_TABLE[Number((crc ^ BigInt(byte)) & 0xffn)] as bigint) ^ (crc >> 8n);
  return crc;
}

/** Deterministic pseudo-random bytes. */
function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('crc64', () => {
  it('gives the check value of CRC-64/Jones as Redis uses it', () => {
    expect(crc64(ascii('123456789'))).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(new Uint8Array(0))).toBe(0n);
    expect(crc64(new Uint8Array(0), 0x1234n)).toBe(0x1234n);
  });

  it('matches the bit-by-bit definition for any data, start value and memory alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.nat(7), (data, start, shift) => {
        // Place the data at every alignment: the bulk loop reads 32-bit words from aligned addresses.
        const host = new Uint8Array(data.length + 8);
        host.set(data, shift);
        const view = host.subarray(shift, shift + data.length);
        expect(crc64(view, start)).toBe(referenceCrc(data, start));
      }),
      { numRuns: 400 },
    );
  });

  it('uses the WebAssembly kernel for large inputs, with the same results at any length and alignment', () => {
    expect(crc64Backend).toBe('wasm');
    const big = noise(400_000, 21);
    fc.assert(
      fc.property(fc.integer({ min: 3000, max: 120_000 }), fc.nat(7), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (length, shift, start) => {
        const view = big.subarray(shift, shift + length);
        expect(crc64(view, start)).toBe(tableReference(view, start));
      }),
      { numRuns: 25 },
    );
    // Longer than one kernel chunk (256 KiB).
    expect(crc64(big)).toBe(tableReference(big));
  });

  it('falls back to the plain JS loop when WebAssembly is unavailable (node --jitless)', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    try {
      const fresh = await import('../../src/codecs/crc64.js');
      expect(fresh.crc64Backend).toBe('js');
      const data = noise(300_000, 4);
      expect(fresh.crc64(data)).toBe(crc64(data));
      expect(fresh.crc64(data.subarray(5, 200_001), 77n)).toBe(crc64(data.subarray(5, 200_001), 77n));
      const c = new fresh.Crc64();
      c.update(data, 0, 12_345);
      c.update(data, 12_345);
      expect(c.digest()).toBe(crc64(data));
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it('matches the definition on a large buffer that exercises the 16-byte loop', () => {
    const data = noise(20_000, 7);
    expect(crc64(data)).toBe(referenceCrc(data));
    expect(crc64(data.subarray(3, 19_999))).toBe(referenceCrc(data.subarray(3, 19_999)));
  });

  it('takes only the low 64 bits of the start value', () => {
    const data = ascii('abc');
    expect(crc64(data, (1n << 64n) + 5n)).toBe(crc64(data, 5n));
    expect(crc64(data, -1n)).toBe(referenceCrc(data, (1n << 64n) - 1n));
  });

  it('agrees with the trailers Redis 7.0 wrote into fixtures/', () => {
    for (const name of ['redis-7.0-all-types.rdb', 'redis-7.0-no-compression.rdb']) {
      const file = new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures', name)));
      const stored = new DataView(file.buffer, file.byteOffset).getBigUint64(file.length - 8, true);
      expect(stored).not.toBe(0n);
      expect(crc64(file.subarray(0, file.length - 8)), name).toBe(stored);
    }
  });
});

describePeer('crc64 on the peer corpus', () => {
  it.each(['rdb_version_5_with_checksum.rdb', 'redis_50_with_streams.rdb', 'rdb_version_8_with_64b_length_and_scores.rdb'])(
    'agrees with the trailer of %s (redis-rdb-tools dumps)',
    (name) => {
      const file = new Uint8Array(readFileSync(join(DUMPS, name)));
      const stored = new DataView(file.buffer, file.byteOffset).getBigUint64(file.length - 8, true);
      expect(stored).not.toBe(0n);
      expect(crc64(file.subarray(0, file.length - 8)), name).toBe(stored);
    },
  );
});

describe('Crc64 (incremental)', () => {
  const data = noise(200, 3);
  const whole = crc64(data);

  it('whole input at once', () => {
    const c = new Crc64();
    c.update(data);
    expect(c.digest()).toBe(whole);
    expect(c.digest()).toBe(whole); // digest does not change the state
  });

  it('fed byte by byte', () => {
    const c = new Crc64();
    for (let i = 0; i < data.length; i++) c.update(data, i, i + 1);
    expect(c.digest()).toBe(whole);
    const d = new Crc64();
    for (const byte of data) d.update(Uint8Array.of(byte));
    expect(d.digest()).toBe(whole);
  });

  it('split into two chunks at every offset', () => {
    for (let cut = 0; cut <= data.length; cut++) {
      const c = new Crc64();
      c.update(data.subarray(0, cut));
      c.update(data.subarray(cut));
      expect(c.digest(), `cut ${cut}`).toBe(whole);
      const d = new Crc64();
      d.update(data, 0, cut);
      d.update(data, cut);
      expect(d.digest()).toBe(whole);
      expect(crc64(data.subarray(cut), crc64(data.subarray(0, cut)))).toBe(whole);
    }
  });

  it('random chunkings of a larger buffer (JS and WebAssembly paths mixed)', () => {
    const big = noise(60_000, 11);
    const expected = crc64(big);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 4000, max: 20_000 })), { maxLength: 30 }), (sizes) => {
        const c = new Crc64();
        let p = 0;
        for (const size of sizes) {
          const end = Math.min(big.length, p + size);
          c.update(big, p, end);
          p = end;
        }
        c.update(big, p);
        expect(c.digest()).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('starts from a given value, resets, and rejects bad ranges', () => {
    const c = new Crc64(crc64(ascii('1234')));
    c.update(ascii('56789'));
    expect(c.digest()).toBe(0xe9c6d914c4b8d9can);
    c.reset();
    expect(c.digest()).toBe(0n);
    c.update(ascii('123456789'));
    expect(c.digest()).toBe(0xe9c6d914c4b8d9can);
    expect(() => c.update(data, 5, 4)).toThrow(RangeError);
    expect(() => c.update(data, -1)).toThrow(RangeError);
    expect(() => c.update(data, 0, data.length + 1)).toThrow(RangeError);
    expect(() => c.update(data, 0.5)).toThrow(RangeError);
  });

  it('is fast (well above 100 MB/s of CPU time even on a slow, shared test machine)', () => {
    const buf = noise(16 << 20, 5);
    const c = new Crc64();
    c.update(buf, 0, 1 << 20); // warm up
    const before = process.cpuUsage();
    c.update(buf);
    const used = process.cpuUsage(before);
    const ms = (used.user + used.system) / 1000;
    expect(buf.length / 1e3 / Math.max(ms, 1)).toBeGreaterThan(100);
  });
});

describe('crc64Combine', () => {
  it('gives the CRC of a concatenation from the CRCs of its two parts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), (data, cut) => {
        const k = data.length === 0 ? 0 : cut % (data.length + 1);
        const a = data.subarray(0, k);
        const b = data.subarray(k);
        expect(crc64Combine(crc64(a), crc64(b), b.length)).toBe(crc64(data));
      }),
      { numRuns: 300 },
    );
  });

  it('chains over many parts, as the parallel reader combines them', () => {
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 0xff);
    const cuts = [0, 1, 999, 4096, 50_000, 77_777, 100_000];
    let crc = 0n;
    for (let i = 1; i < cuts.length; i++) {
      const part = data.subarray(cuts[i - 1], cuts[i]);
      crc = crc64Combine(crc, crc64(part), part.length);
    }
    expect(crc).toBe(crc64(data));
  });
});

describe('crc64 over whole kernel chunks (two interleaved streams, combined)', () => {
  it('equals the plain JS loop on buffers of one to several 256 KiB chunks, at any offset', () => {
    const data = Uint8Array.from({ length: (1 << 20) + 777 }, (_, i) => (i * 131 + (i >> 11) * 7) & 0xff);
    for (const [start, end] of [
      [0, 1 << 18],
      [0, 1 << 20],
      [5, (1 << 19) + 5],
      [3, data.length],
      [1000, (1 << 18) * 3 + 999],
    ] as const) {
      const slow = new Crc64();
      for (let p = start; p < end; p += 1000) slow.update(data, p, Math.min(end, p + 1000)); // below the kernel's threshold
      expect(crc64(data.subarray(start, end))).toBe(slow.digest());
    }
  });
});
