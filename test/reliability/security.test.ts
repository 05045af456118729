/**
 * Security checks on the real stack: undeclared targets never reach Temporal; a replayed webhook is
 * recorded once; credentials and payloads never reach the logs (Powertools Logger, exactly as the
 * Lambda functions configure it, captured at the process's stdout/stderr); and the ingest and queue
 * functions' IAM statements grant only what their code calls, on their own resources.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayRuntime } from '../../functions/runtime/gateway-runtime';
import { createDeadLetters } from '../../functions/adapters/sqs-dead-letters';
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../functions/core/env-names';
import { createSqsBatchHandler } from '../../functions/handlers/sqs-batch';
import { startGatewayServer, type GatewayServer } from '../../local/gateway-server';
import { toSqsEvent } from '../../local/sqs-event';
import { BAD_INPUT_SECRETS, authEnv, standardWebhookHeaders } from '../fixtures/bad-input/deployments';
import { logicalId, roleStatements } from '../infra/support/template';
import { lazySynth } from '../infra/support/synth';
import { freePort } from '../support/free-port';
import { startSqsStack, type SqsStack } from '../support/sqs-stack';
import { countSignals, uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { writeSection } from './support/results';
import { consumeExactly, drainQueue } from './support/sqs';

let env: TestWorkflowEnvironment;
let stack: SqsStack;
const taskQueue = uniqueName('security');
const section = {
  undeclaredRequests: 0,
  undeclaredReachedTemporal: 0,
  replaysRecorded: 0,
  logLines: 0,
  leaks: 0,
  iamStatements: 0,
};
const findings: string[] = [];

/** A schema-less target that starts workflows: any payload gets all the way to Temporal and back. */
const SECURITY_CONFIG = {
  ...DEFAULT_GATEWAY_CONFIG,
  targets: [
    ...DEFAULT_GATEWAY_CONFIG.targets.map((target) => ({ ...target, taskQueue })),
    {
      name: 'secure',
      workflowIdPattern: '^sec-[A-Za-z0-9-]{1,64}$',
      workflowType: 'stagedWorkflow',
      taskQueue,
      signals: { anything: { schema: {} } },
      startIfMissing: true,
    },
  ],
};

beforeAll(async () => {
  [env, stack] = await Promise.all([sharedTemporal(), startSqsStack({ visibilityTimeoutSeconds: 30 })]);
});

afterAll(async () => {
  await stack?.stop();
  await stopSharedTemporal();
});

function baseEnv(temporalAddress: string): Record<string, string> {
  return {
    [TEMPORAL_ENV.address]: temporalAddress,
    [GATEWAY_ENV.config]: JSON.stringify(SECURITY_CONFIG),
    [GATEWAY_ENV.temporalDeadlineMs]: '10000',
    [GATEWAY_ENV.sqsEndpoint]: stack.sqs.endpoint,
    AWS_REGION: stack.sqs.region,
  };
}

const post = (server: GatewayServer, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('undeclared targets', () => {
  it('are refused with 403 on every route, and Temporal never hears of them', async () => {
    const server = await startGatewayServer({
      logger: new Logger({ logLevel: 'SILENT' }),
      env: baseEnv(env.address),
    });
    try {
      const ids = ['payments-1', 'STAGED-1', 'staged-', 'sec-', 'admin', 'xstaged-1'];
      for (const id of ids) {
        const answers = await Promise.all([
          post(server, `/v1/workflows/${id}/signals/advanceStage`, '{"stage":1}'),
          post(server, `/v1/workflows/${id}/updates/setStage`, '{"stage":1}'),
          fetch(`${server.url}/v1/workflows/${id}`),
          fetch(`${server.url}/v1/workflows/${id}/queries/progress`),
        ]);
        section.undeclaredRequests += answers.length;
        expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403]);
        const exists = await env.client.workflow
          .getHandle(id)
          .describe()
          .then(
            () => true,
            () => false,
          );
        if (exists) section.undeclaredReachedTemporal += 1;
        expect(exists).toBe(false);
      }
    } finally {
      await server.close();
    }
  }, 300_000);
});

