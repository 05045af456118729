import { CALLBACK_ENV } from '../../../contract/callbacks';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../../functions/core/env-names';
import { QUEUE_INGEST_ATTRIBUTES } from '../../../infra/constructs/sqs-ingest-routes';
import { lazySynth, SECRET_ARN, type Synthesized } from '../support/synth';
import { DEPLOYMENT_VARIANTS, PARTIAL_ARN } from '../support/variants';
import {
  onlyResourceProperties,
  functionEnvironment,
  getAtt,
  logicalId,
  ref,
  resource,
  resourcesOfType,
  roleStatements,
} from '../support/template';

/** Every configuration shape the issue promises, each synthesized once for this file. */
const variants = Object.fromEntries(
  Object.entries(DEPLOYMENT_VARIANTS).map(([name, context]) => [name, lazySynth(context)]),
) as Record<keyof typeof DEPLOYMENT_VARIANTS, () => Synthesized>;

type VariantName = keyof typeof variants;

function variant(name: VariantName): Synthesized {
  return variants[name]();
}

describe.each(Object.keys(variants) as VariantName[])('the %s deployment', (name) => {
  it('synthesizes with no AWS account and no cdk-nag findings left unacknowledged', () => {
    const { app } = variant(name);
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(pack.validateScope(app).violations).toEqual([]);
    }
  });

  it('has a clean validation report (cdk-nag and CloudFormation validation)', () => {
    const { assembly } = variant(name);
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations?: unknown[] }>;
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
  });

  it('runs every function on Node.js 24 and ARM64', () => {
    const { gateway, worker } = variant(name);
    const functions = [gateway, worker].flatMap((template) =>
      resourcesOfType(template, 'AWS::Lambda::Function'),
    );
    expect(functions.length).toBeGreaterThan(1);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
  });
});

describe('Temporal credentials', () => {
  it('reads an imported API key secret by its ARN and grants exactly that secret', () => {
    const { gateway, stacks } = variant('api-key (imported secret), sync');
    const http = stacks.gateway.gateway.httpFunction;
    const consumer = stacks.gateway.gateway.queueFunctions[0];
    if (!http || !consumer) throw new Error('expected the ingest and queue functions');
    for (const fn of [http, consumer]) {
      expect(
        functionEnvironment(gateway, logicalId(stacks.gateway, fn.function))[TEMPORAL_ENV.apiKeySecretArn],
      ).toBe(SECRET_ARN('temporal-api-key'));
    }
    // One statement for both secrets it reads: the Temporal key and the envelope key.
    expect(roleStatements(gateway, logicalId(stacks.gateway, consumer.role))).toContainEqual({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Effect: 'Allow',
      Resource: expect.arrayContaining([SECRET_ARN('temporal-api-key')]) as unknown,
    });
    // Only the gateway auth secret, the callback signing key and the envelope key are created.
    gateway.resourceCountIs('AWS::SecretsManager::Secret', 3);
  });

  it('matches a secret given by partial ARN with the suffix wildcard, for functions and the worker', () => {
    const { gateway, worker, stacks } = variant('mtls (secret by partial ARN), sync');
    const consumer = stacks.gateway.gateway.queueFunctions[0];
    if (!consumer) throw new Error('no consumer');
    expect(roleStatements(gateway, logicalId(stacks.gateway, consumer.role))).toContainEqual({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Effect: 'Allow',
      Resource: expect.arrayContaining([`${PARTIAL_ARN}-??????`]) as unknown,
    });
    worker.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Secrets: Match.arrayWith([
            { Name: TEMPORAL_ENV.tlsClientCertData, ValueFrom: `${PARTIAL_ARN}:cert::` },
            { Name: TEMPORAL_ENV.tlsClientKeyData, ValueFrom: `${PARTIAL_ARN}:key::` },
          ]),
        }),
      ],
    });
  });

  it('connects without TLS or secrets to a self-hosted cluster with auth none', () => {
    const { gateway, worker, stacks } = variant('none (self-hosted, open API by choice), sync');
    const http = stacks.gateway.gateway.httpFunction;
    if (!http) throw new Error('no ingest function');
    const env = functionEnvironment(gateway, logicalId(stacks.gateway, http.function));
    expect(env).toMatchObject({
      [TEMPORAL_ENV.address]: 'temporal.internal:7233',
      [GATEWAY_ENV.auth]: 'none',
    });
    expect(env).not.toHaveProperty(TEMPORAL_ENV.tls);
    expect(env).not.toHaveProperty(TEMPORAL_ENV.apiKeySecretArn);
    expect(env).not.toHaveProperty(GATEWAY_ENV.authSecretArn);
    // No Temporal credentials: the callback signing key the worker mints with and the envelope key.
    gateway.resourceCountIs('AWS::SecretsManager::Secret', 2);
    const task = onlyResourceProperties<{ ContainerDefinitions: Array<Record<string, unknown>> }>(
      worker,
      'AWS::ECS::TaskDefinition',
    );
    expect((task.ContainerDefinitions[0]?.Secrets as Array<{ Name: string }>).map((s) => s.Name)).toEqual([
      CALLBACK_ENV.signingKeys,
    ]);
  });

  it('gives the ingest function the webhook secret by ARN for Lambda-side webhook verification', () => {
    const { gateway, stacks } = variant('github webhooks (secret imported), sync');
    const http = stacks.gateway.gateway.httpFunction;
    if (!http) throw new Error('no ingest function');
    expect(functionEnvironment(gateway, logicalId(stacks.gateway, http.function))).toMatchObject({
      [GATEWAY_ENV.auth]: 'github',
      [GATEWAY_ENV.authSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:github-webhook',
    });
  });
});

