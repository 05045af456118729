/**
 * A real local stack for the security suite: the Temporal dev server and ElasticMQ (test/support),
 * and the gateway (`local/gateway-main.ts`: the HTTP app plus the queue consumers) and the staged
 * worker (`worker/main.ts`) as child processes, exactly as `npm run dev` runs them — API-key auth,
 * every demo webhook source with a secret, callback URLs, the fallback queue and the DLQs. Every
 * line either process writes is kept, so a test can grep the stack's whole log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CALLBACK_ENV } from '../../../contract/callbacks';
import { HANDSHAKE } from '../../../contract/demo-handshake';
import { DEMO_SOURCE_SECRET_ENV, GATEWAY_ENV, TEMPORAL_ENV } from '../../../functions/core/env-names';
import { freePort } from '../../support/free-port';
import { startSqsStack, type SqsStack } from '../../support/sqs-stack';
import { uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Every secret the stack holds: the log test looks for each of them. */
export interface StackSecrets {
  apiKey: string;
  sources: Record<keyof typeof DEMO_SOURCE_SECRET_ENV, string>;
  callbackKeys: string;
  callbackSecret: string;
  envelopeKey: string;
}

export interface SecurityStack {
  url: string;
  temporal: TestWorkflowEnvironment;
  sqs: SqsStack;
  taskQueue: string;
  outboxDir: string;
  secrets: StackSecrets;
  /** Everything the gateway and the worker wrote so far, stdout and stderr. */
  logs(): string;
  stop(): Promise<void>;
}

function newSecrets(): StackSecrets {
  const random = (bytes = 24) => randomBytes(bytes).toString('hex');
  const callbackSecret = random(32);
  return {
    apiKey: `k_sec_${random(16)}`,
    sources: {
      stripe: `whsec_${random()}`,
      github: `gh_${random()}`,
      // Standard Webhooks secrets are base64 after their prefix.
      'standard-webhooks': `whsec_${randomBytes(24).toString('base64')}`,
      slack: random(16),
      shopify: `shpss_${random()}`,
      partner: `partner_${random()}`,
    },
    callbackKeys: `sec1:${callbackSecret}`,
    callbackSecret,
    envelopeKey: random(32),
  };
}

function spawnTsx(entry: string, env: Record<string, string>, output: string[]): ChildProcess {
  // Nothing inherited that would point the child elsewhere (a developer's TEMPORAL_ADDRESS, keys).
  const { TEMPORAL_ADDRESS: _a, SQS_ENDPOINT: _s, GATEWAY_API_KEYS: _k, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, logs: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not come up in ${timeoutMs} ms; output so far:\n${logs().slice(-4000)}`);
}

export async function startSecurityStack(): Promise<SecurityStack> {
  const [temporal, sqs, port] = await Promise.all([
    sharedTemporal(),
    startSqsStack({ visibilityTimeoutSeconds: 5 }),
    freePort(),
  ]);
  const secrets = newSecrets();
  const taskQueue = uniqueName('security');
  const outboxDir = mkdtempSync(join(tmpdir(), 'security-outbox-'));
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const logs = () => output.join('');
  const common = {
    [TEMPORAL_ENV.address]: temporal.address,
    [TEMPORAL_ENV.taskQueue]: taskQueue,
    [CALLBACK_ENV.signingKeys]: secrets.callbackKeys,
    [CALLBACK_ENV.baseUrl]: url,
  };
  const worker = spawnTsx(
    'worker/main.ts',
    { ...common, [HANDSHAKE.outboxEnv]: outboxDir, WORKER_SHUTDOWN_GRACE_MS: '1000' },
    output,
  );
  const gateway = spawnTsx(
    'local/gateway-main.ts',
    {
      ...common,
      [GATEWAY_ENV.port]: String(port),
      [GATEWAY_ENV.auth]: 'api-key',
      [GATEWAY_ENV.apiKeys]: secrets.apiKey,
      [GATEWAY_ENV.envelopeKey]: secrets.envelopeKey,
      [GATEWAY_ENV.sqsEndpoint]: sqs.sqs.endpoint,
      AWS_REGION: sqs.sqs.region,
      [GATEWAY_ENV.queueUrl]: sqs.queues.events.url,
      [GATEWAY_ENV.dlqUrl]: sqs.queues.eventsDlq.url,
      [GATEWAY_ENV.fifoDlqUrl]: sqs.queues.eventsDlqFifo.url,
      [GATEWAY_ENV.temporalDeadlineMs]: '20000',
      ...Object.fromEntries(
        Object.entries(DEMO_SOURCE_SECRET_ENV).map(([name, variable]) => [
          variable,
          secrets.sources[name as keyof typeof DEMO_SOURCE_SECRET_ENV],
        ]),
      ),
    },
    output,
  );
  const stack: SecurityStack = {
    url,
    temporal,
    sqs,
    taskQueue,
    outboxDir,
    secrets,
    logs,
    async stop() {
      await Promise.all([stopChild(gateway), stopChild(worker)]);
      await sqs.stop();
      await stopSharedTemporal();
      rmSync(outboxDir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntil('the gateway', async () => (await fetch(`${url}/healthz`)).ok, 120_000, logs);
    await waitUntil(
      'the worker',
      async () => {
        const { pollers } = await temporal.client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
        });
        return pollers.length > 0;
      },
      120_000,
      logs,
    );
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
