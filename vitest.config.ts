import { defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `npm test`:
 * - unit: no external process (the bulk; `npm run test:unit` for a fast loop);
 * - oracle: tests that run real programs — redis-server, redis-check-rdb, redis-check-aof, the lz4 tool,
 *   and our own CLI — in files named `*.oracle.test.ts`.
 * Timeouts come from measured durations on a busy 2-core machine (see README), with a wide margin; tests
 * that are known to be long set their own.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.oracle.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'oracle',
          include: ['test/**/*.oracle.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
