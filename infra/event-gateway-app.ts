import type { App } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { GatewayConfig } from './config';
import { applyNagPacks } from './nag';
import { EventGatewayStack } from './stacks/event-gateway-stack';
import { deploymentNames } from './stacks/names';
import { WorkerStack } from './stacks/worker-stack';

export interface EventGatewayStacks {
  gateway: EventGatewayStack;
  worker: WorkerStack;
}

export interface BuildOptions {
  /** @default - the worker image is built from worker/Dockerfile at deploy time */
  workerImage?: ecs.ContainerImage;
  /** @default true */
  nag?: boolean;
}

/**
 * Adds both stacks for one deployment to an app, with cdk-nag checks. Used by infra/app.ts and the
 * tests, so what is tested is what `cdk deploy` builds.
 */
export function buildEventGatewayApp(
  app: App,
  config: GatewayConfig,
  options: BuildOptions = {},
): EventGatewayStacks {
  const names = deploymentNames(config.prefix);
  const gateway = new EventGatewayStack(app, names.gatewayStack, { config });
  const worker = new WorkerStack(app, names.workerStack, {
    config,
    vpc: gateway.network.vpc,
    vpcSubnets: gateway.network.workloadSubnets,
    temporal: gateway.temporal,
    image: options.workerImage,
  });
  worker.addStackDependency(gateway, 'the worker uses the network and Temporal secrets of the gateway stack');
  if (options.nag ?? true) applyNagPacks(app);
  return { gateway, worker };
}
