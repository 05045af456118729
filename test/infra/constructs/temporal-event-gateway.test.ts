/**
 * The L3 construct on its own, as a team's app uses it: `new Stack()`, a TemporalConnection, the
 * gateway with typed routing — templates, the routing file in the functions' code, props validation.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  GATEWAY_CHECKS_FILE_NAME,
  gatewayConfigFromText,
  readGatewayConfigFile,
} from '../../../functions/adapters/gateway-config-file';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { parseGatewayConfigJson } from '../../../functions/core/gateway-config';
import {
  applyNagPacks,
  TemporalConnection,
  TemporalEventGateway,
  type GatewayRouting,
  type TemporalEventGatewayProps,
} from '../../../infra/index';
import { functionEnvironment, logicalId, propsProblemsOf, roleStatements } from '../support/template';

const ORDER_ROUTING: GatewayRouting = {
  targets: [
    {
      name: 'order',
      workflowIdPattern: '^order-[0-9]{1,12}$',
      workflowType: 'orderWorkflow',
      taskQueue: 'orders',
      signals: {
        paymentReceived: {
          schema: z.object({ amount: z.number().positive(), currency: z.string().length(3) }),
        },
        shipmentDispatched: { schema: { type: 'object', properties: { carrier: { type: 'string' } } } },
      },
      queries: ['status'],
    },
  ],
  routes: [
    {
      name: 'payment',
      match: { type: 'com.example.payment.received' },
      workflowId: 'order-{data.orderId}',
      signal: 'paymentReceived',
      payload: { amount: 'data.amount', currency: 'data.currency' },
    },
  ],
};

function build(props: Partial<TemporalEventGatewayProps> = {}, nag = false) {
  // Asset metadata (on by default in the CDK CLI) says which staged directory is a function's code.
  const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Orders');
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    namespace: 'orders.a1b2c',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  const gateway = new TemporalEventGateway(stack, 'Gateway', { temporal, routing: ORDER_ROUTING, ...props });
  if (nag) applyNagPacks(app);
  const assembly = app.synth();
  return { app, stack, gateway, assembly, template: Template.fromStack(stack) };
}

/** The directory CDK staged a function's code in. */
function codeDir(built: ReturnType<typeof build>, functionId: string): string {
  const resource = (
    built.template.toJSON() as { Resources: Record<string, { Metadata?: Record<string, string> }> }
  ).Resources[functionId];
  const path = resource?.Metadata?.['aws:asset:path'];
  if (!path) throw new Error(`no asset path on ${functionId}`);
  return join(built.assembly.directory, path);
}

function propsProblems(props: Partial<TemporalEventGatewayProps>): readonly string[] {
  return propsProblemsOf(() => build(props));
}

