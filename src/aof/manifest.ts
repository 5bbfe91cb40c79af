/* cspell:words appenddirname appendfilename appendonly appendonlydir endoffset fgets isspace redback sdscatrepr sdsneedsrepr sdssplitargs sdstrim startoffset strcasecmp Valkey */
import { CorruptError, UsageError } from '../errors.js';

/**
 * The manifest of a multi-part AOF (Redis 7.0+, every Valkey): which BASE, HISTORY and INCR files make up
 * the data set, one `file <name> seq <n> type <b|h|i>` line per file.
 *
 * {@link parseManifest} accepts exactly what Redis's own loader (`aofLoadManifestFromFile` in
 * `src/aof.c`, shared by the server and `redis-check-aof`) accepts, and rejects the rest with Redis's own
 * wording, so an operator meets the wording they already know. {@link formatManifest} writes what Redis writes
 * (`getAofManifestAsString`). The rules, as Redis applies them:
 *
 * - The file is read with `fgets` into a 1025-byte buffer, so a "line" is at most 1024 bytes *including*
 *   its `\n`: 1023 content bytes plus `\n` (or 1022 plus `\r\n`) is the longest line that loads.
 * - A line whose first byte is `#` is skipped before any other check. A comment longer than 1024 bytes is
 *   therefore skipped only for its first 1024 bytes; the rest is read as the next line (and a comment of
 *   exactly 1024 bytes plus `\n` leaves a lone `\n`, which is a blank line and an error).
 * - Any other line must contain its `\n` within those 1024 bytes, or "The AOF manifest file contains too
 *   long line". That includes the last line: a manifest whose last entry has no final newline is refused.
 *   A NUL byte before the `\n` has the same effect (C string functions stop at it).
 * - The line is trimmed of spaces, tabs, `\r` and `\n` at both ends and split like a shell command line
 *   (`sdssplitargs`, see {@link splitManifestArgs}); there must be at least 6 tokens and an even count.
 * - Keys are matched case-insensitively; unknown keys are ignored (Redis 8 adds `startoffset` and
 *   `endoffset`; we keep every unknown pair in {@link ManifestEntry.extra}). A repeated key keeps its last
 *   value. `seq` is read like C `atoll` (leading blanks, a sign, digits up to the first non-digit: `12abc`
 *   is 12, `abc` is 0); `type` uses only the first byte of its value (`base` means `b`).
 * - `file`, a non-zero `seq` and a non-empty `type` must all be present. Negative sequence numbers load
 *   for BASE and HISTORY (Redis does not mind); INCR sequence numbers must be strictly increasing from 1.
 *
 * File names are bytes. We keep them as *binary strings*: one character per byte, code 0–255 (the way
 * Node calls `'latin1'`). Get the bytes back with `Buffer.from(name, 'latin1')`. Names written with
 * `\xHH` escapes round-trip exactly.
 */

/** Which role a file plays: the snapshot (`b`), a retired file kept for archiving (`h`), or a log of writes (`i`). */
export type AofFileType = 'base' | 'history' | 'incr';

/** One line of a manifest. */
export interface ManifestEntry {
  /** The file name as a binary string (one character per byte, see the module comment). Never contains `/` or `\`. */
  name: string;
  /** The sequence number. A safe integer, never 0; only BASE and HISTORY entries can be negative. */
  seq: number;
  type: AofFileType;
  /** Key/value pairs other than `file`, `seq` and `type`, in line order, as binary strings (Redis 8 `startoffset`, `endoffset`, …). */
  extra: [key: string, value: string][];
  /** 1-based line number in the manifest (physical lines, counted by `\n`). */
  line: number;
}

/** A parsed manifest. {@link formatManifest} writes BASE first, then HISTORY, then INCR, each list in order. */
export interface Manifest {
  base?: ManifestEntry;
  history: ManifestEntry[];
  incr: ManifestEntry[];
}

/** An entry as {@link formatManifest} needs it: `extra` and `line` may be left out. */
export type ManifestEntryInit = Pick<ManifestEntry, 'name' | 'seq' | 'type'> & {
  extra?: readonly (readonly [key: string, value: string])[];
  line?: number;
};

