/**
 * Stages a worker image's build context from a team's worker entry file (what
 * `TemporalWorkerImage.fromEntry` runs at synth, in a child process: the Temporal workflow bundler
 * is asynchronous, construct code is not). The directory holds
 *
 * - `main.js`: the entry bundled by the team's own esbuild — its code and `temporal-event-gateway`
 *   inlined, every other package external (the Temporal core bridge is a native addon);
 * - `workflow-bundle.js`: the workflows prebundled by `prebundleWorkflows`;
 * - `package.json`: only the packages main.js loads (read from esbuild's metafile), at the exact
 *   versions of the team's lock file, and `package-lock.json`: that lock file without the app's own
 *   entries, links and workspaces, so `npm install` in the image reproduces the locked tree;
 * - a multi-stage `Dockerfile`: deps (`npm install --omit=dev`), then a slim runtime as `node`.
 *
 * Nothing here runs Docker: the image is built at deploy time from this directory.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { WORKER_ENV } from '../../contract/env-names';
import { prebundleWorkflows } from '../../worker/bundle-workflows';
import { WORKFLOW_BUNDLE_FILE } from '../../worker/workflow-source';
import {
  TemporalWorkerImageError,
  type WorkerImageStagingRequest,
  type StagedWorkerImage,
} from './worker-image-types';

/** The bundle the image runs. */
export const WORKER_MAIN_FILE = 'main.js';

/** The subset of esbuild this module uses: it is the team's esbuild, loaded from their project. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{
    metafile?: { outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }> };
  }>;
}
interface ResolveArgs {
  path: string;
  kind: string;
}
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: ResolveArgs) => { path: string; external: boolean } | undefined,
  ): void;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; undefined for paths and Node built-ins. */
export function packageNameOf(specifier: string): string | undefined {
  if (/^(\.|\/|[A-Za-z]:[\\/])/.test(specifier)) return undefined;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? ''))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function loadEsbuild(projectRoot: string): Esbuild {
  try {
    return createRequire(join(projectRoot, 'package.json'))('esbuild') as Esbuild;
  } catch (error) {
    throw new TemporalWorkerImageError(
      `esbuild is not installed in ${projectRoot}: TemporalWorkerImage.fromEntry bundles the worker entry ` +
        'with it at synth (never with Docker). Run `npm i -D esbuild` there.',
      { cause: error },
    );
  }
}

