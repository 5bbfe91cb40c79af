// cspell:words geoadd geohash georadius georadiusbymember geosearchstore storedist
import { NotReplayable, ReplyError, SYNTAX, double, opt } from './common.js';
import type { Context, Handler } from './common.js';
import { zsetCommands } from './zsets.js';

/*
 * GEOADD stores each member in a sorted set with its 52-bit geohash as the score, computed as geohash.c does:
 * offsets in doubles scaled by 2^26, truncated to 32-bit integers, bits interleaved (latitude on even bits).
 */

export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
const GEO_STEP_MAX = 26;

function spread(v: bigint): bigint {
  let x = v;
  x = (x | (x << 16n)) & 0x0000ffff0000ffffn;
  x = (x | (x << 8n)) & 0x00ff00ff00ff00ffn;
  x = (x | (x << 4n)) & 0x0f0f0f0f0f0f0f0fn;
  x = (x | (x << 2n)) & 0x3333333333333333n;
  x = (x | (x << 1n)) & 0x5555555555555555n;
  return x;
}

/** geohashEncodeWGS84 at step 26, aligned to 52 bits (GEOADD's score), as an exact integer. */
export function geohashBits(longitude: number, latitude: number): bigint {
  let latOffset = (latitude - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN);
  let longOffset = (longitude - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN);
  latOffset *= 2 ** GEO_STEP_MAX;
  longOffset *= 2 ** GEO_STEP_MAX;
  const x = BigInt(Math.trunc(latOffset) >>> 0);
  const y = BigInt(Math.trunc(longOffset) >>> 0);
  return spread(x) | (spread(y) << 1n);
}

/** The score GEOADD stores: the geohash as a decimal integer parsed back as a double. */
export function geohashScore(longitude: number, latitude: number): number {
  return Number(geohashBits(longitude, latitude));
}

/** extractLongLatOrReply. */
export function longLat(lonArg: Uint8Array, latArg: Uint8Array): [number, number] {
  const lon = double(lonArg);
  const lat = double(latArg);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw new ReplyError(`ERR invalid longitude,latitude pair ${lon.toFixed(6)},${lat.toFixed(6)}`);
  }
  return [lon, lat];
}

const enc = new TextEncoder();

/** GEOADD key [NX|XX] [CH] lon lat member …: rewritten into ZADD with geohash scores, as Redis does. */
function geoadd(c: Context, argv: Uint8Array[]): void {
  let xx = false;
  let nx = false;
  let at = 2;
  for (; at < argv.length; at++) {
    const o = opt(argv[at]);
    if (o === 'NX') nx = true;
    else if (o === 'XX') xx = true;
    else if (o !== 'CH') break;
  }
  if ((argv.length - at) % 3 !== 0 || (xx && nx)) throw new ReplyError(SYNTAX);
  const zadd: Uint8Array[] = [enc.encode('zadd'), ...argv.slice(1, at)];
  for (let i = at; i < argv.length; i += 3) {
    const [lon, lat] = longLat(argv[i] as Uint8Array, argv[i + 1] as Uint8Array);
    zadd.push(enc.encode(geohashBits(lon, lat).toString()), argv[i + 2] as Uint8Array);
  }
  (zsetCommands.zadd as Handler)(c, zadd);
}

function geoStore(): void {
  throw new NotReplayable('GEORADIUS/GEOSEARCHSTORE with STORE are not replayed yet');
}

/** The write commands of geo.c. */
export const geoCommands: Record<string, Handler> = {
  geoadd,
  georadius: geoStore,
  georadiusbymember: geoStore,
  geosearchstore: geoStore,
};
