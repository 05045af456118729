/**
 * Builds (or finds in the cache) every tool the fidelity suites run: the Lambda emulator, Node 24,
 * AWS's runtime client for it, the self-hosted Temporal Server, and the Python environment with
 * cfn-lint and schemathesis. `npm run tools` prints their
 * paths; CI runs it once before the suites so their setup only finds what is built.
 */
import { ensureLambdaRic } from './lambda-ric';
import { ensureLambdaRie } from './lambda-rie';
import { ensureNode24 } from './node24';
import { ensurePythonTools } from './python-tools';
import { ensureTemporalServer } from './temporal-server';
import { isProcessEntry } from '../scripts/process-entry';

export interface TestTools {
  rie: string;
  node24: string;
  ric: string;
  temporalServer: string;
  /** The interpreter of the environment holding cfn-lint and schemathesis. */
  python: string;
}

/** One build at a time: two Go builds at once on two cores are slower than one after the other. */
export async function ensureTestTools(): Promise<TestTools> {
  const node24 = await ensureNode24();
  // The native runtime-client build runs mostly make/cmake; the Go builds overlap it well enough.
  const ric = ensureLambdaRic();
  const rie = await ensureLambdaRie();
  const temporalServer = await ensureTemporalServer();
  const { python } = await ensurePythonTools();
  return { rie, node24, ric: await ric, temporalServer, python };
}

if (isProcessEntry(import.meta.url)) {
  const tools = await ensureTestTools();
  for (const [name, path] of Object.entries(tools)) console.log(`${name}\t${path}`);
}
