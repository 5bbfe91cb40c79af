import { Buffer } from 'node:buffer';
import { CorruptError, TruncatedError } from '../errors.js';

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/*
 * cspell:words argc fgets strtol strcasecmp epos eptr endptr
 *
 * The RESP record scanner shared by every AOF reader and by the checker.
 *
 * It mirrors what redis-check-aof (Redis 7.0) accepts, byte for byte, because our verdict has to match:
 * - a record starts with '#' (annotation) or '*' (command); any other first byte is a format error;
 * - '*' and '$' lines are read like `fgets(buf, 128)` + `strtol(buf + 1)`: the line ends at the first LF or
 *   after 127 bytes; strtol skips leading white space (space, \t, \v, \f, \r, \n) and takes an optional sign;
 *   then "\r\n" must follow the digits (or follow the prefix byte itself when there are no digits, which
 *   makes "*\r\n" a command of zero arguments and "$\r\n" an empty string);
 * - a bulk string is exactly <len> bytes followed by "\r\n"; 0 <= len <= LONG_MAX - 2;
 * - an annotation is read like `fgets(buf, 1024)`: up to and including the first LF, at most 1023 bytes;
 *   a longer line continues as the next record (which then must start with '#' or '*' again).
 *
 * Every structure (a line, a bulk string, an annotation) is parsed atomically: it either completes, or the
 * scanner throws and its state is left as before, so the caller can add bytes and call {@link step} again.
 * Progress inside a command survives a refill, so a command with many arguments is scanned once.
 */

/** {@link RespScanner.step} found the end of the data at a record boundary. */
export const STEP_END = 0;
/** {@link RespScanner.step} completed a command. */
export const STEP_COMMAND = 1;
/** {@link RespScanner.step} completed an annotation line. */
export const STEP_ANNOTATION = 2;

const CR = 0x0d;
const LF = 0x0a;
const STAR = 0x2a;
const DOLLAR = 0x24;
const HASH = 0x23;
/** redis-check-aof reads '*' and '$' lines with fgets into a 128-byte buffer. */
const LINE_MAX = 127;
/** AOF_ANNOTATION_LINE_MAX_LEN is 1024; fgets keeps one byte for the terminator. */
export const ANNOTATION_LINE_MAX = 1023;
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
/** When a bulk string is not buffered yet, ask for at most this much more at once (doubling past it). */
const BULK_STEP = 64 << 20;

export interface ScannerOptions {
  /** File name for errors. */
  file?: string;
  /** Accept `*0`/`*-1` headers as commands without arguments, as redis-check-aof does (default false). */
  allowEmptyCommands?: boolean;
  /** Record where each argument is, so {@link RespScanner.args} can return views (default true). */
  collectArgs?: boolean;
  /** RESP line number of the first line, counted like redis-check-aof's ok_up_to_line (default 1). */
  startLine?: number;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A byte the way C's `printf("%02x", (char) b)` prints it on a signed-char platform. */
function hexByte(b: number): string {
  return b >= 0x80 ? `ffffff${b.toString(16)}` : b.toString(16).padStart(2, '0');
}

/** A byte the way `printf("%c")` would show it, escaped when not printable. */
export function showByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
}

