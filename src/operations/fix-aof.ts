import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkAofStream } from '../aof/check.js';
import type { AofCheckResult } from '../aof/check.js';
import { formatManifest } from '../aof/manifest.js';
import type { Manifest } from '../aof/manifest.js';
import { readAof, readAofSync } from '../aof/resp.js';
import { resolveAof } from '../aof/set.js';
import type { AofPart } from '../aof/set.js';
import { CorruptError, TruncatedError, ioError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Compression } from '../io/atomic.js';
import { openInput, openSource } from '../io/open.js';
import { checkAof } from './check-aof.js';
import type { AofCheckReport } from './check-aof.js';

/** A byte range [start, end) of a file. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A file `fix` rewrites, with the ranges it keeps and drops. */
export interface FixTarget {
  name: string;
  path: string;
  role: AofPart['role'];
  size: number;
  compressed: boolean;
  error: { offset: number; message: string };
  keep: ByteRange[];
  dropped: ByteRange[];
  bytesLost: number;
  commandsLost: number;
}

/** What `fix` will do, or did. */
export interface FixPlan {
  file: string;
  layout: 'single' | 'multipart';
  manifest: string | undefined;
  /** True when nothing needs fixing. */
  clean: boolean;
  mode: 'cut' | 'salvage';
  /** The first broken file, with the ranges kept (the same as `targets[0]`). */
  target: FixTarget | undefined;
  /** Every file that is rewritten: the broken one; with --salvage, every broken file of the set. */
  targets: FixTarget[];
  /** Later files of the set dropped from the manifest (a broken non-last file breaks the sequence). */
  droppedFiles: { name: string; path: string; role: AofPart['role']; bytes: number; commands: number }[];
  /** The manifest is rewritten when files are dropped. */
  manifestRewritten: boolean;
  totals: { bytesLost: number; commandsLost: number };
  /** The check this plan is based on. */
  check: AofCheckReport;
}

/** Options of {@link planFix}. */
export interface PlanFixOptions {
  /** Skip corrupt regions and keep the well-formed commands after them, instead of cutting at the first. */
  salvage?: boolean;
  /** Bytes examined at once when searching where records resume (default 16 MiB; tests make it small). */
  salvageWindow?: number;
}


/**
 * Works out how to repair an AOF: the first broken file is cut back to the last complete command outside a
 * MULTI (redis-check-aof's ok_up_to), or with `salvage` only its corrupt regions are dropped; files after
 * it are dropped from the manifest. Reads only; throws {@link CorruptError} when the AOF cannot be repaired
 * (a broken manifest, a corrupt RDB preamble) and {@link InputOutputError} for unreadable files.
 */
export async function planFix(path: string, options: PlanFixOptions = {}): Promise<FixPlan> {
  const check = await checkAof(path);
  if (check.error) {
    throw new CorruptError(`cannot repair: ${check.error.detail}`, { file: check.manifest ?? path, offset: check.error.offset });
  }
  const set = await resolveAof(path);
  const plan: FixPlan = {
    file: path,
    layout: set.kind,
    manifest: set.manifestPath,
    clean: check.valid,
    mode: options.salvage ? 'salvage' : 'cut',
    target: undefined,
    targets: [],
    droppedFiles: [],
    manifestRewritten: false,
    totals: { bytesLost: 0, commandsLost: 0 },
    check,
  };
  const brokenIndex = check.files.findIndex((f) => !f.valid);
  if (brokenIndex < 0) return plan;
  const broken = check.files[brokenIndex] as (typeof check.files)[number];
  if (broken.rdb?.error) {
    throw new CorruptError(`cannot repair ${broken.name}: its RDB preamble is corrupt (${broken.rdb.error.detail}); an RDB cannot be cut back`, {
      file: broken.path,
      offset: broken.rdb.error.offset,
    });
  }
  const part = set.parts[brokenIndex] as AofPart;
  const window = options.salvageWindow ?? WINDOW;
  plan.target = await planTarget(part, broken, options.salvage ?? false, window);
  plan.targets.push(plan.target);
  if (options.salvage) {
    // Salvaging keeps the sequence whole, so every later file that is broken is salvaged too.
    for (const later of set.parts.slice(brokenIndex + 1)) {
      const alone = await checkAof(later.path);
      const verdict = alone.files[0];
      if (!verdict || verdict.valid) continue;
      if (verdict.rdb?.error) {
        throw new CorruptError(`cannot repair ${later.name}: its RDB preamble is corrupt (${verdict.rdb.error.detail})`, { file: later.path, offset: verdict.rdb.error.offset });
      }
      plan.targets.push(await planTarget(later, verdict, true, window));
    }
  }
  for (const target of plan.targets) {
    plan.totals.bytesLost += target.bytesLost;
    plan.totals.commandsLost += target.commandsLost;
  }
  // Redis loads the files in order and a broken middle file ends the sequence: the rest cannot follow it.
  const mustDropRest = !options.salvage || brokenIndex < set.parts.length - 1;
  if (mustDropRest && !options.salvage) {
    for (const later of set.parts.slice(brokenIndex + 1)) {
      const size = (await stat(later.path)).size;
      const commands = await countCommandsIn(later.path, [{ start: 0, end: Number.MAX_SAFE_INTEGER }]);
      plan.droppedFiles.push({ name: later.name, path: later.path, role: later.role, bytes: size, commands });
      plan.totals.bytesLost += size;
      plan.totals.commandsLost += commands;
    }
    plan.manifestRewritten = plan.droppedFiles.length > 0;
  }
  return plan;
}

