/**
 * Record sources for writer tests: an RDB file read as `convert` reads it (values built, raw bytes kept),
 * and a filter that drops keys already expired, as Redis does when it loads an RDB (and as
 * `convert --drop-expired` does).
 */
import { writeFile } from 'node:fs/promises';
import { openInput } from '../../src/io/open.js';
import type { RdbRecord } from '../../src/rdb/model.js';
import { readRdbBatches } from '../../src/rdb/reader.js';

/**
 * The records of the RDB at `path`, in batches, with values built and raw bytes. Empty keys pass (Redis
 * loads a file holding them and drops them), so the deep checks are off.
 */
export async function* rdbBatches(path: string): AsyncGenerator<RdbRecord[]> {
  const input = await openInput(path);
  try {
    yield* readRdbBatches(input, { materialize: true, raw: true, deep: false });
  } finally {
    await input.close();
  }
}

/** `batches` without the keys whose TTL is before `now` (ms). */
export async function* withoutExpired(batches: AsyncIterable<readonly RdbRecord[]>, now = Date.now()): AsyncGenerator<RdbRecord[]> {
  let skipping = false;
  for await (const batch of batches) {
    const out: RdbRecord[] = [];
    for (const record of batch) {
      if (record.kind === 'key') skipping = record.expireMs !== undefined && record.expireMs < now;
      if (!skipping) out.push(record);
      if (record.kind === 'key-end') skipping = false;
    }
    yield out;
  }
}

/** Drains a writer's pieces into one buffer. */
export async function drain(pieces: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of pieces) parts.push(Buffer.from(piece));
  return Buffer.concat(parts);
}

/** Writes a writer's pieces to a file. */
export async function drainTo(file: string, pieces: AsyncIterable<Uint8Array>): Promise<number> {
  const data = await drain(pieces);
  await writeFile(file, data);
  return data.length;
}
