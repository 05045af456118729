/**
 * Spans to the X-Ray OTLP endpoint (`https://xray.<region>.amazonaws.com/v1/traces`) straight from a
 * Lambda function, with no collector and no layer (the ADOT and upstream layers are broken on Node 24):
 * the endpoint takes OTLP/HTTP protobuf signed with SigV4 (service `xray`, IAM `xray:PutSpans`), and
 * the SDK's OTLP exporter cannot sign, so this exporter serializes with the SDK's own protobuf
 * serializer and signs with the project's SigV4 (payloads/aws-sigv4.ts). Loaded with the rest of the SDK on the first request
 * (tracing-otel.ts), never at cold start.
 */
import { request } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { signAwsPost, type AwsCredentials } from '../../payloads/aws-sigv4';

export type { AwsCredentials } from '../../payloads/aws-sigv4';

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
    const headers = signAwsPost(
      {
        host: target.host,
        path: target.pathname,
        region: options.region,
        service: 'xray',
        body,
        headers: { 'content-type': 'application/x-protobuf' },
        contentSha256Header: true,
      },
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