/** How one broken file is repaired: cut at ok_up_to, or salvaged around its corrupt regions. */
async function planTarget(part: AofPart, verdict: AofCheckReport['files'][number], salvage: boolean, window: number): Promise<FixTarget> {
  let keep: ByteRange[];
  let dropped: ByteRange[];
  if (salvage) {
    ({ keep, dropped } = await salvageRanges(part.path, verdict.rdb?.endOffset ?? 0, verdict.size, window));
  } else {
    keep = verdict.okUpTo > 0 ? [{ start: 0, end: verdict.okUpTo }] : [];
    dropped = [{ start: verdict.okUpTo, end: verdict.size }];
  }
  return {
    name: part.name,
    path: part.path,
    role: part.role,
    size: verdict.size,
    compressed: verdict.compressed,
    error: { offset: verdict.error?.offset ?? verdict.okUpTo, message: verdict.error?.message ?? 'not valid' },
    keep,
    dropped,
    bytesLost: dropped.reduce((sum, r) => sum + r.end - r.start, 0),
    commandsLost: await countCommandsIn(part.path, dropped),
  };
}

/** Ranges up to this size are counted exactly, resynchronising after corrupt commands. */
const EXACT_COUNT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Counts the complete commands inside the given ranges of a file (lost-work figures for the report).
 * Corrupt bytes are skipped to the next well-formed command, so intact commands after a corruption count.
 * Ranges over {@link EXACT_COUNT_MAX_BYTES} are counted up to their first corrupt byte only.
 */
async function countCommandsIn(path: string, ranges: ByteRange[]): Promise<number> {
  let count = 0;
  for (const range of ranges) {
    const input = await openInput(path);
    try {
      if (range.start > 0) {
        await input.fill(range.start);
        if (input.buffered < range.start) continue;
        input.consumeTo(range.start);
      }
      const head = input.reader();
      if (head.remaining >= 8 && head.data[head.pos] === 0x52 /* R */) continue; // an RDB preamble, not commands
      const size = Math.min(range.end, (input.source.size ?? Number.MAX_SAFE_INTEGER)) - range.start;
      if (size <= EXACT_COUNT_MAX_BYTES) {
        await input.fill(size);
        const window = input.reader();
        count += countResync(window.data.subarray(window.pos, window.pos + Math.min(size, window.remaining)));
        continue;
      }
      try {
        for await (const record of readAof(input)) {
          if (record.offset + record.length > range.end) break;
          if (record.kind === 'command') count++;
        }
      } catch {
        // the range ends in the broken bytes
      }
    } finally {
      await input.close();
    }
  }
  return count;
}

/** Counts well-formed commands in `data`, skipping corrupt regions. */
function countResync(data: Uint8Array): number {
  let count = 0;
  let pos = 0;
  while (pos < data.length) {
    let next = data.length;
    try {
      for (const record of readAofSync(data.subarray(pos))) {
        if (record.kind === 'command') count++;
      }
    } catch (error) {
      const at = (error as { offset?: number }).offset ?? 0;
      next = nextCommandStart(data, pos + at + 1);
    }
    pos = next;
  }
  return count;
}

/** Bytes of a file looked at at once while searching for where well-formed records resume. */
const WINDOW = 16 * 1024 * 1024;

/**
 * Finds the ranges to keep when dropping only the corrupt regions of a file, streaming: each pass checks
 * from a position to the next corruption with the bounded-memory checker, and the resume point is searched
 * in bounded windows, so files of any size are salvaged without being held in memory.
 */
