/**
 * What a deploy would run: the synthesized ingest, queue and backlog bundles from `cdk synth`, each
 * under AWS's Lambda Runtime Interface Emulator with AWS's Node runtime client on Node 24 (or the
 * Node of EVENT_GATEWAY_LAMBDA_NODE: `npm run test:lambda:node26` runs the same bundles on Node 26), with the
 * environment its template gives it (references resolved to the local servers) and nothing else,
 * against a real Temporal dev server and a real ElasticMQ. Events come from AWS SAM CLI's own
 * sample-event templates. The deployment variant is api-key auth, its keys in Secrets Manager.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCallbackSigningKeys } from '../../contract/callback-keys';
import { apiKeyCaller } from '../../functions/adapters/caller-identity';
import { DLQ_ATTRIBUTES } from '../../functions/adapters/sqs-dead-letters';
import { EVENT_ID_ENTRIES, NAMESPACE_MARK } from '../../functions/core/event-ids';
import { createCallbackMinter } from '../../worker/callbacks/minter';
import type { Child } from '../../local/child-process';
import { ensureLambdaRic } from '../../local/lambda-ric';
import { ensureLambdaRie } from '../../local/lambda-rie';
import { ensureNodeRuntime, parseNodeRuntimeMajor } from '../../local/node-runtime';
import { startTemporalDevServer } from '../../local/temporal-dev-server';
import { freePort } from '../support/free-port';
import { startSqsStack, type SqsStack } from '../support/sqs-stack';
import { countSignals, startStagedWorker, uniqueName } from '../support/staged-worker';
import { receiveAll } from '../local/support';
import {
  cdkSynth,
  resolveEnvironment,
  stackResources,
  synthesizedFunctions,
  type SynthesizedFunction,
} from './support/assembly';
import { startEmulatedFunction, type EmulatedFunction, type LambdaTools } from './support/emulated-function';
import { startLocalAws, type LocalAws } from './support/local-aws';
import { httpApiEvent, scheduledEvent, sqsEvent, type HttpRequest } from './support/sam-events';

const API_KEY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-api-keys-AbCdEf';
const API_KEYS = 'k_live_lambda_7f3a9c2e41d8,k_next_lambda_0b8e55d1c9a2';
const KEY = 'k_next_lambda_0b8e55d1c9a2';
/** The event id of an Idempotency-Key sent with KEY: namespaced by entry point and caller. */
const httpEventId = (supplied: string) =>
  `${NAMESPACE_MARK}${EVENT_ID_ENTRIES.http}:${apiKeyCaller(KEY)}:${supplied}`;
/**
 * What the local Secrets Manager answers, by ARN. Secrets the stack creates itself (the callback
 * signing key) get a local ARN and a generated value when their reference is resolved.
 */
const localSecrets: Record<string, string> = { [API_KEY_SECRET_ARN]: API_KEYS };

/** The Lambda Node runtime the bundles run on; the bundles are the same for every runtime. */
const NODE_MAJOR = parseNodeRuntimeMajor(process.env.EVENT_GATEWAY_LAMBDA_NODE ?? '24');
const dir = mkdtempSync(join(tmpdir(), 'lambda-fidelity-'));
const taskQueue = uniqueName('lambda');
let tools: LambdaTools;
let temporal: Child & { address: string };
let temporalPort: number;
let client: Client;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;
let workerConnection: NativeConnection;
let stack: SqsStack;
let aws: LocalAws;
let functions: SynthesizedFunction[];
const running: EmulatedFunction[] = [];
let ingest: EmulatedFunction;
let queue: EmulatedFunction;
const initReport: Record<string, number | undefined> = {};

const startTemporal = async () => {
  temporal = await startTemporalDevServer({
    port: temporalPort,
    dbFilename: join(dir, 'temporal.db'),
    ui: false,
  });
};

/** The function whose POWERTOOLS_SERVICE_NAME (its declared service) is `service`. */
function byService(service: string): SynthesizedFunction {
  const found = functions.find((fn) => fn.environment.POWERTOOLS_SERVICE_NAME === service);
  if (!found) throw new Error(`no synthesized function for ${service}`);
  return found;
}

