/** The OpenAPI description of `POST /v1/webhooks/{source}`: its parameters and every outcome. */
import { createRoute, z } from '@hono/zod-openapi';
import { VERIFIER_PRESETS } from '../../core/webhook-verifiers';
import { ProblemSchema, problemResponses } from './schemas';

/** Any text: an unknown (or malformed) source name is a 404, as for any path that names nothing. */
export const WebhookParams = z.object({
  source: z.string().openapi({
    param: { name: 'source', in: 'path' },
    example: 'stripe',
    description: 'A source declared in the configuration (`sources[].name`).',
  }),
});

const WebhookDeliverySchema = z
  .object({
    route: z.string(),
    workflowId: z.string(),
    signal: z.string().optional(),
    update: z.string().optional(),
    start: z.literal(true).optional().openapi({ description: 'The route starts the workflow.' }),
  })
  .openapi('WebhookDelivery');

export const WebhookAnswerSchema = z
  .object({
    status: z.enum(['delivered', 'queued', 'ignored', 'dead-lettered']).openapi({
      description:
        '`delivered`: every route’s workflow took it; `queued`: Temporal was slow or down, the event is queued durably and will be delivered; ' +
        '`ignored`: no route wants this event type (or a handshake such as a GitHub ping); `dead-lettered`: a route wants it but cannot use it — ' +
        'the raw event is in the DLQ with `reason`, to be redriven after the route is fixed.',
    }),
    source: z.string(),
    eventId: z.string().openapi({
      description: 'The provider’s delivery id (or the signed body’s digest), prefixed by the source.',
    }),
    eventType: z.string().optional(),
    deliveries: z.array(WebhookDeliverySchema).optional(),
    reason: ProblemSchema.optional().openapi({
      description: 'Why a dead-lettered event could not be delivered.',
    }),
  })
  .openapi('WebhookAnswer');

export const SlackChallengeSchema = z
  .object({ challenge: z.string() })
  .openapi('SlackChallenge', { description: 'Slack `url_verification`: the challenge, echoed.' });

const PRESET_HEADERS =
  'stripe: `Stripe-Signature`; github: `X-Hub-Signature-256` (event type `X-GitHub-Event` + `.action`); standard-webhooks: `webhook-id`, ' +
  '`webhook-timestamp`, `webhook-signature`; slack: `X-Slack-Signature`, `X-Slack-Request-Timestamp`; shopify: `X-Shopify-Hmac-Sha256`, ' +
  '`X-Shopify-Topic`; hmac: the configured header; api-key: the configured header (default `x-api-key`); none: nothing.';

export const webhookRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/{source}',
  summary: "A provider's webhook, verified by the source's preset and routed by its own payload",
  description:
    `Each source declares a verifier (${VERIFIER_PRESETS.join(', ')}), its secrets (several while rotating), where its event id and ` +
    `type come from, and routes to workflows. Headers by preset — ${PRESET_HEADERS} The target comes only from the signed ` +
    'content, never from the URL. Providers retry every non-2xx, so every event the gateway can keep is acknowledged: unrouted ' +
    'types are `200 ignored`; unusable routed events are `202 dead-lettered`; if Temporal has not taken the event within the ' +
    "source's `answerWithinMs` (default 2.5 s, inside Slack's 3 s) it is queued and the answer is `202 queued`. The same delivery " +
    'posted again is applied once (its event id).',
  security: [],
  request: {
    params: WebhookParams,
    body: {
      content: { 'application/json': { schema: { description: "The provider's event, as it signed it." } } },
      required: true,
    },
  },
  responses: {
    200: {
      description:
        'Ignored (no route wants the event, or a handshake), or the Slack url_verification challenge',
      content: { 'application/json': { schema: z.union([WebhookAnswerSchema, SlackChallengeSchema]) } },
    },
    202: {
      description: 'Acknowledged: delivered, queued durably, or dead-lettered with its reason',
      content: { 'application/json': { schema: WebhookAnswerSchema } },
    },
    ...problemResponses(400, 401, 404, 413, 415, 422, 503),
  },
});
