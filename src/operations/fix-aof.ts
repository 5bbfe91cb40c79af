import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkAofStream } from '../aof/check.js';
import type { AofCheckResult } from '../aof/check.js';
import { readAof, readAofSync } from '../aof/resp.js';
import { editAofSet, pendingAofEdit, recoverAofEdit, replaceAofFile } from '../aof/set-edit.js';
import type { AofSetLayout, ByteRange, Compression, EditOwner, RecoveryReport, SetEntry, StepHook } from '../aof/set-edit.js';
import { commandKeyPositions } from '../aof/keys.js';
import { resolveAof } from '../aof/set.js';
import type { AofPart, AofSet } from '../aof/set.js';
import { jsonBytes } from '../bytes/text.js';
import type { JsonBytes } from '../bytes/text.js';
import { readAofSetBatches } from '../input/aof-reader.js';
import { CorruptError, TruncatedError } from '../errors.js';
import { exists } from '../io/atomic.js';
import { openInput } from '../io/open.js';
import { isAofInput, readDecodedHead, sniffInput } from '../io/sniff.js';
import { checkAof } from './check-aof.js';
import type { AofCheckReport } from './check-aof.js';

export type { ByteRange } from '../aof/set-edit.js';

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
  /** Bytes dropped from the file. */
  bytesLost: number;
  /** Of those, the bytes that hold data: all of them, except a partly written last record (see measureDropped). */
  dataBytesLost: number;
  /** Complete commands dropped. */
  commandsLost: number;
  /**
   * The command where the dropped bytes start — the partly written (or damaged) one, or the MULTI of an
   * unfinished block: its name and first key as far as they can be read, undefined when not even the name can.
   */
  partial: { offset: number; command: string; key?: JsonBytes; complete: boolean } | undefined;
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
  /** A set's manifest is replaced (it names the repaired file under its new name, without the dropped files). */
  manifestRewritten: boolean;
  totals: { bytesLost: number; dataBytesLost: number; commandsLost: number };
  /**
   * Set when the repair would lose more than the limits allow (and `force` was not given): `applyFix`
   * refuses it. `message` says what would be lost.
   */
  refusal: { message: string; file: string; offset: number; hint: string } | undefined;
  /** An interrupted earlier edit of these files (its journal), which `applyFix` finishes or undoes first. */
  pendingEdit: { journal: string; started: string; purpose: string } | undefined;
  /** The last `#TS` annotation (unix seconds) before the first cut, in that file or an earlier one; absent when there is none. */
  lastTimestampKept: number | undefined;
  /** The check this plan is based on. */
  check: AofCheckReport;
}

/** Options of {@link planFix}. */
export interface PlanFixOptions {
  /** Skip corrupt regions and keep the well-formed commands after them, instead of cutting at the first. */
  salvage?: boolean;
  /** Bytes examined at once when searching where records resume (default 16 MiB; tests make it small). */
  salvageWindow?: number;
  /** Repair even when it loses more than the limits, or the broken file does not start like an AOF. */
  force?: boolean;
  /**
   * Refuse to drop more than this percentage of one file (default 50). Counted are the dropped bytes that
   * hold data — a partly written last command is not — and drops of at most 4 KiB always pass.
   */
  maxLossPercent?: number;
  /** Refuse to lose more than this many bytes in all, whole dropped files included (default 64 MiB). */
  maxLossBytes?: number;
}

/** Default of {@link PlanFixOptions.maxLossPercent}. */
export const DEFAULT_MAX_LOSS_PERCENT = 50;
/** Default of {@link PlanFixOptions.maxLossBytes}. */
export const DEFAULT_MAX_LOSS_BYTES = 64 * 1024 * 1024;
/** A drop this small is never refused for its share of the file: a partly written last command or two. */
const SMALL_LOSS_BYTES = 4096;

const latin1Text = new TextDecoder('latin1');

/**
 * Whether a file's first bytes are what an AOF starts with: an RDB preamble (`REDIS`/`VALKEY` and 8 bytes);
 * a RESP array header (`*`, digits, `\r\n`); or an annotation line (`#` … `\n`) followed by a command, another
 * annotation or the end. The data may end anywhere inside that (a file cut short still starts like an AOF).
 * A text file fails: even one whose first line starts with `#` is followed by something else.
 */
