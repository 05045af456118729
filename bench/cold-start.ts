/**
 * Cold start to the first delivered signal: a fresh `node` imports a Lambda bundle (as Lambda's
 * init does), then invokes its handler once with a real-shaped event that signals a running
 * workflow on the dev server; the sample is process start → the handler's 202 (connect, TLS-less
 * gRPC handshake and the signal acknowledged by Temporal included). The gateway's ingest bundle and
 * the bare `@temporalio/client` bundle take turns, each signalling its own pre-started workflows.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../functions/core/env-names';
import { lambdaEnv, type BundledLambda } from './lambda-init';
import { median, round } from './stats';

const RUNNER = [
  'const m = await import(process.env.BENCH_BUNDLE_URL);',
  'const importedMs = performance.now();',
  'const response = await m.handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: "cold", functionName: "bench" });',
  'const signalledMs = performance.now();',
  'const cpu = process.cpuUsage();',
  'const cpuMs = (cpu.user + cpu.system) / 1000;',
  'console.log(JSON.stringify({ importedMs, signalledMs, cpuMs, status: response.statusCode, body: response.body }));',
  'process.exit(0);',
].join('\n');

interface ColdSample {
  importedMs: number;
  signalledMs: number;
  /** CPU of the whole process (every thread) up to the answer: steadier than wall time on a shared machine. */
  cpuMs: number;
  status: number;
  body: string;
}

/** An HTTP API (payload v2) event posting `body` to a workflow's signal. */
export function signalEvent(
  workflowId: string,
  signal: string,
  body: unknown,
  apiKey: string,
): APIGatewayProxyEventV2 {
  const path = `/v1/workflows/${workflowId}/signals/${signal}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, host: 'bench.local' },
    pathParameters: { workflowId, signal },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'cold',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

function runOnce(bundle: BundledLambda, env: Record<string, string>): Promise<ColdSample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER], {
      env: { ...env, BENCH_BUNDLE_URL: pathToFileURL(bundle.path).href },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`cold start of ${bundle.label} exited with ${code}: ${err.trim().slice(0, 1500)}`));
        return;
      }
      resolve(JSON.parse(line) as ColdSample);
    });
  });
}

export interface ColdStartTimes {
  /** Median ms from process start to the handler's answer (signal acknowledged). */
  toFirstSignalMs: number;
  /** Median ms from process start to the module loaded (the init part of it). */
  initMs: number;
  /** Median CPU ms of the process up to the answer. */
  cpuMs: number;
  samples: number[];
}

/**
 * `runs` cold starts per bundle, taking turns. `workflowIds(label, run)` names a running workflow
 * to signal; the answer must be a 2xx or the run fails (a cold start that did not deliver is no sample).
 * `extraEnv` adds to a bundle's function environment (e.g. the payload encryption key).
 */
export async function measureColdStarts(
  bundles: readonly BundledLambda[],
  runs: number,
  temporalAddress: string,
  apiKey: string,
  workflowId: (label: string, run: number) => string,
  extraEnv: (bundle: BundledLambda) => Record<string, string> = () => ({}),
): Promise<Record<string, ColdStartTimes>> {
  const samples = new Map<string, ColdSample[]>(bundles.map((bundle) => [bundle.label, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const bundle of run % 2 === 0 ? bundles : [...bundles].reverse()) {
      const env = {
        ...lambdaEnv(bundle.variant, true),
        ...extraEnv(bundle),
        [TEMPORAL_ENV.address]: temporalAddress,
        [GATEWAY_ENV.apiKeys]: apiKey,
        BENCH_EVENT: JSON.stringify(
          signalEvent(workflowId(bundle.label, run), 'advanceStage', { stage: 1 }, apiKey),
        ),
      };
      const sample = await runOnce(bundle, env);
      if (sample.status < 200 || sample.status >= 300) {
        throw new Error(`cold start of ${bundle.label} answered ${sample.status}: ${sample.body}`);
      }
      samples.get(bundle.label)!.push(sample);
    }
  }
  return Object.fromEntries(
    [...samples].map(([label, list]) => [
      label,
      {
        toFirstSignalMs: round(median(list.map((s) => s.signalledMs))),
        initMs: round(median(list.map((s) => s.importedMs))),
        cpuMs: round(median(list.map((s) => s.cpuMs))),
        samples: list.map((s) => round(s.signalledMs)),
      },
    ]),
  );
}
