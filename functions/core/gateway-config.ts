/**
 * The gateway configuration: which workflows the gateway may reach and what it may do to them.
 * Parsed and compiled once, at cold start, with every problem reported together.
 */
import * as z from 'zod';
import { checkRouteTarget, compileRoute, RouteSchema, type Route } from './routes';
import { compileSources, SourceSchema, type Source } from './webhook-sources';

const ID_REUSE_POLICIES = ['REJECT_DUPLICATE', 'ALLOW_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY'] as const;
export type IdReusePolicy = (typeof ID_REUSE_POLICIES)[number];

const operationName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/, 'must be a plain identifier');

const OperationSchema = z.strictObject({
  /** JSON Schema the operation's argument must satisfy; absent = any JSON value. */
  schema: z.record(z.string(), z.unknown()).optional(),
});

const TargetSchema = z.strictObject({
  name: z.string().min(1),
  /** Regular expression a workflow ID must match in full. */
  workflowIdPattern: z.string().min(1),
  workflowType: z.string().min(1),
  taskQueue: z.string().min(1),
  signals: z.record(operationName, OperationSchema).default({}),
  updates: z.record(operationName, OperationSchema).default({}),
  queries: z.array(operationName).default([]),
  /** Start the workflow when a signal or update finds none (signal-with-start). */
  startIfMissing: z.boolean().default(false),
  /** Arguments of a workflow the gateway starts. */
  startArgs: z.array(z.unknown()).default([]),
  /**
   * What a start may do when a closed run with the same ID exists. REJECT_DUPLICATE keeps a
   * redelivered event from starting a second run after the first completed.
   */
  idReusePolicy: z.enum(ID_REUSE_POLICIES).default('REJECT_DUPLICATE'),
});

export const GatewayConfigSchema = z.strictObject({
  targets: z.array(TargetSchema).min(1, 'declare at least one target'),
  /** How CloudEvents find their workflows (`POST /v1/events`, CloudEvent queue messages). */
  routes: z.array(RouteSchema).default([]),
  /** Webhook providers posting to `POST /v1/webhooks/{source}`, each with its verifier and routes. */
  sources: z.array(SourceSchema).default([]),
});

export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;
type TargetConfig = z.output<typeof TargetSchema>;

/** A target ready to use: its pattern compiled and its argument schemas built. */
export interface Target extends Omit<TargetConfig, 'signals' | 'updates'> {
  matches: (workflowId: string) => boolean;
  signals: ReadonlyMap<string, z.ZodType>;
  updates: ReadonlyMap<string, z.ZodType>;
}

export interface GatewayConfig {
  targets: readonly Target[];
  routes: readonly Route[];
  sources: readonly Source[];
}

export class GatewayConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`Invalid gateway configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'GatewayConfigError';
  }
}

function compileSchemas(
  operations: Record<string, { schema?: Record<string, unknown> | undefined }>,
  where: string,
  problems: string[],
): Map<string, z.ZodType> {
  const compiled = new Map<string, z.ZodType>();
  for (const [name, { schema }] of Object.entries(operations)) {
    try {
      compiled.set(name, schema ? z.fromJSONSchema(schema) : z.unknown());
    } catch (error) {
      problems.push(`${where}.${name}.schema: not a usable JSON Schema (${(error as Error).message})`);
    }
  }
  return compiled;
}

function compileTarget(target: TargetConfig, index: number, problems: string[]): Target {
  const where = `targets[${index}]`;
  let pattern: RegExp | undefined;
  try {
    // Anchored here so a pattern written without ^…$ cannot match a prefix of a longer ID.
    pattern = new RegExp(`^(?:${target.workflowIdPattern})$`, 'u');
  } catch (error) {
    problems.push(`${where}.workflowIdPattern: invalid regular expression (${(error as Error).message})`);
  }
  return {
    ...target,
    matches: (workflowId) => pattern?.test(workflowId) ?? false,
    signals: compileSchemas(target.signals, `${where}.signals`, problems),
    updates: compileSchemas(target.updates, `${where}.updates`, problems),
  };
}

function reportDuplicates(items: readonly { name: string }[], where: string, problems: string[]) {
  const names = items.map((item) => item.name);
  names
    .filter((name, index) => names.indexOf(name) !== index)
    .forEach((name) => problems.push(`${where}: the name "${name}" is declared twice`));
}

/** Validates and compiles a configuration; throws one error listing every problem. */
export function parseGatewayConfig(input: unknown): GatewayConfig {
  const parsed = GatewayConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new GatewayConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const problems: string[] = [];
  const targets = parsed.data.targets.map((target, index) => compileTarget(target, index, problems));
  reportDuplicates(parsed.data.targets, 'targets', problems);
  const routes = parsed.data.routes.map((route, index) => compileRoute(route, index, problems));
  reportDuplicates(parsed.data.routes, 'routes', problems);
  routes.forEach((route, index) => checkRouteTarget(route, targets, index, problems));
  const sources = compileSources(parsed.data.sources, targets, problems);
  if (problems.length > 0) throw new GatewayConfigError(problems);
  return { targets, routes, sources };
}

/** Parses the configuration from its JSON text (as found in an environment variable). */
export function parseGatewayConfigJson(text: string): GatewayConfig {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new GatewayConfigError([`not valid JSON (${(error as Error).message})`], { cause: error });
  }
  return parseGatewayConfig(input);
}
