import { Buffer } from 'node:buffer';
import { ChunkedInput, bufferSource } from '../bytes/input.js';
import { ByteReader } from '../bytes/reader.js';
import { CorruptError, RedbackError, TruncatedError, UnsupportedError } from '../errors.js';
import { openInput } from '../io/open.js';
import { typeInfo } from '../rdb/constants.js';
import type { RedisType } from '../rdb/constants.js';
import type {
  Element,
  HashEntry,
  KeyRecord,
  RdbRecord,
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamId,
  StreamMeta,
  StreamPendingEntry,
  ZsetEntry,
} from '../rdb/model.js';
import { decodeModuleId, isRedisInteger, skipModuleOpcodes } from '../rdb/primitives.js';

/*
 * Reads a redback JSON dump (the output of `--to json` and `--to jsonl`, README.md "JSON dump") back into
 * the records the RDB reader yields, so every writer takes it as input: a user edits a backup as text and
 * writes it back as an RDB.
 *
 * The file is read as a sequence of JSON values without ever holding it whole: a JSONL dump is a header
 * object followed by record objects (one per line as written, but any whitespace between them is fine); a
 * JSON document is one object whose `records` array is read element by element. A line as the writer lays
 * it out is parsed by JSON.parse directly; anything else (a pretty-printed record) goes through a scanner
 * that finds where each value ends. A value is held whole only while it is converted, and the writer keeps
 * lines near 1 MiB, continuing large values on `{"kind":"more"}` lines.
 */

/** `format` of the header of a redback dump. */
export const DUMP_FORMAT = 'redback-dump';
/** Highest `schemaVersion` this reader knows. */
export const DUMP_SCHEMA_VERSION = 1;

/** Bytes of dump read before a batch is handed out, whatever its record count. */
const BATCH_BYTES = 1 << 20;

