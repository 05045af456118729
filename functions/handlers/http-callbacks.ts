/**
 * `POST /v1/callbacks/{token}` (and `…/fail`, and a `GET` confirmation page): a partner redeems a
 * callback URL a workflow minted. The token is the credential — no GATEWAY_AUTH applies — and its
 * id is the event id, so the same URL POSTed twice is applied once.
 *
 * The token is a bearer capability, so it never appears in logs or problem documents: they name the
 * route, not the path.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { CALLBACK_PATH } from '../../contract/callbacks';
import { callbackProblem, prepareCallback, type CallbackCommand } from '../core/callbacks';
import type { GatewayConfig } from '../core/gateway-config';
import type { DeliveryOutcome, UpdateOutcome } from '../core/outcomes';
import { problem, type Problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';
import type { CallbackVerifier } from '../adapters/callback-tokens';
import { bodyBytes, decodeUtf8, isJsonMediaType, parseJsonText } from '../adapters/http-body';
import { problemResponse } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { ActivityCompleter } from '../adapters/temporal-activity-completer';
import type { Reader } from '../adapters/temporal-reader';
import type { Signaler } from '../adapters/temporal-signaler';
import type { Updater } from '../adapters/temporal-updater';
import { JsonBody, problemResponses } from './http-schemas';

/** What a callback delivery came to, as the rest of the app settles signals (queue fallback). */
export type SettledCallbackSignal =
  { status: 'delivered' | 'queued' } | { status: 'failed'; transient: boolean; problem: Problem };

export interface CallbackRouteDeps {
  config: GatewayConfig;
  /** Absent: callbacks are off (no CALLBACK_SIGNING_KEYS) and the routes answer 404. */
  verifier?: CallbackVerifier;
  signaler: Signaler;
  updater: Updater;
  reader: Reader;
  completer: ActivityCompleter;
  logger: GatewayLogger;
  /** The app's signal settlement: a transient failure goes to the fallback queue, else 503. */
  settleSignal: (outcome: DeliveryOutcome) => Promise<SettledCallbackSignal>;
  /** The app's update failure mapping (deadline → 504, other transient → 503). */
  updateProblem: (outcome: Extract<UpdateOutcome, { status: 'failed' }>) => Problem;
}

/** Where problems and logs point: the route, never the path that holds the token. */
const INSTANCE = `${CALLBACK_PATH}/{token}`;

/**
 * A path safe to log or echo: a callback path's token (a bearer capability) replaced by `{token}`.
 * Every place the app names a request's path goes through this.
 */
export function redactCallbackPath(path: string): string {
  return path.startsWith(`${CALLBACK_PATH}/`) ? path.replace(/^(\/v1\/callbacks\/)[^/]*/, '$1{token}') : path;
}

/** A JWS compact serialization; long enough for a JSON Schema in the claims, bounded all the same. */
const TokenParams = z.object({
  token: z
    .string()
    .max(8_192)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a callback token')
    .openapi({
      description: 'The token of a callback URL a workflow minted.',
      example: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    }),
});

const CallbackAcceptedSchema = z
  .object({
    status: z.enum(['delivered', 'queued', 'completed', 'failed']),
    workflowId: z.string(),
    eventId: z.string(),
    result: z.unknown().optional(),
  })
  .openapi('CallbackAccepted');

// Plain OpenAPI schema objects, not zod: the handler reads the body itself (JSON, a form or nothing),
// so the route validator must not answer malformed bodies in its own format first.
const callbackBody = {
  content: {
    'application/json': { schema: JsonBody },
    'application/x-www-form-urlencoded': {
      schema: { type: 'object' as const, additionalProperties: { type: 'string' as const } },
    },
  },
  required: false,
};

const failureBody = {
  content: {
    'application/json': {
      schema: {
        type: 'object' as const,
        properties: { reason: { type: 'string' as const, maxLength: 2000 } },
        required: ['reason'],
      },
    },
  },
  required: true,
};

/**
 * A token is up to 8,192 characters, so a URL with a long malformed one (non-ASCII, percent-encoded
 * to 12 bytes a character) can exceed the HTTP server's request-line limit: the server refuses it
 * before the gateway runs (Node: 16 KiB), with no body.
 */
