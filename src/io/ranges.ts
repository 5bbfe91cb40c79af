import { openSource } from './open.js';

/** A byte range [start, end) of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Bytes read at once while copying ranges. */
const BLOCK = 1 << 20;

/**
 * Streams the given ranges (in order, not overlapping) of a file's bytes, as read: for an LZ4-compressed
 * file, offsets are in the decompressed stream. Each chunk is a fresh array (safe to keep), unless
 * `reuseBuffer`: then chunks are views into one buffer, valid until the next chunk is asked for (for a
 * consumer that writes each chunk before asking for the next; it saves a copy and the garbage of one).
 * Throws an {@link InputOutputError} naming the file when it cannot be read.
 */
export async function* readRanges(path: string, ranges: readonly ByteRange[], options: { reuseBuffer?: boolean } = {}): AsyncGenerator<Uint8Array> {
  const source = await openSource(path);
  try {
    let position = 0;
    let index = 0;
    const buffer = new Uint8Array(BLOCK);
    while (index < ranges.length) {
      const n = await source.readInto(buffer, 0, buffer.length);
      if (n === 0) break;
      const chunkStart = position;
      position += n;
      while (index < ranges.length) {
        const range = ranges[index] as ByteRange;
        const from = Math.max(range.start, chunkStart);
        const to = Math.min(range.end, position);
        if (to > from) yield options.reuseBuffer ? buffer.subarray(from - chunkStart, to - chunkStart) : buffer.slice(from - chunkStart, to - chunkStart);
        if (range.end <= position) index++;
        else break;
      }
    }
  } finally {
    await source.close();
  }
}

/**
 * {@link readRanges} for ranges that come one at a time (in order, not overlapping), as an async iterable: the
 * next range is asked for only when the bytes of the previous one are out, so the ranges never need to be held
 * all at once. Many small ranges are gathered into chunks of up to 1 MiB (one write each for the consumer).
 * Chunks are views into one buffer with `reuseBuffer` (see {@link readRanges}).
 */
export async function* readRangeStream(path: string, ranges: AsyncIterable<ByteRange>, options: { reuseBuffer?: boolean } = {}): AsyncGenerator<Uint8Array> {
  const source = await openSource(path);
  try {
    const buffer = new Uint8Array(BLOCK);
    const out = new Uint8Array(BLOCK);
    let filled = 0;
    const flush = (): Uint8Array => {
      const chunk = options.reuseBuffer ? out.subarray(0, filled) : out.slice(0, filled);
      filled = 0;
      return chunk;
    };
    let chunkStart = 0;
    let chunkEnd = 0;
    reading: for await (const range of ranges) {
      let from = Math.max(range.start, chunkStart);
      while (from < range.end) {
        if (from >= chunkEnd) {
          const n = await source.readInto(buffer, 0, buffer.length);
          if (n === 0) break reading;
          chunkStart = chunkEnd;
          chunkEnd += n;
          continue;
        }
        const to = Math.min(range.end, chunkEnd, from + (out.length - filled));
        out.set(buffer.subarray(from - chunkStart, to - chunkStart), filled);
        filled += to - from;
        from = to;
        if (filled === out.length) yield flush();
      }
    }
    if (filled > 0) yield flush();
  } finally {
    await source.close();
  }
}
