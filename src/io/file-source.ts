import type { FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../bytes/input.js';
import { ioError } from '../errors.js';
import { openRegularFile } from './regular-file.js';

/** Bytes read ahead per block. */
const BLOCK = 1 << 20;

/**
 * Opens a file as a {@link ByteSource}. It reads ahead one block while the caller parses the previous
 * one, so the parser does not sit idle waiting for the disk. Throws an {@link InputOutputError} naming
 * the file when it cannot be opened or is not a regular file (a FIFO, a device, a directory). With `start`, reading begins at that byte (`size` stays the file's).
 */
export async function fileSource(path: string, name = path, start = 0): Promise<ByteSource> {
  const opened = await openRegularFile(path, name);
  const handle: FileHandle = opened.handle;
  const size = opened.size;
  let position = start;
  let closed = false;
  let ahead: Promise<Uint8Array> | undefined;
  let leftover: Uint8Array | undefined;
  // Two buffers in turn: one being read into while the other is handed out (its leftover is always used
  // up before the read after next starts).
  const buffers = [new Uint8Array(BLOCK), new Uint8Array(BLOCK)];
  let turn = 0;
  const readBlock = (): Promise<Uint8Array> => {
    const at = position;
    position += BLOCK;
    const buffer = buffers[turn] as Uint8Array;
    turn ^= 1;
    return handle.read(buffer, 0, BLOCK, at).then(
      ({ bytesRead }) => buffer.subarray(0, bytesRead),
      (error: unknown) => {
        throw ioError(error, name);
      },
    );
  };
  return {
    name,
    size,
    async readInto(target, offset, length) {
      if (closed) return 0;
      let block = leftover;
      leftover = undefined;
      if (block === undefined || block.length === 0) {
        block = await (ahead ?? readBlock());
        ahead = block.length === BLOCK ? readBlock() : undefined;
        if (block.length === 0) return 0;
      }
      const n = Math.min(length, block.length);
      target.set(block.subarray(0, n), offset);
      if (n < block.length) leftover = block.subarray(n);
      return n;
    },
    async skip(count) {
      if (closed) return 0;
      // What was read ahead is dropped; reading goes on after the skipped bytes.
      let skipped = 0;
      if (leftover !== undefined) {
        skipped = Math.min(count, leftover.length);
        leftover = leftover.subarray(skipped);
        if (leftover.length > 0) return skipped;
      }
      if (ahead !== undefined) {
        const block = await ahead;
        ahead = undefined;
        const n = Math.min(count - skipped, block.length);
        skipped += n;
        if (n < block.length) {
          leftover = block.subarray(n);
          ahead = block.length === BLOCK ? readBlock() : undefined;
          return skipped;
        }
      }
      const n = Math.min(count - skipped, Math.max(0, size - position));
      position += n;
      return skipped + n;
    },
    async close() {
      if (closed) return;
      closed = true;
      await ahead?.catch(() => undefined);
      await handle.close();
    },
  };
}
