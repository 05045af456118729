import { ensureTemporalCli } from '../../local/temporal-cli';

/** Builds the Temporal CLI once (minutes on a fresh machine) before any test file starts a server. */
export default async function setup(): Promise<void> {
  process.env.TEMPORAL_CLI = await ensureTemporalCli((line) => console.log(line));
}
