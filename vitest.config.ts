import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Real servers on real ports: keep files in separate processes, but not too many at once on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
