/**
 * `npm run test:self-hosted`: the gateway and the worker against the self-hosted Temporal Server
 * (built from its Go module on first use, minutes) with TLS and client-certificate verification.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/self-hosted/**/*.selfhosted.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