describe('a replayed webhook', () => {
  it('is accepted again inside the tolerance but recorded once (the webhook id is the event id)', async () => {
    const server = await startGatewayServer({
      logger: new Logger({ logLevel: 'SILENT' }),
      env: { ...baseEnv(env.address), ...authEnv('standard-webhooks') },
    });
    try {
      const key = uniqueName('replay');
      const workflowId = `staged-${key}`;
      // A CloudEvent names its workflow in the signed body; a signal path would not be signed.
      const body = JSON.stringify({
        specversion: '1.0',
        id: `ce-${key}`,
        source: '/security',
        type: 'com.example.stage.advanced',
        data: { workflowKey: key, stage: 1 },
      });
      const headers = {
        ...standardWebhookHeaders(body, `msg_${key}`, Math.floor(Date.now() / 1000)),
        'content-type': 'application/cloudevents+json',
      };
      // A different Idempotency-Key on the copy: an unsigned header must not beat the signed id.
      const first = await post(server, '/v1/events', body, { ...headers, 'idempotency-key': 'a' });
      const replay = await post(server, '/v1/events', body, { ...headers, 'idempotency-key': 'b' });
      // Replayed to a path-addressed endpoint, the same signature is refused: it does not cover the path.
      const elsewhere = await post(
        server,
        `/v1/workflows/${uniqueName('staged-other')}/signals/advanceStage`,
        body,
        headers,
      );
      expect([first.status, replay.status, elsewhere.status]).toEqual([202, 202, 401]);
      section.replaysRecorded = await countSignals(env, workflowId, 'advanceStage');
      expect(section.replaysRecorded).toBe(1);
    } finally {
      await server.close();
    }
  });
});

/** Captures everything written to stdout and stderr (Powertools Logger writes JSON lines there). */
async function capturingOutput<T>(run: () => Promise<T>): Promise<{ result: T; text: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  for (const stream of streams) {
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    };
  }
  try {
    return { result: await run(), text: chunks.join('') };
  } finally {
    streams.forEach((stream, index) => (stream.write = originals[index]!));
  }
}

