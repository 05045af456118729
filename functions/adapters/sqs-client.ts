import { SQSClient } from '@aws-sdk/client-sqs';
import { GATEWAY_ENV } from '../core/env-names';
import type { Env } from './secrets';

/**
 * The SQS client for this process. In AWS the SDK's defaults apply; with SQS_ENDPOINT (ElasticMQ
 * locally) it talks to that endpoint with placeholder credentials, which ElasticMQ ignores.
 */
export function createSqsClient(env: Env = process.env): SQSClient {
  const endpoint = env[GATEWAY_ENV.sqsEndpoint];
  if (!endpoint) return new SQSClient({});
  return new SQSClient({
    endpoint,
    region: env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  });
}

export const isFifoQueue = (urlOrArn: string): boolean => urlOrArn.endsWith('.fifo');
