/**
 * This repository's worker process for the staged demo: a user of the harness like any team's
 * worker entry — the workflows and activities are the only things it adds.
 *
 * `createStagedWorker` is what tests call in-process; the process entry at the bottom only runs when
 * this file (or its bundle, dist/worker/main.js) is executed directly.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from './activities';
import { createHandshakeActivities, handshakeOutboxDir } from './activities/handshake';
import { callbackMinterFromEnv } from './callbacks/minter';
import {
  createWorker,
  locateWorkflows,
  runWorker,
  type GatewayWorker,
  type GatewayWorkerOptions,
} from './index';

export interface StagedWorkerOptions extends Omit<GatewayWorkerOptions, 'activities'> {
  /** Dependencies of the demo activities (logger, hooks). */
  readonly activities?: ActivityDeps;
}

/** The workflow code beside this module: the prebundle once built, else the sources (tsx). */
function stagedWorkflowCode(options: StagedWorkerOptions): GatewayWorkerOptions {
  const given = options.workflowBundle !== undefined || options.workflowsPath !== undefined;
  return {
    ...options,
    ...(given ? {} : locateWorkflows(import.meta.url, './workflows/index.ts')),
    activities: { ...createActivities(options.activities), ...handshakeActivities(options) },
  };
}

/** The handshake demo mints callback URLs: its activities run only where callbacks are configured. */
function handshakeActivities(options: StagedWorkerOptions) {
  const minter =
    options.callbacks === false
      ? undefined
      : (options.callbacks ?? callbackMinterFromEnv(options.env ?? process.env));
  return minter
    ? createHandshakeActivities({ minter, outboxDir: handshakeOutboxDir(options.env ?? process.env) })
    : {};
}

/** The staged demo's worker, in-process (tests). */
export function createStagedWorker(options: StagedWorkerOptions = {}): Promise<GatewayWorker> {
  return createWorker(stagedWorkflowCode(options));
}

/** The staged demo's worker process; resolves to its exit code. */
export function runStagedWorker(options: StagedWorkerOptions = {}): Promise<number> {
  return runWorker(stagedWorkflowCode(options));
}

function isProcessEntry(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProcessEntry()) {
  // Explicit exit: a lingering handle (e.g. a telemetry exporter) must not keep a stopped task alive.
  void runStagedWorker().then((code) => process.exit(code));
}
