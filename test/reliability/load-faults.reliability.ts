/**
 * Load under faults, counted. 200 staged workflows × 10 events, half over HTTP (the real gateway on
 * a Node server, with the SQS fallback) and half over SQS (SendMessageBatch into a real ElasticMQ,
 * consumed by the real batch handler under Lambda's event-source-mapping rules), paced over about
 * a hundred seconds with bounded concurrency. While it runs:
 *
 * - the worker process is SIGKILLed and restarted (twice);
 * - the Temporal dev server is stopped for 10 s and restarted on the same database file;
 * - ElasticMQ is SIGKILLed and restarted on its persisted H2 store;
 * - every tenth SQS batch carries a poison message;
 * - a tenth of the workflows are reset with `temporal workflow reset` (to the last workflow task
 *   and to the first), once during the load and again before the DLQ redrive, which drops
 *   Temporal's request ids for them;
 * - every workflow continues-as-new every few events, so most duplicates land in a later run.
 *
 * Every event is delivered at least three times: HTTP events are re-posted with the same
 * Idempotency-Key after their 2xx; SQS events are redelivered (the first successful invocation's
 * response is "lost", so SQS hands the same message out again); and afterwards a copy of every event
 * goes into the DLQ and the project's CLI (`event-gateway dlq redrive`) moves the DLQ back onto the
 * queue. Then each workflow's histories (its runs across continue-as-new) are read — every
 * acknowledged event must be there — and duplicates are counted by effect: each workflow's
 * `eventsApplied` must equal the number of distinct events acknowledged for it. A redelivery Temporal
 * recorded again (after a reset, in a continued run) is a duplicate only if the workflow applied it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayRuntime, type GatewayRuntime } from '../../functions/runtime/gateway-runtime';
import { DLQ_ATTRIBUTES, createDeadLetters } from '../../functions/adapters/sqs-dead-letters';
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../functions/core/env-names';
import { createSqsBatchHandler } from '../../functions/handlers/sqs-batch';
import type { Child } from '../../local/child-process';
import { runCli } from '../../local/cli/main';
import { createLocalSqsClient, startElasticMq, type ElasticMq } from '../../local/elasticmq';
import { startGatewayServer, type GatewayServer } from '../../local/gateway-server';
import { createSqsPoller, type SqsPoller } from '../../local/sqs-poller';
import { ensureGatewayQueues, type GatewayQueues } from '../../local/sqs-queues';
import { ensureTemporalCli } from '../../local/temporal-cli';
import { startTemporalDevServer } from '../../local/temporal-dev-server';
import { QUERIES, SIGNALS, type StagedProgress } from '../../contract';
import { freePort } from '../support/free-port';
import { CountingLogger } from './support/deployments';
import { recordedSignalsAcrossRuns } from './support/history';
import { LoadStats, postUntilAcknowledged, sendBatchUntilTaken } from './support/load-client';
import {
  LOAD_CONTINUE_AS_NEW_EVERY,
  LOAD_ID_PREFIX,
  countEffects,
  countOutcomes,
  finalEvents,
  loadEvents,
  loadTarget,
  sqsBatches,
  sqsMessageBody,
  type CountResult,
  type EffectResult,
  type LoadEvent,
  type PoisonMessage,
} from './support/load-model';
import { writeSection } from './support/results';
import { drainQueue, queueDepth } from './support/sqs';
import { startWorkerProcess, writeWorkflowBundle, type WorkerProcess } from './support/worker-process';

const WORKFLOWS = Number(process.env.RELIABILITY_WORKFLOWS ?? 200);
const EVENTS_PER_WORKFLOW = Number(process.env.RELIABILITY_EVENTS_PER_WORKFLOW ?? 10);
/** How long the paced load runs; the faults are placed inside it. */
const LOAD_SECONDS = Number(process.env.RELIABILITY_LOAD_SECONDS ?? 100);
const HTTP_CONCURRENCY = 8;
const SQS_SEND_CONCURRENCY = 2;
const TEMPORAL_OUTAGE_MS = 10_000;
/** Short, so transient failures come back quickly; 3 receives, so a long outage really dead-letters some. */
const VISIBILITY_SECONDS = 5;
const MAX_RECEIVE_COUNT = 3;

const runTag = Date.now().toString(36);
const taskQueue = `reliability-${runTag}`;
/** Workflow ids are this plus the workflow's index (see loadEvents). */
const LOAD_ID_PREFIX_FOR_RUN = `${LOAD_ID_PREFIX}${runTag}-`;

