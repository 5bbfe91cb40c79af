/** The command table against the running redis-server it was generated from. */
import { expect, it } from 'vitest';
import { commandRows } from '../../src/aof/command-table.js';
import { describeWithRedis, startRedis } from '../support/redis.js';

describeWithRedis('the command table matches the Redis it was generated from', () => {
  it('has the arity COMMAND INFO reports for every command of the running redis-server', async () => {
    const server = await startRedis();
    try {
      const info = (await server.call('COMMAND', 'INFO')) as unknown as [Buffer, number][];
      const ours = new Map(commandRows.map(([name, arity]) => [name, arity]));
      for (const [name, arity] of info) expect(ours.get(name.toString()), name.toString()).toBe(Number(arity));
    } finally {
      await server.stop();
    }
  });
});
