/**
 * `npm run generate:validators`: writes each registry's checks — `checks.generated.js` and its
 * `.d.ts` — beside the registry module (a `Record<string, z.ZodType>` of what the functions check at
 * run time), so the Lambdas run plain generated functions instead of building zod schemas at init.
 * A registry not written yet is skipped. The registries' checks import their run-time part from one
 * shared module (`check-runtime.generated.js`). Also the default configuration's argument checks, which
 * the build puts beside each prebuilt handler (scripts/build.ts). The drift test (test/functions/core/checks-drift.test.ts)
 * fails when a committed file is not what this script writes.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type * as z from 'zod';
import { DEFAULT_GATEWAY_CHECKS_FILE_NAME } from '../functions/adapters/gateway-config-file';
import { DEFAULT_GATEWAY_CONFIG } from '../functions/core/default-config';
import { routingChecksModule, routingToConfigJson } from '../infra/props/routing';
import { checkRuntimeModule } from '../infra/check-runtime-source';
import { checkSchemaOf, generateCheckModule } from '../infra/validator-codegen';
import { isProcessEntry } from '../local/process-entry';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** A module holding a registry of checked schemas, and the registry's export name. */
export interface CheckRegistry {
  readonly module: string;
  readonly exportName: string;
}

/** Every registry of the functions, in the repository. */
export const CHECK_REGISTRIES: readonly CheckRegistry[] = [
  { module: 'functions/core/checked-schemas.ts', exportName: 'CORE_CHECKED_SCHEMAS' },
  { module: 'functions/handlers/http-checked-schemas.ts', exportName: 'HTTP_CHECKED_SCHEMAS' },
];

/** The generated checks' file name, beside its registry. */
export const CHECKS_FILE = 'checks.generated.js';

/** The run-time part the registries' checks share (one copy in a Lambda bundle), by path from the repository root. */
export const CHECK_RUNTIME_PATH = 'functions/core/check-runtime.generated.js';

async function formatted(path: string, text: string): Promise<string> {
  return format(text, { ...((await resolveConfig(path)) ?? {}), filepath: path });
}

function declarations(registry: CheckRegistry, names: readonly string[]): string {
  const dir = dirname(join(repoRoot, registry.module));
  const checkModule = relative(dir, join(repoRoot, 'functions/core/check')).replace(/^(?!\.)/, './');
  const registryModule = `./${registry.module.split('/').pop()?.replace(/\.ts$/, '') ?? ''}`;
  return [
    `/** Types of the generated \`${CHECKS_FILE}\` (scripts/generate-validators.ts). */`,
    "import type * as z from 'zod';",
    // `.js`, as every relative import of the built library: Node resolves the installed declarations.
    `import type { Check } from '${checkModule}.js';`,
    `import type { ${registry.exportName} } from '${registryModule}.js';`,
    '',
    `type Schemas = typeof ${registry.exportName};`,
    ...names.map((name) => `export declare const ${name}: Check<z.output<Schemas['${name}']>>;`),
    '',
  ].join('\n');
}

/** The specifier of the shared run-time module from a registry's folder. */
const runtimeImport = (dir: string) =>
  relative(join(repoRoot, dir), join(repoRoot, CHECK_RUNTIME_PATH)).replace(/^(?!\.)/, './');

/** The shared run-time module of the registries' checks, formatted. */
export async function checkRuntimeFile(): Promise<string> {
  return formatted(join(repoRoot, CHECK_RUNTIME_PATH), checkRuntimeModule());
}

/** The files one registry's checks are written to, by path from the repository root. */
export async function generatedCheckFiles(registry: CheckRegistry): Promise<Record<string, string>> {
  const imported = (await import(pathToFileURL(join(repoRoot, registry.module)).href)) as Record<
    string,
    Record<string, z.ZodType> | undefined
  >;
  const schemas = imported[registry.exportName];
  if (!schemas) throw new Error(`${registry.module} exports no ${registry.exportName}`);
  const names = Object.keys(schemas).sort();
  const jsonSchemas = Object.fromEntries(
    names.map((name) => [name, checkSchemaOf(schemas[name] as z.ZodType)]),
  );
  const dir = dirname(registry.module);
  const js = join(dir, CHECKS_FILE);
  const dts = join(dir, CHECKS_FILE.replace(/\.js$/, '.d.ts'));
  return {
    [js]: await formatted(
      join(repoRoot, js),
      await generateCheckModule(jsonSchemas, { runtime: runtimeImport(dir) }),
    ),
    [dts]: await formatted(join(repoRoot, dts), declarations(registry, names)),
  };
}

/** The build's argument checks of the default configuration, committed beside the adapter that loads them. */
export const DEFAULT_CHECKS_PATH = `functions/adapters/${DEFAULT_GATEWAY_CHECKS_FILE_NAME}`;

/** The default configuration's argument checks (what the prebuilt handlers carry), formatted. */
export async function defaultConfigChecks(): Promise<string> {
  const text = routingChecksModule(routingToConfigJson(DEFAULT_GATEWAY_CONFIG));
  return formatted(join(repoRoot, DEFAULT_CHECKS_PATH), text);
}

/** The registries whose module exists (a helper's registry may not be written yet). */
export const presentRegistries = (): CheckRegistry[] =>
  CHECK_REGISTRIES.filter((registry) => existsSync(join(repoRoot, registry.module)));

if (isProcessEntry(import.meta.url)) {
  for (const registry of presentRegistries()) {
    for (const [path, text] of Object.entries(await generatedCheckFiles(registry))) {
      await writeFile(join(repoRoot, path), text);
      console.log(`wrote ${path}`);
    }
  }
  await writeFile(join(repoRoot, CHECK_RUNTIME_PATH), await checkRuntimeFile());
  console.log(`wrote ${CHECK_RUNTIME_PATH}`);
  await writeFile(join(repoRoot, DEFAULT_CHECKS_PATH), await defaultConfigChecks());
  console.log(`wrote ${DEFAULT_CHECKS_PATH}`);
}
