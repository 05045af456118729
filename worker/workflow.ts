/**
 * `temporal-event-gateway/workflow`: what workflow code imports. Everything here is safe in
 * Temporal's deterministic workflow sandbox — plain data and pure helpers, no Node built-ins, no
 * I/O — so it can be bundled into any team's workflows.
 */
export { AppliedEventIds, DEFAULT_APPLIED_EVENTS_LIMIT } from './workflows/applied-events';
export { DEFAULT_TASK_QUEUE } from '../contract/task-queue';
export { EVENT_SOURCES, TEMPORAL_HEADERS, type TemporalHeaderKey } from '../contract/temporal-headers';
export { callbackUrl } from './callbacks/workflow-api';
export {
  continueAsNewDue,
  continueAsNewWhenReady,
  untilContinueAsNewDue,
  DEFAULT_MAX_RUN_HISTORY_EVENTS,
  type ContinueAsNewPolicy,
} from './continue-as-new';
export { CALLBACK_ACTIVITY } from '../contract/callbacks';
export {
  createDedupeInterceptors,
  DEDUPE_FAILURE_TYPES,
  DEFAULT_MAX_KEPT_RESULT_LENGTH,
  DUPLICATE_EVENTS_METRIC,
  type DedupeOptions,
} from './interceptors/dedupe';