export function startsLikeAof(head: Uint8Array): boolean {
  if (head.length === 0) return true;
  const text = latin1Text.decode(head.subarray(0, 8));
  if (head.length >= 8 && (text.startsWith('REDIS') || text.startsWith('VALKEY'))) return true;
  if (head[0] === 0x2a) {
    let p = 1;
    if (head[p] === 0x2d) p++; // '-'
    const digits = p;
    while (p < head.length && (head[p] as number) >= 0x30 && (head[p] as number) <= 0x39) p++;
    if (p === head.length) return true; // ends inside the header
    if (p === digits) return false;
    return head[p] === 0x0d && (p + 1 === head.length || head[p + 1] === 0x0a);
  }
  if (head[0] === 0x23) {
    const newline = head.indexOf(0x0a);
    if (newline < 0) return true; // a long annotation, or the data ends inside it
    const next = head[newline + 1];
    return next === undefined || next === 0x2a || next === 0x23;
  }
  return false;
}

/** Refuses to cut a file that does not start like an AOF (unless forced): cutting it would empty it. */
async function refuseNonAof(name: string, path: string, force: boolean): Promise<void> {
  if (force) return;
  const head = await readDecodedHead(path, 2048);
  if (startsLikeAof(head)) return;
  const shown = JSON.stringify(latin1Text.decode(head.subarray(0, 16)));
  const error = new CorruptError(
    `does not start like an AOF (it begins with ${shown}; an AOF starts with a command '*', an annotation '#' or an RDB preamble 'REDIS'): refusing to cut ${name}, which would empty it`,
    { file: path, offset: 0 },
  );
  error.hint = 'is this the right file? If it really is a damaged AOF, --force repairs it anyway';
  throw error;
}

/** What the plan would lose beyond the limits, or undefined. */
function overLimits(plan: FixPlan, options: PlanFixOptions): FixPlan['refusal'] {
  const percent = options.maxLossPercent ?? DEFAULT_MAX_LOSS_PERCENT;
  const maxBytes = options.maxLossBytes ?? DEFAULT_MAX_LOSS_BYTES;
  const reasons: string[] = [];
  const count = (n: number, what: string): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
  for (const t of plan.targets) {
    if (t.dataBytesLost > SMALL_LOSS_BYTES && t.dataBytesLost * 100 > percent * t.size) {
      const share = ((t.dataBytesLost * 100) / t.size).toFixed(1);
      reasons.push(`${count(t.dataBytesLost, 'byte')} of the ${count(t.size, 'byte')} of ${t.name} (${share} %, ${count(t.commandsLost, 'complete command')}), more than ${percent} % of the file`);
    }
  }
  if (plan.totals.dataBytesLost > maxBytes) {
    const files = plan.droppedFiles.length > 0 ? `, ${count(plan.droppedFiles.length, 'whole file')} dropped` : '';
    reasons.push(`${count(plan.totals.dataBytesLost, 'byte')} in all (${count(plan.totals.commandsLost, 'complete command')}${files}), more than the limit of ${count(maxBytes, 'byte')}`);
  }
  if (reasons.length === 0) return undefined;
  const first = plan.targets[0] as FixTarget;
  return {
    message: `refusing to repair: it would drop ${reasons.join('; and ')}`,
    file: first.path,
    offset: first.dropped[0]?.start ?? first.error.offset,
    hint: 'look at the damage first (redback check, --dry-run); --force repairs anyway, --max-loss-percent and --max-loss-bytes change the limits',
  };
}


/**
 * Works out how to repair an AOF: the first broken file is cut back to the last complete command outside a
 * MULTI (redis-check-aof's ok_up_to), or with `salvage` only its corrupt regions are dropped; files after
 * it are dropped from the manifest. Reads only; throws {@link CorruptError} when the AOF cannot be repaired
 * (a broken manifest, a corrupt RDB preamble) and {@link InputOutputError} for unreadable files.
 */
