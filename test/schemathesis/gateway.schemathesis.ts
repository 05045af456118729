/**
 * schemathesis (pinned, from PyPI) against the OpenAPI document the real gateway serves: the local
 * gateway app on a loopback port, connected to a real Temporal dev server with a worker for the
 * staged demo, so generated signals, updates and queries reach real workflows. Checks: no 5xx, every
 * response matches its documented schema, every status code is documented.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_ENV } from '../../contract/callbacks';
import { silentLogger } from '../../functions/adapters/logger';
import { DEMO_SOURCE_SECRET_ENV } from '../../functions/core/env-names';
import { startGatewayServer, type GatewayServer } from '../../local/gateway-server';
import { ensurePythonTools } from '../../local/python-tools';
import { startStagedWorker, uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';

const execFileAsync = promisify(execFile);

/** Enough to find what the examples and boundary values miss, bounded for CI (runs once per operation). */
const MAX_EXAMPLES = 30;
const CHECKS = ['not_a_server_error', 'response_schema_conformance', 'status_code_conformance'];

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;
let gateway: GatewayServer;
let reportDir: string;
let run: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  const tools = await ensurePythonTools();
  env = await sharedTemporal();
  const taskQueue = uniqueName('schemathesis');
  worker = await startStagedWorker(env, taskQueue);
  gateway = await startGatewayServer({
    logger: silentLogger,
    // A fully configured gateway: every demo webhook source has its secret and callbacks have a
    // signing key, so requests reach verification instead of "not configured".
    env: {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ...Object.fromEntries(
        Object.values(DEMO_SOURCE_SECRET_ENV).map((name) => [
          name,
          `whsec_${Buffer.from(`schemathesis-${name}-secret`).toString('base64')}`,
        ]),
      ),
      [CALLBACK_ENV.signingKeys]: `k1:${randomBytes(32).toString('base64url')}`,
    },
  });
  reportDir = await mkdtemp(join(tmpdir(), 'schemathesis-'));
  const args = [
    ...tools.schemathesis,
    'run',
    `${gateway.url}/openapi.json`,
    '--url',
    gateway.url,
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    String(MAX_EXAMPLES),
    // The stateful phase chains responses into ever longer URLs; past Node's 16 KiB header limit the
    // HTTP server itself answers 431 and resets the connection while the client still writes — a
    // network error schemathesis reports, from Node, not the gateway (seen once in a CI run).
    '--phases',
    'examples,coverage,fuzzing',
    '--seed',
    '13',
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--report',
    'junit',
    '--report-junit-path',
    join(reportDir, 'junit.xml'),
  ];
  run = await execFileAsync(tools.python, args, {
    maxBuffer: 64 * 1024 * 1024,
    // schemathesis keeps a cache directory in its working directory.
    cwd: reportDir,
    env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: unknown; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
});

afterAll(async () => {
  await gateway?.close();
  await worker?.stop();
  await stopSharedTemporal();
  if (reportDir) await rm(reportDir, { recursive: true, force: true });
});

describe('schemathesis against the served OpenAPI document', () => {
  it('tests every operation the document declares', async () => {
    const doc = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const junit = await readFile(join(reportDir, 'junit.xml'), 'utf8');
    const tested = [...junit.matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((match) => match[1]);
    expect(new Set(tested)).toEqual(new Set(operations));
    // An operation no value can be generated for (an unsupported pattern) is a schema error, not a pass.
    expect(junit).not.toMatch(/<(error|skipped)\b/);
  });

  it('finds no server error, no schema violation and no undocumented status', () => {
    const summary = /(\d+) generated, (\d+) passed/.exec(run.stdout);
    console.log(`schemathesis: ${summary?.[0] ?? 'no summary'} (max ${MAX_EXAMPLES} examples per operation)`);
    expect(run.code, run.stdout.slice(-12_000) + run.stderr).toBe(0);
    expect(summary?.[1]).toBe(summary?.[2]);
  });
});
