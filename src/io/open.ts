import { createReadStream } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import { ChunkedInput, iterableSource } from '../bytes/input.js';
import type { ByteSource } from '../bytes/input.js';
import { isLz4Frame } from '../codecs/lz4-magic.js';
import { ioError } from '../errors.js';
import { fileSource } from './file-source.js';

/** Reads up to `count` bytes from the start of a file (for sniffing its format). */
export async function readHead(path: string, count: number, name = path): Promise<Uint8Array> {
  try {
    const handle = await openFile(path, 'r');
    try {
      const buffer = new Uint8Array(count);
      const { bytesRead } = await handle.read(buffer, 0, count, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw ioError(error, name);
  }
}

/** True when the file starts with an LZ4 frame (any input may be `.lz4`-compressed). */
export async function isLz4File(path: string): Promise<boolean> {
  return isLz4Frame(await readHead(path, 4));
}

/**
 * Opens a file for reading as a {@link ByteSource}, decompressing LZ4 frames transparently (sniffed
 * by magic, not by name). Offsets reported by parsers are then offsets in the decompressed stream.
 */
export async function openSource(path: string, name = path): Promise<ByteSource & { compressed: boolean; fileSize: number }> {
  let fileSize: number;
  try {
    fileSize = (await stat(path)).size;
  } catch (error) {
    throw ioError(error, name);
  }
  if (await isLz4File(path)) {
    // The codec is loaded only for compressed inputs (it is a large module; see bench "startup").
    const { lz4DecodeFrames } = await import('../codecs/lz4.js');
    // The stream is opened by the first read, inside the generator: a source closed before reading opens
    // nothing, and one closed early (return) destroys the stream, which closes the file.
    const chunks = (async function* () {
      const raw = createReadStream(path, { highWaterMark: 1 << 20 });
      try {
        for await (const chunk of raw) yield chunk as Uint8Array;
      } catch (error) {
        throw ioError(error, name);
      } finally {
        raw.destroy();
      }
    })();
    return Object.assign(iterableSource(lz4DecodeFrames(chunks, name), name), { compressed: true, fileSize });
  }
  return Object.assign(await fileSource(path, name), { compressed: false, fileSize });
}

/** Opens a file as a {@link ChunkedInput} (see {@link openSource}). */
export async function openInput(
  path: string,
  name = path,
  options: { reuseBuffer?: boolean } = {},
): Promise<ChunkedInput & { compressed: boolean; fileSize: number }> {
  const source = await openSource(path, name);
  return Object.assign(new ChunkedInput(source, undefined, options), { compressed: source.compressed, fileSize: source.fileSize });
}
