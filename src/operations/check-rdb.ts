import { openInput } from '../io/open.js';
import type { RdbParser } from '../rdb/parser.js';
import { scanRdb, toFailure } from './rdb-scan.js';
import type { ScanFailure } from './rdb-scan.js';

/** The verdict of `redback check` on one RDB file. */
export interface RdbCheckReport {
  file: string;
  format: 'rdb';
  valid: boolean;
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
}

/**
 * Validates an RDB file completely: structure, every encoding with the deep checks redis-check-rdb applies,
 * and the CRC64. Never throws for a bad file: the verdict and the first problem are in the report.
 * Throws {@link InputOutputError} only when the file cannot be opened.
 */
export async function checkRdb(path: string, options: CheckRdbOptions = {}): Promise<RdbCheckReport> {
  const name = options.name ?? path;
  const input = await openInput(path, name, { reuseBuffer: true });
  const now = options.now ?? Date.now();
  const report: RdbCheckReport = {
    file: name,
    format: 'rdb',
    valid: false,
    size: input.fileSize,
    compressed: input.compressed,
    magic: undefined,
    version: undefined,
    keys: 0,
    expires: 0,
    alreadyExpired: 0,
    subexpires: 0,
    checksum: undefined,
    okUpTo: 0,
    error: undefined,
    warnings: [],
  };
  let parser: RdbParser | undefined;
  try {
    parser = await scanRdb(
      input,
      {
        record(record) {
          if (record.kind === 'header') {
            report.magic = record.magic;
            report.version = record.version;
          } else if (record.kind === 'eof') {
            report.checksum = record.checksum;
          }
          report.okUpTo = record.offset + record.length;
        },
        key(key) {
          if (key.expireMs !== undefined) {
            report.expires++;
            if (key.expireMs < now) report.alreadyExpired++;
          }
        },
        keyEnd(end) {
          report.keys++;
          if (end.fieldTtls) report.subexpires++;
        },
      },
      { onProgress: (offset) => options.onProgress?.(offset, input.compressed ? undefined : input.fileSize) },
    );
    report.valid = true;
    if (!(await input.atEnd())) {
      report.warnings.push({ offset: input.offset, message: `${input.fileSize - input.offset} bytes after the end of the RDB are ignored` });
    }
  } catch (error) {
    report.error = toFailure(error);
    if (report.error.kind === 'io') throw error;
  } finally {
    await input.close();
  }
  if (parser) for (const warning of parser.warnings) report.warnings.push({ offset: warning.offset, message: warning.message });
  return report;
}
