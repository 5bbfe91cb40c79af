import { ByteWriter } from '../bytes/writer.js';
import { Crc64 } from '../codecs/crc64.js';
import { CorruptError, UsageError } from '../errors.js';
import { RdbOpcode, typeInfo } from './constants.js';
import { DEFAULT_ENCODING_CONFIG, type EncodingConfig } from './encoding-config.js';
import type { AnyKeyRecord, AnyRdbRecord, FunctionRecord, ModuleAuxRecord, SlotImportRecord, ValueChunk } from './model.js';
import { printable } from './parser.js';
import { writeEof, writeHeader, writeIntegerString, writeLength, writeMillisecondTime, writeString } from './primitives.js';
import { StreamWriter } from './stream-writer.js';
import { describeTarget, targetForRdbVersion, type RdbTarget } from './targets.js';
import { valueWriter, type ValueContext, type ValueWriter } from './value-writers.js';
import { APPROXIMATED_KINDS, countDropped, type DropKind, type WriteReport } from './write-report.js';

/** Options of {@link writeRdbRecords}. */
export interface RdbWriteOptions {
  /** The release to write for (targets.ts); default: the input's RDB version, from its header record. */
  target?: RdbTarget;
  /** Encoding thresholds (`--redis-conf`); default: Redis's defaults. */
  encoding?: EncodingConfig;
  /** Leave out what the target cannot hold, counting it in the report, instead of failing (default false). */
  dropUnsupported?: boolean;
  /** The time of writing, ms since the epoch, for the `ctime` AUX field (default: now). */
  now?: number;
  /** The RDB is an AOF's preamble (`aof-base 1`, or `aof-preamble 1` before 7.0). */
  aofPreamble?: boolean;
  /** Bytes a value may hold in memory before its body is spooled to a temporary file (default 8 MiB). */
  memoryLimit?: number;
  /** Where spooled values go (default: the system's temporary directory). */
  tempDir?: string;
}

/**
 * True when a writer for `target` copies a key of RDB type `typeCode` (in a file under `inputMagic`) from its
 * raw bytes rather than re-encoding it: the target loads that encoding, under the same type byte.
 */
export function copiesType(target: RdbTarget, inputMagic: 'REDIS' | 'VALKEY', typeCode: number): boolean {
  const encoding = typeInfo(typeCode, inputMagic)?.encoding;
  return encoding !== undefined && target.loads.has(encoding) && typeInfo(typeCode, target.magic)?.encoding === encoding;
}

/** Output is handed out once this many bytes are pending. */
const HIGH_WATER = 256 * 1024;

/** Where the writer is: nothing written yet, the header written (the body is open), or the file ended. */
type Phase = 'start' | 'body' | 'end';

/**
 * Writes records as an RDB file for a target release, streaming: pieces of output come out as records go
 * in, the CRC64 computed over them on the way. A small state machine keeps the file well formed: the
 * header and the AUX fields first (written when the first record after the input's own header and AUX
 * fields arrives), SELECTDB (and RESIZEDB) before the first key of each database, each key's prefix
 * opcodes (EXPIRETIME_MS, IDLE/FREQ, KEY_META) before its type byte, a key's value only between its key
 * and key-end records, EOF and checksum last. Module AUX records and functions are written where they
 * come, which for a file Redis wrote is rdbSaveRio's order (module AUX "before", functions, the databases,
 * module AUX "after"); loaders accept them anywhere.
 *
 * A key whose encoding the target loads is copied as the input holds it (from the reader's `raw` records);
 * any other is re-encoded as the target would encode it (value-writers.ts, stream-writer.ts). The AUX
 * fields are those a server of the target writes: its version (`redis-ver`, or `valkey-ver` from Valkey
 * 8.0), `redis-bits` 64, `ctime` (`now`), `used-mem` (the input's, else 0) and `aof-preamble` (4.0 – 6.2)
 * or `aof-base` (7.0+); the input's own AUX fields (replication IDs and offsets included, which would
 * mislead a replica) are not copied.
 *
 * What the target cannot hold — hash field TTLs before 7.4, functions before 7.0, module values before 4.0
 * and module AUX before 5.0, streams before 5.0, stream metadata an older stream type loses, KEY_META
 * before 8.6 — throws a {@link UsageError} naming the key (offset: the key's in the input), unless
 * `dropUnsupported`, which leaves it out and counts it in `report.dropped`. Throws {@link CorruptError}
 * for records out of order or values not matching their key, and the errors of the spool.
 *
 * The records may come from a reader that builds only the values it must re-encode (`materializeType`, with
 * `raw`): a key without values (`values: false`) must be one whose encoding the target loads. The writer
 * keeps no view into a record once the consumer asks for the pieces that follow the record's batch, so the
 * reader may reuse its buffer (`reuseBuffer`).
 */
