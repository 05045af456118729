/**
 * What the lean Temporal client speaks: the WorkflowService RPCs the gateway's Lambdas call and,
 * per message, the fields they write or read. The descriptor in `descriptor.json` is pruned from
 * `@temporalio/proto`'s own descriptor by exactly this list (`npm run generate:temporal-wire`), and
 * the drift test regenerates it on every run, so a Temporal upgrade that moves a field fails a test
 * instead of silently changing what goes on the wire.
 *
 * A message listed here keeps only the listed fields (a response decodes the rest as unknown fields,
 * which protobuf skips; a request cannot set a pruned field: the request types below omit them). A
 * message reached but not listed keeps every field.
 */

export const WORKFLOW_SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';

/** RPC name (as in the service definition) → the client method name. */
export const WIRE_METHODS = {
  SignalWorkflowExecution: 'signalWorkflowExecution',
  SignalWithStartWorkflowExecution: 'signalWithStartWorkflowExecution',
  StartWorkflowExecution: 'startWorkflowExecution',
  GetWorkflowExecutionHistory: 'getWorkflowExecutionHistory',
  UpdateWorkflowExecution: 'updateWorkflowExecution',
  PollWorkflowExecutionUpdate: 'pollWorkflowExecutionUpdate',
  ExecuteMultiOperation: 'executeMultiOperation',
  QueryWorkflow: 'queryWorkflow',
  DescribeWorkflowExecution: 'describeWorkflowExecution',
  DescribeNamespace: 'describeNamespace',
  DescribeTaskQueue: 'describeTaskQueue',
  RespondActivityTaskCompleted: 'respondActivityTaskCompleted',
  RespondActivityTaskFailed: 'respondActivityTaskFailed',
} as const;

export type WireMethod = keyof typeof WIRE_METHODS;

const WS = 'temporal.api.workflowservice.v1';

/** Full message name → the fields kept (protobufjs camelCase names). */
export const WIRE_FIELDS = {
  // Requests: the fields the gateway sets (the Temporal header included: the event id travels in it).
  [`${WS}.SignalWorkflowExecutionRequest`]: [
    'namespace',
    'workflowExecution',
    'signalName',
    'input',
    'identity',
    'requestId',
    'header',
  ],
  [`${WS}.SignalWithStartWorkflowExecutionRequest`]: [
    'namespace',
    'workflowId',
    'workflowType',
    'taskQueue',
    'input',
    'identity',
    'requestId',
    'workflowIdReusePolicy',
    'workflowIdConflictPolicy',
    'signalName',
    'signalInput',
    'header',
  ],
  [`${WS}.StartWorkflowExecutionRequest`]: [
    'namespace',
    'workflowId',
    'workflowType',
    'taskQueue',
    'input',
    'identity',
    'requestId',
    'workflowIdReusePolicy',
    'workflowIdConflictPolicy',
    'header',
  ],
  [`${WS}.UpdateWorkflowExecutionRequest`]: ['namespace', 'workflowExecution', 'waitPolicy', 'request'],
  'temporal.api.update.v1.Request': ['meta', 'input'],
  [`${WS}.QueryWorkflowRequest`]: ['namespace', 'execution', 'query'],
  [`${WS}.GetWorkflowExecutionHistoryRequest`]: [
    'namespace',
    'execution',
    'maximumPageSize',
    'nextPageToken',
  ],
  [`${WS}.DescribeNamespaceRequest`]: ['namespace'],
  [`${WS}.DescribeTaskQueueRequest`]: ['namespace', 'taskQueue', 'taskQueueType', 'reportStats'],
  [`${WS}.RespondActivityTaskCompletedRequest`]: ['namespace', 'taskToken', 'result', 'identity'],
  [`${WS}.RespondActivityTaskFailedRequest`]: ['namespace', 'taskToken', 'failure', 'identity'],
  'temporal.api.failure.v1.ApplicationFailureInfo': ['type', 'nonRetryable'],
  'temporal.api.common.v1.Payload': ['metadata', 'data'],
  // Responses: the fields the gateway reads.
  [`${WS}.SignalWorkflowExecutionResponse`]: [],
  [`${WS}.SignalWithStartWorkflowExecutionResponse`]: ['runId', 'started'],
  [`${WS}.StartWorkflowExecutionResponse`]: ['runId', 'started', 'status'],
  // Read to tell whether a closed run already applied an event (safe retries after close): the
  // event-id headers of its start, signals and accepted updates.
  [`${WS}.GetWorkflowExecutionHistoryResponse`]: ['history', 'nextPageToken'],
  'temporal.api.history.v1.HistoryEvent': [
    'eventId',
    'workflowExecutionStartedEventAttributes',
    'workflowExecutionSignaledEventAttributes',
    'workflowExecutionUpdateAcceptedEventAttributes',
  ],
  'temporal.api.history.v1.WorkflowExecutionStartedEventAttributes': ['header'],
  'temporal.api.history.v1.WorkflowExecutionSignaledEventAttributes': ['signalName', 'header'],
  'temporal.api.history.v1.WorkflowExecutionUpdateAcceptedEventAttributes': ['acceptedRequest'],
  [`${WS}.UpdateWorkflowExecutionResponse`]: ['updateRef', 'outcome', 'stage'],
  [`${WS}.PollWorkflowExecutionUpdateResponse`]: ['outcome', 'stage', 'updateRef'],
  // Written when a partner fails an activity; read for an update's rejection reason (the message).
  'temporal.api.failure.v1.Failure': ['message', 'source', 'applicationFailureInfo'],
  [`${WS}.RespondActivityTaskCompletedResponse`]: [],
  [`${WS}.RespondActivityTaskFailedResponse`]: [],
  [`${WS}.QueryWorkflowResponse`]: ['queryResult'],
  [`${WS}.DescribeWorkflowExecutionResponse`]: ['workflowExecutionInfo'],
  'temporal.api.workflow.v1.WorkflowExecutionInfo': [
    'execution',
    'type',
    'startTime',
    'closeTime',
    'status',
    'historyLength',
    'taskQueue',
  ],
  [`${WS}.DescribeNamespaceResponse`]: [],
  [`${WS}.DescribeTaskQueueResponse`]: ['stats'],
  'temporal.api.taskqueue.v1.TaskQueueStats': ['approximateBacklogCount'],
} as const satisfies Record<string, readonly string[]>;
