/**
 * The OpenAPI routes of callback URLs: redeem (`POST /v1/callbacks/{token}`), fail an activity
 * (`…/fail`) and the confirmation page (`GET`). Build only: their shapes; http-callbacks.ts serves them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CALLBACK_PATH } from '../../../contract/callbacks';
import { CallbackTokenSchema } from '../http-checked-schemas';
import { documented, JsonBody, jsonResponse, problemResponses } from './schemas';

const TokenParams = z.object({
  token: documented(CallbackTokenSchema).openapi({
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

type RouteConfig = Parameters<typeof createRoute>[0];

/**
 * A route of a callback URL (`{token}`, and `suffix` after it): the token is its only credential,
 * and a URL may be too long for the HTTP server.
 */
const callbackRoute = <M extends RouteConfig['method'], R extends Omit<RouteConfig, 'method' | 'path'>>(
  method: M,
  suffix: '' | '/fail',
  route: R,
) =>
  createRoute({
    method,
    path: `${CALLBACK_PATH}/{token}${suffix}`,
    ...route,
    security: [],
    responses: { ...route.responses, ...tooLargeResponse },
  });

export const redeemRoute = callbackRoute('post', '', {
  summary: 'Redeem a callback URL: deliver the body to the workflow that minted it',
  description:
    'The token authorizes exactly one delivery: a signal, an update (answered with its result) or the completion of an ' +
    'activity. No other credentials apply. The token id is the event id: POSTing the same URL again is applied once and ' +
    'answered like the first, until the step has completed (410). An empty body is `{}`; an HTML form posts its fields.',
  request: { params: TokenParams, body: callbackBody },
  responses: {
    200: jsonResponse('Update result, or activity completed', CallbackAcceptedSchema),
    202: jsonResponse('Signal delivered or queued durably', CallbackAcceptedSchema),
    // 404: a gateway with no callback signing keys has no callback endpoint.
    ...problemResponses(400, 401, 403, 404, 410, 413, 415, 422, 503, 504),
  },
});

export const failRoute = callbackRoute('post', '/fail', {
  summary: 'Fail the activity an activity callback URL belongs to',
  description:
    'Body `{ "reason": "…" }`. The workflow sees an ActivityFailure whose cause has type `CallbackFailed`.',
  request: {
    params: TokenParams,
    body: failureBody,
  },
  responses: {
    200: jsonResponse('Activity failed', CallbackAcceptedSchema),
    ...problemResponses(400, 401, 404, 410, 413, 415, 503, 504),
  },
});

export const pageRoute = callbackRoute('get', '', {
  summary: 'A confirmation page for a person who got the callback link: its button POSTs',
  description:
    'A GET never acts: mail scanners and link previews fetch every URL they see. The page shows what the link does and ' +
    'a button that POSTs to the same URL.',
  request: { params: TokenParams },
  responses: {
    200: { description: 'The page', content: { 'text/html': { schema: z.string() } } },
    ...problemResponses(400, 401, 404, 410),
  },
});
