/**
 * A team's stack with the gateway in it (cdk-nag registered, as `applyNagPacks` does in an app), and
 * what the gateway's functions acknowledged: shared by the runtime tests of GatewayFunction.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  applyNagPacks,
  TemporalConnection,
  TemporalEventGateway,
  type GatewayFunction,
  type TemporalEventGatewayProps,
} from '../../../infra/index';
import { logicalId, resource } from '../support/template';

/** Builds and synthesizes; `app.synth()` throws when cdk-nag reports a finding nobody acknowledged. */
export function synthGatewayWithNag(props: Partial<TemporalEventGatewayProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Orders');
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    namespace: 'orders.a1b2c',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  const gateway = new TemporalEventGateway(stack, 'Gateway', {
    temporal,
    routing: {
      targets: [
        {
          name: 'order',
          workflowIdPattern: '^order-[0-9]{1,12}$',
          workflowType: 'orderWorkflow',
          taskQueue: 'orders',
          signals: { paymentReceived: { schema: { type: 'object' } } },
        },
      ],
    },
    fifo: true,
    ...props,
  });
  applyNagPacks(app);
  app.synth();
  const template = Template.fromStack(stack);
  const functions: GatewayFunction[] = [gateway.httpFunction!, ...gateway.queueFunctions];
  return {
    functions,
    /** The `Runtime` of each of the gateway's functions in the template. */
    runtimes: functions.map(
      (fn) => resource(template, logicalId(stack, fn.function)).Properties?.Runtime as string,
    ),
  };
}

/** Rule id → reason of every cdk-nag acknowledgement recorded on a function (`Validations.acknowledge`). */
export function acknowledgementsOn(fn: GatewayFunction): Record<string, string> {
  const acknowledged: Record<string, string> = {};
  for (const entry of fn.function.node.metadata) {
    if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
    for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
      acknowledged[key.replace(/^Annotation::/, '')] = reason;
    }
  }
  return acknowledged;
}
