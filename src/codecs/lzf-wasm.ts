/**
 * LZF decompression in a small WebAssembly kernel: about twice the speed of the plain JS loop on the
 * blobs of an RDB (listpacks, stream nodes), where the JS loop is bound by per-byte copies.
 *
 * The kernel only says whether the data decompressed cleanly; on any problem the caller runs the JS walk,
 * which finds and reports it with the exact message. The module is assembled below from readable parts
 * rather than shipped as an opaque blob. One memory (exported, growable) and one function, equivalent to:
 *
 *   (func (export "lzf") (param $ip i32) (param $inEnd i32) (param $op i32) (param $outEnd i32) (result i32)
 *     (local $ctrl i32) (local $len i32) (local $dist i32) (local $outStart i32)
 *     outStart = op
 *     loop:
 *       if ip >= inEnd: return op                       ;; the caller checks op == outEnd
 *       ctrl = load8_u(ip); ip += 1
 *       if ctrl < 32:                                   ;; literal run of ctrl + 1 bytes
 *         len = ctrl + 1
 *         if op + len > outEnd or ip + len > inEnd: return -1
 *         copy len bytes from ip to op, 8 at a time; op += len; ip += len
 *       else:                                           ;; back reference
 *         len = ctrl >> 5
 *         if len == 7: (if ip >= inEnd: return -1); len += load8_u(ip); ip += 1
 *         if ip >= inEnd: return -1
 *         dist = ((ctrl & 31) << 8 | load8_u(ip)) + 1; ip += 1
 *         len += 2
 *         if op + len > outEnd or dist > op - outStart: return -1
 *         if dist >= 8: copy len bytes from op - dist to op, 8 at a time, forward; op += len
 *         else: repeat len times: store8(op, load8_u(op - dist)); op += 1   ;; close overlap: byte by byte
 *       br loop
 */

// cspell:words lzf ababa
import { WASM_HEADER, instantiate, unsignedLeb, wasmName, wasmSection } from './wasm-encoding.js';

function assemble(): Uint8Array {
  const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, RETURN = 0x0f, VOID = 0x40;
  const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22;
  const I32_LOAD8_U = 0x2d, I32_STORE8 = 0x3a, I32_CONST = 0x41;
  const I32_EQZ = 0x45, I32_EQ = 0x46, I32_LT_U = 0x49, I32_GT_U = 0x4b, I32_GE_U = 0x4f;
  const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_AND = 0x71, I32_OR = 0x72, I32_SHL = 0x74, I32_SHR_U = 0x76;
  const I64_LOAD = 0x29, I64_STORE = 0x37;
  const I32 = 0x7f;
  // Parameters, then locals.
  const IP = 0, IN_END = 1, OP = 2, OUT_END = 3, CTRL = 4, LEN = 5, DIST = 6, OUT_START = 7, SRC = 8, K = 9;
  const FAIL = [I32_CONST, 0x7f, RETURN]; // return -1

  const code: number[] = [];
  const emit = (...bytes: number[]): void => {
    code.push(...bytes);
  };
  const add = (target: number, value: number): void => emit(LOCAL_GET, target, I32_CONST, ...unsignedLeb(value), I32_ADD, LOCAL_SET, target);
  /**
   * Copies LEN bytes from [from] to [OP] eight at a time (K counts up), then advances OP. It may write up to
   * 7 bytes past the end, which the next item overwrites (the memory has slack after the output). Forward
   * 8-byte steps give the same bytes as a byte loop whenever the source is at least 8 bytes behind.
   */
  const copyWords = (from: number): void => {
    emit(I32_CONST, 0, LOCAL_SET, K);
    emit(BLOCK, VOID, LOOP, VOID);
    emit(LOCAL_GET, K, LOCAL_GET, LEN, I32_GE_U, BR_IF, 1);
    emit(LOCAL_GET, OP, LOCAL_GET, K, I32_ADD, LOCAL_GET, from, LOCAL_GET, K, I32_ADD, I64_LOAD, 0, 0, I64_STORE, 0, 0);
    add(K, 8);
    emit(BR, 0, END, END);
    emit(LOCAL_GET, OP, LOCAL_GET, LEN, I32_ADD, LOCAL_SET, OP);
  };

  emit(LOCAL_GET, OP, LOCAL_SET, OUT_START);
  emit(LOOP, VOID);
  // if ip >= inEnd: return op
  emit(LOCAL_GET, IP, LOCAL_GET, IN_END, I32_GE_U, IF, VOID, LOCAL_GET, OP, RETURN, END);
  // ctrl = load8_u(ip); ip += 1
  emit(LOCAL_GET, IP, I32_LOAD8_U, 0, 0, LOCAL_SET, CTRL);
  add(IP, 1);
  emit(LOCAL_GET, CTRL, I32_CONST, 32, I32_LT_U, IF, VOID);
  {
    // literal: len = ctrl + 1
    emit(LOCAL_GET, CTRL, I32_CONST, 1, I32_ADD, LOCAL_SET, LEN);
    emit(LOCAL_GET, OP, LOCAL_GET, LEN, I32_ADD, LOCAL_GET, OUT_END, I32_GT_U, IF, VOID, ...FAIL, END);
    emit(LOCAL_GET, IP, LOCAL_GET, LEN, I32_ADD, LOCAL_GET, IN_END, I32_GT_U, IF, VOID, ...FAIL, END);
    copyWords(IP);
    emit(LOCAL_GET, IP, LOCAL_GET, LEN, I32_ADD, LOCAL_SET, IP);
  }
  emit(ELSE);
  {
    // len = ctrl >> 5; if len == 7: len += next byte
    emit(LOCAL_GET, CTRL, I32_CONST, 5, I32_SHR_U, LOCAL_TEE, LEN, I32_CONST, 7, I32_EQ, IF, VOID);
    emit(LOCAL_GET, IP, LOCAL_GET, IN_END, I32_GE_U, IF, VOID, ...FAIL, END);
    emit(LOCAL_GET, LEN, LOCAL_GET, IP, I32_LOAD8_U, 0, 0, I32_ADD, LOCAL_SET, LEN);
    add(IP, 1);
    emit(END);
    emit(LOCAL_GET, IP, LOCAL_GET, IN_END, I32_GE_U, IF, VOID, ...FAIL, END);
    // dist = ((ctrl & 31) << 8 | byte) + 1
    emit(LOCAL_GET, CTRL, I32_CONST, 31, I32_AND, I32_CONST, 8, I32_SHL, LOCAL_GET, IP, I32_LOAD8_U, 0, 0, I32_OR, I32_CONST, 1, I32_ADD, LOCAL_SET, DIST);
    add(IP, 1);
    add(LEN, 2);
    emit(LOCAL_GET, OP, LOCAL_GET, LEN, I32_ADD, LOCAL_GET, OUT_END, I32_GT_U, IF, VOID, ...FAIL, END);
    emit(LOCAL_GET, DIST, LOCAL_GET, OP, LOCAL_GET, OUT_START, I32_SUB, I32_GT_U, IF, VOID, ...FAIL, END);
    emit(LOCAL_GET, DIST, I32_CONST, 8, I32_GE_U, IF, VOID);
    {
      emit(LOCAL_GET, OP, LOCAL_GET, DIST, I32_SUB, LOCAL_SET, SRC);
      copyWords(SRC);
    }
    emit(ELSE);
    {
      emit(BLOCK, VOID, LOOP, VOID);
      emit(LOCAL_GET, LEN, I32_EQZ, BR_IF, 1);
      emit(LOCAL_GET, OP, LOCAL_GET, OP, LOCAL_GET, DIST, I32_SUB, I32_LOAD8_U, 0, 0, I32_STORE8, 0, 0);
      add(OP, 1);
      emit(LOCAL_GET, LEN, I32_CONST, 1, I32_SUB, LOCAL_SET, LEN);
      emit(BR, 0, END, END);
    }
    emit(END);
  }
  emit(END); // if literal / else
  emit(BR, 0, END); // loop
  emit(I32_CONST, 0x7f, END); // unreachable in practice: -1

  const body = [1, 6, I32, ...code]; // one local group: 6 × i32
  const name = wasmName;
  const section = wasmSection;
  return Uint8Array.from([
    ...WASM_HEADER,
    ...section(1, [1, 0x60, 4, I32, I32, I32, I32, 1, I32]), // type: (i32 × 4) -> i32
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]), // one memory, at least 1 page
    ...section(7, [2, ...name('memory'), 2, 0, ...name('lzf'), 0, 0]),
    ...section(10, [1, ...unsignedLeb(body.length), ...body]),
  ]);
}

