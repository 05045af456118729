import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporal's native runtime is per process: forks keep each test file's workers isolated.
    pool: 'forks',
    // Tests that start real servers need a little more than the default.
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // A first run may build the Temporal CLI (minutes) in globalSetup.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