/** Packages stay external (installed in the image), except those bundled in. */
function externalPackages(bundled: readonly string[]) {
  return {
    name: 'temporal-worker-image-externals',
    setup(build: PluginBuild) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const name = packageNameOf(args.path);
        if (name !== undefined && bundled.includes(name)) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

interface LockEntry {
  version?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
}

interface LockFile {
  name?: string;
  lockfileVersion?: number;
  requires?: boolean;
  packages?: Record<string, LockEntry>;
}

/** The locked version of each package; a package the lock file does not hold is an error. */
function lockedVersions(lock: LockFile, lockPath: string, names: readonly string[]): Record<string, string> {
  const packages = lock.packages;
  if (!packages) {
    throw new TemporalWorkerImageError(
      `${lockPath} has lockfileVersion ${lock.lockfileVersion ?? '?'}; regenerate it with npm 7 or later ` +
        '(npm install) so it lists its packages.',
    );
  }
  const versions: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    // Hoisted first; else the shallowest nested copy (one that conflicted with another version).
    const key = Object.keys(packages)
      .filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
      .sort((a, b) => a.length - b.length)[0];
    const version = key === undefined ? undefined : packages[key]?.version;
    if (version === undefined) missing.push(name);
    else versions[name] = version;
  }
  if (missing.length > 0) {
    throw new TemporalWorkerImageError(
      `the worker bundle imports ${missing.join(', ')}, which ${lockPath} does not hold at a registry version: ` +
        'add them to your package.json and run npm install.',
    );
  }
  return Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The lock file for the trimmed package.json: the root entry lists only the worker's packages, and
 * entries npm could not fetch from a registry in the image (links, workspaces, `file:` folders) are
 * gone. npm prunes what the trimmed root no longer needs and keeps every other locked version.
 */
function trimmedLock(lock: LockFile, name: string, dependencies: Record<string, string>): LockFile {
  // The app's dev flags say nothing about the worker's tree (a package dev-only for the app may be
  // what the worker loads): drop them, keeping only "optional" (platform-specific binaries).
  const packages = Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.link)
    .map(([path, { dev: _dev, devOptional, ...entry }]): [string, LockEntry] => [
      path,
      devOptional ? { ...entry, optional: true } : entry,
    ]);
  return {
    name,
    lockfileVersion: lock.lockfileVersion,
    requires: true,
    packages: { '': { name, dependencies } as never, ...Object.fromEntries(packages) },
  };
}

function dockerfile(nodeImage: string): string {
  return `# syntax=docker/dockerfile:1
# Generated by temporal-event-gateway (TemporalWorkerImage.fromEntry) at synth; do not edit.
ARG NODE_IMAGE=${nodeImage}

# ---- deps: only the packages ${WORKER_MAIN_FILE} loads, at the lock file's versions ----
FROM \${NODE_IMAGE} AS deps
# Set by BuildKit (amd64 | arm64).
ARG TARGETARCH
WORKDIR /app
COPY package.json package-lock.json ./
# The core bridge ships native binaries for every platform; keep the one of this image.
RUN --mount=type=cache,target=/root/.npm npm install --omit=dev --ignore-scripts --no-audit --no-fund \\
 && releases=node_modules/@temporalio/core-bridge/releases \\
 && case "\${TARGETARCH:-amd64}" in arm64) keep=aarch64-unknown-linux-gnu ;; *) keep=x86_64-unknown-linux-gnu ;; esac \\
 && if [ -d "$releases" ]; then \\
      find "$releases" -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} + \\
      && test -f "$releases/$keep/index.node"; \\
    fi

# ---- runtime ----
FROM \${NODE_IMAGE} AS runtime
# The Rust core's TLS (Temporal Cloud, self-hosted mTLS) verifies servers against the system roots.
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
# The prebundled workflows, whatever the entry passes to runWorker: the sources are not in the image.
ENV ${WORKER_ENV.workflowBundlePath}=/app/${WORKFLOW_BUNDLE_FILE}
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ${WORKER_MAIN_FILE} ${WORKER_MAIN_FILE}.map ${WORKFLOW_BUNDLE_FILE} ./
# Root owns the files (read-only for the process); the process runs as the image's unprivileged user.
USER node
# Node is PID 1 and handles SIGTERM itself: it drains for WORKER_SHUTDOWN_GRACE_MS, then exits 0.
CMD ["node", "--enable-source-maps", "${WORKER_MAIN_FILE}"]
`;
}

/** ESM output may still meet CommonJS code that calls `require`: give the bundle a real one. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __workerCreateRequire } from 'node:module';" +
  'const require = __workerCreateRequire(import.meta.url);';

/** Writes the build context into `request.outDir` (which must be empty or missing). */
export async function stageWorkerImage(request: WorkerImageStagingRequest): Promise<StagedWorkerImage> {
  const { entry, workflowsPath, projectRoot, lockFile, outDir, nodeImage, bundledPackages } = request;
  const esbuild = loadEsbuild(projectRoot);
  mkdirSync(outDir, { recursive: true });
  const mainPath = join(outDir, WORKER_MAIN_FILE);
  let metafile;
  try {
    [{ metafile }] = await Promise.all([
      esbuild.build({
        entryPoints: [entry],
        outfile: mainPath,
        absWorkingDir: projectRoot,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        banner: { js: ESM_REQUIRE_BANNER },
        sourcemap: 'linked',
        sourcesContent: false,
        metafile: true,
        logLevel: 'warning',
        plugins: [externalPackages(bundledPackages)],
      }),
      prebundleWorkflows({ workflowsPath, outDir, log: (line) => console.error(line) }),
    ]);
  } catch (error) {
    if (error instanceof TemporalWorkerImageError) throw error;
    throw new TemporalWorkerImageError(
      `bundling the worker ${entry} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const output = Object.entries(metafile?.outputs ?? {}).find(([path]) =>
    path.endsWith(WORKER_MAIN_FILE),
  )?.[1];
  const names = [
    ...new Set(
      (output?.imports ?? [])
        .filter((imported) => imported.external)
        .map((imported) => packageNameOf(imported.path))
        .filter((name): name is string => name !== undefined),
    ),
  ];

  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as LockFile;
  const dependencies = lockedVersions(lock, lockFile, names);
  const appName = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { name?: string })
    .name;
  const name = `${appName ?? basename(projectRoot)}-worker`.replace(/^@[^/]+\//, '');
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify({ name, private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
  writeFileSync(
    join(outDir, 'package-lock.json'),
    `${JSON.stringify(trimmedLock(lock, name, dependencies), null, 2)}\n`,
  );
  writeFileSync(join(outDir, 'Dockerfile'), dockerfile(nodeImage));
  if (!existsSync(join(outDir, WORKFLOW_BUNDLE_FILE))) {
    throw new TemporalWorkerImageError(`the workflow bundle of ${workflowsPath} was not written`);
  }
  return { directory: outDir, dependencies };
}
