/**
 * Which Node.js Lambda runtime the gateway's functions run on, and when cdk-nag's "latest runtime"
 * rules are wrong about it. Both answers come from what the installed aws-cdk-lib exposes, so a new
 * aws-cdk-lib release changes them without a change here:
 * - `lambda.Runtime.ALL` holds every runtime the library knows; cdk-nag's AwsSolutions-L1 and
 *   Serverless-LambdaLatestVersion call the highest Node.js version among them "latest".
 * - `lambda.Runtime.NODEJS_LATEST` (the one runtime with `isVariable`) is the newest Node.js runtime
 *   "available in ALL regions": the newest generally available one.
 * When the first is newer than the second, aws-cdk-lib already knows a runtime that is not yet
 * generally available (nodejs26.x in aws-cdk-lib 2.278: a public preview, no SLA).
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The lowest Node.js major the prebuilt handlers run on: their esbuild target is `node24`
 * (infra/lambda-handlers.ts), so older runtimes may lack syntax or APIs they use.
 */
export const MINIMUM_NODE_MAJOR = 24;

/** The cdk-nag rules that compare a function's runtime with the newest one aws-cdk-lib knows. */
export const LATEST_RUNTIME_RULES = ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'] as const;

interface NodeVersion {
  readonly major: number;
  readonly minor: number;
}

/** `nodejs24.x` → 24.0, `nodejs4.3` → 4.3; undefined for other families and the bare `nodejs`. */
function nodeVersionOf(runtime: lambda.Runtime): NodeVersion | undefined {
  const match = /^nodejs(\d+)(?:\.(\d+))?/.exec(runtime.name);
  if (runtime.family !== lambda.RuntimeFamily.NODEJS || !match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2] ?? 0) };
}

const newer = (a: NodeVersion, b: NodeVersion) => a.major - b.major || a.minor - b.minor;

/**
 * The highest Node.js runtime among `known` — what cdk-nag's latest-runtime rules compare with.
 */
export function newestNodeRuntime(known: readonly lambda.Runtime[] = lambda.Runtime.ALL): lambda.Runtime {
  let newest: { runtime: lambda.Runtime; version: NodeVersion } | undefined;
  for (const runtime of known) {
    const version = nodeVersionOf(runtime);
    if (version && (!newest || newer(version, newest.version) > 0)) newest = { runtime, version };
  }
  if (!newest) throw new Error('aws-cdk-lib knows no Node.js Lambda runtime');
  return newest.runtime;
}

/** Why `runtime` cannot run the gateway's handlers, or undefined when it can. */
export function unsupportedRuntimeProblem(runtime: lambda.Runtime): string | undefined {
  const version = nodeVersionOf(runtime);
  if (version && version.major >= MINIMUM_NODE_MAJOR) return undefined;
  return (
    `runtime: ${runtime.name} cannot run the gateway's handlers; they are built for Node.js ` +
    `${MINIMUM_NODE_MAJOR} or later (e.g. lambda.Runtime.NODEJS_24_X)`
  );
}

/**
 * The reason to acknowledge {@link LATEST_RUNTIME_RULES} on a function running `runtime`, or
 * undefined when there is nothing to acknowledge: only when `runtime` is the newest generally
 * available Node.js runtime while aws-cdk-lib already knows a newer one, which is not yet generally
 * available. A function on the newer runtime satisfies the rules; one on an older runtime than
 * the newest generally available gets the findings, as it should.
 */
export function previewRuntimeReason(
  runtime: lambda.Runtime,
  known: readonly lambda.Runtime[] = lambda.Runtime.ALL,
  generallyAvailable: lambda.Runtime = lambda.Runtime.NODEJS_LATEST,
): string | undefined {
  const newest = newestNodeRuntime(known);
  if (runtime.name !== generallyAvailable.name || newest.name === generallyAvailable.name) return undefined;
  return (
    `${runtime.name} is the newest Node.js runtime generally available (aws-cdk-lib's Runtime.NODEJS_LATEST, ` +
    `available in all regions). ${newest.name}, which aws-cdk-lib also knows, is not generally available yet ` +
    '(a preview runtime has no SLA and is not for production). Set the runtime prop to opt in to it.'
  );
}
