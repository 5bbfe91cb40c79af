/** Magic number of an LZ4 frame (bytes 04 22 4D 18), little-endian. */
export const LZ4_FRAME_MAGIC = 0x184d2204;

/**
 * True when `head` starts with the LZ4 frame magic (bytes 04 22 4D 18). Skippable frames are not
 * counted: other formats (zstd) use the same skippable magics. Kept apart from ./lz4.ts so that telling
 * a compressed input apart does not load the codec.
 *
 * @param head the first bytes of a file (at least 4 for a positive answer).
 */
export function isLz4Frame(head: Uint8Array): boolean {
  return head.length >= 4 && (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0 === LZ4_FRAME_MAGIC;
}
