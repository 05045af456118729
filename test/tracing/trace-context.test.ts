/** The W3C trace context rules the gateway applies, and the header key the worker's interceptors read. */
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { describe, expect, it } from 'vitest';
import {
  acceptTraceContext,
  parseTraceparent,
  TEMPORAL_TRACE_HEADER,
} from '../../functions/core/trace-context';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context', () => {
  it('writes the header key @temporalio/interceptors-opentelemetry reads', () => {
    expect(TEMPORAL_TRACE_HEADER).toBe(TRACE_HEADER);
  });

  it('accepts a valid traceparent and keeps its tracestate', () => {
    expect(parseTraceparent(VALID)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(acceptTraceContext({ traceparent: VALID, tracestate: 'congo=t61rcWkgMzE' })).toEqual({
      traceparent: VALID,
      tracestate: 'congo=t61rcWkgMzE',
    });
  });

  it.each([
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero span id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['upper case', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['extra field in version 00', `${VALID}-extra`],
    ['garbage', 'not a traceparent'],
  ])('refuses a %s (a new trace is started instead)', (_, value) => {
    expect(acceptTraceContext({ traceparent: value })).toBeUndefined();
  });

  it('drops an over-long tracestate, never the parent', () => {
    expect(acceptTraceContext({ traceparent: VALID, tracestate: 'a=b,'.repeat(3_000) })).toEqual({
      traceparent: VALID,
    });
  });
});