/** Case-insensitive `strcasecmp(arg, word) == 0` on a NUL-terminated copy of the argument. */
export function argIs(data: Uint8Array, start: number, length: number, word: string): boolean {
  const n = word.length;
  if (length < n) return false;
  if (length > n && data[start + n] !== 0) return false;
  for (let i = 0; i < n; i++) {
    if (((data[start + i] as number) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Scans RESP AOF records out of a window of bytes. The caller owns the window: {@link setWindow} tells the
 * scanner which bytes are available (absolute offsets) and whether the data ends there.
 */
export class RespScanner {
  readonly file: string | undefined;
  private readonly allowEmpty: boolean;
  private readonly collect: boolean;

  private data: Uint8Array = new Uint8Array(0);
  private end = 0;
  private base = 0;
  private eof = false;

  /** Absolute offset of the next structure to scan. */
  cursor = 0;
  /** RESP line number where the next (or current) command starts. */
  line: number;
  /** True while a command is partly scanned. */
  inRecord = false;
  /** Absolute offset where the current (or last completed) record starts. */
  recordStart = 0;
  /** RESP lines consumed by the current (or last completed) command, like redis-check-aof counts them. */
  recordLines = 0;
  /** Argument count of the current command (as strtol read it). */
  argc = 0;
  /** Arguments of the current command completed so far. */
  argIndex = 0;
  private bulkLength = -1;
  private readonly argStarts: number[] = [];
  private readonly argLengths: number[] = [];

  /** Last completed annotation: where its text ends (absolute; excludes "\r\n"). */
  textEnd = 0;
  /** Last completed annotation's `#TS:` value, when it has a valid one. */
  timestamp: number | undefined;

  /** Offset redis-check-aof would have in `epos`: the start of the last line or bulk string read. */
  lastEpos = 0;
  /** redis-check-aof's wording of the last error thrown ('' when it would print nothing). */
  issue = '';

  /**
   * Total size of the data when known in advance. A bulk string that would end past it is reported as
   * truncated at once instead of being buffered up to the end of the data (a corrupt length can be huge).
   */
  sizeLimit = Infinity;
  /** The last TruncatedError that is final even though the window is not at the end of the data. */
  finalError: TruncatedError | undefined;

  /** Called when the first argument of a command is complete; may throw (MULTI/EXEC tracking). */
  onFirstArg: ((data: Uint8Array, start: number, length: number, offset: number) => void) | undefined;

  constructor(options: ScannerOptions = {}) {
    this.file = options.file;
    this.allowEmpty = options.allowEmptyCommands ?? false;
    this.collect = options.collectArgs ?? true;
    this.line = options.startLine ?? 1;
  }

  /**
   * Sets the bytes to scan: `data[0..end)` holds absolute offsets `base..base+end`; `eof` says nothing
   * follows. The window must contain {@link boundary}.
   */
  setWindow(data: Uint8Array, end: number, base: number, eof: boolean): void {
    this.data = data;
    this.end = end;
    this.base = base;
    this.eof = eof;
  }

  /** First absolute offset still needed: the start of a partly scanned command, else the cursor. */
  get boundary(): number {
    return this.inRecord ? this.recordStart : this.cursor;
  }

  /** Current command's arguments as views into the current window (requires collectArgs). */
  args(): Uint8Array[] {
    const n = this.argStarts.length;
    const out = new Array<Uint8Array>(n);
    // A view made from the buffer directly is about twice as quick to create as subarray().
    const { buffer, byteOffset } = this.data;
    const shift = byteOffset - this.base;
    for (let i = 0; i < n; i++) out[i] = new Uint8Array(buffer, (this.argStarts[i] as number) + shift, this.argLengths[i] as number);
    return out;
  }

  /** Last annotation's text (after '#', without the line end) as a view into the current window. */
  annotationText(): Uint8Array {
    return this.data.subarray(this.recordStart + 1 - this.base, this.textEnd - this.base);
  }

  /**
   * Scans one record. Returns {@link STEP_END}, {@link STEP_COMMAND} or {@link STEP_ANNOTATION}; throws a
   * {@link TruncatedError} when more bytes are needed (with `eof` set: the data really ends inside a command)
   * or a {@link CorruptError} when the bytes are wrong.
   */
  step(): number {
    const d = this.data;
    if (!this.inRecord) {
      const s = this.cursor - this.base;
      this.recordLines = 0;
      if (s >= this.end) {
        if (this.eof) return STEP_END;
        throw this.needMore(s, 1);
      }
      const c = d[s] as number;
      if (c === HASH) return this.annotation(s);
      this.recordStart = this.cursor;
      if (c !== STAR) {
        this.issue = `AOF ${this.file ?? ''} format error`;
        throw this.corrupt(`format error: a record must start with '*' or '#', got '${showByte(c)}'`, this.cursor);
      }
      const argc = this.numberLine(s, STAR);
      this.recordLines = 1;
      this.argc = argc;
      this.argIndex = 0;
      this.bulkLength = -1;
      if (this.collect) {
        this.argStarts.length = 0;
        this.argLengths.length = 0;
      }
      if (argc <= 0) {
        if (!this.allowEmpty) {
          this.issue = `a command needs at least one argument, got ${argc}`;
          throw this.corrupt(this.issue, this.recordStart);
        }
        this.line += 1;
        return STEP_COMMAND;
      }
      this.inRecord = true;
    }
    const argc = this.argc;
    while (this.argIndex < argc) {
      let s = this.cursor - this.base;
      if (this.bulkLength < 0) {
        const length = this.numberLine(s, DOLLAR);
        this.recordLines++;
        if (length < 0 || this.big > LONG_MAX - 2n) {
          const shown = this.big === 0n ? String(length) : String(this.big);
          this.issue = `Expected to read string of ${shown} bytes, which is not in the suitable range`;
          throw this.corrupt(this.issue, this.lastEpos);
        }
        this.bulkLength = length;
        s = this.cursor - this.base;
      }
      const length = this.bulkLength;
      const available = this.end - s;
      if (available < length + 2) throw this.shortBulk(s, length, available);
      this.lastEpos = this.cursor;
      const a = d[s + length] as number;
      const b = d[s + length + 1] as number;
      if (a !== CR || b !== LF) {
        this.issue = `Expected \\r\\n, got: ${hexByte(a)}${hexByte(b)}`;
        throw this.corrupt(this.issue, this.cursor);
      }
      this.recordLines++;
      const start = this.cursor;
      this.cursor = start + length + 2;
      this.bulkLength = -1;
      if (this.collect) {
        this.argStarts.push(start);
        this.argLengths.push(length);
      }
      if (this.argIndex++ === 0 && this.onFirstArg !== undefined) this.onFirstArg(d, s, length, start);
    }
    this.inRecord = false;
    this.line += this.recordLines;
    return STEP_COMMAND;
  }

  /** Exact value of the last number line when it is not a safe integer (else 0n). */
  private big = 0n;

  /** Parses a '*' or '$' line at window index `s`; returns its value and moves the cursor past it. */
  private numberLine(s: number, prefix: number): number {
    const d = this.data;
    const end = this.end;
    if (d[s] === prefix) {
      let q = s + 1;
      let value = 0;
      const limit = Math.min(end, s + 16);
      while (q < limit) {
        const c = d[q] as number;
        if (c < 0x30 || c > 0x39) break;
        value = value * 10 + (c - 0x30);
        q++;
      }
      if (q > s + 1 && q + 1 < end && d[q] === CR && d[q + 1] === LF) {
        this.lastEpos = this.base + s;
        this.big = 0n;
        this.cursor = this.base + q + 2;
        return value;
      }
    }
    return this.numberLineSlow(s, prefix);
  }

  /** The general case of {@link numberLine}: fgets + strtol + the "\r\n" check, edge cases included. */
  private numberLineSlow(s: number, prefix: number): number {
    const d = this.data;
    const available = this.end - s;
    const scan = Math.min(available, LINE_MAX);
    let lineLength = this.lineLengthAt(s, scan);
    let partial = false;
    if (lineLength < 0) {
      if (scan === LINE_MAX) lineLength = LINE_MAX;
      else if (this.eof) {
        lineLength = available;
        partial = true;
      } else throw this.needMore(s, available + 1);
    }
    this.lastEpos = this.base + s;
    if (lineLength === 0) {
      // fgets() returns NULL: redis-check-aof stops without a message of its own.
      this.issue = '';
      throw new TruncatedError(1, 0, { file: this.file, offset: this.base + s }, 'AOF ends inside a command').during(
        `command at offset ${this.recordStart}`,
      );
    }
    const at = (k: number): number => (k < lineLength ? (d[s + k] as number) : 0);
    const first = at(0);
    if (first !== prefix) {
      this.issue = `Expected prefix '${String.fromCharCode(prefix)}', got: '${showByte(first)}'`;
      throw this.corrupt(this.issue, this.base + s);
    }
    let p = 1;
    while (isSpace(at(p))) p++;
    let negative = false;
    if (at(p) === 0x2b || at(p) === 0x2d) {
      negative = at(p) === 0x2d;
      p++;
    }
    const digits = p;
    while (isDigit(at(p))) p++;
    let value = 0;
    let exact = 0n;
    let eptr = 1;
    if (p > digits) {
      eptr = p;
      if (p - digits <= 15) {
        for (let k = digits; k < p; k++) value = value * 10 + (at(k) - 0x30);
        if (negative) value = -value;
      } else {
        let text = '';
        for (let k = digits; k < p; k++) text += String.fromCharCode(at(k));
        exact = BigInt(text);
        if (negative) exact = -exact;
        if (exact > LONG_MAX) exact = LONG_MAX;
        if (exact < LONG_MIN) exact = LONG_MIN;
        value = Number(exact);
        if (Number.isSafeInteger(value)) exact = 0n;
      }
    }
    if (at(eptr) === CR && at(eptr + 1) === LF) {
      this.big = exact;
      this.cursor = this.base + s + lineLength;
      return value;
    }
    this.issue = `Expected \\r\\n, got: ${hexByte(at(eptr))}${hexByte(at(eptr + 1))}`;
    if (partial && this.extendable(s, lineLength)) {
      throw new TruncatedError(lineLength + 1, lineLength, { file: this.file, offset: this.base + s }, 'AOF ends inside a command').during(
        `command at offset ${this.recordStart}`,
      );
    }
    throw this.corrupt(this.issue, this.base + s);
  }

  /** True when the `length` bytes at `s` (a line cut off by the end of the data) could still become valid. */
  private extendable(s: number, length: number): boolean {
    let k = 1;
    const at = (i: number): number => this.data[s + i] as number;
    while (k < length && isSpace(at(k))) k++;
    if (k < length && (at(k) === 0x2b || at(k) === 0x2d)) k++;
    const digits = k;
    while (k < length && isDigit(at(k))) k++;
    if (k > digits && k < length && at(k) === CR) k++;
    return k === length;
  }

  /** Length of the line at window index `s` through its LF, looking at most `max` bytes; -1 when none. */
  private lineLengthAt(s: number, max: number): number {
    const d = this.data;
    const scan = Math.min(this.end - s, max);
    for (let i = 0; i < scan; i++) if (d[s + i] === LF) return i + 1;
    return -1;
  }

  /** An annotation line at window index `s`. */
  private annotation(s: number): number {
    const d = this.data;
    const available = this.end - s;
    const scan = Math.min(available, ANNOTATION_LINE_MAX);
    let length = this.lineLengthAt(s, scan);
    if (length < 0) {
      if (scan === ANNOTATION_LINE_MAX || this.eof) length = scan;
      else throw this.needMore(s, available + 1);
    }
    const start = this.base + s;
    this.recordStart = start;
    this.lastEpos = start;
    let textEnd = s + length;
    if (length >= 2 && d[textEnd - 1] === LF) textEnd -= d[textEnd - 2] === CR ? 2 : 1;
    this.textEnd = this.base + textEnd;
    this.timestamp = this.parseTimestamp(s, length);
    this.cursor = start + length;
    return STEP_ANNOTATION;
  }

  /**
   * The `#TS:` value the way redis-check-aof --truncate-to-timestamp reads it: strtol(buf + 4) must be
   * followed by '\r' and must not overflow; otherwise the annotation carries no timestamp.
   */
  private parseTimestamp(s: number, length: number): number | undefined {
    const d = this.data;
    if (length < 5 || d[s + 1] !== 0x54 || d[s + 2] !== 0x53 || d[s + 3] !== 0x3a) return undefined;
    const at = (k: number): number => (k < length ? (d[s + k] as number) : 0);
    let p = 4;
    while (isSpace(at(p))) p++;
    let negative = false;
    if (at(p) === 0x2b || at(p) === 0x2d) {
      negative = at(p) === 0x2d;
      p++;
    }
    const digits = p;
    let text = '';
    while (isDigit(at(p))) text += String.fromCharCode(at(p++));
    const endptr = p > digits ? p : 4;
    if (at(endptr) !== CR) return undefined;
    if (text === '') return 0;
    const value = BigInt(text) * (negative ? -1n : 1n);
    if (value > LONG_MAX || value < LONG_MIN) return undefined;
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }

  private corrupt(detail: string, offset: number): CorruptError {
    const error = new CorruptError(detail).at({ file: this.file, offset });
    return offset === this.recordStart ? error : error.during(`command at offset ${this.recordStart}`);
  }

  private needMore(s: number, needed: number): TruncatedError {
    return new TruncatedError(needed, this.end - s, { file: this.file, offset: this.base + s });
  }

  private shortBulk(s: number, length: number, available: number): TruncatedError {
    const offset = this.base + s;
    const past = offset + length + 2 > this.sizeLimit;
    if (!this.eof && !past) {
      // Ask for the whole string, but grow a buffer geometrically past BULK_STEP so a corrupt huge length
      // cannot make us allocate far more than the data holds.
      const needed = Math.min(length + 2, Math.max(available + BULK_STEP, available * 2));
      return new TruncatedError(needed, available, { file: this.file, offset });
    }
    const left = this.eof ? available : Math.max(available, this.sizeLimit - offset);
    this.lastEpos = offset;
    this.issue = `Expected to read ${this.big === 0n ? length + 2 : String(this.big + 2n)} bytes, got ${left} bytes`;
    const error = new TruncatedError(length + 2, left, { file: this.file, offset }, 'AOF ends inside a bulk string').during(
      `argument ${this.argIndex + 1} of the command at offset ${this.recordStart}`,
    );
    this.finalError = error;
    return error;
  }
}

/**
 * Command names as strings without making one per command: an AOF repeats a handful of names, so the
 * bytes are compared with the last few names seen before a new string is cut.
 */
export class NameCache {
  private readonly bytes: Uint8Array[] = [];
  private readonly strings: string[] = [];
  private next = 0;

  /** The latin1 text of `data[start, start + length)`, upper-cased with `upper`. */
  constructor(private readonly upper = false) {}

  name(data: Uint8Array, start: number, length: number): string {
    const bytes = this.bytes;
    for (let i = 0; i < bytes.length; i++) {
      const known = bytes[i] as Uint8Array;
      if (known.length !== length) continue;
      let k = 0;
      while (k < length && known[k] === data[start + k]) k++;
      if (k === length) return this.strings[i] as string;
    }
    const raw = latin1Slice.call(data, start, start + length);
    const text = this.upper ? raw.toUpperCase() : raw;
    if (length <= 32) {
      const slot = this.next;
      this.next = (this.next + 1) % 16;
      bytes[slot] = data.slice(start, start + length);
      this.strings[slot] = text;
    }
    return text;
  }
}
