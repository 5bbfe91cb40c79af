/**
 * Worker thread of {@link summarizeRdbFile}: computes the CRC64 of a range of a file while the main thread
 * parses it, and posts it. See file.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fileCrc64 } from '../io/file-crc.js';

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
    return { crc: await fileCrc64(task.path, task.end) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.postMessage(await run());
