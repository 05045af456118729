/**
 * The oracle of the gateway's lean SigV4 signers (KMS, X-Ray, the event log's S3 PUT): what the AWS
 * SDK's own signer, `@smithy/signature-v4`, makes of the request a lean client actually sent — same
 * method, path, signed headers, body and date — so a test can require the same `authorization`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256';

/** A request as a stand-in server received it. */
export interface SentRequest {
  readonly method: string;
  /** The path as sent (already encoded). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string | Uint8Array;
}

export interface SdkSignerOptions {
  readonly service: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** S3's client signs the path as sent; every other service encodes it again. @default true */
  readonly uriEscapePath?: boolean;
  /** Whether the SDK adds `x-amz-content-sha256` (its clients do; compare like with like). @default true */
  readonly applyChecksum?: boolean;
}

/** The header names the request's `authorization` says it signed, in order. */
export function signedHeaderNames(sent: SentRequest): string[] {
  return /SignedHeaders=([^,]+)/.exec(String(sent.headers.authorization))?.[1]?.split(';') ?? [];
}

/** The `authorization` the SDK's signer gives the same request at the same instant. */
export async function sdkAuthorization(
  sent: SentRequest,
  options: SdkSignerOptions,
): Promise<string | undefined> {
  const amzDate = String(sent.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`,
  );
  const names = signedHeaderNames(sent);
  const headers = Object.fromEntries(names.map((name) => [name, String(sent.headers[name])]));
  const signed = await new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
    ...(options.uriEscapePath === undefined ? {} : { uriEscapePath: options.uriEscapePath }),
    ...(options.applyChecksum === undefined ? {} : { applyChecksum: options.applyChecksum }),
  }).sign(
    {
      method: sent.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: sent.path,
      query: {},
      headers,
      body: sent.body,
    },
    { signingDate },
  );
  return signed.headers.authorization;
}
