/**
 * The lean Temporal client against `@temporalio/proto`, the oracle: the committed descriptor and
 * codecs are what the installed API generates, every request encodes to the same bytes as the full
 * types encode it, every response decodes the fields the gateway reads to the same values, the enum
 * values and the payload bytes match. A Temporal upgrade that changes any of them fails here.
 */
import { readFile } from 'node:fs/promises';
import { defaultPayloadConverter } from '@temporalio/common';
import protos from '@temporalio/proto';
import type { Type } from 'protobufjs';
import { describe, expect, it } from 'vitest';
import * as enums from '../../../functions/adapters/temporal-enums';
import { codecFor } from '../../../functions/adapters/temporal-wire/codec';
import {
  fullTemporalRoot,
  generateWireCodecs,
  generateWireDescriptor,
} from '../../../functions/adapters/temporal-wire/generate';
import { fromPayload, toPayload } from '../../../functions/adapters/temporal-wire/payloads';
import { WIRE_METHODS, type WireMethod } from '../../../functions/adapters/temporal-wire/schema';

const { temporal } = protos;
const fullRoot = fullTemporalRoot();
const ws = temporal.api.workflowservice.v1;
const wireDir = new URL('../../../functions/adapters/temporal-wire/', import.meta.url);
const utf8 = (text: string) => new TextEncoder().encode(text);

const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const payloads = (...values: unknown[]) => ({ payloads: values.map(payload) });
const header = {
  fields: { 'event-gateway-event-id': payload('evt-1'), 'event-gateway-source': payload('http') },
};
const execution = { workflowId: 'staged-1', runId: '6e7c0d1a-run' };

/** One request per RPC with every field the gateway may set. */
const REQUESTS: Record<WireMethod, object> = {
  SignalWorkflowExecution: {
    namespace: 'default',
    workflowExecution: execution,
    signalName: 'advanceStage',
    input: payloads({ stage: 1 }),
    identity: 'event-gateway@1',
    requestId: 'e1b2c3d4-0000-5000-8000-000000000001',
    header,
  },
  SignalWithStartWorkflowExecution: {
    namespace: 'default',
    workflowId: 'staged-1',
    workflowType: { name: 'stagedWorkflow' },
    taskQueue: { name: 'event-gateway', kind: 1 },
    input: payloads('start-arg', 2),
    identity: 'event-gateway@1',
    requestId: 'e1b2c3d4-0000-5000-8000-000000000002',
    workflowIdReusePolicy: 3,
    workflowIdConflictPolicy: 2,
    signalName: 'advanceStage',
    signalInput: payloads({ stage: 2, note: 'ünïcødé ✓' }),
    header,
  },
  StartWorkflowExecution: {
    namespace: 'default',
    workflowId: 'greeting-1',
    workflowType: { name: 'greetingWorkflow' },
    taskQueue: { name: 'event-gateway', kind: 1 },
    input: payloads('alice', 'bob', 100),
    identity: 'event-gateway@1',
    requestId: 'e1b2c3d4-0000-5000-8000-000000000003',
    workflowIdReusePolicy: 3,
    workflowIdConflictPolicy: 3,
    header,
  },
  GetWorkflowExecutionHistory: {
    namespace: 'default',
    execution: { workflowId: 'staged-1' },
    maximumPageSize: 1000,
    nextPageToken: utf8('page-2'),
  },
  UpdateWorkflowExecution: {
    namespace: 'default',
    workflowExecution: { workflowId: 'staged-1' },
    waitPolicy: { lifecycleStage: 3 },
    request: {
      meta: { updateId: 'u-1', identity: 'event-gateway@1' },
      input: { header, name: 'setStage', args: payloads({ stage: 3 }) },
    },
  },
  PollWorkflowExecutionUpdate: {
    namespace: 'default',
    updateRef: { workflowExecution: execution, updateId: 'u-1' },
    identity: 'event-gateway@1',
    waitPolicy: { lifecycleStage: 3 },
  },
  ExecuteMultiOperation: {
    namespace: 'default',
    operations: [
      {
        startWorkflow: {
          namespace: 'default',
          workflowId: 'staged-1',
          workflowType: { name: 'stagedWorkflow' },
          taskQueue: { name: 'event-gateway' },
          input: payloads(),
          identity: 'event-gateway@1',
          requestId: 'r-start',
          workflowIdReusePolicy: 1,
          workflowIdConflictPolicy: 2,
          header,
        },
      },
      {
        updateWorkflow: {
          namespace: 'default',
          workflowExecution: { workflowId: 'staged-1' },
          waitPolicy: { lifecycleStage: 3 },
          request: {
            meta: { updateId: 'u-2', identity: 'x' },
            input: { header, name: 'setStage', args: payloads(1) },
          },
        },
      },
    ],
  },
  QueryWorkflow: {
    namespace: 'default',
    execution: { workflowId: 'staged-1' },
    query: { queryType: 'progress', queryArgs: payloads(undefined, new Uint8Array([1, 2, 3])), header },
  },
  DescribeWorkflowExecution: { namespace: 'default', execution },
  DescribeNamespace: { namespace: 'default' },
  DescribeTaskQueue: {
    namespace: 'default',
    taskQueue: { name: 'q', kind: 1 },
    taskQueueType: 1,
    reportStats: true,
  },
  RespondActivityTaskCompleted: {
    namespace: 'default',
    taskToken: new Uint8Array([9, 8, 7, 0, 255]),
    result: payloads({ shipped: true }),
    identity: 'event-gateway@1',
  },
  RespondActivityTaskFailed: {
    namespace: 'default',
    taskToken: new Uint8Array([1, 2, 3]),
    failure: {
      message: 'warehouse refused',
      source: 'temporal-event-gateway',
      applicationFailureInfo: { type: 'CallbackFailed', nonRetryable: true },
    },
    identity: 'event-gateway@1',
  },
};

