/** Prebundles the workflows beside worker/main.ts, where the worker finds them (no webpack at start). */
import { fileURLToPath } from 'node:url';
import { prebundleWorkflows } from 'temporal-event-gateway/worker';

const path = await prebundleWorkflows({
  workflowsPath: fileURLToPath(new URL('../worker/workflows/index.ts', import.meta.url)),
  outDir: fileURLToPath(new URL('../worker', import.meta.url)),
});
console.log(`wrote ${path}`);
