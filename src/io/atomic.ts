import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { lz4EncodeFrames } from '../codecs/lz4.js';
import { ioError } from '../errors.js';

/** Output compression for writing commands. */
export type Compression = 'none' | 'lz4';

/** Flushes a directory entry to disk after a rename (best effort where the platform refuses). */
export async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems do not allow fsync on directories; the rename itself is still atomic.
  }
}

/**
 * Writes `chunks` to `path` safely: into a temporary file beside it, fsynced, then renamed over `path`
 * and the directory fsynced. A crash leaves either the old file or the new one, never half of one.
 * With `compression: 'lz4'` the bytes are written as one LZ4 frame. Returns the bytes written.
 */
export async function writeFileAtomic(path: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, compression: Compression = 'none'): Promise<number> {
  const temp = join(dirname(path), `.${basename(path)}.redback-${Date.now()}-${Math.floor(Math.random() * 1e6)}.tmp`);
  let written = 0;
  let handle;
  try {
    handle = await open(temp, 'wx');
  } catch (error) {
    throw ioError(error, path);
  }
  try {
    const source = compression === 'lz4' ? lz4EncodeFrames(toAsync(chunks)) : chunks;
    for await (const chunk of source) {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
      written += chunk.length;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
    await fsyncDirectory(dirname(path));
    return written;
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error instanceof Error && 'code' in error ? ioError(error, path) : error;
  }
}

async function* toAsync(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield chunk;
}
