import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkAofSync } from '../aof/check.js';
import { formatManifest } from '../aof/manifest.js';
import type { Manifest } from '../aof/manifest.js';
import { readAof, readAofSync } from '../aof/resp.js';
import { resolveAof } from '../aof/set.js';
import type { AofPart } from '../aof/set.js';
import { CorruptError, UsageError, ioError } from '../errors.js';
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

/** What `fix` will do, or did. */
export interface FixPlan {
  file: string;
  layout: 'single' | 'multipart';
  manifest: string | undefined;
  /** True when nothing needs fixing. */
  clean: boolean;
  mode: 'cut' | 'salvage';
  /** The file that is broken, with the ranges kept. */
  target:
    | {
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
    | undefined;
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
}

/** Largest file --salvage handles (it holds the broken file in memory to search for resume points). */
export const SALVAGE_MAX_BYTES = 1 << 30;

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
  let keep: ByteRange[];
  let dropped: ByteRange[];
  if (options.salvage) {
    if (broken.size > SALVAGE_MAX_BYTES) throw new UsageError(`${broken.name}: --salvage handles files up to ${SALVAGE_MAX_BYTES} bytes`);
    ({ keep, dropped } = await salvageRanges(part.path, broken.rdb?.endOffset ?? 0));
  } else {
    keep = broken.okUpTo > 0 ? [{ start: 0, end: broken.okUpTo }] : [];
    dropped = [{ start: broken.okUpTo, end: broken.size }];
  }
  const commandsLost = await countCommandsIn(part.path, dropped);
  const bytesLost = dropped.reduce((sum, r) => sum + r.end - r.start, 0);
  plan.target = {
    name: part.name,
    path: part.path,
    role: part.role,
    size: broken.size,
    compressed: broken.compressed,
    error: { offset: broken.error?.offset ?? broken.okUpTo, message: broken.error?.message ?? 'not valid' },
    keep,
    dropped,
    bytesLost,
    commandsLost,
  };
  plan.totals.bytesLost += bytesLost;
  plan.totals.commandsLost += commandsLost;
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

/** Counts the complete commands inside the given ranges of a file (lost-work figures for the report). */
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
      if (head.remaining >= 5 && head.data[head.pos] === 0x52 /* R */) continue; // an RDB preamble, not commands
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

/** Finds the ranges to keep when dropping only the corrupt regions of a file. */
async function salvageRanges(path: string, respStart: number): Promise<{ keep: ByteRange[]; dropped: ByteRange[] }> {
  const data = await readWhole(path);
  const keep: ByteRange[] = respStart > 0 ? [{ start: 0, end: respStart }] : [];
  const dropped: ByteRange[] = [];
  let pos = respStart;
  while (pos < data.length) {
    const rest = checkAofSync(data.subarray(pos));
    if (rest.valid) {
      keep.push({ start: pos, end: data.length });
      break;
    }
    if (rest.okUpTo > 0) keep.push({ start: pos, end: pos + rest.okUpTo });
    const badStart = pos + rest.okUpTo;
    const resume = nextCommandStart(data, badStart + 1);
    dropped.push({ start: badStart, end: resume });
    pos = resume;
  }
  return { keep: mergeRanges(keep), dropped };
}

/** The first offset at or after `from` where a complete, well-formed command (or annotation) starts at a line start. */
function nextCommandStart(data: Uint8Array, from: number): number {
  for (let q = from; q < data.length; q++) {
    const byte = data[q];
    if ((byte !== 0x2a && byte !== 0x23) || data[q - 1] !== 0x0a) continue;
    try {
      const first = readAofSync(data.subarray(q)).next();
      if (!first.done) return q;
    } catch {
      // not a record start
    }
  }
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

async function readWhole(path: string): Promise<Uint8Array> {
  const source = await openSource(path);
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = new Uint8Array(1 << 20);
      const n = await source.readInto(chunk, 0, chunk.length);
      if (n === 0) break;
      parts.push(chunk.subarray(0, n));
      total += n;
    }
  } finally {
    await source.close();
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
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
  const target = plan.target;
  if (plan.clean || !target) return result;
  const set = await resolveAof(plan.file);
  const touched = [target.path, ...plan.droppedFiles.map((f) => f.path), ...(plan.manifestRewritten && plan.manifest ? [plan.manifest] : [])];
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
  const compression = options.compress ?? (target.compressed ? 'lz4' : 'none');
  await writeFileAtomic(target.path, readRanges(target.path, target.keep), compression);
  result.written.push(target.path);
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
