/**
 * The `tracing` props of `TemporalEventGateway` and `TemporalWorkerService` (issue 29): where the
 * gateway functions' and the worker's OpenTelemetry spans go. Off unless given.
 */
import type * as ecs from 'aws-cdk-lib/aws-ecs';

/** Where spans are exported to: X-Ray's OTLP endpoint, or an OTLP/HTTP collector the team runs. */
export class TraceDestination {
  /**
   * The region's X-Ray OTLP endpoint, `https://xray.<region>.amazonaws.com/v1/traces` (SigV4, IAM
   * `xray:PutSpans`). The account must have CloudWatch Transaction Search enabled, or X-Ray refuses
   * OTLP spans. Spans show in CloudWatch's Transaction Search and trace map, beside the functions'
   * own X-Ray segments (active tracing stays on).
   */
  static xray(): TraceDestination {
    return new TraceDestination('xray', undefined);
  }

  /**
   * An OTLP/HTTP collector of the team's, by its base URL (e.g. `http://collector.internal:4318`:
   * exporters append `/v1/traces`). The functions and the worker's sidecar must reach it (a VPC for
   * the functions, `functionsInVpc`). It gets plain OTLP: no signing, no headers.
   */
  static collector(endpoint: string): TraceDestination {
    return new TraceDestination('collector', endpoint);
  }

  private constructor(
    readonly kind: 'xray' | 'collector',
    /** The collector's base URL (`collector` only). */
    readonly endpoint: string | undefined,
  ) {}
}

export interface TracingProps {
  /** Where the spans go. */
  readonly otlp: TraceDestination;
}

export interface WorkerTracingProps extends TracingProps {
  /**
   * The collector sidecar the worker exports to on `127.0.0.1:4318`, which forwards to `otlp` (with
   * SigV4 for X-Ray). Any OpenTelemetry Collector image with the `otlp` receiver, `batch` processor,
   * `otlphttp` exporter, `sigv4auth` extension and the `env:` config scheme fits, e.g. the upstream
   * `otel/opentelemetry-collector-contrib`. The image is only referenced: nothing is built.
   * @default the AWS Distro for OpenTelemetry collector, {@link ADOT_COLLECTOR_IMAGE}
   */
  readonly collectorImage?: ecs.ContainerImage;
}

/** The ADOT collector image the worker's sidecar runs by default (ARM64 and x86-64). */
export const ADOT_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.45.0';
