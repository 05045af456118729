/** Small statistics for the benchmarks: percentiles by nearest rank, rounding for reports. */
import { EventGatewayError } from '../contract/errors';

export class EmptySampleError extends EventGatewayError {
  override readonly name = 'EmptySampleError';

  constructor(what: string) {
    super(`No samples for ${what}: the measurement produced nothing to summarise.`);
  }
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number, what = 'a percentile'): number {
  if (samples.length === 0) throw new EmptySampleError(what);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const median = (samples: readonly number[], what = 'a median'): number =>
  percentile(samples, 50, what);

/** Rounds to `digits` decimals; reports never need more. */
export const round = (value: number, digits = 1): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

export const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
