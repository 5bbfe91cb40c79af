import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../bytes/input.js';
import { ioError } from '../errors.js';

/**
 * Opens a file as a {@link ByteSource} that reads straight into the caller's buffer.
 * Throws an {@link InputOutputError} naming the file when it cannot be opened.
 */
export async function fileSource(path: string, name = path): Promise<ByteSource> {
  let handle: FileHandle;
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.size;
    handle = await open(path, 'r');
  } catch (error) {
    throw ioError(error, name);
  }
  let position = 0;
  let closed = false;
  return {
    name,
    size,
    async readInto(target, offset, length) {
      try {
        const { bytesRead } = await handle.read(target, offset, length, position);
        position += bytesRead;
        return bytesRead;
      } catch (error) {
        throw ioError(error, name);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
