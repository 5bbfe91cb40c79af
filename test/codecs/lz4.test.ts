// cspell:words lz4js xxh32 FLG skippable redback chunkings abcdefghijklmnopabcdefghijklmnop ABCDEFGHIJKLMNOPQRSTABCDE Fvwxyz
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import lz4jsXxh32 from 'lz4js/xxh32.js';
import {
  Xxh32,
  isLz4Frame,
  lz4DecodeBuffer,
  lz4DecodeFrames,
  lz4EncodeBuffer,
  lz4EncodeFrames,
  xxh32,
  type Lz4BlockSize,
} from '../../src/codecs/lz4.js';
import { ChecksumError, CorruptError, RedbackError, TruncatedError, UnsupportedError } from '../../src/errors.js';
import { concat } from '../support/bytes.js';
import { chunkings, collect, decodeStream, expectBytes, expectDecodesThreeWays, fromChunks, noise, text } from './lz4-samples.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Catches what `fn` throws (undefined when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function thrownAsync(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  return undefined;
}


/** Checks that every chunking of `frame` fails the same way. */
async function expectFailsThreeWays(
  frame: Uint8Array,
  type: new (...args: never[]) => RedbackError,
  message: RegExp,
  offset: number,
): Promise<void> {
  const check = (error: unknown, how: string): void => {
    expect(error, how).toBeInstanceOf(type);
    expect((error as RedbackError).message, how).toMatch(message);
    expect((error as RedbackError).offset, how).toBe(offset);
    expect((error as RedbackError).file, how).toBe('in.lz4');
  };
  check(thrown(() => lz4DecodeBuffer(frame, 'in.lz4')), 'sync');
  for (const { name, chunks } of chunkings(frame)) {
    check(await thrownAsync(() => decodeStream(chunks, 'in.lz4')), name);
  }
}

// ---------------------------------------------------------------------------------------------------
// A hand-written frame builder (uses lz4js's own xxh32, independent of ours).

function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function hash(data: Uint8Array | number[]): number {
  const bytes = Uint8Array.from(data);
  return lz4jsXxh32.hash(0, bytes, 0, bytes.length) >>> 0;
}

interface FrameSpec {
  linked?: boolean;
  blockChecksum?: boolean;
  contentChecksum?: boolean;
  contentSize?: bigint;
  dictId?: number;
  /** BD block size code 4..7 (default 4 = 64 KiB). */
  sizeCode?: number;
  /** Raw FLG/BD overrides for error tests. */
  flg?: number;
  bd?: number;
  blocks: { data: number[]; stored?: boolean }[];
  /** The decoded content, for the content checksum. */
  content?: Uint8Array;
  endMark?: number;
}

function descriptor(spec: FrameSpec): number[] {
  const flg =
    spec.flg ??
    (0x40 |
      (spec.linked ? 0 : 0x20) |
      (spec.blockChecksum ? 0x10 : 0) |
      (spec.contentSize !== undefined ? 0x08 : 0) |
      (spec.contentChecksum ? 0x04 : 0) |
      (spec.dictId !== undefined ? 0x01 : 0));
  const d = [flg, spec.bd ?? (spec.sizeCode ?? 4) << 4];
  if (spec.contentSize !== undefined) {
    d.push(...u32(Number(spec.contentSize & 0xffffffffn)), ...u32(Number(spec.contentSize >> 32n)));
  }
  if (spec.dictId !== undefined) d.push(...u32(spec.dictId));
  d.push((hash(d) >>> 8) & 0xff);
  return d;
}

function buildFrame(spec: FrameSpec): Uint8Array {
  const out = [...u32(0x184d2204), ...descriptor(spec)];
  for (const block of spec.blocks) {
    out.push(...u32((block.data.length | (block.stored ? 0x80000000 : 0)) >>> 0), ...block.data);
    if (spec.blockChecksum) out.push(...u32(hash(block.data)));
  }
  out.push(...u32(spec.endMark ?? 0));
  if (spec.contentChecksum) out.push(...u32(hash(spec.content ?? new Uint8Array(0))));
  return Uint8Array.from(out);
}

