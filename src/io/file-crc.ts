import { Crc64 } from '../codecs/crc64.js';
import { ioError } from '../errors.js';
import { openRegularFile } from './regular-file.js';

/**
 * The CRC64 (as Redis computes it over an RDB) of bytes [0, end) of a file, read in 1 MiB blocks.
 * Throws {@link InputOutputError} naming the file when it cannot be read or is shorter than `end`.
 */
export async function fileCrc64(path: string, end: number, name = path): Promise<bigint> {
  const { handle } = await openRegularFile(path, name);
  try {
    const crc = new Crc64();
    const buffer = new Uint8Array(1 << 20);
    for (let position = 0; position < end; ) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position));
      } catch (error) {
        throw ioError(error, name);
      }
      if (bytesRead === 0) throw ioError(new Error(`the file ends at byte ${position}, before ${end}`), name);
      crc.update(buffer, 0, bytesRead);
      position += bytesRead;
    }
    return crc.digest();
  } finally {
    await handle.close();
  }
}
