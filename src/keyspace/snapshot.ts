// cspell:words preamble
import type { AofSet } from '../aof/set.js';
import { resolveAof } from '../aof/set.js';
import type { RecordReadOptions, RecordSource } from '../input/records.js';
import { openInput } from '../io/open.js';
import type { RdbRecord } from '../rdb/model.js';
import { HashValue } from './model.js';
import type { Keyspace } from './model.js';
import { replayAof } from './replay.js';
import type { ReplayAofOptions, ReplayCut, ReplayReport } from './replay.js';
import { walkKeyspaceAsync } from './walk.js';
import type { WalkStats } from './walk.js';

/*
 * An AOF as a dataset: replay it (up to a cut, if asked), optionally drop what has expired, then walk the
 * keyspace as the RDB reader's record batches — what `rewrite`, `convert` (an AOF input) and `truncate --to
 * rdb` hand to the writers.
 */

/** Options of {@link replaySnapshot}. */
export interface SnapshotOptions extends Omit<ReplayAofOptions, 'into'> {
  /** Remove keys (and hash fields) whose TTL is at or before `now` after the replay. */
  dropExpired?: boolean;
}

/** A replayed AOF, ready to be walked. */
export interface AofSnapshot {
  keyspace: Keyspace;
  replay: ReplayReport;
  /** The RDB header the records carry (see {@link snapshotHeader}). */
  header: { magic: 'REDIS' | 'VALKEY'; version: number };
  /** What `dropExpired` removed (zeros without it). */
  expired: { keys: number; fields: number };
  /** The clock of the replay and of `dropExpired`, ms since the epoch. */
  now: number;
  /** The records of the dataset, in batches; `stats` counts keys, functions and databases walked. Each call walks again. */
  records(stats?: WalkStats): AsyncGenerator<RdbRecord[]>;
}

/**
 * The RDB header a replayed dataset's records carry, which an RDB writer takes as its default target: the
 * magic and version of the AOF's RDB preamble or BASE (the release that wrote it), else RDB 10 (Redis 7.0, the
 * first release with multi-part AOFs); at least RDB 10 when there are function libraries (Redis 7.0) and RDB 12
 * (Redis 7.4) when a hash has field TTLs, which older releases cannot hold. Valkey's own versions (80+) are
 * kept.
 */
export function snapshotHeader(keyspace: Keyspace, rdbHeader: ReplayReport['rdbHeader']): { magic: 'REDIS' | 'VALKEY'; version: number } {
  const magic = rdbHeader?.magic ?? 'REDIS';
  let version = rdbHeader?.version ?? 10;
  if (version < 10 && keyspace.functions.size > 0) version = 10;
  if (version < 12 && hasFieldTtls(keyspace)) version = 12;
  return { magic, version };
}

function hasFieldTtls(keyspace: Keyspace): boolean {
  for (const db of keyspace.databases()) {
    for (const [, value] of db.entries()) if (value instanceof HashValue && value.hasFieldTtls) return true;
  }
  return false;
}

/**
 * Replays the AOF at `path` (a file with or without RDB preamble, a set, its directory or manifest, `.lz4`
 * or not) and returns the dataset with its record walk. Throws what {@link replayAof} throws.
 */
export async function replaySnapshot(path: string | AofSet, options: SnapshotOptions = {}): Promise<AofSnapshot> {
  const now = options.now ?? Date.now();
  const { keyspace, report } = await replayAof(path, { ...options, now });
  const expired = options.dropExpired ? keyspace.dropExpired(now) : { keys: 0, fields: 0 };
  const header = snapshotHeader(keyspace, report.rdbHeader);
  return {
    keyspace,
    replay: report,
    header,
    expired,
    now,
    records: (stats?: WalkStats) => walkKeyspaceAsync(keyspace, { header }, stats),
  };
}

/**
 * The dataset as it stood just before `stopBefore` — the command at that offset of that file (a path of the
 * set's parts or its manifest name) and everything after it left out — as record batches for a writer
 * (`truncate … --to rdb` hands them to writeRdbRecords). A transaction the cut splits is dropped, as Redis
 * drops one at the end of a truncated AOF. Throws a UsageError for a cut outside the set or inside an RDB
 * preamble, and what {@link replayAof} throws.
 */
export async function snapshotAt(path: string | AofSet, stopBefore: ReplayCut, options: Omit<SnapshotOptions, 'stopBefore'> = {}): Promise<AofSnapshot> {
  return replaySnapshot(path, { ...options, stopBefore });
}

/** Options of {@link aofRecordSource}. */
export type AofSourceOptions = Omit<SnapshotOptions, 'stopBefore'>;

/**
 * An AOF input as a {@link RecordSource} (for `convert`): the AOF is replayed when the source is opened
 * (progress through `options.onProgress`); each read walks the dataset. Keys' sizes ({@link
 * RecordSource.keySizes}, for `--min-bytes`) are the bytes of the key's name and of its elements, as an AOF
 * has no encoded size. Throws what {@link replayAof} throws.
 */
export async function aofRecordSource(path: string, options: AofSourceOptions = {}): Promise<RecordSource & { snapshot: AofSnapshot }> {
  const set = await resolveAof(path);
  let size = 0;
  let compressed = false;
  for (const part of set.parts) {
    const input = await openInput(part.path, part.path);
    size += input.fileSize;
    compressed ||= input.compressed;
    await input.close();
  }
  const snapshot = await replaySnapshot(set, options);
  return {
    format: 'aof',
    path,
    size,
    compressed,
    header: snapshot.header,
    snapshot,
    async *records(unusedOptions?: RecordReadOptions): AsyncGenerator<RdbRecord[]> {
      yield* snapshot.records();
    },
    async *keySizes(unusedOptions?: RecordReadOptions): AsyncGenerator<number[]> {
      let sizes: number[] = [];
      let current = 0;
      for await (const batch of snapshot.records()) {
        for (const record of batch) {
          if (record.kind === 'key') current = record.key.length;
          else if (record.kind === 'value') current += chunkBytes(record.chunk);
          else if (record.kind === 'key-end') sizes.push(current);
        }
        if (sizes.length > 0) {
          yield sizes;
          sizes = [];
        }
      }
    },
  };
}

function chunkBytes(chunk: Extract<RdbRecord, { kind: 'value' }>['chunk']): number {
  const len = (e: Uint8Array | number | bigint): number => (e instanceof Uint8Array ? e.length : String(e).length);
  switch (chunk.type) {
    case 'string':
      return chunk.value.length;
    case 'list':
      return chunk.elements.reduce<number>((n, e) => n + len(e), 0);
    case 'set':
      return chunk.members.reduce<number>((n, e) => n + len(e), 0);
    case 'zset':
      return chunk.entries.reduce<number>((n, e) => n + len(e.member) + 8, 0);
    case 'hash':
      return chunk.entries.reduce<number>((n, e) => n + len(e.field) + len(e.value), 0);
    case 'stream-entries':
      return chunk.entries.reduce<number>((n, e) => n + 16 + e.fields.reduce<number>((m, f) => m + len(f), 0) + e.values.reduce<number>((m, v) => m + len(v), 0), 0);
    case 'module':
      return chunk.body?.length ?? 0;
    default:
      return 0;
  }
}
