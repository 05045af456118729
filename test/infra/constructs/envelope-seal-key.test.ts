/**
 * The gateway's envelope key in the synthesized template: a generated secret, its ARN (never its
 * value) in the environment of the gateway's functions and read access for them alone — no
 * producer, worker or other role — plus the alarm on forged envelopes; cdk-nag stays clean.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { applyNagPacks } from '../../../infra/nag';
import { TemporalConnection } from '../../../infra/constructs/temporal-connection';
import { TemporalEventGateway } from '../../../infra/constructs/temporal-event-gateway';
import type { TemporalEventGatewayProps } from '../../../infra/constructs/temporal-event-gateway';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { UNVERIFIED_ENVELOPE_METRIC } from '../../../functions/core/trust-metric-names';

const ROUTING: TemporalEventGatewayProps['routing'] = {
  targets: [
    {
      name: 'order',
      workflowIdPattern: '^order-[0-9]+$',
      workflowType: 'orderWorkflow',
      taskQueue: 'orders',
      signals: { paymentReceived: {} },
    },
  ],
};

function build(props: Partial<TemporalEventGatewayProps> = {}, nag = false) {
  const app = new App();
  const stack = new Stack(app, 'Orders');
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    namespace: 'orders.a1b2c',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  const gateway = new TemporalEventGateway(stack, 'Gateway', { temporal, routing: ROUTING, ...props });
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
  if (nag) applyNagPacks(app);
  app.synth();
  return { stack, gateway, producer, template: Template.fromStack(stack) };
}

/** The logical ids of the policies that may read `secretId`. */
function policiesReading(template: Template, secretId: string): string[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    {
      Properties: {
        PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] };
        Roles: unknown[];
      };
    }
  >;
  return Object.entries(policies)
    .filter(([, policy]) =>
      policy.Properties.PolicyDocument.Statement.some(
        (statement) =>
          JSON.stringify(statement.Resource) === JSON.stringify({ Ref: secretId }) &&
          JSON.stringify(statement.Action).includes('secretsmanager:GetSecretValue'),
      ),
    )
    .flatMap(([, policy]) => policy.Properties.Roles.map((role) => JSON.stringify(role)));
}

describe('the envelope key of TemporalEventGateway', () => {
  it.each([
    ['sync', {}],
    ['queue', { ingestMode: 'queue' as const, fifo: true }],
  ])('is a generated secret only the gateway functions read, by ARN (%s ingest)', (_, props) => {
    const { stack, gateway, producer, template } = build(props);
    const secretId = stack.getLogicalId(
      gateway.envelopeSealKey.node.findChild('Secret').node.defaultChild as never,
    );
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      Description: Match.stringLikeRegexp('envelope key'),
    });
    const functions = [...(gateway.httpFunction ? [gateway.httpFunction] : []), ...gateway.queueFunctions];
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const fnId = stack.getLogicalId(fn.function.node.defaultChild as never);
      const resources = (template.toJSON() as { Resources: Record<string, unknown> }).Resources;
      const resource = resources[fnId] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      };
      expect(resource.Properties.Environment.Variables[GATEWAY_ENV.envelopeKeySecretArn]).toEqual({
        Ref: secretId,
      });
      expect(resource.Properties.Environment.Variables[GATEWAY_ENV.envelopeKey]).toBeUndefined();
    }
    // Exactly the gateway functions' roles may read it: no producer, no worker, nothing else.
    const readers = policiesReading(template, secretId).sort();
    const roles = functions
      .map((fn) => JSON.stringify({ Ref: stack.getLogicalId(fn.role.node.defaultChild as never) }))
      .sort();
    expect(readers).toEqual(roles);
    const producerId = stack.getLogicalId(producer.node.defaultChild as never);
    expect(readers).not.toContain(JSON.stringify({ Ref: producerId }));
  });

  it('stays unreadable to a producer granted send on the events queue', () => {
    const app = new App();
    const stack = new Stack(app, 'Orders');
    const temporal = new TemporalConnection(stack, 'Temporal', {
      address: 'orders.a1b2c.tmprl.cloud:7233',
      namespace: 'orders.a1b2c',
      taskQueue: 'orders',
      auth: 'api-key',
    });
    const gateway = new TemporalEventGateway(stack, 'Gateway', { temporal, routing: ROUTING });
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    gateway.standardQueue.queue.grantSendMessages(producer);
    const template = Template.fromStack(stack);
    const secretId = stack.getLogicalId(
      gateway.envelopeSealKey.node.findChild('Secret').node.defaultChild as never,
    );
    const producerRef = JSON.stringify({ Ref: stack.getLogicalId(producer.node.defaultChild as never) });
    expect(policiesReading(template, secretId)).not.toContain(producerRef);
  });

  it('alarms on any forged envelope the queue functions dead-letter', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: UNVERIFIED_ENVELOPE_METRIC,
      Namespace: 'EventGateway',
      Dimensions: [{ Name: 'service', Value: 'event-gateway-sqs' }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmDescription: Match.stringLikeRegexp('unverified-envelope'),
    });
  });

  it('keeps cdk-nag clean in sync and queue mode', () => {
    expect(() => build({}, true)).not.toThrow();
    expect(() => build({ ingestMode: 'queue', fifo: true }, true)).not.toThrow();
  });
});
