/**
 * What `TemporalWorkerImage` and its staging child process exchange. Dependency-free, so the CDK
 * entry point never loads the workflow bundler or esbuild.
 */
import { EventGatewayError } from '../../contract/errors';

/** A worker image could not be staged: esbuild or an npm lock file missing, a bad entry, a failed bundle. */
export class TemporalWorkerImageError extends EventGatewayError {
  override readonly name = 'TemporalWorkerImageError';
}

/** The base image of both stages of a staged worker image, unless told otherwise. */
export const DEFAULT_WORKER_NODE_IMAGE = 'node:24-bookworm-slim';

/** One staging run, all paths absolute. */
export interface WorkerImageStagingRequest {
  readonly entry: string;
  readonly workflowsPath: string;
  readonly projectRoot: string;
  readonly lockFile: string;
  readonly outDir: string;
  readonly nodeImage: string;
  /** Packages inlined into main.js instead of installed in the image. */
  readonly bundledPackages: readonly string[];
}

/** A staged build context of a worker image. */
export interface StagedWorkerImage {
  /** The directory: Dockerfile, main.js, workflow-bundle.js, package.json, package-lock.json. */
  readonly directory: string;
  /** What the image installs: the packages main.js loads, at the lock file's exact versions. */
  readonly dependencies: Readonly<Record<string, string>>;
}
