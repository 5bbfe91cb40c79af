import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ChecksumError } from '../errors.js';
import { fileCrc64 } from '../io/file-crc.js';
import { openInput } from '../io/open.js';
import type { KeyEndRecord, KeyRecord } from '../rdb/model.js';
import { describeFailure, summarizeInput } from './rdb-summary.js';
import type { CrcMessage, CrcTask } from './crc-worker.js';
import type { RdbSummary } from './rdb-summary.js';

/** Options of {@link summarizeRdbFile}. */
export interface FileSummaryOptions {
  /** The name to report (default: the path). */
  name?: string;
  now: number;
  detail: boolean;
  top?: number;
  /** Receives every key in file order; forces a single pass. */
  onKey?: (key: KeyRecord, end: KeyEndRecord) => void;
  /** Bytes read so far (of all parts) and the total. */
  onProgress?: (done: number, total: number | undefined) => void;
  /** With false, a single pass computes the CRC itself instead of on a second thread (default true). */
  crcThread?: boolean;
  /** Smallest file whose CRC a single pass leaves to a second thread (default 16 MiB). */
  crcThreadMinBytes?: number;
}

/** A summary of a whole file, with how it was read. */
export interface FileSummary {
  summary: RdbSummary;
  size: number;
  compressed: boolean;
}

/**
 * Summarizes an RDB file in one pass; for a large plain file the CRC64 is computed by a second thread meanwhile. Throws {@link InputOutputError} when the
 * file cannot be read; problems in the file are in `summary.error`.
 */
export async function summarizeRdbFile(path: string, options: FileSummaryOptions): Promise<FileSummary> {
  const name = options.name ?? path;
  const top = options.top ?? 10;
  const input = await openInput(path, name, { reuseBuffer: true });
  const size = input.fileSize;
  const compressed = input.compressed;
  // One pass; on a large plain file the CRC is computed by a second thread meanwhile (it is independent
  // of the parse: the bytes before the stored checksum, which ends the file in the usual layout).
  const crcUrl = !compressed && size >= (options.crcThreadMinBytes ?? CRC_THREAD_MIN) && size > 9 && options.crcThread !== false ? workerScript('crc-worker.js') : undefined;
  const crcWorker = crcUrl ? startCrc(crcUrl, path, size - 8) : undefined;
  try {
    const summary = await summarizeInput(input, {
      now: options.now,
      detail: options.detail,
      top,
      onKey: options.onKey,
      verifyChecksum: crcWorker === undefined,
      onProgress: (offset) => options.onProgress?.(offset, compressed ? undefined : size),
    });
    if (crcWorker) await settleChecksum(summary, crcWorker, path, name);
    return { summary, size, compressed };
  } finally {
    await crcWorker?.worker.terminate();
    await input.close();
  }
}

/** Files from this size on have their CRC computed by a second thread in a single pass. */
const CRC_THREAD_MIN = 16 << 20;

interface CrcRun {
  worker: Worker;
  /** The CRC of [0, end), or undefined when the worker could not compute it. */
  result: Promise<bigint | undefined>;
  end: number;
}

function startCrc(url: URL, path: string, end: number): CrcRun {
  const worker = new Worker(url, { workerData: { path, end } satisfies CrcTask, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
  const result = new Promise<bigint | undefined>((resolve) => {
    worker.once('message', (message: CrcMessage) => resolve('crc' in message ? message.crc : undefined));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  return { worker, result, end };
}

/**
 * Compares the stored checksum of a pass that read with `verifyChecksum: false` with the CRC computed beside
 * it, and records the verdict as the pass itself would have: 'ok', or a checksum error at the stored value.
 * When the file is not laid out as the worker assumed (bytes after the checksum) or the worker failed, the
 * CRC is computed here.
 */
async function settleChecksum(summary: RdbSummary, run: CrcRun, path: string, name: string): Promise<void> {
  const stored = summary.storedChecksum;
  if (!summary.done || summary.error !== undefined || stored === undefined || summary.checksum !== 'skipped') return;
  let crc = stored.offset === run.end ? await run.result : undefined;
  crc ??= await fileCrc64(path, stored.offset, name);
  if (crc === stored.value) {
    summary.checksum = 'ok';
    return;
  }
  summary.checksum = undefined;
  summary.done = false;
  summary.okUpTo = stored.offset - 1;
  summary.error = describeFailure(new ChecksumError(stored.value, crc, { file: name, offset: stored.offset }));
}

/** A compiled worker script beside this module; undefined when there is none (running from sources without a build). */
function workerScript(file: string): URL | undefined {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL(`../../dist/src/operations/${file}`, here) : new URL(`./${file}`, here);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
