/**
 * Where the ingest function's webhook metrics go, shared by the function (which writes them as EMF)
 * and the construct's dashboard (which graphs them). Plain data, so the CDK side imports no Powertools.
 */

/** The CloudWatch namespace and the Powertools `service` dimension of the webhook metrics. */
export const WEBHOOK_METRICS = { namespace: 'TemporalEventGateway', service: 'event-gateway-http' } as const;

/**
 * Milliseconds from the webhook request's arrival at the ingest function to Temporal accepting its
 * last signal (or update), per `source`: the direct path's end-to-end latency. Queued events are not in
 * it (their delivery is counted as `WebhookQueued`).
 */
export const WEBHOOK_LATENCY_METRIC = 'WebhookEndToEndLatency';
