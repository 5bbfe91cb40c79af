import { ByteWriter } from '../bytes/writer.js';
import { CorruptError } from '../errors.js';
import type { Element, HashEntry, KeyRecord, RdbRecord, StreamEntry, StreamGroup, StreamMeta, ValueChunk, ZsetEntry } from '../rdb/model.js';
import { JsonEncoder } from './json-encoder.js';
import { newWriteReport } from './report.js';
import type { RecordBatches, WriteReport } from './report.js';

/*
 * The JSON dump (`--to json`, `--to jsonl`): every record of an RDB a writer needs to rebuild it — header,
 * AUX fields, functions, module AUX data, database size hints, and each key with its type, TTL, LRU/LFU,
 * KEY_META and value — as JSON objects, one per line (JSONL) or as the elements of one document's `records`
 * array (JSON). README.md, "JSON dump", documents the schema; src/input/json-dump.ts reads it back.
 *
 * Lines stay bounded: a value is written as it arrives, and once a line passes 1 MiB it is closed and the
 * value goes on in `{"kind":"more","value":…}` lines (a string in pieces, a collection in slices, a stream's
 * entries and groups in slices), so neither writing nor reading ever holds a whole large value.
 */

/** `format` of the header: what identifies a redback JSON dump. */
export const DUMP_FORMAT = 'redback-dump';
/** `schemaVersion` of the dump; it changes when a field is removed or changes meaning. */
export const DUMP_SCHEMA_VERSION = 1;
/** A line longer than this (bytes) is closed at the next element and the value continues on the next line. */
export const DUMP_LINE_BUDGET = 1 << 20;

/** Bytes gathered before the writer hands them out. */
const HIGH_WATER = 1 << 20;

/** Options of {@link writeJsonl} and {@link writeJson}. */
export interface JsonOutputOptions {
  /** Bytes after which a line is continued on the next (default 1 MiB; for tests). */
  lineBudget?: number;
  /** The input's name, for messages. */
  file?: string;
}

/** Where the open value of a key stands. */
type Section = 'none' | 'items' | 'stream-object' | 'stream-entries' | 'stream-groups';

/** Writes the records as dump lines into a ByteWriter. */
class DumpWriter {
  private readonly json: JsonEncoder;
  private readonly w: ByteWriter;
  private readonly document: boolean;
  private readonly budget: number;
  private readonly report: WriteReport;
  private readonly file: string | undefined;
  private headerWritten = false;
  private records = 0;
  private db = 0;
  /** The key whose line is open. */
  private key: KeyRecord | undefined;
  /** Offset where the open line started. */
  private lineStart = 0;
  /** True once the open line has its `"value":`. */
  private valueOpen = false;
  private section: Section = 'none';
  /** True when the open array or object already holds an element (a comma goes before the next). */
  private filled = false;
  private deleted = 0;
  private ended = false;

  constructor(w: ByteWriter, document: boolean, options: JsonOutputOptions, report: WriteReport) {
    this.w = w;
    this.json = new JsonEncoder(w);
    this.document = document;
    this.budget = options.lineBudget ?? DUMP_LINE_BUDGET;
    this.report = report;
    this.file = options.file;
  }

  record(record: RdbRecord): void {
    if (!this.headerWritten && record.kind !== 'header') this.header('REDIS', undefined);
    const json = this.json;
    switch (record.kind) {
      case 'header':
        if (this.headerWritten) throw new CorruptError('a second RDB header', { file: this.file, offset: record.offset });
        this.header(record.magic, record.version);
        return;
      case 'aux':
        this.open('aux');
        json.raw(',"key":');
        json.bytes(record.key);
        json.raw(',"value":');
        json.bytes(record.value);
        this.close();
        return;
      case 'selectdb':
        this.db = record.db;
        return;
      case 'resizedb':
        this.open('resizedb');
        json.raw(',"db":');
        json.integer(this.db);
        json.raw(',"keys":');
        json.integer(record.dbSize);
        json.raw(',"expires":');
        json.integer(record.expiresSize);
        this.close();
        return;
      case 'slot-info':
        this.open('slot-info');
        json.raw(',"db":');
        json.integer(this.db);
        json.raw(',"slot":');
        json.integer(record.slot);
        json.raw(',"keys":');
        json.integer(record.slotSize);
        json.raw(',"expires":');
        json.integer(record.expiresSlotSize);
        this.close();
        return;
      case 'function':
        this.open('function');
        json.raw(',"code":');
        json.bytes(record.code);
        if (record.preRelease) json.raw(',"preRelease":true');
        this.close();
        this.report.functions += 1;
        return;
      case 'module-aux':
        this.open('module-aux');
        json.raw(',"module":');
        this.moduleType(record.moduleId, record.moduleName, record.encver);
        json.raw(',"when":');
        json.integer(record.when);
        json.raw(',"value":');
        json.base64(record.body);
        this.close();
        return;
      case 'slot-import':
        this.open('slot-import');
        json.raw(',"job":');
        json.bytes(record.jobName);
        json.raw(',"ranges":[');
        record.ranges.forEach(([from, to], i) => {
          if (i > 0) json.char(0x2c);
          json.char(0x5b);
          json.integer(from);
          json.char(0x2c);
          json.integer(to);
          json.char(0x5d);
        });
        json.char(0x5d);
        this.close();
        return;
      case 'key':
        this.startKey(record);
        return;
      case 'value':
        this.value(record.chunk, record.offset);
        return;
      case 'key-end':
        this.endKey(record.offset);
        return;
      case 'raw':
        return;
      case 'eof':
        this.open('end');
        this.close();
        this.ended = true;
        return;
    }
  }

