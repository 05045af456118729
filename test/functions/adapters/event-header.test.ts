/**
 * Every delivery carries its event id (and source) in the Temporal header, as recorded in the
 * workflow's history by a real dev server: signal, signal-with-start, update, CloudEvent.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPORAL_HEADERS } from '../../../contract/temporal-headers';
import { silentLogger } from '../../../functions/adapters/logger';
import { TEMPORAL_TRACE_HEADER } from '../../../functions/core/trace-context';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { startStagedWorker, uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

let env: TestWorkflowEnvironment;
let gateway: GatewayServer;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;

beforeAll(async () => {
  env = await sharedTemporal();
  const taskQueue = uniqueName('headers');
  worker = await startStagedWorker(env, taskQueue);
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue },
  });
});

afterAll(async () => {
  await gateway?.close();
  await worker?.stop();
  await stopSharedTemporal();
});

/**
 * The event's header fields. The request's trace context travels beside them (issue 29, asserted
 * end to end in test/tracing): here only that every header carries a valid one.
 */
function decoded(header: temporal.api.common.v1.IHeader | null | undefined): Record<string, unknown> {
  const { [TEMPORAL_TRACE_HEADER]: trace, ...fields } = header?.fields ?? {};
  const context = trace ? defaultPayloadConverter.fromPayload<{ traceparent?: string }>(trace) : undefined;
  expect(context?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  return Object.fromEntries(
    Object.entries(fields).map(([key, payload]) => [key, defaultPayloadConverter.fromPayload(payload)]),
  );
}

/**
 * The headers of the signals and updates in the history, once it holds `count` of them: Temporal
 * writes a signal that arrives during a running workflow task only when that task completes.
 */
async function recordedHeaders(workflowId: string, count = 1) {
  const deadline = Date.now() + 15_000;
  let read = await readHeaders(workflowId);
  while (read.signals.length + read.updates.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    read = await readHeaders(workflowId);
  }
  return read;
}

async function readHeaders(workflowId: string) {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return {
    signals: events.flatMap((e) =>
      e.workflowExecutionSignaledEventAttributes
        ? [decoded(e.workflowExecutionSignaledEventAttributes.header)]
        : [],
    ),
    updates: events.flatMap((e) =>
      e.workflowExecutionUpdateAcceptedEventAttributes
        ? [decoded(e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.header)]
        : [],
    ),
  };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('the event header', () => {
  it('travels on signal-with-start and on a plain signal, with the Idempotency-Key namespaced as event id', async () => {
    const workflowId = uniqueName('staged-hdr');
    const first = await post(
      `/v1/workflows/${workflowId}/signals/advanceStage`,
      { stage: 1 },
      {
        'idempotency-key': 'evt-start',
      },
    );
    expect(first.status).toBe(202);
    const second = await post(
      `/v1/workflows/${workflowId}/signals/advanceStage`,
      { stage: 2 },
      {
        'idempotency-key': 'evt-plain',
      },
    );
    expect(second.status).toBe(202);

    const { signals } = await recordedHeaders(workflowId, 2);
    expect(signals).toEqual([
      {
        [TEMPORAL_HEADERS.eventId]: '@http:anonymous:evt-start',
        [TEMPORAL_HEADERS.suppliedEventId]: 'evt-start',
        [TEMPORAL_HEADERS.source]: 'http',
      },
      {
        [TEMPORAL_HEADERS.eventId]: '@http:anonymous:evt-plain',
        [TEMPORAL_HEADERS.suppliedEventId]: 'evt-plain',
        [TEMPORAL_HEADERS.source]: 'http',
      },
    ]);
  });

  it('travels on an update', async () => {
    const workflowId = uniqueName('staged-hdr');
    const response = await post(
      `/v1/workflows/${workflowId}/updates/setStage`,
      { stage: 1 },
      {
        'idempotency-key': 'evt-update',
      },
    );
    expect(response.status).toBe(200);
    const { updates } = await recordedHeaders(workflowId);
    expect(updates).toEqual([
      {
        [TEMPORAL_HEADERS.eventId]: '@http:anonymous:evt-update',
        [TEMPORAL_HEADERS.suppliedEventId]: 'evt-update',
        [TEMPORAL_HEADERS.source]: 'http',
      },
    ]);
  });

  it('names the route of a CloudEvent and carries its id', async () => {
    const key = uniqueName('ce');
    const response = await fetch(`${gateway.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id: `ce-id-${key}`,
        source: 'test',
        type: 'com.example.stage.advanced',
        data: { workflowKey: key, stage: 1 },
      }),
    });
    expect(response.status).toBe(202);
    const { signals } = await recordedHeaders(`staged-${key}`);
    expect(signals).toEqual([
      {
        [TEMPORAL_HEADERS.eventId]: `@cloudevent:anonymous:ce-id-${key}`,
        [TEMPORAL_HEADERS.suppliedEventId]: `ce-id-${key}`,
        [TEMPORAL_HEADERS.source]: 'stage-advanced',
      },
    ]);
  });
});
