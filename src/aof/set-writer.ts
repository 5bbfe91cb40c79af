import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Compression } from '../io/atomic.js';
import { DEFAULT_AOF_FILENAME, baseFileName, formatManifest, incrFileName, manifestFileName } from './manifest.js';
import type { ManifestEntryInit } from './manifest.js';

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** The files of a multi-part AOF to write, in load order. */
export interface AofSetContent {
  /** The BASE: an RDB (`.base.rdb`) or a RESP rewrite (`.base.aof`). */
  base?: { format: 'rdb' | 'aof'; chunks: Chunks };
  /** INCR files, oldest first. */
  incrs: Chunks[];
}

/** Options of {@link writeAofSet}. */
export interface WriteAofSetOptions {
  /** `appendfilename`, the prefix of every file name (default `appendonly.aof`). */
  prefix?: string;
  /** Sequence number of the BASE and of the first INCR (default 1). */
  seq?: number;
  compression?: Compression;
}

/** What {@link writeAofSet} wrote. */
export interface AofSetWritten {
  dir: string;
  manifestPath: string;
  files: string[];
  bytes: number;
}

/**
 * Writes a multi-part AOF the way Redis lays one out: `<prefix>.<seq>.base.rdb|aof`, `<prefix>.<seq>.incr.aof`…
 * and `<prefix>.manifest`. Every file goes through a temporary file, fsync and rename, and the manifest is
 * written last, so a crash part-way leaves no manifest naming a file that is not complete.
 */
export async function writeAofSet(dir: string, content: AofSetContent, options: WriteAofSetOptions = {}): Promise<AofSetWritten> {
  const prefix = options.prefix ?? DEFAULT_AOF_FILENAME;
  const seq = options.seq ?? 1;
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw ioError(error, dir);
  }
  const written: AofSetWritten = { dir, manifestPath: join(dir, manifestFileName(prefix)), files: [], bytes: 0 };
  const entries: { base?: ManifestEntryInit; history: ManifestEntryInit[]; incr: ManifestEntryInit[] } = { history: [], incr: [] };
  if (content.base) {
    const name = baseFileName(prefix, seq, content.base.format);
    written.bytes += await writeFileAtomic(join(dir, name), content.base.chunks, options.compression);
    written.files.push(join(dir, name));
    entries.base = { name, seq, type: 'base' };
  }
  for (let i = 0; i < content.incrs.length; i++) {
    const name = incrFileName(prefix, seq + i);
    written.bytes += await writeFileAtomic(join(dir, name), content.incrs[i] as Chunks, options.compression);
    written.files.push(join(dir, name));
    entries.incr.push({ name, seq: seq + i, type: 'incr' });
  }
  await writeFileAtomic(written.manifestPath, [new TextEncoder().encode(formatManifest(entries))]);
  return written;
}
