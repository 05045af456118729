/**
 * Issue 29's done-when for traces, against real components: the gateway (in-process, its OTel SDK
 * exporting over OTLP/HTTP), the Temporal dev server, a worker made by runWorker's createWorker, and
 * the local trace backend (OTel Collector → Zipkin). One Stripe event, signed by `stripe`'s own test
 * helper, produces one trace — found by the `traceparent` the answer returned — with the gateway's
 * request span, the Temporal signal call, the workflow's handling of the signal and the activity
 * that follows; and the same through the fallback queue (ElasticMQ) when Temporal is unreachable at
 * send time, with the queue hop (the enqueue and the queue function's record span) in between.
 */
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../functions/adapters/logger';
import { createDeadLetters } from '../../functions/adapters/sqs-dead-letters';
import { DEMO_SOURCE_SECRET_ENV, GATEWAY_ENV } from '../../functions/core/env-names';
import { traceIdOf } from '../../functions/core/trace-context';
import { createSqsBatchHandler } from '../../functions/handlers/sqs-batch';
import { createDeliveryRuntime, type DeliveryRuntime } from '../../functions/runtime/delivery-runtime';
import { startGatewayServer, type GatewayServer } from '../../local/gateway-server';
import { toSqsEvent } from '../../local/sqs-event';
import { startTraceBackend, type TraceBackend } from '../../local/trace-backend';
import type { ZipkinSpan } from '../../local/zipkin';
import { createWorker } from '../../worker/run-worker';
import type { TextDigestActivities } from '../functions/handlers/fixtures/json-digest-workflow';
import { receiveAll } from '../local/support';
import { freePort } from '../support/free-port';
import { startSqsStack, type SqsStack } from '../support/sqs-stack';
import { uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';

const workflowsPath = fileURLToPath(
  new URL('../functions/handlers/fixtures/json-digest-workflow.ts', import.meta.url),
);
const STRIPE_SECRET = 'whsec_test_trace_end_to_end_4f2a';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let env: TestWorkflowEnvironment;
let backend: TraceBackend;
let stack: SqsStack;
let taskQueue: string;
/** The HTTP function with Temporal up, and one whose Temporal address refuses connections. */
let gateway: GatewayServer;
let outage: GatewayServer;
/** The queue function once Temporal is reachable. */
let queue: DeliveryRuntime;

function gatewayEnv(temporalAddress: string, serviceName: string) {
  return {
    TEMPORAL_ADDRESS: temporalAddress,
    [GATEWAY_ENV.temporalDeadlineMs]: '2000',
    SQS_ENDPOINT: stack.sqs.endpoint,
    GATEWAY_QUEUE_URL: stack.queues.events.url,
    GATEWAY_DLQ_URL: stack.queues.eventsDlq.url,
    [GATEWAY_ENV.envelopeKey]: 'trace-end-to-end-envelope-key',
    [DEMO_SOURCE_SECRET_ENV.stripe]: JSON.stringify([STRIPE_SECRET]),
    OTEL_EXPORTER_OTLP_ENDPOINT: backend.otlpHttpEndpoint,
    OTEL_SERVICE_NAME: serviceName,
    GATEWAY_CONFIG: JSON.stringify({
      targets: [
        {
          name: 'blobs',
          workflowIdPattern: '^blob-.+$',
          workflowType: 'jsonDigestWorkflow',
          taskQueue,
          signals: { text: { schema: {} } },
          startIfMissing: true,
        },
      ],
      sources: [
        {
          name: 'stripe',
          verifier: { preset: 'stripe' },
          secret: { env: DEMO_SOURCE_SECRET_ENV.stripe },
          routes: [
            {
              name: 'blob-attached',
              match: { type: 'file.attached' },
              workflowId: 'blob-{data.object.metadata.workflowKey}',
              signal: 'text',
              payload: { text: 'data.object.description' },
            },
          ],
        },
      ],
    }),
  };
}

beforeAll(async () => {
  [env, backend, stack] = await Promise.all([
    sharedTemporal(),
    startTraceBackend({ zipkinPort: 0 }),
    startSqsStack(),
  ]);
  taskQueue = uniqueName('traces');
  const unreachable = `127.0.0.1:${await freePort()}`; // nothing listens there
  [gateway, outage, queue] = await Promise.all([
    startGatewayServer({ logger: silentLogger, env: gatewayEnv(env.address, 'gateway-http') }),
    startGatewayServer({ logger: silentLogger, env: gatewayEnv(unreachable, 'gateway-http') }),
    createDeliveryRuntime(gatewayEnv(env.address, 'gateway-sqs'), silentLogger),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.all([gateway?.close(), outage?.close(), queue?.clients.close()]);
  await Promise.all([backend?.stop(), stack?.stop()]);
  await stopSharedTemporal();
});

beforeEach(async () => {
  await stack.client.send(new PurgeQueueCommand({ QueueUrl: stack.queues.events.url }));
});

/** A Stripe event that signals `blob-<key>` with `text`, signed by Stripe's own helper. */
function stripeEvent(key: string, text: string) {
  const id = `evt_${uniqueName('trace').replace(/-/g, '')}`;
  const body = JSON.stringify({
    id,
    object: 'event',
    type: 'file.attached',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'file_1', description: text, metadata: { workflowKey: key } } },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
  return { id, body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
}

/** Runs a runWorker-made worker (tracing from the env) until the workflow returns; then flushes it. */
async function runWorkflow(workflowId: string, send: () => Promise<void>): Promise<string> {
  const activities: TextDigestActivities = { digestOfText: (value) => Promise.resolve(sha256(value)) };
  const made = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath,
    activities,
    callbacks: false,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: backend.otlpHttpEndpoint, OTEL_SERVICE_NAME: 'worker' },
  });
  const running = made.run();
  try {
    await send();
    const client = new Client({ connection: env.connection, namespace: made.namespace });
    return (await client.workflow.getHandle(workflowId).result()) as string;
  } finally {
    made.shutdown();
    await running; // stops the exporter too: the worker's spans are sent
  }
}

const named = (spans: readonly ZipkinSpan[], name: string) => spans.filter((span) => span.name === name);

/** The one span named so, with what issue 29 asks of it. */
function onlySpan(spans: readonly ZipkinSpan[], name: string): ZipkinSpan {
  const found = named(spans, name);
  expect(found, `spans named ${name} in ${JSON.stringify(spans.map((s) => s.name))}`).toHaveLength(1);
  return found[0]!;
}

/** `child` descends from `ancestor` through parent ids. */
function descendsFrom(spans: readonly ZipkinSpan[], child: ZipkinSpan, ancestor: ZipkinSpan): boolean {
  const byId = new Map(spans.map((span) => [span.id, span]));
  for (let at: ZipkinSpan | undefined = child; at; at = at.parentId ? byId.get(at.parentId) : undefined) {
    if (at.parentId === ancestor.id) return true;
  }
  return false;
}

function expectEventTags(span: ZipkinSpan, eventId: string, workflowId: string) {
  expect(span.tags).toMatchObject({
    'event_gateway.event_id': eventId,
    'event_gateway.source': 'stripe',
    'event_gateway.route': 'blob-attached',
    temporalWorkflowId: workflowId,
  });
}

describe('one Stripe event, one trace', () => {
  it('through the direct path: request, signal call, the signal’s handling and the next activity', async () => {
    const key = uniqueName('direct');
    const workflowId = `blob-${key}`;
    const event = stripeEvent(key, 'direct');
    let traceparent: string | null = null;
    const digest = await runWorkflow(workflowId, async () => {
      const response = await fetch(`${gateway.url}/v1/webhooks/stripe`, {
        method: 'POST',
        headers: event.headers,
        body: event.body,
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({ status: 'delivered' });
      traceparent = response.headers.get('traceparent');
    });
    expect(digest).toBe(sha256('direct'));
    await gateway.runtime.tracing.flush();

    const traceId = traceIdOf(traceparent ?? '');
    expect(traceId, `traceparent ${traceparent}`).toMatch(/^[0-9a-f]{32}$/);
    const spans = await backend.findTrace(traceId!, {
      spanNames: [
        'post /v1/webhooks/stripe',
        'verify webhook',
        'route webhook',
        'temporal signal',
        'handlesignal:text',
        'runactivity:digestoftext',
      ],
    });
    const request = onlySpan(spans, 'post /v1/webhooks/stripe');
    expect(request.kind).toBe('SERVER');
    expect(request.localEndpoint?.serviceName).toBe('gateway-http');
    expect(request.tags).toMatchObject({ 'event_gateway.event_id': `stripe:${event.id}` });
    onlySpan(spans, 'verify webhook');
    onlySpan(spans, 'route webhook');
    const call = onlySpan(spans, 'temporal signal');
    expectEventTags(call, `stripe:${event.id}`, workflowId);
    const handled = onlySpan(spans, 'handlesignal:text');
    const activity = onlySpan(spans, 'runactivity:digestoftext');
    expect(handled.localEndpoint?.serviceName).toBe('worker');
    expect(descendsFrom(spans, handled, call)).toBe(true);
    expect(descendsFrom(spans, call, request)).toBe(true);
    expect(activity.traceId).toBe(traceId);
  });

  it('through the fallback queue while Temporal is unreachable: one trace with the queue hop', async () => {
    const key = uniqueName('queued');
    const workflowId = `blob-${key}`;
    const event = stripeEvent(key, 'queued');
    const response = await fetch(`${outage.url}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'queued' });
    const traceparent = response.headers.get('traceparent');
    const traceId = traceIdOf(traceparent ?? '');
    expect(traceId, `traceparent ${traceparent}`).toMatch(/^[0-9a-f]{32}$/);

    const messages = await receiveAll(stack.client, stack.queues.events.url, 1);
    expect(messages).toHaveLength(1);
    expect(traceIdOf(messages[0]!.MessageAttributes?.traceparent?.StringValue ?? '')).toBe(traceId);
    const digest = await runWorkflow(workflowId, async () => {
      const handler = createSqsBatchHandler({
        ...queue,
        deadLetters: createDeadLetters(stack.client, { standard: stack.queues.eventsDlq.url }),
      });
      const result = await handler(toSqsEvent(messages, { queueArn: stack.queues.events.arn }));
      expect(result.batchItemFailures).toEqual([]);
    });
    expect(digest).toBe(sha256('queued'));
    await Promise.all([outage.runtime.tracing.flush(), queue.tracing.flush()]);

    // The ingest function's, the queue function's and the worker's spans reach Zipkin in batches of
    // their own: wait for each the test looks at, not for a count the others can make up.
    const spans = await backend.findTrace(traceId!, {
      spanNames: [
        'post /v1/webhooks/stripe',
        'sqs fallback enqueue',
        'sqs record',
        'temporal signal',
        'temporal signal',
        'handlesignal:text',
        'runactivity:digestoftext',
      ],
    });
    const request = onlySpan(spans, 'post /v1/webhooks/stripe');
    const enqueue = onlySpan(spans, 'sqs fallback enqueue');
    const record = onlySpan(spans, 'sqs record');
    expect(record.kind).toBe('CONSUMER');
    expect(record.localEndpoint?.serviceName).toBe('gateway-sqs');
    // The failed call while Temporal was down, and the one from the queue function.
    const calls = named(spans, 'temporal signal');
    expect(calls).toHaveLength(2);
    const delivered = calls.find((span) => span.localEndpoint?.serviceName === 'gateway-sqs')!;
    expectEventTags(delivered, `stripe:${event.id}`, workflowId);
    const handled = onlySpan(spans, 'handlesignal:text');
    onlySpan(spans, 'runactivity:digestoftext');
    expect(descendsFrom(spans, enqueue, request)).toBe(true);
    expect(descendsFrom(spans, record, enqueue)).toBe(true);
    expect(descendsFrom(spans, delivered, record)).toBe(true);
    expect(descendsFrom(spans, handled, delivered)).toBe(true);
  });
});
