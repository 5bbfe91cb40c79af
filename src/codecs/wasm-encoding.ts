/**
 * The few pieces of the WebAssembly binary format that the hand-assembled kernels (CRC64, LZF) share:
 * LEB128 numbers, names, sections, and instantiation where WebAssembly exists.
 */

/** Unsigned LEB128. */
export function unsignedLeb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a non-negative integer (the constants of `i32.const` / `i64.const`). */
export function signedLeb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if (n === 0 && (byte & 0x40) === 0) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A name: its length, then its characters. */
export function wasmName(text: string): number[] {
  return [...unsignedLeb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

/** A section: its id, its length, then its bytes. */
export function wasmSection(id: number, bytes: number[]): number[] {
  return [id, ...unsignedLeb(bytes.length), ...bytes];
}

/** The module header: magic and version 1. */
export const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** The few WebAssembly APIs used (the project's type libraries do not declare WebAssembly). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The exports of a module instantiated without imports; undefined when WebAssembly is unavailable (node --jitless). */
export function instantiate(bytes: Uint8Array): Record<string, unknown> | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  return new wasm.Instance(new wasm.Module(bytes), {}).exports;
}
