/**
 * The build (`npm run build`, or `tsx scripts/build.ts [--outdir <dir>] [--only lib,lambda,worker]`):
 *
 * - `lib`: the package's three entry points as compiled ESM + `.d.ts` in `<outdir>/lib` (the
 *   `exports` map of package.json points there), and the CLI the `event-gateway` bin runs;
 * - `lambda`: the gateway's Lambda handlers prebuilt in `<outdir>/lambda/<name>/index.mjs`, the
 *   assets the constructs use in a team's `cdk synth` (no esbuild, no Docker there);
 * - `dev`: the stack of `event-gateway dev` prebuilt in `<outdir>/dev/dev-app.mjs` (the gateway's HTTP app
 *   and queue consumers, the local Temporal and ElasticMQ launchers) with the Maven pom that fetches
 *   ElasticMQ beside it: what the installed CLI loads, so a team's app needs no sources or tsx;
 * - `worker`: this repository's staged-demo worker: `<outdir>/worker/main.js` (our modules bundled
 *   by esbuild, every package external: @temporalio/core-bridge is a native addon and the image
 *   ships node_modules anyway) and `<outdir>/worker/workflow-bundle.js`, the workflows prebundled
 *   by `prebundleWorkflows`, which main.js finds next to itself, staged by the code of
 *   `TemporalWorkerImage.fromEntry` (so also the trimmed package.json and lock file the image installs);
 *
 * outdir defaults to `dist` at the repo root; for `worker` it must stay inside the repo so Node
 * resolves the external packages from its node_modules.
 */
import { existsSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import ts from 'typescript';
import { GATEWAY_HANDLERS, handlerBuildOptions, type GatewayHandlerName } from '../infra/lambda-handlers';
import { stageWorkerImage, WORKER_MAIN_FILE } from '../infra/constructs/worker-image-staging';
import { DEFAULT_WORKER_NODE_IMAGE } from '../infra/constructs/worker-image-types';
import { WORKFLOW_BUNDLE_FILE } from '../worker/workflow-source';
import { EventGatewayError } from '../contract/errors';
import { isProcessEntry } from '../local/process-entry';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The modules behind the package's entry points and its `event-gateway` bin (the CLI, which
 * bin/event-gateway.js runs from here when the sources are not beside it); tsc follows their imports.
 */
export const LIBRARY_ENTRIES = [
  'infra/index.ts',
  'worker/index.ts',
  'worker/workflow.ts',
  'contract/index.ts',
  'local/cli/main.ts',
  // Run as a child process at synth by TemporalWorkerImage.fromEntry, so nothing imports it.
  'infra/constructs/worker-image-staging-main.ts',
];

export class BuildError extends EventGatewayError {
  override readonly name = 'BuildError';
}

export interface BuildOptions {
  /** @default `dist` at the repo root */
  outDir?: string;
  log?: (line: string) => void;
}

function outDirOf(options: BuildOptions): string {
  return resolve(options.outDir ?? join(repoRoot, 'dist'));
}

function wrap(what: string, error: unknown): BuildError {
  return new BuildError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}

export interface BuildWorkerResult {
  mainPath: string;
  workflowBundlePath: string;
}

/**
 * This repository's staged-demo worker (what worker/Dockerfile runs), staged exactly as
 * `TemporalWorkerImage.fromEntry` stages a team's: main.js with every package external, the
 * prebundled workflows, and a package.json + package-lock.json of only the packages main.js loads at
 * the lock file's versions — which the image installs, so it never misses one (or carries the CDK).
 */
export async function buildWorker(options: BuildOptions = {}): Promise<BuildWorkerResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const workerDir = join(outDirOf(options), 'worker');
  const started = Date.now();
  await rm(workerDir, { recursive: true, force: true });
  try {
    const staged = await stageWorkerImage({
      entry: join(repoRoot, 'worker', 'main.ts'),
      workflowsPath: join(repoRoot, 'worker', 'workflows', 'index.ts'),
      projectRoot: repoRoot,
      lockFile: join(repoRoot, 'package-lock.json'),
      outDir: workerDir,
      nodeImage: DEFAULT_WORKER_NODE_IMAGE,
      bundledPackages: [],
    });
    log(`the worker loads ${Object.keys(staged.dependencies).join(', ')}`);
  } catch (error) {
    throw wrap('worker build', error);
  }
  const mainPath = join(workerDir, WORKER_MAIN_FILE);
  const workflowBundlePath = join(workerDir, WORKFLOW_BUNDLE_FILE);
  log(`built ${mainPath} and ${workflowBundlePath} in ${Date.now() - started} ms`);
  return { mainPath, workflowBundlePath };
}