/** Each queue of the template, by logical id, is the local queue of the same name. */
function localValue(fn: SynthesizedFunction, overrides: Record<string, string> = {}) {
  const resources = stackResources(join(dir, 'cdk.out'), fn.stack);
  return (logicalId: string, attribute?: string): string | undefined => {
    if (overrides[logicalId]) return overrides[logicalId];
    const resource = resources[logicalId];
    if (resource?.Type === 'AWS::SecretsManager::Secret' && attribute === undefined) {
      const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${logicalId}-Local1`;
      localSecrets[arn] ??= randomBytes(36).toString('base64url');
      return arn;
    }
    if (resource?.Type !== 'AWS::SQS::Queue') return undefined;
    const name = String(resource.Properties?.QueueName);
    const local = Object.values(stack.queues).find((q) => q.name === name);
    if (!local) throw new Error(`no local queue named ${name}`);
    return attribute === 'Arn' ? local.arn : local.url;
  };
}

async function start(
  name: string,
  fn: SynthesizedFunction,
  overrides: Record<string, string> = {},
): Promise<EmulatedFunction> {
  // The app declares the default runtime; a team's `runtime: NODEJS_26_X` deploys this same bundle.
  expect(fn.runtime).toBe('nodejs24.x');
  const emulated = await startEmulatedFunction({
    name,
    tools,
    codeDir: fn.codeDir,
    handler: fn.handler,
    timeoutSeconds: fn.timeoutSeconds,
    memoryMiB: fn.memoryMiB,
    environment: {
      ...resolveEnvironment(fn.environment, localValue(fn, overrides)),
      // The SDK's own endpoint settings: SQS is ElasticMQ, the rest the local stand-ins.
      AWS_ENDPOINT_URL_SQS: stack.sqs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
    },
  });
  running.push(emulated);
  return emulated;
}

beforeAll(async () => {
  temporalPort = await freePort();
  const synth = cdkSynth(join(dir, 'cdk.out'), {
    temporalAddress: `127.0.0.1:${temporalPort}`,
    taskQueue,
    gatewayAuth: 'api-key',
    gatewayAuthSecretArn: API_KEY_SECRET_ARN,
    temporalDeadlineMs: '2000',
  });
  const [node, rie] = [await ensureNodeRuntime(NODE_MAJOR), await ensureLambdaRie()];
  tools = { node, nodeMajor: NODE_MAJOR, rie, ric: await ensureLambdaRic(NODE_MAJOR) };
  [stack, aws] = await Promise.all([
    startSqsStack({ visibilityTimeoutSeconds: 2, maxReceiveCount: 50 }),
    startLocalAws(localSecrets),
    startTemporal(),
    synth,
  ]);
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  workerConnection = await NativeConnection.connect({ address: temporal.address });
  // startStagedWorker only reads the connection and namespace of a test environment.
  worker = await startStagedWorker(
    { nativeConnection: workerConnection, namespace: 'default' } as unknown as TestWorkflowEnvironment,
    taskQueue,
  );
  functions = synthesizedFunctions(join(dir, 'cdk.out'));
  ingest = await start('event-gateway-http', byService('event-gateway-http'));
  queue = await start('event-gateway-sqs', byService('event-gateway-sqs'));
}, 600_000);

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  console.log(
    `INIT REPORT durations (ms) under the emulator, Node ${NODE_MAJOR}: ${JSON.stringify(initReport)}`,
  );
  await worker?.stop();
  await workerConnection?.close();
  await client?.connection.close();
  await temporal?.stop();
  await stack?.stop();
  await aws?.close();
  rmSync(dir, { recursive: true, force: true });
});

type HttpResult = APIGatewayProxyStructuredResultV2 & { json: Record<string, unknown> };

async function http(request: HttpRequest): Promise<HttpResult> {
  const result = await ingest.invoke<APIGatewayProxyStructuredResultV2>(httpApiEvent(request));
  const text =
    result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text ?? '{}') as Record<string, unknown>;
  } catch {
    // Not JSON: the assertions on status say what went wrong.
  }
  return { ...result, json };
}

const signal = (workflowId: string, body: string, headers: Record<string, string> = {}, base64 = false) =>
  http({
    method: 'POST',
    path: `/v1/workflows/${workflowId}/signals/advanceStage`,
    body,
    base64,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
  });

describe('the synthesized ingest function (API Gateway HTTP API payload v2, $default route)', () => {
  it('delivers a signal with a plain body and with a base64 body: 202, recorded once each', async () => {
    const id = uniqueName('staged-lambda');
    const plain = await signal(id, '{"stage":1}', { 'idempotency-key': `${id}-1` });
    expect(plain.statusCode).toBe(202);
    expect(plain.json).toMatchObject({
      status: 'delivered',
      workflowId: id,
      eventId: httpEventId(`${id}-1`),
    });
    const encoded = await signal(id, '{"stage":2}', { 'idempotency-key': `${id}-2` }, true);
    expect(encoded.statusCode).toBe(202);
    expect(await countSignals({ client }, id, 'advanceStage')).toBe(2);
    initReport.ingest = ingest.initDurationMs();
    expect(typeof initReport.ingest).toBe('number');
  });

  it('applies a redelivered request (same Idempotency-Key) once', async () => {
    const id = uniqueName('staged-lambda');
    for (let i = 0; i < 3; i++) {
      expect((await signal(id, '{"stage":1}', { 'idempotency-key': `${id}-same` })).statusCode).toBe(202);
    }
    expect(await countSignals({ client }, id, 'advanceStage')).toBe(1);
  });

  it('answers each client mistake with its 4xx problem document', async () => {
    const id = uniqueName('staged-lambda');
    // One at a time: a Lambda execution environment takes one invocation at a time.
    const cases: [string, () => Promise<HttpResult>, number][] = [
      ['malformed JSON', () => signal(id, '{"stage":'), 400],
      ['schema mismatch', () => signal(id, '{"stage":"two"}'), 400],
      ['no API key', () => signal(id, '{"stage":1}', { 'x-api-key': '' }), 401],
      ['wrong API key', () => signal(id, '{"stage":1}', { 'x-api-key': 'k_wrong' }), 401],
      ['undeclared target', () => signal('payments-1', '{"stage":1}'), 403],
      [
        'unknown endpoint',
        () => http({ method: 'GET', path: '/v2/nothing', headers: { 'x-api-key': KEY } }),
        404,
      ],
      [
        'workflow not found',
        () => http({ method: 'GET', path: `/v1/workflows/${id}`, headers: { 'x-api-key': KEY } }),
        404,
      ],
      [
        'wrong method',
        () =>
          http({
            method: 'DELETE',
            path: `/v1/workflows/${id}/signals/advanceStage`,
            headers: { 'x-api-key': KEY },
          }),
        405,
      ],
      ['body too large', () => signal(id, JSON.stringify({ stage: 1, pad: 'x'.repeat(300 * 1024) })), 413],
      ['not JSON', () => signal(id, 'stage=1', { 'content-type': 'text/plain' }), 415],
      [
        'no route for the event',
        () =>
          http({
            method: 'POST',
            path: '/v1/events',
            body: JSON.stringify({
              specversion: '1.0',
              id: 'e-1',
              source: '/x',
              type: 'com.example.unrouted',
            }),
            headers: { 'content-type': 'application/cloudevents+json', 'x-api-key': KEY },
          }),
        422,
      ],
    ];
    for (const [what, send, status] of cases) {
      const result = await send();
      expect({ what, status: result.statusCode }).toEqual({ what, status });
      expect(String(result.headers?.['content-type'])).toContain('application/problem+json');
      expect(result.json).toMatchObject({ status });
    }
  });

  it('redeems a callback URL signed with the key the stack created: delivered once, however often posted', async () => {
    const id = uniqueName('staged-lambda');
    expect((await signal(id, '{"stage":1}', { 'idempotency-key': `${id}-start` })).statusCode).toBe(202);
    const secret = Object.entries(localSecrets).find(([arn]) => arn.includes('CallbackSigningKey'))?.[1];
    if (!secret) throw new Error('the stack created no callback signing key');
    const minted = await createCallbackMinter({
      baseUrl: 'https://gateway.example',
      keys: parseCallbackSigningKeys(secret),
    }).mint({ workflowId: id, signal: 'advanceStage' });
    const redeem = () =>
      http({
        method: 'POST',
        path: new URL(minted.url).pathname,
        body: '{"stage":2}',
        headers: { 'content-type': 'application/json' },
      });
    // The bundle verifies the token with jose, loaded from its own chunk at this first callback.
    for (let i = 0; i < 2; i++) {
      const answer = await redeem();
      expect({ status: answer.statusCode, body: answer.json }).toMatchObject({
        status: 202,
        body: { status: 'delivered', workflowId: id, eventId: minted.id },
      });
    }
    expect(await countSignals({ client }, id, 'advanceStage')).toBe(2);
  });

  it('reads the API keys from Secrets Manager at cold start and logs with its service name and request id', async () => {
    // The right key is accepted only if the function read the secret; a refused one is logged.
    expect((await signal(uniqueName('staged-lambda'), '{"stage":1}')).statusCode).toBe(202);
    expect((await signal('staged-x', '{"stage":1}', { 'x-api-key': 'k_wrong' })).statusCode).toBe(401);
    expect(aws.secretReads).toContain(API_KEY_SECRET_ARN);
    // The callback signing key the stack creates is read at cold start too, by its ARN.
    expect(aws.secretReads.some((id) => id.includes('CallbackSigningKey'))).toBe(true);
    const logs = ingest.jsonLogs().filter((line) => line.level !== undefined);
    expect(logs.length).toBeGreaterThan(0);
    expect(
      logs.filter(
        (line) => line.service !== 'event-gateway-http' || typeof line.function_request_id !== 'string',
      ),
    ).toEqual([]);
    expect(ingest.lines.join('\n')).not.toContain(KEY);
  });
});

describe('the synthesized queue function (SQS event source, ReportBatchItemFailures)', () => {
  it('delivers good records, dead-letters poison ones with their attributes, fails none', async () => {
    const id = uniqueName('staged-lambda');
    const event = sqsEvent('event-gateway-events', [
      {
        messageId: 'good-1',
        body: JSON.stringify({
          workflowId: id,
          signal: 'advanceStage',
          payload: { stage: 1 },
          eventId: `${id}-q1`,
        }),
      },
      { messageId: 'poison-1', body: '{"workflowId": ' },
      {
        messageId: 'poison-2',
        body: JSON.stringify({
          workflowId: 'payments-2',
          signal: 'advanceStage',
          payload: {},
          eventId: 'ev-p2',
        }),
      },
    ]);
    // Redelivered: the same record twice is one signal.
    const first = await queue.invoke<SQSBatchResponse>(event);
    const again = await queue.invoke<SQSBatchResponse>({ Records: [event.Records[0]] });
    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(await countSignals({ client }, id, 'advanceStage')).toBe(1);
    const dead = await receiveAll(stack.client, stack.queues.eventsDlq.url, 2);
    const attrs = (m: (typeof dead)[number]) =>
      Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(
      dead.map(attrs).sort((a, b) => String(a.sourceMessageId).localeCompare(String(b.sourceMessageId))),
    ).toEqual([
      expect.objectContaining({
        [DLQ_ATTRIBUTES.errorType]: 'invalid-json',
        sourceMessageId: 'poison-1',
        eventId: 'poison-1',
      }),
      expect.objectContaining({
        [DLQ_ATTRIBUTES.errorType]: 'target-not-declared',
        sourceMessageId: 'poison-2',
        eventId: 'ev-p2',
      }),
    ]);
    initReport.queue = queue.initDurationMs();
    const logs = queue.jsonLogs().filter((line) => line.level !== undefined);
    expect(logs.length).toBeGreaterThan(0);
    expect(
      logs.filter(
        (line) => line.service !== 'event-gateway-sqs' || typeof line.function_request_id !== 'string',
      ),
    ).toEqual([]);
  });

  it('fails only the record whose DLQ write failed (partial batch), never dropping it', async () => {
    const dlqId = Object.entries(
      stackResources(join(dir, 'cdk.out'), byService('event-gateway-sqs').stack),
    ).find(([, r]) => r.Type === 'AWS::SQS::Queue' && String(r.Properties?.QueueName).endsWith('-dlq'))?.[0];
    expect(dlqId).toBeDefined();
    const broken = await start('event-gateway-sqs-broken-dlq', byService('event-gateway-sqs'), {
      [dlqId!]: `${stack.sqs.endpoint}/000000000000/no-such-queue`,
    });
    const id = uniqueName('staged-lambda');
    const response = await broken.invoke<SQSBatchResponse>(
      sqsEvent('event-gateway-events', [
        {
          messageId: 'ok-1',
          body: JSON.stringify({ workflowId: id, signal: 'advanceStage', payload: { stage: 1 } }),
        },
        { messageId: 'poison-3', body: 'not json' },
      ]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'poison-3' }]);
    expect(await countSignals({ client }, id, 'advanceStage')).toBe(1);
    await broken.stop();
  });
});

describe('a Temporal outage', () => {
  it('queues the signal (202 queued) and the queue function delivers it once Temporal is back', async () => {
    const id = uniqueName('staged-lambda');
    expect((await signal(id, '{"stage":1}', { 'idempotency-key': `${id}-warm` })).statusCode).toBe(202);
    await temporal.stop();
    const queued = await signal(id, '{"stage":2}', { 'idempotency-key': `${id}-outage` });
    expect(queued.statusCode).toBe(202);
    expect(queued.json).toMatchObject({ status: 'queued', eventId: httpEventId(`${id}-outage`) });
    await startTemporal();
    const [message] = await receiveAll(stack.client, stack.queues.events.url, 1);
    const response = await queue.invoke<SQSBatchResponse>(
      sqsEvent('event-gateway-events', [{ messageId: message!.MessageId!, body: message!.Body! }]),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(await countSignals({ client }, id, 'advanceStage')).toBe(2);
  });
});

describe('the synthesized backlog function and a hello-world function under the same emulator', () => {
  it('publishes the task-queue backlog on a scheduled event', async () => {
    const backlog = await start('event-gateway-backlog-metric', byService('event-gateway-backlog-metric'));
    const result = await backlog.invoke<{ backlog?: number; errorMessage?: string }>(
      scheduledEvent('backlog'),
    );
    expect(result).toEqual({ backlog: expect.any(Number) as number });
    expect(aws.metricCalls.join('')).toContain('TemporalTaskQueueBacklog');
    initReport.backlog = backlog.initDurationMs();
    await backlog.stop();
  });

  it('records the init duration of a bare function for comparison', async () => {
    // The smallest Node function: what the emulator and the runtime client alone cost at init.
    const codeDir = join(dir, 'hello');
    mkdirSync(codeDir);
    writeFileSync(
      join(codeDir, 'index.mjs'),
      'export const handler = async () => ({ hello: "world", node: process.version });\n',
    );
    const hello = await startEmulatedFunction({
      name: 'hello',
      tools,
      codeDir,
      handler: 'index.handler',
      environment: {},
    });
    running.push(hello);
    expect(await hello.invoke({})).toEqual({
      hello: 'world',
      node: expect.stringMatching(new RegExp(`^v${NODE_MAJOR}\\.`)) as string,
    });
    initReport.helloWorld = hello.initDurationMs();
    expect(Object.values(initReport).every((ms) => typeof ms === 'number')).toBe(true);
  });
});
