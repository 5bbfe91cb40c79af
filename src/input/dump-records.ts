import { openSource } from '../io/open.js';
import type { RdbRecord } from '../rdb/model.js';
import { readDumpFile } from './json-dump.js';

/*
 * A redback JSON dump as a record source for `convert`: the records of the dump reader (values built; no raw
 * bytes: a writer re-encodes every value).
 */

/** Options of a read of a dump record source. */
export interface DumpRecordReadOptions {
  /** Bytes read so far and the total (undefined for a compressed file). */
  onProgress?: (done: number, total: number | undefined) => void;
}

/** A JSON dump opened as records (the shape of convert's record sources). */
export interface DumpRecordSource {
  readonly format: 'json' | 'jsonl';
  readonly path: string;
  /** Bytes on disk. */
  readonly size: number;
  readonly compressed: boolean;
  /** The RDB magic and version the dump's header gives. */
  readonly header: { magic: 'REDIS' | 'VALKEY'; version: number } | undefined;
  /** The records in order, in batches; each call reads the file again. */
  records(options?: DumpRecordReadOptions): AsyncGenerator<RdbRecord[]>;
  /** Each key's size in the dump (the bytes of its lines), in key order, in batches. */
  keySizes(options?: DumpRecordReadOptions): AsyncGenerator<number[]>;
}

/**
 * Opens the dump at `path` (JSON or JSONL, plain or LZ4) as records. Reads its header first: throws
 * {@link CorruptError} when it is not a dump, {@link UnsupportedError} for a newer schema version,
 * {@link InputOutputError} when it cannot be read.
 */
export async function dumpRecordSource(path: string, layout: 'json' | 'jsonl'): Promise<DumpRecordSource> {
  const probe = await openSource(path);
  const size = probe.fileSize;
  const compressed = probe.compressed;
  await probe.close();
  let header: DumpRecordSource['header'];
  for await (const batch of readDumpFile(path, { file: path, recordsPerBatch: 1 })) {
    const first = batch[0];
    if (first?.kind === 'header') header = { magic: first.magic, version: first.version };
    break;
  }
  const progress = (options: DumpRecordReadOptions) => (offset: number) => options.onProgress?.(offset, compressed ? undefined : size);
  return {
    format: layout,
    path,
    size,
    compressed,
    header,
    records(options: DumpRecordReadOptions = {}) {
      return readDumpFile(path, { file: path, onProgress: progress(options) });
    },
    async *keySizes(options: DumpRecordReadOptions = {}) {
      for await (const batch of readDumpFile(path, { file: path, onProgress: progress(options) })) {
        const sizes: number[] = [];
        for (const record of batch) if (record.kind === 'key-end') sizes.push(record.encodedBytes);
        if (sizes.length > 0) yield sizes;
      }
    },
  };
}