/** Options of {@link readDump}. */
export interface DumpReadOptions {
  /** Records per yielded batch (default 1024). */
  recordsPerBatch?: number;
  /** Called with the offset reached after each batch (for progress bars). */
  onProgress?: (offset: number) => void;
  /** The name used in messages (default: the path). */
  file?: string;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** One JSON value of the file, parsed, with where it starts. */
interface Item {
  value: unknown;
  offset: number;
  length: number;
  line: number;
}

const WHITESPACE = new Uint8Array(256);
WHITESPACE[0x20] = 1;
WHITESPACE[0x09] = 1;
WHITESPACE[0x0a] = 1;
WHITESPACE[0x0d] = 1;

/**
 * Where the JSON value starting at `start` ends (the index after it), or -1 when the bytes stop first.
 * Knows strings (with escapes), nesting, and bare literals and numbers; checks nothing else (JSON.parse does).
 */
function valueEnd(data: Uint8Array, start: number, end: number): number {
  let depth = 0;
  let i = start;
  const first = data[i] as number;
  if (first !== 0x7b && first !== 0x5b && first !== 0x22) {
    // A literal or a number: up to the next delimiter.
    while (i < end) {
      const b = data[i] as number;
      if (WHITESPACE[b] || b === 0x2c || b === 0x5d || b === 0x7d) return i;
      i++;
    }
    return -1;
  }
  while (i < end) {
    const b = data[i] as number;
    if (b === 0x22) {
      i++;
      while (i < end) {
        const c = data[i] as number;
        if (c === 0x5c) i += 2;
        else if (c === 0x22) break;
        else i++;
      }
      if (i >= end) return -1;
      i++;
      if (depth === 0) return i;
      continue;
    }
    if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** Counts line feeds in `data[from, to)`. */
function countLines(data: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = data.indexOf(0x0a, from); i >= 0 && i < to; i = data.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Reads the JSON values of a dump one at a time (see the file comment). */
class DumpScanner {
  private readonly input: ChunkedInput;
  private readonly file: string;
  /** Line number (1-based) of the next unconsumed byte. */
  line = 1;

  constructor(input: ChunkedInput, file: string) {
    this.input = input;
    this.file = file;
  }

  get offset(): number {
    return this.input.offset;
  }

  /** Skips whitespace; resolves to the next byte (not consumed), or -1 at the end of the file. */
  async peek(): Promise<number> {
    while (true) {
      if (this.input.buffered === 0 && !(await this.input.fill(1))) return -1;
      const r = this.input.reader();
      let i = r.pos;
      while (i < r.end && WHITESPACE[r.data[i] as number]) {
        if (r.data[i] === 0x0a) this.line++;
        i++;
      }
      this.input.consumeTo(r.base + i);
      if (i < r.end) return r.data[i] as number;
    }
  }

  /** Consumes one byte that {@link peek} returned. */
  skip(): void {
    this.input.consumeTo(this.input.offset + 1);
  }

  /** Consumes `expected` (after whitespace), or throws naming what was found. */
  async expect(expected: number, what: string): Promise<void> {
    const next = await this.peek();
    if (next !== expected) throw this.error(next === -1 ? `the file ends where ${what} was expected` : `${what} was expected here`, next === -1);
    this.skip();
  }

  /** Reads and parses the JSON value that starts at the next non-whitespace byte. */
  async value(): Promise<Item> {
    const first = await this.peek();
    if (first === -1) throw this.error('the file ends where a value was expected', true);
    const offset = this.input.offset;
    const line = this.line;
    while (true) {
      const r = this.input.reader();
      const start = r.pos;
      // As written: the value alone on its line, maybe followed by the comma of a document's array.
      if (first === 0x7b) {
        const newline = r.data.indexOf(0x0a, start);
        if (newline >= 0 && newline < r.end) {
          let stop = newline;
          while (stop > start && WHITESPACE[r.data[stop - 1] as number]) stop--;
          let valueStop = stop;
          if (valueStop > start && r.data[valueStop - 1] === 0x2c) valueStop--;
          if (valueStop > start && r.data[valueStop - 1] === 0x7d) {
            const parsed = this.tryParse(r.data, start, valueStop);
            if (parsed !== undefined) {
              this.input.consumeTo(r.base + valueStop);
              return { value: parsed.value, offset, length: valueStop - start, line };
            }
          }
        }
      }
      const stop = valueEnd(r.data, start, r.end);
      if (stop >= 0) {
        const value = this.parse(r.data, start, stop, offset, line);
        this.line += countLines(r.data, start, stop);
        this.input.consumeTo(r.base + stop);
        return { value, offset, length: stop - start, line };
      }
      if (this.input.eof) throw this.error('the file ends inside a value', true);
      await this.input.fill(this.input.buffered * 2 + 1);
    }
  }

  private tryParse(data: Uint8Array, start: number, stop: number): { value: unknown } | undefined {
    try {
      return { value: JSON.parse(fatalUtf8.decode(data.subarray(start, stop))) };
    } catch {
      return undefined;
    }
  }

  private parse(data: Uint8Array, start: number, stop: number, offset: number, line: number): unknown {
    let text: string;
    try {
      text = fatalUtf8.decode(data.subarray(start, stop));
    } catch {
      throw new CorruptError(`line ${line}: the JSON is not valid UTF-8`, { file: this.file, offset });
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new CorruptError(`line ${line}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { file: this.file, offset });
    }
  }

  error(detail: string, truncated = false): RedbackError {
    const where = { file: this.file, offset: this.input.offset };
    if (truncated) return new TruncatedError(1, 0, where, `line ${this.line}: ${detail}`);
    return new CorruptError(`line ${this.line}: ${detail}`, where);
  }
}

/** The header of a dump. */
export interface DumpHeader {
  schemaVersion: number;
  magic: 'REDIS' | 'VALKEY';
  rdbVersion: number;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RDB type names (redis-check-rdb's) to type bytes, per magic. */
function typeCodeByName(magic: 'REDIS' | 'VALKEY'): Map<string, number> {
  const map = new Map<string, number>();
  for (let code = 0; code < 256; code++) {
    const info = typeInfo(code, magic);
    if (info) map.set(info.encoding, code);
  }
  return map;
}

/** The type byte a key gets when its line names no RDB type: the plain encoding of each type. */
const PLAIN_TYPE_CODE: Record<RedisType, number> = { string: 0, list: 18, set: 2, zset: 5, hash: 4, stream: 21, module: 7 };

const REDIS_TYPES = new Set<string>(['string', 'list', 'set', 'zset', 'hash', 'stream', 'module']);
const U64_MAX = 0xffffffffffffffffn;
/** Bytes of the slabs the UTF-8 of short strings is carved from. */
const SLAB = 256 * 1024;
/** Node's native UTF-8 writer, which takes any Uint8Array as `this`. */
const utf8Write = Buffer.prototype.utf8Write as (this: Uint8Array, text: string, offset: number, length: number) => number;
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

/** A stream being read: its metadata and groups wait for the end of the key (they follow the entries in an RDB). */
interface StreamParts {
  meta: Partial<StreamMeta> | undefined;
  length: bigint | undefined;
  deleted: number;
  groups: StreamGroup[];
  entries: number;
  lastEntry: StreamId | undefined;
}

/** The key being read. */
interface OpenKey {
  record: KeyRecord;
  elements: number;
  fieldTtls: boolean;
  stream: StreamParts | undefined;
  lastOffset: number;
  /** For a string: its first piece and its length so far (for OBJECT ENCODING). */
  firstPiece: Uint8Array | undefined;
  stringLength: number;
}

/** Turns the parsed values of a dump into RDB records. */
class DumpConverter {
  private readonly file: string;
  private readonly typeCodes: Map<string, number>;
  private readonly magic: 'REDIS' | 'VALKEY';
  private db: number | undefined;
  private key: OpenKey | undefined;
  ended = false;
  private item: Item = { value: undefined, offset: 0, length: 0, line: 0 };
  private slab = new Uint8Array(SLAB);
  private slabUsed = 0;

  constructor(file: string, header: DumpHeader) {
    this.file = file;
    this.magic = header.magic;
    this.typeCodes = typeCodeByName(header.magic);
  }

  private fail(detail: string): CorruptError {
    return new CorruptError(`line ${this.item.line}: ${detail}`, { file: this.file, offset: this.item.offset });
  }

  /** Converts one record object, appending the records it stands for to `out`. */
  convert(item: Item, out: RdbRecord[]): void {
    this.item = item;
    const value = item.value;
    if (!isObject(value)) throw this.fail('a record must be a JSON object');
    if (this.ended) throw this.fail('a record after the end record');
    if (value.kind === undefined) {
      this.closeKey(out);
      this.startKey(value, out);
      return;
    }
    const kind = value.kind;
    if (kind === 'more') {
      const key = this.key;
      if (!key) throw this.fail('a "more" record without a key before it');
      if (!('value' in value)) throw this.fail('a "more" record without a value');
      this.value(key, value.value, out);
      key.lastOffset = item.offset + item.length;
      return;
    }
    this.closeKey(out);
    const at = { offset: item.offset, length: item.length };
    switch (kind) {
      case 'aux':
        out.push({ kind: 'aux', key: this.bytes(value.key, 'key'), value: this.bytes(value.value, 'value'), ...at });
        return;
      case 'function': {
        const code = this.bytes(value.code, 'code');
        const header = /^#!(\S+)(?:[^\n]*?\bname=(\S+))?/.exec(Buffer.from(code.buffer, code.byteOffset, Math.min(code.length, 1024)).toString('latin1'));
        out.push({ kind: 'function', code, engine: header?.[1], library: header?.[2], preRelease: value.preRelease === true, ...at });
        return;
      }
      case 'module-aux': {
        const module = this.moduleType(value.module);
        const body = this.bytes(value.value, 'value');
        this.moduleOpcodes(body);
        out.push({ kind: 'module-aux', moduleId: module.moduleId, moduleName: module.moduleName, encver: module.encver, when: this.count(value.when, 'when'), body, ...at });
        return;
      }
      case 'resizedb':
        this.select(this.count(value.db, 'db'), out, item);
        out.push({ kind: 'resizedb', dbSize: this.count(value.keys, 'keys'), expiresSize: this.count(value.expires, 'expires'), ...at });
        return;
      case 'slot-info':
        this.select(this.count(value.db, 'db'), out, item);
        out.push({ kind: 'slot-info', slot: this.count(value.slot, 'slot'), slotSize: this.count(value.keys, 'keys'), expiresSlotSize: this.count(value.expires, 'expires'), ...at });
        return;
      case 'slot-import': {
        if (!Array.isArray(value.ranges)) throw this.fail('"ranges" must be an array of [first, last] slot pairs');
        const ranges = value.ranges.map((range): [number, number] => {
          if (!Array.isArray(range) || range.length !== 2) throw this.fail('"ranges" must be an array of [first, last] slot pairs');
          return [this.count(range[0], 'slot'), this.count(range[1], 'slot')];
        });
        out.push({ kind: 'slot-import', jobName: this.bytes(value.job, 'job'), ranges, ...at });
        return;
      }
      case 'end':
        this.ended = true;
        out.push({ kind: 'eof', storedChecksum: undefined, computedChecksum: undefined, checksum: 'skipped', ...at });
        return;
      default:
        throw this.fail(`unknown record kind ${JSON.stringify(kind)}`);
    }
  }

  /** Ends the key being read, if any. */
  closeKey(out: RdbRecord[]): void {
    const key = this.key;
    if (!key) return;
    this.key = undefined;
    const record = key.record;
    if (key.stream) this.endStream(key, key.stream, out);
    let objectEncoding = typeInfo(record.typeCode, this.magic)?.objectEncoding ?? 'raw';
    if (record.type === 'string') objectEncoding = key.stringLength > 44 ? 'raw' : key.firstPiece && key.stringLength === key.firstPiece.length && isRedisInteger(key.firstPiece) ? 'int' : 'embstr';
    out.push({
      kind: 'key-end',
      key: record.key,
      type: record.type,
      encoding: record.encoding,
      objectEncoding,
      elements: key.elements,
      encodedBytes: key.lastOffset - record.offset,
      keyOffset: record.offset,
      fieldTtls: key.fieldTtls,
      offset: key.lastOffset,
      length: 0,
    });
  }

  private select(db: number, out: RdbRecord[], item: Item): void {
    if (db === this.db) return;
    this.db = db;
    out.push({ kind: 'selectdb', db, offset: item.offset, length: 0 });
  }

  private startKey(value: Json, out: RdbRecord[]): void {
    const item = this.item;
    const db = this.count(value.db, 'db');
    const key = this.bytes(value.key, 'key');
    const type = value.type;
    if (typeof type !== 'string' || !REDIS_TYPES.has(type)) throw this.fail(`"type" must be one of ${[...REDIS_TYPES].join(', ')}`);
    const redisType = type as RedisType;
    let typeCode = PLAIN_TYPE_CODE[redisType];
    if (redisType === 'hash' && Array.isArray(value.value) && value.value.some((pair) => Array.isArray(pair) && pair.length > 2)) typeCode = 24;
    if (value.rdbType !== undefined) {
      const code = typeof value.rdbType === 'string' ? this.typeCodes.get(value.rdbType) : undefined;
      if (code === undefined) throw this.fail(`unknown "rdbType" ${JSON.stringify(value.rdbType)}`);
      if (typeInfo(code, this.magic)?.type !== redisType) throw this.fail(`"rdbType" ${value.rdbType} is not an encoding of a ${redisType}`);
      typeCode = code;
    }
    let module: KeyRecord['module'];
    if (redisType === 'module') module = this.moduleType(value.module);
    let meta: Uint8Array | undefined;
    let metaClasses: number | undefined;
    if (value.keyMeta !== undefined) {
      if (!isObject(value.keyMeta)) throw this.fail('"keyMeta" must be an object');
      metaClasses = this.count(value.keyMeta.classes, 'keyMeta.classes');
      meta = this.bytes(value.keyMeta.value, 'keyMeta.value');
    }
    this.select(db, out, item);
    const record: KeyRecord = {
      kind: 'key',
      db,
      key,
      typeCode,
      type: redisType,
      encoding: typeInfo(typeCode, this.magic)?.encoding ?? String(typeCode),
      expireMs: value.expireAt === undefined ? undefined : this.integer(value.expireAt, 'expireAt'),
      idle: value.idle === undefined ? undefined : this.count(value.idle, 'idle'),
      freq: value.freq === undefined ? undefined : this.count(value.freq, 'freq'),
      metaClasses,
      meta,
      module,
      values: true,
      offset: item.offset,
      length: item.length,
    };
    out.push(record);
    const open: OpenKey = {
      record,
      elements: 0,
      fieldTtls: false,
      stream: redisType === 'stream' ? { meta: undefined, length: undefined, deleted: 0, groups: [], entries: 0, lastEntry: undefined } : undefined,
      lastOffset: item.offset + item.length,
      firstPiece: undefined,
      stringLength: 0,
    };
    this.key = open;
    if (!('value' in value)) throw this.fail('a key without a "value"');
    this.value(open, value.value, out);
  }

  private value(key: OpenKey, value: unknown, out: RdbRecord[]): void {
    const at = { offset: this.item.offset, length: this.item.length };
    switch (key.record.type) {
      case 'string': {
        const bytes = this.bytes(value, 'value');
        if (key.elements === 0) {
          key.elements = 1;
          key.firstPiece = bytes;
        }
        key.stringLength += bytes.length;
        out.push({ kind: 'value', chunk: { type: 'string', value: bytes }, ...at });
        return;
      }
      case 'list':
      case 'set': {
        const elements = this.array(value, 'value').map((element, i) => this.bytes(element, `value[${i}]`));
        key.elements += elements.length;
        if (elements.length === 0) return;
        out.push({ kind: 'value', chunk: key.record.type === 'list' ? { type: 'list', elements } : { type: 'set', members: elements }, ...at });
        return;
      }
      case 'zset': {
        const entries = this.array(value, 'value').map((pair, i): ZsetEntry => {
          if (!Array.isArray(pair) || pair.length !== 2) throw this.fail(`value[${i}] must be a [member, score] pair`);
          return { member: this.bytes(pair[0], `value[${i}] member`), score: this.score(pair[1], `value[${i}] score`) };
        });
        key.elements += entries.length;
        if (entries.length === 0) return;
        out.push({ kind: 'value', chunk: { type: 'zset', entries }, ...at });
        return;
      }
      case 'hash': {
        const entries = this.array(value, 'value').map((pair, i): HashEntry => {
          if (!Array.isArray(pair) || pair.length < 2 || pair.length > 3) throw this.fail(`value[${i}] must be a [field, value] or [field, value, expireAt] array`);
          const entry: HashEntry = { field: this.bytes(pair[0], `value[${i}] field`), value: this.bytes(pair[1], `value[${i}] value`) };
          if (pair.length === 3) {
            entry.expireMs = this.integer(pair[2], `value[${i}] expireAt`);
            key.fieldTtls = true;
          }
          return entry;
        });
        key.elements += entries.length;
        if (entries.length === 0) return;
        out.push({ kind: 'value', chunk: { type: 'hash', entries }, ...at });
        return;
      }
      case 'stream':
        this.streamValue(key, key.stream as StreamParts, value, out);
        return;
      case 'module': {
        if (key.elements > 0) throw this.fail('a module value in more than one piece');
        const body = this.bytes(value, 'value');
        const opcodes = this.moduleOpcodes(body);
        const module = key.record.module as NonNullable<KeyRecord['module']>;
        key.elements = 1;
        out.push({ kind: 'value', chunk: { type: 'module', moduleId: module.moduleId, moduleName: module.moduleName, encver: module.encver, opcodes, body }, ...at });
        return;
      }
    }
  }

  private streamValue(key: OpenKey, stream: StreamParts, value: unknown, out: RdbRecord[]): void {
    if (!isObject(value)) throw this.fail('a stream value must be an object');
    if (value.entries !== undefined) {
      const entries = this.array(value.entries, 'entries').map((pair, i): StreamEntry => {
        if (!Array.isArray(pair) || pair.length !== 2 || !Array.isArray(pair[1]) || pair[1].length % 2 !== 0) {
          throw this.fail(`entries[${i}] must be [id, [field, value, …]]`);
        }
        const id = this.id(pair[0], `entries[${i}] id`);
        if (stream.lastEntry !== undefined && compareIds(id, stream.lastEntry) <= 0) throw this.fail(`entries[${i}]: IDs must increase (${String(pair[0])})`);
        stream.lastEntry = id;
        const flat = pair[1] as unknown[];
        const fields: Element[] = [];
        const values: Element[] = [];
        for (let j = 0; j < flat.length; j += 2) {
          fields.push(this.bytes(flat[j], `entries[${i}] field`));
          values.push(this.bytes(flat[j + 1], `entries[${i}] value`));
        }
        return { id, fields, values };
      });
      stream.entries += entries.length;
      key.elements += entries.length;
      if (entries.length > 0) out.push({ kind: 'value', chunk: { type: 'stream-entries', entries, deleted: 0 }, offset: this.item.offset, length: this.item.length });
    }
    if (value.length !== undefined || value.lastId !== undefined) {
      if (stream.meta !== undefined) throw this.fail('the stream metadata (length, lastId…) appears twice');
      const meta: Partial<StreamMeta> = {};
      if (value.lastId === undefined) throw this.fail('stream metadata without "lastId"');
      meta.lastId = this.id(value.lastId, 'lastId');
      if (value.length !== undefined) stream.length = this.big(value.length, 'length');
      if (value.firstId !== undefined) meta.firstId = this.id(value.firstId, 'firstId');
      if (value.maxDeletedId !== undefined) meta.maxDeletedId = this.id(value.maxDeletedId, 'maxDeletedId');
      if (value.entriesAdded !== undefined) meta.entriesAdded = this.big(value.entriesAdded, 'entriesAdded');
      stream.meta = meta;
    }
    if (value.deleted !== undefined) stream.deleted += this.count(value.deleted, 'deleted');
    if (value.groups !== undefined) {
      for (const [i, group] of this.array(value.groups, 'groups').entries()) stream.groups.push(this.group(group, `groups[${i}]`));
    }
  }

  private group(value: unknown, what: string): StreamGroup {
    if (!isObject(value)) throw this.fail(`${what} must be an object`);
    const pending = new Map<string, StreamPendingEntry>();
    for (const [i, nack] of this.array(value.pending ?? [], `${what}.pending`).entries()) {
      if (!Array.isArray(nack) || nack.length !== 3) throw this.fail(`${what}.pending[${i}] must be [id, deliveryTime, deliveryCount]`);
      const id = this.id(nack[0], `${what}.pending[${i}] id`);
      const key = `${id.ms}-${id.seq}`;
      if (pending.has(key)) throw this.fail(`${what}.pending: ${key} appears twice`);
      pending.set(key, { id, deliveryTimeMs: this.integer(nack[1], `${what}.pending[${i}] deliveryTime`), deliveryCount: this.count(nack[2], `${what}.pending[${i}] deliveryCount`) });
    }
    const consumers = this.array(value.consumers ?? [], `${what}.consumers`).map((consumer, i): StreamConsumer => {
      if (!isObject(consumer)) throw this.fail(`${what}.consumers[${i}] must be an object`);
      const name = this.bytes(consumer.name, `${what}.consumers[${i}].name`);
      const ids = this.array(consumer.pending ?? [], `${what}.consumers[${i}].pending`).map((id, j) => {
        const parsed = this.id(id, `${what}.consumers[${i}].pending[${j}]`);
        const nack = pending.get(`${parsed.ms}-${parsed.seq}`);
        if (!nack) throw this.fail(`${what}.consumers[${i}].pending: ${String(id)} is not in the group's pending list`);
        if (nack.consumer !== undefined) throw this.fail(`${what}: pending entry ${String(id)} belongs to two consumers`);
        nack.consumer = name;
        return parsed;
      });
      const out: StreamConsumer = { name, seenTimeMs: this.integer(consumer.seenTime ?? 0, `${what}.consumers[${i}].seenTime`), pending: ids };
      if (consumer.activeTime !== undefined) out.activeTimeMs = this.integer(consumer.activeTime, `${what}.consumers[${i}].activeTime`);
      return out;
    });
    const group: StreamGroup = { name: this.bytes(value.name, `${what}.name`), lastId: this.id(value.lastId, `${what}.lastId`), pending: [...pending.values()], consumers };
    if (value.entriesRead !== undefined) {
      const read = this.signedBig(value.entriesRead, `${what}.entriesRead`);
      // Redis stores an unknown counter (-1) as the unsigned length 2^64-1.
      group.entriesRead = BigInt.asUintN(64, read);
    }
    return group;
  }

  private endStream(key: OpenKey, stream: StreamParts, out: RdbRecord[]): void {
    const at = { offset: key.lastOffset, length: 0 };
    const length = stream.length ?? BigInt(stream.entries);
    if (stream.deleted > 0) out.push({ kind: 'value', chunk: { type: 'stream-entries', entries: [], deleted: stream.deleted }, ...at });
    const meta: StreamMeta = {
      length,
      lastId: stream.meta?.lastId ?? stream.lastEntry ?? { ms: 0n, seq: 0n },
      groupCount: stream.groups.length,
    };
    if (stream.meta?.firstId !== undefined) meta.firstId = stream.meta.firstId;
    if (stream.meta?.maxDeletedId !== undefined) meta.maxDeletedId = stream.meta.maxDeletedId;
    if (stream.meta?.entriesAdded !== undefined) meta.entriesAdded = stream.meta.entriesAdded;
    out.push({ kind: 'value', chunk: { type: 'stream-meta', meta }, ...at });
    for (const group of stream.groups) out.push({ kind: 'value', chunk: { type: 'stream-group', group }, ...at });
  }

  private moduleType(value: unknown): { moduleId: bigint; moduleName: string; encver: number } {
    if (!isObject(value)) throw this.fail('"module" must be an object with the module type "id"');
    const moduleId = this.big(value.id, 'module.id');
    const { name, encver } = decodeModuleId(moduleId);
    if (value.name !== undefined && value.name !== name) throw this.fail(`module.name ${JSON.stringify(value.name)} does not match its id (${name})`);
    if (value.encver !== undefined && value.encver !== encver) throw this.fail(`module.encver ${JSON.stringify(value.encver)} does not match its id (${encver})`);
    return { moduleId, moduleName: name, encver };
  }

  /** Walks a module body to its EOF opcode (it must end there) and returns its opcode count. */
  private moduleOpcodes(body: Uint8Array): number {
    const r = new ByteReader(body);
    try {
      const count = skipModuleOpcodes(r);
      if (r.pos !== body.length) throw new Error(`${body.length - r.pos} bytes after the module EOF opcode`);
      return count;
    } catch (error) {
      throw this.fail(`the module value is not a valid serialised module value: ${error instanceof RedbackError ? error.detail : error instanceof Error ? error.message : String(error)}`);
    }
  }

  private array(value: unknown, what: string): unknown[] {
    if (!Array.isArray(value)) throw this.fail(`"${what}" must be an array`);
    return value;
  }

  /** A byte string: a JSON string (its UTF-8 bytes) or `{"base64": "…"}`. */
  private bytes(value: unknown, what: string): Uint8Array {
    if (typeof value === 'string') {
      if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) throw this.fail(`"${what}" holds a lone surrogate (\\ud800-\\udfff); bytes that are not UTF-8 go in {"base64": …}`);
      return this.utf8(value);
    }
    if (isObject(value) && typeof value.base64 === 'string') {
      const text = value.base64;
      const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
      const buffer = text.length % 4 === 0 ? Buffer.from(text, 'base64') : undefined;
      // Node's decoder skips what is not base64: a wrong length shows it.
      if (buffer === undefined || buffer.length !== (text.length / 4) * 3 - padding) throw this.fail(`"${what}": not valid base64`);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    }
    throw this.fail(`"${what}" must be a string or {"base64": "…"}`);
  }

  /** The UTF-8 bytes of a string, carved from a shared slab (a view per string, no allocation of its own). */
  private utf8(value: string): Uint8Array {
    const most = value.length * 3;
    if (most > SLAB / 8) {
      const buffer = Buffer.from(value, 'utf8');
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    }
    if (this.slabUsed + most > SLAB) {
      this.slab = new Uint8Array(SLAB);
      this.slabUsed = 0;
    }
    const start = this.slabUsed;
    this.slabUsed = start + utf8Write.call(this.slab, value, start, most);
    return this.slab.subarray(start, this.slabUsed);
  }

  /** A non-negative safe integer. */
  private count(value: unknown, what: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.fail(`"${what}" must be a non-negative integer`);
    return value;
  }

  /** A safe integer (times in ms may be negative). */
  private integer(value: unknown, what: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw this.fail(`"${what}" must be an integer`);
    return value;
  }

  /** An unsigned 64-bit integer: a decimal string, or a JSON number below 2^53. */
  private big(value: unknown, what: string): bigint {
    const n = this.signedBig(value, what);
    if (n < 0n || n > U64_MAX) throw this.fail(`"${what}" must be between 0 and 2^64-1`);
    return n;
  }

  private signedBig(value: unknown, what: string): bigint {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
      const n = BigInt(value);
      if (n >= -(1n << 63n) && n <= U64_MAX) return n;
    }
    throw this.fail(`"${what}" must be a 64-bit integer (a decimal string)`);
  }

