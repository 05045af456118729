/**
 * AWS Signature Version 4 for the project's lean AWS requests — the gateway's KMS calls
 * (kms-json-client.ts), its spans to X-Ray's OTLP endpoint (functions/adapters/xray-otlp-exporter.ts)
 * and its event log's records (functions/adapters/event-log-s3-put.ts): a `POST` or `PUT` with a body,
 * no query string, every header signed. Written out over node:crypto rather
 * than taken from `aws4` or `@smithy/signature-v4`: measured in a fresh process, `aws4` costs the
 * first signal of a cold start 2–4 ms more CPU (its module and its first signature),
 * `@smithy/signature-v4` ~13 ms (it loads `@smithy/core`), on an 8 ms budget (docs/benchmarks.md,
 * payload encryption). The tests hold its signatures to the AWS SDK's signer
 * (test/payloads/kms-json-client.test.ts, test/tracing/xray-otlp-exporter.test.ts).
 */
import { createHmac, hash } from 'node:crypto';
import { requestText } from './aws-http1-client';

/** AWS credentials as Lambda puts them in the environment (the execution role's session). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** One request with a body to sign: a `POST` (KMS, X-Ray) or a `PUT` (an S3 object). */
export interface AwsPostRequest {
  /** @default 'POST' */
  readonly method?: 'POST' | 'PUT';
  readonly host: string;
  /** Already URI-encoded as the request sends it (S3 signs the path as sent). @default '/' */
  readonly path?: string;
  readonly region: string;
  /** The signing name: `kms`, `xray`. */
  readonly service: string;
  readonly body: string | Uint8Array;
  /** Headers of the request besides `host` and `x-amz-*` (e.g. `content-type`, `x-amz-target`), signed too. */
  readonly headers: Readonly<Record<string, string>>;
  /** Also send the body's hash as `x-amz-content-sha256` (X-Ray wants it; KMS does not). */
  readonly contentSha256Header?: boolean;
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
/** One-shot `crypto.hash` (Node ≥ 20.12): a third of `createHash`'s CPU on a record-sized input, no Hash object. */
const sha256Hex = (data: string | Uint8Array): string => hash('sha256', data, 'hex');

/**
 * The key of a day's signatures: four HMACs, the same for every request of that day, region and
 * service (the event log signs one request per event). The last few are kept, keyed by the secret
 * too, so rotated credentials get their own.
 */
const signingKeys = new Map<string, Buffer>();
function signingKeyOf(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${day}/${region}/${service}/${secret}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
    if (signingKeys.size >= 8) signingKeys.delete(signingKeys.keys().next().value!);
    signingKeys.set(id, key);
  }
  return key;
}

/** The last second formatted as SigV4's `x-amz-date` (20261207T140000Z): one format a second, not one a request. */
let amzDateOf = { second: Number.NaN, text: '' };
function amzDateAt(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== amzDateOf.second) {
    amzDateOf = { second, text: now.toISOString().replace(/[-:]|\.\d{3}/g, '') };
  }
  return amzDateOf.text;
}

/** The request's headers (lower-case names), signed: `host`, `x-amz-date`, the session token, `authorization`. */
export function signAwsPost(
  request: AwsPostRequest,
  credentials: AwsCredentials,
  now: Date = new Date(),
): Record<string, string> {
  const amzDate = amzDateAt(now);
  const day = amzDate.slice(0, 8);
  const bodyHash = sha256Hex(request.body);
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.host,
    ...(request.contentSha256Header ? { 'x-amz-content-sha256': bodyHash } : {}),
    'x-amz-date': amzDate,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method ?? 'POST',
    request.path ?? '/',
    '', // no query string
    ...names.map((name) => `${name}:${headers[name]!.trim()}`),
    '',
    signedHeaders,
    bodyHash,
  ].join('\n');
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const signingKey = signingKeyOf(credentials.secretAccessKey, day, request.region, request.service);
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return {
    ...headers,
    authorization:
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/**
 * The request signed ({@link signAwsPost}) and written as HTTP/1.1 text, head and body, for a kept
 * connection's `exchange` (aws-http1-client.ts). Here rather than there so that every bundle chunk
 * that signs also holds the transport: the gateway's encrypted cold start then loads one chunk fewer
 * (a chunk costs its read, its source map and its module record).
 */
export function signedHttp1Request(
  request: AwsPostRequest & { readonly body: string },
  credentials: AwsCredentials,
  now: Date = new Date(),
): string {
  const headers = signAwsPost(request, credentials, now);
  return requestText(request.method ?? 'POST', request.path ?? '/', headers, request.body);
}
