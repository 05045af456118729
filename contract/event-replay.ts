/**
 * The answer of the gateway's replay route (`POST /v1/event-log/replay`, docs/event-log.md), shared
 * by the route (functions/handlers/http-event-routes.ts; handlers/openapi/event-log-routes.ts documents
 * it in the OpenAPI document) and `event-gateway events replay`, which reads it — the CLI ships in the library
 * and must not import a handler.
 */

/** What became of one route of the replayed event. */
export interface ReplayRouteAnswer {
  route: string;
  kind: string;
  workflowId?: string | undefined;
  operation?: string | undefined;
  runId?: string | undefined;
  status: string;
  problem?: { code?: string | undefined; detail?: string | undefined } | undefined;
}

/** What one replay did: `duplicate` when the run had applied it, `skipped` with a reason, per route. */
export interface ReplayAnswer {
  eventId: string;
  /** The event id it was delivered under (`<eventId>~replay-<ms>` with `asNew`). */
  deliveredAs?: string | undefined;
  status: 'delivered' | 'duplicate' | 'skipped' | 'failed' | 'not-found';
  reason?: string | undefined;
  routes: ReplayRouteAnswer[];
}
