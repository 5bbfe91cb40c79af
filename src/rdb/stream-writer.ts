import { ByteWriter } from '../bytes/writer.js';
import { CorruptError } from '../errors.js';
import { Spool } from '../io/spool.js';
import { entryBytes } from './blob-common.js';
import { RdbType, StringEncoding } from './constants.js';
import { listpackEntrySize } from './listpack.js';
import type { StreamGroup, StreamId, StreamMeta, ValueChunk } from './model.js';
import { printable } from './parser.js';
import { writeLength, writeMillisecondTime, writeString } from './primitives.js';
import { encodeStreamListpack, type StreamEntry as NodeEntry } from './stream-listpack.js';
import type { ValueContext, ValueWriter } from './value-writers.js';

/*
 * A stream written with another stream type than the input's (RDB 9 → 15, 10 → 19, 11+ → 21). The nodes
 * (listpacks of entries) are the same in every release, so when the reader gives the input's bytes they are
 * copied as they are, deleted entries and LZF compression included; otherwise (a source without bytes) the
 * entries are packed into nodes as XADD does. The metadata and the consumer groups are written in the
 * target's layout. What Redis 7.0+ would rebuild when it loads an older stream type (entries-added = length,
 * no max-deleted-id, the first entry's ID, groups' entries-read estimated by
 * streamEstimateDistanceFromFirstEverEntry) is filled in for a newer type; going to an older type,
 * metadata that such a rebuild would not give back is reported as `stream-metadata`.
 */

const U64_MAX = (1n << 64n) - 1n;
/** A group's entries-read that Redis does not know (SCG_INVALID_ENTRIES_READ, -1 saved as an unsigned length). */
const ENTRIES_READ_INVALID = U64_MAX;
const MAX_ID: StreamId = { ms: U64_MAX, seq: U64_MAX };
const ZERO_ID: StreamId = { ms: 0n, seq: 0n };

function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

function sameId(a: StreamId | undefined, b: StreamId): boolean {
  return a !== undefined && compareIds(a, b) === 0;
}

/**
 * The entries-read Redis gives a group when it loads a stream of type 15, where the stream's entries-added
 * is its length and it has no tombstone (streamEstimateDistanceFromFirstEverEntry then).
 */
export function estimatedEntriesRead(groupLastId: StreamId, length: bigint, lastId: StreamId, firstId: StreamId): bigint {
  if (length === 0n) return 0n;
  const last = compareIds(groupLastId, lastId);
  if (last === 0) return length;
  if (last > 0) return ENTRIES_READ_INVALID;
  const first = compareIds(groupLastId, firstId);
  if (first < 0) return 0n;
  if (first === 0) return 1n;
  return ENTRIES_READ_INVALID;
}

/** Byte size of the RDB string starting at `p` in `bytes`, or undefined when it does not end there. */
function rdbStringSize(bytes: Uint8Array, p: number): number | undefined {
  const lengthAt = (at: number): [number, number] | undefined => {
    if (at >= bytes.length) return undefined;
    const first = bytes[at] as number;
    const kind = first >> 6;
    if (kind === 0) return [first & 0x3f, 1];
    if (kind === 1) return at + 1 < bytes.length ? [((first & 0x3f) << 8) | (bytes[at + 1] as number), 2] : undefined;
    if (first === 0x80) return at + 4 < bytes.length ? [new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0), 5] : undefined;
    if (first === 0x81) return at + 8 < bytes.length ? [Number(new DataView(bytes.buffer, bytes.byteOffset + at + 1, 8).getBigUint64(0)), 9] : undefined;
    return undefined;
  };
  if (p >= bytes.length) return undefined;
  const first = bytes[p] as number;
  if (first >> 6 === 3) {
    const encoding = first & 0x3f;
    if (encoding <= StringEncoding.INT32) return 1 + (1 << encoding);
    const compressed = lengthAt(p + 1);
    if (!compressed) return undefined;
    const original = lengthAt(p + 1 + compressed[1]);
    if (!original) return undefined;
    return 1 + compressed[1] + original[1] + compressed[0];
  }
  const length = lengthAt(p);
  return length ? length[1] + length[0] : undefined;
}

