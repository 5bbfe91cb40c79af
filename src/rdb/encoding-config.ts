// cspell:words sdssplitargs
import { UsageError } from '../errors.js';

/*
 * The settings that decide how Redis encodes a value when it saves it: the `*-max-*` thresholds of redis.conf
 * (listpack or ziplist below them, hashtable, skiplist or a plain quicklist node above), the stream node
 * limits, and `rdbcompression` / `rdbchecksum`. Defaults are those of every release from 2.8 to 8.x (checked
 * against CONFIG GET of Redis 7.0.15; the listpack names are aliases of the ziplist ones since 7.0).
 */

/** The thresholds the writer applies, under their redis.conf names. */
export interface EncodingConfig {
  /** `hash-max-listpack-entries` (alias `hash-max-ziplist-entries`): most fields of a listpack/ziplist hash. */
  hashMaxEntries: number;
  /** `hash-max-listpack-value` (alias `hash-max-ziplist-value`): longest field or value, in bytes. */
  hashMaxValue: number;
  /** `zset-max-listpack-entries` (alias `zset-max-ziplist-entries`). */
  zsetMaxEntries: number;
  /** `zset-max-listpack-value` (alias `zset-max-ziplist-value`), bytes. */
  zsetMaxValue: number;
  /** `set-max-intset-entries`. */
  setMaxIntsetEntries: number;
  /** `set-max-listpack-entries` (7.2+). */
  setMaxListpackEntries: number;
  /** `set-max-listpack-value` (7.2+), bytes. */
  setMaxListpackValue: number;
  /**
   * `list-max-listpack-size` (alias `list-max-ziplist-size`, 3.2+): negative, a node byte limit (-1 = 4 KiB …
   * -5 = 64 KiB); positive, most elements per node.
   */
  listMaxSize: number;
  /** `list-max-ziplist-entries` (before 3.2): most elements of a ziplist list. */
  listMaxZiplistEntries: number;
  /** `list-max-ziplist-value` (before 3.2), bytes. */
  listMaxZiplistValue: number;
  /** `stream-node-max-bytes`. */
  streamNodeMaxBytes: number;
  /** `stream-node-max-entries`. */
  streamNodeMaxEntries: number;
  /** `rdbcompression`: LZF-compress strings longer than 20 bytes when that saves at least 4. */
  rdbCompression: boolean;
  /** `rdbchecksum`: write the CRC64 (else 0, "checksum disabled"). */
  rdbChecksum: boolean;
}

/** Redis's defaults (redis.conf of 2.8 – 8.x). */
export const DEFAULT_ENCODING_CONFIG: Readonly<EncodingConfig> = Object.freeze({
  hashMaxEntries: 512,
  hashMaxValue: 64,
  zsetMaxEntries: 128,
  zsetMaxValue: 64,
  setMaxIntsetEntries: 512,
  setMaxListpackEntries: 128,
  setMaxListpackValue: 64,
  listMaxSize: -2,
  listMaxZiplistEntries: 512,
  listMaxZiplistValue: 64,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
  rdbCompression: true,
  rdbChecksum: true,
});

type Kind = 'count' | 'memory' | 'fill' | 'bool';

/** redis.conf directives read, each with the field it sets and how its value is parsed. */
const DIRECTIVES: Record<string, [keyof EncodingConfig, Kind]> = {
  'hash-max-listpack-entries': ['hashMaxEntries', 'count'],
  'hash-max-ziplist-entries': ['hashMaxEntries', 'count'],
  'hash-max-listpack-value': ['hashMaxValue', 'memory'],
  'hash-max-ziplist-value': ['hashMaxValue', 'memory'],
  'zset-max-listpack-entries': ['zsetMaxEntries', 'count'],
  'zset-max-ziplist-entries': ['zsetMaxEntries', 'count'],
  'zset-max-listpack-value': ['zsetMaxValue', 'memory'],
  'zset-max-ziplist-value': ['zsetMaxValue', 'memory'],
  'set-max-intset-entries': ['setMaxIntsetEntries', 'count'],
  'set-max-listpack-entries': ['setMaxListpackEntries', 'count'],
  'set-max-listpack-value': ['setMaxListpackValue', 'memory'],
  'list-max-listpack-size': ['listMaxSize', 'fill'],
  'list-max-ziplist-size': ['listMaxSize', 'fill'],
  'list-max-ziplist-entries': ['listMaxZiplistEntries', 'count'],
  'list-max-ziplist-value': ['listMaxZiplistValue', 'memory'],
  'stream-node-max-bytes': ['streamNodeMaxBytes', 'memory'],
  'stream-node-max-entries': ['streamNodeMaxEntries', 'count'],
  rdbcompression: ['rdbCompression', 'bool'],
  rdbchecksum: ['rdbChecksum', 'bool'],
};