describe('the logs', () => {
  it('never contain credentials or payloads, on the HTTP and the SQS path, delivered, refused, queued or failed', async () => {
    // Markers: an API key, the webhook secret and signatures, and a 2 KB payload (only a slice of
    // it is grepped for, so a truncated copy in a log line would still be caught).
    const payloadMarker = `PAYLOAD-${'x7Q'.repeat(700)}`;
    const payloadNeedle = payloadMarker.slice(0, 40);
    const wrongKey = 'WRONG-KEY-MARKER-0123456789abcdef';
    const secrets: string[] = [
      BAD_INPUT_SECRETS.apiKey,
      wrongKey,
      BAD_INPUT_SECRETS.standardWebhooks,
      BAD_INPUT_SECRETS.standardWebhooks.slice('whsec_'.length),
    ];
    const closedPort = await freePort();
    // Nothing listens there: Temporal is "down". A short deadline keeps each attempt brief.
    const downEnv = () => ({
      ...baseEnv(`127.0.0.1:${closedPort}`),
      [GATEWAY_ENV.temporalDeadlineMs]: '2000',
    });
    const { text } = await capturingOutput(async () => {
      const logger = new Logger({ serviceName: 'event-gateway-http', logLevel: 'DEBUG' });
      const apiKey = await startGatewayServer({
        logger,
        env: { ...baseEnv(env.address), ...authEnv('api-key') },
      });
      const webhooks = await startGatewayServer({
        logger,
        env: { ...baseEnv(env.address), ...authEnv('standard-webhooks') },
      });
      // Temporal down, the SQS fallback up: the event is queued (and that is logged).
      const queued = await startGatewayServer({
        logger,
        env: { ...downEnv(), ...authEnv('api-key'), [GATEWAY_ENV.queueUrl]: stack.queues.events.url },
      });
      // Temporal down and the fallback queue missing: the event is refused with 503 (and that is logged).
      const neither = await startGatewayServer({
        logger,
        env: {
          ...downEnv(),
          ...authEnv('api-key'),
          [GATEWAY_ENV.queueUrl]: `${stack.sqs.endpoint}/000000000000/no-such-queue`,
        },
      });
      try {
        const key = { 'x-api-key': BAD_INPUT_SECRETS.apiKey };
        const payload = JSON.stringify({ note: payloadMarker });
        const statuses = [
          (await post(apiKey, `/v1/workflows/${uniqueName('sec')}/signals/anything`, payload, key)).status,
          (
            await post(apiKey, `/v1/workflows/${uniqueName('sec')}/signals/anything`, payload, {
              'x-api-key': wrongKey,
            })
          ).status,
          (
            await post(apiKey, `/v1/workflows/${uniqueName('sec')}/signals/anything`, payload, {
              authorization: `Bearer ${wrongKey}`,
            })
          ).status,
          (
            await post(
              apiKey,
              `/v1/workflows/${uniqueName('staged')}/signals/advanceStage`,
              `{"stage":"${payloadMarker}"}`,
              key,
            )
          ).status,
          (
            await post(
              apiKey,
              `/v1/workflows/${uniqueName('staged')}/signals/advanceStage`,
              `{"stage":${payloadMarker}`,
              key,
            )
          ).status,
          (
            await post(
              apiKey,
              `/v1/workflows/payments-${payloadNeedle.slice(0, 20)}/signals/anything`,
              payload,
              key,
            )
          ).status,
          (await post(queued, `/v1/workflows/${uniqueName('sec')}/signals/anything`, payload, key)).status,
          (await post(neither, `/v1/workflows/${uniqueName('sec')}/signals/anything`, payload, key)).status,
        ];
        const event = JSON.stringify({
          specversion: '1.0',
          id: 'ce-security-1',
          source: '/security',
          type: 'com.example.stage.advanced',
          data: { workflowKey: uniqueName('sec'), stage: 1, note: payloadMarker },
        });
        const ce = { 'content-type': 'application/cloudevents+json' };
        const signed = {
          ...standardWebhookHeaders(event, 'msg_security_1', Math.floor(Date.now() / 1000)),
          ...ce,
        };
        const forged = standardWebhookHeaders(
          event,
          'msg_security_2',
          Math.floor(Date.now() / 1000),
          `whsec_${Buffer.from('forged-secret-of-32-bytes-long!!').toString('base64')}`,
        );
        secrets.push(signed['webhook-signature'].split(',')[1]!, forged['webhook-signature'].split(',')[1]!);
        statuses.push(
          (await post(webhooks, '/v1/events', event, signed)).status,
          (await post(webhooks, '/v1/events', event, { ...forged, ...ce })).status,
        );
        expect(statuses).toEqual([202, 401, 401, 400, 400, 403, 202, 503, 202, 401]);

        // The queue function: delivered, dead-lettered (bad JSON, bad schema) and transiently failed.
        // First off the queue: the event the fallback queued above, so each batch below is its own.
        expect(await drainQueue(stack.client, stack.queues.events.url)).toHaveLength(1);
        const queueLogger = new Logger({ serviceName: 'event-gateway-queue', logLevel: 'DEBUG' });
        for (const [address, bodies] of [
          [
            env.address,
            [
              JSON.stringify({
                workflowId: uniqueName('sec'),
                signal: 'anything',
                payload: { note: payloadMarker },
              }),
              `{"workflowId":"${payloadMarker}`,
              JSON.stringify({
                workflowId: uniqueName('staged'),
                signal: 'advanceStage',
                payload: { stage: payloadMarker },
              }),
            ],
          ],
          [
            undefined,
            [
              JSON.stringify({
                workflowId: uniqueName('sec'),
                signal: 'anything',
                payload: { note: payloadMarker },
              }),
            ],
          ],
        ] as const) {
          const runtime = await createGatewayRuntime(address ? baseEnv(address) : downEnv(), queueLogger);
          const handler = createSqsBatchHandler({
            ...runtime,
            deadLetters: createDeadLetters(stack.client, { standard: stack.queues.eventsDlq.url }),
          });
          for (const body of bodies)
            await stack.client.send(
              new SendMessageCommand({ QueueUrl: stack.queues.events.url, MessageBody: body }),
            );
          await consumeExactly(stack.client, stack.queues.events.url, bodies.length, async (batch) => {
            await handler(toSqsEvent(batch, { queueArn: stack.queues.events.arn }));
          });
          await runtime.clients.close();
        }
      } finally {
        await Promise.all([apiKey, webhooks, queued, neither].map((server) => server.close()));
      }
    });

    const lines = text.split('\n').filter((line) => line.trim().startsWith('{'));
    section.logLines = lines.length;
    // The capture saw the interesting paths, so "no leak" is not an empty claim.
    for (const message of [
      'request not authenticated',
      'signal queued after a transient failure',
      'fallback queue refused the event',
      'message sent to the DLQ',
      'records left for redelivery',
    ]) {
      expect(text, `the logs should mention "${message}"`).toContain(message);
    }
    const leaks = [...secrets, payloadNeedle].filter((secret) => text.includes(secret));
    section.leaks = leaks.length;
    expect(leaks.map((secret) => `${secret.slice(0, 12)}…`)).toEqual([]);
  }, 300_000);
});

