/**
 * The worker: process start to first poll with the prebundled workflow code (what the container
 * runs) against the same built main.js bundling the workflow sources at start-up; and end to end,
 * from an event accepted by the gateway (HTTP 202) to the workflow's `progress` query showing it.
 */
import { copyFile, cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'node:http';
import type { Client } from '@temporalio/client';
import { TEMPORAL_ENV, WORKER_ENV } from '../contract';
import { QUERIES, WORKFLOW_TYPES, type StagedProgress } from '../contract';
import { startAndWaitFor, type BenchChild } from './processes';
import { directSignal, postSignal, type LoadTarget } from './signal-load';
import { median, percentile, round } from './stats';
import { EventGatewayError } from '../contract/errors';

/** The gateway's default per-call deadline. */
const DEADLINE_MS = 5_000;

export class WorkerBenchError extends EventGatewayError {
  override readonly name = 'WorkerBenchError';
}

export interface WorkerBuild {
  /** The built entry with workflow-bundle.js beside it. */
  prebundledMain: string;
  /** A copy of the same main.js with no bundle beside it, but the workflow sources as ./workflows. */
  runtimeBundlingMain: string;
}

/**
 * `tsx scripts/build.ts --outdir <outDir>/prebundled` (the production build), then a copy of its
 * main.js into `<outDir>/runtime-bundling/worker/` next to a copy of worker/workflows, where
 * worker/main.ts's locateWorkflows falls back to bundling the sources at start.
 */
export async function buildWorkerVariants(repoRoot: string, outDir: string): Promise<WorkerBuild> {
  await rm(outDir, { recursive: true, force: true });
  const prebuilt = join(outDir, 'prebundled');
  const { child, value } = await startAndWaitFor(
    {
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(repoRoot, 'scripts', 'build.ts'),
        '--only',
        'worker',
        '--outdir',
        prebuilt,
      ],
      env: process.env,
      cwd: repoRoot,
    },
    (line) => (line.startsWith('built ') ? line : undefined),
    300_000,
  );
  await child.stop();
  if (!value) throw new WorkerBenchError('the worker build printed nothing');
  const prebundledMain = join(prebuilt, 'worker', 'main.js');
  const runtimeDir = join(outDir, 'runtime-bundling', 'worker');
  await mkdir(runtimeDir, { recursive: true });
  await copyFile(prebundledMain, join(runtimeDir, 'main.js'));
  await copyFile(`${prebundledMain}.map`, join(runtimeDir, 'main.js.map'));
  // Copies, not a link: the SDK's bundler writes its entry point beside the sources in a virtual
  // file system, and webpack looks for it under the resolved (real) path.
  // The workflows import from ../callbacks, ../interceptors, ../continue-as-new and ../../contract:
  // copy those trees and files.
  for (const dir of ['workflows', 'callbacks', 'interceptors']) {
    await cp(join(repoRoot, 'worker', dir), join(runtimeDir, dir), { recursive: true });
  }
  for (const file of ['dedupe-module.ts', 'continue-as-new.ts'])
    await copyFile(join(repoRoot, 'worker', file), join(runtimeDir, file));
  await cp(join(repoRoot, 'contract'), join(runtimeDir, '..', 'contract'), { recursive: true });
  return { prebundledMain, runtimeBundlingMain: join(runtimeDir, 'main.js') };
}

const POLLING_LINE = /worker polling task queue=/;
const MS_SINCE_START = /msSinceProcessStart["']?\s*[:=]\s*(\d+)/;
/** The SDK's default logger starts each line with an ISO time. */
const LOG_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) /;
const PHASE_LINES = { connecting: /worker connecting to /, created: /worker using / } as const;

export interface WorkerStartPhases {
  /** Process start → `worker connecting` (Node, the SDK and our modules loaded). */
  loadMs: number;
  /** → `worker using …` (NativeConnection.connect and Worker.create, which bundles when it must). */
  connectAndCreateMs: number;
  /** → the first poll. */
  firstPollMs: number;
}

export interface WorkerStartSample {
  /** From the worker's own log line (process.uptime at the first poll). */
  msSinceProcessStart: number;
  /** Measured here, from spawn to the log line arriving. */
  spawnToPollMs: number;
  phases?: WorkerStartPhases;
}

