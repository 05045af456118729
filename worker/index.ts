/**
 * `temporal-event-gateway/worker`: what a team's worker process imports — the harness that runs
 * its workflows and activities (`runWorker`), and the build helper that prebundles its workflows;
 * the payload codecs and their errors, so the team's own Client uses the worker's data converter.
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
export {
  workerDataConverter,
  type LargePayloadOptions,
  type PayloadConverterSummary,
  type PayloadEncryptionOptions,
  type WorkerPayloadOptions,
} from './payload-converter';
export { KmsEncryptionCodec, type KmsEncryptionCodecOptions } from '../payloads/kms-encryption-codec';
export {
  PayloadCodecModuleError,
  type PayloadCodecFactory,
  type PayloadCodecModuleExport,
  type PayloadCodecs,
} from '../payloads/codec-module';
export {
  KmsUnavailableError,
  PayloadCorruptedError,
  PayloadEncryptionConfigError,
  PayloadEncryptionError,
  PayloadKeyRejectedError,
  UnsupportedPayloadFormatError,
} from '../payloads/errors';
export { DEFAULT_TASK_QUEUE, PAYLOAD_ENV, TEMPORAL_ENV, WORKER_ENV } from '../contract';
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
