/**
 * SQS queue Lambda (event source mapping with ReportBatchItemFailures). Dependencies are built
 * during the init phase, once per execution environment.
 */
import { GATEWAY_ENV } from '../core/env-names';
import { createDeliveryRuntime } from '../runtime/delivery-runtime';
import { lazySqsClient } from '../adapters/sqs-client';
import { createDeadLetters } from '../adapters/sqs-dead-letters';
import { createSqsRedelivery } from '../adapters/sqs-redelivery';
import { createTrustMetrics, withMetricsWritten } from '../adapters/webhook-metrics';
import { withTraceFlush } from '../adapters/tracing';
import { functionLogger, withLambdaContext } from './lambda-logging';
import { createSqsBatchHandler } from './sqs-batch';

const logger = functionLogger('event-gateway-sqs');
// Config, Temporal and the envelope key only: the queue verifies no sender, only the gateway's seal.
const runtime = await createDeliveryRuntime(process.env, logger);
const concurrency = Number(process.env[GATEWAY_ENV.sqsConcurrency] ?? '') || undefined;
// Written on the first unverified envelope only, once Powertools' metrics module has loaded.
const trustMetrics = createTrustMetrics();

export const handler = withLambdaContext(
  logger,
  withTraceFlush(
    runtime.tracing,
    withMetricsWritten(
      trustMetrics,
      logger,
      createSqsBatchHandler({
        ...runtime,
        redelivery: createSqsRedelivery(lazySqsClient()),
        trustMetrics,
        deadLetters: createDeadLetters(lazySqsClient(), {
          standard: process.env[GATEWAY_ENV.dlqUrl],
          fifo: process.env[GATEWAY_ENV.fifoDlqUrl],
        }),
        ...(concurrency ? { concurrency } : {}),
      }),
    ),
  ),
);
