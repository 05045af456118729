/**
 * Compiling a validated gateway configuration into its model (gateway-config-model.ts): targets
 * (target-compiler.ts), CloudEvent routes (route-compiler.ts) and webhook sources
 * (webhook-sources.ts), every problem reported together. No zod here: a function running the
 * configuration the synth sealed compiles it with the argument checks the synth generated, and
 * never loads the schemas that validate a configuration (gateway-config.ts).
 */
import { EventGatewayError, problemList } from '../../contract/errors';
import type { GatewayConfig } from './gateway-config-model';
import { checkRouteTarget, compileRoute, type RouteConfig } from './route-compiler';
import { compileTarget, type ArgumentCheckFactory, type TargetConfig } from './target-compiler';
import { compileSources, type SourceConfig } from './webhook-sources';

export type { ArgumentCheckFactory };

/**
 * A configuration as validation leaves it: every default filled in. It is also a valid input, and
 * validating it again gives it back unchanged, so it is what the synth writes for the functions.
 */
export interface ValidatedGatewayConfig {
  targets: TargetConfig[];
  routes: RouteConfig[];
  sources: SourceConfig[];
}

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

/**
 * Everything past the schema: patterns, routes, sources and what refers to what; each operation's
 * argument check from `argumentChecks`. Throws one {@link GatewayConfigError} listing every problem.
 */
export function compileGatewayConfig(
  config: ValidatedGatewayConfig,
  argumentChecks: ArgumentCheckFactory,
): GatewayConfig {
  const problems: string[] = [];
  const targets = config.targets.map((target, index) =>
    compileTarget(target, index, argumentChecks, problems),
  );
  reportDuplicates(config.targets, 'targets', problems);
  const routes = config.routes.map((route, index) => compileRoute(route, index, problems));
  reportDuplicates(config.routes, 'routes', problems);
  routes.forEach((route, index) => checkRouteTarget(route, targets, index, problems));
  const sources = compileSources(config.sources, targets, problems);
  if (problems.length > 0) throw new GatewayConfigError(problems);
  return { targets, routes, sources };
}

/** The configuration a JSON text holds, or a {@link GatewayConfigError} saying it is not JSON. */
export function parseConfigJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GatewayConfigError([`not valid JSON (${(error as Error).message})`], { cause: error });
  }
}
