import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ChecksumError, toFailure } from '../errors.js';
import { fileCrc64 } from '../io/file-crc.js';
import { openInput } from '../io/open.js';
import { scanRdbInput } from './scan.js';
import type { RdbScanOptions, RdbScanOutcome, RdbVisitor } from './scan.js';
import type { CrcMessage, CrcTask } from './crc-worker.js';

/** Options of {@link scanRdbFile}. */
export interface RdbFileScanOptions extends Omit<RdbScanOptions, 'onProgress' | 'file' | 'verifyChecksum'> {
  /** The name to report (default: the path). */
  name?: string;
  /** Bytes read so far and the total (undefined for a compressed file). */
  onProgress?: (done: number, total: number | undefined) => void;
  /** Verify the CRC64 (default true). */
  verifyChecksum?: boolean;
  /** With false, the CRC is computed in the parsing thread instead of on a second thread (default true). */
  crcThread?: boolean;
  /** Smallest file whose CRC is left to a second thread (default 16 MiB). */
  crcThreadMinBytes?: number;
}

/** The outcome of a pass over an RDB file, with the file's size. */
export interface RdbFileOutcome extends RdbScanOutcome {
  /** Bytes on disk. */
  size: number;
  /** True when the file was LZ4-compressed (offsets are then in the decompressed stream). */
  compressed: boolean;
}

/**
 * Streams an RDB file (plain or LZ4-compressed) through a visitor in one pass. For a large plain file the CRC64
 * is computed by a second thread meanwhile: it is independent of the parse (the bytes before the stored
 * checksum, which ends the file in the usual layout). Never throws for bad bytes (see {@link scanRdbInput});
 * throws {@link InputOutputError} when the file cannot be read.
 */
export async function scanRdbFile(path: string, visitor: RdbVisitor, options: RdbFileScanOptions = {}): Promise<RdbFileOutcome> {
  const { name = path, onProgress, crcThread, crcThreadMinBytes, verifyChecksum = true, ...rest } = options;
  const input = await openInput(path, name, { reuseBuffer: options.materialize !== true });
  const size = input.fileSize;
  const compressed = input.compressed;
  const crcUrl = verifyChecksum && !compressed && size >= (crcThreadMinBytes ?? CRC_THREAD_MIN) && size > 9 && crcThread !== false ? workerScript('crc-worker.js') : undefined;
  const crcWorker = crcUrl ? startCrc(crcUrl, path, size - 8) : undefined;
  try {
    const outcome = await scanRdbInput(input, visitor, {
      ...rest,
      file: name,
      verifyChecksum: verifyChecksum && crcWorker === undefined,
      onProgress: (offset) => onProgress?.(offset, compressed ? undefined : size),
    });
    if (crcWorker) await settleChecksum(outcome, crcWorker, path, name);
    return Object.assign(outcome, { size, compressed });
  } finally {
    await crcWorker?.worker.terminate();
    await input.close();
  }
}

/** Files from this size on have their CRC computed by a second thread in a single pass. */
const CRC_THREAD_MIN = 16 << 20;

/** A CRC64 computed on a second thread (see {@link crcOnThread}). */
export interface ThreadCrc {
  /** The CRC of the range, or undefined when the worker could not compute it. */
  readonly result: Promise<bigint | undefined>;
  /** Ends the worker (whether or not it finished). */
  stop(): Promise<void>;
}

/**
 * Starts computing the CRC64 of bytes [0, end) of the plain file at `path` on a second thread, for a reader
 * that parses the file meanwhile with `verifyChecksum: false` (see scanRdbFile). Returns undefined for files
 * under 16 MiB (a thread costs more than it saves) and when no compiled worker script is at hand.
 */
export function crcOnThread(path: string, end: number): ThreadCrc | undefined {
  const url = end >= CRC_THREAD_MIN ? workerScript('crc-worker.js') : undefined;
  if (url === undefined) return undefined;
  const run = startCrc(url, path, end);
  return { result: run.result, stop: async () => void (await run.worker.terminate()) };
}

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
async function settleChecksum(summary: RdbScanOutcome, run: CrcRun, path: string, name: string): Promise<void> {
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
  summary.error = toFailure(new ChecksumError(stored.value, crc, { file: name, offset: stored.offset }));
}

/** A compiled worker script beside this module; undefined when there is none (running from sources without a build). */
function workerScript(file: string): URL | undefined {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL(`../../dist/src/rdb/${file}`, here) : new URL(`./${file}`, here);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
