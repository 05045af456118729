/**
 * Node.js 24, the default Lambda runtime and the worker image's: the first of the runtimes
 * local/node-runtime.ts fetches from npm, under the names the suites have always used.
 */
import { cachedNodeRuntimeDir, ensureNodeRuntime, NODE_RUNTIME_VERSIONS } from './node-runtime';
import type { BuildLog } from './tool-build';

export const NODE24_VERSION = NODE_RUNTIME_VERSIONS[24];

/** The unpacked package: `bin/node`, `include/node` (headers for node-gyp). */
export const cachedNode24Dir = (): string => cachedNodeRuntimeDir(24);

/** The Node 24 binary, fetched from npm first when the cache has none (seconds, once). */
export const ensureNode24 = (log?: BuildLog): Promise<string> => ensureNodeRuntime(24, log);
