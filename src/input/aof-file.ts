import { readAof } from '../aof/resp.js';
import type { AofRecord, ReadAofOptions } from '../aof/resp.js';
import { openInput } from '../io/open.js';
import type { RdbRecord } from '../rdb/model.js';
import { readRdb } from '../rdb/reader.js';

/**
 * Streams one AOF file at `path` (not a multi-part set: give it the set's files one by one, in the
 * manifest's order): the records of its RDB preamble first when it has one (`REDIS`/`VALKEY` magic, as
 * Redis decides), then its RESP commands and annotations. An `.lz4` file is decompressed on the fly. The
 * reader owns the file: it is closed when the records end, when reading fails, and when the consumer
 * stops early (`break` in a `for await` loop). Throws `InputOutputError` when the file cannot be
 * read, and the errors of {@link readRdb} and {@link readAof}.
 */
export async function* readAofFile(path: string, options: ReadAofOptions = {}): AsyncGenerator<RdbRecord | AofRecord> {
  const file = options.file ?? path;
  const input = await openInput(path, file);
  try {
    await input.fill(8);
    const head = input.reader();
    const magic = latin1.decode(head.data.subarray(head.pos, Math.min(head.end, head.pos + 8)));
    if (head.end - head.pos >= 8 && (magic.startsWith('REDIS') || magic.startsWith('VALKEY'))) yield* readRdb(input, { file });
    yield* readAof(input, { ...options, file });
  } finally {
    await input.close();
  }
}

const latin1 = new TextDecoder('latin1');

