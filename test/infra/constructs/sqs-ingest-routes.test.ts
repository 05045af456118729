import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EventQueue, GatewayHttpApi, QUEUE_INGEST_ROUTES, SqsIngestRoutes } from '../../../infra/index';
import { logicalId, resourcesOfType } from '../support/template';

function build(fifo: boolean) {
  const stack = new Stack();
  const api = new GatewayHttpApi(stack, 'Api', { authorization: { kind: 'iam' } });
  const events = new EventQueue(stack, 'Events', { fifo });
  const routes = new SqsIngestRoutes(stack, 'QueueIngest', { httpApi: api.httpApi, queue: events.queue });
  return { stack, events, routes, template: Template.fromStack(stack) };
}

describe('SqsIngestRoutes', () => {
  it('adds the signal and CloudEvent routes as SQS-SendMessage integrations under the API authorizer', () => {
    const { template, routes } = build(false);
    for (const path of Object.values(QUEUE_INGEST_ROUTES)) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `POST ${path}`,
        AuthorizationType: 'AWS_IAM',
      });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 2);
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationSubtype: 'SQS-SendMessage',
      RequestParameters: Match.objectLike({ MessageBody: '$request.body' }),
    });
    expect(routes.signalRoutes).toHaveLength(1);
    expect(routes.eventRoutes).toHaveLength(1);
  });

  it("puts the path's workflow id and signal in message attributes, and no group ids on a standard queue", () => {
    const { template } = build(false);
    const params = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(
      ([, integration]) => integration.Properties?.RequestParameters as Record<string, unknown>,
    );
    const signal = params.find((p) => String(p.MessageAttributes).includes('workflowId'));
    expect(String(signal?.MessageAttributes)).toContain('${request.path.signal}');
    for (const p of params) expect(p.MessageGroupId).toBeUndefined();
  });

  it('lets API Gateway send to that one queue only, through a role of its own', () => {
    const { stack, events, template } = build(false);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': [logicalId(stack, events.queue), 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('groups FIFO messages by workflow id and deduplicates by the API request id', () => {
    const { template } = build(true);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      RequestParameters: Match.objectLike({
        MessageGroupId: '$request.path.workflowId',
        MessageDeduplicationId: '$context.requestId',
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      RequestParameters: Match.objectLike({
        MessageGroupId: '$context.requestId',
        MessageDeduplicationId: '$context.requestId',
      }),
    });
  });
});
