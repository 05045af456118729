/**
 * The AWS Lambda Runtime Interface Emulator, built once from its Go module into the tool cache.
 * Run directly (`npm run tools:lambda`) the Lambda tools are built and their paths printed.
 */
import { toolCacheDir } from './cache-dir';
import { goInstall, type BuildLog } from './tool-build';

export const LAMBDA_RIE_MODULE = 'github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie';
/** The emulator has no tags the module proxy serves; this pseudo-version is the one it serves. */
export const LAMBDA_RIE_VERSION = 'v0.0.0-20261030222936-bef5c4ba774d';

export const cachedLambdaRiePath = (): string =>
  toolCacheDir('lambda-rie', LAMBDA_RIE_VERSION, 'aws-lambda-rie');

/** The emulator's path, building it first when the cache has none (about a minute, once). */
export function ensureLambdaRie(log?: BuildLog): Promise<string> {
  return goInstall({
    module: LAMBDA_RIE_MODULE,
    version: LAMBDA_RIE_VERSION,
    binary: 'aws-lambda-rie',
    target: cachedLambdaRiePath(),
    minGo: [1, 25],
    ...(log ? { log } : {}),
  });
}
