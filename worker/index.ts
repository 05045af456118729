/**
 * `temporal-event-gateway/worker`: what a team's worker process imports — the harness that runs
 * its workflows and activities (`runWorker`), and the build helper that prebundles its workflows.
 */
export {
  createWorker,
  runWorker,
  type GatewayWorker,
  type GatewayWorkerOptions,
  type PassThroughWorkerOptions,
} from './run-worker';
export {
  loadWorkerSettings,
  WorkerConfigError,
  DEFAULT_NAMESPACE,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_TEMPORAL_ADDRESS,
  type WorkerSettings,
} from './worker-settings';
export {
  locateWorkflows,
  WORKFLOW_BUNDLE_FILE,
  type WorkflowCodeOptions,
  type WorkflowSource,
} from './workflow-source';
export { prebundleWorkflows, WorkflowBundleError, type PrebundleWorkflowsOptions } from './bundle-workflows';
export { DEFAULT_TASK_QUEUE, TEMPORAL_ENV, WORKER_ENV } from '../contract';
export {
  createCallbackMinter,
  callbackMinterFromEnv,
  CallbackMintError,
  DEFAULT_CALLBACK_EXPIRY_SECONDS,
  MAX_CALLBACK_EXPIRY_SECONDS,
  type ActivityCallbackRequest,
  type CallbackMinter,
  type CallbackMinterOptions,
  type CallbackRequest,
  type CallbackUrl,
} from './callbacks/minter';
export { createCallbackActivities, type CallbackActivities } from './callbacks/activities';
export {
  CallbackKeyError,
  parseCallbackSigningKeys,
  type CallbackSigningKey,
} from '../contract/callback-keys';
export { CALLBACK_ENV } from '../contract/callbacks';
export { withHeartbeats, type HeartbeatOptions } from './activities/heartbeat';
export { dedupeInterceptorModule } from './dedupe-module';
