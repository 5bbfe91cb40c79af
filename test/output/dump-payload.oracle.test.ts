import { expect, it } from 'vitest';
import { dumpPayload } from '../../src/rdb/dump.js';
import { describeWithRedis, makeTempDir, startRedis } from '../support/redis.js';

describeWithRedis('DUMP payloads as Redis makes them', () => {
  it('the footer and CRC64 of dumpPayload are those of DUMP', async () => {
    const server = await startRedis({ dir: await makeTempDir() });
    try {
      await server.call('RPUSH', 'k', 'a', 'b', '12');
      const dumped = (await server.call('DUMP', 'k')) as Buffer;
      const version = dumped.readUInt16LE(dumped.length - 10);
      expect(Buffer.from(dumpPayload([dumped.subarray(0, dumped.length - 10)], version))).toEqual(dumped);
    } finally {
      await server.stop();
    }
  });
});

