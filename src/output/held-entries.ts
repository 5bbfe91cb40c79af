import { ByteWriter } from '../bytes/writer.js';
import { ByteSpill } from '../io/byte-spill.js';
import type { StreamId } from '../rdb/model.js';

/*
 * A stream's XADD commands held back until its consumer groups are known (they follow the entries in an
 * RDB), so that placeholders for pending entries of deleted messages can go between them in ID order. The
 * commands are kept as written, with an index of each entry's ID and where its command ends; both stay in
 * memory up to a limit and then go to temporary files. When no placeholder is needed the commands go out as
 * they are, without reading the index.
 */

/** Bytes of an index record: the ID (16 bytes, big-endian ms then seq) and the command's end offset (f64). */
const INDEX_RECORD = 24;
/** Size of the chunks the commands are written in (a value this long or longer is copied on its own). */
const COMMAND_CHUNK = 256 * 1024;

/** A stream ID as 16 bytes, big-endian ms then seq: compares as the IDs do, byte by byte. */
export function idBytes(id: StreamId, out = new Uint8Array(16), at = 0): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset + at, 16);
  view.setBigUint64(0, id.ms);
  view.setBigUint64(8, id.seq);
  return out;
}

/** Orders the 16-byte IDs at `a[ai]` and `b[bi]`. */
export function compareIdBytes(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let i = 0; i < 16; i++) {
    const d = (a[ai + i] as number) - (b[bi + i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Where a placeholder goes: before the command bytes at `at`, for the pending ID `key` (16 bytes). */
export interface Cut {
  at: number;
  key: Uint8Array;
  /** True when no entry comes before it (it sits at the head of the stream). */
  head: boolean;
}

/** Options of {@link HeldEntries}. */
export interface HeldEntriesOptions {
  /** Bytes (commands and index) kept in memory before they move to temporary files (default 8 MiB). */
  inMemory?: number;
  tempDir?: string;
}

/** The held-back XADD commands of one stream (see the file comment). */
export class HeldEntries {
  /** Where the caller writes each entry's XADD command, then calls {@link added}. */
  readonly commands = new ByteWriter({ chunkSize: COMMAND_CHUNK, passThrough: COMMAND_CHUNK });
  private readonly commandSpill: ByteSpill;
  private readonly indexSpill: ByteSpill;
  private index = new Uint8Array(64 * INDEX_RECORD);
  private indexView = new DataView(this.index.buffer);
  private indexUsed = 0;
  /** Entries added. */
  entries = 0;
  /** The first entry's ID. */
  firstId: StreamId | undefined;

  constructor(options: HeldEntriesOptions = {}) {
    const limit = options.inMemory ?? 8 << 20;
    // The commands take most of the budget; the index (24 bytes an entry) the rest.
    this.commandSpill = new ByteSpill({ inMemory: Math.floor(limit * 0.75), tempDir: options.tempDir });
    this.indexSpill = new ByteSpill({ inMemory: Math.floor(limit * 0.25), tempDir: options.tempDir });
  }

  /** Records the entry whose command was just written. */
  added(id: StreamId): void {
    if (this.entries === 0) this.firstId = id;
    this.entries += 1;
    if (this.indexUsed + INDEX_RECORD > this.index.length) {
      const grown = new Uint8Array(this.index.length * 2);
      grown.set(this.index.subarray(0, this.indexUsed));
      this.index = grown;
      this.indexView = new DataView(grown.buffer);
    }
    const view = this.indexView;
    const at = this.indexUsed;
    view.setBigUint64(at, id.ms);
    view.setBigUint64(at + 8, id.seq);
    view.setFloat64(at + 16, this.commands.offset, true);
    this.indexUsed = at + INDEX_RECORD;
  }

  /** Bytes held in memory and not yet handed to the spills. */
  get pendingBytes(): number {
    return this.commands.pendingBytes + this.indexUsed;
  }

  /** Hands what was written so far to the spills (which move to disk past the memory limit). */
  async hold(): Promise<void> {
    const pieces = this.commands.take();
    // The writer's own chunks are never written again; a piece of a value as long as a chunk is the
    // caller's array and is copied.
    await this.commandSpill.append(
      pieces.map((piece) => (piece.length >= COMMAND_CHUNK ? piece.slice() : piece)),
      { adopt: true },
    );
    if (this.indexUsed > 0) {
      await this.indexSpill.append([this.index.subarray(0, this.indexUsed)], { adopt: true });
      this.index = new Uint8Array(this.index.length);
      this.indexView = new DataView(this.index.buffer);
      this.indexUsed = 0;
    }
  }

  /**
   * Where placeholders go for the pending IDs `pending` (16-byte keys, sorted, distinct): one cut per ID that is
   * not an entry's, at the end of the last entry before it. Reads the index once.
   */
  async cuts(pending: readonly Uint8Array[]): Promise<Cut[]> {
    const cuts: Cut[] = [];
    if (pending.length === 0) return cuts;
    await this.hold();
    let p = 0;
    let lastEnd = 0;
    let seen = 0;
    let carry = new Uint8Array(0);
    for await (const chunk of this.indexSpill.chunks()) {
      let data = chunk;
      if (carry.length > 0) {
        data = new Uint8Array(carry.length + chunk.length);
        data.set(carry);
        data.set(chunk, carry.length);
      }
      const whole = data.length - (data.length % INDEX_RECORD);
      for (let at = 0; at < whole; at += INDEX_RECORD) {
        while (p < pending.length && compareIdBytes(pending[p] as Uint8Array, 0, data, at) < 0) cuts.push({ at: lastEnd, key: pending[p++] as Uint8Array, head: seen === 0 });
        if (p < pending.length && compareIdBytes(pending[p] as Uint8Array, 0, data, at) === 0) p++;
        lastEnd = new DataView(data.buffer, data.byteOffset + at + 16, 8).getFloat64(0, true);
        seen += 1;
      }
      carry = data.slice(whole);
    }
    while (p < pending.length) cuts.push({ at: lastEnd, key: pending[p++] as Uint8Array, head: seen === 0 });
    return cuts;
  }

  /**
   * The held commands in order, with `placeholder(cut)` called where each cut falls (cuts sorted by `at`, as
   * {@link cuts} gives them). Yields the pieces to write; placeholders are written by the callback.
   */
  async *replay(cuts: readonly Cut[], placeholder: (cut: Cut) => void): AsyncGenerator<Uint8Array> {
    await this.hold();
    let c = 0;
    let offset = 0;
    for await (const piece of this.commandSpill.chunks()) {
      let from = 0;
      while (c < cuts.length && (cuts[c] as Cut).at < offset + piece.length) {
        const at = (cuts[c] as Cut).at - offset;
        if (at > from) yield piece.subarray(from, at);
        from = at;
        placeholder(cuts[c++] as Cut);
      }
      if (from < piece.length) yield from === 0 ? piece : piece.subarray(from);
      offset += piece.length;
    }
    while (c < cuts.length) placeholder(cuts[c++] as Cut);
  }

  /** Deletes the temporary files (safe to call more than once). */
  async remove(): Promise<void> {
    await this.commandSpill.remove();
    await this.indexSpill.remove();
  }
}
