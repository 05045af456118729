/**
 * fast-check settings shared by the fuzzers. `npm test` runs a fixed seed, so CI is deterministic and
 * a red build is reproducible; the reliability runner asks for a fresh seed and more runs, and the
 * report records the seed, so anything it finds can be replayed with RELIABILITY_FUZZ_SEED=<seed>.
 */
const seedSetting = process.env.RELIABILITY_FUZZ_SEED;

export const FUZZ_SEED =
  seedSetting === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(seedSetting ?? 20_261_123);

/** Runs per property (some properties scale it). */
export const FUZZ_RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 100);

export function fuzzParameters(scale = 1) {
  return { numRuns: Math.max(1, Math.round(FUZZ_RUNS * scale)), seed: FUZZ_SEED, endOnFailure: true };
}
