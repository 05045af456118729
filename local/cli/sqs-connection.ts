/**
 * The SQS endpoint a queue command talks to, and the gateway's queues on it. Locally that is
 * ElasticMQ (the dev stack's, on SQS_PORT); `--endpoint` / SQS_ENDPOINT name another server, and
 * amazonaws.com queue URLs go to AWS with the SDK's usual credentials.
 */
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import { ELASTICMQ_DEFAULT_PORT, LOCAL_SQS_CREDENTIALS } from '../elasticmq';
import { CliFailureError, CliUsageError, type CliIo } from './io';
import { parseHttpUrl } from './args';
import { unreachableReason } from './network-errors';

/** A connection attempt that hangs (a firewalled host) fails as unreachable instead of forever. */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** The option every queue command shares. */
export const SQS_OPTIONS = {
  endpoint: {
    type: 'string',
    value: 'URL',
    description: `SQS endpoint; default $${GATEWAY_ENV.sqsEndpoint}, else http://127.0.0.1:$${GATEWAY_ENV.sqsPort} (9324).`,
  },
} as const;

export interface SqsConnection {
  readonly client: SQSClient;
  /** Where requests go, as error messages name it. */
  readonly where: string;
  /** What to check when it does not answer. */
  readonly hint: string;
  close(): void;
}

export interface SqsConnectionOptions {
  /** `--endpoint`, which beats SQS_ENDPOINT. */
  endpoint?: string | undefined;
  /** Queue URLs given on the command line; an AWS one means "talk to AWS". */
  queueUrls?: readonly (string | undefined)[];
}

const AWS_QUEUE_URL = /^https:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//;

export function connectSqs(io: CliIo, options: SqsConnectionOptions = {}): SqsConnection {
  const fromEnv = io.env[GATEWAY_ENV.sqsEndpoint];
  const awsRegion = options.queueUrls
    ?.map((url) => (url ? AWS_QUEUE_URL.exec(url)?.[1] : undefined))
    .find((region) => region !== undefined);
  const region = io.env.AWS_REGION ?? awsRegion ?? 'us-east-1';
  const requestHandler = { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS };

  if (!options.endpoint && !fromEnv && awsRegion) {
    // The SDK sends each call to its QueueUrl's host and signs with the default credential chain.
    const client = new SQSClient({ region, requestHandler });
    return {
      client,
      where: `AWS SQS (${region})`,
      hint: 'check your network and AWS credentials',
      close: () => client.destroy(),
    };
  }

  let endpoint: string;
  let hint: string;
  if (options.endpoint) {
    endpoint = parseHttpUrl('endpoint', options.endpoint);
    hint = 'check that an SQS server listens there';
  } else if (fromEnv) {
    endpoint = parseEnvUrl(GATEWAY_ENV.sqsEndpoint, fromEnv);
    hint = `check that an SQS server listens there, or fix ${GATEWAY_ENV.sqsEndpoint}`;
  } else {
    const port = io.env[GATEWAY_ENV.sqsPort] || String(ELASTICMQ_DEFAULT_PORT);
    endpoint = parseEnvUrl(GATEWAY_ENV.sqsPort, `http://127.0.0.1:${port}`);
    hint =
      `is the local stack running? (npm run dev starts ElasticMQ on ${GATEWAY_ENV.sqsPort}, default ` +
      `${ELASTICMQ_DEFAULT_PORT}); otherwise pass --endpoint or set ${GATEWAY_ENV.sqsEndpoint}`;
  }
  const client = new SQSClient({
    endpoint,
    region,
    // Real credentials from the environment win, for an SQS endpoint that checks them.
    ...(io.env.AWS_ACCESS_KEY_ID ? {} : { credentials: LOCAL_SQS_CREDENTIALS }),
    requestHandler,
  });
  return { client, where: endpoint, hint, close: () => client.destroy() };
}

function parseEnvUrl(variable: string, text: string): string {
  try {
    return parseHttpUrl('endpoint', text);
  } catch (error) {
    throw new CliUsageError(`${variable} does not make an http(s) URL ("${text}").`, { cause: error });
  }
}

const NO_SUCH_QUEUE = /QueueDoesNotExist|NonExistentQueue/;

/** Runs one SQS call; "nobody answered" and "no such queue" become one clear line each. */
export async function sqsCall<T>(
  connection: SqsConnection,
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const reason = unreachableReason(error);
    if (reason) {
      throw new CliFailureError(`Cannot reach SQS at ${connection.where} (${reason}): ${connection.hint}.`, {
        cause: error,
      });
    }
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    if (NO_SUCH_QUEUE.test(name) || NO_SUCH_QUEUE.test(message)) {
      throw new CliFailureError(`${what} failed: the queue does not exist at ${connection.where}.`, {
        cause: error,
      });
    }
    throw new CliFailureError(`${what} failed at ${connection.where}: ${name}: ${message}`, { cause: error });
  }
}

/** The given URL (of option `--<flag>`), else the URL of the gateway queue with that name. */
export async function resolveQueueUrl(
  connection: SqsConnection,
  queue: { given: string | undefined; name: string; flag: string },
): Promise<string> {
  const { given, name, flag } = queue;
  if (given) return parseHttpUrl(flag, given);
  try {
    const { QueueUrl } = await sqsCall(connection, `Looking up queue ${name}`, () =>
      connection.client.send(new GetQueueUrlCommand({ QueueName: name })),
    );
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    if (error instanceof CliFailureError && /does not exist/.test(error.message)) {
      throw new CliFailureError(
        `Queue ${name} does not exist at ${connection.where}: npm run dev creates the gateway's queues; ` +
          `for another queue pass --${flag}.`,
        { cause: error },
      );
    }
    throw error;
  }
  throw new CliFailureError(`SQS at ${connection.where} returned no URL for queue ${name}.`);
}

/** `…/000000000000/event-gateway-events-dlq` → `event-gateway-events-dlq`, for messages. */
export const queueNameOfUrl = (url: string): string => url.replace(/\/+$/, '').split('/').pop() ?? url;