  /** Ends the output: the `end` line if the records had no EOF, and for a document its closing brackets. */
  finish(): void {
    if (this.key) throw new CorruptError('the records end inside a key', { file: this.file });
    if (!this.headerWritten) this.header('REDIS', undefined);
    if (!this.ended) {
      this.open('end');
      this.close();
    }
    if (this.document) this.w.latin1('\n]}\n');
  }

  private header(magic: 'REDIS' | 'VALKEY', version: number | undefined): void {
    const json = this.json;
    json.raw(`{"schemaVersion":${DUMP_SCHEMA_VERSION},"format":"${DUMP_FORMAT}","magic":"${magic}"`);
    if (version !== undefined) {
      json.raw(',"rdbVersion":');
      json.integer(version);
    }
    json.raw(this.document ? ',"records":[' : '}\n');
    this.headerWritten = true;
  }

  /** Starts a record (a line): the separator, then `{"kind":"<kind>"`. */
  private open(kind: string | undefined): void {
    const w = this.w;
    if (this.document) this.json.raw(this.records === 0 ? '\n' : ',\n');
    this.records += 1;
    this.lineStart = w.offset;
    if (kind === undefined) w.u8(0x7b);
    else this.json.raw(`{"kind":"${kind}"`);
  }

  /** Ends a record. */
  private close(): void {
    if (this.document) this.w.u8(0x7d);
    else this.w.u16be(0x7d0a);
  }

  private moduleType(moduleId: bigint, name: string, encver: number): void {
    const json = this.json;
    json.raw('{"id":');
    json.bigint(moduleId);
    json.raw(',"name":');
    json.asciiString(name);
    json.raw(',"encver":');
    json.integer(encver);
    json.char(0x7d);
  }

  private startKey(record: KeyRecord): void {
    if (this.key) throw new CorruptError('a key starts before the previous one ended', { file: this.file, offset: record.offset });
    const json = this.json;
    this.open(undefined);
    json.raw('"db":');
    json.integer(record.db);
    json.raw(',"key":');
    json.bytes(record.key);
    json.raw(',"type":"');
    json.raw(record.type);
    json.raw('","rdbType":"');
    json.raw(record.encoding);
    json.char(0x22);
    if (record.expireMs !== undefined) {
      json.raw(',"expireAt":');
      json.integer(record.expireMs);
    }
    if (record.idle !== undefined) {
      json.raw(',"idle":');
      json.integer(record.idle);
    }
    if (record.freq !== undefined) {
      json.raw(',"freq":');
      json.integer(record.freq);
    }
    if (record.meta !== undefined) {
      json.raw(',"keyMeta":{"classes":');
      json.integer(record.metaClasses ?? 0);
      json.raw(',"value":');
      json.base64(record.meta);
      json.char(0x7d);
    }
    if (record.module !== undefined) {
      json.raw(',"module":');
      this.moduleType(record.module.moduleId, record.module.moduleName, record.module.encver);
    }
    this.key = record;
    this.valueOpen = false;
    this.section = 'none';
    this.filled = false;
    this.deleted = 0;
  }

  /** Opens the value in the current line (`,"value":` and its container) if it is not open yet. */
  private openValue(section: Section): void {
    if (this.valueOpen) return;
    this.json.raw(',"value":');
    if (section === 'items') this.json.char(0x5b);
    else if (section !== 'none') this.json.char(0x7b);
    this.valueOpen = true;
    this.section = section === 'stream-entries' || section === 'stream-groups' ? 'stream-object' : section;
    this.filled = false;
  }

  /** Closes the open value's containers and the line. */
  private closeValue(): void {
    const json = this.json;
    switch (this.section) {
      case 'items':
        json.char(0x5d);
        break;
      case 'stream-entries':
      case 'stream-groups':
        json.raw(']}');
        break;
      case 'stream-object':
        json.char(0x7d);
        break;
      case 'none':
        break;
    }
    this.close();
    this.valueOpen = false;
    this.section = 'none';
    this.filled = false;
  }