describe('TemporalEventGateway', () => {
  it('delivers the routing as a file in both functions’ code, zod schemas as JSON Schema, never in the environment', () => {
    const built = build();
    const { gateway, stack, template } = built;
    for (const fn of [gateway.httpFunction!, ...gateway.queueFunctions]) {
      const id = logicalId(stack, fn.function);
      const env = functionEnvironment(template, id);
      expect(env[GATEWAY_ENV.configFile]).toBe('gateway-config.json');
      expect(env[GATEWAY_ENV.config]).toBeUndefined();
      const config = JSON.parse(readFileSync(join(codeDir(built, id), 'gateway-config.json'), 'utf8')) as {
        targets: Array<{ signals: Record<string, { schema: Record<string, unknown> }> }>;
      };
      expect(config.targets[0]?.signals.paymentReceived?.schema).toMatchObject({
        type: 'object',
        properties: { amount: { type: 'number', exclusiveMinimum: 0 }, currency: { type: 'string' } },
        required: ['amount', 'currency'],
      });
      expect(readFileSync(join(codeDir(built, id), 'index.mjs'), 'utf8')).toContain('handler');
    }
  });

  it('writes the routing validated, defaults filled in, and records its digest so a cold start does not validate it again', async () => {
    const built = build();
    for (const fn of [built.gateway.httpFunction!, ...built.gateway.queueFunctions]) {
      const id = logicalId(built.stack, fn.function);
      const text = readFileSync(join(codeDir(built, id), 'gateway-config.json'), 'utf8');
      const env = functionEnvironment(built.template, id);
      expect(env[GATEWAY_ENV.configSha256]).toBe(createHash('sha256').update(text).digest('hex'));
      expect(JSON.parse(text)).toMatchObject({
        targets: [{ name: 'order', updates: {}, startIfMissing: false, idReusePolicy: 'REJECT_DUPLICATE' }],
        sources: [],
      });
      // What the function does with the two at cold start: the synth's text compiles as it is.
      const functionEnv = { ...env, LAMBDA_TASK_ROOT: codeDir(built, id) };
      const loaded = readGatewayConfigFile(functionEnv);
      const warnings: string[] = [];
      const config = await gatewayConfigFromText(loaded!, functionEnv, (m) => warnings.push(m));
      expect(config.targets[0]?.matches('order-42')).toBe(true);
      // With the argument checks the synth generated beside it: nothing is built at cold start.
      expect(readFileSync(join(codeDir(built, id), GATEWAY_CHECKS_FILE_NAME), 'utf8')).toContain(
        'export const',
      );
      expect(warnings).toEqual([]);
    }
  });

  it('serves a routing far larger than Lambda’s 4 KB environment, loaded by the functions’ own loader', () => {
    const targets = Array.from({ length: 60 }, (_, i) => ({
      name: `target-${i}`,
      workflowIdPattern: `^tenant${i}-order-[0-9]{1,12}$`,
      workflowType: 'orderWorkflow',
      taskQueue: 'orders',
      signals: {
        paymentReceived: {
          schema: z.object({
            amount: z.number().positive(),
            currency: z.enum(['EUR', 'USD', 'GBP']),
            note: z.string().max(200),
          }),
        },
      },
    }));
    const built = build({ routing: { targets } });
    const id = logicalId(built.stack, built.gateway.httpFunction!.function);
    const dir = codeDir(built, id);
    const text = readFileSync(join(dir, 'gateway-config.json'), 'utf8');
    expect(Buffer.byteLength(text)).toBeGreaterThan(16 * 1024);
    const env = functionEnvironment(built.template, id);
    expect(Buffer.byteLength(JSON.stringify(env))).toBeLessThan(4096);
    // What the handler does at cold start: GATEWAY_CONFIG_FILE relative to its code directory.
    const loaded = readGatewayConfigFile({
      [GATEWAY_ENV.configFile]: 'gateway-config.json',
      LAMBDA_TASK_ROOT: dir,
    });
    const config = parseGatewayConfigJson(loaded!);
    expect(config.targets).toHaveLength(60);
    expect(config.targets[59]?.matches('tenant59-order-42')).toBe(true);
  });

  it('names every bad prop in one error, routing problems by their path', () => {
    const problems = propsProblems({
      name: 'Orders!',
      queueBatchSize: 11,
      temporalDeadline: Duration.seconds(60),
      ingestMode: 'queue',
      apiAuthorization: { kind: 'none' },
      routing: {
        targets: [
          { name: 'a', workflowIdPattern: '([', workflowType: 'w', taskQueue: 'q' },
          { name: 'a', workflowIdPattern: '^a-.+$', workflowType: 'w', taskQueue: 'q' },
        ],
        routes: [{ name: 'r', match: { type: 't' }, workflowId: 'x-{data.id}', signal: 's' }],
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: must be 1-30 lowercase letters/),
        expect.stringMatching(/^queueBatchSize: must be a whole number from 1 to 10/),
        expect.stringMatching(/^temporalDeadline \(ms\): must be a whole number from 100 to 25000/),
        expect.stringMatching(/^apiAuthorization: must be iam or jwt with ingestMode queue/),
        expect.stringMatching(/^routing\.targets\[0\]\.workflowIdPattern: invalid regular expression/),
        expect.stringMatching(/^routing\.targets: the name "a" is declared twice/),
      ]),
    );
  });

  it('refuses an API nobody authenticates unless allowed, and Lambda-side auth in queue mode', () => {
    expect(propsProblems({ gatewayAuth: 'none' })).toEqual([
      expect.stringMatching(/^gatewayAuth: .*allowUnauthenticatedApi/),
    ]);
    expect(propsProblems({ ingestMode: 'queue', gatewayAuth: 'github' })).toEqual([
      expect.stringMatching(/^gatewayAuth: .*use apiAuthorization$/),
    ]);
    expect(
      build({ gatewayAuth: 'none', allowUnauthenticatedApi: true }).gateway.gatewayAuthSecret,
    ).toBeUndefined();
  });

  it('gives the ingest function an extra secret by ARN with read access only to it', () => {
    const app = new App();
    const stack = new Stack(app, 'Orders');
    const temporal = new TemporalConnection(stack, 'Temporal', {
      address: 'temporal.internal:7233',
      taskQueue: 'orders',
    });
    const gateway = new TemporalEventGateway(stack, 'Gateway', { temporal, routing: ORDER_ROUTING });
    const secret = new secretsmanager.Secret(stack, 'StripeSecret');
    gateway.attachIngestSecret('GATEWAY_SOURCE_STRIPE_SECRET_ARN', secret);
    const template = Template.fromStack(stack);
    const http = gateway.httpFunction!;
    expect(
      functionEnvironment(template, logicalId(stack, http.function)).GATEWAY_SOURCE_STRIPE_SECRET_ARN,
    ).toEqual({
      Ref: logicalId(stack, secret),
    });
    expect(JSON.stringify(roleStatements(template, logicalId(stack, http.role)))).toContain(
      logicalId(stack, secret),
    );
    expect(
      JSON.stringify(roleStatements(template, logicalId(stack, gateway.queueFunctions[0]!.role))),
    ).not.toContain(logicalId(stack, secret));
  });

  it('passes cdk-nag (AWS Solutions and Serverless) on its own, in sync and queue mode', () => {
    expect(() => build({}, true)).not.toThrow();
    expect(() => build({ ingestMode: 'queue', fifo: true }, true)).not.toThrow();
  });
});
