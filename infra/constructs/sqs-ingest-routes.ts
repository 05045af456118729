import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpSqsIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_INGEST_ATTRIBUTES } from '../../functions/core/sqs-message';
import { grantQueueKey } from './event-queue';

// The SQS handler reads these attributes; they are defined once, in the handler's core.
export { QUEUE_INGEST_ATTRIBUTES };

export const QUEUE_INGEST_ROUTES = {
  signal: '/v1/workflows/{workflowId}/signals/{signal}',
  events: '/v1/events',
} as const;

export interface SqsIngestRoutesProps {
  /** The API the routes are added to (its default authorizer applies). */
  readonly httpApi: apigwv2.HttpApi;
  /** The queue API Gateway sends to; a FIFO queue gets message group and deduplication ids. */
  readonly queue: sqs.IQueue;
}

/** An SQS message attribute as API Gateway's SQS-SendMessage `MessageAttributes` expects it. */
function stringAttribute(value: string) {
  return { DataType: 'String', StringValue: value };
}

/**
 * Queue-mode ingest: API Gateway writes events straight to SQS (SQS-SendMessage service
 * integration), so no Lambda runs on the HTTP path.
 *
 * HTTP API request-parameter mapping can only place values, not build JSON from a body and path
 * parameters safely, so the message is: body = the request body unchanged, target = message
 * attributes. `POST /v1/workflows/{workflowId}/signals/{signal}` sends body = the signal's argument
 * with attributes `workflowId`, `signal`, `apiRequestId`; `POST /v1/events` sends body = the
 * request body (a structured-mode CloudEvent) with `apiRequestId`. On FIFO, the message group is
 * the workflow ID (the request id for CloudEvents, whose target is only known after routing) and
 * the deduplication id the API request id. Callers get API Gateway's 200 with SQS's response.
 */
export class SqsIngestRoutes extends Construct {
  readonly signalRoutes: apigwv2.HttpRoute[];
  readonly eventRoutes: apigwv2.HttpRoute[];

  constructor(scope: Construct, id: string, props: SqsIngestRoutesProps) {
    super(scope, id);
    const { queue } = props;
    const fifo = queue.fifo;

    const signalAttributes = JSON.stringify({
      [QUEUE_INGEST_ATTRIBUTES.workflowId]: stringAttribute('${request.path.workflowId}'),
      [QUEUE_INGEST_ATTRIBUTES.signal]: stringAttribute('${request.path.signal}'),
      [QUEUE_INGEST_ATTRIBUTES.apiRequestId]: stringAttribute('${context.requestId}'),
    });
    const signalMapping = new apigwv2.ParameterMapping()
      .custom('QueueUrl', queue.queueUrl)
      .custom('MessageBody', '$request.body')
      .custom('MessageAttributes', signalAttributes);
    if (fifo) {
      signalMapping
        .custom('MessageGroupId', '$request.path.workflowId')
        .custom('MessageDeduplicationId', '$context.requestId');
    }
    this.signalRoutes = props.httpApi.addRoutes({
      path: QUEUE_INGEST_ROUTES.signal,
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpSqsIntegration('SignalToQueue', { queue, parameterMapping: signalMapping }),
    });

    const eventMapping = new apigwv2.ParameterMapping()
      .custom('QueueUrl', queue.queueUrl)
      .custom('MessageBody', '$request.body')
      .custom(
        'MessageAttributes',
        JSON.stringify({ [QUEUE_INGEST_ATTRIBUTES.apiRequestId]: stringAttribute('${context.requestId}') }),
      );
    if (fifo) {
      eventMapping
        .custom('MessageGroupId', '$context.requestId')
        .custom('MessageDeduplicationId', '$context.requestId');
    }
    this.eventRoutes = props.httpApi.addRoutes({
      path: QUEUE_INGEST_ROUTES.events,
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpSqsIntegration('EventToQueue', { queue, parameterMapping: eventMapping }),
    });

    // The integration's role gets sqs:SendMessage only; a queue under a customer-managed key also
    // needs the key's data keys to encrypt the message.
    for (const route of [...this.signalRoutes, ...this.eventRoutes]) {
      for (const role of route.node.findAll().filter((child) => child instanceof iam.Role)) {
        grantQueueKey(queue, role, 'send');
      }
    }
  }
}
