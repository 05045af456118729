/**
 * Temporal API enums. @temporalio/proto is a CommonJS module whose exports Node's ESM loader cannot
 * name statically, so it is imported whole here and nowhere else.
 */
import protos from '@temporalio/proto';

export const {
  WorkflowIdReusePolicy,
  WorkflowIdConflictPolicy,
  WorkflowExecutionStatus,
  UpdateWorkflowExecutionLifecycleStage,
} = protos.temporal.api.enums.v1;