let dataDir: string;
let temporalPort: number;
let temporal: (Child & { address: string }) | undefined;
let sqs: ElasticMq;
let queues: GatewayQueues;
let producerSqs: SQSClient;
let consumerSqs: SQSClient;
let bundlePath: string;
let worker: WorkerProcess | undefined;
let gateway: GatewayServer;
let consumerRuntime: GatewayRuntime;
let poller: SqsPoller;

const gatewayLogger = new CountingLogger();
const consumerLogger = new CountingLogger();
const timeline: { at: number; what: string }[] = [];
let loadStartedAt = 0;
const mark = (what: string) => timeline.push({ at: loadStartedAt ? Date.now() - loadStartedAt : 0, what });

/** Faults as they happened, for the report. */
const faults: { fault: string; startedAt: number; endedAt: number; note: string }[] = [];
const consumerStats = {
  batches: 0,
  partialFailures: 0,
  failures: 0,
  receiveErrors: 0,
  deleteErrors: 0,
  redeliveriesForced: 0,
};
const workerRestarts: string[] = [];

/** Delivers every batch with the real handler, then — during the load — "loses" the response of a message's first successful delivery, so SQS redelivers that same message. */
let forceRedelivery = true;
const processedOnce = new Set<string>();
let realHandler: ReturnType<typeof createSqsBatchHandler>;
/** How often the queue handler was handed each event (by the eventId in the body). */
const handedToHandler = new Map<string, number>();
async function consumerHandler(event: SQSEvent): Promise<SQSBatchResponse> {
  for (const record of event.Records) {
    const eventId = eventIdOf(record.body);
    if (eventId) handedToHandler.set(eventId, (handedToHandler.get(eventId) ?? 0) + 1);
  }
  const response = await realHandler(event);
  if (!forceRedelivery) return response;
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const record of event.Records) {
    if (failed.has(record.messageId) || processedOnce.has(record.messageId)) continue;
    processedOnce.add(record.messageId);
    failed.add(record.messageId);
    consumerStats.redeliveriesForced += 1;
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

function eventIdOf(body: string): string | undefined {
  try {
    // A sealed copy of an HTTP event carries the load's id as its supplied id.
    const { eventId, suppliedId } = JSON.parse(body) as { eventId?: unknown; suppliedId?: unknown };
    const id = suppliedId ?? eventId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Deliveries that reached the gateway: HTTP requests it answered plus hand-overs to the queue handler. */
const deliveriesOf = (event: LoadEvent) => event.posts + (handedToHandler.get(event.id) ?? 0);

async function startTemporal(): Promise<void> {
  temporal = await startTemporalDevServer({
    port: temporalPort,
    dbFilename: join(dataDir, 'temporal.db'),
    ui: false,
  });
}

/** Starts the worker and keeps it running: an exit nobody asked for is restarted, as ECS would. */
let stopping = false;
let killing = false;
async function startWorker(): Promise<void> {
  const current = startWorkerProcess({
    temporalAddress: `127.0.0.1:${temporalPort}`,
    taskQueue,
    workflowBundlePath: bundlePath,
  });
  worker = current;
  void current.exit.then(({ code, signal }) => {
    if (stopping || killing || worker !== current) return;
    workerRestarts.push(
      `exited by itself (code ${code}, signal ${signal}) at ${Date.now() - loadStartedAt} ms`,
    );
    void sleep(2_000).then(() => (stopping || worker !== current ? undefined : startWorker()));
  });
  await current.polling().catch(() => undefined);
}

async function killWorker(): Promise<void> {
  killing = true;
  try {
    await worker?.kill('SIGKILL');
  } finally {
    killing = false;
  }
}

/** Workflows the resets hit: a tenth of them in each wave, alternating the two reset types. */
const RESET_TYPES = ['LastWorkflowTask', 'FirstWorkflowTask'] as const;
const resetStats = { done: 0, failed: [] as string[], byType: { LastWorkflowTask: 0, FirstWorkflowTask: 0 } };
const resetIds = new Set<string>();

async function resetWorkflows(workflowIds: readonly string[]): Promise<string> {
  const cli = await ensureTemporalCli();
  let done = 0;
  for (const [i, workflowId] of workflowIds.entries()) {
    const type = RESET_TYPES[i % RESET_TYPES.length]!;
    let lastError = '';
    // A reset can fail while the workflow is between runs or its task is in flight: try again.
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await promisify(execFile)(cli, [
          'workflow',
          'reset',
          '--address',
          `127.0.0.1:${temporalPort}`,
          '--namespace',
          'default',
          '--workflow-id',
          workflowId,
          '--type',
          type,
          '--reason',
          'reliability: reset under load',
        ]);
        lastError = '';
        break;
      } catch (error) {
        lastError = (error as { stderr?: string }).stderr?.trim() || String(error);
        await sleep(1_000);
      }
    }
    if (lastError) {
      resetStats.failed.push(`${workflowId} (${type}): ${lastError.slice(0, 200)}`);
      continue;
    }
    done += 1;
    resetStats.done += 1;
    resetStats.byType[type] += 1;
    resetIds.add(workflowId);
  }
  return `${done}/${workflowIds.length} workflows reset (alternately to the last and the first workflow task)`;
}

const workflowIdsWhere = (keep: (index: number) => boolean) =>
  Array.from({ length: WORKFLOWS }, (_, w) => w)
    .filter(keep)
    .map((w) => `${LOAD_ID_PREFIX_FOR_RUN}${w}`);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'reliability-'));
  temporalPort = await freePort();
  const [, mq, bundle] = await Promise.all([
    startTemporal(),
    startElasticMq({ port: 0, persistDir: join(dataDir, 'elasticmq') }),
    writeWorkflowBundle(dataDir),
  ]);
  sqs = mq;
  bundlePath = bundle;
  producerSqs = createLocalSqsClient(sqs.endpoint);
  consumerSqs = createLocalSqsClient(sqs.endpoint);
  queues = await ensureGatewayQueues(producerSqs, {
    visibilityTimeoutSeconds: VISIBILITY_SECONDS,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  });
  // ElasticMQ writes new queues to its store a moment after answering: a crash right after
  // CreateQueue could lose them (SQS itself asks for a second's patience after CreateQueue).
  await sleep(2_000);
  await startWorker();

  const env = {
    [TEMPORAL_ENV.address]: `127.0.0.1:${temporalPort}`,
    [GATEWAY_ENV.config]: JSON.stringify({
      ...DEFAULT_GATEWAY_CONFIG,
      targets: [loadTarget(taskQueue), ...DEFAULT_GATEWAY_CONFIG.targets],
    }),
    [GATEWAY_ENV.queueUrl]: queues.events.url,
    [GATEWAY_ENV.sqsEndpoint]: sqs.endpoint,
    [GATEWAY_ENV.dlqUrl]: queues.eventsDlq.url,
    // Short enough that calls during the outage fail over to the queue quickly, so the fallback sees
    // real traffic; a slow call under load is then queued, which is just as correct.
    [GATEWAY_ENV.temporalDeadlineMs]: '3000',
    AWS_REGION: sqs.region,
  };
  gateway = await startGatewayServer({ logger: gatewayLogger, env });
  // The queue consumer is a separate "function" with its own runtime, as in AWS.
  consumerRuntime = await createGatewayRuntime(env, consumerLogger);
  realHandler = createSqsBatchHandler({
    ...consumerRuntime,
    deadLetters: createDeadLetters(consumerSqs, {
      standard: queues.eventsDlq.url,
      fifo: queues.eventsDlqFifo.url,
    }),
  });
  poller = createSqsPoller({
    client: consumerSqs,
    queueUrl: queues.events.url,
    queueArn: queues.events.arn,
    handler: consumerHandler,
    concurrency: 2,
    waitTimeSeconds: 2,
    onError: (_error, phase) => {
      if (phase === 'receive') consumerStats.receiveErrors += 1;
      else if (phase === 'delete') consumerStats.deleteErrors += 1;
      else consumerStats.failures += 1;
    },
    onBatch: (result) => {
      consumerStats.batches += 1;
      if (result.outcome === 'partial-failure') consumerStats.partialFailures += 1;
    },
  });
  await poller.start();
}, 300_000);

