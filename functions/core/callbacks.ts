/**
 * Redeeming a callback URL, as pure decisions: the verified claims and the partner's body become a
 * signal, an update or an activity completion — or the problem that stops it. Signature and expiry
 * are checked by the adapter before anything here runs.
 */
import type { CallbackClaims } from '../../contract/callbacks';
import type { Check } from './check';
import { callbackClaims, callbackFailureBody } from './checks.generated.js';
import {
  neverStartingSignal,
  neverStartingTarget,
  prepareSignal,
  prepareUpdate,
  type SignalCommand,
  type UpdateCommand,
} from './commands';
import type { GatewayConfig, Target } from './gateway-config-model';
import { issueField } from './field-validation';
import { checkArgumentDepth } from './input-limits';
import { problem, type Problem } from './problems';
import { fail, ok, type Result } from './result';

/**
 * Claims as the verifier hands them over: shaped right (core/checked-schemas.ts's
 * `CallbackClaimsSchema`, a 401 otherwise) and, when the token carries a body schema (`sch`), with
 * its check — built by the adapter at the first callback that needs one (adapters/callback-tokens.ts),
 * never at init — or `unusable` when the schema cannot be built.
 */
export interface VerifiedCallbackClaims extends CallbackClaims {
  readonly bodyCheck?: Check<unknown> | 'unusable';
}

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

/** Claims that are shaped right, else 401 (a token we would never mint). */
export function readCallbackClaims(payload: unknown): Result<CallbackClaims> {
  const checked = callbackClaims(payload);
  return checked.ok
    ? ok(checked.value)
    : fail(problem('callback-invalid', 'The callback token is not one this gateway issued.', 'path.token'));
}

function checkBodySchema(claims: VerifiedCallbackClaims, body: unknown): Result<unknown> {
  if (!claims.sch) return ok(body);
  // No check beside a schema (claims not from the verifier) is as unusable as a schema that cannot be built.
  if (claims.bodyCheck === undefined || claims.bodyCheck === 'unusable') {
    // The minting side's mistake, signed by it: the partner cannot fix it, nor should it retry.
    return fail(
      problem('callback-invalid', 'The callback token carries an unusable JSON Schema.', 'path.token'),
    );
  }
  const checked = claims.bodyCheck(body);
  if (checked.ok) return ok(checked.value);
  const field = issueField('body', checked.issue);
  return fail(problem('invalid-request', `${field}: ${checked.issue.message}`, field));
}

/**
 * What a redeemed callback delivers. A callback never starts a workflow: the workflow that minted
 * it exists, or it is gone and so is the step (410).
 */
export function prepareCallback(
  config: GatewayConfig,
  claims: VerifiedCallbackClaims,
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
    const reason = callbackFailureBody(request.body);
    if (!reason.ok) {
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
        outcome: { kind: 'failed', reason: reason.value.reason },
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