function skippable(payload: number[], magicLow = 0): Uint8Array {
  return Uint8Array.from([...u32(0x184d2a50 + magicLow), ...u32(payload.length), ...payload]);
}

/** An LZ4 sequence: literals then (unless it is the last) a match. */
function sequence(literals: number[], match?: { offset: number; length: number }): number[] {
  const out: number[] = [];
  const lit = literals.length;
  const ml = match === undefined ? 0 : match.length - 4;
  out.push((Math.min(lit, 15) << 4) | Math.min(ml, 15));
  if (lit >= 15) {
    let rest = lit - 15;
    for (; rest >= 255; rest -= 255) out.push(255);
    out.push(rest);
  }
  out.push(...literals);
  if (match !== undefined) {
    out.push(match.offset & 0xff, match.offset >> 8);
    if (ml >= 15) {
      let rest = ml - 15;
      for (; rest >= 255; rest -= 255) out.push(255);
      out.push(rest);
    }
  }
  return out;
}

const chars = (text: string): number[] => [...ascii(text)];

// ---------------------------------------------------------------------------------------------------

describe('xxh32', () => {
  it('gives the reference values', () => {
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxh32(ascii('abc'))).toBe(0x32d153ff);
    expect(xxh32(ascii('123456789abcdefghij'), 1, 2, 18)).toBe(lz4jsXxh32.hash(1, ascii('123456789abcdefghij'), 2, 16) >>> 0);
  });

  it('agrees with lz4js on any data and seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 0xffffffff }), (data, seed) => {
        expect(xxh32(data, seed)).toBe(lz4jsXxh32.hash(seed, data, 0, data.length) >>> 0);
      }),
      { numRuns: 500 },
    );
  });

  it('incremental: byte by byte, split at every offset, and random chunks', () => {
    const data = noise(100, 9);
    const whole = xxh32(data);
    const byteWise = new Xxh32();
    for (let i = 0; i < data.length; i++) byteWise.update(data, i, i + 1);
    expect(byteWise.digest()).toBe(whole);
    for (let cut = 0; cut <= data.length; cut++) {
      const h = new Xxh32();
      h.update(data.subarray(0, cut));
      h.update(data, cut);
      expect(h.digest(), `cut ${cut}`).toBe(whole);
    }
    fc.assert(
      fc.property(fc.array(fc.nat(40), { maxLength: 10 }), (sizes) => {
        const h = new Xxh32();
        let p = 0;
        for (const size of sizes) {
          const end = Math.min(data.length, p + size);
          h.update(data, p, end);
          p = end;
        }
        h.update(data, p);
        expect(h.digest()).toBe(whole);
      }),
    );
  });
});

describe('isLz4Frame', () => {
  it('recognizes the frame magic only', () => {
    expect(isLz4Frame(Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x64))).toBe(true);
    expect(isLz4Frame(Uint8Array.of(0x04, 0x22, 0x4d))).toBe(false);
    expect(isLz4Frame(ascii('REDIS0011'))).toBe(false);
    expect(isLz4Frame(skippable([1, 2]))).toBe(false);
    expect(isLz4Frame(Uint8Array.of(0x02, 0x21, 0x4c, 0x18))).toBe(false);
    expect(isLz4Frame(lz4EncodeBuffer(ascii('x')))).toBe(true);
  });
});

