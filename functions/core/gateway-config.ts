/**
 * Validating the gateway configuration with its zod schemas — targets (target-schema.ts), CloudEvent
 * and webhook routes (route-schemas.ts), webhook sources (webhook-source-schema.ts) — and compiling
 * it (gateway-config-compiler.ts), every problem reported together. What the synth, local stacks and
 * tests run; a function running the configuration the synth sealed loads none of it (it compiles
 * with the generated checks: adapters/gateway-config-file.ts), and loads it on demand otherwise.
 */
import * as z from 'zod';
import type { Check } from './check';
import {
  compileGatewayConfig,
  GatewayConfigError,
  parseConfigJson,
  type ArgumentCheckFactory,
  type ValidatedGatewayConfig,
} from './gateway-config-compiler';
import type { GatewayConfig } from './gateway-config-model';
import { RouteSchema } from './route-schemas';
import { TargetSchema } from './target-schema';
import { SourceSchema } from './webhook-source-schema';
import { jsonSchemaCheck } from './zod-checks';

export { GatewayConfigError, type ValidatedGatewayConfig };

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

function memoised(build: () => Check<unknown>): () => Check<unknown> {
  let check: Check<unknown> | undefined;
  return () => (check ??= build());
}

/**
 * Argument checks generated at build or synth, by the schema they were generated from: undefined
 * for a schema that has none (adapters/gateway-config-file.ts looks them up by digest).
 */
export type PrebuiltChecks = (schema: Record<string, unknown>) => Check<unknown> | undefined;

/**
 * Argument checks built by zod now: an unusable JSON Schema is a configuration problem. A schema
 * with a prebuilt check runs that one (generated from this very schema, so usable), as in Lambda.
 */
const eagerChecks =
  (prebuilt?: PrebuiltChecks): ArgumentCheckFactory =>
  (schema, where) => {
    const generated = prebuilt?.(schema);
    if (generated) return { check: () => generated };
    try {
      const check = jsonSchemaCheck(schema);
      return { check: () => check };
    } catch (error) {
      return { problem: `${where}.schema: not a usable JSON Schema (${(error as Error).message})` };
    }
  };

/**
 * Argument checks of a configuration validated before: the prebuilt one where a schema has it, else
 * built by zod when a request first needs it.
 */
const lazyChecks =
  (prebuilt?: PrebuiltChecks): ArgumentCheckFactory =>
  (schema) => {
    const generated = prebuilt?.(schema);
    return { check: generated ? () => generated : memoised(() => jsonSchemaCheck(schema)) };
  };

function validated(input: unknown): ValidatedGatewayConfig {
  const parsed = GatewayConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new GatewayConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/**
 * Validates and compiles a configuration; throws one error listing every problem. Argument checks
 * are the `prebuilt` ones where there are any, else built by zod.
 */
export function parseGatewayConfig(input: unknown, prebuilt?: PrebuiltChecks): GatewayConfig {
  return compileGatewayConfig(validated(input), eagerChecks(prebuilt));
}

/**
 * Checks a configuration as completely as {@link parseGatewayConfig} (argument schemas built
 * included) and returns it with its defaults filled in: what the synth writes for the functions.
 */
export function validateGatewayConfig(input: unknown): ValidatedGatewayConfig {
  const config = validated(input);
  compileGatewayConfig(config, eagerChecks());
  return config;
}

/**
 * Compiles a configuration {@link validateGatewayConfig} returned, without validating it again:
 * no zod parse, and each argument's check the `prebuilt` one if any, else built by zod when first
 * used. Patterns, routes and sources are still compiled, and their problems still thrown. (A sealed configuration in a function
 * runs the checks the synth generated instead: adapters/gateway-config-file.ts.)
 */
export function compileValidatedGatewayConfig(
  config: ValidatedGatewayConfig,
  prebuilt?: PrebuiltChecks,
): GatewayConfig {
  return compileGatewayConfig(config, lazyChecks(prebuilt));
}

/** Parses the configuration from its JSON text (as found in an environment variable). */
export function parseGatewayConfigJson(text: string, prebuilt?: PrebuiltChecks): GatewayConfig {
  return parseGatewayConfig(parseConfigJson(text), prebuilt);
}

/** {@link compileValidatedGatewayConfig} of the JSON text of a validated configuration. */
export function compileValidatedGatewayConfigJson(text: string): GatewayConfig {
  return compileValidatedGatewayConfig(parseConfigJson(text) as ValidatedGatewayConfig);
}