async function salvageRanges(path: string, respStart: number, size: number, window: number): Promise<{ keep: ByteRange[]; dropped: ByteRange[] }> {
  const keep: ByteRange[] = respStart > 0 ? [{ start: 0, end: respStart }] : [];
  const dropped: ByteRange[] = [];
  let pos = respStart;
  while (pos < size) {
    const rest = await checkFrom(path, pos);
    if (rest.valid) {
      keep.push({ start: pos, end: size });
      break;
    }
    if (rest.okUpTo > pos) keep.push({ start: pos, end: rest.okUpTo });
    const badStart = rest.okUpTo;
    const errorAt = rest.error?.offset ?? badStart;
    let resume = await findResume(path, Math.max(errorAt, badStart) + 1, size, window);
    // A transaction is applied whole or not at all: when the damage is inside MULTI … EXEC, the rest of
    // that transaction goes too, up to and including its EXEC.
    if ((await commandNameAt(path, badStart)) === 'multi') resume = await afterExecFrom(path, resume, size, window);
    dropped.push({ start: badStart, end: resume });
    pos = resume;
  }
  return { keep: mergeRanges(keep), dropped: mergeRanges(dropped) };
}

/** redis-check-aof's verdict for the part of a file from `offset` on (offsets stay absolute). */
async function checkFrom(path: string, offset: number): Promise<AofCheckResult> {
  const input = await openInput(path, path, { reuseBuffer: true });
  try {
    await input.skipTo(offset);
    return await checkAofStream(input, { file: path });
  } finally {
    await input.close();
  }
}

/** Up to `length` bytes of a (possibly LZ4-compressed) file from absolute offset `start`. */
async function readWindow(path: string, start: number, length: number): Promise<Uint8Array> {
  const input = await openInput(path, path);
  try {
    await input.skipTo(start);
    await input.fill(length);
    const r = input.reader();
    return r.data.slice(r.pos, r.pos + Math.min(length, r.remaining));
  } finally {
    await input.close();
  }
}

