#!/usr/bin/env node
// The `event-gateway` CLI. Inside this repository it is TypeScript run by tsx, so there is no build
// step: `npm ci` and `npx event-gateway --help` work at once (the repo's tsconfig is named
// explicitly so the CLI behaves the same from any working directory). The installed package has no
// sources and no tsx: there it runs the compiled CLI the package build wrote to dist/lib.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The AWS SDK warns on every run under Node 20 about its future support policy; for a CLI whose
// stderr carries its own messages that is noise (the engines field already says what is supported).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const sources = new URL('../local/cli/main.ts', import.meta.url);
let cli;
if (existsSync(fileURLToPath(sources))) {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  cli = await import(sources.href);
} else {
  cli = await import('../dist/lib/local/cli/main.js');
}
await cli.main();
