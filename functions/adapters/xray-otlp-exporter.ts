/**
 * Spans to the X-Ray OTLP endpoint (`https://xray.<region>.amazonaws.com/v1/traces`) straight from a
 * Lambda function, with no collector and no layer (the ADOT and upstream layers are broken on Node 24):
 * the endpoint takes OTLP/HTTP protobuf signed with SigV4 (service `xray`, IAM `xray:PutSpans`), and
 * the SDK's OTLP exporter cannot sign, so this exporter serializes with the SDK's own protobuf
 * serializer and signs over node:crypto. Loaded with the rest of the SDK on the first request
 * (tracing-otel.ts), never at cold start.
 */
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The credentials a Lambda function's environment holds (its execution role's session). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

const XRAY_HOST = /^xray\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The region of an X-Ray OTLP endpoint URL, or undefined for any other endpoint (a collector's). */
export function xrayOtlpRegion(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? XRAY_HOST.exec(parsed.hostname)?.[1] : undefined;
  } catch {
    return undefined;
  }
}

const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/**
 * The headers of a SigV4-signed `POST <path>` of an OTLP protobuf body to X-Ray: `host`,
 * `content-type`, `x-amz-*` and `authorization`, every one signed.
 */
export function signXrayOtlpRequest(
  target: {
    readonly host: string;
    readonly path: string;
    readonly region: string;
    readonly body: Uint8Array;
  },
  credentials: AwsCredentials,
  now: Date = new Date(),
): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-protobuf',
    host: target.host,
    'x-amz-content-sha256': sha256Hex(target.body),
    'x-amz-date': amzDate,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    'POST',
    target.path,
    '',
    ...names.map((name) => `${name}:${headers[name]!.trim()}`),
    '',
    signedHeaders,
    headers['x-amz-content-sha256'],
  ].join('\n');
  const scope = `${day}/${target.region}/xray/aws4_request`;
  const key = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), target.region), 'xray'),
    'aws4_request',
  );
  const signature = createHmac('sha256', key)
    .update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`)
    .digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

export interface XrayOtlpExporterOptions {
  /** `https://xray.<region>.amazonaws.com/v1/traces` (or a test server's URL with `region` given). */
  readonly url: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** @default 10_000, the OTLP exporter's own default */
  readonly timeoutMs?: number;
  /** The transport; tests pass `node:http`'s. @default node:https `request` */
  readonly request?: typeof request;
}

/** A span exporter posting SigV4-signed OTLP protobuf to the X-Ray OTLP endpoint. */
export class XrayOtlpExporter implements SpanExporter {
  private readonly pending = new Set<Promise<void>>();
  private readonly target: URL;

  constructor(private readonly options: XrayOtlpExporterOptions) {
    this.target = new URL(options.url);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    if (!body) {
      done({ code: ExportResultCode.FAILED, error: new Error('the spans did not serialize') });
      return;
    }
    const sent = this.post(body).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: unknown) =>
        done({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }

  private post(body: Uint8Array): Promise<void> {
    const { target, options } = this;
    const headers = signXrayOtlpRequest(
      { host: target.host, path: target.pathname, region: options.region, body },
      options.credentials,
    );
    const send = options.request ?? request;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        target,
        { method: 'POST', headers: { ...headers, 'content-length': String(body.byteLength) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else
              reject(
                new Error(`X-Ray OTLP answered ${status}: ${Buffer.concat(chunks).toString().slice(0, 300)}`),
              );
          });
        },
      );
      outgoing.setTimeout(options.timeoutMs ?? 10_000, () =>
        outgoing.destroy(new Error('X-Ray OTLP timed out')),
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}
