import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { lz4EncodeFrames } from '../codecs/lz4.js';
import { RedbackError, ioError } from '../errors.js';

/*
 * cspell:words EXDEV FICLONE reflink
 *
 * The file-system steps every writing command is built from. Each step that changes the file system first
 * calls the caller's {@link StepHook}: the crash test makes the process kill itself at the Nth step, so every
 * state a crash can leave behind is tried.
 */

/** Output compression for writing commands. */
export type Compression = 'none' | 'lz4';

/** Bytes to write: any iterable of chunks, sync or async. */
export type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** One step that changes the file system, as reported to a {@link StepHook} just before it is taken. */
export interface FsStep {
  action: 'create' | 'write' | 'rename' | 'link' | 'copy' | 'unlink' | 'mkdir';
  path: string;
  /** The destination of a rename, link or copy. */
  to?: string;
}

/** Called before every step that changes the file system; may be async (a test can pause or crash there). */
export type StepHook = (step: FsStep) => void | Promise<void>;

/** Flushes a directory entry to disk after a rename (best effort where the platform refuses). */
export async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems do not allow fsync on directories; the rename itself is still atomic.
  }
}

/** A short random token for names of our own temporary files (12 hex digits). */
export function randomToken(): string {
  return randomBytes(6).toString('hex');
}

/** The name of a temporary file beside `path`: `.<name>.redback-<token>.tmp`, a form no other program uses. */
export function tempPathFor(path: string, token: string = randomToken()): string {
  return join(dirname(path), `.${basename(path)}.redback-${token}.tmp`);
}

/** Rethrows our own errors as they are and turns file-system errors into an {@link InputOutputError} naming `path`. */
function asOurs(error: unknown, path: string): unknown {
  return error instanceof RedbackError ? error : ioError(error, path);
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

async function* toAsync(chunks: Chunks): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield chunk;
}

/**
 * Creates `path`, which must not exist (it is never overwritten), writes `chunks` into it (as one LZ4 frame
 * with `compression: 'lz4'`), fsyncs and closes it. On failure the partial file is removed. Returns the
 * bytes written. The hook sees `create` before the file is made and `write` once part of it is written,
 * so a crash can be tried on a partial file too. Throws {@link InputOutputError} (`already exists` when
 * `path` does).
 */
export async function writeNewFile(path: string, chunks: Chunks, options: { compression?: Compression; onStep?: StepHook } = {}): Promise<number> {
  await options.onStep?.({ action: 'create', path });
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    throw ioError(error, path);
  }
  let written = 0;
  try {
    const source = options.compression === 'lz4' ? lz4EncodeFrames(toAsync(chunks)) : chunks;
    let first = true;
    for await (const chunk of source) {
      await writeAll(handle, chunk);
      written += chunk.length;
      if (first && chunk.length > 0) {
        first = false;
        await options.onStep?.({ action: 'write', path });
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    return written;
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    throw asOurs(error, path);
  }
}

/**
 * Copies a file byte for byte to `to`, which must not exist: a reflink where the file system can, a
 * kernel copy otherwise; then fsyncs the copy. On failure the partial copy is removed.
 */
export async function copyNewFile(from: string, to: string, onStep?: StepHook): Promise<void> {
  await onStep?.({ action: 'copy', path: from, to });
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    await fsyncFile(to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(to, { force: true }).catch(() => undefined);
    throw ioError(error, (error as NodeJS.ErrnoException).code === 'ENOENT' ? from : to);
  }
}

/** fsync of a file's data by path. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Renames `from` to `to` (replacing `to` atomically) and fsyncs the directory, or both directories. */
export async function renameDurably(from: string, to: string, onStep?: StepHook): Promise<void> {
  await onStep?.({ action: 'rename', path: from, to });
  try {
    await rename(from, to);
  } catch (error) {
    throw ioError(error, (error as NodeJS.ErrnoException).code === 'ENOENT' ? from : to);
  }
  await fsyncDirectory(dirname(to));
  if (dirname(from) !== dirname(to)) await fsyncDirectory(dirname(from));
}

/**
 * Moves a file into another directory: a rename, or on another file system a copy (temporary name, fsync,
 * rename) followed by removing the original. `to` is replaced if it exists. A crash leaves the file at
 * `from`, at `to`, or (between the copy and the removal) at both, whole.
 */
export async function moveFile(from: string, to: string, onStep?: StepHook): Promise<void> {
  await onStep?.({ action: 'rename', path: from, to });
  try {
    await rename(from, to);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw ioError(error, from);
  }
  const temp = tempPathFor(to);
  try {
    await copyFile(from, temp, constants.COPYFILE_EXCL);
    await fsyncFile(temp);
    await rename(temp, to);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw ioError(error, to);
  }
  await fsyncDirectory(dirname(to));
  await removeFile(from, onStep);
}

/**
 * Makes `to` a second name of `from` (a hard link; instant, no bytes copied), or where the file system
 * cannot (another device, no hard links) a full copy. `to` must not exist. The copy is fsynced.
 */
export async function linkOrCopy(from: string, to: string, onStep?: StepHook): Promise<void> {
  await onStep?.({ action: 'link', path: from, to });
  try {
    await link(from, to);
    await fsyncDirectory(dirname(to));
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw ioError(error, code === 'ENOENT' ? from : to);
  }
  const temp = tempPathFor(to);
  try {
    await copyFile(from, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    await fsyncFile(temp);
    if (await exists(to)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    await rename(temp, to);
  } catch (error) {
    throw ioError(error, to);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
  await fsyncDirectory(dirname(to));
}

/** Removes a file; a missing file is not an error. */
export async function removeFile(path: string, onStep?: StepHook): Promise<void> {
  await onStep?.({ action: 'unlink', path });
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(error, path);
  }
}

/** Creates a directory and its parents when missing. */
export async function makeDirectory(path: string, onStep?: StepHook): Promise<void> {
  if (await exists(path)) return;
  await onStep?.({ action: 'mkdir', path });
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw ioError(error, path);
  }
  await fsyncDirectory(dirname(path));
}

/** True when something exists at `path` (a broken symlink counts as nothing). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError(error, path);
  }
}

/**
 * Writes `chunks` to `path` safely: into a temporary file beside it (`.<name>.redback-<token>.tmp`),
 * fsynced, then renamed over `path` and the directory fsynced. A crash leaves either the old file or the
 * new one, never half of one (plus, at worst, the temporary file). With `compression: 'lz4'` the bytes
 * are written as one LZ4 frame. Returns the bytes written.
 */
export async function writeFileAtomic(
  path: string,
  chunks: Chunks,
  compression: Compression = 'none',
  options: { temp?: string; onStep?: StepHook } = {},
): Promise<number> {
  const temp = options.temp ?? tempPathFor(path);
  const written = await writeNewFile(temp, chunks, { compression, onStep: options.onStep });
  try {
    await renameDurably(temp, path, options.onStep);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  return written;
}
