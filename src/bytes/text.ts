import { Buffer } from 'node:buffer';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A byte string as it goes into JSON output: the text itself when the bytes are valid UTF-8, otherwise
 * `{ "base64": "…" }`. Scripts can tell the two apart by type; README.md documents it.
 */
export type JsonBytes = string | { base64: string };

/** Encodes bytes for JSON output (see {@link JsonBytes}). */
export function jsonBytes(bytes: Uint8Array): JsonBytes {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return { base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }
}

/** Decodes {@link JsonBytes} back to bytes. */
export function bytesFromJson(value: JsonBytes): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(Buffer.from(value.base64, 'base64'));
}

/** Bytes as text for people: printable ASCII and valid UTF-8 kept, other bytes as \xHH. */
export function displayBytes(bytes: Uint8Array, max = 80): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    text = '';
    for (const b of bytes) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Decodes bytes as UTF-8, replacing invalid sequences (for AUX values and names shown to people). */
export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