  /** When the line has passed its budget: closes it and opens a continuation line with the same containers. */
  private maybeBreak(): void {
    if (!this.filled || this.w.offset - this.lineStart < this.budget) return;
    const section = this.section;
    this.closeValue();
    this.open('more');
    this.json.raw(',"value":');
    this.valueOpen = true;
    if (section === 'items') this.json.char(0x5b);
    else if (section === 'stream-entries') this.json.raw('{"entries":[');
    else if (section === 'stream-groups') this.json.raw('{"groups":[');
    else if (section === 'stream-object') this.json.char(0x7b);
    this.section = section;
    this.filled = false;
  }

  /** A comma when the open array or object holds something already. */
  private separator(): void {
    if (this.filled) this.json.char(0x2c);
    this.filled = true;
  }

  private value(chunk: ValueChunk, offset: number): void {
    const key = this.key;
    if (!key) throw new CorruptError('a value outside a key', { file: this.file, offset });
    const json = this.json;
    switch (chunk.type) {
      case 'string':
        this.stringValue(chunk.value);
        return;
      case 'list':
        this.elements(chunk.elements);
        return;
      case 'set':
        this.elements(chunk.members);
        return;
      case 'zset':
        this.zset(chunk.entries);
        return;
      case 'hash':
        this.hash(chunk.entries);
        return;
      case 'stream-entries':
        this.deleted += chunk.deleted;
        this.streamEntries(chunk.entries);
        return;
      case 'stream-meta':
        this.streamMeta(chunk.meta);
        return;
      case 'stream-group':
        this.streamGroup(chunk.group);
        return;
      case 'module':
        if (chunk.body === undefined) throw new CorruptError('a module value without its serialised body (read with values built)', { file: this.file, offset });
        if (this.valueOpen) {
          this.closeValue();
          this.open('more');
        }
        json.raw(',"value":');
        json.base64(chunk.body);
        this.valueOpen = true;
        return;
    }
  }

  private stringValue(value: Uint8Array): void {
    const json = this.json;
    let at = 0;
    do {
      if (this.valueOpen) {
        this.closeValue();
        this.open('more');
      }
      const end = value.length - at > this.budget ? utf8Boundary(value, at + this.budget) : value.length;
      json.raw(',"value":');
      json.bytes(at === 0 && end === value.length ? value : value.subarray(at, end));
      this.valueOpen = true;
      at = end;
    } while (at < value.length);
  }

  private elements(elements: readonly Element[]): void {
    this.openValue('items');
    const json = this.json;
    for (const element of elements) {
      this.maybeBreak();
      this.separator();
      json.element(element);
    }
  }

  private zset(entries: readonly ZsetEntry[]): void {
    this.openValue('items');
    const json = this.json;
    for (const entry of entries) {
      this.maybeBreak();
      this.separator();
      json.char(0x5b);
      json.element(entry.member);
      json.char(0x2c);
      json.double(entry.score);
      json.char(0x5d);
    }
  }

  private hash(entries: readonly HashEntry[]): void {
    this.openValue('items');
    const json = this.json;
    for (const entry of entries) {
      this.maybeBreak();
      this.separator();
      json.char(0x5b);
      json.element(entry.field);
      json.char(0x2c);
      json.element(entry.value);
      if (entry.expireMs !== undefined) {
        json.char(0x2c);
        json.integer(entry.expireMs);
      }
      json.char(0x5d);
    }
  }

  /** Moves the open stream value into the `entries` or `groups` array. */
  private streamSection(section: 'stream-entries' | 'stream-groups'): void {
    this.openValue(section);
    if (this.section === section) return;
    const json = this.json;
    if (this.section === 'stream-entries' || this.section === 'stream-groups') json.char(0x5d);
    if (this.section !== 'stream-object' || this.filled) json.char(0x2c);
    json.raw(section === 'stream-entries' ? '"entries":[' : '"groups":[');
    this.section = section;
    this.filled = false;
  }

  private streamEntries(entries: readonly StreamEntry[]): void {
    this.streamSection('stream-entries');
    const json = this.json;
    for (const entry of entries) {
      this.maybeBreak();
      this.separator();
      json.char(0x5b);
      json.id(entry.id);
      json.raw(',[');
      for (let i = 0; i < entry.fields.length; i++) {
        if (i > 0) json.char(0x2c);
        json.element(entry.fields[i] as Element);
        json.char(0x2c);
        json.element(entry.values[i] as Element);
      }
      json.raw(']]');
    }
  }