afterAll(async () => {
  stopping = true;
  await poller?.stop();
  await gateway?.close();
  await consumerRuntime?.clients.close();
  await worker?.kill('SIGKILL');
  producerSqs?.destroy();
  consumerSqs?.destroy();
  await sqs?.stop();
  await temporal?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 120_000);

/** Waits until the queue has nothing visible, in flight or delayed, twice a visibility timeout apart. */
async function queueDrained(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let calm = 0;
  while (calm < 2) {
    if (Date.now() > deadline)
      throw new Error(
        `the queue did not drain within ${timeoutMs} ms: ${JSON.stringify(await queueDepth(consumerSqs, url))}`,
      );
    const depth = await queueDepth(consumerSqs, url).catch(() => undefined);
    calm = depth && depth.visible + depth.inFlight + depth.delayed === 0 ? calm + 1 : 0;
    await sleep(calm === 1 ? VISIBILITY_SECONDS * 1000 + 1000 : 1000);
  }
}

const events = loadEvents(runTag, WORKFLOWS, EVENTS_PER_WORKFLOW);
const finals = finalEvents(runTag, WORKFLOWS, EVENTS_PER_WORKFLOW);
const stats = new LoadStats();
const poisonSent: PoisonMessage[] = [];
const poisonTaken = new Set<string>();
let faultWindow = { from: 0, to: 0 };
const httpRetries: Promise<void>[] = [];
/**
 * A dead-lettered copy of an event as the gateway would hold it: an SQS event's producer message,
 * or for an HTTP event the gateway's own sealed queue message under the caller's namespaced id (an
 * unsealed producer message with the same key would be another caller's event).
 */
function deadLetteredCopy(event: LoadEvent): string {
  if (event.channel === 'sqs') return sqsMessageBody(event);
  const message = JSON.parse(sqsMessageBody(event)) as Record<string, unknown>;
  return gateway.runtime.sealer.seal({
    ...message,
    eventId: `@http:anonymous:${event.id}`,
    suppliedId: event.id,
  });
}

const redrive = {
  injected: 0,
  dlqBefore: 0,
  cliExit: -1,
  cliOut: [] as string[],
  cliErr: [] as string[],
  poisonBackInDlq: 0,
};
const completion = { sent: 0, completed: 0, notCompleted: [] as string[] };
let counts: CountResult | undefined;
let effects: EffectResult | undefined;
const runsPerWorkflow: number[] = [];
const dlqAtEnd = {
  depthBefore: 0,
  messages: 0,
  withReason: 0,
  goodEvents: 0,
  poisonMarkersFound: 0,
  missing: [] as string[],
};

describe('2,000 events over HTTP and SQS under faults', () => {
  it('acknowledges every event while the worker, Temporal and SQS fail underneath', async () => {
    const httpEvents = events.filter((event) => event.channel === 'http');
    const batches = sqsBatches(
      events.filter((event) => event.channel === 'sqs'),
      runTag,
    );
    for (const batch of batches) for (const entry of batch) if (entry.poison) poisonSent.push(entry.poison);

    loadStartedAt = Date.now();
    stats.startedAt = loadStartedAt;
    const loadMs = LOAD_SECONDS * 1000;
    const httpLimit = pLimit(HTTP_CONCURRENCY);
    const sqsLimit = pLimit(SQS_SEND_CONCURRENCY);
    const at = (ms: number) => sleep(Math.max(0, loadStartedAt + ms - Date.now()));

    // An at-least-once HTTP client: the same event again, same key, a moment after its 2xx.
    const postWithRetry = async (event: LoadEvent) => {
      await postUntilAcknowledged(event, { baseUrl: gateway.url, stats });
      httpRetries.push(
        sleep(Math.floor(Math.random() * 3_000)).then(() =>
          httpLimit(() => postUntilAcknowledged(event, { baseUrl: gateway.url, stats })),
        ),
      );
    };
    const http = Promise.all(
      httpEvents.map(async (event, i) => {
        await at((i * loadMs) / httpEvents.length);
        await httpLimit(() => postWithRetry(event));
      }),
    );
    const queued = Promise.all(
      batches.map(async (batch, i) => {
        await at((i * loadMs) / batches.length);
        await sqsLimit(() =>
          sendBatchUntilTaken(producerSqs, queues.events.url, batch, stats, (marker) =>
            poisonTaken.add(marker),
          ),
        );
      }),
    );

    const injectFaults = async () => {
      const fault = async (name: string, startAtMs: number, act: () => Promise<string>) => {
        await at(startAtMs);
        const startedAt = Date.now() - loadStartedAt;
        mark(`${name}: start`);
        const note = await act();
        const endedAt = Date.now() - loadStartedAt;
        mark(`${name}: recovered`);
        faults.push({ fault: name, startedAt, endedAt, note });
      };
      await fault('worker SIGKILL #1', loadMs * 0.08, async () => {
        await killWorker();
        const exit = await worker!.exit;
        await startWorker();
        return `worker exited with signal ${exit.signal}; a new worker process polled again`;
      });
      await fault('Temporal dev server down 10 s', loadMs * 0.2, async () => {
        const stoppedAt = Date.now();
        await temporal!.stop();
        const stopMs = Date.now() - stoppedAt;
        await sleep(Math.max(0, TEMPORAL_OUTAGE_MS - stopMs));
        await startTemporal();
        return `stopped (SIGTERM, ${stopMs} ms), down ${Date.now() - stoppedAt} ms in all, restarted on the same port and database file`;
      });
      await fault('ElasticMQ SIGKILL + restart', loadMs * 0.5, async () => {
        const restartAt = Date.now();
        await sqs.restart({ crash: true });
        return `killed and restarted on its persisted store in ${Date.now() - restartAt} ms`;
      });
      await fault('reset 10% of the workflows', loadMs * 0.65, () =>
        resetWorkflows(workflowIdsWhere((w) => w % 10 === 0)),
      );
      await fault('worker SIGKILL #2', loadMs * 0.85, async () => {
        await killWorker();
        const exit = await worker!.exit;
        await startWorker();
        return `worker exited with signal ${exit.signal}; a new worker process polled again`;
      });
    };

    const faulting = injectFaults();
    await Promise.all([http, queued, faulting]);
    await Promise.all(httpRetries);
    mark('load sent and acknowledged');
    faultWindow = { from: faults[0]?.startedAt ?? 0, to: faults.at(-1)?.endedAt ?? 0 };

    expect(stats.unexpected).toEqual([]);
    expect(events.filter((event) => event.ackedAt === undefined).map((event) => event.id)).toEqual([]);
    expect(poisonTaken.size).toBe(poisonSent.length);
    expect(faults.map((f) => f.fault)).toHaveLength(5);
    // The outage must actually have been felt by the HTTP path (queued or 503), or it proved nothing.
    const duringOutage = stats.http.filter((h) => h.taken === 'queued' || h.status === 503);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(stats.http.filter((h) => h.status !== 202 && h.status !== 503 && h.status !== 0)).toEqual([]);

    await queueDrained(queues.events.url, 240_000);
    mark('queue drained after the load');
  }, 900_000);

  it('applies each event once more delivered: every event copied into the DLQ and redriven with the CLI', async () => {
    forceRedelivery = false;
    // Another tenth reset just before the redrive: their redriven copies meet no request ids.
    const startedAt = Date.now() - loadStartedAt;
    const note = await resetWorkflows(workflowIdsWhere((w) => w % 10 === 5));
    faults.push({
      fault: 'reset another 10% before the redrive',
      startedAt,
      endedAt: Date.now() - loadStartedAt,
      note,
    });
    mark('second reset wave done');
    redrive.dlqBefore = (await queueDepth(producerSqs, queues.eventsDlq.url)).visible;
    // A dead-lettered copy of every acknowledged event, as if each had exhausted its receives.
    const acked = events.filter((event) => event.ackedAt !== undefined);
    for (let i = 0; i < acked.length; i += 10) {
      const chunk = acked.slice(i, i + 10);
      const { Failed = [] } = await producerSqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queues.eventsDlq.url,
          Entries: chunk.map((event, index) => ({ Id: String(index), MessageBody: deadLetteredCopy(event) })),
        }),
      );
      expect(Failed).toEqual([]);
      for (const event of chunk) event.attempts += 1;
      redrive.injected += chunk.length;
    }
    mark('copies of every event in the DLQ');
    const exit = await runCli(
      [
        'dlq',
        'redrive',
        '--dlq-url',
        queues.eventsDlq.url,
        '--queue-url',
        queues.events.url,
        '--endpoint',
        sqs.endpoint,
      ],
      {
        out: (line) => redrive.cliOut.push(line),
        err: (line) => redrive.cliErr.length < 200 && redrive.cliErr.push(line),
        env: { ...process.env, AWS_REGION: sqs.region },
      },
    );
    redrive.cliExit = exit;
    mark('dlq redrive done');
    expect(exit).toBe(0);
    await queueDrained(queues.events.url, 240_000);
    mark('queue drained after the redrive');
  }, 600_000);

  it('completes every workflow with a final event after the faults (nothing wedged)', async () => {
    const limit = pLimit(HTTP_CONCURRENCY);
    await Promise.all(
      finals.map((event) =>
        limit(async () => {
          await postUntilAcknowledged(event, { baseUrl: gateway.url, stats });
          // …and the client's retry of it.
          await postUntilAcknowledged(event, { baseUrl: gateway.url, stats });
        }),
      ),
    );
    completion.sent = finals.filter((event) => event.ackedAt !== undefined).length;
    mark('final events acknowledged');
    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    try {
      const client = new Client({ connection });
      // Polled rather than awaited: a wedged workflow must end in a diagnosis, not a hung test.
      // Long enough for an activity the kills interrupted to time out and be retried (45 s at most).
      const deadline = Date.now() + 240_000;
      let open = finals.map((event) => event.workflowId);
      while (open.length > 0 && Date.now() < deadline) {
        const statuses = await Promise.all(
          open.map((id) =>
            limit(async () => [id, (await client.workflow.getHandle(id).describe()).status.name] as const),
          ),
        );
        for (const [id, status] of statuses) {
          if (status === 'RUNNING') continue;
          const result =
            status === 'COMPLETED'
              ? ((await client.workflow.getHandle(id).result()) as { activitiesCompleted?: number })
              : undefined;
          if (result?.activitiesCompleted === 4) completion.completed += 1;
          else completion.notCompleted.push(`${id}: ${status} ${JSON.stringify(result)}`);
        }
        open = statuses.filter(([, status]) => status === 'RUNNING').map(([id]) => id);
        if (open.length > 0) await sleep(2_000);
      }
      for (const id of open) {
        const { raw } = await client.workflow.getHandle(id).describe();
        completion.notCompleted.push(
          `${id}: still RUNNING after 240 s; history ${String(raw.workflowExecutionInfo?.historyLength)} events; ` +
            `workflow task ${JSON.stringify({ state: raw.pendingWorkflowTask?.state, attempt: raw.pendingWorkflowTask?.attempt })}; ` +
            `activities ${JSON.stringify(
              (raw.pendingActivities ?? []).map((a) => ({
                type: a.activityType?.name,
                state: a.state,
                attempt: a.attempt,
                lastFailure: a.lastFailure?.message,
              })),
            )}`,
        );
      }
    } finally {
      await connection.close();
    }
    mark('workflows completed');
    expect(completion.notCompleted).toEqual([]);
  }, 600_000);

  it('applied every acknowledged event exactly once (by effect), and recorded each in its histories', async () => {
    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    try {
      const client = new Client({ connection });
      const recorded = new Map<string, unknown[]>();
      const applied = new Map<string, number>();
      const limit = pLimit(8);
      await Promise.all(
        [...new Set(events.map((event) => event.workflowId))].map((workflowId) =>
          limit(async () => {
            const lineage = await recordedSignalsAcrossRuns(client, workflowId, SIGNALS.advanceStage, 'seq');
            recorded.set(workflowId, lineage.values);
            runsPerWorkflow.push(lineage.runs);
            const progress = await client.workflow
              .getHandle(workflowId)
              .query<StagedProgress>(QUERIES.progress);
            applied.set(workflowId, progress.eventsApplied);
          }),
        ),
      );
      counts = countOutcomes([...events, ...finals], recorded);
      effects = countEffects([...events, ...finals], applied);
    } finally {
      await connection.close();
    }
    mark('histories and effects counted');
    expect(counts.lost).toEqual([]);
    expect(counts.unexplained).toEqual([]);
    expect(effects.duplicated).toEqual([]);
    expect(effects.missing).toEqual([]);
    expect(counts.acknowledged).toBe(events.length + finals.length);
    expect(effects.applied).toBe(counts.acknowledged);
    // The load really did continue-as-new and reset, or it proved nothing about them.
    expect(Math.max(...runsPerWorkflow)).toBeGreaterThan(1);
    expect(resetStats.done).toBeGreaterThan(0);
    // …and each load event really was delivered at least three times.
    expect(
      events.filter((event) => deliveriesOf(event) < 3).map((event) => `${event.id}: ${deliveriesOf(event)}`),
    ).toEqual([]);
  }, 600_000);

  it('leaves exactly the poison messages in the DLQ, each with its reason', async () => {
    const depth = await queueDepth(consumerSqs, queues.eventsDlq.url);
    dlqAtEnd.depthBefore = depth.visible + depth.inFlight;
    const dead = await drainQueue(consumerSqs, queues.eventsDlq.url);
    const markers = new Set<string>();
    for (const message of dead) {
      dlqAtEnd.messages += 1;
      if (message.MessageAttributes?.[DLQ_ATTRIBUTES.errorType]?.StringValue) dlqAtEnd.withReason += 1;
      // By marker, not by body: the redrive CLI adds an event id to gateway-shaped bodies that lack one.
      const poison = poisonSent.find((p) => message.Body?.includes(p.marker));
      if (poison) markers.add(poison.marker);
      else dlqAtEnd.goodEvents += 1;
    }
    dlqAtEnd.poisonMarkersFound = markers.size;
    dlqAtEnd.missing = poisonSent.filter((p) => !markers.has(p.marker)).map((p) => `${p.marker} (${p.kind})`);
    expect(dlqAtEnd.goodEvents).toBe(0);
    expect(dlqAtEnd.withReason).toBe(dlqAtEnd.messages);
    expect([...markers].sort()).toEqual(poisonSent.map((p) => p.marker).sort());
  }, 120_000);
});