/** Bytes kept free after the output, for the kernel's whole-word writes. */
const SLACK = 16;

/** Inputs and outputs larger than this are left to the JS loop (the kernel's memory stays small). */
export const WASM_LZF_MAX = 16 << 20;

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  run: (ip: number, inEnd: number, op: number, outEnd: number) => number;
}

function build(): Kernel | undefined {
  try {
    const exports = instantiate(assemble());
    if (exports === undefined) return undefined;
    const kernel: Kernel = {
      memory: exports['memory'] as Kernel['memory'],
      run: exports['lzf'] as Kernel['run'],
    };
    // Self-check on a tiny stream before trusting it: "ab" + back reference (dist 2, len 3) + overlap.
    const input = Uint8Array.from([1, 0x61, 0x62, 0x20, 0x01]);
    const view = new Uint8Array(kernel.memory.buffer);
    view.set(input, 0);
    if (kernel.run(0, 5, 16, 21) !== 21) return undefined;
    if (String.fromCharCode(...view.subarray(16, 21)) !== 'ababa') return undefined;
    return kernel;
  } catch {
    return undefined;
  }
}

const kernel = build();

/** Whether the kernel is in use ('wasm') or not ('js', e.g. node --jitless). */
export const lzfBackend: 'wasm' | 'js' = kernel === undefined ? 'js' : 'wasm';

/**
 * Decompresses `input` to exactly `outputLength` bytes in the kernel's memory. Returns a view of the result
 * there (valid until the next call), or undefined when the kernel is unavailable, the sizes are over
 * {@link WASM_LZF_MAX}, or the data is not clean LZF of that length (the caller's JS walk then reports why).
 */
export function lzfDecompressWasm(input: Uint8Array, outputLength: number): Uint8Array | undefined {
  if (kernel === undefined || input.length > WASM_LZF_MAX || outputLength > WASM_LZF_MAX) return undefined;
  const outStart = (input.length + 15) & ~7; // 8 bytes of slack: whole-word reads may pass the input's end
  const need = outStart + outputLength;
  let buffer = kernel.memory.buffer;
  if (buffer.byteLength < need + SLACK) {
    kernel.memory.grow(Math.ceil((need + SLACK - buffer.byteLength) / 65536));
    buffer = kernel.memory.buffer;
  }
  const view = new Uint8Array(buffer);
  view.set(input, 0);
  const end = kernel.run(0, input.length, outStart, need);
  return end === need ? view.subarray(outStart, need) : undefined;
}
