/**
 * Builds (or finds in the cache) every tool the fidelity suites run: the Lambda emulator, Node 24
 * and 26, AWS's runtime client for each, the self-hosted Temporal Server, the KMS and S3 emulators,
 * the local trace backend (Zipkin and an OpenTelemetry Collector), the Python environment with
 * cfn-lint and schemathesis, and Debian's Chromium for the events page's browser test. `npm run tools` prints their paths; CI runs it once before the suites so their setup
 * only finds what is built.
 */
import { ensureLambdaRic } from './lambda-ric';
import { ensureLambdaRie } from './lambda-rie';
import { ensureLocalKms } from './kms-server';
import { ensureNodeRuntime } from './node-runtime';
import { ensureOtelCollector } from './otel-collector';
import { ensurePythonTools } from './python-tools';
import { ensureGofakes3 } from './s3-server';
import { ensureTemporalServer } from './temporal-server';
import { ensureZipkinJar } from './zipkin';
import { isProcessEntry } from './process-entry';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium package: the browser test drives it with playwright-core, never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Chromium from Debian's packages: found, else installed with apt-get when we are root (CI), else
 * the command to run is the error.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const command = ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium'];
  if (process.getuid?.() !== 0) {
    throw new Error(`${CHROMIUM_PATH} is missing: run \`sudo ${command.join(' ')}\` (Debian's package).`);
  }
  try {
    execFileSync(command[0]!, command.slice(1), { stdio: 'inherit' });
  } catch {
    // A fresh image has no package lists yet.
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync(command[0]!, command.slice(1), { stdio: 'inherit' });
  }
  return CHROMIUM_PATH;
}

export interface TestTools {
  rie: string;
  node24: string;
  ric: string;
  node26: string;
  ric26: string;
  temporalServer: string;
  /** The KMS emulator behind the payload encryption tests. */
  localKms: string;
  /** The S3 emulator behind the large payload tests. */
  gofakes3: string;
  /** The interpreter of the environment holding cfn-lint and schemathesis. */
  python: string;
  /** The local trace backend: Zipkin's server jar and the OTLP→Zipkin collector in front of it. */
  zipkin: string;
  otelCollector: string;
  /** Debian's Chromium, for the events page's browser test. */
  chromium: string;
}

/** One build at a time: two Go builds at once on two cores are slower than one after the other. */
export async function ensureTestTools(): Promise<TestTools> {
  const [node24, node26] = [await ensureNodeRuntime(24), await ensureNodeRuntime(26)];
  // The native runtime-client builds run mostly make/cmake; the Go builds overlap them well enough.
  const ric = ensureLambdaRic(24).then(async (ric24) => [ric24, await ensureLambdaRic(26)] as const);
  const rie = await ensureLambdaRie();
  const temporalServer = await ensureTemporalServer();
  const localKms = await ensureLocalKms();
  const gofakes3 = await ensureGofakes3();
  const otelCollector = await ensureOtelCollector();
  const zipkin = await ensureZipkinJar();
  const { python } = await ensurePythonTools();
  const chromium = ensureChromium();
  const [ric24, ric26] = await ric;
  return {
    rie,
    node24,
    ric: ric24,
    node26,
    ric26,
    temporalServer,
    localKms,
    gofakes3,
    python,
    zipkin,
    otelCollector,
    chromium,
  };
}

if (isProcessEntry(import.meta.url)) {
  const tools = await ensureTestTools();
  for (const [name, path] of Object.entries(tools)) console.log(`${name}\t${path}`);
}