const failure = {
  message: 'Stage 1 is not above the current stage 2',
  source: 'TypeScriptSDK',
  stackTrace: 'Error: …',
  cause: { message: 'inner' },
  applicationFailureInfo: { type: 'Error', nonRetryable: false },
};
const updateRef = { workflowExecution: execution, updateId: 'u-1' };
const timestamp = (seconds: number, nanos: number) => ({ seconds, nanos });

/** One response per RPC, full of fields the lean client prunes (they must be skipped) and reads. */
const RESPONSES: Record<WireMethod, object> = {
  SignalWorkflowExecution: { link: { workflowEvent: { namespace: 'default', workflowId: 'staged-1' } } },
  SignalWithStartWorkflowExecution: {
    runId: 'run-1',
    started: true,
    firstExecutionRunId: 'run-0',
    signalLink: { workflowEvent: { namespace: 'default', workflowId: 'staged-1', runId: 'run-1' } },
  },
  StartWorkflowExecution: {
    runId: 'run-1',
    firstExecutionRunId: 'run-1',
    started: true,
    status: 2,
    link: { workflowEvent: { namespace: 'default', workflowId: 'greeting-1' } },
  },
  GetWorkflowExecutionHistory: {
    history: {
      events: [
        {
          eventId: 1,
          eventType: 1,
          eventTime: timestamp(1_790_000_000, 1),
          workflowExecutionStartedEventAttributes: {
            workflowType: { name: 'stagedWorkflow' },
            input: payloads({ a: 1 }),
            header,
          },
        },
        {
          eventId: 5,
          eventType: 26,
          workflowExecutionSignaledEventAttributes: {
            signalName: 'advanceStage',
            input: payloads({ stage: 1 }),
            identity: 'event-gateway@1',
            header,
          },
        },
        {
          eventId: 9,
          eventType: 47,
          workflowExecutionUpdateAcceptedEventAttributes: {
            protocolInstanceId: 'p-1',
            acceptedRequest: {
              meta: { updateId: 'u-1', identity: 'event-gateway@1' },
              input: { header, name: 'setStage', args: payloads({ stage: 3 }) },
            },
          },
        },
        { eventId: 10, eventType: 6, activityTaskScheduledEventAttributes: { activityId: '1' } },
      ],
    },
    rawHistory: [utf8('raw')],
    nextPageToken: utf8('page-3'),
    archived: false,
  },
  UpdateWorkflowExecution: {
    updateRef,
    outcome: { failure },
    stage: 3,
    link: { workflowEvent: { namespace: 'default' } },
  },
  PollWorkflowExecutionUpdate: { outcome: { success: payloads({ stage: 3 }) }, stage: 3, updateRef },
  ExecuteMultiOperation: {
    responses: [
      {
        startWorkflow: {
          runId: 'run-1',
          started: true,
          status: 1,
          link: { workflowEvent: { namespace: 'd' } },
        },
      },
      { updateWorkflow: { updateRef, outcome: { success: payloads('done') }, stage: 3 } },
    ],
  },
  QueryWorkflow: {
    queryResult: payloads({ stage: 2, activitiesCompleted: 2 }),
    queryRejected: { status: 2 },
  },
  DescribeWorkflowExecution: {
    executionConfig: { taskQueue: { name: 'event-gateway' }, workflowExecutionTimeout: { seconds: 60 } },
    workflowExecutionInfo: {
      execution,
      type: { name: 'stagedWorkflow' },
      startTime: timestamp(1_790_000_000, 123_456_789),
      closeTime: timestamp(1_790_000_100, 5),
      status: 2,
      historyLength: 42,
      taskQueue: 'event-gateway',
      memo: { fields: { a: payload(1) } },
      stateTransitionCount: 7,
      historySizeBytes: 9_000_000_000,
      searchAttributes: { indexedFields: { CustomKeywordField: payload('k') } },
    },
    pendingActivities: [{ activityId: '1', activityType: { name: 'a' }, attempt: 3 }],
  },
  DescribeNamespace: { namespaceInfo: { name: 'default', id: 'ns-id' }, isGlobalNamespace: false },
  DescribeTaskQueue: {
    pollers: [{ identity: 'worker@1', ratePerSecond: 100 }],
    stats: { approximateBacklogCount: 1234, tasksAddRate: 1.5, approximateBacklogAge: { seconds: 3 } },
  },
  RespondActivityTaskCompleted: {},
  RespondActivityTaskFailed: { failures: [{ message: 'earlier attempt' }] },
};