const tooLargeResponse = {
  431: { description: 'Request line too large: refused by the HTTP server before the gateway runs' },
} as const;

const redeemRoute = createRoute({
  method: 'post',
  path: `${CALLBACK_PATH}/{token}`,
  summary: 'Redeem a callback URL: deliver the body to the workflow that minted it',
  description:
    'The token authorizes exactly one delivery: a signal, an update (answered with its result) or the completion of an ' +
    'activity. No other credentials apply. The token id is the event id: POSTing the same URL again is applied once and ' +
    'answered like the first, until the step has completed (410). An empty body is `{}`; an HTML form posts its fields.',
  security: [],
  request: { params: TokenParams, body: callbackBody },
  responses: {
    200: {
      description: 'Update result, or activity completed',
      content: { 'application/json': { schema: CallbackAcceptedSchema } },
    },
    202: {
      description: 'Signal delivered or queued durably',
      content: { 'application/json': { schema: CallbackAcceptedSchema } },
    },
    // 404: a gateway with no callback signing keys has no callback endpoint.
    ...problemResponses(400, 401, 403, 404, 410, 413, 415, 422, 503, 504),
    ...tooLargeResponse,
  },
});

const failRoute = createRoute({
  method: 'post',
  path: `${CALLBACK_PATH}/{token}/fail`,
  summary: 'Fail the activity an activity callback URL belongs to',
  description:
    'Body `{ "reason": "…" }`. The workflow sees an ActivityFailure whose cause has type `CallbackFailed`.',
  security: [],
  request: {
    params: TokenParams,
    body: failureBody,
  },
  responses: {
    200: {
      description: 'Activity failed',
      content: { 'application/json': { schema: CallbackAcceptedSchema } },
    },
    ...problemResponses(400, 401, 404, 410, 413, 415, 503, 504),
    ...tooLargeResponse,
  },
});

