/** Settings: log retention, where alarms go and where traces go. */
import type { z } from 'zod';
import { TraceDestination, type TracingProps } from '../../index';
import { text, wholeNumber } from './source';

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const observabilityShape = {
  /** Keep an event log (issue 30) for this many days; unset: no event log. */
  eventLogRetentionDays: wholeNumber(),
  logRetentionDays: wholeNumber().refine(
    (days) => days === undefined || (LOG_RETENTION_DAYS as readonly number[]).includes(days),
    `must be a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`,
  ),
  alarmTopicArn: text(
    /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/,
    'must be an SNS topic ARN',
  ),
  oldestMessageAgeAlarmSeconds: wholeNumber(),
  /** `xray` (X-Ray's OTLP endpoint) or a collector's OTLP/HTTP base URL: the gateway's and the worker's spans. */
  tracesTo: text(/^(xray|https?:\/\/\S+)$/, "must be 'xray' or a collector's http(s) OTLP base URL"),
};

export type Observability = z.output<z.ZodObject<typeof observabilityShape>>;

/** The `tracing` prop both stacks pass (the same destination, so one trace spans gateway and worker). */
export function tracingOf(settings: Pick<Observability, 'tracesTo'>): TracingProps | undefined {
  const { tracesTo } = settings;
  if (tracesTo === undefined) return undefined;
  return { otlp: tracesTo === 'xray' ? TraceDestination.xray() : TraceDestination.collector(tracesTo) };
}
