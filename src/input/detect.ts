import { basename } from 'node:path';
import { resolveAof } from '../aof/set.js';
import type { AofSet } from '../aof/set.js';
import { CorruptError } from '../errors.js';
import { sniffInput } from '../io/sniff.js';

/*
 * What a path is, decided once for every command. Deciding needs both formats (an AOF may start with an RDB
 * preamble, an AOF set names RDB and AOF files), so it lives above rdb/ and aof/.
 */

/** An RDB snapshot (plain or LZ4-framed). */
export interface RdbInputInfo {
  kind: 'rdb';
  /** The path to open. */
  path: string;
}

/** An AOF: one file (with or without an RDB preamble) or a Redis 7 multi-part set. */
export interface AofInputInfo {
  kind: 'aof';
  path: string;
  /** The files Redis would load, in order. */
  set: AofSet;
}

export type InputInfo = RdbInputInfo | AofInputInfo;

/** Names Redis gives AOF files (`appendonly.aof`, `….1.incr.aof`, `….1.base.aof`), possibly LZ4-compressed. */
const AOF_NAME = /\.aof(\.lz4)?$/i;
/** Names of RDB files (`dump.rdb`, `….1.base.rdb`), possibly LZ4-compressed. */
const RDB_NAME = /\.rdb(\.lz4)?$/i;

/**
 * Says what `path` is, by content first:
 * - a directory: a Redis 7 AOF directory (holding a manifest), or a Redis `dir` holding `appendonlydir/` or a
 *   legacy `appendonly.aof`;
 * - a manifest (a line starting with `file`): that set;
 * - RESP (`*`) or an annotation (`#`) first: a single-file AOF;
 * - the `REDIS`/`VALKEY` magic: an RDB — or an AOF whose RDB preamble is followed by commands, which the bytes
 *   alone cannot tell before the RDB's end: a name ending in `.aof` (Redis's names) makes it an AOF;
 * - an empty file: an empty AOF (Redis loads it as one), unless named `.rdb`;
 * - anything else: a {@link CorruptError} at offset 0.
 * Each of these may be LZ4-framed. Throws {@link InputOutputError} for a missing or unreadable path and what
 * {@link resolveAof} throws for a broken manifest.
 */
export async function identifyInput(path: string): Promise<InputInfo> {
  return (await identifyFormat(path)) === 'rdb' ? { kind: 'rdb', path } : { kind: 'aof', path, set: await resolveAof(path) };
}

/**
 * The format half of {@link identifyInput}, without resolving an AOF to its files (for `check`, which reports
 * a broken manifest as the verdict of an AOF).
 */
export async function identifyFormat(path: string): Promise<'rdb' | 'aof'> {
  const kind = await sniffInput(path);
  switch (kind) {
    case 'directory':
    case 'manifest':
    case 'aof':
      return 'aof';
    case 'rdb':
      return AOF_NAME.test(basename(path)) ? 'aof' : 'rdb';
    case 'empty':
      return RDB_NAME.test(basename(path)) ? 'rdb' : 'aof';
    default:
      throw new CorruptError('neither an RDB nor an AOF: unknown signature', { file: path, offset: 0 });
  }
}
