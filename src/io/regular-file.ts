import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { InputOutputError, ioError } from '../errors.js';

/*
 * cspell:words ENXIO ELOOP
 *
 * Opening an input so that nothing but a regular file is ever read. The open is non-blocking, so a FIFO
 * (which would otherwise wait for a writer forever) opens at once and is refused by the fstat that follows;
 * a directory, a character or block device is refused the same way, and a socket (which cannot be opened)
 * is named as one. Symbolic links are followed by the kernel, which gives up on a loop (ELOOP) after a
 * fixed number of links.
 */

/** Read-only and non-blocking: a FIFO opens without waiting for a writer (and is then refused). */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** What a non-regular file is, for the error line. */
export function describeFileType(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** The one-line error for a path that is not a regular file. */
export function notRegularFile(info: Stats, name: string): InputOutputError {
  return new InputOutputError(`is ${describeFileType(info)}, not a regular file`, { file: name });
}

/** Turns an open failure into our error, naming a socket as one (opening it fails with ENXIO). */
async function openFailure(error: unknown, path: string, name: string): Promise<InputOutputError> {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENXIO') {
    try {
      return notRegularFile(await stat(path), name);
    } catch {
      // fall through to the plain error
    }
  }
  return ioError(error, name);
}

/**
 * Opens a regular file for reading and returns its handle and size. Throws an {@link InputOutputError}
 * naming the file when it is missing, unreadable, a symlink loop, or anything but a regular file (FIFO,
 * socket, device, directory), without ever blocking on it.
 */
export async function openRegularFile(path: string, name = path): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    throw await openFailure(error, path, name);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegularFile(info, name);
    return { handle, size: info.size };
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error instanceof InputOutputError ? error : ioError(error, name);
  }
}

/** {@link openRegularFile} with synchronous calls, for reading many small files quickly: a file descriptor and the size. */
export function openRegularFileSync(path: string, name = path): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') {
      let info: Stats | undefined;
      try {
        info = statSync(path);
      } catch {
        // fall through to the plain error
      }
      if (info) throw notRegularFile(info, name);
    }
    throw ioError(error, name);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw notRegularFile(info, name);
    return { fd, size: info.size };
  } catch (error) {
    closeSync(fd);
    throw error instanceof InputOutputError ? error : ioError(error, name);
  }
}

/**
 * Fails unless `path` is a regular file or a directory (what a command may be pointed at), following
 * symlinks. Returns whether it is a directory. Throws like {@link openRegularFile}.
 */
export async function fileOrDirectory(path: string, name = path): Promise<'file' | 'directory'> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw ioError(error, name);
  }
  if (info.isDirectory()) return 'directory';
  if (!info.isFile()) throw notRegularFile(info, name);
  return 'file';
}
