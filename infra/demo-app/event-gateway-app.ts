import type { App } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { AppSettings } from './settings';
import { applyNagPacks } from '../index';
import { EventGatewayStack } from './stacks/event-gateway-stack';
import { deploymentNames } from './stacks/names';
import { WorkerStack } from './stacks/worker-stack';

export interface EventGatewayStacks {
  gateway: EventGatewayStack;
  worker: WorkerStack;
}

export interface BuildOptions {
  /** @default - the staged demo's image, built from worker/Dockerfile at deploy time */
  workerImage?: ecs.ContainerImage;
  /** @default true */
  nag?: boolean;
}

/**
 * Adds both stacks for one deployment to an app, with cdk-nag checks. Used by infra/demo-app/main.ts and the
 * tests, so what is tested is what `cdk deploy` builds.
 */
export function buildEventGatewayApp(
  app: App,
  settings: AppSettings,
  options: BuildOptions = {},
): EventGatewayStacks {
  const names = deploymentNames(settings.prefix ?? 'event-gateway');
  const gateway = new EventGatewayStack(app, names.gatewayStack, { settings });
  const worker = new WorkerStack(app, names.workerStack, {
    settings,
    vpc: gateway.network.vpc,
    vpcSubnets: gateway.network.workloadSubnets,
    temporal: gateway.temporal,
    image: options.workerImage,
    gateway: gateway.gateway,
    encryptionKey: gateway.encryptionKey,
  });
  worker.addStackDependency(gateway, 'the worker uses the network and Temporal secrets of the gateway stack');
  if (options.nag ?? true) applyNagPacks(app);
  return { gateway, worker };
}
