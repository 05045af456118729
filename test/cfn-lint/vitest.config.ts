/**
 * `npm run test:cfn-lint`: AWS's CloudFormation linter over every deployment variant's templates
 * (`*.cfn-lint.ts`, which the main config's `*.test.ts` glob leaves out: the first run installs
 * cfn-lint from PyPI into the tool cache, and each run synthesizes every variant).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/cfn-lint/**/*.cfn-lint.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
