import { Buffer, isUtf8 } from 'node:buffer';
import { SHORT_DECIMAL_MAX, putDecimal, putShortDecimal } from '../bytes/writer.js';
import type { ByteWriter } from '../bytes/writer.js';
import type { Element, StreamId } from '../rdb/model.js';
import { formatStreamId } from './resp-encoder.js';

/*
 * JSON written straight as bytes into a ByteWriter: a byte string goes out as a JSON string when it is valid
 * UTF-8 (its bytes copied, only `"`, `\` and control characters escaped) and as `{"base64":"…"}` otherwise,
 * without ever becoming a JavaScript string on the common path.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The escape of each byte below 0x20 and of `"` and `\` (undefined: copied as it is). */
const ESCAPES: (Uint8Array | undefined)[] = [];
for (let byte = 0; byte < 0x80; byte++) {
  let text: string | undefined;
  if (byte === QUOTE) text = '\\"';
  else if (byte === BACKSLASH) text = '\\\\';
  else if (byte === 0x0a) text = '\\n';
  else if (byte === 0x0d) text = '\\r';
  else if (byte === 0x09) text = '\\t';
  else if (byte === 0x08) text = '\\b';
  else if (byte === 0x0c) text = '\\f';
  else if (byte < 0x20) text = `\\u00${HEX[byte >> 4]}${HEX[byte & 15]}`;
  ESCAPES[byte] = text === undefined ? undefined : Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Bytes that stop the plain copy of a string: controls, `"`, `\\` and everything from 0x7f on. */
const SPECIAL = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) SPECIAL[byte] = byte < 0x20 || byte >= 0x7f || byte === QUOTE || byte === BACKSLASH ? 1 : 0;

/** From this length on, a byte string is checked by native searches instead of a loop. */
const NATIVE_CHECK = 512;

/**
 * For a long string: whether it is valid UTF-8 with nothing to escape (copied as it is), valid UTF-8 that
 * needs escapes, or not UTF-8 (written as base64). Native UTF-8 validation and byte searches.
 */
function classifyLong(bytes: Uint8Array): 'plain' | 'escape' | 'binary' {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(view)) return 'binary';
  if (view.indexOf(QUOTE) >= 0 || view.indexOf(BACKSLASH) >= 0) return 'escape';
  for (let byte = 0; byte < 0x20; byte++) if (view.indexOf(byte) >= 0) return 'escape';
  return 'plain';
}

/** The bytes of the texts given to {@link JsonEncoder.raw} (a few dozen literals). */
const constants = new Map<string, Uint8Array>();

/** Writes JSON values into a {@link ByteWriter}. */
export class JsonEncoder {
  readonly w: ByteWriter;

  constructor(writer: ByteWriter) {
    this.w = writer;
  }

  /** Raw JSON text (punctuation, field names): ASCII only. Each text is encoded once and kept. */
  raw(text: string): void {
    let bytes = constants.get(text);
    if (bytes === undefined) {
      bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
      constants.set(text, bytes);
    }
    const w = this.w;
    const n = bytes.length;
    const c = w.reserve(n);
    let p = w.cursor;
    for (let i = 0; i < n; i++) c[p++] = bytes[i] as number;
    w.cursor = p;
  }

  /** One byte of punctuation. */
  char(code: number): void {
    this.w.u8(code);
  }

  /** A byte string: a JSON string when valid UTF-8, else `{"base64":"…"}`. */
  bytes(value: Uint8Array): void {
    const w = this.w;
    const n = value.length;
    if (n < NATIVE_CHECK) {
      // Check and copy in one pass; a byte that needs more than a copy sends the string the long way.
      const c = w.reserve(n + 2);
      let p = w.cursor;
      c[p++] = QUOTE;
      let i = 0;
      for (; i < n; i++) {
        const b = value[i] as number;
        if (SPECIAL[b]) break;
        c[p++] = b;
      }
      if (i === n) {
        c[p++] = QUOTE;
        w.cursor = p;
        return;
      }
    } else if (classifyLong(value) === 'plain') {
      w.u8(QUOTE);
      w.bytes(value);
      w.u8(QUOTE);
      return;
    }
    if (!isUtf8(value)) {
      this.base64(value);
      return;
    }
    w.u8(QUOTE);
    let from = 0;
    for (let i = 0; i < n; i++) {
      const b = value[i] as number;
      if (b >= 0x80) continue;
      const escape = ESCAPES[b];
      if (escape === undefined) continue;
      if (i > from) w.bytes(value.subarray(from, i));
      w.bytes(escape);
      from = i + 1;
    }
    if (from < n) w.bytes(from === 0 ? value : value.subarray(from));
    w.u8(QUOTE);
  }

  /** `{"base64":"…"}` whatever the bytes. */
  base64(value: Uint8Array): void {
    this.w.latin1('{"base64":"');
    this.w.latin1(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
    this.w.latin1('"}');
  }

  /** A text known to be ASCII without characters to escape (type names, IDs, decimal strings). */
  asciiString(value: string): void {
    const w = this.w;
    w.u8(QUOTE);
    w.latin1(value);
    w.u8(QUOTE);
  }

  /** An element of a collection as a string: bytes as {@link bytes}, an integer as its decimal digits in quotes. */
  element(value: Element): void {
    if (typeof value === 'number') {
      const w = this.w;
      const c = w.reserve(24);
      let p = w.cursor;
      c[p++] = QUOTE;
      let magnitude = value;
      if (value < 0) {
        c[p++] = 0x2d;
        magnitude = -value;
      }
      p = putDecimal(c, p, magnitude);
      c[p++] = QUOTE;
      w.cursor = p;
    } else if (typeof value === 'bigint') this.asciiString(value.toString());
    else this.bytes(value);
  }

  /** A safe integer as a JSON number. */
  integer(value: number): void {
    this.w.decimal(value);
  }

  /** A 64-bit integer as a decimal string (JSON numbers lose precision past 2^53). */
  bigint(value: bigint): void {
    this.asciiString(value.toString());
  }

  /** A stream ID as the string `<ms>-<seq>`. */
  id(value: StreamId): void {
    const { ms, seq } = value;
    if (ms > MAX_SAFE || seq > MAX_SAFE) {
      this.asciiString(formatStreamId(value));
      return;
    }
    const w = this.w;
    w.u8(QUOTE);
    w.decimal(Number(ms));
    w.u8(0x2d);
    w.decimal(Number(seq));
    w.u8(QUOTE);
  }

  /**
   * A double as a JSON number that reads back as the same double (`-0` included), or the strings `"inf"`,
   * `"-inf"` and `"nan"`, which JSON numbers cannot hold.
   */
  double(value: number): void {
    if (Number.isInteger(value) && value > -9007199254740992 && value < 9007199254740992) {
      if (Object.is(value, -0)) this.w.latin1('-0');
      else this.w.decimal(value);
    } else if (Number.isFinite(value)) {
      const w = this.w;
      const c = w.reserve(SHORT_DECIMAL_MAX);
      const end = putShortDecimal(c, w.cursor, value);
      if (end >= 0) w.cursor = end;
      else w.latin1(String(value));
    }
    else this.asciiString(Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf');
  }
}
