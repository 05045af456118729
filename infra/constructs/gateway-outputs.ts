/**
 * The gateway's stack outputs: where to send events, where failed ones land, and which secrets the
 * operator fills in after the first deploy.
 */
import { CfnOutput } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { GatewayAuthMode, IngestMode } from '../props/gateway-props';
import type { GatewayHttpApi } from './gateway-http-api';
import type { GatewayQueuePair } from './gateway-queues';
import type { TemporalConnection } from './temporal-connection';

/** What the outputs name. */
export interface GatewayOutputsOf {
  readonly api: GatewayHttpApi;
  readonly ingestMode: IngestMode;
  readonly standardQueue: GatewayQueuePair;
  readonly fifoQueue?: GatewayQueuePair;
  readonly temporal: TemporalConnection;
  readonly gatewayAuth: GatewayAuthMode;
  readonly gatewayAuthSecret?: secretsmanager.ISecret;
}

/** Adds the API URL, the queue URLs and the secrets to fill in as outputs of `scope`. */
export function addGatewayOutputs(scope: Construct, of: GatewayOutputsOf): void {
  new CfnOutput(scope, 'ApiUrl', {
    value: of.api.url,
    description: `Base URL of the event gateway API (${of.ingestMode} ingest)`,
  });
  new CfnOutput(scope, 'QueueUrl', { value: of.standardQueue.queue.queueUrl, description: 'Event queue' });
  new CfnOutput(scope, 'DeadLetterQueueUrl', {
    value: of.standardQueue.deadLetterQueue.queueUrl,
    description: 'Dead-letter queue of the event queue',
  });
  if (of.fifoQueue) {
    new CfnOutput(scope, 'FifoQueueUrl', {
      value: of.fifoQueue.queue.queueUrl,
      description: 'FIFO event queue',
    });
    new CfnOutput(scope, 'FifoDeadLetterQueueUrl', {
      value: of.fifoQueue.deadLetterQueue.queueUrl,
      description: 'Dead-letter queue of the FIFO event queue',
    });
  }
  if (of.temporal.apiKeySecret) {
    new CfnOutput(scope, 'TemporalApiKeySecretArn', {
      value: of.temporal.apiKeySecret.secretArn,
      description: 'Put the Temporal API key here (plain string)',
    });
  }
  if (of.temporal.mtlsSecret) {
    new CfnOutput(scope, 'TemporalMtlsSecretArn', {
      value: of.temporal.mtlsSecret.secretArn,
      description: 'Put {"cert": PEM, "key": PEM} here',
    });
  }
  if (of.gatewayAuthSecret) {
    new CfnOutput(scope, 'GatewayAuthSecretArn', {
      value: of.gatewayAuthSecret.secretArn,
      description: `Secret of gatewayAuth=${of.gatewayAuth}`,
    });
  }
}
