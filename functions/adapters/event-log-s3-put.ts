/**
 * The event log's one write on the request path — `PutObject` of a record — signed over
 * node:crypto (payloads/aws-sigv4.ts) and sent on a kept connection (payloads/aws-http1-client.ts), instead of through
 * `@aws-sdk/client-s3`. A record is written for every event, before the answer: measured in one
 * process against the same S3 emulator, the SDK's `PutObject` costs ~580 µs of CPU per record and a
 * signed `PUT` ~126 µs (docs/benchmarks.md, "Event log"). Used where the credentials are in the
 * environment — a Lambda function's execution role, or a local emulator's stand-in keys; the
 * readers (`list`, `get`: the CLI, replay, the events page) keep the SDK.
 */
import { EventGatewayError } from '../../contract/errors';
import { signedHttp1Request, type AwsCredentials } from '../../payloads/aws-sigv4';
import { keptConnections } from '../../payloads/aws-http1-client';

/** S3 answered a record's `PUT` with an error, or did not answer in time. */
export class S3PutError extends EventGatewayError {
  override readonly name = 'S3PutError';
}

export interface LeanS3PutOptions {
  readonly bucket: string;
  readonly region: string;
  /** Read at each write (a Lambda's session keys are in its environment). */
  readonly credentials: () => AwsCredentials;
  /**
   * An S3-compatible endpoint (an emulator), addressed path-style: `<endpoint>/<bucket>/<key>`.
   * @default virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com`
   */
  readonly endpoint?: string;
  /** Tries of one record: S3's 5xx (`SlowDown`, `InternalError`), a dropped connection, a timeout. @default 2 */
  readonly maxAttempts?: number;
  /** Longest one try waits for S3's answer. @default 1500 */
  readonly attemptTimeoutMs?: number;
}

/** Regions whose S3 endpoint is `s3.<region>.amazonaws.com` (not China, GovCloud's FIPS or ISO partitions). */
const COMMERCIAL_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-(gov-)?[a-z]+-\d+$/;

/**
 * The lean writer's settings when `env` holds what it needs: the function's credentials and region,
 * and no setting the SDK would honour and this writer does not (FIPS, dual-stack, a global endpoint
 * override); with an emulator's endpoint (`endpoint`), the emulator's stand-in keys. Undefined
 * otherwise: the SDK writes.
 */
export function leanS3PutSettings(
  bucket: string,
  env: Readonly<Record<string, string | undefined>>,
  endpoint?: string,
): LeanS3PutOptions | undefined {
  const region = env.AWS_REGION ?? (endpoint ? 'us-east-1' : undefined);
  const credentials = (): AwsCredentials => ({
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
    sessionToken: env.AWS_SESSION_TOKEN,
  });
  if (endpoint) return { bucket, region: region!, credentials, endpoint };
  const usable =
    env.AWS_ACCESS_KEY_ID &&
    env.AWS_SECRET_ACCESS_KEY &&
    region &&
    COMMERCIAL_REGION.test(region) &&
    !env.AWS_ENDPOINT_URL_S3 &&
    !env.AWS_ENDPOINT_URL &&
    env.AWS_USE_FIPS_ENDPOINT !== 'true' &&
    env.AWS_USE_DUALSTACK_ENDPOINT !== 'true';
  return usable ? { bucket, region, credentials } : undefined;
}

/** A key as S3 signs and reads it: each byte but `A–Z a–z 0–9 - _ . ~` and `/` percent-encoded (SigV4's rule). */
export function s3KeyPath(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

const isRetryableStatus = (status: number): boolean => status >= 500 || status === 429;
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** A function that writes one record's object: `put(key, body)`. */
export function createLeanS3Put(options: LeanS3PutOptions): (key: string, body: string) => Promise<void> {
  const base = new URL(options.endpoint ?? `https://${options.bucket}.s3.${options.region}.amazonaws.com`);
  const pathStyle = options.endpoint !== undefined;
  // Connections kept open between records (a Lambda serves one request at a time; the local
  // server many): the TLS handshake is paid once per execution environment, not per event.
  const connections = keptConnections(base);
  const maxAttempts = options.maxAttempts ?? 2;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 1_500;
  const basePath = base.pathname.replace(/\/$/, '');

  async function attempt(key: string, body: string): Promise<void> {
    const path = `${basePath}${pathStyle ? `/${options.bucket}` : ''}/${s3KeyPath(key)}`;
    const request = signedHttp1Request(
      {
        method: 'PUT',
        host: base.host,
        path,
        region: options.region,
        service: 's3',
        body,
        headers: { 'content-type': 'application/json' },
        contentSha256Header: true,
      },
      options.credentials(),
    );
    let status: number;
    let answer: string;
    try {
      ({ status, body: answer } = await connections.exchange(request, attemptTimeoutMs));
    } catch (error) {
      const timedOut = (error as { code?: string }).code === 'ETIMEDOUT';
      throw new S3PutError(
        timedOut
          ? `S3 did not answer the event record's PUT in ${attemptTimeoutMs} ms`
          : `S3 could not be reached for the event record: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (status >= 200 && status < 300) return;
    const code = /<Code>([^<]+)<\/Code>/.exec(answer)?.[1];
    const error = new S3PutError(`S3 refused the event record: ${status}${code ? ` ${code}` : ''}`);
    throw Object.assign(error, { retryable: isRetryableStatus(status) });
  }

  const retryable = (error: unknown): boolean =>
    (error as { retryable?: boolean }).retryable === true ||
    NETWORK_CODES.has((error as { cause?: { code?: string } }).cause?.code ?? '');

  return async function put(key, body) {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(key, body);
      } catch (error) {
        if (tries >= maxAttempts || !retryable(error)) throw error;
      }
    }
  };
}
