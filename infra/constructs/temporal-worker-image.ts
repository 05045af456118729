/**
 * A Temporal worker image from a team's worker entry file, for {@link TemporalWorkerService}: no
 * Dockerfile to write, no build step to remember. At synth the entry is bundled with the team's
 * esbuild and the workflows are prebundled; the image itself is built at deploy time (synth needs no
 * Docker engine).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  DEFAULT_WORKER_NODE_IMAGE,
  TemporalWorkerImageError,
  type StagedWorkerImage,
  type WorkerImageStagingRequest,
} from './worker-image-types';
import { FROM_PACKAGE, runSynthScript, SynthScriptError, synthScratchDir } from './synth-scratch';

export { TemporalWorkerImageError, type StagedWorkerImage } from './worker-image-types';

/** The packages inlined into the worker bundle rather than installed in the image. */
const BUNDLED_PACKAGES = ['temporal-event-gateway'] as const;

const NPM_LOCK_FILES = ['package-lock.json', 'npm-shrinkwrap.json'] as const;
const OTHER_LOCK_FILES = ['yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'] as const;

export interface TemporalWorkerImageEntryProps {
  /**
   * The worker's entry file (TypeScript or JavaScript), e.g. `worker/main.ts` calling `runWorker`.
   * Relative paths are resolved against the current directory, as `cdk synth` runs in the app's.
   */
  readonly entry: string;
  /**
   * The workflows module (every exported function is a workflow type), prebundled at synth; the
   * image runs the prebundle whatever the entry passes to `runWorker` (`WORKER_WORKFLOW_BUNDLE`).
   */
  readonly workflowsPath: string;
  /**
   * The npm project whose esbuild bundles the entry and whose lock file pins the image's packages.
   * @default the nearest directory above `entry` with a package-lock.json (or npm-shrinkwrap.json)
   */
  readonly projectRoot?: string;
  /**
   * Platform of the image; match the service's CPU architecture.
   * @default Platform.LINUX_ARM64 (TemporalWorkerService runs on ARM64)
   */
  readonly platform?: Platform;
  /** Base image of both stages. @default 'node:24-bookworm-slim' */
  readonly nodeImage?: string;
  /**
   * Where to write the build context (emptied first).
   * @default - a temporary directory, removed when the process exits (CDK copies it into cdk.out)
   */
  readonly outDir?: string;
}

/** The npm lock file directly in `dir`, if there is one. */
function npmLockFileIn(dir: string): string | undefined {
  const name = NPM_LOCK_FILES.find((file) => existsSync(join(dir, file)));
  return name && join(dir, name);
}

function findProjectRoot(from: string): { root: string; lockFile: string } {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const lockFile = npmLockFileIn(dir);
    if (lockFile) return { root: dir, lockFile };
    const other = OTHER_LOCK_FILES.find((name) => existsSync(join(dir, name)));
    if (other) {
      throw new TemporalWorkerImageError(
        `${join(dir, other)} is not an npm lock file: the worker image installs its packages with npm from ` +
          'package-lock.json. Run `npm install` to create one, or build your own image (ContainerImage.fromAsset).',
      );
    }
    if (dirname(dir) === dir) {
      throw new TemporalWorkerImageError(
        `no package-lock.json in ${dirname(from)} or above: the worker image installs the lock file's versions. ` +
          'Run `npm install` in your project.',
      );
    }
  }
}

const staged = new Map<string, StagedWorkerImage>();

/** Runs the staging child process (the workflow bundler is asynchronous; construct code is not). */
function runStaging(request: WorkerImageStagingRequest): StagedWorkerImage {
  const script = fileURLToPath(
    new URL(`./worker-image-staging-main.${FROM_PACKAGE ? 'js' : 'ts'}`, import.meta.url),
  );
  // Inside this repository the sources run through tsx, resolved from the repository root.
  const cwd = FROM_PACKAGE ? request.projectRoot : fileURLToPath(new URL('../..', import.meta.url));
  let stdout: string;
  try {
    stdout = runSynthScript(script, [JSON.stringify(request)], cwd);
  } catch (error) {
    if (!(error instanceof SynthScriptError)) throw error;
    throw new TemporalWorkerImageError(
      `staging the worker image of ${request.entry} failed: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as StagedWorkerImage;
}

/**
 * Worker images built from a worker entry file.
 *
 * @example
 * new TemporalWorkerService(stack, 'Worker', {
 *   vpc,
 *   temporal,
 *   image: TemporalWorkerImage.fromEntry({
 *     entry: 'worker/main.ts',
 *     workflowsPath: 'worker/workflows/index.ts',
 *   }),
 * });
 */
export class TemporalWorkerImage {
  private constructor() {}

  /**
   * The image of a worker entry: its build context staged at synth by {@link TemporalWorkerImage.stage},
   * built at deploy time like `ContainerImage.fromAsset`. Needs esbuild in the project
   * (`npm i -D esbuild`) and an npm lock file; never Docker at synth.
   */
  static fromEntry(props: TemporalWorkerImageEntryProps): ecs.ContainerImage {
    const { directory } = TemporalWorkerImage.stage(props);
    return ecs.ContainerImage.fromAsset(directory, { platform: props.platform ?? Platform.LINUX_ARM64 });
  }

  /**
   * Writes the build context: `main.js` (the entry bundled, `temporal-event-gateway` inlined, other
   * packages external), `workflow-bundle.js`, a `package.json` with only the packages main.js loads
   * at the lock file's versions, that `package-lock.json`, and a multi-stage `Dockerfile`
   * (`npm install --omit=dev`, then `node:24-bookworm-slim` with CA certificates, as `node`,
   * `node main.js`). `docker build` of the directory gives the image `fromEntry` deploys.
   */
  static stage(props: TemporalWorkerImageEntryProps): StagedWorkerImage {
    const entry = resolve(props.entry);
    const workflowsPath = resolve(props.workflowsPath);
    for (const [what, path] of [
      ['entry', entry],
      ['workflowsPath', workflowsPath],
    ] as const) {
      if (!existsSync(path)) throw new TemporalWorkerImageError(`${what} ${path} does not exist`);
    }
    let projectRoot: string;
    let lockFile: string;
    if (props.projectRoot !== undefined) {
      projectRoot = resolve(props.projectRoot);
      const found = npmLockFileIn(projectRoot);
      if (!found) {
        throw new TemporalWorkerImageError(
          `no package-lock.json in ${projectRoot}: the worker image installs the lock file's versions. ` +
            'Run `npm install` there.',
        );
      }
      lockFile = found;
    } else {
      ({ root: projectRoot, lockFile } = findProjectRoot(entry));
    }
    const nodeImage = props.nodeImage ?? DEFAULT_WORKER_NODE_IMAGE;
    const key = JSON.stringify([entry, workflowsPath, projectRoot, nodeImage, props.outDir]);
    const cached = staged.get(key);
    if (cached) return cached;
    const outDir = props.outDir ? resolve(props.outDir) : mkdtempSync(join(synthScratchDir(), 'context-'));
    rmSync(outDir, { recursive: true, force: true });
    const result = runStaging({
      entry,
      workflowsPath,
      projectRoot,
      lockFile,
      outDir,
      nodeImage,
      bundledPackages: BUNDLED_PACKAGES,
    });
    staged.set(key, result);
    return result;
  }
}