afterAll(() => {
  const acknowledgedUnderFaults = events.filter(
    (event) =>
      event.ackedAt !== undefined && event.ackedAt >= faultWindow.from && event.ackedAt <= faultWindow.to,
  ).length;
  const httpStatuses: Record<string, number> = {};
  for (const h of stats.http) {
    const key = h.status === 202 ? `202 ${h.taken ?? ''}`.trim() : String(h.status || 'no answer');
    httpStatuses[key] = (httpStatuses[key] ?? 0) + 1;
  }
  const perEvent = events.map(deliveriesOf);
  const minDeliveries = perEvent.length > 0 ? Math.min(...perEvent) : 0;
  const deliveries =
    [...events, ...finals].reduce((sum, event) => sum + event.attempts, 0) + consumerStats.redeliveriesForced;
  const ackedAs = (as: string) => events.filter((event) => event.ackedAs === as).length;
  writeSection({
    name: 'load-faults',
    title:
      'Load under faults, with duplicates (real gateway, ElasticMQ, Temporal dev server, worker process)',
    summary: [
      `${events.length} events to ${WORKFLOWS} staged workflows (${events.filter((e) => e.channel === 'http').length} over HTTP, ${events.filter((e) => e.channel === 'sqs').length} over SQS in batches of ten with a poison message in every tenth batch: ${poisonSent.length} poison messages), paced over ~${LOAD_SECONDS} s with at most ${HTTP_CONCURRENCY} HTTP requests and ${SQS_SEND_CONCURRENCY} SQS batch sends in flight; then ${finals.length} final events (stage 3) after the faults.`,
      `Acknowledged: ${counts?.acknowledged ?? 'not counted'} (HTTP delivered ${ackedAs('delivered')}, HTTP queued to SQS while Temporal was down ${ackedAs('queued')}, SQS ${ackedAs('sqs')}; ${acknowledgedUnderFaults} acknowledged inside the fault window ${faultWindow.from}–${faultWindow.to} ms).`,
      `Faults: ${faults.map((f) => `${f.fault} at ${(f.startedAt / 1000).toFixed(1)} s (${f.note})`).join('; ')}. Worker restarts nobody asked for: ${workerRestarts.length}.`,
      `Duplicates: ${deliveries} deliveries in all for ${events.length + finals.length} events, each load event reaching the gateway at least ${minDeliveries} times — every HTTP event re-posted with its Idempotency-Key after its 2xx (plus 503 retries), ${consumerStats.redeliveriesForced} SQS messages redelivered after a lost response, ${redrive.injected} copies written to the DLQ and redriven with \`event-gateway dlq redrive\` (exit ${redrive.cliExit}: ${redrive.cliOut.join(' ')}).`,
      `Resets: ${resetStats.done} (${resetStats.byType.LastWorkflowTask} to the last workflow task, ${resetStats.byType.FirstWorkflowTask} to the first) of ${resetIds.size} workflows, ${resetStats.failed.length} failed. Continue-as-new every ${LOAD_CONTINUE_AS_NEW_EVERY} events: ${runsPerWorkflow.reduce((a, b) => a + b, 0)} runs for ${runsPerWorkflow.length} workflows (up to ${runsPerWorkflow.length > 0 ? Math.max(...runsPerWorkflow) : 0} runs each).`,
      `By effect (each workflow's eventsApplied against its distinct acknowledged events): applied ${effects?.applied ?? '?'}, duplicated ${effects?.duplicated.length ?? '?'}, missing ${effects?.missing.length ?? '?'}.`,
      `Histories (every run of each workflow): lost ${counts?.lost.length ?? '?'}, unexplained signals ${counts?.unexplained.length ?? '?'}; recorded more than once ${counts?.duplicated.length ?? '?'} — redeliveries Temporal took again after a reset or in a continued run, each skipped by the workflow's dedupe interceptor (the effect count above is what decides). ${completion.completed}/${finals.length} workflows completed all four activities after the faults.`,
      `DLQ at the end: ${dlqAtEnd.messages} messages, ${dlqAtEnd.withReason} with a reason, ${dlqAtEnd.poisonMarkersFound}/${poisonSent.length} poison messages present, ${dlqAtEnd.goodEvents} good events.`,
    ],
    figures: {
      workflows: WORKFLOWS,
      events: events.length,
      finalEvents: finals.length,
      acknowledged: counts?.acknowledged ?? -1,
      acknowledgedUnderFaults,
      lost: counts?.lost.length ?? -1,
      duplicated: effects?.duplicated.length ?? -1,
      missingByEffect: effects?.missing.length ?? -1,
      appliedByEffect: effects?.applied ?? -1,
      recordedMoreThanOnceInHistory: counts?.duplicated.length ?? -1,
      resets: resetStats.done,
      resetsFailed: resetStats.failed.length,
      runs: runsPerWorkflow.reduce((a, b) => a + b, 0),
      maxRunsPerWorkflow: runsPerWorkflow.length > 0 ? Math.max(...runsPerWorkflow) : 0,
      unexplainedSignals: counts?.unexplained.length ?? -1,
      deliveries,
      minDeliveriesPerEvent: minDeliveries,
      eventsDeliveredFewerThan3Times: perEvent.filter((n) => n < 3).length,
      httpRequests: stats.http.length,
      httpQueuedAcks: ackedAs('queued'),
      http503: stats.http.filter((h) => h.status === 503).length,
      httpNoAnswer: stats.httpNoAnswer,
      sqsBatchesSent: stats.sqsBatchesSent,
      sqsSendFailures: stats.sqsSendFailures,
      sqsEntriesResent: stats.sqsEntriesRetried,
      sqsRedeliveriesForced: consumerStats.redeliveriesForced,
      consumerBatches: consumerStats.batches,
      consumerPartialFailures: consumerStats.partialFailures,
      consumerReceiveErrors: consumerStats.receiveErrors,
      dlqBeforeRedrive: redrive.dlqBefore,
      dlqCopiesRedriven: redrive.injected,
      poisonMessages: poisonSent.length,
      dlqMessagesAtEnd: dlqAtEnd.messages,
      dlqPoisonFoundAtEnd: dlqAtEnd.poisonMarkersFound,
      workflowsCompleted: completion.completed,
      workerUnplannedRestarts: workerRestarts.length,
    },
    totals: {
      acknowledged: counts?.acknowledged ?? 0,
      lost: counts && effects ? Math.max(counts.lost.length, effects.missing.length) : events.length,
      // By effect: a redelivery recorded again in history but skipped by the workflow is no duplicate.
      duplicated: effects ? effects.duplicated.length : events.length,
    },
    details: {
      faults,
      timeline,
      httpStatuses,
      lost: counts?.lost.slice(0, 50),
      duplicated: effects?.duplicated.slice(0, 50),
      missingByEffect: effects?.missing.slice(0, 50),
      recordedMoreThanOnceInHistory: counts?.duplicated.slice(0, 50),
      resetsFailed: resetStats.failed.slice(0, 50),
      unexplained: counts?.unexplained.slice(0, 50),
      unexpected: stats.unexpected.slice(0, 50),
      workerRestarts,
      redriveCli: { exit: redrive.cliExit, out: redrive.cliOut, err: redrive.cliErr.slice(-20) },
      notCompleted: completion.notCompleted.slice(0, 50),
      dlqAtEnd,
      gatewayLogCounts: gatewayLogger.counts,
      consumerLogCounts: consumerLogger.counts,
      workerOutputTail: worker?.output().slice(-3_000),
    },
  });
});
