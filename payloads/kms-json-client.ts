/**
 * A lean KMS client for the codec's two operations, `GenerateDataKey` and `Decrypt`: KMS's JSON 1.1
 * protocol (`POST /`, `X-Amz-Target: TrentService.<operation>`, base64 blobs) signed with SigV4
 * (aws-sigv4.ts, node:crypto), sent on a kept HTTP/1.1 connection of its own (aws-http1-client.ts,
 * node:net/node:tls). The AWS SDK's KMS client costs a Lambda cold start about 40 ms of module
 * loading (`@smithy/core`, the client, its protocol stack, docs/benchmarks.md); this costs about
 * none. And not node:https: the first data key is asked for on a cold start's first signal, where
 * the process's first node:http request costs several ms of CPU more than the same exchange on a
 * socket (its agent, streams and parser set up; docs/benchmarks.md, "The cold start's extra").
 * It takes its credentials as Lambda gives them (environment variables); anywhere else (an ECS task
 * role, profiles, SSO) the codec uses the SDK (kms-client.ts).
 *
 * Failures are thrown in the SDK's shape (`name`, `$fault`, `$metadata.httpStatusCode`,
 * `$retryable`), so `kmsFailure` reads both clients' alike; throttling, server faults, timeouts and
 * network errors are retried as the SDK's standard strategy does (3 attempts, jittered backoff).
 */
import type { GeneratedDataKey, KmsDataKeyClient } from './kms-operations';
import { keptConnections, type S3Connections } from './aws-http1-client';
import { signedHttp1Request, type AwsCredentials } from './aws-sigv4';
import { EventGatewayError } from '../contract/errors';

/** AWS credentials as Lambda puts them in the environment. */
export type KmsCredentials = AwsCredentials;

export interface LeanKmsClientOptions {
  readonly region: string;
  /**
   * Scheme, host and port; requests go to its `/`.
   * @default `https://kms.<region>.amazonaws.com` (`.amazonaws.com.cn` in China); `http://…` for a local emulator
   */
  readonly endpoint?: string;
  /** Read before every request, so credentials that change in the environment are followed. */
  readonly credentials: KmsCredentials | (() => KmsCredentials);
  /** Attempts per call, the first included. @default 3 (the SDK's standard retry strategy) */
  readonly maxAttempts?: number;
  /** How long one attempt may wait for KMS's whole answer, connecting included. @default 5_000 */
  readonly attemptTimeoutMs?: number;
}

/**
 * An error KMS answered (`__type` and `message` of its JSON error body), in the shape of the SDK's
 * `KMSServiceException`: `name` is KMS's error code, `$fault` is `server` for 5xx.
 */
export class KmsServiceError extends EventGatewayError {
  override readonly name: string = 'KmsServiceError';
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };
  readonly $retryable: { readonly throttling: boolean } | undefined;

  constructor(code: string, message: string, httpStatusCode: number) {
    super(message);
    this.name = code;
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode };
    this.$retryable = THROTTLING_CODES.has(code) || httpStatusCode === 429 ? { throttling: true } : undefined;
  }
}

/** One attempt ran out of time (the request is destroyed). */
export class KmsTimeoutError extends EventGatewayError {
  override readonly name = 'KmsTimeoutError';
}

/** KMS's throttling codes, as the SDK's retry strategy names them (service-error-classification). */
const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
]);
/** Network errors the SDK retries (NODEJS_NETWORK_ERROR_CODES), and timeouts. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

const isRetryable = (error: unknown): boolean =>
  error instanceof KmsServiceError
    ? error.$fault === 'server' || error.$retryable !== undefined
    : error instanceof KmsTimeoutError || NETWORK_CODES.has((error as { code?: string } | null)?.code ?? '');

/** Regions of the partitions whose KMS endpoint is `kms.<region>.<dnsSuffix>`. */
const PARTITIONS: readonly { readonly region: RegExp; readonly dnsSuffix: string }[] = [
  { region: /^(us|eu|ap|sa|ca|me|af|il|mx)-(gov-)?[a-z]+-\d+$/, dnsSuffix: 'amazonaws.com' },
  { region: /^cn-[a-z]+-\d+$/, dnsSuffix: 'amazonaws.com.cn' },
];

/**
 * The lean client's settings when `env` is a Lambda function's: its credentials and region in the
 * environment, a region of a known partition, and no endpoint, FIPS or dual-stack setting, which the
 * SDK would honour and this client does not; undefined otherwise (the codec then uses the SDK).
 */