describe('lz4DecodeFrames on hand-built frames', () => {
  const hello = chars('hello hello hello hello hello hello!');
  // "hello " + a 24-byte overlapping match + "hello!" literals... built by hand:
  const helloBlock = [...sequence(chars('hello '), { offset: 6, length: 24 }), ...sequence(chars('hello!'))];

  it('a compressed block with an overlapping match, content checksum', async () => {
    const frame = buildFrame({ blocks: [{ data: helloBlock }], contentChecksum: true, content: Uint8Array.from(hello) });
    await expectDecodesThreeWays(frame, Uint8Array.from(hello));
  });

  it('block checksums, content size, stored blocks, all four block sizes', async () => {
    for (const sizeCode of [4, 5, 6, 7]) {
      const content = Uint8Array.from([...hello, ...chars('stored block')]);
      const frame = buildFrame({
        sizeCode,
        blockChecksum: true,
        contentChecksum: true,
        contentSize: BigInt(content.length),
        blocks: [{ data: helloBlock }, { data: chars('stored block'), stored: true }],
        content,
      });
      expectBytes(lz4DecodeBuffer(frame), content);
      if (sizeCode === 4) await expectDecodesThreeWays(frame, content);
    }
  });

  it('linked blocks: a block may copy from the previous one', async () => {
    const content = Uint8Array.from(chars('abcdefghijklmnopabcdefghijklmnopXYZ12'));
    const blocks = [
      { data: chars('abcdefghijklmnop'), stored: true },
      { data: [...sequence([], { offset: 16, length: 16 }), ...sequence(chars('XYZ12'))] },
    ];
    await expectDecodesThreeWays(buildFrame({ linked: true, blocks, contentChecksum: true, content }), content);
    // The same blocks in a frame of independent blocks are corrupt.
    await expectFailsThreeWays(buildFrame({ linked: false, blocks }), CorruptError, /before the start/, 7 + 4 + 16 + 4);
  });

  it('linked blocks reach back 64 KiB across many blocks, not further', () => {
    // 70 stored blocks of 1 KiB, then a block copying from exactly 65535 bytes back.
    const blocks: { data: number[]; stored?: boolean }[] = [];
    const parts: number[] = [];
    for (let i = 0; i < 70; i++) {
      const data = [...noise(1024, i + 1)];
      blocks.push({ data, stored: true });
      parts.push(...data);
    }
    const copied = parts.slice(parts.length - 65535, parts.length - 65535 + 20);
    blocks.push({ data: [...sequence([], { offset: 65535, length: 20 }), ...sequence(chars('tail!'))] });
    const content = Uint8Array.from([...parts, ...copied, ...chars('tail!')]);
    expectBytes(lz4DecodeBuffer(buildFrame({ linked: true, blocks, contentChecksum: true, content })), content);
  });

  it('concatenated frames, skippable frames, empty frames, and an empty input', async () => {
    const a = buildFrame({ blocks: [{ data: helloBlock }] });
    const b = buildFrame({ blocks: [{ data: chars('second'), stored: true }], contentChecksum: true, content: ascii('second') });
    const empty = buildFrame({ blocks: [], contentChecksum: true, contentSize: 0n });
    const stream = concat([skippable([1, 2, 3], 0), a, skippable([], 15), empty, b, skippable([9])]);
    await expectDecodesThreeWays(stream, Uint8Array.from([...hello, ...chars('second')]));
    await expectDecodesThreeWays(new Uint8Array(0), new Uint8Array(0));
    await expectDecodesThreeWays(skippable([7, 7]), new Uint8Array(0));
  });

  it('an end mark with the high bit set, an empty block, and a frame dictionary that is never used', () => {
    expectBytes(lz4DecodeBuffer(buildFrame({ blocks: [{ data: chars('abc'), stored: true }], endMark: 0x80000000 })), ascii('abc'));
    expectBytes(lz4DecodeBuffer(buildFrame({ blocks: [{ data: [0x00] }] })), new Uint8Array(0));
    expectBytes(lz4DecodeBuffer(buildFrame({ dictId: 0x1234, blocks: [{ data: helloBlock }] })), Uint8Array.from(hello));
  });

  it('yields one piece per block, never more than the block size', async () => {
    const data = text(300_000, 3);
    const frame = lz4EncodeBuffer(data, { blockSize: 65536 });
    const pieces: Uint8Array[] = [];
    for await (const piece of lz4DecodeFrames(fromChunks([frame]))) pieces.push(piece);
    expect(pieces.length).toBe(Math.ceil(data.length / 65536));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(65536);
    expectBytes(concat(pieces), data);
  });
});