export async function* writeRdbRecords(records: AsyncIterable<readonly AnyRdbRecord[]> | Iterable<readonly AnyRdbRecord[]>, options: RdbWriteOptions, report: WriteReport): AsyncGenerator<Uint8Array> {
  const state = new RdbWriterState(options, report);
  try {
    for await (const batch of records) {
      for (const record of batch) {
        const tail = state.push(record);
        if (tail !== undefined) yield* state.pipe(tail);
        if (state.pending >= HIGH_WATER) yield* state.take();
      }
      yield* state.take();
    }
    state.finish();
    yield* state.take();
  } finally {
    state.dispose();
  }
}

/** The writer's state between records (see {@link writeRdbRecords}). */
class RdbWriterState {
  private readonly options: RdbWriteOptions;
  private readonly report: WriteReport;
  private readonly config: EncodingConfig;
  private target: RdbTarget | undefined;
  private crc: Crc64 | undefined;
  private w: ByteWriter | undefined;
  private phase: Phase = 'start';
  private inputMagic: 'REDIS' | 'VALKEY' = 'REDIS';
  private usedMemory: bigint | undefined;
  /** The db whose SELECTDB was last written (-1: none yet). */
  private writtenDb = -1;
  /** The db of the last SELECTDB record read, and the RESIZEDB hints read per db. */
  private inputDb = 0;
  private readonly hints = new Map<number, { dbSize: number; expiresSize: number }>();
  private key: KeyState | undefined;
  /** The writer of re-encoded bodies that must wait for their count (shared by the keys, one at a time). */
  private readonly body = new ByteWriter();

  constructor(options: RdbWriteOptions, report: WriteReport) {
    this.options = options;
    this.report = report;
    this.config = options.encoding ?? DEFAULT_ENCODING_CONFIG;
    this.target = options.target;
  }

  get pending(): number {
    return this.w?.pendingBytes ?? 0;
  }

  *take(): Generator<Uint8Array> {
    if (this.w) yield* this.w.take();
  }

  /** Appends `tail` (a spooled body) to the output, handing out pieces as they pile up. */
  *pipe(tail: Iterable<Uint8Array>): Generator<Uint8Array> {
    const w = this.writer();
    for (const piece of tail) {
      w.bytes(piece);
      if (w.pendingBytes >= HIGH_WATER) yield* w.take();
    }
  }

  /** Removes the spool of a key the records stopped in (a failure, or a consumer that stopped early). */
  dispose(): void {
    this.key?.writer?.dispose?.();
  }

  private writer(): ByteWriter {
    if (!this.w) throw new RangeError('the RDB header is not written yet');
    return this.w;
  }

  push(record: AnyRdbRecord): Iterable<Uint8Array> | undefined {
    const key = this.key;
    if (key !== undefined) {
      switch (record.kind) {
        case 'value':
          return this.keyValue(key, record.chunk);
        case 'raw':
          return this.keyRaw(key, record.bytes);
        case 'key-end':
          this.key = undefined;
          return this.keyEnd(key);
        default:
          throw this.outOfOrder(`a ${record.kind} record inside the value of key '${printable(key.record.key)}'`, record.offset);
      }
    }
    switch (record.kind) {
      case 'header':
        if (this.phase !== 'start') throw this.outOfOrder('a second header', record.offset);
        this.inputMagic = record.magic;
        if (this.target === undefined) {
          const version = Math.max(record.version, 6);
          this.target = targetForRdbVersion(version, record.magic);
          this.report.notes.push(`target ${describeTarget(this.target)}, the input's own version${record.version < 6 ? ' (RDB 6 is the oldest written)' : ''}`);
        }
        return undefined;
      case 'aux':
        // The input's AUX fields are not copied (see above); used-mem is kept when it comes before the body.
        if (this.phase === 'start' && latin1(record.key) === 'used-mem' && /^\d+$/.test(latin1(record.value))) this.usedMemory = BigInt(latin1(record.value));
        return undefined;
      case 'module-aux':
        this.open('a module AUX record', record.offset);
        this.moduleAux(record);
        return undefined;
      case 'function':
        this.open('a function library', record.offset);
        this.functionRecord(record);
        return undefined;
      case 'slot-import':
        this.open('a SLOT_IMPORT record', record.offset);
        this.slotImport(record);
        return undefined;
      case 'selectdb':
        this.open('SELECTDB', record.offset);
        this.inputDb = record.db;
        return undefined;
      case 'resizedb':
        this.open('RESIZEDB', record.offset);
        this.hints.set(this.inputDb, { dbSize: record.dbSize, expiresSize: record.expiresSize });
        return undefined;
      case 'slot-info':
        // Cluster slot sizes are hints of the input's server, wrong once keys are filtered: not copied.
        this.open('SLOT_INFO', record.offset);
        return undefined;
      case 'key':
        this.open(() => `key '${printable(record.key)}'`, record.offset);
        this.key = this.startKeyState(record);
        return undefined;
      case 'eof':
        this.finish();
        return undefined;
      case 'value':
      case 'raw':
      case 'key-end':
        throw this.outOfOrder(`a ${record.kind} record outside a key`, record.offset);
    }
  }