describe("the functions' IAM statements", () => {
  // The configuration most deployments use: Temporal Cloud with an API key, API-key auth on ingest.
  const synth = lazySynth({
    temporalAddress: 'ns.acct.tmprl.cloud:7233',
    temporalNamespace: 'ns.acct',
    temporalAuth: 'api-key',
  });

  /** (action, resource) pairs, resources as JSON so CloudFormation references compare exactly. */
  function grants(template: ReturnType<typeof synth>['gateway'], roleId: string) {
    const pairs: { action: string; resource: string; effect: string }[] = [];
    for (const statement of roleStatements(template, roleId) as Array<Record<string, unknown>>) {
      const actions = ([] as unknown[]).concat(statement.Action ?? []);
      const resources = ([] as unknown[]).concat(statement.Resource ?? []);
      for (const action of actions)
        for (const resource of resources)
          pairs.push({
            action: String(action),
            resource: JSON.stringify(resource),
            effect: String(statement.Effect),
          });
    }
    return pairs;
  }

  const ref = (id: string) => JSON.stringify({ Ref: id });
  const arn = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });

  /**
   * What the code calls, per resource, plus the read-only companions CDK's grant* helpers add
   * (grantSendMessages: GetQueueAttributes/GetQueueUrl; grantRead on a secret: DescribeSecret).
   * The project's convention is grant* over hand-written policies, so those companions are allowed
   * here and named in the report; anything beyond them fails.
   */
  const GRANT_COMPANIONS = new Set([
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'secretsmanager:DescribeSecret',
  ]);

  it('let the ingest function send to its own queue and read its own secrets, and nothing more', () => {
    const { gateway, stacks } = synth();
    const http = stacks.gateway.gateway.httpFunction!;
    const queue = logicalId(stacks.gateway, stacks.gateway.gateway.ingestQueue.queue);
    // The Temporal API key, the gateway's auth secret, the callback signing key it verifies with and
    // the envelope key it seals queued webhooks and signals with.
    const secretIds = [
      stacks.gateway.temporal.apiKeySecret,
      stacks.gateway.gateway.gatewayAuthSecret,
      stacks.gateway.gateway.callbackSigningKey?.secret,
      stacks.gateway.gateway.envelopeSealKey.secret,
    ].map((secret) => ref(logicalId(stacks.gateway, secret!)));
    const logGroup = arn(logicalId(stacks.gateway, http.logGroup));
    const pairs = grants(gateway, logicalId(stacks.gateway, http.role));
    section.iamStatements += pairs.length;

    const needed = [
      { action: 'sqs:SendMessage', resource: arn(queue) },
      ...secretIds.map((resource) => ({ action: 'secretsmanager:GetSecretValue', resource })),
    ];
    for (const need of needed) expect(pairs).toContainEqual({ ...need, effect: 'Allow' });
    const beyond = pairs.filter(({ action, resource, effect }) => {
      if (effect !== 'Allow') return false;
      if (action.startsWith('logs:'))
        return !['logs:CreateLogStream', 'logs:PutLogEvents'].includes(action) || resource !== logGroup;
      // X-Ray's write actions support no resource-level permissions: '*' is the only form.
      if (action.startsWith('xray:'))
        return !['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].includes(action) || resource !== '"*"';
      if (action === 'sqs:SendMessage' || (GRANT_COMPANIONS.has(action) && action.startsWith('sqs:')))
        return resource !== arn(queue);
      if (action === 'secretsmanager:GetSecretValue' || action === 'secretsmanager:DescribeSecret')
        return !secretIds.includes(resource);
      return true;
    });
    expect(beyond).toEqual([]);
    const companions = [
      ...new Set(pairs.filter((pair) => GRANT_COMPANIONS.has(pair.action)).map((pair) => pair.action)),
    ];
    if (companions.length > 0) {
      findings.push(
        `The ingest function's role also holds ${companions.sort().join(', ')} (read-only companions CDK's grant* helpers add); the code calls only sqs:SendMessage and secretsmanager:GetSecretValue.`,
      );
    }
  }, 300_000);

  it('let the queue function consume its own queue, write its own DLQ and read the Temporal and envelope secrets, and nothing more', () => {
    const { gateway, stacks } = synth();
    const consumer = stacks.gateway.gateway.queueFunctions[0]!;
    const queue = arn(logicalId(stacks.gateway, stacks.gateway.gateway.standardQueue.queue));
    const dlq = arn(logicalId(stacks.gateway, stacks.gateway.gateway.standardQueue.deadLetterQueue));
    const secret = ref(logicalId(stacks.gateway, stacks.gateway.temporal.apiKeySecret!));
    // The envelope key: the queue function checks the seal of gateway-made messages with it.
    const envelopeKey = ref(logicalId(stacks.gateway, stacks.gateway.gateway.envelopeSealKey.secret));
    const logGroup = arn(logicalId(stacks.gateway, consumer.logGroup));
    const pairs = grants(gateway, logicalId(stacks.gateway, consumer.role));
    section.iamStatements += pairs.length;
    const allowed: Record<string, readonly string[]> = {
      // The event source mapping (Lambda's poller, under the function's role) receives and deletes.
      [queue]: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ],
      [dlq]: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      [secret]: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      [envelopeKey]: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      [logGroup]: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      '"*"': ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    };
    for (const need of [
      { action: 'sqs:ReceiveMessage', resource: queue },
      { action: 'sqs:DeleteMessage', resource: queue },
      { action: 'sqs:SendMessage', resource: dlq },
      { action: 'secretsmanager:GetSecretValue', resource: secret },
      { action: 'secretsmanager:GetSecretValue', resource: envelopeKey },
    ]) {
      expect(pairs).toContainEqual({ ...need, effect: 'Allow' });
    }
    expect(pairs.filter(({ action, resource }) => !(allowed[resource] ?? []).includes(action))).toEqual([]);
  });
});

afterAll(() => {
  writeSection({
    name: 'security',
    title: 'Security checks',
    summary: [
      `${section.undeclaredRequests} requests to undeclared workflow IDs (signal, update, describe, query): all 403, ${section.undeclaredReachedTemporal} reached Temporal.`,
      `A Standard Webhooks request replayed within its tolerance was answered 202 twice and recorded ${section.replaysRecorded} time(s); replayed to a path-addressed endpoint it was refused (401).`,
      `${section.logLines} Powertools log lines captured across HTTP (delivered, 400, 401, 403, queued, 503) and SQS (delivered, dead-lettered, transient) paths at DEBUG: ${section.leaks} contained an API key, webhook secret, signature or payload.`,
      `${section.iamStatements} (action, resource) grants checked on the ingest and queue functions' roles: every one on the function's own queue, DLQ, secrets or log group (X-Ray: '*'), nothing beyond.`,
      ...findings,
    ],
    figures: { ...section },
    details: { findings },
  });
});