describe('lz4 decoding errors', () => {
  const ok = buildFrame({ blocks: [{ data: chars('abc'), stored: true }], contentChecksum: true, content: ascii('abc') });

  it('bad magic, at the start and after a frame', async () => {
    await expectFailsThreeWays(Uint8Array.of(1, 2, 3, 4, 5), CorruptError, /^lz4: bad frame magic 0x04030201$/, 0);
    await expectFailsThreeWays(concat([ok, new Uint8Array(8)]), CorruptError, /bad frame magic/, ok.length);
  });

  it('legacy frames are unsupported', async () => {
    await expectFailsThreeWays(Uint8Array.of(0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0), UnsupportedError, /legacy/, 0);
  });

  it('bad descriptor fields', async () => {
    const bad = (spec: Partial<FrameSpec>): Uint8Array => buildFrame({ blocks: [], ...spec });
    await expectFailsThreeWays(bad({ flg: 0x80 | 0x20 }), CorruptError, /unsupported frame version 2/, 4);
    await expectFailsThreeWays(bad({ flg: 0x60 | 0x02 }), CorruptError, /reserved bit set in frame flags/, 4);
    await expectFailsThreeWays(bad({ bd: 0x41 }), CorruptError, /reserved bit set in block descriptor/, 4);
    await expectFailsThreeWays(bad({ bd: 0xc0 }), CorruptError, /reserved bit/, 4);
    await expectFailsThreeWays(bad({ bd: 0x30 }), CorruptError, /invalid maximum block size code 3/, 5);
    const badHeader = ok.slice();
    badHeader[6] = (badHeader[6] as number) ^ 0xff;
    await expectFailsThreeWays(badHeader, ChecksumError, /checksum mismatch.*lz4 frame header/, 6);
  });

  it('bad block sizes and block data', async () => {
    const tooBig = Uint8Array.from([...u32(0x184d2204), ...descriptor({ blocks: [] }), ...u32(65537)]);
    await expectFailsThreeWays(tooBig, CorruptError, /block size 65537 exceeds the frame's maximum block size 65536/, 7);
    const cases: [number[], RegExp, number][] = [
      [[0xf0], /literal length runs past the end/, 0],
      [[0x30, 0x61], /literal run runs past the end/, 0],
      [[0x10, 0x61, 0x01], /match offset runs past the end/, 0],
      [[0x10, 0x61, 0x00, 0x00, 0x10, 0x62], /match offset 0/, 0],
      [[0x1f, 0x61, 0x01, 0x00], /match length runs past the end/, 0],
      [[0x10, 0x61, 0x02, 0x00, 0x10, 0x62], /before the start/, 0],
      [[0x10, 0x61, 0x01, 0x00], /ends after a match/, 4],
      // A 70000-byte match in a 64 KiB block.
      [[...sequence([0x61], { offset: 1, length: 70000 }), ...sequence(chars('b'))], /more than the maximum block size/, 0],
    ];
    for (const [data, message, at] of cases) {
      await expectFailsThreeWays(buildFrame({ blocks: [{ data }] }), CorruptError, message, 11 + at);
    }
    // Stored data longer than 64 KiB cannot be declared either (size checked first), and a
    // dictionary reference is reported as unsupported.
    await expectFailsThreeWays(
      buildFrame({ dictId: 0xabcdef01, blocks: [{ data: [0x00, 0x05, 0x00, 0x50, 1, 2, 3, 4, 5] }] }),
      UnsupportedError,
      /dictionary 0xabcdef01/,
      15,
    );
  });

  it('checksum and content size mismatches', async () => {
    const blockSum = buildFrame({ blockChecksum: true, blocks: [{ data: chars('abc'), stored: true }] });
    blockSum[14] = (blockSum[14] as number) ^ 1; // first checksum byte, after 7 + 4 + 3
    await expectFailsThreeWays(blockSum, ChecksumError, /lz4 block checksum/, 14);
    const contentSum = ok.slice();
    contentSum[contentSum.length - 1] = (contentSum[contentSum.length - 1] as number) ^ 1;
    await expectFailsThreeWays(contentSum, ChecksumError, /lz4 content checksum/, ok.length - 4);
    const size = buildFrame({ contentSize: 4n, blocks: [{ data: chars('abc'), stored: true }] });
    await expectFailsThreeWays(size, CorruptError, /content size is 4 but 3 bytes were decoded/, size.length - 4);
  });

  it('every truncation of a frame is a TruncatedError naming the structure', async () => {
    const content = Uint8Array.from([...chars('hello '), ...chars('hello hello hello hello '), ...chars('hello!')]);
    const frame = buildFrame({
      blockChecksum: true,
      contentChecksum: true,
      contentSize: BigInt(content.length),
      blocks: [{ data: [...sequence(chars('hello '), { offset: 6, length: 24 }), ...sequence(chars('hello!'))] }],
      content,
    });
    const stream = concat([frame, skippable([1, 2, 3])]);
    const boundaries = new Set([0, frame.length, stream.length]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const prefix = stream.subarray(0, cut);
      const sync = thrown(() => lz4DecodeBuffer(prefix, 'in.lz4'));
      const streamed = await thrownAsync(() => decodeStream(Array.from(prefix, (b) => Uint8Array.of(b)), 'in.lz4'));
      if (boundaries.has(cut)) {
        expect(sync, `cut ${cut}`).toBeUndefined();
        expect(streamed).toBeUndefined();
        continue;
      }
      for (const error of [sync, streamed]) {
        expect(error, `cut ${cut}`).toBeInstanceOf(TruncatedError);
        expect((error as TruncatedError).message).toMatch(/^lz4: truncated frame \(in [a-z ]+\)/);
        expect((error as TruncatedError).offset).toBeLessThanOrEqual(cut);
        expect((error as TruncatedError).file).toBe('in.lz4');
      }
    }
  });

  it('only ever throws RedbackErrors on mutated frames (fuzz)', () => {
    const samples = [
      lz4EncodeBuffer(text(3000, 5), { blockSize: 65536 }),
      buildFrame({ linked: true, blocks: [{ data: chars('abcdefghijklmnop'), stored: true }, { data: [...sequence([], { offset: 16, length: 16 }), ...sequence(chars('XYZ12'))] }] }),
      buildFrame({ blockChecksum: true, contentSize: 36n, blocks: [{ data: [...sequence(chars('hello '), { offset: 6, length: 24 }), ...sequence(chars('hello!'))] }] }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.nat(),
        (frame, edits, fixHeader, cut) => {
          const bytes = frame.slice(0, frame.length - (cut % 3 === 0 ? cut % 9 : 0));
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          if (fixHeader && bytes.length > 7) {
            // Recompute the header checksum so mutated flags reach the rest of the decoder.
            const flg = bytes[4] as number;
            const length = 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
            if (bytes.length > 4 + length) bytes[4 + length] = (hash(bytes.subarray(4, 4 + length)) >>> 8) & 0xff;
          }
          const error = thrown(() => lz4DecodeBuffer(bytes));
          if (error !== undefined) expect(error).toBeInstanceOf(RedbackError);
        },
      ),
      { numRuns: 2500 },
    );
  });

  it('only ever throws RedbackErrors on random bytes after a valid header (fuzz)', () => {
    const header = Uint8Array.from([...u32(0x184d2204), ...descriptor({ blocks: [] })]);
    const linkedHeader = Uint8Array.from([...u32(0x184d2204), ...descriptor({ linked: true, blocks: [] })]);
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 300 }), (linked, tail, size) => {
        // A plausible block size word followed by random block bytes.
        const bytes = concat([linked ? linkedHeader : header, Uint8Array.from(u32(Math.min(size, tail.length + 1))), tail]);
        const error = thrown(() => lz4DecodeBuffer(bytes));
        if (error !== undefined) expect(error).toBeInstanceOf(RedbackError);
      }),
      { numRuns: 4000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const error = thrown(() => lz4DecodeBuffer(bytes));
        if (error !== undefined) expect(error).toBeInstanceOf(RedbackError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('lz4EncodeFrames / lz4EncodeBuffer', () => {
  it('round-trips any data with every block size', () => {
    const data = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }),
      fc.uint8Array({ min: 97, max: 99, maxLength: 5000 }),
      fc.nat(3000).map((n) => text(n, n + 1)),
    );
    const sizes: Lz4BlockSize[] = [65536, 262144, 1048576, 4194304];
    fc.assert(
      fc.property(data, fc.constantFrom(...sizes), (input, blockSize) => {
        expectBytes(lz4DecodeBuffer(lz4EncodeBuffer(input, { blockSize })), input);
      }),
      { numRuns: 300 },
    );
  });

  it('splits input into blocks, stores incompressible ones, and compresses the rest', () => {
    const data = concat([noise(65536, 1), text(65536 * 2 + 100, 2)]);
    const frame = lz4EncodeBuffer(data, { blockSize: 65536 });
    expectBytes(lz4DecodeBuffer(frame), data);
    // Block 1 stored (noise), blocks 2-4 compressed.
    const view = new DataView(frame.buffer, frame.byteOffset);
    const first = view.getUint32(7, true);
    expect(first).toBe((0x80000000 | 65536) >>> 0);
    const second = view.getUint32(7 + 4 + 65536, true);
    expect(second >>> 31).toBe(0);
    expect(second).toBeLessThan(65536);
    expect(frame.length).toBeLessThan(data.length * 0.8);
    // Header: independent blocks, content checksum, 64 KiB blocks.
    expect([...frame.subarray(0, 6)]).toEqual([0x04, 0x22, 0x4d, 0x18, 0x64, 0x40]);
  });

  it('the streaming encoder gives the same bytes whatever the chunking', async () => {
    const data = text(200_000, 8);
    const expected = lz4EncodeBuffer(data, { blockSize: 65536 });
    for (const step of [1000, 65536, 70000, 200_000]) {
      const chunks: Uint8Array[] = [];
      for (let p = 0; p < data.length; p += step) chunks.push(data.subarray(p, p + step));
      expectBytes(await collect(lz4EncodeFrames(fromChunks(chunks), { blockSize: 65536 })), expected, `step ${step}`);
    }
    const small = ascii('a small input, streamed byte by byte, a small input');
    expectBytes(await collect(lz4EncodeFrames(fromChunks(Array.from(small, (b) => Uint8Array.of(b))))), lz4EncodeBuffer(small));
    expectBytes(lz4DecodeBuffer(await collect(lz4EncodeFrames(fromChunks([])))), new Uint8Array(0));
  });

  it('keeps the last 12 bytes of a block out of matches (LZ4 end-of-block rule)', () => {
    // lz4js alone would start a match 11 bytes before the end of this block.
    const data = ascii('ABCDEFGHIJKLMNOPQRSTABCDEFvwxyz');
    const frame = lz4EncodeBuffer(data);
    expectBytes(lz4DecodeBuffer(frame), data);
    fc.assert(
      fc.property(fc.uint8Array({ min: 65, max: 68, minLength: 13, maxLength: 80 }), (input) => {
        const f = lz4EncodeBuffer(input);
        const word = new DataView(f.buffer, f.byteOffset).getUint32(7, true);
        if (word >>> 31 === 0) {
          // Walk the sequences: the last match must end >= 5 and start >= 12 bytes before the end.
          const block = f.subarray(11, 11 + word);
          let ip = 0;
          let op = 0;
          let lastMatchStart = -1;
          let lastMatchEnd = -1;
          while (true) {
            const token = block[ip++] as number;
            let lit = token >> 4;
            if (lit === 15) for (let b = 255; b === 255; lit += b) b = block[ip++] as number;
            ip += lit;
            op += lit;
            if (ip >= block.length) break;
            ip += 2;
            let ml = token & 15;
            if (ml === 15) for (let b = 255; b === 255; ml += b) b = block[ip++] as number;
            lastMatchStart = op;
            op += ml + 4;
            lastMatchEnd = op;
          }
          expect(op).toBe(input.length);
          if (lastMatchStart >= 0) {
            expect(input.length - lastMatchStart).toBeGreaterThanOrEqual(12);
            expect(input.length - lastMatchEnd).toBeGreaterThanOrEqual(5);
          }
        }
        expectBytes(lz4DecodeBuffer(f), input);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an invalid block size', () => {
    expect(() => lz4EncodeBuffer(ascii('x'), { blockSize: 1000 as Lz4BlockSize })).toThrow(RangeError);
  });
});
