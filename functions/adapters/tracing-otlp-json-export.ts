/**
 * The gateway's OTLP/HTTP JSON span export: spans batched as the SDK's `BatchSpanProcessor` in front of
 * its OTLP exporter would batch them, posted with node:http(s) (tracing-otlp-post.ts). It honours the
 * OTLP exporter's headers, timeout and gzip variables and the batch processor's batch and queue sizes.
 *
 * Each span is written into its batch's bytes (tracing-otlp-json.ts) as it ends, so nothing of it
 * outlives its request: a span kept until its batch left (up to a second under a light load) survived
 * the young generation's collections — copied, then promoted, with all its objects.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { InstrumentationLibrary } from '@opentelemetry/core';
import type { IResource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonBytes, otlpJsonRequestHead, REQUEST_TAIL, writeSpan } from './tracing-otlp-json';
import { postOtlp } from './tracing-otlp-post';

const gzipAsync = promisify(gzip);

type Env = Readonly<Record<string, string | undefined>>;

/** The trace-specific variable, else the general one (the OTLP exporter's precedence). */
const otlpSetting = (env: Env, name: string) =>
  env[`OTEL_EXPORTER_OTLP_TRACES_${name}`] ?? env[`OTEL_EXPORTER_OTLP_${name}`];

/** `key1=value1,key2=value2` (values URL-encoded), the general variable's entries under the trace one's. */
function headersOf(env: Env): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const list of [env.OTEL_EXPORTER_OTLP_HEADERS, env.OTEL_EXPORTER_OTLP_TRACES_HEADERS]) {
    for (const entry of list?.split(',') ?? []) {
      const at = entry.indexOf('=');
      if (at <= 0) continue;
      headers[decodeURIComponent(entry.slice(0, at).trim())] = decodeURIComponent(entry.slice(at + 1).trim());
    }
  }
  return headers;
}

/** A positive integer setting, else `otherwise` (the SDK's defaults). */
function positive(value: string | undefined, otherwise: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : otherwise;
}

export interface OtlpJsonBatchExporterOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  readonly url: string;
  /**
   * `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, `…_TIMEOUT`, `…_COMPRESSION`, and the batch processor's
   * `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (512) and `OTEL_BSP_MAX_QUEUE_SIZE` (2048) are read from it.
   */
  readonly env: Env;
  /** The resource and scope of every span added (one starter's): written once per request. */
  readonly resource: IResource;
  readonly scope: InstrumentationLibrary;
  /** The longest an ended span waits for its batch to leave. */
  readonly delayMs: number;
}

/** A batch's first allocation: room for ~350 of the gateway's spans. */
const BATCH_BYTES = 256 * 1024;

/**
 * Posts spans as OTLP/HTTP JSON to a collector (or any OTLP/HTTP endpoint): a batch leaves when it is
 * full or `delayMs` after its first span; while as many spans as the queue holds are in flight, a
 * full batch is dropped, as the batch processor drops what its queue cannot hold.
 */
export class OtlpJsonBatchExporter {
  private readonly target: URL;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly gzip: boolean;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly head: string;
  private readonly batch = new JsonBytes(BATCH_BYTES);
  private spans = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: OtlpJsonBatchExporterOptions) {
    const { env } = options;
    this.target = new URL(options.url);
    this.gzip = otlpSetting(env, 'COMPRESSION') === 'gzip';
    this.headers = {
      ...headersOf(env),
      'content-type': 'application/json',
      ...(this.gzip ? { 'content-encoding': 'gzip' } : {}),
    };
    this.timeoutMs = Number(otlpSetting(env, 'TIMEOUT')) || 10_000;
    const maxQueue = positive(env.OTEL_BSP_MAX_QUEUE_SIZE, 2048);
    this.maxBatch = Math.min(positive(env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, 512), maxQueue);
    this.maxInFlight = Math.max(1, Math.floor(maxQueue / this.maxBatch));
    this.head = otlpJsonRequestHead(options.resource, options.scope);
  }

  /** Writes an ended span (of this exporter's resource and scope) into the batch. */
  add(span: ReadableSpan): void {
    if (this.spans === 0) this.batch.text(this.head);
    else this.batch.ascii(',');
    writeSpan(this.batch, span);
    this.spans += 1;
    if (this.spans >= this.maxBatch) this.send();
    else this.timer ??= setTimeout(() => this.send(), this.options.delayMs).unref();
  }

  /** Posts the batch now and waits for every post in flight; rejects if one of them failed. */
  async flush(): Promise<void> {
    this.send();
    await Promise.all([...this.inFlight]);
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.spans === 0) return;
    this.batch.ascii(REQUEST_TAIL);
    const body = this.batch.take();
    this.spans = 0;
    if (this.inFlight.size >= this.maxInFlight) return;
    const sending = (this.gzip ? gzipAsync(body) : Promise.resolve(body)).then((payload) =>
      postOtlp({
        target: this.target,
        headers: this.headers,
        body: payload,
        timeoutMs: this.timeoutMs,
        label: 'OTLP endpoint',
      }),
    );
    const tracked: Promise<void> = sending.finally(() => this.inFlight.delete(tracked));
    tracked.catch(() => undefined); // a failure is the flush's to report, never an unhandled rejection
    this.inFlight.add(tracked);
  }
}
