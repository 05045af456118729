/**
 * Head sampling of the gateway's spans (tracing-otel.ts), as the OpenTelemetry SDK's environment
 * configures it: `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`. An unsampled span is still
 * answered and passed on (its `traceparent` with flag 00), only not exported.
 */

/** Which spans are recorded and exported: OTEL_TRACES_SAMPLER and its _ARG, as the SDK reads them. */
export interface GatewaySampler {
  /** Whether a sampled or unsampled parent decides its children (the `parentbased_*` samplers). */
  readonly parentBased: boolean;
  /** The decision for a trace without a parent (or for every span, when not parent-based). */
  sample(traceId: string): boolean;
}

/**
 * The SDK's trace-id ratio decision (TraceIdRatioBasedSampler's), so the gateway and a worker with
 * the same ratio keep or drop the same traces.
 */
function traceIdBelow(ratio: number): (traceId: string) => boolean {
  const upperBound = Math.floor(Math.min(Math.max(ratio, 0), 1) * 0xffffffff);
  return (traceId) => {
    let accumulation = 0;
    for (let at = 0; at < traceId.length; at += 8)
      accumulation = (accumulation ^ Number.parseInt(traceId.slice(at, at + 8), 16)) >>> 0;
    return accumulation < upperBound;
  };
}

/**
 * `OTEL_TRACES_SAMPLER`: `always_on`, `always_off`, `traceidratio` (with `OTEL_TRACES_SAMPLER_ARG`,
 * default 1) or their `parentbased_` forms; the default, and any other value, is the SDK's default
 * `parentbased_always_on`.
 */
export function samplerFromEnv(env: Readonly<Record<string, string | undefined>>): GatewaySampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() ?? 'parentbased_always_on';
  const parentBased = !['always_on', 'always_off', 'traceidratio'].includes(name);
  const root = name.replace(/^parentbased_/, '');
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const sample =
    root === 'always_off'
      ? () => false
      : root === 'traceidratio'
        ? traceIdBelow(env.OTEL_TRACES_SAMPLER_ARG === undefined || Number.isNaN(arg) ? 1 : arg)
        : () => true;
  return { parentBased, sample };
}
