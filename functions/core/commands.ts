/**
 * Turning an external request into a command for a declared target: the ID is well-formed, a
 * target declares it, the operation is allowed, and the argument satisfies its schema.
 */
import { deliveryEventId, operationName, workflowId as workflowIdCheck } from './checks.generated.js';
import { issueField, validateField } from './field-validation';
import type { GatewayConfig, OperationKind, Target } from './gateway-config-model';
import { checkArgumentDepth } from './input-limits';
import { arityProblem, declaredOperation } from './operation-arguments';
import { problem } from './problems';
import { fail, ok, type Result } from './result';

/** A signal (or update) ready for Temporal: the unit of delivery, on HTTP and SQS alike. */
export interface SignalCommand {
  workflowId: string;
  signal: string;
  payload: unknown;
  eventId: string;
  /** The id as its caller supplied it, when `eventId` is namespaced (core/event-ids.ts). */
  suppliedId?: string;
  /** Where the event came from (webhook source, route name, `http`, `sqs`); sent as a header. */
  source?: string;
  /**
   * The workflow must already be running: never start it, whatever the target's `startIfMissing`
   * (a callback URL whose workflow is gone). Travels with the command through the fallback queue.
   */
  neverStart?: boolean;
}

/** An update ready for Temporal; like a signal, but the sender waits for the workflow's answer. */
export interface UpdateCommand {
  workflowId: string;
  update: string;
  payload: unknown;
  eventId: string;
  /** The id as its caller supplied it, when `eventId` is namespaced (core/event-ids.ts). */
  suppliedId?: string;
  /** Where the event came from (webhook source, route name, `http`); sent as a header. */
  source?: string;
}

/** A workflow start from an event: the workflow's input, idempotent by the event id. */
export interface StartCommand {
  workflowId: string;
  /** The input as the caller sent it (absent for a start without arguments). */
  payload: unknown;
  eventId: string;
  /** The id as its caller supplied it, when `eventId` is namespaced (core/event-ids.ts). */
  suppliedId?: string;
  /** Where the event came from (webhook source, route name, `http`, `sqs`); sent as a header. */
  source?: string;
}

/** The target that declares this workflow ID (the first that matches), else 403. */
export function resolveTarget(config: GatewayConfig, workflowId: string): Result<Target> {
  const valid = validateField(workflowIdCheck, workflowId, 'workflowId');
  if (!valid.ok) return valid;
  const target = config.targets.find((candidate) => candidate.matches(workflowId));
  return target
    ? ok(target)
    : fail(
        problem(
          'target-not-declared',
          `No declared target accepts workflow ID "${workflowId}".`,
          'workflowId',
        ),
      );
}

/**
 * Checks that `kind` `name` is declared for the target and that the argument fits it: none for an
 * operation declared without a schema (`undefined`: an empty body, no payload), else a value that
 * satisfies its schema. Returns the parsed argument.
 */
export function checkOperation(
  target: Target,
  kind: OperationKind,
  name: string,
  argument?: unknown,
): Result<unknown> {
  if (kind !== 'start') {
    const validName = validateField(operationName, name, kind);
    if (!validName.ok) return validName;
  }
  const operation = declaredOperation(target, kind, name);
  if (!operation) {
    return fail(
      kind === 'start'
        ? problem(
            'operation-not-allowed',
            `Target "${target.name}" does not let the gateway start its workflows (no "start").`,
            'workflowId',
          )
        : problem(
            'operation-not-allowed',
            `The ${kind} "${name}" is not declared for target "${target.name}".`,
            kind,
          ),
    );
  }
  const wrongArity = arityProblem(kind, name, operation, argument);
  if (wrongArity) return fail(wrongArity);
  if (operation.arity === 'none') return ok(undefined);
  const shallow = checkArgumentDepth(argument);
  if (!shallow.ok) return shallow;
  const checked = operation.schema()(argument);
  if (checked.ok) return ok(checked.value);
  const field = issueField('body', checked.issue);
  return fail(problem('invalid-request', `${field}: ${checked.issue.message}`, field));
}

/** The target as one that never starts its workflow (its other rules unchanged). */
export function neverStartingTarget(target: Target): Target {
  return target.startIfMissing ? { ...target, startIfMissing: false } : target;
}

/**
 * A prepared signal that must only reach a running workflow (a callback's): marked, so the mark
 * survives the fallback queue, and on a target that never starts.
 */
export function neverStartingSignal(prepared: Prepared<SignalCommand>): Prepared<SignalCommand> {
  return { command: { ...prepared.command, neverStart: true }, target: neverStartingTarget(prepared.target) };
}

/** What a request names besides its operation: the workflow, the argument, the event's ids. */
export interface CommandInput {
  workflowId: string;
  payload: unknown;
  eventId: string;
  suppliedId?: string | undefined;
  source?: string;
}

/** A command checked against its target, and the target (whose rules its delivery follows). */
export interface Prepared<C> {
  command: C;
  target: Target;
}

/**
 * The check every ingress path runs: resolve the target, validate the event id, check the
 * operation and its argument. `named` is the operation's field of the command (`{ signal }`,
 * `{ update }`, none for a start). `resolved` is the target a caller already resolved for
 * `input.workflowId` with {@link resolveTarget} (the HTTP routes do, to answer 403 before reading
 * the body), so it is not resolved twice.
 */
function prepare<N extends object>(
  config: GatewayConfig,
  input: CommandInput,
  kind: 'signal' | 'update' | 'start',
  name: string,
  named: N,
  resolved: Target | undefined,
): Result<Prepared<StartCommand & N>> {
  const target = resolved ? ok(resolved) : resolveTarget(config, input.workflowId);
  if (!target.ok) return target;
  const eventId = validateField(deliveryEventId, input.eventId, 'eventId');
  if (!eventId.ok) return eventId;
  const payload = checkOperation(target.value, kind, name, input.payload);
  if (!payload.ok) return payload;
  return ok({
    command: {
      workflowId: input.workflowId,
      ...named,
      payload: payload.value,
      eventId: eventId.value,
      ...(input.suppliedId === undefined ? {} : { suppliedId: input.suppliedId }),
      ...(input.source === undefined ? {} : { source: input.source }),
    },
    target: target.value,
  });
}

/**
 * Resolves and validates a signal in one step: the check every ingress path runs. `resolved`: the
 * target already resolved for this workflow id, if the caller has it.
 */
export function prepareSignal(
  config: GatewayConfig,
  input: CommandInput & { signal: string },
  resolved?: Target,
): Result<Prepared<SignalCommand>> {
  return prepare(config, input, 'signal', input.signal, { signal: input.signal }, resolved);
}

/** Resolves and validates an update: the target declares it and the argument fits its schema. */
export function prepareUpdate(
  config: GatewayConfig,
  input: CommandInput & { update: string },
  resolved?: Target,
): Result<Prepared<UpdateCommand>> {
  return prepare(config, input, 'update', input.update, { update: input.update }, resolved);
}

/** Resolves and validates a start: the target allows starts and the input fits its schema. */
export function prepareStart(
  config: GatewayConfig,
  input: CommandInput,
  resolved?: Target,
): Result<Prepared<StartCommand>> {
  return prepare(config, input, 'start', 'start', {}, resolved);
}
