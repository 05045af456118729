/**
 * Redeeming a callback URL, as pure decisions: the verified claims and the partner's body become a
 * signal, an update or an activity completion — or the problem that stops it. Signature and expiry
 * are checked by the adapter before anything here runs.
 */
import * as z from 'zod';
import type { CallbackClaims } from '../../contract/callbacks';
import {
  neverStartingSignal,
  neverStartingTarget,
  prepareSignal,
  prepareUpdate,
  type SignalCommand,
  type UpdateCommand,
} from './commands';
import type { GatewayConfig, Target } from './gateway-config-model';
import { WorkflowIdSchema } from './identifiers';
import { checkArgumentDepth } from './input-limits';
import { problem, type Problem } from './problems';
import { fail, ok, type Result } from './result';

/** The claims' shape, checked again after the signature: a key holder's mistake is still a 401. */
export const CallbackClaimsSchema = z.object({
  jti: z.string().min(1).max(255),
  exp: z.number().int(),
  iat: z.number().int(),
  wid: WorkflowIdSchema,
  act: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('signal'), name: z.string().min(1) }),
    z.object({ kind: z.literal('update'), name: z.string().min(1) }),
    z.object({
      kind: z.literal('activity'),
      taskToken: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/)
        .min(1),
    }),
  ]),
  sch: z.record(z.string(), z.unknown()).optional(),
});

/** An activity completion ready for Temporal. */
export interface ActivityCompletionCommand {
  workflowId: string;
  /** base64url of the activity's task token. */
  taskToken: string;
  /** The event id (the token id), for logs. */
  eventId: string;
  outcome: { kind: 'completed'; result: unknown } | { kind: 'failed'; reason: string };
}

export type CallbackCommand =
  | { kind: 'signal'; command: SignalCommand; target: Target }
  | { kind: 'update'; command: UpdateCommand; target: Target }
  | { kind: 'activity'; command: ActivityCompletionCommand };

/** The body of `POST …/fail`: why the partner could not do the step. */
const FailureBodySchema = z.object({ reason: z.string().min(1).max(2_000) });

/** Claims that are shaped right, else 401 (a token we would never mint). */
export function readCallbackClaims(payload: unknown): Result<CallbackClaims> {
  const parsed = CallbackClaimsSchema.safeParse(payload);
  return parsed.success
    ? ok(parsed.data)
    : fail(problem('callback-invalid', 'The callback token is not one this gateway issued.', 'path.token'));
}

function checkBodySchema(claims: CallbackClaims, body: unknown): Result<unknown> {
  if (!claims.sch) return ok(body);
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(claims.sch);
  } catch {
    // The minting side's mistake, signed by it: the partner cannot fix it, nor should it retry.
    return fail(
      problem('callback-invalid', 'The callback token carries an unusable JSON Schema.', 'path.token'),
    );
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  const field = path ? `body.${path}` : 'body';
  return fail(problem('invalid-request', `${field}: ${issue?.message ?? 'invalid'}`, field));
}

/**
 * What a redeemed callback delivers. A callback never starts a workflow: the workflow that minted
 * it exists, or it is gone and so is the step (410).
 */
export function prepareCallback(
  config: GatewayConfig,
  claims: CallbackClaims,
  request: { body: unknown; failing: boolean },
): Result<CallbackCommand> {
  const { act } = claims;
  if (request.failing && act.kind !== 'activity') {
    return fail(
      problem(
        'route-not-found',
        'Only an activity callback can be failed; POST the callback URL itself.',
        'path',
      ),
    );
  }
  if (request.failing) {
    const reason = FailureBodySchema.safeParse(request.body);
    if (!reason.success) {
      return fail(
        problem(
          'invalid-request',
          'body.reason must be a non-empty string (at most 2000 characters).',
          'body.reason',
        ),
      );
    }
    return ok({
      kind: 'activity',
      command: {
        workflowId: claims.wid,
        taskToken: (act as { taskToken: string }).taskToken,
        eventId: claims.jti,
        outcome: { kind: 'failed', reason: reason.data.reason },
      },
    });
  }
  const body = checkBodySchema(claims, request.body);
  if (!body.ok) return body;
  const input = { workflowId: claims.wid, payload: body.value, eventId: claims.jti };
  switch (act.kind) {
    case 'signal': {
      const prepared = prepareSignal(config, { ...input, signal: act.name });
      if (!prepared.ok) return prepared;
      return ok({ kind: 'signal', ...neverStartingSignal(prepared.value) });
    }
    case 'update': {
      const prepared = prepareUpdate(config, { ...input, update: act.name });
      if (!prepared.ok) return prepared;
      return ok({
        kind: 'update',
        command: prepared.value.command,
        target: neverStartingTarget(prepared.value.target),
      });
    }
    case 'activity': {
      // Depth is checked like any argument's; an activity result needs no declared schema.
      const tooDeep = checkArgumentDepth(body.value);
      if (!tooDeep.ok) return tooDeep;
      return ok({
        kind: 'activity',
        command: {
          workflowId: claims.wid,
          taskToken: act.taskToken,
          eventId: claims.jti,
          outcome: { kind: 'completed', result: body.value },
        },
      });
    }
  }
}

/**
 * What a delivery failure means to a partner holding a callback URL: the workflow (or the activity)
 * is gone, so the step it stood for has completed — 410, and the partner stops retrying.
 */
export function callbackProblem(p: Problem): Problem {
  if (p.code === 'workflow-closed' || p.code === 'workflow-not-found') {
    return problem(
      'callback-spent',
      'The step this callback belongs to has already completed.',
      'path.token',
    );
  }
  return p;
}