const pageRoute = createRoute({
  method: 'get',
  path: `${CALLBACK_PATH}/{token}`,
  summary: 'A confirmation page for a person who got the callback link: its button POSTs',
  description:
    'A GET never acts: mail scanners and link previews fetch every URL they see. The page shows what the link does and ' +
    'a button that POSTs to the same URL.',
  security: [],
  request: { params: TokenParams },
  responses: {
    200: { description: 'The page', content: { 'text/html': { schema: z.string() } } },
    ...problemResponses(400, 401, 404, 410),
    ...tooLargeResponse,
  },
});

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** A callback body: JSON, an HTML form's fields, or nothing at all (`{}`). */
export function readCallbackBody(bytes: Uint8Array, contentType: string | undefined): Result<unknown> {
  if (bytes.length === 0) return ok({});
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  const text = decodeUtf8(bytes);
  if (!text.ok) return text;
  if (mediaType === FORM_MEDIA_TYPE) return ok(Object.fromEntries(new URLSearchParams(text.value)));
  if (!isJsonMediaType(contentType)) {
    return fail(
      problem(
        'unsupported-media-type',
        `Content-Type must be application/json or ${FORM_MEDIA_TYPE} (got ${contentType ? `"${contentType.slice(0, 100)}"` : 'none'}).`,
        'header.content-type',
      ),
    );
  }
  return parseJsonText(text.value);
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function confirmationPage(what: string, expiresAt: Date): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Confirm</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem">
<h1>Confirm</h1>
<p>${escapeHtml(what)}</p>
<p><small>This link works until ${escapeHtml(expiresAt.toISOString())}.</small></p>
<form method="post"><button type="submit" style="font-size: 1.1rem; padding: .5rem 1.5rem">Confirm</button></form>
</body></html>`;
}

function describeAction(command: { wid: string; act: { kind: string; name?: string } }): string {
  if (command.act.kind === 'activity') return `This completes a step of workflow "${command.wid}".`;
  return `This sends "${command.act.name}" to workflow "${command.wid}".`;
}

/** Adds the callback routes to the app. */
export function registerCallbackRoutes<E extends Env>(app: OpenAPIHono<E>, deps: CallbackRouteDeps): void {
  const { config, logger } = deps;
  /** Ends the request with a problem document; typed routes return only their success bodies. */
  const refuse = (p: Problem): never => {
    const res = problemResponse(p, INSTANCE);
    throw new HTTPException(res.status as 400, { res });
  };
  const off = () =>
    refuse(problem('route-not-found', 'Callbacks are not enabled on this gateway (no signing keys).'));

  async function deliver(callback: CallbackCommand) {
    if (callback.kind === 'signal') {
      // Temporal answers a signal whose request id it has seen with success, even after the run
      // closed; a closed workflow means the step is over, which the partner must learn (410).
      const described = await deps.reader.describe(callback.command.workflowId);
      if (described.ok && described.value.status !== 'RUNNING') {
        return { ok: false as const, problem: problem('workflow-closed', 'The workflow has closed.') };
      }
      const settled = await deps.settleSignal(await deps.signaler.signal(callback.command, callback.target));
      return settled.status === 'failed'
        ? { ok: false as const, problem: settled.problem }
        : { ok: true as const, status: 202 as const, body: { status: settled.status } };
    }
    if (callback.kind === 'update') {
      const outcome = await deps.updater.update(callback.command, callback.target);
      return outcome.status === 'failed'
        ? { ok: false as const, problem: deps.updateProblem(outcome) }
        : {
            ok: true as const,
            status: 200 as const,
            body: { status: 'delivered' as const, result: outcome.result },
          };
    }
    const outcome = await deps.completer.complete(callback.command);
    if (outcome.status === 'completed') {
      const status =
        callback.command.outcome.kind === 'completed' ? ('completed' as const) : ('failed' as const);
      return { ok: true as const, status: 200 as const, body: { status } };
    }
    // An activity completion is not queued (the queue carries signals): the partner retries a 503.
    return {
      ok: false as const,
      problem: outcome.transient ? problem('temporal-unavailable', outcome.problem.detail) : outcome.problem,
    };
  }

  async function redeem(token: string, bytes: Uint8Array, contentType: string | undefined, failing: boolean) {
    if (!deps.verifier) return off();
    const claims = await deps.verifier.verify(token);
    if (!claims.ok) {
      logger.info('callback refused', { problem: claims.problem.code });
      return refuse(claims.problem);
    }
    const body = readCallbackBody(bytes, contentType);
    if (!body.ok) return refuse(body.problem);
    const prepared = prepareCallback(config, claims.value, { body: body.value, failing });
    if (!prepared.ok) return refuse(prepared.problem);
    const delivered = await deliver(prepared.value);
    const details = { eventId: claims.value.jti, workflowId: claims.value.wid, kind: claims.value.act.kind };
    if (!delivered.ok) {
      const answer = callbackProblem(delivered.problem);
      logger.info('callback not delivered', { ...details, problem: answer.code });
      return refuse(answer);
    }
    logger.info('callback redeemed', { ...details, status: delivered.body.status });
    return {
      status: delivered.status,
      body: { ...delivered.body, workflowId: claims.value.wid, eventId: claims.value.jti },
    };
  }

  app.openapi(redeemRoute, async (c) => {
    const redeemed = await redeem(
      c.req.valid('param').token,
      await bodyBytes(c),
      c.req.header('content-type'),
      false,
    );
    return redeemed.status === 200 ? c.json(redeemed.body, 200) : c.json(redeemed.body, 202);
  });
  app.openapi(failRoute, async (c) => {
    const redeemed = await redeem(
      c.req.valid('param').token,
      await bodyBytes(c),
      c.req.header('content-type'),
      true,
    );
    return c.json(redeemed.body, 200);
  });
  app.openapi(pageRoute, async (c) => {
    if (!deps.verifier) return off();
    const claims = await deps.verifier.verify(c.req.valid('param').token);
    if (!claims.ok) return refuse(claims.problem);
    return c.html(confirmationPage(describeAction(claims.value), new Date(claims.value.exp * 1000)), 200, {
      // The page must not leak its URL (the capability) to anything it links or loads.
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    });
  });
}
