// Every function exported here is registered as a workflow type.
export { orderWorkflow } from './order-workflow';
