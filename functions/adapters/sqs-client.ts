import type { SendMessageCommandInput, SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { GATEWAY_ENV } from '../core/env-names';
import type { Env } from './secrets';

/**
 * An SQS client, or a function that makes one on first use. The gateway only writes to SQS when
 * something failed (fallback, DLQ), so its functions load the SDK lazily: that keeps the SQS
 * client's module initialisation out of every cold start (measured in docs/benchmarks.md).
 */
export type SqsClientSource = SQSClient | (() => Promise<SQSClient>);

function clientConfig(env: Env): SQSClientConfig {
  const endpoint = env[GATEWAY_ENV.sqsEndpoint];
  if (!endpoint) return {};
  // A local endpoint (ElasticMQ) ignores credentials; placeholders keep the SDK from looking for any.
  return {
    endpoint,
    region: env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
  };
}

/** In AWS the SDK's defaults apply; with SQS_ENDPOINT it talks to that endpoint. Created once, on first use. */
export function lazySqsClient(env: Env = process.env): () => Promise<SQSClient> {
  let client: Promise<SQSClient> | undefined;
  return () =>
    (client ??= import('@aws-sdk/client-sqs').then(({ SQSClient }) => new SQSClient(clientConfig(env))));
}

/** Sends one message through whichever client the source gives. */
export async function sendSqsMessage(source: SqsClientSource, input: SendMessageCommandInput): Promise<void> {
  const [client, { SendMessageCommand }] = await Promise.all([
    typeof source === 'function' ? source() : Promise.resolve(source),
    import('@aws-sdk/client-sqs'),
  ]);
  await client.send(new SendMessageCommand(input));
}

export const isFifoQueue = (urlOrArn: string): boolean => urlOrArn.endsWith('.fifo');
