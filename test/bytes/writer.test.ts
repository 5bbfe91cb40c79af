// cspell:words feffffffffffffff
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/bytes/reader.js';
import { ByteWriter } from '../../src/bytes/writer.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { concat } from '../support/bytes.js';

/** One write of every kind the writer has, with the reader method that reads it back. */
type Op =
  | { m: 'u8' | 'i8' | 'u16le' | 'u16be' | 'i16le' | 'u24le' | 'i24le' | 'u32le' | 'u32be' | 'i32le' | 'f32le' | 'f64le'; v: number }
  | { m: 'u64le' | 'u64be' | 'i64le'; v: bigint }
  | { m: 'bytes'; v: Uint8Array };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ m: fc.constant('u8' as const), v: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ m: fc.constant('i8' as const), v: fc.integer({ min: -128, max: 127 }) }),
  fc.record({ m: fc.constantFrom('u16le' as const, 'u16be' as const), v: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ m: fc.constant('i16le' as const), v: fc.integer({ min: -32768, max: 32767 }) }),
  fc.record({ m: fc.constant('u24le' as const), v: fc.integer({ min: 0, max: 0xffffff }) }),
  fc.record({ m: fc.constant('i24le' as const), v: fc.integer({ min: -0x800000, max: 0x7fffff }) }),
  fc.record({ m: fc.constantFrom('u32le' as const, 'u32be' as const), v: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ m: fc.constant('i32le' as const), v: fc.integer({ min: -0x80000000, max: 0x7fffffff }) }),
  fc.record({ m: fc.constant('f32le' as const), v: fc.float({ noNaN: true }).map(Math.fround) }),
  fc.record({ m: fc.constant('f64le' as const), v: fc.double({ noNaN: true }) }),
  fc.record({ m: fc.constantFrom('u64le' as const, 'u64be' as const), v: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
  fc.record({ m: fc.constant('i64le' as const), v: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }) }),
  fc.record({ m: fc.constant('bytes' as const), v: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 60, maxLength: 300 })) }),
);

function apply(w: ByteWriter, o: Op): void {
  switch (o.m) {
    case 'u64le':
    case 'u64be':
    case 'i64le':
      w[o.m](o.v);
      break;
    case 'bytes':
      w.bytes(o.v);
      break;
    default:
      w[o.m](o.v);
  }
}

function readBack(r: ByteReader, o: Op): unknown {
  switch (o.m) {
    case 'bytes':
      return r.bytes(o.v.length);
    case 'u24le':
      return r.u24le();
    case 'i24le':
      return r.i24le();
    default:
      return r[o.m]();
  }
}

describe('ByteWriter', () => {
  it('writes what ByteReader reads back, for every method and any chunking (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 16, max: 128 }), fc.integer({ min: 1, max: 200 }), (ops, chunkSize, passThrough) => {
        const w = new ByteWriter({ chunkSize, passThrough });
        const pieces: Uint8Array[] = [];
        ops.forEach((o, i) => {
          apply(w, o);
          if (i % 7 === 3) pieces.push(...w.take()); // take mid-way: nothing taken may change afterwards
        });
        const early = pieces.map((p) => p.slice());
        pieces.push(...w.take());
        pieces.slice(0, early.length).forEach((p, i) => expect(p).toEqual(early[i]));
        const data = concat(pieces);
        expect(w.offset).toBe(data.length);
        const r = new ByteReader(data);
        for (const o of ops) {
          const value = readBack(r, o);
          if (o.m === 'f64le' || o.m === 'f32le') expect(Object.is(value, o.v) || value === o.v).toBe(true);
          else expect(value).toEqual(o.v);
        }
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('writes the byte orders its names say', () => {
    const w = new ByteWriter();
    w.u16le(0x0102);
    w.u16be(0x0102);
    w.u32le(0x01020304);
    w.u32be(0x01020304);
    w.u64le(0x0102030405060708n);
    w.u64be(0x0102030405060708n);
    w.i64le(-2);
    w.u24le(0x010203);
    w.i8(-1);
    w.latin1('RB');
    expect(Buffer.from(concat(w.take())).toString('hex')).toBe(
      '0201' + '0102' + '04030201' + '01020304' + '0807060504030201' + '0102030405060708' + 'feffffffffffffff' + '030201' + 'ff' + '5242',
    );
  });

  it('fills fixed-size chunks and hands large byte strings out as their own pieces, not copied', () => {
    const seen: Uint8Array[] = [];
    const w = new ByteWriter({ chunkSize: 64, passThrough: 32, onPiece: (piece) => seen.push(piece) });
    for (let i = 0; i < 100; i++) w.u8(i); // 100 bytes: one full chunk of 64, 36 pending
    const large = new Uint8Array(1000).fill(7);
    w.bytes(large);
    w.u32le(5);
    const pieces = w.take();
    expect(pieces.map((p) => p.length)).toEqual([64, 36, 1000, 4]);
    expect(pieces[2]).toBe(large); // the very array
    expect(seen).toEqual(pieces); // onPiece saw every piece, in order
    expect(w.pendingBytes).toBe(0);
    expect(w.offset).toBe(1104);
    expect(w.take()).toEqual([]);
  });

  it('seal makes onPiece current without handing anything out', () => {
    let seenBytes = 0;
    const w = new ByteWriter({ onPiece: (piece) => (seenBytes += piece.length) });
    w.u32le(1);
    expect(seenBytes).toBe(0);
    w.seal();
    expect(seenBytes).toBe(4);
    expect(w.pendingBytes).toBe(4);
    w.u8(2);
    expect(concat(w.take())).toEqual(Uint8Array.of(1, 0, 0, 0, 2));
  });

  it('rejects an unsafe number for i64le and a chunk size below 16', () => {
    const w = new ByteWriter();
    expect(() => w.i64le(2 ** 60)).toThrow(RangeError);
    expect(() => new ByteWriter({ chunkSize: 8 })).toThrow(RangeError);
  });

  describe('streaming to a file, one record at a time', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'redback-writer-'));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('an async writer takes the pieces of each record and never holds more than a chunk and a record', async () => {
      const w = new ByteWriter({ chunkSize: 1024 });
      let most = 0;
      async function* records(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 2000; i++) {
          w.u32be(i);
          w.bytes(new Uint8Array(i % 50).fill(i & 0xff));
          most = Math.max(most, w.pendingBytes);
          if (w.pendingBytes >= 1024) yield* w.take();
        }
        yield* w.take();
      }
      const path = join(dir, 'out.bin');
      const written = await writeFileAtomic(path, records());
      const data = new Uint8Array(await readFile(path));
      expect(written).toBe(data.length);
      expect(most).toBeLessThan(1024 + 4 + 50);
      const r = new ByteReader(data);
      for (let i = 0; i < 2000; i++) {
        expect(r.u32be()).toBe(i);
        expect(r.bytes(i % 50).every((b) => b === (i & 0xff))).toBe(true);
      }
      expect(r.remaining).toBe(0);
    });
  });
});
