/**
 * Load under faults, counted. 200 staged workflows × 10 events, half over HTTP (the real gateway on
 * a Node server, with the SQS fallback) and half over SQS (SendMessageBatch into a real ElasticMQ,
 * consumed by the real batch handler under Lambda's event-source-mapping rules), paced over about
 * a hundred seconds with bounded concurrency. While it runs:
 *
 * - the worker process is SIGKILLed and restarted (twice);
 * - the Temporal dev server is stopped for 10 s and restarted on the same database file;
 * - ElasticMQ is SIGKILLed and restarted on its persisted H2 store;
 * - every tenth SQS batch carries a poison message.
 *
 * Every event is delivered at least three times: HTTP events are re-posted with the same
 * Idempotency-Key after their 2xx; SQS events are redelivered (the first successful invocation's
 * response is "lost", so SQS hands the same message out again); and afterwards a copy of every event
 * goes into the DLQ and the project's CLI (`event-gateway dlq redrive`) moves the DLQ back onto the
 * queue. Then each workflow's history is read and every acknowledged event must be there exactly once.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Client, Connection } from '@temporalio/client';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayRuntime, type GatewayRuntime } from '../../functions/adapters/gateway-runtime';
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
import { startTemporalDevServer } from '../../local/temporal-dev-server';
import { SIGNALS } from '../../contract';
import { freePort } from '../support/free-port';
import { CountingLogger } from './support/deployments';
import { recordedSignals } from './support/history';
import { LoadStats, postUntilAcknowledged, sendBatchUntilTaken } from './support/load-client';
import {
  countOutcomes,
  finalEvents,
  loadEvents,
  loadTarget,
  sqsBatches,
  sqsMessageBody,
  type CountResult,
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
    const id = (JSON.parse(body) as { eventId?: unknown }).eventId;
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
    expect(faults.map((f) => f.fault)).toHaveLength(4);
    // The outage must actually have been felt by the HTTP path (queued or 503), or it proved nothing.
    const duringOutage = stats.http.filter((h) => h.taken === 'queued' || h.status === 503);
    expect(duringOutage.length).toBeGreaterThan(0);
    expect(stats.http.filter((h) => h.status !== 202 && h.status !== 503 && h.status !== 0)).toEqual([]);

    await queueDrained(queues.events.url, 240_000);
    mark('queue drained after the load');
  }, 900_000);

  it('applies each event once more delivered: every event copied into the DLQ and redriven with the CLI', async () => {
    forceRedelivery = false;
    redrive.dlqBefore = (await queueDepth(producerSqs, queues.eventsDlq.url)).visible;
    // A dead-lettered copy of every acknowledged event, as if each had exhausted its receives.
    const acked = events.filter((event) => event.ackedAt !== undefined);
    for (let i = 0; i < acked.length; i += 10) {
      const chunk = acked.slice(i, i + 10);
      const { Failed = [] } = await producerSqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queues.eventsDlq.url,
          Entries: chunk.map((event, index) => ({ Id: String(index), MessageBody: sqsMessageBody(event) })),
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

  it('recorded every acknowledged event exactly once in its workflow history', async () => {
    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    try {
      const client = new Client({ connection });
      const recorded = new Map<string, unknown[]>();
      const limit = pLimit(8);
      await Promise.all(
        [...new Set(events.map((event) => event.workflowId))].map((workflowId) =>
          limit(async () =>
            recorded.set(workflowId, await recordedSignals(client, workflowId, SIGNALS.advanceStage, 'seq')),
          ),
        ),
      );
      counts = countOutcomes([...events, ...finals], recorded);
    } finally {
      await connection.close();
    }
    mark('histories counted');
    expect(counts.lost).toEqual([]);
    expect(counts.duplicated).toEqual([]);
    expect(counts.unexplained).toEqual([]);
    expect(counts.acknowledged).toBe(events.length + finals.length);
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
      `Histories: lost ${counts?.lost.length ?? '?'}, duplicated ${counts?.duplicated.length ?? '?'}, unexplained signals ${counts?.unexplained.length ?? '?'}; ${completion.completed}/${finals.length} workflows completed all four activities after the faults.`,
      `DLQ at the end: ${dlqAtEnd.messages} messages, ${dlqAtEnd.withReason} with a reason, ${dlqAtEnd.poisonMarkersFound}/${poisonSent.length} poison messages present, ${dlqAtEnd.goodEvents} good events.`,
    ],
    figures: {
      workflows: WORKFLOWS,
      events: events.length,
      finalEvents: finals.length,
      acknowledged: counts?.acknowledged ?? -1,
      acknowledgedUnderFaults,
      lost: counts?.lost.length ?? -1,
      duplicated: counts?.duplicated.length ?? -1,
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
      lost: counts ? counts.lost.length : events.length,
      duplicated: counts?.duplicated.length ?? 0,
    },
    details: {
      faults,
      timeline,
      httpStatuses,
      lost: counts?.lost.slice(0, 50),
      duplicated: counts?.duplicated.slice(0, 50),
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