export async function planFix(path: string, options: PlanFixOptions = {}): Promise<FixPlan> {
  // The same reading of the path as `check`'s, so the two agree on every input.
  const kind = await sniffInput(path);
  if (kind === 'empty' && !isAofInput(kind, path)) {
    throw new CorruptError('empty file named as an RDB (an empty RDB does not load): there is no AOF here to repair', { file: path, offset: 0 });
  }
  // A manifest Redis would refuse, or one naming a missing file, a path or a directory: its own error (file, offset).
  const set = await resolveAof(path);
  const check = await checkAof(path);
  if (check.error) {
    throw new CorruptError(`cannot repair: ${check.error.detail}`, { file: check.manifest ?? path, offset: check.error.offset });
  }
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
    totals: { bytesLost: 0, dataBytesLost: 0, commandsLost: 0 },
    refusal: undefined,
    pendingEdit: await pendingAofEdit(set.manifestPath ?? (set.parts[0] as AofPart).path),
    lastTimestampKept: undefined,
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
  await refuseNonAof(part.name, part.path, options.force ?? false);
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
      await refuseNonAof(later.name, later.path, options.force ?? false);
      plan.targets.push(await planTarget(later, verdict, true, window));
    }
  }
  for (const target of plan.targets) {
    plan.totals.bytesLost += target.bytesLost;
    plan.totals.dataBytesLost += target.dataBytesLost;
    plan.totals.commandsLost += target.commandsLost;
  }
  // Redis loads the files in order and a broken middle file ends the sequence: the rest cannot follow it.
  const mustDropRest = !options.salvage || brokenIndex < set.parts.length - 1;
  if (mustDropRest && !options.salvage) {
    for (const later of set.parts.slice(brokenIndex + 1)) {
      const size = (await stat(later.path)).size;
      const { commands } = await measureDropped(later.path, { start: 0, end: size }, window);
      plan.droppedFiles.push({ name: later.name, path: later.path, role: later.role, bytes: size, commands });
      plan.totals.bytesLost += size;
      plan.totals.dataBytesLost += size;
      plan.totals.commandsLost += commands;
    }
  }
  plan.manifestRewritten = plan.layout === 'multipart';
  plan.lastTimestampKept = await lastTimestampBefore(set, brokenIndex, plan.target.dropped[0]?.start ?? 0);
  if (!options.force) plan.refusal = overLimits(plan, options);
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
  const measures: { commands: number; dataBytes: number }[] = [];
  for (const range of dropped) measures.push(await measureDropped(part.path, range, window));
  return {
    partial: dropped[0] === undefined ? undefined : await partialCommandAt(part.path, dropped[0].start),
    name: part.name,
    path: part.path,
    role: part.role,
    size: verdict.size,
    compressed: verdict.compressed,
    error: { offset: verdict.error?.offset ?? verdict.okUpTo, message: verdict.error?.message ?? 'not valid' },
    keep,
    dropped,
    bytesLost: dropped.reduce((sum, r) => sum + r.end - r.start, 0),
    dataBytesLost: measures.reduce((sum, m) => sum + m.dataBytes, 0),
    commandsLost: measures.reduce((sum, m) => sum + m.commands, 0),
  };
}

/**
 * What dropping a range of a file loses: the complete commands in it (corrupt bytes are skipped to the next
 * well-formed command, so intact commands after a corruption count), and how many of its bytes hold data.
 * Those are all of its bytes, except when the range is only a partly written last record (the data ends
 * inside it and no well-formed record follows): such a record was never complete, and cutting it loses
 * nothing Redis could load. Streams the file; the resume search reads bounded windows.
 */
async function measureDropped(path: string, range: ByteRange, window: number): Promise<{ commands: number; dataBytes: number }> {
  let commands = 0;
  let pos = range.start;
  let first: { at: number; truncated: boolean } | undefined;
  let resumed = false;
  while (pos < range.end) {
    const input = await openInput(path, path, { reuseBuffer: true });
    let lastEnd = pos;
    let failedAt: number | undefined;
    let truncated = false;
    try {
      if (!(await input.skipTo(pos))) break;
      const head = input.reader();
      if (pos === range.start && (await input.fill(8)) && latin1.decode(head.data.subarray(head.pos, head.pos + 5)) === 'REDIS') {
        return { commands: 0, dataBytes: range.end - range.start }; // an RDB preamble: data, but not commands
      }
      for await (const record of readAof(input, { file: path })) {
        if (record.offset + record.length > range.end) break;
        if (record.kind === 'command') commands++;
        lastEnd = record.offset + record.length;
      }
    } catch (error) {
      if (!(error instanceof Error) || !('offset' in error)) throw error;
      failedAt = (error as { offset?: number }).offset ?? lastEnd;
      truncated = error instanceof TruncatedError;
    } finally {
      await input.close();
    }
    if (failedAt === undefined) break;
    if (first === undefined) first = { at: lastEnd, truncated };
    else resumed = true;
    const resume = await findResume(path, Math.max(failedAt, lastEnd) + 1, range.end, window);
    if (resume < range.end) resumed = true;
    pos = resume;
  }
  const dataBytes = first !== undefined && first.truncated && !resumed ? first.at - range.start : range.end - range.start;
  return { commands, dataBytes };
}