/** Re-encodes a stream for a target whose stream type differs from the input's. */
export class StreamWriter implements ValueWriter {
  private readonly context: ValueContext;
  private readonly type: number;
  /** Input bytes are used for the nodes ('raw'), or entries are packed ('entries'); unknown until the first record. */
  private source: 'raw' | 'entries' | undefined;
  /** Raw mode: nodes still to copy, and bytes of an unfinished node. */
  private nodesLeft = -1;
  private carry: Uint8Array = new Uint8Array(0);
  /** The first live entry's ID, for the metadata of newer stream types. */
  private firstLiveId: StreamId | undefined;
  private meta: StreamMeta | undefined;
  private firstId: StreamId = MAX_ID;
  private groupsLeft = 0;
  /** Metadata loss already reported for this key. */
  private lossCounted = false;
  // Entries mode: the node being packed and the spool of finished nodes.
  private node: NodeEntry[] = [];
  private nodeFields: Uint8Array[] = [];
  private nodeSize = 0;
  private nodes = 0;
  private body: ByteWriter | undefined;
  private spool: Spool | undefined;

  constructor(context: ValueContext) {
    this.context = context;
    const type = context.target.writes.stream;
    if (type === undefined) throw new RangeError('the target has no streams');
    this.type = type;
  }

  raw(bytes: Uint8Array): Iterable<Uint8Array> | undefined {
    if (this.source === 'entries') return undefined;
    if (this.source === undefined) {
      this.source = 'raw';
      // The first bytes of the value are the node count.
      const first = bytes[0] as number;
      const size = first >> 6 === 0 ? 1 : first >> 6 === 1 ? 2 : first === 0x80 ? 5 : 9;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.nodesLeft = size === 1 ? first & 0x3f : size === 2 ? ((first & 0x3f) << 8) | (bytes[1] as number) : size === 5 ? view.getUint32(1) : Number(view.getBigUint64(1));
      this.context.startKey(this.type);
      writeLength(this.context.w, this.nodesLeft);
      bytes = bytes.subarray(size);
    }
    if (this.nodesLeft <= 0 || bytes.length === 0) return undefined;
    let buffer = bytes;
    if (this.carry.length > 0) {
      buffer = new Uint8Array(this.carry.length + bytes.length);
      buffer.set(this.carry, 0);
      buffer.set(bytes, this.carry.length);
    }
    let p = 0;
    while (this.nodesLeft > 0) {
      const keySize = rdbStringSize(buffer, p);
      if (keySize === undefined) break;
      const listpackSize = rdbStringSize(buffer, p + keySize);
      if (listpackSize === undefined || p + keySize + listpackSize > buffer.length) break;
      this.context.w.bytes(buffer.subarray(p, p + keySize + listpackSize));
      p += keySize + listpackSize;
      this.nodesLeft--;
    }
    this.carry = this.nodesLeft > 0 ? buffer.slice(p) : new Uint8Array(0);
    return undefined;
  }

  add(chunk: ValueChunk): Iterable<Uint8Array> | undefined {
    this.source ??= 'entries';
    switch (chunk.type) {
      case 'stream-entries':
        for (const entry of chunk.entries) {
          this.firstLiveId ??= entry.id;
          // (Copies: the node is held past this batch of records.)
          if (this.source === 'entries') this.pack({ id: entry.id, deleted: false, fields: entry.fields.map((f) => entryBytes(f).slice()), values: entry.values.map((v) => entryBytes(v).slice()) });
        }
        if (this.source === 'entries' && this.body && this.body.pendingBytes >= 64 * 1024) this.settle();
        return undefined;
      case 'stream-meta':
        return this.writeMeta(chunk.meta);
      case 'stream-group':
        this.writeGroup(chunk.group);
        return undefined;
      default:
        throw new CorruptError(`stream key '${printable(this.context.key.key)}' got a ${chunk.type} value chunk`, { offset: this.context.key.offset });
    }
  }