  private id(value: unknown, what: string): StreamId {
    const match = typeof value === 'string' ? STREAM_ID.exec(value) : null;
    if (!match) throw this.fail(`"${what}" must be a stream ID "<ms>-<seq>"`);
    const ms = BigInt(match[1] as string);
    const seq = BigInt(match[2] as string);
    if (ms > U64_MAX || seq > U64_MAX) throw this.fail(`"${what}": a stream ID part is above 2^64-1`);
    return { ms, seq };
  }

  private score(value: unknown, what: string): number {
    if (typeof value === 'number') return value;
    if (value === 'inf' || value === '+inf') return Number.POSITIVE_INFINITY;
    if (value === '-inf') return Number.NEGATIVE_INFINITY;
    throw this.fail(`"${what}" must be a number, "inf" or "-inf"`);
  }
}

function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

function parseHeader(value: Json, file: string, offset: number): DumpHeader {
  const fail = (detail: string): CorruptError => new CorruptError(`line 1: ${detail}`, { file, offset });
  if (value.format !== DUMP_FORMAT) throw fail(`not a redback dump: the header's "format" is not "${DUMP_FORMAT}"`);
  const version = value.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw fail('the header has no valid "schemaVersion"');
  if (version > DUMP_SCHEMA_VERSION) throw new UnsupportedError(`dump schema version ${version} is newer than this redback reads (${DUMP_SCHEMA_VERSION})`, { file, offset });
  if (value.magic !== 'REDIS' && value.magic !== 'VALKEY') throw fail('the header\'s "magic" must be "REDIS" or "VALKEY"');
  const rdbVersion = value.rdbVersion;
  if (typeof rdbVersion !== 'number' || !Number.isInteger(rdbVersion) || rdbVersion < 1) throw fail('the header has no valid "rdbVersion"');
  return { schemaVersion: version, magic: value.magic, rdbVersion };
}

