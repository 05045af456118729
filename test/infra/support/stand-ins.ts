/** What the construct tests wire a construct to: a function with inline code, a Temporal Cloud connection. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  applyNagPacks,
  TemporalConnection,
  TemporalEventGateway,
  type TemporalEventGatewayProps,
} from '../../../infra/index';

/** A Node.js function with inline code: a consumer, an integration or an alarm's subject. */
export function inlineFunction(stack: Stack, id = 'Fn'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] })'),
  });
}

/** The `orders` namespace on Temporal Cloud, authenticated with an API key it creates a secret for. */
export function cloudTemporal(stack: Stack): TemporalConnection {
  return new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    namespace: 'orders.a1b2c',
    taskQueue: 'orders',
    auth: 'api-key',
  });
}

/** The smallest routing a gateway accepts: one `order` target, no operations. */
export const ONE_TARGET_ROUTING = {
  targets: [
    {
      name: 'order',
      workflowIdPattern: '^order-[0-9]+$',
      workflowType: 'orderWorkflow',
      taskQueue: 'orders',
    },
  ],
};

/**
 * A gateway with {@link ONE_TARGET_ROUTING} alone in the `Orders` stack, cdk-nag registered (synth
 * throws on a finding), synthesized; `props` may add to the stack first (e.g. a secret to pass).
 */
export function synthOneTargetGateway(
  props: Partial<TemporalEventGatewayProps> | ((stack: Stack) => Partial<TemporalEventGatewayProps>) = {},
) {
  const app = new App();
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const gateway = new TemporalEventGateway(stack, 'Gateway', {
    temporal: cloudTemporal(stack),
    routing: ONE_TARGET_ROUTING,
    ...(typeof props === 'function' ? props(stack) : props),
  });
  applyNagPacks(app);
  const assembly = app.synth();
  return { stack, gateway, assembly, template: Template.fromStack(stack) };
}
