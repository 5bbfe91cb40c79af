/**
 * The version of the JSON documents and JSON lines redback prints (`--json`, `--jsonl`), given as
 * `schemaVersion` in each of them. It changes when a field is removed or changes meaning; new fields may
 * appear without a change. The schemas are in README.md, "JSON output".
 */
export const SCHEMA_VERSION = 1;

/** JSON.stringify replacer: bigints as decimal strings, byte arrays as text or `{"base64": …}`. */
export function jsonReplacer(unusedKey: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) {
    try {
      return utf8Strict.decode(value);
    } catch {
      return { base64: Buffer.from(value).toString('base64') };
    }
  }
  return value;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A `--json` document: `schemaVersion` first, then the report's fields. */
export function jsonDocument(value: object): string {
  return `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...value }, jsonReplacer, 2)}\n`;
}

/** One `--jsonl` line: `schemaVersion` first, so that each line describes itself. */
export function jsonLine(value: object): string {
  return `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...value }, jsonReplacer)}\n`;
}

/** What a command prints on stdout under `--json` when it fails instead of producing its report. */
export interface JsonErrorDocument {
  schemaVersion: number;
  error: {
    /** The file the error concerns, or null when it is not about one file (bad usage). */
    file: string | null;
    /** Absolute byte offset in that file (decompressed stream for `.lz4`), or null when unknown. */
    offset: number | null;
    /** The one-line message, as printed on stderr without the `redback: ` prefix. */
    message: string;
    /** The exit code the command ends with. */
    exitCode: number;
  };
}

/** The `--json` error document. */
export function jsonErrorDocument(error: JsonErrorDocument['error']): string {
  const document: JsonErrorDocument = { schemaVersion: SCHEMA_VERSION, error };
  return `${JSON.stringify(document, jsonReplacer, 2)}\n`;
}
