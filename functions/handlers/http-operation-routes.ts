/**
 * The OpenAPI routes of the workflow operations that take arguments as the SDK's handlers do —
 * none (no body), one (the JSON body) or several (a JSON array for a tuple schema): start, signal,
 * update and query. Shared by the HTTP app and the generated document.
 */
import { createRoute } from '@hono/zod-openapi';
import {
  API_SECURITY,
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
  problemResponses,
} from './http-schemas';

/** Path-addressed endpoints: caller authentication only (see `isCallerAuthMode`). */
export const callerSecurity = API_SECURITY.filter((requirement) =>
  Object.keys(requirement).every((name) => name === 'apiKey' || name === 'bearerApiKey'),
);

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
    202: {
      description: 'Delivered, queued durably, or a duplicate of an event already applied',
      content: { 'application/json': { schema: SignalAcceptedSchema } },
    },
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
    200: {
      description: "The workflow's result",
      content: { 'application/json': { schema: UpdateResultSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503, 504),
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
    201: {
      description: 'Started',
      content: { 'application/json': { schema: StartAcceptedSchema } },
    },
    200: {
      description: 'Already started by this event, or (`use-existing`) running, started by another',
      content: { 'application/json': { schema: StartAcceptedSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503, 504),
  },
});

const queryResponses = {
  200: { description: 'The query result', content: { 'application/json': { schema: QueryResultSchema } } },
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

/** The HTTP app's context variables: the authenticated event id and the caller's identity. */
export type AppEnv = { Variables: { authEventId: string | undefined; caller: string } };
