/**
 * Worker thread of {@link summarizeRdbFile}: computes the CRC64 of a range of a file while the main thread
 * parses it, and posts it. See rdb-parallel.ts.
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Crc64 } from '../codecs/crc64.js';

/** What the worker is asked: the CRC of bytes [0, end) of `path`. */
export interface CrcTask {
  path: string;
  end: number;
}

/** What it posts: the CRC, or why it could not be computed. */
export type CrcMessage = { crc: bigint } | { error: string };

const task = workerData as CrcTask;

async function run(): Promise<CrcMessage> {
  try {
    const handle = await open(task.path, 'r');
    try {
      const crc = new Crc64();
      const buffer = new Uint8Array(1 << 20);
      for (let position = 0; position < task.end; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, task.end - position), position);
        if (bytesRead === 0) return { error: `file ended at ${position} before ${task.end}` };
        crc.update(buffer, 0, bytesRead);
        position += bytesRead;
      }
      return { crc: crc.digest() };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.postMessage(await run());
