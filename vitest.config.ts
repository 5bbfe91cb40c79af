import { defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `npm test`:
 * - unit: no external process (the bulk; `npm run test:unit` for a fast loop);
 * - oracle: tests that run real programs — redis-server, redis-check-rdb, redis-check-aof, the lz4 tool,
 *   and our own CLI — in files named `*.oracle.test.ts`.
 * Timeouts come from durations measured on a 2-core machine at load ~10 (other work running), with a wide
 * margin: unit tests take at most ~15 s there (60 s); the long oracle suites set their own: verdict
 * agreement 347 s (900 s), set-check 132 s (400 s), check-aof 38 s (300 s); the rest take under 10 s (120 s).
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
