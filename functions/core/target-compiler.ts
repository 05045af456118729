/**
 * Targets: the workflows the gateway may reach and what it may do to them — which signals, updates
 * and queries, with which arguments, and whether it may start them. Declared in the configuration,
 * compiled once: the workflow-ID pattern anchored, each argument's JSON Schema turned into zod.
 */
import * as z from 'zod';
import {
  ID_REUSE_POLICIES,
  START_CONFLICT_POLICIES,
  type ArgumentSchema,
  type Operation,
  type Target,
} from './gateway-config-model';
import { OperationNameSchema } from './identifiers';

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
export const TargetSchema = z.lazy(() =>
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

/** A target as configured, its defaults filled in. */
export type TargetConfig = z.output<typeof TargetSchema>;

/**
 * When argument schemas are built: `eager` reports an unusable JSON Schema as a configuration
 * problem now; `lazy` builds each one when a request first needs it (a configuration already
 * validated, with `eager`, by the same code).
 */
export type SchemaBuilding = 'eager' | 'lazy';

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

/** Compiles one target, adding every problem it has to `problems`. */
export function compileTarget(
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