const logTime = (line: string | undefined) => {
  const match = line === undefined ? null : LOG_TIME.exec(line);
  return match ? Date.parse(match[1]!) : undefined;
};

/** Phases from the log lines' clock, anchored at the process start the polling line reports. */
function phasesOf(lines: readonly string[], msSinceProcessStart: number): WorkerStartPhases | undefined {
  const connecting = logTime(lines.find((line) => PHASE_LINES.connecting.test(line)));
  const created = logTime(lines.find((line) => PHASE_LINES.created.test(line)));
  const polling = logTime(lines.find((line) => POLLING_LINE.test(line)));
  if (connecting === undefined || created === undefined || polling === undefined) return undefined;
  const processStart = polling - msSinceProcessStart;
  return {
    loadMs: connecting - processStart,
    connectAndCreateMs: created - connecting,
    firstPollMs: polling - created,
  };
}

/** Starts a worker process, waits for its first poll, stops it. */
export async function workerStartOnce(
  main: string,
  temporalAddress: string,
  taskQueue: string,
  env: Record<string, string | undefined> = {},
): Promise<WorkerStartSample> {
  const { child, value, at, spawnedAt } = await startAndWaitFor(
    {
      command: process.execPath,
      args: [main],
      env: {
        ...process.env,
        ...env,
        [TEMPORAL_ENV.address]: temporalAddress,
        [TEMPORAL_ENV.taskQueue]: taskQueue,
        [WORKER_ENV.workflowBundlePath]: undefined,
      },
    },
    (line) => {
      if (!POLLING_LINE.test(line)) return undefined;
      const match = MS_SINCE_START.exec(line);
      return match ? Number(match[1]) : Number.NaN;
    },
    180_000,
  );
  const lines = [...child.tail];
  await child.stop();
  if (Number.isNaN(value)) throw new WorkerBenchError('the polling line has no msSinceProcessStart');
  const phases = phasesOf(lines, value);
  return { msSinceProcessStart: value, spawnToPollMs: round(at - spawnedAt), ...(phases ? { phases } : {}) };
}

export interface WorkerStartResult {
  prebundledMs: number;
  runtimeBundlingMs: number;
  ratio: number;
  /** The same medians measured from outside (spawn → log line). */
  prebundledSpawnMs: number;
  runtimeBundlingSpawnMs: number;
  /** Medians of each phase, from the worker's log times. */
  prebundledPhases?: WorkerStartPhases;
  runtimeBundlingPhases?: WorkerStartPhases;
  runs: number;
}

