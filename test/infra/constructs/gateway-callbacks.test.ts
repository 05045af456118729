/**
 * Callback URLs in the L3 construct: the ingest function verifies with the signing key (by ARN),
 * a worker granted minting gets the key as an ECS secret and the API's URL; queue ingest has none.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { CALLBACK_ENV } from '../../../contract/callbacks';
import {
  TemporalConnection,
  TemporalEventGateway,
  TemporalWorkerService,
  type TemporalEventGatewayProps,
} from '../../../infra/index';
import { functionEnvironment, logicalId } from '../support/template';

const ROUTING = {
  targets: [
    {
      name: 'order',
      workflowIdPattern: '^order-[0-9]{1,12}$',
      workflowType: 'orderWorkflow',
      taskQueue: 'orders',
      signals: { shipmentDispatched: {} },
    },
  ],
};

function build(props: Partial<TemporalEventGatewayProps> = {}) {
  const stack = new Stack();
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'temporal.internal:7233',
    namespace: 'default',
    taskQueue: 'orders',
    auth: 'none',
  });
  const gateway = new TemporalEventGateway(stack, 'Gateway', { temporal, routing: ROUTING, ...props });
  const worker = new TemporalWorkerService(stack, 'Worker', {
    vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }),
    temporal,
    image: ecs.ContainerImage.fromRegistry('registry.example.com/orders-worker:1.0.0'),
  });
  return { stack, gateway, worker };
}

describe('TemporalEventGateway callbacks', () => {
  it('verifies with a generated key by ARN and lets a worker mint with it as an ECS secret', () => {
    const { stack, gateway, worker } = build();
    gateway.grantCallbackMinting(worker);
    const template = Template.fromStack(stack);
    const secretId = logicalId(stack, gateway.callbackSigningKey!.secret);
    const env = functionEnvironment(template, logicalId(stack, gateway.httpFunction!.function));
    expect(env[CALLBACK_ENV.signingKeysSecretArn]).toEqual({ Ref: secretId });
    expect(env[CALLBACK_ENV.signingKeys]).toBeUndefined();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Secrets: Match.arrayWith([{ Name: CALLBACK_ENV.signingKeys, ValueFrom: { Ref: secretId } }]),
          Environment: Match.arrayWith([
            Match.objectLike({
              Name: CALLBACK_ENV.baseUrl,
              Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
            }),
          ]),
        }),
      ],
    });
    // The queue consumers never redeem callbacks: they get no key.
    for (const fn of gateway.queueFunctions) {
      expect(
        functionEnvironment(template, logicalId(stack, fn.function))[CALLBACK_ENV.signingKeysSecretArn],
      ).toBeUndefined();
    }
  });

  it('uses a key the team brings, and none at all when callbacks are off or ingest is queued', () => {
    const brought = build({
      existingCallbackSigningKeySecret: secretsmanager.Secret.fromSecretNameV2(
        new Stack(),
        'K',
        'team/callback-keys',
      ),
    });
    expect(brought.gateway.callbackSigningKey?.secret.secretName).toBe('team/callback-keys');

    const off = build({ callbacks: false });
    expect(off.gateway.callbackSigningKey).toBeUndefined();
    expect(() => off.gateway.grantCallbackMinting(off.worker)).toThrow(/callbacks are off/);

    const queued = build({ ingestMode: 'queue' });
    expect(queued.gateway.callbackSigningKey).toBeUndefined();
    // Only the envelope key the queue function checks seals with; no callback key.
    Template.fromStack(queued.stack).resourceCountIs('AWS::SecretsManager::Secret', 1);
  });
});
