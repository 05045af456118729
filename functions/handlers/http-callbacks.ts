/**
 * `POST /v1/callbacks/{token}` (and `…/fail`, and a `GET` confirmation page): a partner redeems a
 * callback URL a workflow minted. The token is the credential — no GATEWAY_AUTH applies — and its
 * id is the event id, so the same URL POSTed twice is applied once.
 *
 * The token is a bearer capability, so it never appears in logs or problem documents: they name the
 * route, not the path.
 */
import type { Context, Env, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { CALLBACK_PATH } from '../../contract/callbacks';
import { callbackProblem, prepareCallback, type CallbackCommand } from '../core/callbacks';
import type { GatewayConfig } from '../core/gateway-config-model';
import { problem, type Problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';
import type { CallbackVerifier } from '../adapters/callback-tokens';
import type { Deliverer } from '../adapters/deliverer';
import { bodyBytes, decodeUtf8, isJsonMediaType, parseJsonText } from '../adapters/http-body';
import { problemResponse } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { Reader } from '../adapters/temporal-reader';
import { routeOutcome } from '../core/event-record-outcomes';
import { NO_EVENT_RECORDER, type EventRecorder, type EventRecording } from '../adapters/event-log-recorder';
import { senderProblem } from './delivery-answers';
import { checkedParams, checks } from './http-request-checks';

export interface CallbackRouteDeps {
  config: GatewayConfig;
  /** Absent: callbacks are off (no CALLBACK_SIGNING_KEYS) and the routes answer 404. */
  verifier?: CallbackVerifier;
  /** Delivers the callback's signal (queued when Temporal is down), update or activity completion. */
  deliverer: Deliverer;
  reader: Reader;
  logger: GatewayLogger;
  /** Records each redeemed callback and its outcome in the event log (issue 30). @default none */
  recorder?: EventRecorder | undefined;
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

type CallbackBody = { status: 'delivered' | 'queued' | 'completed' | 'failed'; result?: unknown };

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
export function registerCallbackRoutes<E extends Env>(app: Hono<E>, deps: CallbackRouteDeps): void {
  const { config, logger } = deps;
  /** Ends the request with a problem document; typed routes return only their success bodies. */
  const refuse = (p: Problem): never => {
    const res = problemResponse(p, INSTANCE);
    throw new HTTPException(res.status as 400, { res });
  };
  const off = () =>
    refuse(problem('route-not-found', 'Callbacks are not enabled on this gateway (no signing keys).'));

  /** A callback's answer: 202 for a signal (delivered or queued), 200 with the update's result or the completion. */
  async function deliver(
    callback: CallbackCommand,
    recording?: EventRecording,
  ): Promise<Result<{ status: 200 | 202; body: CallbackBody }>> {
    const target = {
      route: 'callback',
      kind: callback.kind,
      workflowId: callback.command.workflowId,
      operation:
        callback.kind === 'signal'
          ? callback.command.signal
          : callback.kind === 'update'
            ? callback.command.update
            : 'activity',
    };
    if (callback.kind === 'signal') {
      // Temporal answers a signal whose request id it has seen with success, even after the run
      // closed; a closed workflow means the step is over, which the partner must learn (410).
      const described = await deps.reader.describe(callback.command.workflowId);
      if (described.ok && described.value.status !== 'RUNNING') {
        const closed = problem('workflow-closed', 'The workflow has closed.');
        await recording?.finish({
          routes: [routeOutcome(target, { status: 'failed', transient: false, problem: closed })],
        });
        return fail(closed);
      }
    }
    const delivery = await deps.deliverer.deliver(callback, { queue: true });
    await recording?.finish({ routes: [routeOutcome(target, delivery)] });
    // An activity completion is not queued (the queue carries signals): the partner retries a 503.
    if (delivery.status === 'failed') return fail(senderProblem(delivery, callback.kind === 'update'));
    switch (callback.kind) {
      case 'signal':
        // A duplicate was delivered, before.
        return ok({ status: 202, body: { status: delivery.status } });
      case 'update':
        return ok({
          status: 200,
          body: {
            status: 'delivered',
            result: delivery.status === 'delivered' ? delivery.result : undefined,
          },
        });
      case 'activity':
        return ok({ status: 200, body: { status: callback.command.outcome.kind } });
    }
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
    const recorder = deps.recorder ?? NO_EVENT_RECORDER;
    const recording = recorder.enabled
      ? recorder.begin({
          eventId: prepared.value.command.eventId,
          entry: { kind: 'callback' },
          body: bytes,
          headers: contentType ? [['content-type', contentType]] : [],
          verification: { result: 'verified', method: 'callback-token' },
        })
      : undefined;
    const delivered = await deliver(prepared.value, recording);
    const details = { eventId: claims.value.jti, workflowId: claims.value.wid, kind: claims.value.act.kind };
    if (!delivered.ok) {
      const answer = callbackProblem(delivered.problem);
      logger.info('callback not delivered', { ...details, problem: answer.code });
      return refuse(answer);
    }
    const answer = delivered.value;
    logger.info('callback redeemed', { ...details, status: answer.body.status });
    const ids = { workflowId: claims.value.wid, eventId: claims.value.jti };
    return { status: answer.status, body: { ...answer.body, ...ids } };
  }

  /** The token of a callback path, checked (problems name the route, never the token). */
  const tokenOf = (c: Context<E>) =>
    checkedParams(c, checks.callbackTokenParams, redactCallbackPath(c.req.path)).token;

  app.post(`${CALLBACK_PATH}/:token`, async (c) => {
    const redeemed = await redeem(tokenOf(c), await bodyBytes(c), c.req.header('content-type'), false);
    return redeemed.status === 200 ? c.json(redeemed.body, 200) : c.json(redeemed.body, 202);
  });
  app.post(`${CALLBACK_PATH}/:token/fail`, async (c) => {
    const redeemed = await redeem(tokenOf(c), await bodyBytes(c), c.req.header('content-type'), true);
    return c.json(redeemed.body, 200);
  });
  app.get(`${CALLBACK_PATH}/:token`, async (c) => {
    const token = tokenOf(c);
    if (!deps.verifier) return off();
    const claims = await deps.verifier.verify(token);
    if (!claims.ok) return refuse(claims.problem);
    return c.html(confirmationPage(describeAction(claims.value), new Date(claims.value.exp * 1000)), 200, {
      // The page must not leak its URL (the capability) to anything it links or loads.
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    });
  });
}
