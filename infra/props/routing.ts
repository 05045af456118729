/**
 * The routing a gateway deployment serves — which workflows it may reach, what it may do to them,
 * how CloudEvents find their workflow — as typed CDK props. It is the gateway's own configuration
 * (functions/core/gateway-config.ts), validated by the same code the functions run at cold start,
 * so a mistake stops `cdk synth` instead of a deployed function. A target's argument schema may be
 * a JSON Schema or a zod schema; zod schemas are converted to JSON Schema here.
 */
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as z from 'zod';
import { argumentCheckName } from '../../functions/adapters/gateway-config-file';
import type { SourceConfigInput } from '../../functions/core/webhook-sources';
import {
  GatewayConfigError,
  validateGatewayConfig,
  type GatewayConfigInput,
  type ValidatedGatewayConfig,
} from '../../functions/core/gateway-config';
import { generateCheckModuleSync, ValidatorCodegenError } from '../validator-codegen';

/** A JSON Schema object, or a zod schema (converted with `z.toJSONSchema`). */
export type ArgumentSchema = Readonly<Record<string, unknown>> | z.ZodType;

/** A signal, update, query or start a target allows. */
export interface OperationProps {
  /**
   * What the argument must satisfy: `{}` for any JSON value, a tuple (`z.tuple`, `prefixItems`) for
   * several positional arguments. `z.void()` / `z.undefined()` mean no argument, as no schema does.
   * @default - the operation takes no argument
   */
  readonly schema?: ArgumentSchema;
}

/** Starts from events: the workflow's input schema and what a start does when a run is running. */
export interface StartProps extends OperationProps {
  /** @default 'fail' */
  readonly conflictPolicy?: 'fail' | 'use-existing' | 'terminate-existing';
}

type CoreTarget = GatewayConfigInput['targets'][number];

/** A workflow (by ID pattern) the gateway may reach, and the signals, updates and queries it allows. */
export type GatewayTargetProps = Omit<CoreTarget, 'signals' | 'updates' | 'queries' | 'start'> & {
  /** @default - none */
  readonly signals?: Readonly<Record<string, OperationProps>>;
  /** @default - none */
  readonly updates?: Readonly<Record<string, OperationProps>>;
  /** Argument-less queries by name, or queries with their argument schemas. @default - none */
  readonly queries?: readonly string[] | Readonly<Record<string, OperationProps>>;
  /** Lets events and `POST /v1/workflows/{workflowId}` start the workflow. @default - no starts */
  readonly start?: StartProps;
};

/**
 * Targets and CloudEvent routes (and whatever else the gateway configuration holds), passed through
 * to the functions as the gateway configuration file.
 */
export type GatewayRouting = Omit<GatewayConfigInput, 'targets'> & {
  readonly targets: readonly GatewayTargetProps[];
};

/** A source the gateway accepts `POST /v1/webhooks/{name}` from (see docs/webhooks.md). */
export type WebhookSourceProps = Omit<SourceConfigInput, 'secret'> & {
  /**
   * The signing secret (one value, or a JSON array of values while rotating).
   * @default - a secret is created, to be filled in with the provider's signing secret
   */
  readonly secret?: secretsmanager.ISecret;
};