/** Bytes read to name the partial command (its name and first key are near its start). */
const PARTIAL_WINDOW = 64 * 1024;

/**
 * The command starting at `offset` of a file, read as far as its bytes go: the name (upper case) and its
 * first key (by the command's key specs, over the arguments that are complete). Undefined when not even the
 * name is readable.
 */
async function partialCommandAt(path: string, offset: number): Promise<FixTarget['partial']> {
  const data = await readWindow(path, offset, PARTIAL_WINDOW);
  const text = (from: number, to: number): string => latin1.decode(data.subarray(from, to));
  const lineEnd = (from: number): number => {
    const at = data.indexOf(0x0d, from);
    return at >= 0 && data[at + 1] === 0x0a ? at : -1;
  };
  if (data[0] !== 0x2a) return undefined;
  let eol = lineEnd(1);
  if (eol < 0) return undefined;
  const argc = Number(text(1, eol));
  if (!Number.isSafeInteger(argc) || argc < 1) return undefined;
  const args: Uint8Array[] = [];
  let pos = eol + 2;
  while (args.length < argc && data[pos] === 0x24) {
    eol = lineEnd(pos + 1);
    if (eol < 0) break;
    const length = Number(text(pos + 1, eol));
    if (!Number.isSafeInteger(length) || length < 0 || eol + 2 + length + 2 > data.length) break;
    args.push(data.subarray(eol + 2, eol + 2 + length));
    pos = eol + 2 + length + 2;
  }
  if (args.length === 0) return undefined;
  const name = latin1.decode(args[0]).toUpperCase();
  if (!/^[A-Z][A-Z0-9_|.-]*$/.test(name)) return undefined;
  const keyAt = commandKeyPositions(args)[0];
  return { offset, command: name, key: keyAt === undefined ? undefined : jsonBytes(args[keyAt] as Uint8Array), complete: args.length === argc };
}

/** The last `#TS` before `offset` of file `index`, looking back through earlier files when that one has none. */
async function lastTimestampBefore(set: AofSet, index: number, offset: number): Promise<number | undefined> {
  for (let i = index; i >= 0; i--) {
    let last: number | undefined;
    const part = set.parts[i] as AofPart;
    try {
      reading: for await (const events of readAofSetBatches({ ...set, parts: [part] })) {
        for (const event of events) {
          if (i === index && (event.kind === 'command' || event.kind === 'annotation') && (event.kind === 'command' ? event.offset : event.annotation.offset) >= offset) break reading;
          if (event.kind === 'annotation' && event.annotation.timestamp !== undefined) last = event.annotation.timestamp;
        }
      }
    } catch {
      // the damage after the cut, or an unreadable earlier file: what was read counts
    }
    if (last !== undefined) return last;
  }
  return undefined;
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

function mergeRanges(ranges: ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const range of ranges) {
    const last = out.at(-1);
    if (last && last.end === range.start) last.end = range.end;
    else if (range.end > range.start) out.push({ ...range });
  }
  return out;
}


/** Options of {@link applyFix}. */
export interface ApplyFixOptions {
  /**
   * Where the files that leave the set (and the old manifest, or a single file's original) go. Default:
   * beside the AOF, `<AOF directory>.redback-backup-<time>` for a set, `<file>.redback-backup-<time>` for a
   * single file.
   */
  backupDir?: string;
  /** Do not keep the originals. */
  noBackup?: boolean;
  /** Compress rewritten files (default: as the input was). */
  compress?: Compression;
  /** This process, so that a second fix of the same files refuses while this one runs. */
  owner?: EditOwner;
  /** Called before every file-system change (the crash test stops the process there). */
  onStep?: StepHook;
  /** The time the default backup directory is named after (default: now). */
  now?: Date;
}

