#!/usr/bin/env node
// The `event-gateway` CLI. It is TypeScript run by tsx, like everything local, so there is no build
// step: `npm ci` and `npx event-gateway --help` work at once. The repo's tsconfig is named
// explicitly so the CLI behaves the same from any working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run under Node 20 about its future support policy; for a CLI whose
// stderr carries its own messages that is noise (the engines field already says what is supported).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../local/cli/main.ts');
await main();
