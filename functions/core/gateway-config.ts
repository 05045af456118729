/**
 * Parsing the gateway configuration — targets (target-compiler.ts), CloudEvent routes
 * (route-compiler.ts) and webhook sources (webhook-sources.ts) — into its model
 * (gateway-config-model.ts). Validated (every problem reported together) and compiled once per process. A configuration the
 * synth already validated — the deployed functions' file, sealed by its digest — is compiled
 * without validating it again ({@link compileValidatedGatewayConfig}): a cold start then skips
 * zod's parse and builds each argument schema only when a request first needs it.
 */
import * as z from 'zod';
import { EventGatewayError, problemList } from '../../contract/errors';
import type { GatewayConfig } from './gateway-config-model';
import { checkRouteTarget, compileRoute, RouteSchema } from './route-compiler';
import { compileTarget, TargetSchema, type SchemaBuilding } from './target-compiler';
import { compileSources, SourceSchema } from './webhook-sources';

export const GatewayConfigSchema = z.lazy(() =>
  z.strictObject({
    targets: z.array(TargetSchema).min(1, 'declare at least one target'),
    /** How CloudEvents find their workflows (`POST /v1/events`, CloudEvent queue messages). */
    routes: z.array(RouteSchema).default([]),
    /** Webhook providers posting to `POST /v1/webhooks/{source}`, each with its verifier and routes. */
    sources: z.array(SourceSchema).default([]),
  }),
);

export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;
/**
 * A configuration as validation leaves it: every default filled in. It is also a valid input, and
 * validating it again gives it back unchanged, so it is what the synth writes for the functions.
 */
export type ValidatedGatewayConfig = z.output<typeof GatewayConfigSchema>;

/** A configuration with problems: every problem found, listed in the message and in `problems`. */
export class GatewayConfigError extends EventGatewayError {
  override readonly name = 'GatewayConfigError';

  constructor(problems: readonly string[], options?: { readonly cause?: unknown }) {
    super(problemList('Invalid gateway configuration', problems), { ...options, problems });
  }
}

function reportDuplicates(items: readonly { name: string }[], where: string, problems: string[]) {
  const names = items.map((item) => item.name);
  names
    .filter((name, index) => names.indexOf(name) !== index)
    .forEach((name) => problems.push(`${where}: the name "${name}" is declared twice`));
}

/** Everything past the schema: patterns, routes, sources and what refers to what. */
function compile(config: ValidatedGatewayConfig, building: SchemaBuilding): GatewayConfig {
  const problems: string[] = [];
  const targets = config.targets.map((target, index) => compileTarget(target, index, building, problems));
  reportDuplicates(config.targets, 'targets', problems);
  const routes = config.routes.map((route, index) => compileRoute(route, index, problems));
  reportDuplicates(config.routes, 'routes', problems);
  routes.forEach((route, index) => checkRouteTarget(route, targets, index, problems));
  const sources = compileSources(config.sources, targets, problems);
  if (problems.length > 0) throw new GatewayConfigError(problems);
  return { targets, routes, sources };
}

function validated(input: unknown): ValidatedGatewayConfig {
  const parsed = GatewayConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new GatewayConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** Validates and compiles a configuration; throws one error listing every problem. */
export function parseGatewayConfig(input: unknown): GatewayConfig {
  return compile(validated(input), 'eager');
}

/**
 * Checks a configuration as completely as {@link parseGatewayConfig} (argument schemas built
 * included) and returns it with its defaults filled in: what the synth writes for the functions.
 */
export function validateGatewayConfig(input: unknown): ValidatedGatewayConfig {
  const config = validated(input);
  compile(config, 'eager');
  return config;
}

/**
 * Compiles a configuration {@link validateGatewayConfig} returned, without validating it again:
 * no zod parse, and each argument schema built when first used. Only for a configuration known to
 * be that output unchanged — the deployed functions' file, whose digest the synth recorded
 * (adapters/gateway-config-file.ts). Patterns, routes and sources are still compiled, and their
 * problems still thrown.
 */
export function compileValidatedGatewayConfig(config: ValidatedGatewayConfig): GatewayConfig {
  return compile(config, 'lazy');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GatewayConfigError([`not valid JSON (${(error as Error).message})`], { cause: error });
  }
}

/** Parses the configuration from its JSON text (as found in an environment variable). */
export function parseGatewayConfigJson(text: string): GatewayConfig {
  return parseGatewayConfig(parseJson(text));
}

/** {@link compileValidatedGatewayConfig} of the JSON text of a validated configuration. */
export function compileValidatedGatewayConfigJson(text: string): GatewayConfig {
  return compileValidatedGatewayConfig(parseJson(text) as ValidatedGatewayConfig);
}