/** What {@link applyFix} did. */
export interface FixResult {
  plan: FixPlan;
  backupDir: string | undefined;
  /** Files written: the repaired file(s), under new names in a set. */
  written: string[];
  /** Files that left the set (moved to the backup, or deleted). */
  removed: string[];
  /** The manifest now in place, for a set. */
  manifest: string | undefined;
  /** An interrupted earlier edit of these files that was finished or undone first. */
  recovered: RecoveryReport | undefined;
}

/** `YYYYMMDDTHHMMSSZ`. */
function stamp(when: Date): string {
  return when.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The default backup directory: beside the AOF directory (a set) or the file (a single AOF), never inside a set. */
export async function defaultBackupDir(
  plan: Pick<FixPlan, 'layout' | 'manifest' | 'file'> & { targets: readonly { path: string }[] },
  now: Date = new Date(),
): Promise<string> {
  const beside = plan.layout === 'multipart' && plan.manifest ? dirname(plan.manifest) : (plan.targets[0]?.path ?? plan.file);
  const base = join(dirname(beside), `${basename(beside)}.redback-backup-${stamp(now)}`);
  let candidate = base;
  for (let n = 2; await exists(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/**
 * Carries out a {@link FixPlan} through the crash-safe edit of `aof/set-edit.ts`: a repaired file is written
 * as a new file (a set) or through a temporary file and a rename (a single AOF), the manifest is replaced
 * atomically, and the files that leave the set go to the backup directory afterwards. An interrupted earlier
 * fix (or other edit) of the same files is finished or undone first, even when the plan finds nothing to fix.
 * Throws the plan's refusal as a {@link CorruptError} when it has one.
 */
export async function applyFix(plan: FixPlan, options: ApplyFixOptions = {}): Promise<FixResult> {
  const target = plan.layout === 'multipart' ? (plan.manifest as string) : plan.file;
  const result: FixResult = { plan, backupDir: undefined, written: [], removed: [], manifest: plan.manifest, recovered: undefined };
  if (plan.refusal) {
    const error = new CorruptError(plan.refusal.message, { file: plan.refusal.file, offset: plan.refusal.offset });
    error.hint = plan.refusal.hint;
    throw error;
  }
  if (plan.clean || plan.targets.length === 0) {
    result.recovered = await recoverAofEdit(target, options);
    return result;
  }
  const backupDir = options.noBackup ? undefined : (options.backupDir ?? (await defaultBackupDir(plan, options.now)));
  const editOptions = { backupDir, noBackup: options.noBackup, owner: options.owner, onStep: options.onStep };
  const compressionOf = (t: FixTarget): Compression => options.compress ?? (t.compressed ? 'lz4' : 'none');
  if (plan.layout === 'single') {
    const t = plan.targets[0] as FixTarget;
    const done = await replaceAofFile(t.path, { rangesOf: t.path, ranges: t.keep }, { ...editOptions, compression: compressionOf(t), purpose: `fix: cut ${t.name}` });
    return { ...result, backupDir: done.backup === undefined ? undefined : backupDir, written: [t.path], recovered: done.recovered };
  }
  const set = await resolveAof(plan.file);
  const targets = new Map(plan.targets.map((t) => [t.name, t]));
  const dropped = new Set(plan.droppedFiles.map((f) => f.name));
  const entryFor = (part: AofPart, index: number): SetEntry => {
    const t = targets.get(part.name);
    if (!t) return { keep: part.name };
    const kind = plan.check.files[index]?.kind;
    // A cut file keeps where it starts in the replication stream (Redis 8 `startoffset`), not where it ended.
    const extra = (part.entry?.extra ?? []).filter(([key]) => key.toLowerCase() !== 'endoffset');
    return { content: { rangesOf: t.path, ranges: t.keep }, format: kind === 'rdb+resp' ? 'rdb' : 'aof', compression: compressionOf(t), extra };
  };
  const layout: AofSetLayout = { incr: [] };
  const incr: SetEntry[] = [];
  set.parts.forEach((part, index) => {
    if (dropped.has(part.name)) return;
    const entry = entryFor(part, index);
    if (part.role === 'base') layout.base = entry;
    else incr.push(entry);
  });
  const edit = await editAofSet(set.manifestPath as string, { ...layout, incr }, { ...editOptions, purpose: `fix: ${plan.targets.map((t) => `repair ${t.name}`).join(', ')}` });
  return {
    ...result,
    backupDir,
    written: edit.files.filter((f) => f.written).map((f) => f.path),
    removed: edit.retired,
    recovered: edit.recovered,
  };
}