  /** Adds an entry to the node being packed, starting a new node as XADD would (streamAppendItem). */
  private pack(entry: NodeEntry): void {
    const { streamNodeMaxBytes, streamNodeMaxEntries } = this.context.config;
    const maxBytes = streamNodeMaxBytes === 0 || streamNodeMaxBytes > 1 << 30 ? 1 << 30 : streamNodeMaxBytes;
    let elementsLength = 0;
    for (let i = 0; i < entry.fields.length; i++) elementsLength += (entry.fields[i] as Uint8Array).length + (entry.values[i] as Uint8Array).length;
    if (this.node.length > 0) {
      const bytes = this.nodeSize + listpackEntrySize(this.node.length);
      if (bytes + elementsLength >= maxBytes || (streamNodeMaxEntries > 0 && this.node.length >= streamNodeMaxEntries)) this.flushNode();
    }
    if (this.node.length === 0) {
      // Header, terminator, and the master entry but its count: deleted (0), field count, fields, 0.
      this.nodeFields = entry.fields;
      this.nodeSize = 7 + listpackEntrySize(0) + listpackEntrySize(entry.fields.length) + entry.fields.reduce((n, f) => n + listpackEntrySize(f), 0) + listpackEntrySize(0);
    }
    const first = this.node[0]?.id ?? entry.id;
    const items: (Uint8Array | number | bigint)[] = [0, BigInt.asIntN(64, entry.id.ms - first.ms), BigInt.asIntN(64, entry.id.seq - first.seq)];
    const same = entry.fields.length === this.nodeFields.length && entry.fields.every((f, i) => equalBytes(f, this.nodeFields[i] as Uint8Array));
    if (same) {
      items.push(...entry.values, entry.values.length + 3);
    } else {
      items.push(entry.fields.length);
      entry.fields.forEach((f, i) => items.push(f, entry.values[i] as Uint8Array));
      items.push(2 * entry.fields.length + 4);
    }
    for (const item of items) this.nodeSize += listpackEntrySize(item);
    this.node.push(entry);
  }

  private flushNode(): void {
    if (this.node.length === 0) return;
    const master = (this.node[0] as NodeEntry).id;
    const body = (this.body ??= new ByteWriter({ passThrough: 64 * 1024 }));
    const key = new Uint8Array(16);
    const view = new DataView(key.buffer);
    view.setBigUint64(0, master.ms);
    view.setBigUint64(8, master.seq);
    writeString(body, key, { compress: this.context.compress });
    writeString(body, encodeStreamListpack(master, this.node, this.nodeFields), { compress: this.context.compress });
    this.nodes++;
    this.node = [];
  }

  private settle(): void {
    if (!this.body) return;
    this.spool ??= new Spool({ memoryLimit: this.context.memoryLimit, dir: this.context.tempDir });
    for (const piece of this.body.take()) this.spool.write(piece);
  }

