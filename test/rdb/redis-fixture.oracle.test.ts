/** The fixtures in a real redis-server. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { readRdbAll } from '../../src/rdb/reader.js';
import { describeWithRedis, loadRdbDigest } from '../support/redis.js';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

describeWithRedis('fixtures load in a real redis-server', () => {
  it('redis-7.0-all-types.rdb loads with the key count we read', async () => {
    const records = readRdbAll(new Uint8Array(readFileSync(`${fixtures}redis-7.0-all-types.rdb`)));
    const loaded = await loadRdbDigest(`${fixtures}redis-7.0-all-types.rdb`);
    const now = Date.now();
    const live = records.filter((r) => r.kind === 'key' && (r.expireMs === undefined || r.expireMs > now)).length;
    expect(loaded.keys).toBe(live);
  });
});
