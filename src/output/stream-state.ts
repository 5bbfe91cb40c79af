import type { StreamId, StreamMeta } from '../rdb/model.js';

/*
 * What Redis makes of a stream's metadata when it loads an RDB (redis/redis src/rdb.c rdbLoadObject,
 * src/t_stream.c streamEstimateDistanceFromFirstEverEntry). A stream of RDB type 15 (before Redis 7.0)
 * stores no first ID, maximal deleted ID, entries-added counter or groups' entries-read: Redis fills them
 * in on load, and a writer that rebuilds the stream with commands must set the same values.
 */

/** The largest stream ID, which Redis takes as the first ID of an empty stream. */
export const MAX_STREAM_ID: StreamId = { ms: 0xffffffffffffffffn, seq: 0xffffffffffffffffn };
/** The ID 0-0. */
export const ZERO_STREAM_ID: StreamId = { ms: 0n, seq: 0n };

/** Orders two stream IDs: negative, zero or positive. */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** True for 0-0. */
export function isZeroStreamId(id: StreamId): boolean {
  return id.ms === 0n && id.seq === 0n;
}

/** A stream's metadata as Redis holds it once loaded. */
export interface LoadedStreamState {
  length: bigint;
  lastId: StreamId;
  /** The first entry's ID ({@link MAX_STREAM_ID} for an empty stream, as Redis computes it on load). */
  firstId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: bigint;
}

/**
 * The metadata Redis has after loading `meta`: what the RDB stores, or for a type-15 stream what Redis
 * computes — entries added = length, maximal deleted ID 0-0, first ID the first entry's (`firstEntry`, the
 * first live entry met; {@link MAX_STREAM_ID} when there is none).
 */
export function loadedStreamState(meta: StreamMeta, firstEntry: StreamId | undefined): LoadedStreamState {
  return {
    length: meta.length,
    lastId: meta.lastId,
    firstId: meta.firstId ?? firstEntry ?? MAX_STREAM_ID,
    maxDeletedId: meta.maxDeletedId ?? ZERO_STREAM_ID,
    entriesAdded: meta.entriesAdded ?? meta.length,
  };
}

/**
 * The entries-read counter Redis gives a consumer group whose RDB does not store one (type 15), from the
 * group's last delivered ID: streamEstimateDistanceFromFirstEverEntry. -1 means "unknown" (Redis's
 * SCG_INVALID_ENTRIES_READ).
 */
export function estimateEntriesRead(stream: LoadedStreamState, groupLastId: StreamId): bigint {
  if (stream.entriesAdded === 0n) return 0n;
  if (stream.length === 0n && compareStreamIds(groupLastId, stream.lastId) < 1) return stream.entriesAdded;
  const toLast = compareStreamIds(groupLastId, stream.lastId);
  if (toLast === 0) return stream.entriesAdded;
  if (toLast > 0) return -1n;
  const toFirst = compareStreamIds(groupLastId, stream.firstId);
  if (isZeroStreamId(stream.maxDeletedId) || compareStreamIds(stream.maxDeletedId, stream.firstId) < 0) {
    if (toFirst < 0) return stream.entriesAdded - stream.length;
    if (toFirst === 0) return stream.entriesAdded - stream.length + 1n;
  }
  return -1n;
}