/** What {@link parseRedisConf} found. */
export interface RedisConfSettings {
  config: EncodingConfig;
  /** The directives applied, in file order, as `name value`. */
  applied: string[];
}

/**
 * Reads the encoding settings of a redis.conf text over `base`: the directives listed in
 * {@link EncodingConfig} (either name of an alias pair; the last one wins, as in Redis), with Redis's
 * syntax — `#` comments, double-quoted arguments with `\xHH` escapes, single-quoted ones, memory units
 * (`k` = 1000, `kb` = 1024, `m`, `mb`, `g`, `gb`) on byte sizes, `yes`/`no`. Every other directive is
 * ignored. Throws a {@link UsageError} naming the file and line for a bad value of a directive it reads.
 */
export function parseRedisConf(text: string, base: Readonly<EncodingConfig> = DEFAULT_ENCODING_CONFIG, file = 'redis.conf'): RedisConfSettings {
  const config: EncodingConfig = { ...base };
  const applied: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const args = splitArgs(line, () => new UsageError(`${file}: line ${index + 1}: unbalanced quotes`));
    const name = (args[0] ?? '').toLowerCase();
    const directive = DIRECTIVES[name];
    if (!directive) return;
    const [field, kind] = directive;
    const bad = (why: string): UsageError => new UsageError(`${file}: line ${index + 1}: ${name} ${why}`);
    if (args.length !== 2) throw bad(`takes one argument, got ${args.length - 1}`);
    const value = args[1] as string;
    (config as unknown as Record<string, number | boolean>)[field] = parseValue(value, kind, bad);
    applied.push(`${name} ${value}`);
  });
  return { config, applied };
}

function parseValue(value: string, kind: Kind, bad: (why: string) => UsageError): number | boolean {
  if (kind === 'bool') {
    const lower = value.toLowerCase();
    if (lower === 'yes') return true;
    if (lower === 'no') return false;
    throw bad(`expects yes or no, got '${value}'`);
  }
  if (kind === 'fill') {
    if (!/^-?\d+$/.test(value)) throw bad(`expects an integer, got '${value}'`);
    const n = Number(value);
    if (n < -5 || n > 32767) throw bad(`expects -5 … 32767, got ${value}`);
    return n;
  }
  const memory = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(value);
  if (!memory || (kind === 'count' && memory[2] !== undefined)) throw bad(`expects a non-negative integer, got '${value}'`);
  const units: Record<string, number> = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const n = Number(memory[1]) * (units[(memory[2] ?? 'b').toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(n)) throw bad(`value '${value}' is too large`);
  return n;
}

/** Splits a config line as sdssplitargs does: blanks between arguments, "…" with C escapes, '…'. */
function splitArgs(line: string, unbalanced: () => Error): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length) break;
    let arg = '';
    const quote = line[i] === '"' || line[i] === "'" ? line[i] : undefined;
    if (quote !== undefined) {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i] as string;
        if (c === quote) {
          closed = true;
          i++;
          break;
        }
        if (c === '\\' && i + 1 < line.length) {
          const next = line[i + 1] as string;
          if (quote === '"' && next === 'x' && /^[0-9a-f]{2}$/i.test(line.slice(i + 2, i + 4))) {
            arg += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };
          arg += quote === '"' ? (escapes[next] ?? next) : next === "'" ? "'" : `\\${next}`;
          i += 2;
          continue;
        }
        arg += c;
        i++;
      }
      if (!closed || (i < line.length && !/\s/.test(line[i] as string))) throw unbalanced();
    } else {
      while (i < line.length && !/\s/.test(line[i] as string)) arg += line[i++];
    }
    args.push(arg);
  }
  return args;
}
