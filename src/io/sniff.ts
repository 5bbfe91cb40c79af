import { stat } from 'node:fs/promises';
import { ioError } from '../errors.js';
import { openSource } from './open.js';

/** What a path holds, judged by its first bytes (after LZ4 decompression) or by being a directory. */
export type InputKind = 'rdb' | 'aof' | 'manifest' | 'directory' | 'empty' | 'unknown';

/** Reads up to `count` bytes from the start of the (decompressed) file. */
export async function readDecodedHead(path: string, count: number, name = path): Promise<Uint8Array> {
  const source = await openSource(path, name);
  try {
    const buffer = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const n = await source.readInto(buffer, filled, count - filled);
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } finally {
    await source.close();
  }
}

const latin1 = new TextDecoder('latin1');

/**
 * Tells an RDB (`REDIS`/`VALKEY` magic), an AOF (RESP `*` or a `#` annotation first; an RDB-preamble AOF
 * is reported as 'rdb' here and told apart by the caller), a multi-part manifest (a non-comment line
 * starting with `file`) and a directory apart.
 */
export async function sniffInput(path: string, name = path): Promise<InputKind> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw ioError(error, name);
  }
  if (isDirectory) return 'directory';
  const head = await readDecodedHead(path, 4096, name);
  if (head.length === 0) return 'empty';
  const text = latin1.decode(head.subarray(0, 9));
  if (text.startsWith('REDIS') || text.startsWith('VALKEY')) return 'rdb';
  for (const line of latin1.decode(head).split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith('file')) return 'manifest';
    break;
  }
  if (head[0] === 0x2a || head[0] === 0x23) return 'aof';
  return 'unknown';
}

/**
 * True when an AOF file starts with an RDB preamble: `REDIS` (or Valkey's `VALKEY`) and at least 8 bytes,
 * the rule redis-check-aof and the server apply.
 */
export async function hasRdbPreamble(path: string): Promise<boolean> {
  const head = await readDecodedHead(path, 8);
  if (head.length < 8) return false;
  const text = latin1.decode(head);
  return text.startsWith('REDIS') || text.startsWith('VALKEY');
}