describe('queue ingest', () => {
  function integrations(synth: Synthesized) {
    return resourcesOfType(synth.gateway, 'AWS::ApiGatewayV2::Integration').map(
      ([, integration]) => integration.Properties ?? {},
    );
  }

  it('has no Lambda on the HTTP path: API Gateway sends to SQS itself', () => {
    const synth = variant('queue ingest with IAM');
    expect(synth.stacks.gateway.gateway.httpFunction).toBeUndefined();
    const all = integrations(synth);
    expect(all).toHaveLength(2);
    for (const integration of all) {
      expect(integration).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationSubtype: 'SQS-SendMessage',
      });
    }
    expect(resourcesOfType(synth.gateway, 'AWS::Lambda::Function')).toHaveLength(1); // the queue consumer
  });

  it('maps the signal route to body = request body and target = message attributes from the path', () => {
    const synth = variant('queue ingest with IAM');
    const queueId = logicalId(synth.stacks.gateway, synth.stacks.gateway.gateway.standardQueue.queue);
    const signal = integrations(synth).find((i) =>
      String((i.RequestParameters as Record<string, string>).MessageAttributes).includes(
        'request.path.signal',
      ),
    );
    expect(signal?.RequestParameters).toEqual({
      QueueUrl: ref(queueId),
      MessageBody: '$request.body',
      MessageAttributes: JSON.stringify({
        [QUEUE_INGEST_ATTRIBUTES.workflowId]: {
          DataType: 'String',
          StringValue: '${request.path.workflowId}',
        },
        [QUEUE_INGEST_ATTRIBUTES.signal]: { DataType: 'String', StringValue: '${request.path.signal}' },
        [QUEUE_INGEST_ATTRIBUTES.apiRequestId]: { DataType: 'String', StringValue: '${context.requestId}' },
      }),
    });
  });

  it('requires IAM on both routes', () => {
    const { gateway } = variant('queue ingest with IAM');
    for (const routeKey of ['POST /v1/workflows/{workflowId}/signals/{signal}', 'POST /v1/events']) {
      gateway.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'AWS_IAM',
      });
    }
    gateway.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
  });

  it('lets API Gateway only send messages to the ingest queue', () => {
    const synth = variant('queue ingest with IAM');
    const queueId = logicalId(synth.stacks.gateway, synth.stacks.gateway.gateway.standardQueue.queue);
    const roles = resourcesOfType(synth.gateway, 'AWS::IAM::Role').filter(([, role]) =>
      JSON.stringify(role.Properties?.AssumeRolePolicyDocument).includes('apigateway.amazonaws.com'),
    );
    expect(roles).toHaveLength(2);
    for (const [roleId] of roles) {
      expect(roleStatements(synth.gateway, roleId)).toEqual([
        { Sid: 'AllowSqsExecution', Action: 'sqs:SendMessage', Effect: 'Allow', Resource: getAtt(queueId) },
      ]);
    }
  });

  it('on FIFO, groups by workflow ID, deduplicates by request id and checks a JWT', () => {
    const synth = variant('queue ingest with JWT, FIFO');
    const fifo = synth.stacks.gateway.gateway.fifoQueue;
    if (!fifo) throw new Error('no FIFO queue');
    const signal = integrations(synth).find((i) =>
      String((i.RequestParameters as Record<string, string>).MessageAttributes).includes(
        'request.path.signal',
      ),
    );
    expect(signal?.RequestParameters).toMatchObject({
      QueueUrl: ref(logicalId(synth.stacks.gateway, fifo.queue)),
      MessageGroupId: '$request.path.workflowId',
      MessageDeduplicationId: '$context.requestId',
    });
    synth.gateway.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['event-gateway'] },
    });
    synth.gateway.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /v1/workflows/{workflowId}/signals/{signal}',
      AuthorizationType: 'JWT',
    });
  });
});