  /** Ends the file: EOF and checksum (at the EOF record, or at the end of the records without one). */
  finish(): void {
    if (this.phase === 'end') return;
    if (this.key !== undefined) throw new CorruptError(`the records ended inside the value of key '${printable(this.key.record.key)}'`, { offset: this.key.record.offset });
    this.begin();
    this.phase = 'end';
    const target = this.target as RdbTarget;
    writeEof(this.writer(), target.rdbVersion, this.crc);
  }

  /** Opens the body (writing the header and AUX fields) if needed; throws after the end of the file. */
  private open(what: string | (() => string), offset: number): void {
    if (this.phase === 'end') throw this.outOfOrder(`${typeof what === 'string' ? what : what()} after the end of the file`, offset);
    if (this.w === undefined) this.begin();
  }

  private outOfOrder(what: string, offset: number): CorruptError {
    return new CorruptError(`records out of RDB section order: ${what}`, { offset });
  }

  /** Writes the header and the AUX fields, once. */
  private begin(): void {
    if (this.w) return;
    if (this.target === undefined) throw new UsageError('no target release: the records have no RDB header; give a target (--target-redis or --rdb-version)');
    const target = this.target;
    this.report.target = target;
    const checksum = target.records.checksum && this.config.rdbChecksum;
    this.crc = checksum ? new Crc64() : undefined;
    const crc = this.crc;
    this.w = new ByteWriter(crc ? { onPiece: (piece) => crc.update(piece) } : {});
    this.phase = 'body';
    const w = this.w;
    writeHeader(w, target.magic, target.rdbVersion);
    if (!target.records.aux) return;
    const aux = (key: string, value: string | number | bigint): void => {
      w.u8(RdbOpcode.AUX);
      writeString(w, latin1Bytes(key), { compress: this.config.rdbCompression });
      if (typeof value === 'string') writeString(w, latin1Bytes(value), { compress: this.config.rdbCompression });
      else writeIntegerString(w, value);
    };
    aux(target.versionAux, target.serverVersion);
    aux('redis-bits', 64);
    aux('ctime', Math.floor((this.options.now ?? Date.now()) / 1000));
    aux('used-mem', this.usedMemory ?? 0n);
    if (target.records.aofAux !== undefined) aux(target.records.aofAux, this.options.aofPreamble ? 1 : 0);
  }

  /** A part the target cannot hold: an error, or (with dropUnsupported) counted. */
  private unsupported(kind: DropKind, what: string, key: AnyKeyRecord | undefined, offset: number, count = 1): void {
    if (APPROXIMATED_KINDS.has(kind) || this.options.dropUnsupported) {
      countDropped(this.report, kind, count);
      return;
    }
    const target = describeTarget(this.target as RdbTarget);
    const subject = key === undefined ? '' : `key '${printable(key.key)}' (db ${key.db}): `;
    const error = new UsageError(`${subject}${what}, which ${target} cannot hold`, { offset });
    error.hint = `--drop-unsupported writes the file without it (and counts what was left out), or choose a newer target`;
    throw error;
  }