/** The gateway's Lambda handlers, each in its own asset directory. */
export async function buildLambdas(options: BuildOptions = {}): Promise<Record<GatewayHandlerName, string>> {
  const log = options.log ?? ((line: string) => console.log(line));
  const lambdaDir = join(outDirOf(options), 'lambda');
  const started = Date.now();
  await rm(lambdaDir, { recursive: true, force: true });
  const names = Object.keys(GATEWAY_HANDLERS) as GatewayHandlerName[];
  try {
    await Promise.all(
      names.map((name) =>
        build(handlerBuildOptions(join(repoRoot, GATEWAY_HANDLERS[name]), join(lambdaDir, name))),
      ),
    );
  } catch (error) {
    throw wrap('Lambda build', error);
  }
  // The default configuration's argument checks beside each handler: a function running it sealed
  // (GATEWAY_CONFIG_SHA256) runs them instead of building zod schemas (adapters/gateway-config-file.ts).
  // Imported here, not at the top: the worker image's build stage copies only what `--only worker`
  // needs (worker/Dockerfile), and the routing's modules are not among them.
  const [
    { DEFAULT_GATEWAY_CHECKS_FILE_NAME },
    { DEFAULT_GATEWAY_CONFIG },
    { routingChecksModule, routingToConfigJson },
  ] = await Promise.all([
    import('../functions/adapters/gateway-config-file'),
    import('../functions/core/default-config'),
    import('../infra/props/routing'),
  ]);
  const defaultChecks = routingChecksModule(routingToConfigJson(DEFAULT_GATEWAY_CONFIG));
  await Promise.all(
    names.map((name) => writeFile(join(lambdaDir, name, DEFAULT_GATEWAY_CHECKS_FILE_NAME), defaultChecks)),
  );
  log(`built ${names.length} Lambda handlers in ${lambdaDir} in ${Date.now() - started} ms`);
  return Object.fromEntries(names.map((name) => [name, join(lambdaDir, name)])) as Record<
    GatewayHandlerName,
    string
  >;
}

/** The module the installed `event-gateway dev` loads (local/cli/dev.ts finds it there). */
export const DEV_APP_ENTRY = 'local/dev-app/main.ts';

/**
 * The `event-gateway dev` stack as one prebuilt module: everything bundled (hono, Powertools, the
 * gateway's code) except the package's own runtime dependencies and the Temporal SDK, which the
 * team's install provides (`@temporalio/worker` brings the client); the ElasticMQ pom goes beside it,
 * where local/java-tools.ts looks for it.
 */
export async function buildDevApp(options: BuildOptions = {}): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  const devDir = join(outDirOf(options), 'dev');
  const started = Date.now();
  await rm(devDir, { recursive: true, force: true });
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  const handler = handlerBuildOptions(join(repoRoot, DEV_APP_ENTRY), devDir);
  try {
    await build({
      ...handler,
      entryPoints: { 'dev-app': join(repoRoot, DEV_APP_ENTRY) },
      // One file: nothing here is on a cold-start path.
      splitting: false,
      target: 'node20',
      sourcemap: false,
      external: [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), '@temporalio/*'],
    });
    // The default configuration's generated argument checks beside it, as beside each Lambda
    // handler: the local server then validates with the very checks a deployed function runs,
    // instead of building them with zod (adapters/gateway-config-file.ts looks beside its bundle).
    const { DEFAULT_GATEWAY_CHECKS_FILE_NAME } = await import('../functions/adapters/gateway-config-file');
    await cp(
      join(repoRoot, 'functions', 'adapters', DEFAULT_GATEWAY_CHECKS_FILE_NAME),
      join(devDir, DEFAULT_GATEWAY_CHECKS_FILE_NAME),
    );
    // Zipkin's too: the stack starts the local trace backend (local/trace-backend.ts).
    for (const tool of ['elasticmq', 'zipkin']) {
      await cp(join(repoRoot, 'local', 'maven', tool), join(devDir, 'maven', tool), { recursive: true });
    }
  } catch (error) {
    throw wrap('dev stack build', error);
  }
  log(`built the event-gateway dev stack in ${devDir} in ${Date.now() - started} ms`);
  return devDir;
}

/**
 * Relative module specifiers as Node's ESM loader needs them: the sources import `./config`
 * (bundler resolution), the emitted JS and declarations import `./config.js` or `./dir/index.js`.
 */
function withJsExtension(specifier: string, fromFile: string, host: ts.CompilerHost): string {
  if (!specifier.startsWith('.') || /\.(m?js|json)$/.test(specifier)) return specifier;
  const base = resolve(fromFile, '..', specifier);
  if (host.fileExists(`${base}.ts`)) return `${specifier}.js`;
  if (host.fileExists(join(base, 'index.ts'))) return `${specifier}/index.js`;
  return specifier;
}

