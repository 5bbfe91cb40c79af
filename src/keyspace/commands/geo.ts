// cspell:words geoadd geohash georadius georadiusbymember geosearchstore storedist
import { bin } from '../bytes.js';
import type { ZsetValue } from '../types/zset.js';
import { ReplyError, SYNTAX, arg, double, int64, key, lookupZset, opt } from './common.js';
import type { Context, Handler } from './common.js';
import { storeZset, zsetCommands } from './zsets.js';

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

// ---------------------------------------------------------------------------------------------
// GEORADIUS … STORE / STOREDIST, GEORADIUSBYMEMBER … STORE, GEOSEARCHSTORE (geo.c, geohash.c,
// geohash_helper.c): the same 9 geohash boxes, the same score ranges scanned in the same order, the same
// haversine distances in doubles.

const MASK64 = (1n << 64n) - 1n;
const D_R = Math.PI / 180.0;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

interface GeoHash {
  bits: bigint;
  step: number;
}

interface Area {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

interface Shape {
  circle: boolean;
  lon: number;
  lat: number;
  radius: number;
  width: number;
  height: number;
  conversion: number;
}

const ZERO_HASH: GeoHash = { bits: 0n, step: 0 };

function encodeStep(lon: number, lat: number, step: number): GeoHash {
  const scale = 2 ** step;
  const latOffset = ((lat - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN)) * scale;
  const lonOffset = ((lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN)) * scale;
  const x = BigInt(Math.trunc(latOffset) >>> 0);
  const y = BigInt(Math.trunc(lonOffset) >>> 0);
  return { bits: spread(x) | (spread(y) << 1n), step };
}

/** deinterleave64: [latitude bits, longitude bits]. */
function deinterleave(bits: bigint): [number, number] {
  let lat = 0;
  let lon = 0;
  for (let i = 0; i < 32; i++) {
    if ((bits >> BigInt(2 * i)) & 1n) lat += 2 ** i;
    if ((bits >> BigInt(2 * i + 1)) & 1n) lon += 2 ** i;
  }
  return [lat, lon];
}

function decodeArea(hash: GeoHash): Area {
  const [latIndex, lonIndex] = deinterleave(hash.bits);
  const scale = 2 ** hash.step;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  return {
    latMin: GEO_LAT_MIN + (latIndex / scale) * latScale,
    latMax: GEO_LAT_MIN + ((latIndex + 1) / scale) * latScale,
    lonMin: GEO_LONG_MIN + (lonIndex / scale) * lonScale,
    lonMax: GEO_LONG_MIN + ((lonIndex + 1) / scale) * lonScale,
  };
}

/** decodeGeohash of a score: the centre of its step-26 box, clamped to the valid range. */
function decodeScore(score: number): [number, number] | undefined {
  if (!Number.isFinite(score)) return undefined;
  const bits = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  const a = decodeArea({ bits, step: GEO_STEP_MAX });
  let x = (a.lonMin + a.lonMax) / 2;
  let y = (a.latMin + a.latMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

function moveX(hash: GeoHash, d: number): GeoHash {
  if (d === 0) return hash;
  let x = hash.bits & 0xaaaaaaaaaaaaaaaan;
  const y = hash.bits & 0x5555555555555555n;
  const zz = 0x5555555555555555n >> BigInt(64 - hash.step * 2);
  if (d > 0) x = (x + (zz + 1n)) & MASK64;
  else {
    x |= zz;
    x = (x - (zz + 1n)) & MASK64;
  }
  x &= 0xaaaaaaaaaaaaaaaan >> BigInt(64 - hash.step * 2);
  return { bits: x | y, step: hash.step };
}

function moveY(hash: GeoHash, d: number): GeoHash {
  if (d === 0) return hash;
  const x = hash.bits & 0xaaaaaaaaaaaaaaaan;
  let y = hash.bits & 0x5555555555555555n;
  const zz = 0xaaaaaaaaaaaaaaaan >> BigInt(64 - hash.step * 2);
  if (d > 0) y = (y + (zz + 1n)) & MASK64;
  else {
    y |= zz;
    y = (y - (zz + 1n)) & MASK64;
  }
  y &= 0x5555555555555555n >> BigInt(64 - hash.step * 2);
  return { bits: x | y, step: hash.step };
}

interface Neighbors {
  north: GeoHash;
  south: GeoHash;
  east: GeoHash;
  west: GeoHash;
  northEast: GeoHash;
  northWest: GeoHash;
  southEast: GeoHash;
  southWest: GeoHash;
}

function neighborsOf(h: GeoHash): Neighbors {
  return {
    east: moveX(h, 1),
    west: moveX(h, -1),
    south: moveY(h, -1),
    north: moveY(h, 1),
    northWest: moveY(moveX(h, -1), 1),
    northEast: moveY(moveX(h, 1), 1),
    southEast: moveY(moveX(h, 1), -1),
    southWest: moveY(moveX(h, -1), -1),
  };
}

function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let range = rangeMeters;
  let step = 1;
  while (range < MERCATOR_MAX) {
    range *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

function boundingBox(shape: Shape): [number, number, number, number] {
  const height = shape.conversion * (shape.circle ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.circle ? shape.radius : shape.width / 2);
  const latDelta = height / EARTH_RADIUS_IN_METERS / D_R;
  const lonDeltaTop = width / EARTH_RADIUS_IN_METERS / Math.cos((shape.lat + latDelta) * D_R) / D_R;
  const lonDeltaBottom = width / EARTH_RADIUS_IN_METERS / Math.cos((shape.lat - latDelta) * D_R) / D_R;
  const southern = shape.lat < 0;
  return [
    southern ? shape.lon - lonDeltaBottom : shape.lon - lonDeltaTop,
    shape.lat - latDelta,
    southern ? shape.lon + lonDeltaBottom : shape.lon + lonDeltaTop,
    shape.lat + latDelta,
  ];
}

/** geohashCalculateAreasByShapeWGS84: the centre box and its (useful) neighbors, in Redis's search order. */
function searchBoxes(shape: Shape): GeoHash[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  let radiusMeters = shape.circle ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;
  let steps = estimateSteps(radiusMeters, shape.lat);
  let hash = encodeStep(shape.lon, shape.lat, steps);
  let n = neighborsOf(hash);
  let area = decodeArea(hash);
  let decrease = false;
  if (decodeArea(n.north).latMax < maxLat) decrease = true;
  if (decodeArea(n.south).latMin > minLat) decrease = true;
  if (decodeArea(n.east).lonMax < maxLon) decrease = true;
  if (decodeArea(n.west).lonMin > minLon) decrease = true;
  if (steps > 1 && decrease) {
    steps--;
    hash = encodeStep(shape.lon, shape.lat, steps);
    n = neighborsOf(hash);
    area = decodeArea(hash);
  }
  if (steps >= 2) {
    if (area.latMin < minLat) n.south = n.southWest = n.southEast = ZERO_HASH;
    if (area.latMax > maxLat) n.north = n.northEast = n.northWest = ZERO_HASH;
    if (area.lonMin < minLon) n.west = n.southWest = n.northWest = ZERO_HASH;
    if (area.lonMax > maxLon) n.east = n.southEast = n.northEast = ZERO_HASH;
  }
  return [hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(lat2 * D_R - lat1 * D_R);
}

function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = lon1 * D_R;
  const lon2r = lon2 * D_R;
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = lat1 * D_R;
  const lat2r = lat2 * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** geoWithinShape: the distance from the shape's centre, or undefined when outside. */
function withinShape(shape: Shape, score: number): number | undefined {
  const xy = decodeScore(score);
  if (!xy) return undefined;
  if (shape.circle) {
    const d = distance(shape.lon, shape.lat, xy[0], xy[1]);
    return d > shape.radius * shape.conversion ? undefined : d;
  }
  if (latDistance(xy[1], shape.lat) > (shape.height * shape.conversion) / 2) return undefined;
  if (distance(xy[0], xy[1], shape.lon, xy[1]) > (shape.width * shape.conversion) / 2) return undefined;
  return distance(shape.lon, shape.lat, xy[0], xy[1]);
}

interface GeoPoint {
  member: string;
  score: number;
  dist: number;
}

/** membersOfAllNeighbors: the points inside the shape, box by box, stopping at `limit` (ANY). */
function searchPoints(zset: ZsetValue, shape: Shape, limit: number): GeoPoint[] {
  const out: GeoPoint[] = [];
  const boxes = searchBoxes(shape);
  let last = 0;
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i] as GeoHash;
    if (box.bits === 0n && box.step === 0) continue;
    const prev = boxes[last] as GeoHash;
    if (last && box.bits === prev.bits && box.step === prev.step) continue;
    if (out.length && limit && out.length >= limit) break;
    const shift = BigInt(52 - box.step * 2);
    const min = Number(box.bits << shift);
    const max = Number((box.bits + 1n) << shift);
    const first = zset.firstByScore(min, false);
    const lastRank = zset.lastByScore(max, true);
    if (first <= lastRank) {
      for (const [member, score] of zset.range(first, lastRank)) {
        const d = withinShape(shape, score);
        if (d !== undefined) out.push({ member, score, dist: d });
        if (out.length && limit && out.length >= limit) break;
      }
    }
    last = i;
  }
  return out;
}

function unit(a: Uint8Array): number {
  switch (opt(a)) {
    case 'M':
      return 1;
    case 'KM':
      return 1000;
    case 'FT':
      return 0.3048;
    case 'MI':
      return 1609.34;
    default:
      throw new ReplyError('ERR unsupported unit provided. please use M, KM, FT, MI');
  }
}

function distanceArgs(value: Uint8Array, unitArg: Uint8Array): [number, number] {
  const d = double(value, 'ERR need numeric radius');
  if (d < 0) throw new ReplyError('ERR radius cannot be negative');
  return [d, unit(unitArg)];
}

type SearchKind = 'coords' | 'member' | 'search';

/** georadiusGeneric, for the forms that store (a GEORADIUS without STORE only reads). */
function georadiusGeneric(kind: SearchKind): Handler {
  return (c, argv) => {
    const srcAt = kind === 'search' ? 2 : 1;
    const zset = lookupZset(c.db, key(argv, srcAt));
    const shape: Shape = { circle: true, lon: 0, lat: 0, radius: 0, width: 0, height: 0, conversion: 1 };
    let base: number;
    let storeKey: string | undefined;
    let storedist = false;
    if (kind === 'coords') {
      base = 6;
      [shape.lon, shape.lat] = longLat(arg(argv, 2), arg(argv, 3));
      [shape.radius, shape.conversion] = distanceArgs(arg(argv, 4), arg(argv, 5));
    } else if (kind === 'member') {
      base = 5;
      if (zset) {
        const s = zset.score(bin(arg(argv, 2)));
        const xy = s === undefined ? undefined : decodeScore(s);
        if (!xy) throw new ReplyError('ERR could not decode requested zset member');
        [shape.lon, shape.lat] = xy;
        [shape.radius, shape.conversion] = distanceArgs(arg(argv, 3), arg(argv, 4));
      }
    } else {
      base = 3;
      storeKey = key(argv, 1);
    }
    let withAny = false;
    let count = 0n;
    let sort: 'none' | 'asc' | 'desc' = 'none';
    let withOutput = false;
    let fromMember = false;
    let fromLoc = false;
    let byRadius = false;
    let byBox = false;
    const remaining = argv.length - base;
    for (let i = 0; i < remaining; i++) {
      const a = argv[base + i] as Uint8Array;
      const o = opt(a);
      const more = i + 1 < remaining;
      if (o === 'WITHDIST' || o === 'WITHHASH' || o === 'WITHCOORD') withOutput = true;
      else if (o === 'ANY') withAny = true;
      else if (o === 'ASC') sort = 'asc';
      else if (o === 'DESC') sort = 'desc';
      else if (o === 'COUNT' && more) {
        count = int64(argv[base + i + 1] as Uint8Array);
        if (count <= 0n) throw new ReplyError('ERR COUNT must be > 0');
        i++;
      } else if ((o === 'STORE' || o === 'STOREDIST') && more && kind !== 'search') {
        storeKey = key(argv, base + i + 1);
        storedist = o === 'STOREDIST';
        i++;
      } else if (o === 'STOREDIST' && kind === 'search') storedist = true;
      else if (o === 'FROMMEMBER' && more && kind === 'search' && !fromLoc) {
        if (zset) {
          const s = zset.score(bin(argv[base + i + 1] as Uint8Array));
          const xy = s === undefined ? undefined : decodeScore(s);
          if (!xy) throw new ReplyError('ERR could not decode requested zset member');
          [shape.lon, shape.lat] = xy;
        }
        fromMember = true;
        i++;
      } else if (o === 'FROMLONLAT' && i + 2 < remaining && kind === 'search' && !fromMember) {
        [shape.lon, shape.lat] = longLat(argv[base + i + 1] as Uint8Array, argv[base + i + 2] as Uint8Array);
        fromLoc = true;
        i += 2;
      } else if (o === 'BYRADIUS' && i + 2 < remaining && kind === 'search' && !byBox) {
        [shape.radius, shape.conversion] = distanceArgs(argv[base + i + 1] as Uint8Array, argv[base + i + 2] as Uint8Array);
        shape.circle = true;
        byRadius = true;
        i += 2;
      } else if (o === 'BYBOX' && i + 3 < remaining && kind === 'search' && !byRadius) {
        const w = double(argv[base + i + 1] as Uint8Array, 'ERR need numeric width');
        const h = double(argv[base + i + 2] as Uint8Array, 'ERR need numeric height');
        if (h < 0 || w < 0) throw new ReplyError('ERR height or width cannot be negative');
        shape.width = w;
        shape.height = h;
        shape.conversion = unit(argv[base + i + 3] as Uint8Array);
        shape.circle = false;
        byBox = true;
        i += 3;
      } else throw new ReplyError(SYNTAX);
    }
    if (storeKey !== undefined && withOutput) throw new ReplyError('ERR STORE option is not compatible with WITHDIST, WITHHASH and WITHCOORD options');
    if (kind === 'search' && !(fromMember || fromLoc)) throw new ReplyError('ERR exactly one of FROMMEMBER or FROMLONLAT can be specified');
    if (kind === 'search' && !(byRadius || byBox)) throw new ReplyError('ERR exactly one of BYRADIUS and BYBOX can be specified');
    if (withAny && count === 0n) throw new ReplyError('ERR the ANY argument requires COUNT argument');
    if (storeKey === undefined) return; // a plain search reads only
    if (!zset) {
      c.db.delete(storeKey);
      return;
    }
    if (count !== 0n && sort === 'none' && !withAny) sort = 'asc';
    const limit = withAny ? Number(count) : 0;
    const points = searchPoints(zset, shape, limit);
    if (sort !== 'none') points.sort((a, b) => (sort === 'asc' ? a.dist - b.dist : b.dist - a.dist));
    const n = count === 0n || BigInt(points.length) < count ? points.length : Number(count);
    storeZset(c, storeKey, points.slice(0, n).map((p) => [p.member, storedist ? p.dist / shape.conversion : p.score] as [string, number]));
  };
}

/** The write commands of geo.c. */
export const geoCommands: Record<string, Handler> = {
  geoadd,
  georadius: georadiusGeneric('coords'),
  georadiusbymember: georadiusGeneric('member'),
  geosearchstore: georadiusGeneric('search'),
};
