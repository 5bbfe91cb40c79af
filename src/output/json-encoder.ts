import { Buffer, isUtf8 } from 'node:buffer';
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

/** True when the bytes need no escape and no UTF-8 check: printable ASCII without `"` and `\`. */
function plainAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 || b > 0x7e || b === QUOTE || b === BACKSLASH) return false;
  }
  return true;
}

/** Writes JSON values into a {@link ByteWriter}. */
export class JsonEncoder {
  readonly w: ByteWriter;

  constructor(writer: ByteWriter) {
    this.w = writer;
  }

  /** Raw JSON text (punctuation, field names): ASCII only. */
  raw(text: string): void {
    this.w.latin1(text);
  }

  /** One byte of punctuation. */
  char(code: number): void {
    this.w.u8(code);
  }

  /** A byte string: a JSON string when valid UTF-8, else `{"base64":"…"}`. */
  bytes(value: Uint8Array): void {
    const w = this.w;
    if (plainAscii(value)) {
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
    for (let i = 0; i < value.length; i++) {
      const b = value[i] as number;
      if (b >= 0x80) continue;
      const escape = ESCAPES[b];
      if (escape === undefined) continue;
      if (i > from) w.bytes(value.subarray(from, i));
      w.bytes(escape);
      from = i + 1;
    }
    if (from < value.length) w.bytes(from === 0 ? value : value.subarray(from));
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
      w.u8(QUOTE);
      w.decimal(value);
      w.u8(QUOTE);
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
    this.asciiString(formatStreamId(value));
  }

  /**
   * A double as a JSON number that reads back as the same double (`-0` included), or the strings `"inf"`,
   * `"-inf"` and `"nan"`, which JSON numbers cannot hold.
   */
  double(value: number): void {
    if (Number.isInteger(value) && value > -9007199254740992 && value < 9007199254740992) {
      if (Object.is(value, -0)) this.w.latin1('-0');
      else this.w.decimal(value);
    } else if (Number.isFinite(value)) this.w.latin1(String(value));
    else this.asciiString(Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf');
  }
}