function specifierRewriter<T extends ts.SourceFile | ts.Bundle>(
  host: ts.CompilerHost,
): ts.TransformerFactory<T> {
  return (context) =>
    (root: T): T => {
      if (!ts.isSourceFile(root)) return root;
      const file = root.fileName;
      const rewrite = (literal: ts.Expression): ts.StringLiteral | undefined =>
        ts.isStringLiteral(literal)
          ? context.factory.createStringLiteral(withJsExtension(literal.text, file, host))
          : undefined;
      const visit = (node: ts.Node): ts.Node => {
        if (ts.isImportDeclaration(node)) {
          return context.factory.updateImportDeclaration(
            node,
            node.modifiers,
            node.importClause,
            rewrite(node.moduleSpecifier) ?? node.moduleSpecifier,
            node.attributes,
          );
        }
        if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
          return context.factory.updateExportDeclaration(
            node,
            node.modifiers,
            node.isTypeOnly,
            node.exportClause,
            rewrite(node.moduleSpecifier) ?? node.moduleSpecifier,
            node.attributes,
          );
        }
        // `await import('./module')`: the on-demand chunks (tracing, the payload codecs, the stores).
        if (
          ts.isCallExpression(node) &&
          node.expression.kind === ts.SyntaxKind.ImportKeyword &&
          node.arguments.length >= 1
        ) {
          const literal = rewrite(node.arguments[0]!);
          if (literal) {
            return context.factory.updateCallExpression(node, node.expression, node.typeArguments, [
              literal,
              ...node.arguments.slice(1).map((argument) => ts.visitNode(argument, visit) as ts.Expression),
            ]);
          }
        }
        if (
          ts.isImportTypeNode(node) &&
          ts.isLiteralTypeNode(node.argument) &&
          ts.isStringLiteral(node.argument.literal)
        ) {
          const literal = rewrite(node.argument.literal);
          return context.factory.updateImportTypeNode(
            node,
            context.factory.createLiteralTypeNode(literal ?? node.argument.literal),
            node.attributes,
            node.qualifier,
            node.typeArguments,
            node.isTypeOf,
          );
        }
        return ts.visitEachChild(node, visit, context);
      };
      return ts.visitEachChild(root, visit, context);
    };
}

/** The package's entry points: compiled ESM and declarations in `<outdir>/lib`. */
export async function buildLibrary(options: BuildOptions = {}): Promise<string> {
  const log = options.log ?? ((line: string) => console.log(line));
  const libDir = join(outDirOf(options), 'lib');
  const started = Date.now();
  await rm(libDir, { recursive: true, force: true });
  const configPath = join(repoRoot, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (read.error) throw new BuildError(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config as object, ts.sys, repoRoot);
  const compilerOptions: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    // The sources are not in the package, so maps would point nowhere.
    sourceMap: false,
    outDir: libDir,
    rootDir: repoRoot,
    // `preserve` would keep import syntax as written; ESNext emits the same ESM without the
    // `import x = require()` forms preserve allows.
    module: ts.ModuleKind.ESNext,
    // Consumers build with their own settings: declarations must not need ours.
    declarationMap: false,
  };
  const host = ts.createCompilerHost(compilerOptions);
  const program = ts.createProgram(
    LIBRARY_ENTRIES.map((entry) => join(repoRoot, entry)),
    compilerOptions,
    host,
  );
  const result = program.emit(undefined, undefined, undefined, false, {
    after: [specifierRewriter<ts.SourceFile>(host)],
    afterDeclarations: [specifierRewriter<ts.SourceFile | ts.Bundle>(host)],
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0) {
    throw new BuildError(
      `library build failed:\n${ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => repoRoot,
        getNewLine: () => '\n',
      })}`,
    );
  }
  // tsc reads a generated module's .d.ts and emits nothing for it: the checks go in as they are.
  for (const dir of ['functions/core', 'functions/handlers']) {
    for (const file of ['checks.generated.js', 'checks.generated.d.ts', 'check-runtime.generated.js']) {
      if (existsSync(join(libDir, dir)) && existsSync(join(repoRoot, dir, file)))
        await cp(join(repoRoot, dir, file), join(libDir, dir, file));
    }
  }
  log(`built the library in ${libDir} in ${Date.now() - started} ms`);
  return libDir;
}

export const BUILD_PARTS = ['lib', 'lambda', 'dev', 'worker'] as const;
export type BuildPart = (typeof BUILD_PARTS)[number];

/** Builds the parts asked for (all by default), one after the other: the machine may be small. */
export async function buildAll(
  parts: readonly BuildPart[] = BUILD_PARTS,
  options: BuildOptions = {},
): Promise<void> {
  if (parts.includes('lib')) await buildLibrary(options);
  if (parts.includes('lambda')) await buildLambdas(options);
  if (parts.includes('dev')) await buildDevApp(options);
  if (parts.includes('worker')) await buildWorker(options);
}

if (isProcessEntry(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, only: { type: 'string' } } });
  const parts = values.only?.split(',').map((part) => part.trim()) ?? [...BUILD_PARTS];
  const unknown = parts.filter((part) => !(BUILD_PARTS as readonly string[]).includes(part));
  if (unknown.length > 0) {
    console.error(`unknown build part(s): ${unknown.join(', ')} (known: ${BUILD_PARTS.join(', ')})`);
    process.exit(2);
  }
  buildAll(parts as BuildPart[], values.outdir ? { outDir: values.outdir } : {}).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
