import type { ByteWriter } from '../bytes/writer.js';
import { SHORT_DECIMAL_MAX, decimalDigits, putDecimal, putShortDecimal } from '../bytes/writer.js';
import type { Element, StreamId } from '../rdb/model.js';

/*
 * RESP as Redis writes it to an AOF (and as a client sends it): a command is an array header `*<argc>\r\n`
 * followed by one bulk string `$<length>\r\n<bytes>\r\n` per argument. The encoder writes straight into a
 * ByteWriter, so a command costs no intermediate argument list and a large argument is passed through
 * without a copy.
 */

/** A constant argument encoded once: `$<length>\r\n<text>\r\n` (ASCII text). */
export function bulkConstant(text: string): Uint8Array {
  return Uint8Array.from(`$${text.length}\r\n${text}\r\n`, (c) => c.charCodeAt(0));
}

/** A stream ID as Redis prints it: `<ms>-<seq>`. */
export function formatStreamId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/**
 * A score as a ZADD argument: an integer below 2^53 as its digits, infinities as `inf`/`-inf`, `-0` as `-0`,
 * and any other double as the shortest text that reads back as the same double (what Redis 7.2+ writes;
 * Redis 7.0 wrote `%.17g`, which reads back as the same double too).
 */
export function formatScore(score: number): string {
  if (score === Number.POSITIVE_INFINITY) return 'inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  if (Object.is(score, -0)) return '-0';
  return String(score);
}

const CRLF = 0x0d0a;
/** Arguments shorter than this are copied with their header in one step; longer ones may pass through. */
const INLINE_MAX = 4096;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes RESP arrays and bulk strings into a {@link ByteWriter}. */
export class RespEncoder {
  readonly w: ByteWriter;

  constructor(writer: ByteWriter) {
    this.w = writer;
  }

  /** `*<count>\r\n`: the start of a command of `count` arguments. */
  array(count: number): void {
    const w = this.w;
    const c = w.reserve(24);
    let p = w.cursor;
    c[p++] = 0x2a;
    p = putDecimal(c, p, count);
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    w.cursor = p;
  }

  /** One argument given as bytes. */
  bulk(bytes: Uint8Array): void {
    const w = this.w;
    const n = bytes.length;
    if (n >= INLINE_MAX) {
      w.u8(0x24);
      w.decimal(n);
      w.u16be(CRLF);
      w.bytes(bytes);
      w.u16be(CRLF);
      return;
    }
    // Header, bytes and trailer in one go: most arguments are short.
    const c = w.reserve(n + 24);
    let p = w.cursor;
    c[p++] = 0x24;
    p = putDecimal(c, p, n);
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    if (n < 16) for (let i = 0; i < n; i++) c[p++] = bytes[i] as number;
    else {
      c.set(bytes, p);
      p += n;
    }
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    w.cursor = p;
  }

  /** A constant argument made by {@link bulkConstant}. */
  constant(encoded: Uint8Array): void {
    this.w.bytes(encoded);
  }

  /** An ASCII text argument (digits, IDs, option names). */
  text(value: string): void {
    const w = this.w;
    const n = value.length;
    if (n >= INLINE_MAX) {
      w.u8(0x24);
      w.decimal(n);
      w.u16be(CRLF);
      w.latin1(value);
      w.u16be(CRLF);
      return;
    }
    const c = w.reserve(n + 24);
    let p = w.cursor;
    c[p++] = 0x24;
    p = putDecimal(c, p, n);
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    for (let i = 0; i < n; i++) c[p++] = value.charCodeAt(i);
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    w.cursor = p;
  }

  /** A safe integer as its decimal digits. */
  integer(value: number): void {
    const w = this.w;
    const c = w.reserve(48);
    let p = w.cursor;
    const negative = value < 0;
    const magnitude = negative ? -value : value;
    c[p++] = 0x24;
    p = putDecimal(c, p, decimalDigits(magnitude) + (negative ? 1 : 0));
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    if (negative) c[p++] = 0x2d;
    p = putDecimal(c, p, magnitude);
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    w.cursor = p;
  }

  /** An element of a collection: bytes as they are, an integer as its decimal digits. */
  element(value: Element): void {
    if (typeof value === 'number') this.integer(value);
    else if (typeof value === 'bigint') this.text(value.toString());
    else this.bulk(value);
  }

  /** A score that is not a safe integer, as {@link formatScore} writes it. */
  score(value: number): void {
    const scratch = this.scratch;
    const end = putShortDecimal(scratch, 0, value);
    if (end < 0) {
      this.text(formatScore(value));
      return;
    }
    const w = this.w;
    const c = w.reserve(end + 8);
    let p = w.cursor;
    c[p++] = 0x24;
    p = putDecimal(c, p, end);
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    for (let i = 0; i < end; i++) c[p++] = scratch[i] as number;
    c[p++] = 0x0d;
    c[p++] = 0x0a;
    w.cursor = p;
  }

  private readonly scratch = new Uint8Array(SHORT_DECIMAL_MAX);

  /** A stream ID as `<ms>-<seq>`. */
  id(value: StreamId): void {
    const { ms, seq } = value;
    if (ms > MAX_SAFE || seq > MAX_SAFE) {
      this.text(formatStreamId(value));
      return;
    }
    const a = Number(ms);
    const b = Number(seq);
    const w = this.w;
    w.u8(0x24);
    w.decimal(decimalDigits(a) + 1 + decimalDigits(b));
    w.u16be(CRLF);
    w.decimal(a);
    w.u8(0x2d);
    w.decimal(b);
    w.u16be(CRLF);
  }
}
