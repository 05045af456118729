/**
 * The gateway configuration: which workflows the gateway may reach and what it may do to them.
 * Validated (every problem reported together) and compiled once per process. A configuration the
 * synth already validated — the deployed functions' file, sealed by its digest — is compiled
 * without validating it again ({@link compileValidatedGatewayConfig}): a cold start then skips
 * zod's parse and builds each argument schema only when a request first needs it.
 */
import * as z from 'zod';
import { OperationNameSchema } from './commands';
import { checkRouteTarget, compileRoute, RouteSchema, type Route } from './routes';
import { compileSources, SourceSchema, type Source } from './webhook-sources';

const ID_REUSE_POLICIES = ['REJECT_DUPLICATE', 'ALLOW_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY'] as const;
export type IdReusePolicy = (typeof ID_REUSE_POLICIES)[number];

/**
 * How a declared operation takes its arguments, as the SDK's handlers do: none (no `schema`), one
 * (a `schema`; `{}` accepts any JSON value) or several (a tuple schema, `prefixItems`: a JSON array
 * spread into positional arguments).
 */
const operationSchema = () =>
  z.strictObject({
    /** JSON Schema the argument must satisfy; absent = the operation takes no argument. */
    schema: z.record(z.string(), z.unknown()).optional(),
  });

/**
 * What a start does when a run of the workflow ID is already running, started by another event:
 * `fail` (409), `use-existing` (200, the event's input is not applied) or `terminate-existing`
 * (the running run is terminated and a new one started).
 */
export const START_CONFLICT_POLICIES = ['fail', 'use-existing', 'terminate-existing'] as const;
export type StartConflictPolicy = (typeof START_CONFLICT_POLICIES)[number];

const startSchema = () =>
  z.strictObject({
    /** JSON Schema of the workflow's input; absent = started with no argument. */
    schema: z.record(z.string(), z.unknown()).optional(),
    conflictPolicy: z.enum(START_CONFLICT_POLICIES).default('fail'),
  });

/** `queries` as a list of argument-less names, or by name with each one's schema. */
const queriesSchema = () =>
  z
    .union([z.array(OperationNameSchema), z.record(OperationNameSchema, operationSchema())])
    .default({})
    .transform((queries) =>
      Array.isArray(queries)
        ? Object.fromEntries(
            queries.map((name): [string, { schema?: Record<string, unknown> }] => [name, {}]),
          )
        : queries,
    );

// Built at the first validation (z.lazy): a cold start compiling a validated configuration never builds it.
const TargetSchema = z.lazy(() =>
  z.strictObject({
    name: z.string().min(1),
    /** Regular expression a workflow ID must match in full. */
    workflowIdPattern: z.string().min(1),
    workflowType: z.string().min(1),
    taskQueue: z.string().min(1),
    signals: z.record(OperationNameSchema, operationSchema()).default({}),
    updates: z.record(OperationNameSchema, operationSchema()).default({}),
    queries: queriesSchema(),
    /** Starts from events and `POST /v1/workflows/{workflowId}`; absent = the gateway starts none. */
    start: startSchema().optional(),
    /** Start the workflow when a signal or update finds none (signal-with-start). */
    startIfMissing: z.boolean().default(false),
    /** Arguments of a workflow the gateway starts. */
    startArgs: z.array(z.unknown()).default([]),
    /**
     * What a start may do when a closed run with the same ID exists. REJECT_DUPLICATE keeps a
     * redelivered event from starting a second run after the first completed.
     */
    idReusePolicy: z.enum(ID_REUSE_POLICIES).default('REJECT_DUPLICATE'),
  }),
);

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
type TargetConfig = z.output<typeof TargetSchema>;

/** The zod schema of a declared operation's argument, built from its JSON Schema on first use. */
export type ArgumentSchema = () => z.ZodType;

/** How an operation's argument reaches the workflow: none, one, or a tuple spread into several. */
export type Arity = 'none' | 'one' | 'positional';

