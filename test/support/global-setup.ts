import { ensureLocalKms } from '../../local/kms-server';
import { ensureOtelCollector } from '../../local/otel-collector';
import { ensureGofakes3 } from '../../local/s3-server';
import { ensureTemporalCli } from '../../local/temporal-cli';
import { ensureZipkinJar } from '../../local/zipkin';

/**
 * Builds, once, what the default suite's servers run (minutes on a fresh machine, milliseconds once
 * cached) before any test file starts one: the Temporal CLI, the KMS and S3 emulators, and the trace
 * backend (Zipkin and the OpenTelemetry Collector). A test's own hook would have to fit a cold build
 * into its timeout, and two Go builds at once on two cores are slower than one after the other. The
 * fidelity suites' tools (Lambda emulator, Node 24/26, Python, Chromium) are `npm run tools`' job.
 */
export default async function setup(): Promise<void> {
  const log = (line: string) => console.log(line);
  process.env.TEMPORAL_CLI = await ensureTemporalCli(log);
  await ensureLocalKms(log);
  await ensureGofakes3(log);
  await ensureOtelCollector(log);
  await ensureZipkinJar(log);
}