/** The RPC's request and response types in the full API the SDK loads. */
function fullTypes(method: WireMethod) {
  const rpc = fullRoot.lookupService('temporal.api.workflowservice.v1.WorkflowService').methods[method];
  if (!rpc) throw new Error(`${method} is not an RPC of the full API`);
  rpc.resolve();
  return { request: rpc.resolvedRequestType as Type, response: rpc.resolvedResponseType as Type };
}

/** What a plain reader sees: JSON-able values with int64 as numbers and bytes as arrays. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Uint8Array) return [...value];
  if (typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function') {
    return (value as { toNumber(): number }).toNumber();
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .map((key) => [key, plain((value as Record<string, unknown>)[key])] as const)
        .filter(([, inner]) => inner !== undefined),
    );
  }
  return value;
}

/** `full` cut to the shape of `lean` (the kept fields), for comparing what the gateway reads. */
function cutTo(full: unknown, lean: unknown): unknown {
  if (Array.isArray(lean) && Array.isArray(full)) return full.map((item, i) => cutTo(item, lean[i]));
  if (lean && typeof lean === 'object' && full && typeof full === 'object') {
    return Object.fromEntries(
      Object.keys(lean).map((key) => [
        key,
        cutTo((full as Record<string, unknown>)[key], (lean as Record<string, unknown>)[key]),
      ]),
    );
  }
  return full;
}