describe('FIFO', () => {
  it('adds a FIFO pair for per-workflow order, with explicit deduplication ids', () => {
    const { gateway, stacks } = variant('FIFO, sync');
    const fifo = stacks.gateway.gateway.fifoQueue;
    if (!fifo) throw new Error('no FIFO queue');
    expect(resource(gateway, logicalId(stacks.gateway, fifo.queue)).Properties).toMatchObject({
      QueueName: 'event-gateway-events.fifo',
      FifoQueue: true,
      ContentBasedDeduplication: false,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: getAtt(logicalId(stacks.gateway, fifo.deadLetterQueue)),
        maxReceiveCount: 5,
      },
    });
    expect(resource(gateway, logicalId(stacks.gateway, fifo.deadLetterQueue)).Properties).toMatchObject({
      QueueName: 'event-gateway-events-dlq.fifo',
      FifoQueue: true,
    });
  });

  it('makes the ingest function fall back to the FIFO queue', () => {
    const { gateway, stacks } = variant('FIFO, sync');
    const http = stacks.gateway.gateway.httpFunction;
    const fifo = stacks.gateway.gateway.fifoQueue;
    if (!http || !fifo) throw new Error('expected ingest function and FIFO queue');
    expect(
      functionEnvironment(gateway, logicalId(stacks.gateway, http.function))[GATEWAY_ENV.queueUrl],
    ).toEqual(ref(logicalId(stacks.gateway, fifo.queue)));
  });

  it('consumes each pair with its own function and DLQ, without a batching window on FIFO', () => {
    const { gateway, stacks } = variant('FIFO, sync');
    expect(stacks.gateway.gateway.queueFunctions).toHaveLength(2);
    const fifoConsumer = stacks.gateway.gateway.queueFunctions[1];
    const fifo = stacks.gateway.gateway.fifoQueue;
    if (!fifoConsumer || !fifo) throw new Error('expected the FIFO consumer');
    gateway.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(logicalId(stacks.gateway, fifo.queue)),
      FunctionName: ref(logicalId(stacks.gateway, fifoConsumer.function)),
      MaximumBatchingWindowInSeconds: Match.absent(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    expect(
      functionEnvironment(gateway, logicalId(stacks.gateway, fifoConsumer.function))[GATEWAY_ENV.dlqUrl],
    ).toEqual(ref(logicalId(stacks.gateway, fifo.deadLetterQueue)));
    // DLQ depth and oldest age per queue pair, errors and throttles per function, forged envelopes.
    gateway.resourceCountIs('AWS::CloudWatch::Alarm', 2 + 2 + 3 * 2 + 1);
  });
});

describe('network', () => {
  it('imports an existing VPC by attributes, without lookups, and creates none', () => {
    const { gateway, worker } = variant('imported VPC, functions in VPC');
    gateway.resourceCountIs('AWS::EC2::VPC', 0);
    worker.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
          AssignPublicIp: 'DISABLED',
        },
      },
    });
  });

  it('puts functions in the private subnets when asked, with only the ENI policy added', () => {
    const { gateway, stacks } = variant('imported VPC, functions in VPC');
    for (const fn of [stacks.gateway.gateway.httpFunction, ...stacks.gateway.gateway.queueFunctions]) {
      if (!fn) throw new Error('expected the ingest function');
      expect(resource(gateway, logicalId(stacks.gateway, fn.function)).Properties?.VpcConfig).toMatchObject({
        SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
      });
      expect(resource(gateway, logicalId(stacks.gateway, fn.role)).Properties?.ManagedPolicyArns).toEqual([
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
            ],
          ],
        },
      ]);
    }
  });

  it('creates a VPC with NAT and a rejected-traffic flow log by default', () => {
    const { gateway } = variant('api-key (imported secret), sync');
    gateway.resourceCountIs('AWS::EC2::VPC', 1);
    gateway.resourceCountIs('AWS::EC2::NatGateway', 1);
    gateway.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
  });
});

describe('worker scaling from zero', () => {
  it('starts a first task on any backlog when the minimum is zero', () => {
    const { worker } = variant('workers scale from zero');
    worker.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0 });
    worker.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 0 });
    const backlogAlarm = resourcesOfType(worker, 'AWS::CloudWatch::Alarm').find(([, alarm]) =>
      JSON.stringify(alarm.Properties).includes('TemporalTaskQueueBacklog'),
    );
    expect(backlogAlarm?.[1].Properties).toMatchObject({ Threshold: 1 });
  });
});

describe('Lambda bundling', () => {
  const bundled = lazySynth({}, { bundle: true });

  it('bundles each function with the local esbuild to minified ESM with a require shim and source maps', () => {
    const { assembly, gateway, worker } = bundled();
    const functions = [gateway, worker].flatMap((template) =>
      resourcesOfType(template, 'AWS::Lambda::Function'),
    );
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) {
      const key = (fn.Properties?.Code as { S3Key: string }).S3Key;
      const dir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __gatewayCreateRequire } from 'node:module';")).toBe(
        true,
      );
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      expect(existsSync(join(dir, 'index.js'))).toBe(false);
      // Minified: far fewer lines than bytes.
      expect(code.split('\n').length).toBeLessThan(code.length / 1000);
    }
  });

  it('produces bundles that load as ES modules, CommonJS dependencies included, and export handler', () => {
    const { assembly, gateway, worker } = bundled();
    for (const [, fn] of [gateway, worker].flatMap((template) =>
      resourcesOfType(template, 'AWS::Lambda::Function'),
    )) {
      const key = (fn.Properties?.Code as { S3Key: string }).S3Key;
      const entry = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
      // A separate process with an empty environment, like a fresh Lambda sandbox (minus AWS).
      const output = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(entry)}); console.log(typeof m.handler);`,
        ],
        { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      expect(output.trim()).toBe('function');
    }
  });
});
