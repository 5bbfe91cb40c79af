import { Crc64 } from '../codecs/crc64.js';
import { ioError } from '../errors.js';
import { openRegularFile } from './regular-file.js';

/** Bytes read at a time. */
const BLOCK = 1 << 20;

/**
 * The CRC64 (as Redis computes it over an RDB) of bytes [0, end) of a file, read in 1 MiB blocks (the next
 * one while the CRC of the last one is computed).
 * Throws {@link InputOutputError} naming the file when it cannot be read or is shorter than `end`.
 */
export async function fileCrc64(path: string, end: number, name = path): Promise<bigint> {
  const { handle } = await openRegularFile(path, name);
  try {
    const crc = new Crc64();
    // Two buffers in turn: the next block is read while the CRC of this one is computed.
    const buffers = [new Uint8Array(BLOCK), new Uint8Array(BLOCK)];
    const read = async (buffer: Uint8Array, position: number): Promise<number> => {
      try {
        return (await handle.read(buffer, 0, Math.min(buffer.length, end - position), position)).bytesRead;
      } catch (error) {
        throw ioError(error, name);
      }
    };
    let turn = 0;
    let next: Promise<number> | undefined = end > 0 ? read(buffers[0] as Uint8Array, 0) : undefined;
    for (let position = 0; position < end; ) {
      const bytesRead = await (next as Promise<number>);
      if (bytesRead === 0) throw ioError(new Error(`the file ends at byte ${position}, before ${end}`), name);
      const buffer = buffers[turn] as Uint8Array;
      position += bytesRead;
      turn ^= 1;
      next = position < end ? read(buffers[turn] as Uint8Array, position) : undefined;
      crc.update(buffer, 0, bytesRead);
    }
    return crc.digest();
  } finally {
    await handle.close();
  }
}
