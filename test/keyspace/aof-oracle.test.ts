/**
 * The replay oracle: a seeded random workload drives a real redis-server with appendonly yes (with and
 * without the RDB preamble, with BGREWRITEAOF twice in the middle, the second while writes go on); then the
 * AOF the server wrote is replayed by the engine, and the state must equal what a fresh redis-server makes of
 * the same AOF — exactly, except consumers' seen times, which both take from the moment of loading.
 */
// cspell:words appendonly bgrewriteaof keyspace
import { expect, it } from 'vitest';
import { replayAof } from '../../src/keyspace/replay.js';
import { compareStates, modelState, serverState } from '../support/keyspace-state.js';
import { describeWithRedis, startRedis } from '../support/redis.js';
import { aofOfServer, generateWorkload, runWorkload, splitWorkload, startFromAof, waitForRewrite } from '../support/workload.js';
import type { RedisArg } from '../support/redis.js';

const SEEDS = (process.env.REDBACK_SEEDS ?? '1,2,3,4').split(',').map(Number);

describeWithRedis('replaying the AOF a real server wrote', () => {
  for (const preamble of [true, false]) {
    for (const seed of SEEDS) {
      it(`seed ${seed}, ${preamble ? 'RDB preamble' : 'RESP base'}`, async () => {
        const server = await startRedis({ appendonly: true, extraConfig: { 'aof-use-rdb-preamble': preamble ? 'yes' : 'no', 'aof-timestamp-enabled': 'yes' } });
        try {
          const commands = generateWorkload({ seed: seed * 7919 + (preamble ? 1 : 0), commands: 1200 });
          const [part1, part2, part3] = splitWorkload(commands, 3) as [RedisArg[][], RedisArg[][], RedisArg[][]];
          await runWorkload(server, part1);
          await server.call('BGREWRITEAOF');
          await waitForRewrite(server);
          await runWorkload(server, part2);
          await server.call('BGREWRITEAOF');
          await runWorkload(server, part3);
          const aofDir = await aofOfServer(server);
          const original = await serverState(server);
          const loaded = await startFromAof(aofDir);
          let fromAof;
          try {
            fromAof = await serverState(loaded);
          } finally {
            await loaded.stop();
          }
          const { keyspace, report } = await replayAof(aofDir);
          const replayed = modelState(keyspace);
          expect(report.skipped).toEqual({});
          expect(compareStates(fromAof, replayed, { ignoreSeenTime: true })).toEqual([]);
          // The original server differs from any load of its AOF only where Redis's own loading does:
          // groups' entries-read, and -0 scores in sorted sets rebuilt as listpacks.
          expect(compareStates(original, replayed, { ignoreSeenTime: true, ignoreEntriesRead: true, ignoreZeroSign: true })).toEqual([]);
        } finally {
          await server.stop();
        }
      });
    }
  }
});
