/**
 * Targets: the workflows the gateway may reach and what it may do to them — which signals, updates
 * and queries, with which arguments, and whether it may start them. Declared in the configuration,
 * compiled once: the workflow-ID pattern anchored, each argument's JSON Schema made a `Check`.
 */
import type { Check } from './check';
import type { ArgumentSchema, Operation, Target } from './gateway-config-model';
import type { TargetConfig } from './target-schema';

export type { TargetConfig };

/**
 * The check of an operation's JSON Schema, ready or built when first used, or the problem that makes
 * it unusable: generated at synth (the sealed configuration), else built by zod (core/zod-checks.ts),
 * now (`validateGatewayConfig`) or at the first request.
 */
export type ArgumentCheckFactory = (
  schema: Record<string, unknown>,
  where: string,
) => { check: ArgumentSchema } | { problem: string };

const NO_ARGUMENT: Check<unknown> = (value) =>
  value === undefined
    ? { ok: true, value }
    : { ok: false, issue: { path: '', message: 'must be absent (the operation takes no argument)' } };

/** A tuple schema (`"type": "array"` with `prefixItems`): its items are positional arguments. */
function isTupleSchema(schema: Record<string, unknown>): boolean {
  return schema.type === 'array' && Array.isArray(schema.prefixItems);
}

function compileOperation(
  schema: Record<string, unknown> | undefined,
  where: string,
  building: ArgumentCheckFactory,
  problems: string[],
): Operation | undefined {
  if (!schema) return { arity: 'none', schema: () => NO_ARGUMENT };
  const arity = isTupleSchema(schema) ? 'positional' : 'one';
  const built = building(schema, where);
  if ('check' in built) return { arity, schema: built.check };
  problems.push(built.problem);
  return undefined;
}

function compileSchemas(
  operations: Record<string, { schema?: Record<string, unknown> | undefined }>,
  where: string,
  building: ArgumentCheckFactory,
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
  building: ArgumentCheckFactory,
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
  building: ArgumentCheckFactory,
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