/** A manifest as {@link formatManifest} needs it; every {@link Manifest} is one. */
export interface ManifestInit {
  base?: ManifestEntryInit;
  history: readonly ManifestEntryInit[];
  incr: readonly ManifestEntryInit[];
}

/** A manifest that Redis would refuse to load; `offset` is where the offending line starts. */
export class ManifestError extends CorruptError {
  /** 1-based line number of the offending line (physical lines), when the error concerns a line. */
  readonly line: number | undefined;
  /** The offending line after trimming, as Redis prints it after `>>>`, when Redis prints one. */
  readonly lineText: string | undefined;

  constructor(detail: string, where: { file?: string; offset: number; line?: number; lineText?: string }) {
    super(detail, { file: where.file, offset: where.offset });
    this.line = where.line;
    this.lineText = where.lineText;
    if (where.line !== undefined) this.during(`line ${where.line}`);
    else this.at({});
  }
}

/** The error texts of Redis's manifest loader, word for word. */
export const ManifestMessages = {
  empty: 'Found an empty AOF manifest',
  tooLong: 'The AOF manifest file contains too long line',
  invalid: 'Invalid AOF manifest file format',
  path: "File can't be a path, just a filename",
  duplicateBase: 'Found duplicate base file information',
  nonMonotonic: 'Found a non-monotonic sequence number',
  unknownType: 'Unknown AOF file type',
} as const;

/** Redis reads the manifest in pieces of at most this many bytes, newline included (`MANIFEST_MAX_LINE`). */
export const MANIFEST_MAX_LINE = 1024;

/** Default `appendfilename`: the prefix of every AOF file name. */
export const DEFAULT_AOF_FILENAME = 'appendonly.aof';
/** Default `appenddirname`: the directory, under `dir`, that holds the manifest and its files. */
export const DEFAULT_AOF_DIRNAME = 'appendonlydir';

const NEWLINE = 0x0a;
const HASH = 0x23;
const LONG_LONG_MAX = (1n << 63n) - 1n;
const LONG_LONG_MIN = -(1n << 63n);
const TYPE_CHARS: Record<AofFileType, string> = { base: 'b', history: 'h', incr: 'i' };
const TYPES: Record<string, AofFileType> = { b: 'base', h: 'history', i: 'incr' };

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/**
 * A line as Redis writes it, read in one step: `file <name> seq <n> type <b|h|i>`, single spaces, a name of
 * printable ASCII without quotes, backslashes or slashes, a sequence number of 1 to 15 digits (always a safe
 * integer) without a sign or leading zero.
 */