export function leanKmsSettings(
  env: Readonly<Record<string, string | undefined>>,
): LeanKmsClientOptions | undefined {
  const region = env.AWS_REGION;
  const usable =
    env.AWS_LAMBDA_FUNCTION_NAME &&
    env.AWS_ACCESS_KEY_ID &&
    env.AWS_SECRET_ACCESS_KEY &&
    region &&
    PARTITIONS.some((partition) => partition.region.test(region)) &&
    !env.AWS_ENDPOINT_URL_KMS &&
    !env.AWS_ENDPOINT_URL &&
    env.AWS_USE_FIPS_ENDPOINT !== 'true' &&
    env.AWS_USE_DUALSTACK_ENDPOINT !== 'true';
  if (!usable) return undefined;
  return {
    region,
    credentials: () => ({
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      sessionToken: env.AWS_SESSION_TOKEN,
    }),
  };
}

interface KmsCall {
  readonly operation: 'GenerateDataKey' | 'Decrypt';
  readonly body: Record<string, unknown>;
}

/** `GenerateDataKey` and `Decrypt` over KMS's JSON protocol; see the module comment. */
export class LeanKmsClient implements KmsDataKeyClient {
  private readonly url: URL;
  private readonly maxAttempts: number;
  private readonly attemptTimeoutMs: number;
  /** Kept between calls close together (a burst of Decrypts of several data keys, a retry). */
  private readonly connections: S3Connections;

  constructor(private readonly options: LeanKmsClientOptions) {
    const partition = PARTITIONS.find((p) => p.region.test(options.region));
    const endpoint =
      options.endpoint ?? `https://kms.${options.region}.${partition?.dnsSuffix ?? 'amazonaws.com'}`;
    this.url = new URL(endpoint);
    // Reused within a few seconds only, as node:https's agent did (its sockets idle out after 5 s):
    // the next data key is asked for minutes later, on a connection KMS has likely closed.
    this.connections = keptConnections(this.url, { peer: 'KMS', maxIdleMs: 4_000 });
    this.maxAttempts = options.maxAttempts ?? 3;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
  }

  async generateDataKey(input: {
    readonly KeyId: string;
    readonly EncryptionContext: Record<string, string>;
  }): Promise<GeneratedDataKey> {
    const answer = await this.call({
      operation: 'GenerateDataKey',
      body: { KeyId: input.KeyId, KeySpec: 'AES_256', EncryptionContext: input.EncryptionContext },
    });
    return {
      KeyId: typeof answer.KeyId === 'string' ? answer.KeyId : undefined,
      Plaintext: blob(answer.Plaintext),
      CiphertextBlob: blob(answer.CiphertextBlob),
    };
  }

  async decrypt(input: {
    readonly KeyId: string;
    readonly CiphertextBlob: Uint8Array;
    readonly EncryptionContext: Record<string, string>;
  }): Promise<{ readonly Plaintext?: Uint8Array | undefined }> {
    const answer = await this.call({
      operation: 'Decrypt',
      body: {
        KeyId: input.KeyId,
        CiphertextBlob: Buffer.from(input.CiphertextBlob).toString('base64'),
        EncryptionContext: input.EncryptionContext,
      },
    });
    return { Plaintext: blob(answer.Plaintext) };
  }

  /** One operation, retried as the SDK retries (full jitter, 100 ms base, doubling). */
  private async call(call: KmsCall): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(call);
      } catch (error) {
        if (attempt >= this.maxAttempts || !isRetryable(error)) throw error;
        await sleep(Math.random() * 100 * 2 ** attempt);
      }
    }
  }

  private async attempt(call: KmsCall): Promise<Record<string, unknown>> {
    const { url, options } = this;
    const credentials =
      typeof options.credentials === 'function' ? options.credentials() : options.credentials;
    const body = JSON.stringify(call.body);
    const request = signedHttp1Request(
      {
        host: url.host,
        region: options.region,
        service: 'kms',
        body,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `TrentService.${call.operation}`,
        },
      },
      credentials,
    );
    let status: number;
    let text: string;
    try {
      ({ status, body: text } = await this.connections.exchange(request, this.attemptTimeoutMs));
    } catch (error) {
      // The transport's failures carry the socket's code (ECONNRESET, ETIMEDOUT…), which isRetryable reads.
      if ((error as { code?: string }).code !== 'ETIMEDOUT') throw error;
      throw new KmsTimeoutError(
        `KMS ${call.operation} took more than ${this.attemptTimeoutMs} ms to answer.`,
        { cause: error },
      );
    }
    const answer = parseJson(text);
    if (status >= 200 && status < 300) return answer;
    // `__type` is the code, sometimes namespaced (`com.amazonaws.kms#NotFoundException`).
    const type = typeof answer.__type === 'string' ? answer.__type : `HTTP ${status}`;
    const code = type.slice(type.lastIndexOf('#') + 1).split(':')[0]!;
    const message = answer.message ?? answer.Message;
    throw new KmsServiceError(code, typeof message === 'string' ? message : text.slice(0, 200), status);
  }
}

/**
 * A pause between attempts, on the global timer: not node:timers/promises, a builtin the gateway's
 * bundle would otherwise load at every encrypted cold start for a retry that seldom happens.
 */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const blob = (value: unknown): Uint8Array | undefined =>
  typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
