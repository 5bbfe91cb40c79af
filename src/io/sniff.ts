import { openSource } from './open.js';
import { fileOrDirectory } from './regular-file.js';

/** What a path holds, judged by its first bytes (after LZ4 decompression) or by being a directory. */
export type InputKind = 'rdb' | 'aof' | 'manifest' | 'directory' | 'empty' | 'unknown';

/** Reads up to `count` bytes from the start of the (decompressed) file; holds no more than it returns. */
export async function readDecodedHead(path: string, count: number, name = path): Promise<Uint8Array> {
  const source = await openSource(path, name);
  try {
    // A plain file gives its size; a compressed one grows the buffer as bytes arrive.
    let buffer = new Uint8Array(Math.min(count, source.compressed ? 1 << 16 : source.fileSize));
    let filled = 0;
    while (filled < count) {
      if (filled === buffer.length) {
        if (!source.compressed) break;
        const bigger = new Uint8Array(Math.min(count, buffer.length * 2));
        bigger.set(buffer);
        buffer = bigger;
      }
      const n = await source.readInto(buffer, filled, buffer.length - filled);
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } finally {
    await source.close();
  }
}

/**
 * Whether a path is checked as an AOF: an AOF by its first bytes, a manifest, a directory, an RDB-preamble
 * AOF named `.aof`, and an empty file unless it is named `.rdb` (redis-check-aof calls an empty AOF valid
 * "AOF is empty", and so do check and fix).
 */
export function isAofInput(kind: InputKind, path: string): boolean {
  if (kind === 'aof' || kind === 'manifest' || kind === 'directory') return true;
  if (kind === 'rdb') return /\.aof(\.lz4)?$/i.test(path);
  if (kind === 'empty') return !/\.rdb(\.lz4)?$/i.test(path);
  return false;
}

const latin1 = new TextDecoder('latin1');

/**
 * Tells an RDB (`REDIS`/`VALKEY` magic), an AOF (RESP `*` or a `#` annotation first; an RDB-preamble AOF
 * is reported as 'rdb' here and told apart by the caller), a multi-part manifest (a non-comment line
 * starting with `file`) and a directory apart. Throws an {@link InputOutputError} at once for anything that
 * is neither a regular file nor a directory (a FIFO, a socket, a device), and for a symlink loop.
 */
export async function sniffInput(path: string, name = path): Promise<InputKind> {
  if ((await fileOrDirectory(path, name)) === 'directory') return 'directory';
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

/** The rule redis-check-aof and the server apply: `REDIS` (or Valkey's `VALKEY`) and at least 8 bytes. */
export function startsWithRdbMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const redis = bytes[0] === 0x52 && bytes[1] === 0x45 && bytes[2] === 0x44 && bytes[3] === 0x49 && bytes[4] === 0x53;
  return redis || (bytes[0] === 0x56 && bytes[1] === 0x41 && bytes[2] === 0x4c && bytes[3] === 0x4b && bytes[4] === 0x45 && bytes[5] === 0x59);
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
