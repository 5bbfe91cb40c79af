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
