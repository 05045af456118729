/**
 * The route table of the HTTP API's workflow operations, as OpenAPI routes: the operations that
 * take arguments as the SDK's handlers do — none (no body), one (the JSON body) or several (a JSON
 * array for a tuple schema): start, signal, update and query — plus CloudEvents, describe and the
 * readiness check. Build only: the document states them, http-workflow-routes.ts serves them.
 */
import { createRoute } from '@hono/zod-openapi';
import {
  API_SECURITY,
  BinaryEventData,
  CloudEventBody,
  CloudEventHeaders,
  EventAcceptedSchema,
  HealthSchema,
  WorkflowDescriptionSchema,
  IdempotencyHeaders,
  OperationArgument,
  QueryParams,
  QueryResultSchema,
  SignalAcceptedSchema,
  SignalParams,
  StartAcceptedSchema,
  UpdateParams,
  UpdateResultSchema,
  WorkflowParams,
  jsonResponse,
  problemResponses,
} from './schemas';

/** Path-addressed endpoints: caller authentication only (see `isCallerAuthMode`). */
export const callerSecurity = API_SECURITY.filter((requirement) =>
  Object.keys(requirement).every((name) => name === 'apiKey' || name === 'bearerApiKey'),
);

/** What a request that delivers to a workflow may be answered besides its success. */
const DELIVERY_PROBLEMS = problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503, 504);

/** A body that is the operation's argument: absent for an operation declared without a schema. */
const argumentBody = {
  content: { 'application/json': { schema: OperationArgument } },
  required: false,
} as const;

export const signalRoute = createRoute({
  method: 'post',
  path: '/v1/workflows/{workflowId}/signals/{signal}',
  summary: 'Send a signal to a workflow (signal-with-start where the target allows it)',
  description:
    'The body is the signal’s argument (none for a signal declared without a schema: send no body). ' +
    'An event whose id the workflow’s latest run applied before it closed answers `duplicate` (a safe retry); ' +
    'one it never applied answers 409 `workflow-closed`.',
  security: callerSecurity,
  request: { params: SignalParams, headers: IdempotencyHeaders, body: argumentBody },
  responses: {
    202: jsonResponse(
      'Delivered, queued durably, or a duplicate of an event already applied',
      SignalAcceptedSchema,
    ),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503),
  },
});

export const updateRoute = createRoute({
  method: 'post',
  path: '/v1/workflows/{workflowId}/updates/{update}',
  summary: "Run a workflow update and answer with the workflow's result (update-with-start where allowed)",
  description:
    'The body is the update’s argument (none for an update declared without a schema). The update id derives ' +
    'from the event id (Idempotency-Key, else generated): retrying with the same key returns the recorded result ' +
    "instead of applying the update again, also after the workflow closed (`status: duplicate`). 422 `update-rejected` carries the workflow's reason; " +
    '504 means the workflow did not answer within the deadline (the update may still apply: retry with the same key to learn its result). ' +
    'With update-with-start, Temporal starts the workflow before its validator runs: a rejected update leaves the new workflow running.',
  security: callerSecurity,
  request: { params: UpdateParams, headers: IdempotencyHeaders, body: argumentBody },
  responses: {
    200: jsonResponse("The workflow's result", UpdateResultSchema),
    ...DELIVERY_PROBLEMS,
  },
});

export const startRoute = createRoute({
  method: 'post',
  path: '/v1/workflows/{workflowId}',
  summary: 'Start a workflow with the body as its input (targets that declare `start`)',
  description:
    'The body is the workflow’s input: none for a start declared without a schema, one JSON value, or a JSON array ' +
    'spread into positional arguments for a tuple schema. Idempotent by the event id (Idempotency-Key, else generated): ' +
    '201 `started`; 200 `already-started` when an earlier request with the same key started it (running or closed since); ' +
    '409 `workflow-running` when another event’s run is running and the target’s conflict policy is `fail`; ' +
    '200 `running` under `use-existing` (this input is not applied); `terminate-existing` ends that run and starts a new one. ' +
    '409 `workflow-closed` when a closed run holds the ID and the reuse policy forbids another.',
  security: callerSecurity,
  request: { params: WorkflowParams, headers: IdempotencyHeaders, body: argumentBody },
  responses: {
    201: jsonResponse('Started', StartAcceptedSchema),
    200: jsonResponse(
      'Already started by this event, or (`use-existing`) running, started by another',
      StartAcceptedSchema,
    ),
    ...DELIVERY_PROBLEMS,
  },
});

export const eventsRoute = createRoute({
  method: 'post',
  path: '/v1/events',
  summary: 'Deliver a CloudEvent to every workflow its matching routes name',
  description:
    'Structured mode (`application/cloudevents+json`) or binary mode (`ce-*` headers). The CloudEvent `id` is the event id: ' +
    'posting the same event again is applied once. One event may match several routes (fan-out). Routing is all or nothing: ' +
    'if any matching route cannot use the event (missing field, undeclared target, bad argument) nothing is delivered and the ' +
    'answer is that 4xx. Delivery: if any delivery fails transiently and cannot be queued, the answer is 503/504 and the sender ' +
    'retries the whole event (deliveries that succeeded are deduplicated); if all fail permanently, the first failure is the ' +
    'answer; otherwise 202 with `delivered`, `queued` or `partial` and each delivery’s status.',
  security: API_SECURITY,
  request: {
    headers: CloudEventHeaders,
    body: {
      content: {
        'application/cloudevents+json': { schema: CloudEventBody },
        'application/json': { schema: BinaryEventData },
      },
      required: true,
    },
  },
  responses: {
    202: jsonResponse(
      'Accepted: every delivery delivered or queued, or some failed permanently (`partial`)',
      EventAcceptedSchema,
    ),
    ...DELIVERY_PROBLEMS,
  },
});

export const describeRoute = createRoute({
  method: 'get',
  path: '/v1/workflows/{workflowId}',
  summary: 'Describe a workflow',
  security: callerSecurity,
  request: { params: WorkflowParams },
  responses: {
    200: jsonResponse('The workflow', WorkflowDescriptionSchema),
    ...problemResponses(400, 401, 403, 404, 503, 504),
  },
});

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Readiness: Temporal answers (no credentials needed)',
  security: [],
  responses: {
    200: jsonResponse('Ready', HealthSchema),
    ...problemResponses(503),
  },
});

const queryResponses = {
  200: jsonResponse('The query result', QueryResultSchema),
  ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503, 504),
};

export const queryRoute = createRoute({
  method: 'get',
  path: '/v1/workflows/{workflowId}/queries/{query}',
  summary: 'Run a declared query that takes no argument',
  description:
    "422 `query-failed` carries the workflow's reason when its query handler threw. A query declared with a schema takes its argument by POST.",
  security: callerSecurity,
  request: { params: QueryParams },
  responses: queryResponses,
});

export const queryWithArgumentRoute = createRoute({
  method: 'post',
  path: '/v1/workflows/{workflowId}/queries/{query}',
  summary: 'Run a declared query with its argument as the body',
  description:
    "The body is the query's argument (none for a query declared without a schema). 422 `query-failed` carries the " +
    "workflow's reason when its query handler threw (e.g. it refused the argument).",
  security: callerSecurity,
  request: { params: QueryParams, body: argumentBody },
  responses: queryResponses,
});