function isZodSchema(schema: ArgumentSchema): schema is z.ZodType {
  // Duck-typed: the app may hold another copy of zod than this package.
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

/** `z.void()` and `z.undefined()`: the SDK's "no argument", which JSON Schema cannot state. */
function meansNoArgument(schema: z.ZodType): boolean {
  const type = (schema as { _zod?: { def?: { type?: string } } })._zod?.def?.type;
  return type === 'void' || type === 'undefined';
}

function toJsonSchema(schema: ArgumentSchema, where: string, problems: string[]): unknown {
  if (!isZodSchema(schema)) return schema;
  try {
    const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input' });
    return json;
  } catch (error) {
    problems.push(`${where}: the zod schema has no JSON Schema form (${(error as Error).message})`);
    return undefined;
  }
}

/** An operation's props with a zod schema converted; `z.void()` drops the schema (no argument). */
function convertOperation<T extends OperationProps>(operation: T, where: string, problems: string[]) {
  if (operation?.schema === undefined) return operation;
  const { schema, ...rest } = operation;
  if (isZodSchema(schema) && meansNoArgument(schema)) return rest;
  return { ...rest, schema: toJsonSchema(schema, `${where}.schema`, problems) };
}

function convertOperations(
  operations: Readonly<Record<string, OperationProps>> | readonly string[] | undefined,
  where: string,
  problems: string[],
): Record<string, { schema?: unknown }> | readonly string[] | undefined {
  if (operations === undefined || typeof operations !== 'object' || operations === null) return operations;
  if (Array.isArray(operations)) return operations as readonly string[];
  return Object.fromEntries(
    Object.entries(operations as Readonly<Record<string, OperationProps>>).map(([name, operation]) => [
      name,
      convertOperation(operation, `${where}.${name}`, problems),
    ]),
  );
}

/**
 * Validates the routing exactly as the functions would and returns it as the configuration file's
 * JSON, defaults filled in (what the functions compile without validating again, given its digest);
 * throws {@link GatewayConfigError} with every problem, each path starting at `routing`.
 */
export function routingToConfigJson(routing: GatewayRouting): string {
  const problems: string[] = [];
  // Props arrive from JavaScript too: a non-array is left for the schema to report.
  const given: unknown = routing.targets;
  const targets = Array.isArray(given)
    ? (given as readonly GatewayTargetProps[]).map((target, index) => ({
        ...target,
        signals: convertOperations(target.signals, `routing.targets.${index}.signals`, problems),
        updates: convertOperations(target.updates, `routing.targets.${index}.updates`, problems),
        queries: convertOperations(target.queries, `routing.targets.${index}.queries`, problems),
        ...(target.start === undefined
          ? {}
          : { start: convertOperation(target.start, `routing.targets.${index}.start`, problems) }),
      }))
    : routing.targets;
  const input = { ...routing, targets };
  let config: ValidatedGatewayConfig | undefined;
  try {
    config = validateGatewayConfig(input);
  } catch (error) {
    if (!(error instanceof GatewayConfigError)) throw error;
    problems.push(...error.problems.map((problem) => `routing.${problem}`));
  }
  if (!config || problems.length > 0) throw new GatewayConfigError(problems);
  return JSON.stringify(config);
}

/** Every argument schema of a validated configuration (signals, updates, queries, start), by where it is. */
function argumentSchemas(config: ValidatedGatewayConfig): [string, Record<string, unknown>][] {
  return config.targets.flatMap((target, index) => {
    const operations = (kind: string, declared: Record<string, { schema?: Record<string, unknown> }>) =>
      Object.entries(declared).flatMap(([name, { schema }]): [string, Record<string, unknown>][] =>
        schema ? [[`routing.targets.${index}.${kind}.${name}`, schema]] : [],
      );
    return [
      ...operations('signals', target.signals),
      ...operations('updates', target.updates),
      ...operations('queries', target.queries),
      ...(target.start?.schema ? [[`routing.targets.${index}.start`, target.start.schema] as const] : []),
    ] as [string, Record<string, unknown>][];
  });
}

/**
 * The argument checks of the configuration {@link routingToConfigJson} wrote, generated as one
 * module of plain functions (infra/validator-codegen.ts), each named by its schema's digest
 * (`argumentCheckName`): the sealed configuration's functions run them instead of building zod
 * schemas. Written beside the configuration file at synth, and by the build for the default one.
 */
export function routingChecksModule(configJson: string): string {
  const schemas: Record<string, object> = {};
  const where = new Map<string, string>();
  for (const [at, schema] of argumentSchemas(JSON.parse(configJson) as ValidatedGatewayConfig)) {
    const name = argumentCheckName(schema);
    schemas[name] = schema;
    if (!where.has(name)) where.set(name, at);
  }
  try {
    return generateCheckModuleSync(schemas);
  } catch (error) {
    if (!(error instanceof ValidatorCodegenError)) throw error;
    // The generator names the check; the synth names the schema as the routing props hold it.
    const name = /^(s[0-9a-f]+):/.exec(error.message)?.[1];
    const at = (name && where.get(name)) ?? 'routing';
    throw new GatewayConfigError([`${at}.schema: ${error.message.replace(/^s[0-9a-f]+: /, '')}`], {
      cause: error,
    });
  }
}
