import { ChecksumError, UsageError } from '../errors.js';
import { fileCrc64 } from '../io/file-crc.js';
import { openInput } from '../io/open.js';
import { readDecodedHead } from '../io/sniff.js';
import { crcOnThread, type ThreadCrc } from '../rdb/file.js';
import type { AnyRdbRecord, EofRecord, RdbRecord } from '../rdb/model.js';
import { readRdbBatches } from '../rdb/reader.js';
import { identifyConvertInput } from './detect.js';
import { dumpRecordSource } from './dump-records.js';

/*
 * Inputs as record streams, for writers (`convert`): whatever the input is, a writer consumes batches of
 * the RDB reader's records (src/rdb/model.ts) with values built; RDB inputs also give each key's value
 * bytes as the file holds them (`raw` records), so a writer can copy an encoding it knows.
 */

/** Options of a read of a {@link RecordSource}. */
export interface RecordReadOptions {
  /** Bytes read so far and the total (undefined when not known, as for a compressed file). */
  onProgress?: (done: number, total: number | undefined) => void;
  /** {@link RecordSource.records}: also give each key's raw bytes, where the input has them (default true); a writer that re-encodes every value needs none. */
  raw?: boolean;
}

/** An input opened as records. */
export interface RecordSource {
  /** What the input is: 'rdb' (values and raw bytes), or the format of another reader. */
  readonly format: string;
  /** The path given. */
  readonly path: string;
  /** Bytes on disk (a compressed file's compressed size). */
  readonly size: number;
  /** True when the file is LZ4-compressed (offsets are then in the decompressed stream). */
  readonly compressed: boolean;
  /** The RDB magic and version of the input, when it has them. */
  readonly header: { magic: 'REDIS' | 'VALKEY'; version: number } | undefined;
  /**
   * The records in order, in batches, values built (and raw bytes for RDB inputs). Each call reads the input
   * again from its start. Throws what the reader throws (a corrupt or truncated input, an I/O error).
   */
  records(options?: RecordReadOptions): AsyncGenerator<RdbRecord[]>;
  /**
   * For a writer that copies some encodings from the raw bytes (an RDB writer): the records with the raw
   * bytes, values built only for the keys whose RDB type byte `materializeType` accepts; the others come
   * validated only (`values: false`). The records' byte strings are views into a buffer that is reused once
   * the consumer asks for the next batch: the writer must copy what it keeps. Only sources that have raw
   * bytes offer it.
   */
  copyRecords?(materializeType: (typeCode: number) => boolean, options?: RecordReadOptions): AsyncGenerator<AnyRdbRecord[]>;
  /**
   * Each key's encoded size in the input (the `encodedBytes` of its key-end record), in key order, in
   * batches, read more cheaply than {@link records} when the format allows (an RDB is only validated).
   * Each call reads the input again.
   */
  keySizes(options?: RecordReadOptions): AsyncGenerator<number[]>;
}

/**
 * Opens `path` as records: an RDB or a redback JSON/JSONL dump (plain or LZ4). An AOF (a file, a set or a
 * directory) is refused with a {@link UsageError}: converting one means replaying its commands. Throws
 * {@link InputOutputError} for a missing or unreadable path and {@link CorruptError} for a file that is
 * none of these.
 */
export async function openRecords(path: string): Promise<RecordSource> {
  const input = await identifyConvertInput(path);
  if (input.kind === 'dump') return dumpRecordSource(path, input.layout);
  if (input.kind === 'aof') {
    throw new UsageError(
      `${path} is an AOF: converting an AOF means replaying its commands into a dataset, which comes with offline AOF replay (redback rewrite); convert reads RDB files and JSON dumps`,
      { file: path },
    );
  }
  return rdbRecordSource(path);
}

/**
 * Checks the stored checksum of an RDB read with `verifyChecksum: false` against the CRC64 computed on a
 * second thread over [0, size - 8) (or here, when the checksum is not where the thread assumed it).
 * Throws {@link ChecksumError} on a mismatch.
 */
async function verifyChecksum(path: string, size: number, eof: EofRecord, crc: ThreadCrc): Promise<void> {
  const stored = eof.storedChecksum;
  if (stored === undefined || stored === 0n) return;
  const at = eof.offset + 1;
  const computed = (at === size - 8 ? await crc.result : undefined) ?? (await fileCrc64(path, at));
  if (computed !== stored) throw new ChecksumError(stored, computed, { file: path, offset: at });
  eof.checksum = 'ok';
}

/** An RDB file (plain or LZ4) as a {@link RecordSource}. */
export async function rdbRecordSource(path: string): Promise<RecordSource> {
  const probe = await openInput(path);
  const size = probe.fileSize;
  const compressed = probe.compressed;
  await probe.close();
  const head = new TextDecoder('latin1').decode(await readDecodedHead(path, 9));
  const match = /^(REDIS|VALKEY)(\d+)$/.exec(head);
  const header = match ? { magic: match[1] as 'REDIS' | 'VALKEY', version: Number(match[2]) } : undefined;
  const progress = (options: RecordReadOptions) => (offset: number) => options.onProgress?.(offset, compressed ? undefined : size);
  return {
    format: 'rdb',
    path,
    size,
    compressed,
    header,
    async *records(options: RecordReadOptions = {}): AsyncGenerator<RdbRecord[]> {
      const input = await openInput(path);
      try {
        yield* readRdbBatches(input, { file: path, raw: options.raw ?? true, onProgress: progress(options) });
      } finally {
        await input.close();
      }
    },
    async *copyRecords(materializeType: (typeCode: number) => boolean, options: RecordReadOptions = {}): AsyncGenerator<AnyRdbRecord[]> {
      // A copying writer keeps no view into a batch once it is done with it: the read buffer is reused, and the
      // raw bytes are views into it. The CRC64 of a big plain file is computed on a second thread meanwhile.
      const input = await openInput(path, path, { reuseBuffer: true });
      const crc = compressed ? undefined : crcOnThread(path, size - 8);
      try {
        const batches = readRdbBatches(input, { file: path, raw: true, rawViews: true, materializeType, verifyChecksum: crc === undefined, onProgress: progress(options) });
        for await (const batch of batches as AsyncGenerator<AnyRdbRecord[]>) {
          const eof = crc ? batch.find((r) => r.kind === 'eof') : undefined;
          if (eof?.kind === 'eof' && crc) await verifyChecksum(path, size, eof, crc);
          yield batch;
        }
      } finally {
        await crc?.stop();
        await input.close();
      }
    },
    async *keySizes(options: RecordReadOptions = {}): AsyncGenerator<number[]> {
      const input = await openInput(path, path, { reuseBuffer: true });
      try {
        for await (const batch of readRdbBatches(input, { file: path, materialize: false, onProgress: progress(options) })) {
          const sizes: number[] = [];
          for (const record of batch) if (record.kind === 'key-end') sizes.push(record.encodedBytes);
          if (sizes.length > 0) yield sizes;
        }
      } finally {
        await input.close();
      }
    },
  };
}
