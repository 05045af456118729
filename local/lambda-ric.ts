/**
 * AWS's Node.js Runtime Interface Client (`aws-lambda-ric` on npm), the piece of the Lambda Node
 * runtime that talks to the Runtime API. Its native addon is compiled (node-gyp, cmake, a C++
 * compiler) against each cached Node runtime (24, 26), once per runtime: about 3–4 minutes on 2 cores.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { ensureNodeRuntime, NODE_RUNTIME_VERSIONS, type NodeRuntimeMajor } from './node-runtime';
import { buildOnce, onPath, runStep, ToolBuildError, type BuildLog } from './tool-build';

export const LAMBDA_RIC_VERSION = '4.0.2';

export const cachedLambdaRicDir = (major: NodeRuntimeMajor = 24): string =>
  toolCacheDir('aws-lambda-ric', `${LAMBDA_RIC_VERSION}-node${NODE_RUNTIME_VERSIONS[major]}`);

/** The runtime client's entry point (`index.mjs`), built for Node `major` first when absent. */
export async function ensureLambdaRic(major: NodeRuntimeMajor = 24, log?: BuildLog): Promise<string> {
  const node = await ensureNodeRuntime(major, log);
  const npm = onPath('npm');
  if (!npm) throw new ToolBuildError('Building aws-lambda-ric needs npm on PATH.');
  for (const tool of ['make', 'cmake', 'g++']) {
    if (!onPath(tool))
      throw new ToolBuildError(`Building aws-lambda-ric's native addon needs ${tool} on PATH.`);
  }
  const nodeBin = dirname(node);
  const dir = await buildOnce(
    cachedLambdaRicDir(major),
    `aws-lambda-ric@${LAMBDA_RIC_VERSION} for Node ${NODE_RUNTIME_VERSIONS[major]}`,
    async (staging) => {
      // Its own package.json, so npm installs here and never into a project found further up.
      await writeFile(join(staging, 'package.json'), '{"name":"lambda-ric-build","private":true}\n');
      await runStep(
        npm,
        ['install', '--no-audit', '--no-fund', '--no-save', `aws-lambda-ric@${LAMBDA_RIC_VERSION}`],
        {
          cwd: staging,
          env: {
            ...process.env,
            // node-gyp compiles for the node first on PATH, with the headers shipped beside it.
            PATH: `${nodeBin}:${process.env.PATH ?? ''}`,
            npm_config_nodedir: dirname(nodeBin),
            npm_config_update_notifier: 'false',
          },
        },
      );
    },
    (staging) => staging,
    log,
  );
  return join(dir, 'node_modules', 'aws-lambda-ric', 'index.mjs');
}
