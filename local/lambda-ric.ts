/**
 * AWS's Node.js Runtime Interface Client (`aws-lambda-ric` on npm), the piece of the Lambda Node
 * runtime that talks to the Runtime API. Its native addon is compiled (node-gyp, cmake, a C++
 * compiler) against the cached Node 24, once: about 3–4 minutes on 2 cores.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { ensureNode24, NODE24_VERSION } from './node24';
import { buildOnce, onPath, runStep, ToolBuildError, type BuildLog } from './tool-build';

export const LAMBDA_RIC_VERSION = '4.0.2';

export const cachedLambdaRicDir = (): string =>
  toolCacheDir('aws-lambda-ric', `${LAMBDA_RIC_VERSION}-node${NODE24_VERSION}`);

/** The runtime client's entry point (`index.mjs`), built for Node 24 first when absent. */
export async function ensureLambdaRic(log?: BuildLog): Promise<string> {
  const node = await ensureNode24(log);
  const npm = onPath('npm');
  if (!npm) throw new ToolBuildError('Building aws-lambda-ric needs npm on PATH.');
  for (const tool of ['make', 'cmake', 'g++']) {
    if (!onPath(tool))
      throw new ToolBuildError(`Building aws-lambda-ric's native addon needs ${tool} on PATH.`);
  }
  const nodeBin = dirname(node);
  const dir = await buildOnce(
    cachedLambdaRicDir(),
    `aws-lambda-ric@${LAMBDA_RIC_VERSION} for Node ${NODE24_VERSION}`,
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
