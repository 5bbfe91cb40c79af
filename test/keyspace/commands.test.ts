/**
 * Per-command semantics: every scenario runs on a real redis-server and in the replay engine; the state each
 * leaves behind (types, values, absolute expiries, stream metadata, groups, PELs, consumers, functions) must be
 * the same. Times a command takes from "now" (relative TTLs, XCLAIM without TIME) are compared within a few
 * seconds; everything else exactly — HyperLogLog strings byte for byte, GEO scores to the bit.
 */
// cspell:words keyspace
import { afterAll, beforeAll, expect, it } from 'vitest';
import { replayCommands } from '../../src/keyspace/replay.js';
import { compareStates, modelState, serverState } from '../support/keyspace-state.js';
import { describeWithRedis, startRedis } from '../support/redis.js';
import type { RedisHandle } from '../support/redis.js';
import { scenarios } from './scenarios.js';

describeWithRedis('replay engine against redis-server, command by command', () => {
  let server: RedisHandle;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      await server.callMany([['FLUSHALL'], ['FUNCTION', 'FLUSH'], ['SELECT', '0']]);
      const now = Date.now();
      await server.callMany(scenario.commands).catch(() => undefined);
      await server.call('SELECT', '0');
      const expected = await serverState(server);
      const { keyspace } = replayCommands(scenario.commands, { now, skipUnsupported: true });
      const actual = modelState(keyspace);
      expect(compareStates(expected, actual, { timeToleranceMs: 5_000 })).toEqual([]);
    });
  }
});
