import type { ByteWriter } from '../bytes/writer.js';
import { decimalDigits } from '../bytes/writer.js';
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

/** Bytes of a bulk string holding `length` bytes, header and trailer included. */
export function bulkSize(length: number): number {
  return 1 + decimalDigits(length) + 2 + length + 2;
}

/** Bytes of an array header announcing `count` arguments. */
export function arrayHeaderSize(count: number): number {
  return 1 + decimalDigits(count) + 2;
}

/** Decimal digits of a safe integer, sign included. */
export function integerLength(value: number): number {
  return value < 0 ? 1 + decimalDigits(-value) : decimalDigits(value);
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

/** Writes RESP arrays and bulk strings into a {@link ByteWriter}. */
export class RespEncoder {
  readonly w: ByteWriter;

  constructor(writer: ByteWriter) {
    this.w = writer;
  }

  /** `*<count>\r\n`: the start of a command of `count` arguments. */
  array(count: number): void {
    const w = this.w;
    w.u8(0x2a);
    w.decimal(count);
    w.u16be(CRLF);
  }

  /** One argument given as bytes. */
  bulk(bytes: Uint8Array): void {
    const w = this.w;
    w.u8(0x24);
    w.decimal(bytes.length);
    w.u16be(CRLF);
    w.bytes(bytes);
    w.u16be(CRLF);
  }

  /** A constant argument made by {@link bulkConstant}. */
  constant(encoded: Uint8Array): void {
    this.w.bytes(encoded);
  }

  /** An ASCII text argument (digits, IDs, option names). */
  text(value: string): void {
    const w = this.w;
    w.u8(0x24);
    w.decimal(value.length);
    w.u16be(CRLF);
    w.latin1(value);
    w.u16be(CRLF);
  }

  /** A safe integer as its decimal digits. */
  integer(value: number): void {
    const w = this.w;
    w.u8(0x24);
    w.decimal(integerLength(value));
    w.u16be(CRLF);
    w.decimal(value);
    w.u16be(CRLF);
  }

  /** An element of a collection: bytes as they are, an integer as its decimal digits. */
  element(value: Element): void {
    if (typeof value === 'number') this.integer(value);
    else if (typeof value === 'bigint') this.text(value.toString());
    else this.bulk(value);
  }

  /** A stream ID as `<ms>-<seq>`. */
  id(value: StreamId): void {
    this.text(formatStreamId(value));
  }
}

/** Bytes of the bulk string {@link RespEncoder.element} writes for `value`. */
export function elementBulkSize(value: Element): number {
  if (typeof value === 'number') return bulkSize(integerLength(value));
  if (typeof value === 'bigint') return bulkSize(value.toString().length);
  return bulkSize(value.length);
}
