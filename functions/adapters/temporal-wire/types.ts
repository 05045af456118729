/**
 * The request and response shapes of the lean client: `@temporalio/proto`'s own interfaces (types
 * only: nothing of that package is loaded) cut to the fields in `schema.ts`, so setting a field the
 * pruned descriptor cannot encode is a type error, not silently dropped bytes.
 */
import type { google, temporal } from '@temporalio/proto';
import type { WIRE_FIELDS } from './schema';

type Fields = typeof WIRE_FIELDS;
/** T cut to the fields kept for message N. */
type Kept<T, N extends keyof Fields> = Pick<T, Extract<keyof T, Fields[N][number]>>;
type Nullable<T> = T | null | undefined;

type Ws<K extends string> = `temporal.api.workflowservice.v1.${K}`;

export type WirePayload = Kept<temporal.api.common.v1.IPayload, 'temporal.api.common.v1.Payload'>;
export interface WirePayloads {
  payloads?: Nullable<WirePayload[]>;
}
/** A Temporal header: `fields` by key, each value a payload. */
export interface WireHeader {
  fields?: Nullable<Record<string, WirePayload>>;
}
export type WireExecution = temporal.api.common.v1.IWorkflowExecution;

/** Payload-carrying fields replaced by the pruned payload shapes. */
type WithPayloads<T, K extends keyof T> = Omit<T, K> & { [P in K]?: Nullable<WirePayloads> };
type WithHeader<T> = Omit<T, 'header'> & { header?: Nullable<WireHeader> };

export type SignalWorkflowExecutionRequest = WithHeader<
  WithPayloads<
    Kept<
      temporal.api.workflowservice.v1.ISignalWorkflowExecutionRequest,
      Ws<'SignalWorkflowExecutionRequest'>
    >,
    'input'
  >
>;
export type SignalWithStartWorkflowExecutionRequest = WithHeader<
  WithPayloads<
    Kept<
      temporal.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest,
      Ws<'SignalWithStartWorkflowExecutionRequest'>
    >,
    'input' | 'signalInput'
  >
>;
export type StartWorkflowExecutionRequest = WithHeader<
  WithPayloads<
    Kept<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest, Ws<'StartWorkflowExecutionRequest'>>,
    'input'
  >
>;
export interface UpdateRequest {
  meta?: Nullable<temporal.api.update.v1.IMeta>;
  input?: Nullable<{ header?: Nullable<WireHeader>; name?: Nullable<string>; args?: Nullable<WirePayloads> }>;
}
export type UpdateWorkflowExecutionRequest = Omit<
  Kept<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionRequest, Ws<'UpdateWorkflowExecutionRequest'>>,
  'request'
> & { request?: Nullable<UpdateRequest> };
export interface ExecuteMultiOperationRequest {
  namespace?: Nullable<string>;
  operations?: Nullable<
    {
      startWorkflow?: Nullable<StartWorkflowExecutionRequest>;
      updateWorkflow?: Nullable<UpdateWorkflowExecutionRequest>;
    }[]
  >;
}
export type PollWorkflowExecutionUpdateRequest =
  temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateRequest;
export interface QueryWorkflowRequest {
  namespace?: Nullable<string>;
  execution?: Nullable<WireExecution>;
  query?: Nullable<{
    queryType?: Nullable<string>;
    queryArgs?: Nullable<WirePayloads>;
    header?: Nullable<WireHeader>;
  }>;
}
export type DescribeWorkflowExecutionRequest =
  temporal.api.workflowservice.v1.IDescribeWorkflowExecutionRequest;
export type DescribeNamespaceRequest = Kept<
  temporal.api.workflowservice.v1.IDescribeNamespaceRequest,
  Ws<'DescribeNamespaceRequest'>
>;
export type DescribeTaskQueueRequest = Kept<
  temporal.api.workflowservice.v1.IDescribeTaskQueueRequest,
  Ws<'DescribeTaskQueueRequest'>
>;

