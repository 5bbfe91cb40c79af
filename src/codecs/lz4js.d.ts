/**
 * The parts of the untyped `lz4js` package (CommonJS, v0.2) used here. Only the block
 * compressor is used in library code: the frame format, checksums and decoding are our own.
 */
declare module 'lz4js' {
  /**
   * Compresses `src[sIndex, sIndex + sLength)` as one raw LZ4 block into `dst` from index 0.
   * `hashTable` is a 65536-entry scratch table; clear it before each independent block.
   * `dst` must hold at least `compressBound(sLength)` bytes (the function does not check).
   * Returns the compressed size, or 0 when no match was found (store the block uncompressed).
   */
  export function compressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    hashTable: Uint32Array,
  ): number;

  /** An upper bound of the compressed size of `n` input bytes. */
  export function compressBound(n: number): number;

  const lz4js: {
    compressBlock: typeof compressBlock;
    compressBound: typeof compressBound;
  };
  export default lz4js;
}

declare module 'lz4js/xxh32.js' {
  /** One-shot xxHash32 of `src[index, index + len)` with `seed`, as an unsigned 32-bit number. */
  export function hash(seed: number, src: Uint8Array, index: number, len: number): number;

  const xxh32: { hash: typeof hash };
  export default xxh32;
}
