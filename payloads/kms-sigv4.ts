/**
 * AWS Signature Version 4 for the lean KMS client's requests, and nothing else: `POST /` with a JSON
 * body, no query string, every header signed. Written out over node:crypto rather than taken from
 * `aws4` or `@smithy/signature-v4`: measured in a fresh process, `aws4` costs the first signal of a
 * cold start 2–4 ms more CPU (its module and its first signature), `@smithy/signature-v4` ~13 ms
 * (it loads `@smithy/core`), on an 8 ms budget (docs/benchmarks.md, payload encryption). The test
 * holds its signatures to the AWS SDK's signer (test/payloads/kms-json-client.test.ts).
 */
import { createHash, createHmac } from 'node:crypto';

/** AWS credentials as Lambda puts them in the environment. */
export interface KmsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface SignedKmsRequest {
  /** Lower-case header names, `authorization` included. */
  readonly headers: Record<string, string>;
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const sha256Hex = (data: string): string => createHash('sha256').update(data).digest('hex');

/** The headers of a signed `POST /` to KMS in `region`: `host`, `x-amz-*`, `content-type`, `authorization`. */
export function signKmsRequest(
  request: { readonly host: string; readonly region: string; readonly target: string; readonly body: string },
  credentials: KmsCredentials,
  now: Date = new Date(),
): SignedKmsRequest {
  // 20261207T140000Z
  const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    host: request.host,
    'x-amz-date': amzDate,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    'x-amz-target': request.target,
  };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    'POST',
    '/',
    '', // no query string
    ...names.map((name) => `${name}:${headers[name]!.trim()}`),
    '',
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${request.region}/kms/aws4_request`;
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), request.region), 'kms'),
    'aws4_request',
  );
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return {
    headers: {
      ...headers,
      authorization:
        `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
        `SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
  };
}