  private streamMeta(meta: StreamMeta): void {
    this.openValue('stream-object');
    const json = this.json;
    if (this.section === 'stream-entries' || this.section === 'stream-groups') {
      json.char(0x5d);
      this.section = 'stream-object';
      this.filled = true;
    }
    if (this.filled) json.char(0x2c);
    json.raw('"length":');
    json.bigint(meta.length);
    json.raw(',"lastId":');
    json.id(meta.lastId);
    if (meta.firstId !== undefined) {
      json.raw(',"firstId":');
      json.id(meta.firstId);
    }
    if (meta.maxDeletedId !== undefined) {
      json.raw(',"maxDeletedId":');
      json.id(meta.maxDeletedId);
    }
    if (meta.entriesAdded !== undefined) {
      json.raw(',"entriesAdded":');
      json.bigint(meta.entriesAdded);
    }
    if (this.deleted > 0) {
      json.raw(',"deleted":');
      json.integer(this.deleted);
    }
    this.filled = true;
  }

  private streamGroup(group: StreamGroup): void {
    this.streamSection('stream-groups');
    this.maybeBreak();
    this.separator();
    const json = this.json;
    json.raw('{"name":');
    json.bytes(group.name);
    json.raw(',"lastId":');
    json.id(group.lastId);
    if (group.entriesRead !== undefined) {
      json.raw(',"entriesRead":');
      // Redis stores an unknown counter (-1) as the unsigned length 2^64-1.
      json.bigint(BigInt.asIntN(64, group.entriesRead));
    }
    json.raw(',"pending":[');
    group.pending.forEach((nack, i) => {
      if (i > 0) json.char(0x2c);
      json.char(0x5b);
      json.id(nack.id);
      json.char(0x2c);
      json.integer(nack.deliveryTimeMs);
      json.char(0x2c);
      json.integer(nack.deliveryCount);
      json.char(0x5d);
    });
    json.raw('],"consumers":[');
    group.consumers.forEach((consumer, i) => {
      if (i > 0) json.char(0x2c);
      json.raw('{"name":');
      json.bytes(consumer.name);
      json.raw(',"seenTime":');
      json.integer(consumer.seenTimeMs);
      if (consumer.activeTimeMs !== undefined) {
        json.raw(',"activeTime":');
        json.integer(consumer.activeTimeMs);
      }
      json.raw(',"pending":[');
      consumer.pending.forEach((id, j) => {
        if (j > 0) json.char(0x2c);
        json.id(id);
      });
      json.raw(']}');
    });
    json.raw(']}');
  }

  private endKey(offset: number): void {
    const key = this.key;
    if (!key) throw new CorruptError('a key ends that did not start', { file: this.file, offset });
    if (!this.valueOpen) {
      // A value that had no chunk at all: an empty collection (or an empty stream without metadata).
      const json = this.json;
      json.raw(',"value":');
      if (key.type === 'string') json.raw('""');
      else if (key.type === 'stream') json.raw('{}');
      else json.raw('[]');
      this.close();
    } else this.closeValue();
    this.key = undefined;
    this.report.keys += 1;
  }
}

/** The end of a slice of a UTF-8 string near `at`: `at` moved back to the start of a character (at most 3 bytes). */
function utf8Boundary(value: Uint8Array, at: number): number {
  for (let back = 0; back < 4 && at - back > 0; back++) {
    if (((value[at - back] as number) & 0xc0) !== 0x80) return at - back;
  }
  return at;
}

async function* dump(records: RecordBatches, document: boolean, options: JsonOutputOptions, report: WriteReport): AsyncGenerator<Uint8Array> {
  const w = new ByteWriter();
  const writer = new DumpWriter(w, document, options, report);
  for await (const batch of records) {
    for (const record of batch) {
      writer.record(record);
      if (w.pendingBytes >= HIGH_WATER) yield* w.take();
    }
    yield* w.take();
  }
  writer.finish();
  yield* w.take();
}

/**
 * Writes records as a JSONL dump: a header line, then one line per AUX field, function, module AUX record,
 * database size hint and key, then an `end` line (see README.md, "JSON dump"). Yields the output in pieces.
 * Throws what the records' reader throws, and {@link CorruptError} for records out of order.
 */
export function writeJsonl(records: RecordBatches, options: JsonOutputOptions = {}, report: WriteReport = newWriteReport()): AsyncGenerator<Uint8Array> {
  return dump(records, false, options, report);
}

/**
 * Writes records as one JSON document: the header's fields and a `records` array holding, one per line, the
 * objects of the JSONL dump ({@link writeJsonl}).
 */
export function writeJson(records: RecordBatches, options: JsonOutputOptions = {}, report: WriteReport = newWriteReport()): AsyncGenerator<Uint8Array> {
  return dump(records, true, options, report);
}
