/**
 * The routing a gateway deployment serves — which workflows it may reach, what it may do to them,
 * how CloudEvents find their workflow — as typed CDK props. It is the gateway's own configuration
 * (functions/core/gateway-config.ts), validated by the same code the functions run at cold start,
 * so a mistake stops `cdk synth` instead of a deployed function. A target's argument schema may be
 * a JSON Schema or a zod schema; zod schemas are converted to JSON Schema here.
 */
import * as z from 'zod';
import {
  GatewayConfigError,
  validateGatewayConfig,
  type GatewayConfigInput,
  type ValidatedGatewayConfig,
} from '../../functions/core/gateway-config';

/** A JSON Schema object, or a zod schema (converted with `z.toJSONSchema`). */
export type ArgumentSchema = Readonly<Record<string, unknown>> | z.ZodType;

/** A signal or update a target allows. */
export interface OperationProps {
  /** What the argument must satisfy. @default - any JSON value */
  readonly schema?: ArgumentSchema;
}

type CoreTarget = GatewayConfigInput['targets'][number];

/** A workflow (by ID pattern) the gateway may reach, and the signals, updates and queries it allows. */
export type GatewayTargetProps = Omit<CoreTarget, 'signals' | 'updates'> & {
  /** @default - none */
  readonly signals?: Readonly<Record<string, OperationProps>>;
  /** @default - none */
  readonly updates?: Readonly<Record<string, OperationProps>>;
};

/**
 * Targets and CloudEvent routes (and whatever else the gateway configuration holds), passed through
 * to the functions as the gateway configuration file.
 */
export type GatewayRouting = Omit<GatewayConfigInput, 'targets'> & {
  readonly targets: readonly GatewayTargetProps[];
};

function isZodSchema(schema: ArgumentSchema): schema is z.ZodType {
  // Duck-typed: the app may hold another copy of zod than this package.
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
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

function convertOperations(
  operations: Readonly<Record<string, OperationProps>> | undefined,
  where: string,
  problems: string[],
): Record<string, { schema?: unknown }> | undefined {
  if (operations === undefined || typeof operations !== 'object' || operations === null) return operations;
  return Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [
      name,
      operation?.schema === undefined
        ? operation
        : { ...operation, schema: toJsonSchema(operation.schema, `${where}.${name}.schema`, problems) },
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