const SIMPLE_LINE = /^file ([!#-&(-.0-[\]-~]+) seq ([1-9][0-9]{0,14}) type ([bhi])$/;

/** The `extra` of every entry that has none (shared: a set may have a hundred thousand entries). */
const NO_EXTRA = Object.freeze([]) as unknown as [key: string, value: string][];

function makeEntry(name: string, seq: number, typeChar: string, extra: [string, string][], line: number): ManifestEntry {
  return { name, seq, type: TYPES[typeChar] as AofFileType, extra, line };
}

/**
 * Reads a manifest the way Redis 7.0+ loads one (the rules are in the module comment). Throws a
 * {@link ManifestError} carrying Redis's own message, the file, the offset of the offending line and its
 * line number. The one rule of ours: a sequence number beyond 2^53 − 1 is refused (Redis would accept up
 * to 2^63 − 1, saturating larger values), because it cannot be held exactly in a JavaScript number.
 *
 * A manifest holding only comments is valid and empty (Redis then starts from an empty data set); only a
 * zero-byte file is "Found an empty AOF manifest".
 */
export function parseManifest(text: Uint8Array, file?: string): Manifest {
  if (text.length === 0) throw new ManifestError(ManifestMessages.empty, { file, offset: 0 });

  const manifest: Manifest = { history: [], incr: [] };
  let maxIncrSeq = 0;
  let line = 1;
  let pos = 0;
  let nextNul = text.indexOf(0);
  while (pos < text.length) {
    const start = pos;
    const end = chunkEnd(text, pos);
    const lineNumber = line;
    pos = end;
    if (text[end - 1] === NEWLINE) line++;

    // Comment lines are skipped before anything else is looked at, even the length.
    if (text[start] === HASH) continue;

    const error = (detail: string, lineText?: string, hint?: string): ManifestError => {
      const e = new ManifestError(detail, { file, offset: start, line: lineNumber, lineText });
      e.hint = hint;
      return e;
    };

    // C string functions see the piece only up to its first NUL byte (found once for the whole text).
    if (nextNul !== -1 && nextNul < start) nextNul = text.indexOf(0, start);
    const nul = nextNul !== -1 && nextNul < end ? nextNul - start : -1;
    const cEnd = nul === -1 ? end : start + nul;
    if (text[cEnd - 1] !== NEWLINE) {
      let hint: string | undefined;
      if (nul !== -1) hint = `the line holds a NUL byte at offset ${cEnd}`;
      else if (end === text.length && end - start < MANIFEST_MAX_LINE) hint = 'the last line does not end with a newline';
      else hint = `a line may hold at most ${MANIFEST_MAX_LINE - 1} bytes before its newline`;
      throw error(ManifestMessages.tooLong, undefined, hint);
    }

    // The lines Redis writes (`file <plain name> seq <n> type <b|h|i>`) are read in one step; anything else
    // (quotes, escapes, extra pairs, odd spacing) goes through the general rules below, with the same result.
    const simple = SIMPLE_LINE.exec(latin1Slice.call(text, start, cEnd - 1));
    if (simple !== null) {
      // The name is cut from the bytes, not from the line's string, so it does not keep the line alive.
      const name = latin1Slice.call(text, start + 5, start + 5 + (simple[1] as string).length);
      const entry = makeEntry(name, Number(simple[2]), simple[3] as string, NO_EXTRA, lineNumber);
      if (entry.type === 'base') {
        if (manifest.base) throw error(ManifestMessages.duplicateBase, simple[0], `line ${manifest.base.line} already names a BASE file`);
        manifest.base = entry;
      } else if (entry.type === 'history') {
        manifest.history.push(entry);
      } else {
        if (entry.seq <= maxIncrSeq) throw error(ManifestMessages.nonMonotonic, simple[0], `INCR sequence numbers must increase; the previous one is ${maxIncrSeq}`);
        manifest.incr.push(entry);
        maxIncrSeq = entry.seq;
      }
      continue;
    }

    const content = trimManifestLine(binaryString(text, start, cEnd));
    if (content.length === 0) throw error(ManifestMessages.invalid, content, 'blank line');

    const tokens = splitManifestArgs(content);
    if (tokens === null) throw error(ManifestMessages.invalid, content, 'unbalanced quotes, or a closing quote not followed by a space');
    if (tokens.length < 6 || tokens.length % 2 !== 0) {
      throw error(ManifestMessages.invalid, content, `expected key/value pairs "file <name> seq <n> type <t>", found ${tokens.length} token${tokens.length === 1 ? '' : 's'}`);
    }

    let name: string | undefined;
    let seq = 0n;
    let typeChar = '';
    const extra: [string, string][] = [];
    for (let i = 0; i + 1 < tokens.length; i += 2) {
      const key = tokens[i] as string;
      const value = tokens[i + 1] as string;
      switch (asciiLower(cString(key))) {
        case 'file':
          name = cString(value);
          if (name.includes('/') || name.includes('\\')) throw error(ManifestMessages.path, content);
          break;
        case 'seq':
          seq = atoll(cString(value));
          break;
        case 'type':
          typeChar = cString(value).slice(0, 1);
          break;
        default:
          extra.push([key, value]);
      }
    }
    if (name === undefined || seq === 0n || typeChar === '') {
      const missing = name === undefined ? 'no file name' : seq === 0n ? 'no sequence number (or one that reads as 0)' : 'no type';
      throw error(ManifestMessages.invalid, content, missing);
    }
    if (seq > BigInt(Number.MAX_SAFE_INTEGER) || seq < BigInt(-Number.MAX_SAFE_INTEGER)) {
      throw error(`sequence number ${seq} is beyond what redback handles (2^53 - 1)`, content);
    }

    const entry = { name, seq: Number(seq), extra: extra.length === 0 ? NO_EXTRA : extra, line: lineNumber };
    if (typeChar === 'b') {
      if (manifest.base) throw error(ManifestMessages.duplicateBase, content, `line ${manifest.base.line} already names a BASE file`);
      manifest.base = makeEntry(entry.name, entry.seq, 'b', entry.extra, lineNumber);
    } else if (typeChar === 'h') {
      manifest.history.push(makeEntry(entry.name, entry.seq, 'h', entry.extra, lineNumber));
    } else if (typeChar === 'i') {
      if (entry.seq <= maxIncrSeq) throw error(ManifestMessages.nonMonotonic, content, `INCR sequence numbers must increase; the previous one is ${maxIncrSeq}`);
      manifest.incr.push(makeEntry(entry.name, entry.seq, 'i', entry.extra, lineNumber));
      maxIncrSeq = entry.seq;
    } else {
      throw error(ManifestMessages.unknownType, content, `type must be b, h or i, found ${JSON.stringify(typeChar)}`);
    }
  }
  return manifest;
}

/**
 * Writes a manifest exactly as Redis does (`getAofManifestAsString`): BASE, then HISTORY, then INCR, one
 * `file <name> seq <n> type <c>` line each, ending in `\n`, followed by any {@link ManifestEntry.extra}
 * pairs in order (a Redis 8 INCR line reads `… type i startoffset <n> endoffset <n>`). Names and extra
 * strings are quoted the `sdscatrepr` way only when they need it.
 *
 * Two deliberate differences, both for names Redis itself could not read back: a name holding `'` is
 * quoted (Redis writes it bare, and its own loader then fails on the unbalanced quote), and an empty
 * string is written as `""`. The result is always ASCII.
 *
 * Throws a {@link UsageError} for a manifest Redis would refuse to load: no entries at all, an entry
 * whose `type` does not match its list, a name that is empty, a path, or holds a NUL byte, a sequence
 * number that is 0 or not a safe integer, INCR sequence numbers that do not increase from 1, an extra key
 * that reads as `file`, `seq` or `type`, a character above `\xff`, or a line longer than Redis reads.
 */
export function formatManifest(m: ManifestInit): string {
  const entries: [ManifestEntryInit, AofFileType][] = [];
  if (m.base) entries.push([m.base, 'base']);
  for (const entry of m.history) entries.push([entry, 'history']);
  for (const entry of m.incr) entries.push([entry, 'incr']);
  if (entries.length === 0) throw new UsageError('a manifest needs at least one entry: Redis refuses an empty manifest');

  let out = '';
  let maxIncrSeq = 0;
  for (const [entry, slot] of entries) {
    const what = `${slot} entry ${JSON.stringify(entry.name)}`;
    if (entry.type !== slot) throw new UsageError(`${what} has type '${entry.type}'`);
    checkBinary(entry.name, what);
    if (entry.name.length === 0) throw new UsageError(`${what}: the file name is empty`);
    if (entry.name.includes('\0')) throw new UsageError(`${what}: a file name cannot hold a NUL byte`);
    if (entry.name.includes('/') || entry.name.includes('\\')) throw new UsageError(`${what}: ${ManifestMessages.path}`);
    if (!Number.isSafeInteger(entry.seq) || entry.seq === 0) throw new UsageError(`${what}: sequence number ${entry.seq} is not a non-zero safe integer`);
    if (slot === 'incr') {
      if (entry.seq <= maxIncrSeq) throw new UsageError(`${what}: INCR sequence numbers must increase from 1, ${entry.seq} follows ${maxIncrSeq}`);
      maxIncrSeq = entry.seq;
    }

    let line = `file ${quoteManifestString(entry.name)} seq ${entry.seq} type ${TYPE_CHARS[slot]}`;
    for (const [key, value] of entry.extra ?? []) {
      checkBinary(key, what);
      checkBinary(value, what);
      const reserved = asciiLower(cString(key));
      if (reserved === 'file' || reserved === 'seq' || reserved === 'type') {
        throw new UsageError(`${what}: extra key ${JSON.stringify(key)} would be read as '${reserved}'`);
      }
      line += ` ${quoteManifestString(key)} ${quoteManifestString(value)}`;
    }
    if (line.length > MANIFEST_MAX_LINE - 1) {
      throw new UsageError(`${what}: the line would be ${line.length} bytes, Redis reads at most ${MANIFEST_MAX_LINE - 1} before the newline`);
    }
    out += `${line}\n`;
  }
  return out;
}

/** The files Redis loads, in the order it loads them: the BASE (if any), then every INCR in manifest order. HISTORY never. */
export function loadOrder(m: Manifest): ManifestEntry[] {
  return m.base ? [m.base, ...m.incr] : [...m.incr];
}

/**
 * Whether a file looks like a manifest, by `redis-check-aof`'s rule: read it in pieces the way the
 * loader does, skip pieces starting with `#`, and decide on the first other piece: a manifest if it
 * starts with the four bytes `file`, not one otherwise. An empty input is not a manifest. Pass enough of
 * the file's head to get past any leading comments (a few KiB is plenty for anything Redis writes).
 *
 * `scanAll: true` applies the older rule (before redis/redis PR #12958, e.g. the 7.0.15 build in Debian):
 * every non-comment piece is looked at, and any one starting with `file` makes the file a manifest, so a
 * plain AOF mentioning `file` at the start of a line is taken for one.
 */
export function isManifest(head: Uint8Array, options: { scanAll?: boolean } = {}): boolean {
  let found = false;
  let pos = 0;
  while (pos < head.length) {
    const start = pos;
    pos = chunkEnd(head, pos);
    if (head[start] === HASH) continue;
    if (pos - start >= 4 && head[start] === 0x66 && head[start + 1] === 0x69 && head[start + 2] === 0x6c && head[start + 3] === 0x65) {
      found = true;
    } else if (!options.scanAll) {
      break;
    }
  }
  return found;
}

/** Name of a BASE file: `<prefix>.<seq>.base.rdb` (RDB preamble, the default) or `<prefix>.<seq>.base.aof`. */
export function baseFileName(prefix: string, seq: number, format: 'rdb' | 'aof'): string {
  return `${prefix}.${seq}.base.${format}`;
}

/** Name of an INCR file: `<prefix>.<seq>.incr.aof`. */
export function incrFileName(prefix: string, seq: number): string {
  return `${prefix}.${seq}.incr.aof`;
}

/** Name of the manifest: `<prefix>.manifest` (`appendonly.aof.manifest` by default). */
export function manifestFileName(prefix: string = DEFAULT_AOF_FILENAME): string {
  return `${prefix}.manifest`;
}

/** Name Redis writes a new manifest under before renaming it into place: `temp-<prefix>.manifest`. */
export function tempManifestFileName(prefix: string = DEFAULT_AOF_FILENAME): string {
  return `temp-${prefix}.manifest`;
}

/** Name of the INCR file Redis writes while a rewrite started with AOF off is running: `temp-<prefix>.incr`. */
export function tempIncrFileName(prefix: string = DEFAULT_AOF_FILENAME): string {
  return `temp-${prefix}.incr`;
}

/**
 * Splits a line into tokens the way Redis's `sdssplitargs` does; returns null where Redis fails.
 * Input and output are binary strings. Tokens are separated by blanks (space, `\t`, `\n`, `\v`, `\f`,
 * `\r` between tokens; inside a bare token only space, `\t`, `\n` and `\r` end it). A `"` or `'` anywhere
 * in a bare token opens a quoted part of that same token. Inside `"…"`: `\xHH` (two hex digits) is that
 * byte; `\n \r \t \b \a` are the control characters; a backslash before anything else stands for that
 * character. Inside `'…'` only `\'` is special. A closing quote must be followed by a blank or the end
 * of the line, and an unclosed quote fails.
 */
export function splitManifestArgs(line: string): string[] | null {
  const tokens: string[] = [];
  const n = line.length;
  // C reads a NUL terminator past the end.
  const at = (i: number): number => (i < n ? line.charCodeAt(i) : 0);
  let p = 0;
  while (true) {
    while (p < n && isCSpace(at(p))) p++;
    if (p >= n) return tokens;
    let token = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inDouble) {
        if (c === 0x5c && at(p + 1) === 0x78 && isHexDigit(at(p + 2)) && isHexDigit(at(p + 3))) {
          token += String.fromCharCode(Number.parseInt(line.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === 0x5c && at(p + 1) !== 0) {
          p++;
          token += unescapeChar(line.charAt(p));
        } else if (c === 0x22) {
          if (at(p + 1) !== 0 && !isCSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          token += line.charAt(p);
        }
      } else if (inSingle) {
        if (c === 0x5c && at(p + 1) === 0x27) {
          p++;
          token += "'";
        } else if (c === 0x27) {
          if (at(p + 1) !== 0 && !isCSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          token += line.charAt(p);
        }
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
        done = true;
      } else if (c === 0x22) {
        inDouble = true;
      } else if (c === 0x27) {
        inSingle = true;
      } else {
        token += line.charAt(p);
      }
      if (at(p) !== 0) p++;
    }
    tokens.push(token);
  }
}

/**
 * A string (binary string) as it goes into a manifest line: bare when it is non-empty and made only of
 * printable ASCII other than `"`, `'` and `\`; otherwise in double quotes with `\\`, `\"`, `\n`, `\r`,
 * `\t`, `\a`, `\b` and `\xHH` (lower-case hex) for any other byte outside printable ASCII, as Redis's
 * `sdscatrepr` writes it.
 */
export function quoteManifestString(s: string): string {
  if (!needsQuotes(s)) return s;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x5c: out += '\\\\'; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      default:
        out += c >= 0x20 && c <= 0x7e ? s.charAt(i) : `\\x${c.toString(16).padStart(2, '0')}`;
    }
  }
  return `${out}"`;
}

/** Redis's `sdsneedsrepr` (anything outside `!`…`~`, or `"` or `\`), plus `'` and the empty string. */
function needsQuotes(s: string): boolean {
  if (s.length === 0) return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x27 || c === 0x5c) return true;
  }
  return false;
}

