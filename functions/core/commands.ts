/**
 * Turning an external request into a command for a declared target: the ID is well-formed, a
 * target declares it, the operation is allowed, and the argument satisfies its schema.
 */
import * as z from 'zod';
import type { GatewayConfig, Target } from './gateway-config';
import { arityProblem, declaredOperation, type OperationKind } from './operation-arguments';
import { problem } from './problems';
import { fail, ok, type Result } from './result';

/**
 * No control or invisible format characters. Exported so the API document can state it as plain
 * pattern text (`.source`): the document generator would otherwise print the RegExp with its flags.
 */
export const WORKFLOW_ID_PATTERN = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

/** IDs Temporal accepts and logs safely: no control characters, at most 255 characters. */
export const WorkflowIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(WORKFLOW_ID_PATTERN, 'must not contain control or invisible format characters');

export const OperationNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/, 'must be a plain identifier (letters, digits, _ . : -)');

/** Client-chosen event ids (Idempotency-Key, webhook-id, CloudEvent id). */
export const EventIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/**
 * The id a delivery carries: a supplied id (at most 255 characters) under its namespace
 * (core/event-ids.ts) is longer than the id itself.
 */
export const DeliveryEventIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(512, 'must be at most 512 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/**
 * Deepest nesting an argument may have. Real event payloads are shallow; a deep one is an attack or
 * a bug, and past a few thousand levels the Temporal payload converter overflows its stack — a local
 * error that must not be mistaken for a Temporal outage.
 */
export const MAX_ARGUMENT_DEPTH = 64;

/** Whether `value` nests arrays/objects deeper than `max`, checked without recursion. */
export function exceedsDepth(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

export type { OperationKind } from './operation-arguments';
export { declaredOperation, wireArguments } from './operation-arguments';

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

function firstIssue(error: z.ZodError): { message: string; path: string } {
  const issue = error.issues[0];
  return { message: issue?.message ?? 'invalid', path: issue?.path.join('.') ?? '' };
}

export function validateField<T>(schema: z.ZodType<T>, value: unknown, field: string): Result<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  return fail(problem('invalid-request', `${field} ${firstIssue(parsed.error).message}`, field));
}

/** The target that declares this workflow ID (the first that matches), else 403. */
export function resolveTarget(config: GatewayConfig, workflowId: string): Result<Target> {
  const valid = validateField(WorkflowIdSchema, workflowId, 'workflowId');
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

/** 400 for an argument nested deeper than {@link MAX_ARGUMENT_DEPTH} (a stack-safety limit). */
export function checkArgumentDepth(argument: unknown): Result<unknown> {
  if (!exceedsDepth(argument, MAX_ARGUMENT_DEPTH)) return ok(argument);
  return fail(
    problem(
      'invalid-request',
      `body nests arrays or objects deeper than ${MAX_ARGUMENT_DEPTH} levels.`,
      'body',
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
    const validName = validateField(OperationNameSchema, name, kind);
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
  const parsed = operation.schema().safeParse(argument);
  if (parsed.success) return ok(parsed.data);
  const { message, path } = firstIssue(parsed.error);
  const field = path ? `body.${path}` : 'body';
  return fail(problem('invalid-request', `${field}: ${message}`, field));
}

/** The target as one that never starts its workflow (its other rules unchanged). */
export function neverStartingTarget(target: Target): Target {
  return target.startIfMissing ? { ...target, startIfMissing: false } : target;
}

/**
 * A prepared signal that must only reach a running workflow (a callback's): marked, so the mark
 * survives the fallback queue, and on a target that never starts.
 */
export function neverStartingSignal(prepared: { command: SignalCommand; target: Target }): {
  command: SignalCommand;
  target: Target;
} {
  return { command: { ...prepared.command, neverStart: true }, target: neverStartingTarget(prepared.target) };
}

/** Resolves and validates a signal in one step: the check every ingress path runs. */
export function prepareSignal(
  config: GatewayConfig,
  input: {
    workflowId: string;
    signal: string;
    payload: unknown;
    eventId: string;
    suppliedId?: string | undefined;
    source?: string;
  },
): Result<{ command: SignalCommand; target: Target }> {
  const target = resolveTarget(config, input.workflowId);
  if (!target.ok) return target;
  const eventId = validateField(DeliveryEventIdSchema, input.eventId, 'eventId');
  if (!eventId.ok) return eventId;
  const payload = checkOperation(target.value, 'signal', input.signal, input.payload);
  if (!payload.ok) return payload;
  return ok({
    command: {
      workflowId: input.workflowId,
      signal: input.signal,
      payload: payload.value,
      eventId: eventId.value,
      ...(input.suppliedId === undefined ? {} : { suppliedId: input.suppliedId }),
      ...(input.source === undefined ? {} : { source: input.source }),
    },
    target: target.value,
  });
}

/** Resolves and validates an update: the target declares it and the argument fits its schema. */
export function prepareUpdate(
  config: GatewayConfig,
  input: {
    workflowId: string;
    update: string;
    payload: unknown;
    eventId: string;
    suppliedId?: string | undefined;
    source?: string;
  },
): Result<{ command: UpdateCommand; target: Target }> {
  const target = resolveTarget(config, input.workflowId);
  if (!target.ok) return target;
  const eventId = validateField(DeliveryEventIdSchema, input.eventId, 'eventId');
  if (!eventId.ok) return eventId;
  const payload = checkOperation(target.value, 'update', input.update, input.payload);
  if (!payload.ok) return payload;
  return ok({
    command: {
      workflowId: input.workflowId,
      update: input.update,
      payload: payload.value,
      eventId: eventId.value,
      ...(input.suppliedId === undefined ? {} : { suppliedId: input.suppliedId }),
      ...(input.source === undefined ? {} : { source: input.source }),
    },
    target: target.value,
  });
}

/** Resolves and validates a start: the target allows starts and the input fits its schema. */
export function prepareStart(
  config: GatewayConfig,
  input: {
    workflowId: string;
    payload: unknown;
    eventId: string;
    suppliedId?: string | undefined;
    source?: string;
  },
): Result<{ command: StartCommand; target: Target }> {
  const target = resolveTarget(config, input.workflowId);
  if (!target.ok) return target;
  const eventId = validateField(DeliveryEventIdSchema, input.eventId, 'eventId');
  if (!eventId.ok) return eventId;
  const payload = checkOperation(target.value, 'start', 'start', input.payload);
  if (!payload.ok) return payload;
  return ok({
    command: {
      workflowId: input.workflowId,
      payload: payload.value,
      eventId: eventId.value,
      ...(input.suppliedId === undefined ? {} : { suppliedId: input.suppliedId }),
      ...(input.source === undefined ? {} : { source: input.source }),
    },
    target: target.value,
  });
}
