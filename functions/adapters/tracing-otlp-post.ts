/**
 * One OTLP/HTTP POST of an export's body, for the gateway's two span exporters (OTLP/HTTP JSON in
 * tracing-otlp-json.ts, X-Ray's signed protobuf in xray-otlp-exporter.ts), and the exports still in
 * flight that `forceFlush` waits for.
 */
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { EventGatewayError } from '../../contract/errors';

/** An OTLP endpoint refused an export or did not answer in time. */
export class OtlpExportError extends EventGatewayError {
  override readonly name = 'OtlpExportError';
}

export interface OtlpPost {
  readonly target: URL;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Uint8Array | string;
  readonly timeoutMs: number;
  /** Names the endpoint in errors (`X-Ray OTLP answered 403: …`). */
  readonly label: string;
  /** The transport. @default node:https's or node:http's `request`, by the URL's protocol */
  readonly request?: typeof httpRequest | undefined;
}

/** Posts `body`; resolves on a 2xx answer, rejects with the endpoint's answer otherwise. */
export function postOtlp(post: OtlpPost): Promise<void> {
  const { target, label } = post;
  const send = post.request ?? (target.protocol === 'https:' ? httpsRequest : httpRequest);
  const length = typeof post.body === 'string' ? Buffer.byteLength(post.body) : post.body.byteLength;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      target,
      { method: 'POST', headers: { ...post.headers, 'content-length': String(length) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else
            reject(
              new OtlpExportError(
                `${label} answered ${status}: ${Buffer.concat(chunks).toString().slice(0, 300)}`,
              ),
            );
        });
      },
    );
    outgoing.setTimeout(post.timeoutMs, () => outgoing.destroy(new OtlpExportError(`${label} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(post.body);
  });
}

/** Exports in flight: each reports its result to the processor's callback; `settled` waits for all. */
export class PendingExports {
  private readonly pending = new Set<Promise<void>>();

  /** Tracks `sending` and reports its outcome to `done` (a failure never throws). */
  track(sending: Promise<void>, done: (result: ExportResult) => void): void {
    const sent = sending.then(
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

  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
