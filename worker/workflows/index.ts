// The worker registers every function exported here as a workflow type: export workflows only.
export { stagedWorkflow } from './staged-workflow';
export { handshakeWorkflow } from './handshake-workflow';
