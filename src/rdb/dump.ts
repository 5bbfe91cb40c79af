import { ByteWriter } from '../bytes/writer.js';
import { crc64 } from '../codecs/crc64.js';
import { RdbType } from './constants.js';
import { writeLength } from './primitives.js';

/*
 * The payload of DUMP / RESTORE (redis/redis src/cluster.c createDumpPayload, verifyDumpPayload): the value
 * as an RDB would store it — its type byte, then the object — followed by a 2-byte RDB version and an 8-byte
 * CRC64 of everything before it, both little-endian. RESTORE refuses a payload whose version is above the
 * server's RDB version or whose checksum does not match.
 */

/** Length of the footer: RDB version (2 bytes) and CRC64 (8 bytes). */
export const DUMP_FOOTER_LENGTH = 10;

/**
 * A DUMP payload from the pieces of a serialised value (type byte and object, as an RDB holds them): the
 * pieces, the RDB version (little-endian u16) and the CRC64 of both (little-endian). Throws RangeError for a
 * version outside 0..65535.
 */
export function dumpPayload(pieces: readonly Uint8Array[], rdbVersion: number): Uint8Array {
  if (!Number.isInteger(rdbVersion) || rdbVersion < 0 || rdbVersion > 0xffff) throw new RangeError(`RDB version ${rdbVersion} does not fit a DUMP payload`);
  let size = DUMP_FOOTER_LENGTH;
  for (const piece of pieces) size += piece.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  out[at] = rdbVersion & 0xff;
  out[at + 1] = rdbVersion >>> 8;
  at += 2;
  new DataView(out.buffer, out.byteOffset + at, 8).setBigUint64(0, crc64(out.subarray(0, at)), true);
  return out;
}

/**
 * The DUMP payload of a module value (type 7, MODULE_2): the type byte, the module type id as an RDB length,
 * and the module's serialised body (its opcodes and operands through the EOF opcode, as a `module` value
 * chunk holds it), then the footer of {@link dumpPayload}.
 */
export function moduleDumpPayload(moduleId: bigint, body: Uint8Array, rdbVersion: number): Uint8Array {
  const head = new ByteWriter({ chunkSize: 64 });
  head.u8(RdbType.MODULE_2);
  writeLength(head, moduleId);
  return dumpPayload([...head.take(), body], rdbVersion);
}
