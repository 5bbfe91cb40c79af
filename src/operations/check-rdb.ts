import type { ScanFailure } from '../errors.js';
import { summarizeRdbFile } from '../rdb/summary.js';

/** The verdict of `redback check` on one RDB file. */
export interface RdbCheckReport {
  file: string;
  format: 'rdb';
  valid: boolean;
  /**
   * 'valid'; 'invalid' (damaged: truncated, corrupt, checksum mismatch); 'unverified' (well-formed as far as
   * read, but holding something redback does not read: a future version, a vendor opcode, a pre-GA module).
   */
  verdict: 'valid' | 'invalid' | 'unverified';
  /** Byte size of the file on disk. */
  size: number;
  /** True when the file was LZ4-compressed (offsets are then in the decompressed stream). */
  compressed: boolean;
  magic: 'REDIS' | 'VALKEY' | undefined;
  version: number | undefined;
  /** Keys read in full. */
  keys: number;
  /** Keys with a TTL. */
  expires: number;
  /** Keys whose TTL is already past at `now`. */
  alreadyExpired: number;
  /** Hashes with field TTLs. */
  subexpires: number;
  /** 'ok', 'disabled' (stored 0), 'absent' (RDB < 5), 'skipped'; undefined when not reached. */
  checksum: 'ok' | 'disabled' | 'absent' | 'skipped' | undefined;
  /** Absolute offset just past the last complete record read. */
  okUpTo: number;
  /** Why the file is invalid. */
  error: ScanFailure | undefined;
  /** Findings that do not make the file invalid. */
  warnings: { offset: number; message: string }[];
}

/** Options of {@link checkRdb}. */
export interface CheckRdbOptions {
  /** "Now" in ms since the epoch, for counting expired keys (default: the current time). */
  now?: number;
  /** Called with the offset reached, for progress bars. */
  onProgress?: (offset: number, total: number | undefined) => void;
  /** The name to report (default: the path). */
  name?: string;
  /** With false, the CRC is computed in the same thread as the parse (default: a second thread for large files). */
  crcThread?: boolean;
  /** Smallest file whose CRC is computed by a second thread (default 16 MiB). */
  crcThreadMinBytes?: number;
}

/**
 * Validates an RDB file completely: structure, every encoding with the deep checks redis-check-rdb applies,
 * and the CRC64. Never throws for a bad file: the verdict and the first problem are in the report.
 * Throws {@link InputOutputError} only when the file cannot be opened.
 */
export async function checkRdb(path: string, options: CheckRdbOptions = {}): Promise<RdbCheckReport> {
  const name = options.name ?? path;
  const now = options.now ?? Date.now();
  const summary = await summarizeRdbFile(path, {
    name,
    now,
    detail: false,
    crcThread: options.crcThread,
    crcThreadMinBytes: options.crcThreadMinBytes,
    onProgress: options.onProgress,
  });
  const warnings = summary.warnings.slice();
  if (summary.done && summary.trailing) {
    const { offset, bytes } = summary.trailing;
    warnings.push({ offset, message: `${bytes ?? 'some'} bytes after the end of the RDB are ignored` });
  }
  const error = summary.error;
  return {
    file: name,
    format: 'rdb',
    valid: error === undefined && summary.done,
    verdict: error === undefined && summary.done ? 'valid' : error?.kind === 'unsupported' ? 'unverified' : 'invalid',
    size: summary.size,
    compressed: summary.compressed,
    magic: summary.magic,
    version: summary.version,
    keys: summary.keys,
    expires: summary.expires,
    alreadyExpired: summary.alreadyExpired,
    subexpires: summary.subexpires,
    checksum: summary.checksum,
    okUpTo: summary.okUpTo,
    error: error && { kind: error.kind, message: error.message, detail: error.detail, offset: error.offset, context: error.context },
    warnings,
  };
}