  private moduleAux(record: ModuleAuxRecord): void {
    const target = this.target as RdbTarget;
    if (!target.records.moduleAux) {
      this.unsupported('module-aux', `module AUX data of ${record.moduleName}`, undefined, record.offset);
      return;
    }
    const w = this.writer();
    w.u8(RdbOpcode.MODULE_AUX);
    writeLength(w, record.moduleId);
    writeLength(w, 2); // RDB_MODULE_OPCODE_UINT, then `when`
    writeLength(w, record.when);
    w.bytes(record.body);
  }

  private functionRecord(record: FunctionRecord): void {
    if (!(this.target as RdbTarget).records.functions) {
      this.unsupported('function', `function library ${record.library ?? '(unnamed)'}`, undefined, record.offset);
      return;
    }
    const w = this.writer();
    w.u8(RdbOpcode.FUNCTION2);
    writeString(w, record.code, { compress: this.config.rdbCompression });
    this.report.functions++;
  }

  private slotImport(record: SlotImportRecord): void {
    if (!(this.target as RdbTarget).records.slotImport) {
      this.unsupported('slot-import', 'a Valkey slot import job (SLOT_IMPORT)', undefined, record.offset);
      return;
    }
    const w = this.writer();
    w.u8(RdbOpcode.KEY_META_OR_SLOT_IMPORT);
    writeString(w, record.jobName, { compress: this.config.rdbCompression });
    writeLength(w, record.ranges.length);
    for (const [start, end] of record.ranges) {
      writeLength(w, start);
      writeLength(w, end);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Keys

  private startKeyState(record: AnyKeyRecord): KeyState {
    const target = this.target as RdbTarget;
    const state: KeyState = { record, mode: 'await-raw', held: undefined, writer: undefined, meta: record.meta };
    if (record.type === 'stream' && target.writes.stream === undefined) {
      this.unsupported('stream', 'a stream', record, record.offset);
      state.mode = 'skip';
      return state;
    }
    if (record.type === 'module' && !target.loads.has('module-value')) {
      this.unsupported('module', `a module value (${record.module?.moduleName ?? 'module'})`, record, record.offset);
      state.mode = 'skip';
      return state;
    }
    if (record.meta !== undefined && !target.records.keyMeta) {
      this.unsupported('key-meta', 'KEY_META module metadata', record, record.offset);
      state.meta = undefined;
    }
    if (record.idle !== undefined && !target.records.idleFreq) countDropped(this.report, 'idle');
    if (record.freq !== undefined && !target.records.idleFreq) countDropped(this.report, 'freq');
    // Copied as it is when the target loads the input's encoding; the bytes come as `raw` records.
    if (!this.copies(record.typeCode)) {
      if (!record.values) throw new CorruptError(`key '${printable(record.key)}' (${record.encoding}) came without its value, which ${describeTarget(target)} needs re-encoded`, { offset: record.offset });
      this.toEncode(state);
    }
    return state;
  }

  /** {@link copiesType} for this target and input, by type byte (memoized). */
  private copies(typeCode: number): boolean {
    let table = this.copyTable;
    if (table === undefined) {
      const target = this.target as RdbTarget;
      table = this.copyTable = Array.from({ length: 256 }, (_, code) => copiesType(target, this.inputMagic, code));
    }
    return table[typeCode] === true;
  }

  private copyTable: boolean[] | undefined;

  private toEncode(state: KeyState): void {
    // The name is kept past this batch of records (a re-encoded value is written at its end): a copy.
    state.record = { ...state.record, key: state.record.key.slice() };
    state.mode = 'encode';
    state.writer = state.record.type === 'stream' ? new StreamWriter(this.valueContext(state)) : valueWriter(this.valueContext(state));
  }

  private valueContext(state: KeyState): ValueContext {
    const w = this.writer();
    return {
      target: this.target as RdbTarget,
      config: this.config,
      w,
      body: this.body,
      compress: this.config.rdbCompression,
      memoryLimit: this.options.memoryLimit ?? 8 << 20,
      tempDir: this.options.tempDir,
      key: state.record,
      startKey: (typeCode) => this.startKey(state, typeCode),
      unsupported: (kind, what, count) => this.unsupported(kind, what, state.record, state.record.offset, count),
      approximated: (kind, count) => countDropped(this.report, kind, count),
    };
  }

  /** Writes SELECTDB (and RESIZEDB) when the key's db is not the current one, the prefix opcodes, the type and the name. */
  private startKey(state: KeyState, typeCode: number): void {
    const w = this.writer();
    const target = this.target as RdbTarget;
    const record = state.record;
    if (record.db !== this.writtenDb) {
      w.u8(RdbOpcode.SELECTDB);
      writeLength(w, record.db);
      const hint = this.hints.get(record.db);
      if (hint !== undefined && target.records.resizeDb) {
        w.u8(RdbOpcode.RESIZEDB);
        writeLength(w, hint.dbSize);
        writeLength(w, hint.expiresSize);
      }
      this.writtenDb = record.db;
    }
    if (record.expireMs !== undefined) {
      w.u8(RdbOpcode.EXPIRETIME_MS);
      writeMillisecondTime(w, record.expireMs);
    }
    if (target.records.idleFreq) {
      if (record.idle !== undefined) {
        w.u8(RdbOpcode.IDLE);
        writeLength(w, record.idle);
      }
      if (record.freq !== undefined) {
        w.u8(RdbOpcode.FREQ);
        w.u8(record.freq);
      }
    }
    if (state.meta !== undefined) {
      w.u8(RdbOpcode.KEY_META_OR_SLOT_IMPORT);
      w.bytes(state.meta);
    }
    w.u8(typeCode);
    writeString(w, record.key, { compress: this.config.rdbCompression });
  }

  private keyValue(state: KeyState, chunk: ValueChunk): Iterable<Uint8Array> | undefined {
    switch (state.mode) {
      case 'skip':
      case 'copy':
        return undefined;
      case 'await-raw':
        if (state.held === undefined) {
          state.held = chunk;
          return undefined;
        }
        // A second chunk before any bytes: the source gives no raw bytes, so the value is re-encoded.
        return this.encodeHeld(state, chunk, false);
      case 'encode':
        return (state.writer as ValueWriter).add(chunk);
    }
  }

  /**
   * Switches an awaiting key to re-encoding and feeds it the chunk it held, then `next`, then ends it when
   * `end`. Lazily: each step runs when the previous step's output has been written (the held chunk may
   * leave output that must come before what the next chunk writes).
   */
  private *encodeHeld(state: KeyState, next: ValueChunk | undefined, end: boolean): Generator<Uint8Array> {
    const held = state.held;
    state.held = undefined;
    this.toEncode(state);
    const writer = state.writer as ValueWriter;
    if (held !== undefined) yield* writer.add(held) ?? [];
    if (next !== undefined) yield* writer.add(next) ?? [];
    if (end) yield* this.endEncoded(state) ?? [];
  }

  private keyRaw(state: KeyState, bytes: Uint8Array): Iterable<Uint8Array> | undefined {
    switch (state.mode) {
      case 'skip':
        return undefined;
      case 'await-raw': {
        state.mode = 'copy';
        state.held = undefined;
        this.startKey(state, state.record.typeCode);
        this.writer().bytes(bytes);
        return undefined;
      }
      case 'copy':
        this.writer().bytes(bytes);
        return undefined;
      case 'encode':
        return (state.writer as ValueWriter).raw(bytes);
    }
  }

  private keyEnd(state: KeyState): Iterable<Uint8Array> | undefined {
    switch (state.mode) {
      case 'skip':
        return undefined;
      case 'copy':
        this.report.keys++;
        return undefined;
      case 'await-raw':
        // No raw bytes came: the value (held, at most one chunk) is re-encoded.
        return this.encodeHeld(state, undefined, true);
      case 'encode':
        return this.endEncoded(state);
    }
  }

  private endEncoded(state: KeyState): Iterable<Uint8Array> | undefined {
    const { tail, written } = (state.writer as ValueWriter).end();
    if (written) this.report.keys++;
    else countDropped(this.report, 'empty');
    return tail;
  }
}

/** A key between its key record and its key-end. */
interface KeyState {
  record: AnyKeyRecord;
  /** 'await-raw': the target loads the input's encoding, copy it if the bytes come; 'copy'; 'encode'; 'skip': left out. */
  mode: 'await-raw' | 'copy' | 'encode' | 'skip';
  /** The first value chunk, held while it is not known whether raw bytes follow. */
  held: ValueChunk | undefined;
  writer: ValueWriter | undefined;
  /** The KEY_META record to write (undefined when there is none or the target cannot hold it). */
  meta: Uint8Array | undefined;
}


const latin1Decoder = new TextDecoder('latin1');

function latin1(bytes: Uint8Array): string {
  return latin1Decoder.decode(bytes);
}

function latin1Bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
