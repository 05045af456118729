/**
 * The schema of a target as configured (core/target-compiler.ts compiles it): which workflows, which
 * signals, updates and queries with which argument schemas, whether the gateway may start them.
 * zod, so loaded only where a configuration is validated in full — synth, local stacks, tests —
 * never by a function running the configuration the synth sealed.
 */
import * as z from 'zod';
import { ID_REUSE_POLICIES, START_CONFLICT_POLICIES } from './gateway-config-model';
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
