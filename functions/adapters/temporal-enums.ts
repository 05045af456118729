/**
 * The Temporal API enum values the gateway sends or reads, as `as const` objects: the lean client
 * does not load `@temporalio/proto`, whose generated enums live inside the full API's reflection.
 * The drift test checks every value here against `@temporalio/proto`.
 */

export const WorkflowIdReusePolicy = {
  WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED: 0,
  WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE: 1,
  WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY: 2,
  WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE: 3,
  WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING: 4,
} as const;

export const WorkflowIdConflictPolicy = {
  WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED: 0,
  WORKFLOW_ID_CONFLICT_POLICY_FAIL: 1,
  WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING: 2,
  WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING: 3,
} as const;

export const UpdateWorkflowExecutionLifecycleStage = {
  UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED: 0,
  UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED: 1,
  UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED: 2,
  UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED: 3,
} as const;

export const TaskQueueKind = {
  TASK_QUEUE_KIND_UNSPECIFIED: 0,
  TASK_QUEUE_KIND_NORMAL: 1,
  TASK_QUEUE_KIND_STICKY: 2,
} as const;

export const TaskQueueType = {
  TASK_QUEUE_TYPE_UNSPECIFIED: 0,
  TASK_QUEUE_TYPE_WORKFLOW: 1,
  TASK_QUEUE_TYPE_ACTIVITY: 2,
} as const;

export const WorkflowExecutionStatus = {
  WORKFLOW_EXECUTION_STATUS_UNSPECIFIED: 0,
  WORKFLOW_EXECUTION_STATUS_RUNNING: 1,
  WORKFLOW_EXECUTION_STATUS_COMPLETED: 2,
  WORKFLOW_EXECUTION_STATUS_FAILED: 3,
  WORKFLOW_EXECUTION_STATUS_CANCELED: 4,
  WORKFLOW_EXECUTION_STATUS_TERMINATED: 5,
  WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW: 6,
  WORKFLOW_EXECUTION_STATUS_TIMED_OUT: 7,
  WORKFLOW_EXECUTION_STATUS_PAUSED: 8,
} as const;

/** A workflow status number → its name without the prefix (`RUNNING`, …); `UNSPECIFIED` if unknown. */
export function workflowStatusName(status: number | null | undefined): string {
  const entry = Object.entries(WorkflowExecutionStatus).find(([, value]) => value === (status ?? 0));
  return entry ? entry[0].slice('WORKFLOW_EXECUTION_STATUS_'.length) : 'UNSPECIFIED';
}