function medianPhases(samples: readonly WorkerStartSample[]): WorkerStartPhases | undefined {
  const phases = samples.map((s) => s.phases).filter((p): p is WorkerStartPhases => p !== undefined);
  if (phases.length === 0) return undefined;
  return {
    loadMs: median(phases.map((p) => p.loadMs)),
    connectAndCreateMs: median(phases.map((p) => p.connectAndCreateMs)),
    firstPollMs: median(phases.map((p) => p.firstPollMs)),
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** `runs` starts of each, taking turns; medians of the worker's own msSinceProcessStart. */
export async function workerStart(
  build: WorkerBuild,
  temporalAddress: string,
  taskQueuePrefix: string,
  runs: number,
): Promise<WorkerStartResult> {
  const pre: WorkerStartSample[] = [];
  const runtime: WorkerStartSample[] = [];
  for (let run = 0; run < runs; run += 1) {
    pre.push(await workerStartOnce(build.prebundledMain, temporalAddress, `${taskQueuePrefix}-pre-${run}`));
    runtime.push(
      await workerStartOnce(build.runtimeBundlingMain, temporalAddress, `${taskQueuePrefix}-rt-${run}`),
    );
  }
  const prebundledMs = median(pre.map((s) => s.msSinceProcessStart));
  const runtimeBundlingMs = median(runtime.map((s) => s.msSinceProcessStart));
  return {
    prebundledMs,
    runtimeBundlingMs,
    ratio: round(prebundledMs / runtimeBundlingMs, 3),
    prebundledSpawnMs: median(pre.map((s) => s.spawnToPollMs)),
    runtimeBundlingSpawnMs: median(runtime.map((s) => s.spawnToPollMs)),
    ...optional('prebundledPhases', medianPhases(pre)),
    ...optional('runtimeBundlingPhases', medianPhases(runtime)),
    runs,
  };
}

/** A worker process for the end-to-end run, left polling until `stop`. */
export async function startWorkerProcess(
  main: string,
  temporalAddress: string,
  taskQueue: string,
): Promise<BenchChild> {
  const { child } = await startAndWaitFor(
    {
      command: process.execPath,
      args: [main],
      env: {
        ...process.env,
        [TEMPORAL_ENV.address]: temporalAddress,
        [TEMPORAL_ENV.taskQueue]: taskQueue,
        [WORKER_ENV.workflowBundlePath]: undefined,
      },
    },
    (line) => (POLLING_LINE.test(line) ? true : undefined),
    60_000,
  );
  return child;
}

async function progressOf(client: Client, workflowId: string): Promise<StagedProgress | undefined> {
  try {
    return await client.workflow.getHandle(workflowId).query<StagedProgress>(QUERIES.progress);
  } catch {
    // Not queryable yet (no workflow task completed): the caller asks again.
    return undefined;
  }
}

async function waitForProgress(
  client: Client,
  workflowId: string,
  done: (progress: StagedProgress) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const progress = await progressOf(client, workflowId);
    if (progress && done(progress)) return performance.now();
  }
  throw new WorkerBenchError(`workflow ${workflowId} did not reach the expected progress in ${timeoutMs} ms`);
}

export interface EndToEndResult {
  p50Ms: number;
  p99Ms: number;
  /** The same, with the signal sent straight to Temporal (the raw call the gateway makes). */
  directP50Ms: number;
  directP99Ms: number;
  samples: number;
}

/**
 * Workflows that already wait for an event (their first activity done), each advanced through its
 * three stages by signals — through the gateway and, taking turns, straight to Temporal. A sample
 * runs from the accepted signal (the 202, or the direct call's answer) to the first `progress` answer
 * that shows the new stage; queries are sent back to back, so the resolution is one query.
 */
export async function endToEnd(
  client: Client,
  gatewayUrl: string,
  target: LoadTarget,
  samples: number,
): Promise<EndToEndResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const viaGateway: number[] = [];
  const direct: number[] = [];
  const stagesPerWorkflow = 3;
  let turn = 0;
  try {
    for (let index = 0; viaGateway.length < samples || direct.length < samples; index += 1) {
      const workflowId = `${target.workflowIds[0]}-e2e-${index}`;
      await client.workflow.start(WORKFLOW_TYPES.staged, {
        workflowId,
        taskQueue: target.taskQueue,
        args: [],
      });
      for (let stage = 1; stage <= stagesPerWorkflow; stage += 1) {
        // The workflow waits for this stage once the activity before it completed.
        await waitForProgress(client, workflowId, (p) => p.activitiesCompleted >= stage, 30_000);
        const useGateway = turn++ % 2 === 0;
        if (useGateway) {
          const status = await postSignal(agent, gatewayUrl, target, workflowId, { stage });
          if (status !== 202) throw new WorkerBenchError(`the gateway answered ${status} to a signal`);
        } else {
          await directSignal(client, { ...target, payload: { stage } }, workflowId, DEADLINE_MS);
        }
        const accepted = performance.now();
        const reflected = await waitForProgress(client, workflowId, (p) => p.stage >= stage, 30_000);
        const list = useGateway ? viaGateway : direct;
        if (list.length < samples) list.push(reflected - accepted);
      }
    }
  } finally {
    agent.destroy();
  }
  return {
    p50Ms: round(percentile(viaGateway, 50, 'end-to-end'), 2),
    p99Ms: round(percentile(viaGateway, 99, 'end-to-end'), 2),
    directP50Ms: round(percentile(direct, 50, 'end-to-end, direct'), 2),
    directP99Ms: round(percentile(direct, 99, 'end-to-end, direct'), 2),
    samples: viaGateway.length,
  };
}