/**
 * Streams the records of a redback JSON dump read from `input` (see the file comment), as batches, like
 * readRdbBatches: a header record, AUX, function, module AUX, SELECTDB/RESIZEDB records, keys (a key record,
 * value records, a key-end record) and an EOF record. Memory holds one record object at a time (a stream
 * also holds its consumer groups until its end).
 *
 * Throws {@link CorruptError} naming the file, the byte offset and the line for JSON that is not a dump or a
 * record that does not follow the schema, {@link TruncatedError} when the file ends early (a JSONL dump
 * without its `end` record, a document cut short), and {@link UnsupportedError} for a newer schema version.
 */
export async function* readDump(input: ChunkedInput, options: DumpReadOptions = {}): AsyncGenerator<RdbRecord[]> {
  const file = options.file ?? input.name;
  const scanner = new DumpScanner(input, file);
  const perBatch = options.recordsPerBatch ?? 1024;
  if ((await input.fill(3)) && input.reader().data[input.reader().pos] === 0xef) {
    const r = input.reader();
    if (r.data[r.pos + 1] === 0xbb && r.data[r.pos + 2] === 0xbf) input.consumeTo(r.base + r.pos + 3);
  }
  if ((await scanner.peek()) !== 0x7b) throw scanner.error('not a redback dump: it does not start with a JSON object');
  const start = scanner.offset;
  // The first object: a JSONL header, or a document whose members hold the header and `records`.
  scanner.skip();
  const header: Json = {};
  let document = false;
  if ((await scanner.peek()) === 0x7d) scanner.skip();
  else {
    while (true) {
      const name = (await scanner.value()).value;
      if (typeof name !== 'string') throw scanner.error('a member name was expected');
      await scanner.expect(0x3a, '":"');
      if (name === 'records') {
        await scanner.expect(0x5b, 'the "records" array');
        document = true;
        break;
      }
      header[name] = (await scanner.value()).value;
      const next = await scanner.peek();
      if (next === 0x2c) {
        scanner.skip();
        continue;
      }
      if (next === 0x7d) {
        scanner.skip();
        break;
      }
      throw scanner.error(next === -1 ? 'the file ends inside the header' : '"," or "}" was expected', next === -1);
    }
  }
  const parsed = parseHeader(header, file, start);
  const converter = new DumpConverter(file, parsed);
  let out: RdbRecord[] = [{ kind: 'header', magic: parsed.magic, version: parsed.rdbVersion, offset: start, length: 0 }];
  // A batch ends at a number of records or of bytes read, whichever comes first: a record can hold a value
  // line of about 1 MiB.
  let batchStart = scanner.offset;
  const full = (): boolean => out.length >= perBatch || scanner.offset - batchStart >= BATCH_BYTES;
  const flush = (): RdbRecord[] => {
    const batch = out;
    out = [];
    batchStart = scanner.offset;
    options.onProgress?.(scanner.offset);
    return batch;
  };
  if (document) {
    let first = true;
    while (true) {
      const next = await scanner.peek();
      if (next === 0x5d) {
        scanner.skip();
        break;
      }
      if (!first) {
        if (next !== 0x2c) throw scanner.error(next === -1 ? 'the file ends inside the "records" array' : '"," or "]" was expected', next === -1);
        scanner.skip();
      }
      first = false;
      converter.convert(await scanner.value(), out);
      if (full()) yield flush();
    }
    // What may follow the records array: more header members, then the end of the document.
    while (true) {
      const next = await scanner.peek();
      if (next === 0x7d) {
        scanner.skip();
        break;
      }
      if (next !== 0x2c) throw scanner.error(next === -1 ? 'the file ends before the end of the document' : '"," or "}" was expected', next === -1);
      scanner.skip();
      await scanner.value();
      await scanner.expect(0x3a, '":"');
      await scanner.value();
    }
    if ((await scanner.peek()) !== -1) throw scanner.error('something follows the JSON document');
    converter.closeKey(out);
    if (!converter.ended) out.push({ kind: 'eof', storedChecksum: undefined, computedChecksum: undefined, checksum: 'skipped', offset: scanner.offset, length: 0 });
  } else {
    while ((await scanner.peek()) !== -1) {
      converter.convert(await scanner.value(), out);
      if (full()) yield flush();
    }
    converter.closeKey(out);
    if (!converter.ended) throw scanner.error('the dump ends without its "end" record: the file is truncated', true);
  }
  yield flush();
}

/**
 * Streams the records of the dump at `path` (see {@link readDump}); an `.lz4` file is decompressed on the
 * fly. The file is closed when the records end, when reading fails, or when the consumer stops early. Throws
 * {@link InputOutputError} when it cannot be opened or read.
 */
export async function* readDumpFile(path: string, options: DumpReadOptions = {}): AsyncGenerator<RdbRecord[]> {
  const input = await openInput(path, options.file ?? path);
  try {
    yield* readDump(input, options);
  } finally {
    await input.close();
  }
}

/** {@link readDump} over a dump in memory (for tests and small files). */
export async function readDumpBytes(data: Uint8Array, options: DumpReadOptions = {}): Promise<RdbRecord[]> {
  const records: RdbRecord[] = [];
  for await (const batch of readDump(new ChunkedInput(bufferSource(data, options.file ?? '<buffer>')), options)) records.push(...batch);
  return records;
}

/** True when `head` (the first bytes of a file) starts like a redback dump. */
export function looksLikeDump(head: Uint8Array): boolean {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && WHITESPACE[head[i] as number]) i++;
  if (head[i] !== 0x7b) return false;
  const text = Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1');
  return new RegExp(`"format"\\s*:\\s*"${DUMP_FORMAT}"`).test(text);
}
