import type { SendMessageCommandInput, SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import { localEmulatorAccess } from '../../contract/local-emulators';
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
  return { endpoint, ...localEmulatorAccess(env) };
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
