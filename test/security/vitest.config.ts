/**
 * `npm run test:security`: the trust-boundary attacks against a real local stack (Temporal dev
 * server, ElasticMQ, the gateway and the worker as their own processes). Files are `*.security.ts`,
 * so `npm test` leaves them to this suite; one file at a time, each starts its own stack.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/security/**/*.security.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
