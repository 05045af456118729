/** The order app: one stack with the event gateway and the order worker, on Temporal Cloud. */
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  applyNagPacks,
  GatewayNetwork,
  TemporalConnection,
  TemporalEventGateway,
  TemporalWorkerService,
} from 'temporal-event-gateway';
import { ORDER_TASK_QUEUE } from '../worker/workflows/order-contract';
import { orderRouting } from './routing';

const app = new App();
const stack = new Stack(app, 'OrderFulfilment');

const temporal = new TemporalConnection(stack, 'Temporal', {
  address: app.node.tryGetContext('temporalAddress') ?? 'orders.a1b2c.tmprl.cloud:7233',
  namespace: app.node.tryGetContext('temporalNamespace') ?? 'orders.a1b2c',
  taskQueue: ORDER_TASK_QUEUE,
  auth: 'api-key',
});

const gateway = new TemporalEventGateway(stack, 'Gateway', {
  name: 'orders',
  temporal,
  routing: orderRouting,
});

// Private subnets with NAT (the worker reaches Temporal Cloud) and a rejected-traffic flow log.
const network = new GatewayNetwork(stack, 'Network');
const worker = new TemporalWorkerService(stack, 'Worker', {
  vpc: network.vpc,
  vpcSubnets: network.workloadSubnets,
  temporal,
  image: ecs.ContainerImage.fromAsset(fileURLToPath(new URL('..', import.meta.url)), {
    file: 'worker/Dockerfile',
    platform: Platform.LINUX_ARM64,
    exclude: ['node_modules', 'cdk.out', 'dist'],
  }),
});

// The worker mints the warehouse's callback URLs with the gateway's signing key, under its URL.
gateway.grantCallbackMinting(worker);

applyNagPacks(app);
