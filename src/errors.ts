/**
 * The error taxonomy of redback. Every error the library throws on purpose is a {@link RedbackError}:
 * it knows the file and the absolute byte offset where the problem sits, and maps to one exit code.
 *
 * - {@link TruncatedError}: the input ran out of bytes (a short file, a cut-off record).
 * - {@link CorruptError}: the bytes are there but wrong (bad magic, bad length, bad encoding).
 * - {@link ChecksumError}: a stored checksum does not match the computed one.
 * - {@link UnsupportedError}: well-formed input of a kind or version we cannot handle.
 * - {@link InputOutputError}: the file system failed us (missing file, permission, disk full).
 * - {@link UsageError}: the caller asked for something impossible (bad flag combination).
 */

/** Exit codes shared by every command; documented in README.md. */
export const ExitCode = {
  ok: 0,
  invalid: 1,
  usage: 2,
  io: 3,
  /** The input could not be fully verified for a reason other than damage (a format redback does not read). */
  unverified: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Where in which file a problem was found. */
export interface Location {
  /** The file's path as the user gave it (or a descriptive name for in-memory buffers). */
  file?: string;
  /** Absolute byte offset from the start of the (decompressed) file. */
  offset?: number;
}

/** Base class of every error redback throws on purpose. */
export class RedbackError extends Error {
  /** The file the error concerns, if known. */
  file: string | undefined;
  /** Absolute byte offset in that file, if known. */
  offset: number | undefined;
  /** What was being read when the error happened ("key 'foo' value", "listpack entry 3"), if known. */
  context: string | undefined;
  /** The problem alone, without file and offset. */
  readonly detail: string;
  /** Exit code a command should end with for this error. */
  readonly exitCode: ExitCodeValue = ExitCode.invalid;
  /** An optional suggestion printed after the error line. */
  hint: string | undefined;

  constructor(detail: string, where: Location = {}) {
    super(detail);
    this.name = new.target.name;
    this.detail = detail;
    this.file = where.file;
    this.offset = where.offset;
    this.context = undefined;
  }

  /** Fills in the file and offset when they are not known yet; returns this error for chaining. */
  at(where: Location): this {
    if (this.file === undefined && where.file !== undefined) this.file = where.file;
    if (this.offset === undefined && where.offset !== undefined) this.offset = where.offset;
    this.message = this.toLine();
    return this;
  }

  /** Adds what was being read, outermost last ("listpack entry 3 in key 'k'"). */
  during(context: string): this {
    this.context = this.context === undefined ? context : `${this.context} in ${context}`;
    this.message = this.toLine();
    return this;
  }

  /** The one-line form: `<file>: offset <n>: <what is wrong> (while reading …)`. */
  toLine(): string {
    const parts: string[] = [];
    if (this.file !== undefined) parts.push(this.file);
    if (this.offset !== undefined) parts.push(`offset ${this.offset}`);
    parts.push(this.context === undefined ? this.detail : `${this.detail} (while reading ${this.context})`);
    return parts.join(': ');
  }
}

/** The input ended before a complete structure could be read. */
export class TruncatedError extends RedbackError {
  /** How many bytes were needed at `offset`. */
  readonly needed: number;
  /** How many bytes were left at `offset`. */
  readonly available: number;
  /**
   * For a read that goes on in pieces (a long string value): the absolute offset and the byte count that
   * let it take its next step, fewer than {@link needed}. A driver refilling a window asks for these, while
   * the message keeps the figures of the whole read.
   */
  resume: { offset: number; needed: number } | undefined;

  /** `what` describes the failure ("unexpected end of file in string"); the byte counts are appended. */
  constructor(needed: number, available: number, where: Location = {}, what = 'unexpected end of file') {
    super(`${what}: needed ${needed} byte${needed === 1 ? '' : 's'}, ${available} left`, where);
    this.needed = needed;
    this.available = available;
    this.resume = undefined;
  }
}

/** The bytes are present but do not follow the format. */
export class CorruptError extends RedbackError {}

/** A stored checksum does not match the one computed over the data. */
export class ChecksumError extends CorruptError {
  readonly expected: bigint;
  readonly actual: bigint;

  constructor(expected: bigint, actual: bigint, where: Location = {}) {
    super(
      `checksum mismatch: stored 0x${expected.toString(16).padStart(16, '0')}, computed 0x${actual.toString(16).padStart(16, '0')}`,
      where,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * Input that this version of redback does not handle (a future RDB version, a pre-GA module value, a vendor
 * opcode): not proof of damage, so `check` calls such a file "unverified" rather than invalid.
 */
export class UnsupportedError extends CorruptError {
  override readonly exitCode: ExitCodeValue = ExitCode.unverified;
}

/** The file system failed: missing file, permission denied, disk full. */
export class InputOutputError extends RedbackError {
  override readonly exitCode: ExitCodeValue = ExitCode.io;
}

/** The caller's request cannot be carried out as asked. */
export class UsageError extends RedbackError {
  override readonly exitCode: ExitCodeValue = ExitCode.usage;
}

/** Turns a Node.js file-system error into an {@link InputOutputError} naming the file. */
export function ioError(error: unknown, file: string): InputOutputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    ENOSPC: 'no space left on device',
    EEXIST: 'already exists',
    EROFS: 'read-only file system',
    ELOOP: 'too many levels of symbolic links (a symlink loop?)',
    ENAMETOOLONG: 'file name too long',
    EXDEV: 'cannot move across file systems',
    ENXIO: 'no such device or address',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
    EDQUOT: 'disk quota exceeded',
  };
  const reason = (code && reasons[code]) ?? (error instanceof Error ? error.message : String(error));
  return new InputOutputError(reason, { file });
}

/** An error described as data, for reports: what kind of problem, where, and the one-line message. */
export interface ScanFailure {
  /** 'truncated' (ran out of bytes), 'corrupt', 'checksum', 'unsupported' or 'io'. */
  kind: 'truncated' | 'corrupt' | 'checksum' | 'unsupported' | 'io';
  /** The one-line message, with file and offset. */
  message: string;
  /** The problem alone. */
  detail: string;
  offset: number | undefined;
  /** What was being read ("key 'user:1'"), when known. */
  context: string | undefined;
}

/**
 * Describes one of our errors as a {@link ScanFailure}; the error itself stays reachable (not enumerable, so
 * not in JSON) through {@link failureError}. Rethrows errors that are not ours.
 */
export function toFailure(error: unknown): ScanFailure {
  if (!(error instanceof RedbackError)) throw error;
  const kind =
    error instanceof TruncatedError
      ? 'truncated'
      : error instanceof ChecksumError
        ? 'checksum'
        : error instanceof UnsupportedError
          ? 'unsupported'
          : error instanceof InputOutputError
            ? 'io'
            : 'corrupt';
  const failure: ScanFailure = { kind, message: error.toLine(), detail: error.detail, offset: error.offset, context: error.context };
  Object.defineProperty(failure, 'error', { value: error, enumerable: false });
  return failure;
}

/** The error a {@link ScanFailure} was made from (a plain error carrying its message when it was copied). */
export function failureError(failure: ScanFailure): RedbackError {
  const error = (failure as { error?: unknown }).error;
  if (error instanceof RedbackError) return error;
  return new CorruptError(failure.detail, { offset: failure.offset });
}
