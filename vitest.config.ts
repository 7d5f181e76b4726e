import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous on purpose: each wait inside a test has its own bound and message; these only catch a
    // test that hangs, and a test with several waits takes a while on a machine busy with other work.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real servers on real ports: keep files in separate processes, but not too many at once on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