/** A declared operation: how many arguments it takes and what they must satisfy. */
export interface Operation {
  arity: Arity;
  /** The argument's schema (`none`: only "no argument"); for `positional`, the whole tuple's. */
  schema: ArgumentSchema;
}

/** A target ready to use: its pattern compiled and its argument schemas ready to build. */
export interface Target extends Omit<TargetConfig, 'signals' | 'updates' | 'queries' | 'start'> {
  matches: (workflowId: string) => boolean;
  signals: ReadonlyMap<string, Operation>;
  updates: ReadonlyMap<string, Operation>;
  queries: ReadonlyMap<string, Operation>;
  /** Present when the target's workflows may be started from events. */
  start?: Operation & { conflictPolicy: StartConflictPolicy };
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

/**
 * When argument schemas are built: `eager` reports an unusable JSON Schema as a configuration
 * problem now; `lazy` builds each one when a request first needs it (a configuration already
 * validated, with `eager`, by the same code).
 */
type SchemaBuilding = 'eager' | 'lazy';

function memoised(build: () => z.ZodType): ArgumentSchema {
  let schema: z.ZodType | undefined;
  return () => (schema ??= build());
}

const NO_ARGUMENT = z.undefined();

/** A tuple schema (`"type": "array"` with `prefixItems`): its items are positional arguments. */
function isTupleSchema(schema: Record<string, unknown>): boolean {
  return schema.type === 'array' && Array.isArray(schema.prefixItems);
}

function compileOperation(
  schema: Record<string, unknown> | undefined,
  where: string,
  building: SchemaBuilding,
  problems: string[],
): Operation | undefined {
  if (!schema) return { arity: 'none', schema: () => NO_ARGUMENT };
  const arity = isTupleSchema(schema) ? 'positional' : 'one';
  const build = () => z.fromJSONSchema(schema);
  if (building === 'lazy') return { arity, schema: memoised(build) };
  try {
    const built = build();
    return { arity, schema: () => built };
  } catch (error) {
    problems.push(`${where}.schema: not a usable JSON Schema (${(error as Error).message})`);
    return undefined;
  }
}

function compileSchemas(
  operations: Record<string, { schema?: Record<string, unknown> | undefined }>,
  where: string,
  building: SchemaBuilding,
  problems: string[],
): Map<string, Operation> {
  const compiled = new Map<string, Operation>();
  for (const [name, { schema }] of Object.entries(operations)) {
    const operation = compileOperation(schema, `${where}.${name}`, building, problems);
    if (operation) compiled.set(name, operation);
  }
  return compiled;
}

function compileStart(
  start: TargetConfig['start'],
  where: string,
  building: SchemaBuilding,
  problems: string[],
): Target['start'] {
  if (!start) return undefined;
  const operation = compileOperation(start.schema, `${where}.start`, building, problems);
  return operation && { ...operation, conflictPolicy: start.conflictPolicy };
}

function compileTarget(
  target: TargetConfig,
  index: number,
  building: SchemaBuilding,
  problems: string[],
): Target {
  const where = `targets[${index}]`;
  let pattern: RegExp | undefined;
  try {
    // Anchored here so a pattern written without ^…$ cannot match a prefix of a longer ID.
    pattern = new RegExp(`^(?:${target.workflowIdPattern})$`, 'u');
  } catch (error) {
    problems.push(`${where}.workflowIdPattern: invalid regular expression (${(error as Error).message})`);
  }
  const { start, ...rest } = target;
  const compiledStart = compileStart(start, where, building, problems);
  return {
    ...rest,
    matches: (workflowId) => pattern?.test(workflowId) ?? false,
    signals: compileSchemas(target.signals, `${where}.signals`, building, problems),
    updates: compileSchemas(target.updates, `${where}.updates`, building, problems),
    queries: compileSchemas(target.queries, `${where}.queries`, building, problems),
    ...(compiledStart ? { start: compiledStart } : {}),
  };
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
