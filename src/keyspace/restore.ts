// cspell:words rdbver
import { crc64 } from '../codecs/crc64.js';
import { RedbackError } from '../errors.js';
import { REDIS_RDB_VERSION_MAX, VALKEY_RDB_VERSIONS } from '../rdb/constants.js';
import type { RdbRecord } from '../rdb/model.js';
import { readRdbSync } from '../rdb/reader.js';
import { NotReplayable, ReplyError } from './commands/common.js';
import { Keyspace } from './model.js';
import type { KeyspaceConfig, Value } from './model.js';
import { RdbLoader } from './rdb-loader.js';

/*
 * DUMP payloads: an object as the RDB stores it (type byte, body), then the RDB version as 2 bytes
 * little-endian and a CRC64 (Jones) of everything before it, 8 bytes little-endian. The payload is checked
 * like Redis's verifyDumpPayload, then wrapped in a one-key RDB (header with the payload's version, the type
 * byte, a key name, the body, EOF, a zero checksum) and read with the RDB reader, so every object encoding the
 * reader knows is accepted.
 */

const BAD_VERSION = 'ERR DUMP payload version or checksum are wrong';
const BAD_FORMAT = 'ERR Bad data format';

/** verifyDumpPayload: the payload's RDB version, or a ReplyError. */
export function verifyDumpPayload(payload: Uint8Array): number {
  if (payload.length < 10) throw new ReplyError(BAD_VERSION);
  const footer = payload.length - 10;
  const version = (payload[footer] as number) | ((payload[footer + 1] as number) << 8);
  const known = version <= REDIS_RDB_VERSION_MAX || (VALKEY_RDB_VERSIONS as readonly number[]).includes(version);
  if (!known) throw new ReplyError(BAD_VERSION);
  const crc = crc64(payload.subarray(0, payload.length - 8));
  let stored = 0n;
  for (let i = 7; i >= 0; i--) stored = (stored << 8n) | BigInt(payload[payload.length - 8 + i] as number);
  if (crc !== stored) throw new ReplyError(BAD_VERSION);
  return version;
}

function header(version: number): Uint8Array {
  const magic = version >= 80 ? `VALKEY${String(version).padStart(3, '0')}` : `REDIS${String(version).padStart(4, '0')}`;
  return new TextEncoder().encode(magic);
}

/** Wraps RDB body bytes between a header and an EOF with a zero (disabled) checksum. */
function syntheticRdb(version: number, body: Uint8Array): Uint8Array {
  const head = header(version);
  const trailer = version >= 5 ? 9 : 1;
  const out = new Uint8Array(head.length + body.length + trailer);
  out.set(head);
  out.set(body, head.length);
  out[head.length + body.length] = 0xff;
  return out;
}

function readAll(data: Uint8Array): RdbRecord[] {
  try {
    return [...readRdbSync(data, { verifyChecksum: false, deep: false, file: 'DUMP payload' })];
  } catch (error) {
    if (error instanceof RedbackError) throw new ReplyError(BAD_FORMAT);
    throw error;
  }
}

/**
 * The value a DUMP payload holds (RESTORE). ReplyError for what Redis refuses. A module value is kept as the
 * module serialised it (the server that wrote the AOF had the module, and its RESTORE succeeded).
 */
export function decodeDumpPayload(payload: Uint8Array, config: KeyspaceConfig): Value {
  const version = verifyDumpPayload(payload);
  const object = payload.subarray(0, payload.length - 10);
  if (object.length < 1) throw new ReplyError(BAD_FORMAT);
  // type byte, key "k" (length 1), body
  const body = new Uint8Array(object.length + 2);
  body[0] = object[0] as number;
  body[1] = 1;
  body[2] = 0x6b;
  body.set(object.subarray(1), 3);
  const records = readAll(syntheticRdb(version, body));
  if (!records.some((r) => r.kind === 'eof')) throw new ReplyError(BAD_FORMAT);
  const scratch = new Keyspace(config);
  const loader = new RdbLoader(scratch);
  for (const r of records) loader.accept(r);
  const value = scratch.db(0).get('k');
  if (value === undefined) throw new ReplyError(BAD_FORMAT);
  if (typeof value === 'object' && 'type' in value && value.type === 'module' && value.raw === undefined) {
    throw new NotReplayable('RESTORE of a module value needs the module', 'modules cannot be replayed offline');
  }
  return value;
}

/** The function libraries a FUNCTION DUMP payload holds (FUNCTION RESTORE): names and codes. */
export function decodeFunctionPayload(payload: Uint8Array): { library: string; engine: string; code: Uint8Array }[] {
  const version = verifyDumpPayload(payload);
  const body = payload.subarray(0, payload.length - 10);
  const records = readAll(syntheticRdb(version, body));
  const out: { library: string; engine: string; code: Uint8Array }[] = [];
  for (const r of records) {
    if (r.kind === 'function') out.push({ library: r.library ?? '', engine: r.engine ?? '', code: r.code.slice() });
    else if (r.kind !== 'header' && r.kind !== 'eof') throw new ReplyError('ERR given type is not a function');
  }
  return out;
}