/** The lower-case name of the well-formed command at `offset`, if one starts there. */
async function commandNameAt(path: string, offset: number): Promise<string | undefined> {
  const data = await readWindow(path, offset, 64);
  try {
    const first = readAofSync(data).next();
    return !first.done && first.value.kind === 'command' ? latin1.decode(first.value.args[0]).toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Where well-formed records resume at or after `from` (see {@link resumeAt}), searching window by window. */
async function findResume(path: string, from: number, size: number, initialWindow: number): Promise<number> {
  let start = from - 1; // one byte before: a record must start right after a newline
  let window = initialWindow;
  while (start + 1 < size) {
    const data = await readWindow(path, start, window);
    const atEnd = start + data.length >= size;
    let needMoreAt = -1;
    for (let q = 1; q < data.length; q++) {
      const verdict = resumeAt(data, q, atEnd);
      if (verdict === 'yes') return start + q;
      if (verdict === 'more') {
        needMoreAt = q;
        break;
      }
    }
    if (needMoreAt < 0) {
      if (atEnd) return size;
      start += data.length - 1;
    } else if (needMoreAt === 1) {
      window *= 2; // a record larger than the window
    } else {
      start += needMoreAt - 1;
    }
  }
  return size;
}

/** The offset just past the first EXEC at or after `from`, or where a new MULTI starts; skips corrupt bytes. */
async function afterExecFrom(path: string, from: number, size: number, window: number): Promise<number> {
  let pos = from;
  while (pos < size) {
    const input = await openInput(path, path);
    let failedAt: number | undefined;
    try {
      await input.skipTo(pos);
      for await (const record of readAof(input, { file: path })) {
        if (record.kind !== 'command') continue;
        const name = latin1.decode(record.args[0] as Uint8Array).toLowerCase();
        if (name === 'exec') return record.offset + record.length;
        if (name === 'multi') return record.offset;
      }
      return size;
    } catch (error) {
      failedAt = (error as { offset?: number }).offset ?? pos;
    } finally {
      await input.close();
    }
    pos = await findResume(path, Math.max(failedAt, pos) + 1, size, window);
  }
  return size;
}

const latin1 = new TextDecoder('latin1');

/** True when `q` starts the payload of a bulk string: the line before is `$<n>` and `\r\n` follows n bytes later. */
function isBulkPayload(data: Uint8Array, q: number): boolean {
  if (q < 4 || data[q - 2] !== 0x0d) return false;
  let p = q - 3;
  let length = 0;
  let scale = 1;
  while (p >= 0 && (data[p] as number) >= 0x30 && (data[p] as number) <= 0x39 && scale < 1e12) {
    length += ((data[p] as number) - 0x30) * scale;
    scale *= 10;
    p--;
  }
  if (scale === 1 || p < 0 || data[p] !== 0x24 || (p > 0 && data[p - 1] !== 0x0a)) return false;
  return data[q + length] === 0x0d && data[q + length + 1] === 0x0a;
}

/** Records that must parse in a row from a resume point (unless the data ends cleanly first). */
const RESUME_RUN = 4;

/**
 * Whether well-formed records resume at `q` (a line start): {@link RESUME_RUN} complete records in a row, or
 * complete records up to the end of the data. Requiring a run keeps a stored value that merely looks like
 * RESP ("x\r\n*1\r\n$4\r\nEXEC\r\n…") from being taken for commands. 'more' when `data` is a window
 * that ends before that could be decided.
 */
function resumeAt(data: Uint8Array, q: number, atEnd: boolean): 'yes' | 'no' | 'more' {
  const byte = data[q];
  if ((byte !== 0x2a && byte !== 0x23) || data[q - 1] !== 0x0a) return 'no';
  if (isBulkPayload(data, q)) return 'no';
  let run = 0;
  let end = q;
  try {
    for (const record of readAofSync(data.subarray(q))) {
      run++;
      end = q + record.offset + record.length;
      if (run >= RESUME_RUN) return 'yes';
    }
  } catch (error) {
    return error instanceof TruncatedError && !atEnd ? 'more' : 'no';
  }
  if (run > 0 && end === data.length) return atEnd ? 'yes' : 'more';
  return 'no';
}

/** The first offset at or after `from` in an in-memory range where records resume (see {@link resumeAt}). */
function nextCommandStart(data: Uint8Array, from: number): number {
  for (let q = Math.max(from, 1); q < data.length; q++) if (resumeAt(data, q, true) === 'yes') return q;
  return data.length;
}

function mergeRanges(ranges: ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const range of ranges) {
    const last = out.at(-1);
    if (last && last.end === range.start) last.end = range.end;
    else if (range.end > range.start) out.push({ ...range });
  }
  return out;
}


/** Streams the given ranges of a (possibly LZ4-compressed) file. */
async function* readRanges(path: string, ranges: ByteRange[]): AsyncGenerator<Uint8Array> {
  const source = await openSource(path);
  try {
    let position = 0;
    let index = 0;
    const buffer = new Uint8Array(1 << 20);
    while (index < ranges.length) {
      const n = await source.readInto(buffer, 0, buffer.length);
      if (n === 0) break;
      const chunkStart = position;
      position += n;
      while (index < ranges.length) {
        const range = ranges[index] as ByteRange;
        const from = Math.max(range.start, chunkStart);
        const to = Math.min(range.end, position);
        if (to > from) yield buffer.slice(from - chunkStart, to - chunkStart);
        if (range.end <= position) index++;
        else break;
      }
    }
  } finally {
    await source.close();
  }
}

/** Options of {@link applyFix}. */
export interface ApplyFixOptions {
  /** Where the original files are copied first (default: `<aof dir>/redback-backup-<time>`). */
  backupDir?: string;
  /** Do not keep copies of the originals. */
  noBackup?: boolean;
  /** Compress rewritten files (default: as the input was). */
  compress?: Compression;
}

/** What {@link applyFix} did. */
export interface FixResult {
  plan: FixPlan;
  backupDir: string | undefined;
  written: string[];
  removed: string[];
}

/**
 * Carries out a {@link FixPlan}: backs up every file it will change, writes the kept ranges of the broken
 * file atomically, moves dropped files into the backup and rewrites the manifest last (atomically).
 */
export async function applyFix(plan: FixPlan, options: ApplyFixOptions = {}): Promise<FixResult> {
  const result: FixResult = { plan, backupDir: undefined, written: [], removed: [] };
  if (plan.clean || plan.targets.length === 0) return result;
  const set = await resolveAof(plan.file);
  const touched = [...plan.targets.map((t) => t.path), ...plan.droppedFiles.map((f) => f.path), ...(plan.manifestRewritten && plan.manifest ? [plan.manifest] : [])];
  if (!options.noBackup) {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const backupDir = options.backupDir ?? join(set.dir, `redback-backup-${stamp}`);
    try {
      await mkdir(backupDir, { recursive: true });
      for (const file of touched) await copyFile(file, join(backupDir, basename(file)));
    } catch (error) {
      throw ioError(error, backupDir);
    }
    result.backupDir = backupDir;
  }
  for (const target of plan.targets) {
    const compression = options.compress ?? (target.compressed ? 'lz4' : 'none');
    await writeFileAtomic(target.path, readRanges(target.path, target.keep), compression);
    result.written.push(target.path);
  }
  if (plan.manifestRewritten && plan.manifest && set.manifest) {
    const droppedNames = new Set(plan.droppedFiles.map((f) => f.name));
    const manifest: Manifest = {
      ...set.manifest,
      base: set.manifest.base && droppedNames.has(set.manifest.base.name) ? undefined : set.manifest.base,
      incr: set.manifest.incr.filter((entry) => !droppedNames.has(entry.name)),
    };
    await writeFileAtomic(plan.manifest, [new TextEncoder().encode(formatManifest(manifest))]);
    result.written.push(plan.manifest);
    for (const file of plan.droppedFiles) {
      try {
        await rm(file.path);
      } catch (error) {
        throw ioError(error, file.path);
      }
      result.removed.push(file.path);
    }
  }
  return result;
}
