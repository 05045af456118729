/** The order app: one stack with the event gateway and the order worker, on Temporal Cloud. */
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import {
  applyNagPacks,
  GatewayNetwork,
  TemporalConnection,
  TemporalEventGateway,
  TemporalWorkerImage,
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
  // The worker entry bundled at synth (esbuild, workflows prebundled, Dockerfile generated); the
  // image is built at deploy time for the service's ARM64 tasks.
  image: TemporalWorkerImage.fromEntry({
    entry: fileURLToPath(new URL('../worker/main.ts', import.meta.url)),
    workflowsPath: fileURLToPath(new URL('../worker/workflows/index.ts', import.meta.url)),
    // This app, not the repository around it, whose lock file is further up.
    projectRoot: fileURLToPath(new URL('..', import.meta.url)),
  }),
});

// The worker mints the warehouse's callback URLs with the gateway's signing key, under its URL.
gateway.grantCallbackMinting(worker);

applyNagPacks(app);
