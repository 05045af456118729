/** The order worker: the harness does connection, prebundled workflows, drain on SIGTERM, exit codes. */
import { locateWorkflows, runWorker } from 'temporal-event-gateway/worker';
import { createActivities } from './activities';
import { ORDER_TASK_QUEUE } from './workflows/order-contract';

const code = await runWorker({
  ...locateWorkflows(import.meta.url, './workflows/index.ts'),
  activities: createActivities(),
  defaultTaskQueue: ORDER_TASK_QUEUE,
});
process.exit(code);
