/**
 * How a declared operation takes its arguments, as the SDK's handlers do: none (declared without a
 * schema), one, or several (a tuple schema). Used to check a request's argument and to turn the
 * checked argument into the arguments Temporal delivers.
 */
import type { Operation, OperationKind, Target } from './gateway-config-model';
import { problem, type Problem } from './problems';

/** The declared operation; undefined when the target does not declare it. */
export function declaredOperation(target: Target, kind: OperationKind, name: string): Operation | undefined {
  switch (kind) {
    case 'signal':
      return target.signals.get(name);
    case 'update':
      return target.updates.get(name);
    case 'query':
      return target.queries.get(name);
    case 'start':
      return target.start;
  }
}

/**
 * The arguments the workflow receives for a checked argument, as the SDK client passes them: none
 * for an operation without a schema, the value itself for one, the tuple's items for several.
 * (Undeclared here, e.g. a queued command whose target changed since: the value as one argument.)
 */
export function wireArguments(
  target: Target,
  kind: OperationKind,
  name: string,
  argument: unknown,
): unknown[] {
  const arity = declaredOperation(target, kind, name)?.arity ?? (argument === undefined ? 'none' : 'one');
  if (arity === 'none') return [];
  if (arity === 'positional' && Array.isArray(argument)) return argument;
  return [argument];
}

/** 400 naming what an operation without arguments was sent, or what one with an argument lacks. */
export function arityProblem(
  kind: OperationKind,
  name: string,
  operation: Operation,
  argument: unknown,
): Problem | undefined {
  const what = kind === 'start' ? 'the workflow start' : `the ${kind} "${name}"`;
  if (operation.arity === 'none' && argument !== undefined) {
    return problem('invalid-request', `body: ${what} takes no argument; send no body.`, 'body');
  }
  if (operation.arity !== 'none' && argument === undefined) {
    return problem('invalid-request', `The body is empty; ${what} takes a JSON argument.`, 'body');
  }
  return undefined;
}