/** A failure: written when a partner fails an activity, read (its message) when an update is rejected. */
export interface WireFailure {
  message?: Nullable<string>;
  source?: Nullable<string>;
  applicationFailureInfo?: Nullable<{ type?: Nullable<string>; nonRetryable?: Nullable<boolean> }>;
}
export interface RespondActivityTaskCompletedRequest {
  namespace?: Nullable<string>;
  taskToken?: Nullable<Uint8Array>;
  result?: Nullable<WirePayloads>;
  identity?: Nullable<string>;
}
export interface RespondActivityTaskFailedRequest {
  namespace?: Nullable<string>;
  taskToken?: Nullable<Uint8Array>;
  failure?: Nullable<WireFailure>;
  identity?: Nullable<string>;
}
export interface UpdateOutcome {
  success?: Nullable<WirePayloads>;
  failure?: Nullable<WireFailure>;
}
export interface UpdateWorkflowExecutionResponse {
  updateRef?: Nullable<temporal.api.update.v1.IUpdateRef>;
  outcome?: Nullable<UpdateOutcome>;
  stage?: Nullable<temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage>;
}
export type PollWorkflowExecutionUpdateResponse = UpdateWorkflowExecutionResponse;
export interface SignalWithStartWorkflowExecutionResponse {
  runId?: Nullable<string>;
  started?: Nullable<boolean>;
}
export interface ExecuteMultiOperationResponse {
  responses?: Nullable<
    {
      startWorkflow?: Nullable<StartWorkflowExecutionResponse>;
      updateWorkflow?: Nullable<UpdateWorkflowExecutionResponse>;
    }[]
  >;
}
export interface StartWorkflowExecutionResponse {
  runId?: Nullable<string>;
  started?: Nullable<boolean>;
  status?: Nullable<temporal.api.enums.v1.WorkflowExecutionStatus>;
}
export interface GetWorkflowExecutionHistoryRequest {
  namespace?: Nullable<string>;
  execution?: Nullable<WireExecution>;
  maximumPageSize?: Nullable<number>;
  nextPageToken?: Nullable<Uint8Array>;
}
/** The parts of a history event the gateway reads: the event-id headers of what the run applied. */
export interface WireHistoryEvent {
  eventId?: Nullable<WireInt64>;
  workflowExecutionStartedEventAttributes?: Nullable<{ header?: Nullable<WireHeader> }>;
  workflowExecutionSignaledEventAttributes?: Nullable<{
    signalName?: Nullable<string>;
    header?: Nullable<WireHeader>;
  }>;
  workflowExecutionUpdateAcceptedEventAttributes?: Nullable<{ acceptedRequest?: Nullable<UpdateRequest> }>;
}
export interface GetWorkflowExecutionHistoryResponse {
  history?: Nullable<{ events?: Nullable<WireHistoryEvent[]> }>;
  nextPageToken?: Nullable<Uint8Array>;
}
export interface QueryWorkflowResponse {
  queryResult?: Nullable<WirePayloads>;
}
/** int64 fields decode to a number, or to a Long where the `long` package is loadable. */
export type WireInt64 = number | { toNumber(): number };
export interface DescribeWorkflowExecutionResponse {
  workflowExecutionInfo?: Nullable<{
    execution?: Nullable<WireExecution>;
    type?: Nullable<{ name?: Nullable<string> }>;
    startTime?: Nullable<google.protobuf.ITimestamp>;
    closeTime?: Nullable<google.protobuf.ITimestamp>;
    status?: Nullable<temporal.api.enums.v1.WorkflowExecutionStatus>;
    historyLength?: Nullable<WireInt64>;
    taskQueue?: Nullable<string>;
  }>;
}
export interface DescribeTaskQueueResponse {
  stats?: Nullable<{ approximateBacklogCount?: Nullable<WireInt64> }>;
}
export type EmptyResponse = Record<string, never>;

/** Each RPC's request and response, by client method name. */
export interface WireRpcs {
  signalWorkflowExecution: [SignalWorkflowExecutionRequest, EmptyResponse];
  signalWithStartWorkflowExecution: [
    SignalWithStartWorkflowExecutionRequest,
    SignalWithStartWorkflowExecutionResponse,
  ];
  startWorkflowExecution: [StartWorkflowExecutionRequest, StartWorkflowExecutionResponse];
  getWorkflowExecutionHistory: [GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse];
  updateWorkflowExecution: [UpdateWorkflowExecutionRequest, UpdateWorkflowExecutionResponse];
  pollWorkflowExecutionUpdate: [PollWorkflowExecutionUpdateRequest, PollWorkflowExecutionUpdateResponse];
  executeMultiOperation: [ExecuteMultiOperationRequest, ExecuteMultiOperationResponse];
  queryWorkflow: [QueryWorkflowRequest, QueryWorkflowResponse];
  describeWorkflowExecution: [DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse];
  describeNamespace: [DescribeNamespaceRequest, EmptyResponse];
  describeTaskQueue: [DescribeTaskQueueRequest, DescribeTaskQueueResponse];
  respondActivityTaskCompleted: [RespondActivityTaskCompletedRequest, EmptyResponse];
  respondActivityTaskFailed: [RespondActivityTaskFailedRequest, EmptyResponse];
}
