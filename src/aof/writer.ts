import { UsageError } from '../errors.js';
import { ANNOTATION_LINE_MAX } from './scanner.js';

/*
 * cspell:words argc
 *
 * Writing RESP AOF records: `*<argc>\r\n` then `$<len>\r\n<bytes>\r\n` per argument, and `#...\r\n`
 * annotation lines, exactly as Redis writes them.
 */

const encoder = new TextEncoder();
/** Arguments at least this long are handed out as their own piece instead of being copied. */
const INLINE_MAX = 1024;

function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/**
 * Encodes one command as a list of pieces that, concatenated, form its RESP form. Small arguments are
 * copied into the header pieces; an argument of 1 KiB or more is returned as its own piece (the very same
 * Uint8Array), so a large value is never copied. Strings are encoded as UTF-8.
 */
export function encodeCommand(args: readonly (Uint8Array | string)[]): Uint8Array[] {
  if (args.length === 0) throw new UsageError('a command needs at least one argument');
  const pieces: Uint8Array[] = [];
  let text = `*${args.length}\r\n`;
  let parts: (Uint8Array | string)[] = [];
  let size = 0;
  const flushText = (): void => {
    if (text !== '') {
      parts.push(text);
      size += text.length;
      text = '';
    }
  };
  const emit = (): void => {
    flushText();
    if (parts.length === 0) return;
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      if (typeof part === 'string') {
        // Header text is ASCII only, so one char is one byte.
        for (let i = 0; i < part.length; i++) out[at++] = part.charCodeAt(i);
      } else {
        out.set(part, at);
        at += part.length;
      }
    }
    pieces.push(out);
    parts = [];
    size = 0;
  };
  for (const arg of args) {
    const bytes = toBytes(arg);
    text += `$${bytes.length}\r\n`;
    if (bytes.length >= INLINE_MAX) {
      emit();
      pieces.push(bytes);
    } else {
      flushText();
      parts.push(bytes);
      size += bytes.length;
    }
    text += '\r\n';
  }
  emit();
  return pieces;
}

/** Where an {@link AofWriter} sends its bytes. A chunk is never reused by the writer after `write`. */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
}

export interface AofWriterOptions {
  /** Size of the batches small pieces are gathered into (default 64 KiB). */
  chunkSize?: number;
}

/**
 * Writes AOF records to a {@link ByteSink}, gathering small pieces into chunks of about 64 KiB and passing
 * large arguments through as chunks of their own (the caller's buffer itself: do not change it until the
 * write has resolved). Calls must be awaited one after the other; call {@link flush} at the end.
 */
export class AofWriter {
  private readonly sink: ByteSink;
  private readonly chunkSize: number;
  private buffer: Uint8Array;
  private used = 0;
  private written = 0;

  constructor(sink: ByteSink, options: AofWriterOptions = {}) {
    this.sink = sink;
    this.chunkSize = Math.max(16, options.chunkSize ?? 64 * 1024);
    this.buffer = new Uint8Array(this.chunkSize);
  }

  /** Bytes accepted so far (written to the sink or waiting in the batch). */
  get bytesWritten(): number {
    return this.written + this.used;
  }

  /** Writes one command (`*<argc>` header and a bulk string per argument). */
  async writeCommand(args: readonly (Uint8Array | string)[]): Promise<void> {
    for (const piece of encodeCommand(args)) await this.put(piece);
  }

  /**
   * Writes an annotation line `#<text>\r\n`. The text may not contain a line break, and the whole line must
   * fit in the 1023 bytes Redis reads an annotation in.
   */
  async writeAnnotation(text: Uint8Array | string): Promise<void> {
    const bytes = toBytes(text);
    if (bytes.includes(0x0a) || bytes.includes(0x0d)) throw new UsageError('an AOF annotation cannot contain a line break');
    if (bytes.length + 3 > ANNOTATION_LINE_MAX) {
      throw new UsageError(`an AOF annotation line is at most ${ANNOTATION_LINE_MAX} bytes, this one would be ${bytes.length + 3}`);
    }
    const line = new Uint8Array(bytes.length + 3);
    line[0] = 0x23;
    line.set(bytes, 1);
    line[bytes.length + 1] = 0x0d;
    line[bytes.length + 2] = 0x0a;
    await this.put(line);
  }

  /** Writes a `#TS:<unix seconds>` annotation, as Redis does with aof-timestamp-enabled. */
  async writeTimestamp(unixSeconds: number): Promise<void> {
    if (!Number.isSafeInteger(unixSeconds)) throw new UsageError(`not a whole number of seconds: ${unixSeconds}`);
    await this.writeAnnotation(`TS:${unixSeconds}`);
  }

  /** Sends the batched bytes to the sink. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const chunk = this.buffer.subarray(0, this.used);
    this.written += this.used;
    this.buffer = new Uint8Array(this.chunkSize);
    this.used = 0;
    await this.sink.write(chunk);
  }

  private async put(piece: Uint8Array): Promise<void> {
    if (piece.length >= this.chunkSize / 2) {
      await this.flush();
      this.written += piece.length;
      await this.sink.write(piece);
      return;
    }
    if (this.used + piece.length > this.chunkSize) await this.flush();
    this.buffer.set(piece, this.used);
    this.used += piece.length;
  }
}
