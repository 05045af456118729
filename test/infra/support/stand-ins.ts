/** What the construct tests wire a construct to: a function with inline code, a Temporal Cloud connection. */
import type { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { TemporalConnection } from '../../../infra/index';

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