/** End (exclusive) of the piece `fgets(buf, 1025, fp)` returns from `pos`: through the first `\n`, at most 1024 bytes. */
function chunkEnd(bytes: Uint8Array, pos: number): number {
  const limit = Math.min(bytes.length, pos + MANIFEST_MAX_LINE);
  for (let i = pos; i < limit; i++) if (bytes[i] === NEWLINE) return i + 1;
  return limit;
}

function binaryString(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/** Redis's `sdstrim(line, " \t\r\n")`. */
function trimManifestLine(s: string): string {
  const trimmed = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
  let start = 0;
  let end = s.length;
  while (start < end && trimmed(s.charCodeAt(start))) start++;
  while (end > start && trimmed(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** The part of a token C code sees: up to the first NUL (a `\x00` escape can put one inside a token). */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

/** `strcasecmp` in the C locale folds only A–Z. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** C `atoll` as glibc does it: leading blanks, a sign, then digits up to the first non-digit; saturates at the `long long` range. */
function atoll(s: string): bigint {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === start) return 0n;
  const magnitude = BigInt(s.slice(start, i));
  const value = negative ? -magnitude : magnitude;
  return value > LONG_LONG_MAX ? LONG_LONG_MAX : value < LONG_LONG_MIN ? LONG_LONG_MIN : value;
}

/** C `isspace` in the C locale. */
function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function unescapeChar(c: string): string {
  switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\x07';
    default: return c;
  }
}

function checkBinary(s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      throw new UsageError(`${what}: ${JSON.stringify(s)} holds a character above \\xff; manifest strings are binary strings, one character per byte`);
    }
  }
}