describe('the lean Temporal client against @temporalio/proto', () => {
  it('has the descriptor and codecs the installed @temporalio/proto generates (run npm run generate:temporal-wire)', async () => {
    const descriptor = await generateWireDescriptor();
    expect(await readFile(new URL('descriptor.json', wireDir), 'utf8')).toBe(descriptor);
    expect(await readFile(new URL('codecs.generated.js', wireDir), 'utf8')).toBe(
      await generateWireCodecs(descriptor),
    );
  });

  it.each(Object.keys(WIRE_METHODS) as WireMethod[])(
    'encodes %s requests byte for byte as the full types do',
    (method) => {
      const { request } = fullTypes(method);
      const sample = REQUESTS[method];
      const expected = request.encode(request.fromObject(sample)).finish();
      expect([...codecFor(method).encode(sample)]).toEqual([...expected]);
    },
  );

  it.each(Object.keys(WIRE_METHODS) as WireMethod[])(
    'decodes what the gateway reads of %s responses as the full types do',
    (method) => {
      const { response } = fullTypes(method);
      const bytes = Buffer.from(response.encode(response.fromObject(RESPONSES[method])).finish());
      const lean = plain(codecFor(method).decode(bytes));
      const full = plain(response.decode(bytes));
      expect(lean).toEqual(cutTo(full, lean));
      // The read fields are really there (not both sides empty).
      expect(JSON.stringify(lean).length).toBeGreaterThan(
        method.endsWith('Namespace') || method === 'SignalWorkflowExecution' || method.startsWith('Respond')
          ? 1
          : 10,
      );
    },
  );

  it('decodes an update rejection with the workflow’s reason, skipping the rest of the failure', () => {
    const bytes = Buffer.from(
      ws.UpdateWorkflowExecutionResponse.encode(
        ws.UpdateWorkflowExecutionResponse.fromObject(RESPONSES.UpdateWorkflowExecution),
      ).finish(),
    );
    const decoded = codecFor('UpdateWorkflowExecution').decode(bytes) as {
      outcome: { failure: { message: string } };
    };
    expect(decoded.outcome.failure.message).toBe(failure.message);
  });

  it('keeps the enum values of @temporalio/proto', () => {
    const full = temporal.api.enums.v1 as unknown as Record<string, Record<string, number>>;
    for (const name of [
      'WorkflowIdReusePolicy',
      'WorkflowIdConflictPolicy',
      'UpdateWorkflowExecutionLifecycleStage',
      'TaskQueueKind',
      'TaskQueueType',
      'WorkflowExecutionStatus',
    ] as const) {
      for (const [key, value] of Object.entries(enums[name]))
        expect(full[name]?.[key], `${name}.${key}`).toBe(value);
    }
    expect(
      enums.workflowStatusName(
        temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
      ),
    ).toBe('CONTINUED_AS_NEW');
    expect(enums.workflowStatusName(99)).toBe('UNSPECIFIED');
  });

  it('writes and reads payloads as defaultPayloadConverter does', () => {
    const values = [
      undefined,
      null,
      0,
      -1.5,
      'text',
      'ünïcødé ✓',
      true,
      [1, 'a', null],
      { stage: 1, nested: { deep: [1, 2] } },
      new Uint8Array([0, 255, 7]),
    ];
    for (const value of values) {
      const sdk = defaultPayloadConverter.toPayload(value);
      const lean = toPayload(value);
      expect(plain(lean), JSON.stringify(plain(value)) ?? 'undefined').toEqual(plain(sdk));
      expect(fromPayload(sdk)).toEqual(defaultPayloadConverter.fromPayload(sdk));
    }
    expect(() => toPayload(10n)).toThrow(/Unable to convert/);
    expect(() => defaultPayloadConverter.toPayload(10n)).toThrow(/Unable to convert/);
    expect(() => fromPayload({ metadata: { encoding: utf8('binary/protobuf') }, data: utf8('x') })).toThrow(
      /encoding/,
    );
  });
});
