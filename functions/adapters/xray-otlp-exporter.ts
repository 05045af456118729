/**
 * Spans to the X-Ray OTLP endpoint (`https://xray.<region>.amazonaws.com/v1/traces`) straight from a
 * Lambda function, with no collector and no layer (the ADOT and upstream layers are broken on Node 24):
 * the endpoint takes OTLP/HTTP protobuf signed with SigV4 (service `xray`, IAM `xray:PutSpans`), and
 * the SDK's OTLP exporter cannot sign, so this exporter serializes with the SDK's own protobuf
 * serializer, signs with the project's SigV4 (payloads/aws-sigv4.ts) and posts as tracing-otlp-post.ts does. Loaded with the rest of the SDK on the first request
 * (tracing-otel.ts), never at cold start.
 */
import { request as httpsRequest } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { signAwsPost, type AwsCredentials } from '../../payloads/aws-sigv4';
import { OtlpExportError, PendingExports, postOtlp } from './tracing-otlp-post';

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
  readonly request?: typeof httpsRequest;
}

/** A span exporter posting SigV4-signed OTLP protobuf to the X-Ray OTLP endpoint. */
export class XrayOtlpExporter implements SpanExporter {
  private readonly pending = new PendingExports();
  private readonly target: URL;

  constructor(private readonly options: XrayOtlpExporterOptions) {
    this.target = new URL(options.url);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    if (!body) {
      done({ code: ExportResultCode.FAILED, error: new OtlpExportError('the spans did not serialize') });
      return;
    }
    this.pending.track(this.post(body), done);
  }

  forceFlush(): Promise<void> {
    return this.pending.settled();
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
    return postOtlp({
      target,
      headers,
      body,
      timeoutMs: options.timeoutMs ?? 10_000,
      label: 'X-Ray OTLP',
      request: options.request ?? httpsRequest,
    });
  }
}