  private writeMeta(meta: StreamMeta): Iterable<Uint8Array> | undefined {
    const { w } = this.context;
    let tail: Iterable<Uint8Array> | undefined;
    if (this.source === 'raw') {
      if (this.nodesLeft !== 0) throw new CorruptError(`stream key '${printable(this.context.key.key)}': the nodes' bytes ended before its metadata`, { offset: this.context.key.offset });
    } else {
      this.flushNode();
      this.settle();
      this.context.startKey(this.type);
      writeLength(w, this.nodes);
      tail = this.spool ? this.spool.drain() : [];
    }
    this.meta = meta;
    this.firstId = meta.firstId ?? (meta.length > 0n && this.firstLiveId ? this.firstLiveId : MAX_ID);
    if (this.type === RdbType.STREAM_LISTPACKS && meta.entriesAdded !== undefined) {
      // Would Redis rebuild this metadata from a type-15 stream? (rdbLoadObject: entries-added = length, no
      // tombstone, the first live entry's ID.)
      const firstOk = meta.length === 0n ? meta.firstId === undefined || sameId(meta.firstId, ZERO_ID) || sameId(meta.firstId, MAX_ID) : this.firstLiveId !== undefined && sameId(meta.firstId, this.firstLiveId);
      if (meta.entriesAdded !== meta.length || !sameId(meta.maxDeletedId ?? ZERO_ID, ZERO_ID) || !firstOk) this.lose('entries-added, max-deleted-id or first-id');
    }
    // The metadata goes after the spooled nodes: pieces appended to the tail keep the order.
    const metaWriter = new ByteWriter({ chunkSize: 256 });
    writeLength(metaWriter, meta.length);
    writeLength(metaWriter, meta.lastId.ms);
    writeLength(metaWriter, meta.lastId.seq);
    if (this.type >= RdbType.STREAM_LISTPACKS_2) {
      writeLength(metaWriter, this.firstId.ms);
      writeLength(metaWriter, this.firstId.seq);
      const maxDeleted = meta.maxDeletedId ?? ZERO_ID;
      writeLength(metaWriter, maxDeleted.ms);
      writeLength(metaWriter, maxDeleted.seq);
      writeLength(metaWriter, meta.entriesAdded ?? meta.length);
    }
    writeLength(metaWriter, meta.groupCount);
    this.groupsLeft = meta.groupCount;
    const metaPieces = metaWriter.take();
    if (tail === undefined) {
      for (const piece of metaPieces) w.bytes(piece);
      return undefined;
    }
    return chain(tail, metaPieces);
  }

  private lose(what: string): void {
    if (this.lossCounted) return;
    this.lossCounted = true;
    this.context.unsupported('stream-metadata', `stream metadata (${what})`);
  }

  private writeGroup(group: StreamGroup): void {
    const meta = this.meta;
    if (!meta || this.groupsLeft <= 0) throw new CorruptError(`stream key '${printable(this.context.key.key)}': a consumer group came before the metadata or after the last group`, { offset: this.context.key.offset });
    this.groupsLeft--;
    const { w, compress } = this.context;
    writeString(w, group.name, { compress });
    writeLength(w, group.lastId.ms);
    writeLength(w, group.lastId.seq);
    const estimate = (): bigint => estimatedEntriesRead(group.lastId, meta.length, meta.lastId, this.firstId);
    if (this.type >= RdbType.STREAM_LISTPACKS_2) {
      writeLength(w, group.entriesRead ?? estimate());
    } else if (group.entriesRead !== undefined && group.entriesRead !== estimate()) {
      this.lose("a group's entries-read");
    }
    writeLength(w, group.pending.length);
    for (const entry of group.pending) {
      w.u64be(entry.id.ms);
      w.u64be(entry.id.seq);
      writeMillisecondTime(w, entry.deliveryTimeMs);
      writeLength(w, entry.deliveryCount);
    }
    writeLength(w, group.consumers.length);
    for (const consumer of group.consumers) {
      writeString(w, consumer.name, { compress });
      writeMillisecondTime(w, consumer.seenTimeMs);
      if (this.type >= RdbType.STREAM_LISTPACKS_3) writeMillisecondTime(w, consumer.activeTimeMs ?? consumer.seenTimeMs);
      else if (consumer.activeTimeMs !== undefined && consumer.activeTimeMs !== consumer.seenTimeMs) this.context.approximated('consumer-active-time');
      writeLength(w, consumer.pending.length);
      for (const id of consumer.pending) {
        w.u64be(id.ms);
        w.u64be(id.seq);
      }
    }
  }

  dispose(): void {
    this.spool?.dispose();
  }

  end(): { tail?: Iterable<Uint8Array>; written: boolean } {
    if (this.meta === undefined) throw new CorruptError(`stream key '${printable(this.context.key.key)}' ended without its metadata`, { offset: this.context.key.offset });
    if (this.groupsLeft !== 0) throw new CorruptError(`stream key '${printable(this.context.key.key)}' ended with ${this.groupsLeft} consumer groups missing`, { offset: this.context.key.offset });
    return { written: true };
  }
}

function* chain(first: Iterable<Uint8Array>, second: Iterable<Uint8Array>): Generator<Uint8Array> {
  yield* first;
  yield* second;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
