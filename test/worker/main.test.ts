import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPORAL_ENV, WORKER_ENV } from '../../contract';
import { DEFAULT_TASK_QUEUE } from '../../contract';
import {
  DEFAULT_SHUTDOWN_GRACE_MS,
  WORKFLOW_BUNDLE_FILE,
  WorkerConfigError,
  loadWorkerSettings,
  locateWorkflows,
} from '../../worker/index';
import { resolveWorkflowSource } from '../../worker/workflow-source';

// A config file that does not exist: keeps a developer's ~/.config/temporalio/temporal.toml out of the tests.
const isolated = { TEMPORAL_CONFIG_FILE: join(tmpdir(), 'no-such-temporal.toml') };

describe('loadWorkerSettings', () => {
  it('defaults to a local dev server, the default namespace and the contract task queue', () => {
    const settings = loadWorkerSettings(isolated);
    expect(settings).toMatchObject({
      namespace: 'default',
      taskQueue: DEFAULT_TASK_QUEUE,
      shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS,
      connectionOptions: { address: '127.0.0.1:7233' },
    });
    expect(settings.connectionOptions.tls).toBeUndefined();
    expect(settings.connectionOptions.apiKey).toBeUndefined();
    expect(settings.workflowBundlePath).toBeUndefined();
  });

  it('connects to Temporal Cloud with an API key over TLS', () => {
    const settings = loadWorkerSettings({
      ...isolated,
      [TEMPORAL_ENV.address]: 'us-east-1.aws.api.temporal.io:7233',
      [TEMPORAL_ENV.namespace]: 'gateway.a1b2c',
      [TEMPORAL_ENV.apiKey]: 'secret-key',
    });
    expect(settings.namespace).toBe('gateway.a1b2c');
    expect(settings.connectionOptions).toMatchObject({
      address: 'us-east-1.aws.api.temporal.io:7233',
      apiKey: 'secret-key',
      tls: true,
    });
  });

  it('connects with mTLS from certificate data in the environment', () => {
    const settings = loadWorkerSettings({
      ...isolated,
      [TEMPORAL_ENV.address]: 'gateway.a1b2c.tmprl.cloud:7233',
      [TEMPORAL_ENV.tlsClientCertData]: '-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----',
      [TEMPORAL_ENV.tlsClientKeyData]: '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----',
    });
    const tls = settings.connectionOptions.tls;
    expect(typeof tls).toBe('object');
    // envconfig hands over bytes (Uint8Array); the SDK copies them into Buffers when connecting.
    const pair = (tls as { clientCertPair?: { crt: Uint8Array; key: Uint8Array } }).clientCertPair;
    expect(Buffer.from(pair?.crt ?? []).toString()).toContain('\ncert\n');
    expect(Buffer.from(pair?.key ?? []).toString()).toContain('\nkey\n');
  });

  it('treats empty variables as unset so an empty API key does not switch TLS on', () => {
    const settings = loadWorkerSettings({
      ...isolated,
      [TEMPORAL_ENV.apiKey]: '',
      [TEMPORAL_ENV.address]: '',
    });
    expect(settings.connectionOptions.apiKey).toBeUndefined();
    expect(settings.connectionOptions.tls).toBeUndefined();
    expect(settings.connectionOptions.address).toBe('127.0.0.1:7233');
  });

  it('reads the task queue, grace time and bundle path', () => {
    expect(
      loadWorkerSettings({
        ...isolated,
        [TEMPORAL_ENV.taskQueue]: 'orders',
        [WORKER_ENV.shutdownGraceMs]: '2500',
        [WORKER_ENV.workflowBundlePath]: '/app/bundle.js',
      }),
    ).toMatchObject({ taskQueue: 'orders', shutdownGraceMs: 2500, workflowBundlePath: '/app/bundle.js' });
  });

  it("uses the worker entry's default task queue when TEMPORAL_TASK_QUEUE is unset", () => {
    expect(loadWorkerSettings(isolated, 'orders').taskQueue).toBe('orders');
    expect(loadWorkerSettings({ ...isolated, [TEMPORAL_ENV.taskQueue]: 'billing' }, 'orders').taskQueue).toBe(
      'billing',
    );
  });

  it('reports every invalid setting together', () => {
    let error: unknown;
    try {
      loadWorkerSettings({
        ...isolated,
        [WORKER_ENV.shutdownGraceMs]: 'soon',
        [TEMPORAL_ENV.taskQueue]: '  ',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkerConfigError);
    const problems = (error as WorkerConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/WORKER_SHUTDOWN_GRACE_MS must be a non-negative integer/);
    expect(problems[1]).toMatch(/TEMPORAL_TASK_QUEUE must not be blank/);
  });

  it('reports an unreadable connection setting with its cause', () => {
    const error = (() => {
      try {
        loadWorkerSettings({
          ...isolated,
          TEMPORAL_TLS_CLIENT_CERT_PATH: '/no/such/cert.pem',
          TEMPORAL_TLS_CLIENT_KEY_PATH: '/no/such/key.pem',
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(WorkerConfigError);
    expect((error as WorkerConfigError).message).toMatch(/Temporal connection settings/);
    expect((error as WorkerConfigError).cause).toBeDefined();
  });
});

describe('locateWorkflows and resolveWorkflowSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'workflow-source-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function layout(name: string, files: string[]): Promise<URL> {
    const root = join(dir, name);
    for (const file of files) {
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), '');
    }
    await mkdir(root, { recursive: true });
    return pathToFileURL(join(root, 'main.js'));
  }

  it('prefers the prebundled workflows next to the entry', async () => {
    const base = await layout('built', [WORKFLOW_BUNDLE_FILE, 'workflows/index.ts']);
    const located = locateWorkflows(base, './workflows/index.ts');
    expect(located).toEqual({ workflowBundle: { codePath: join(dir, 'built', WORKFLOW_BUNDLE_FILE) } });
    expect(resolveWorkflowSource(located)).toEqual({
      kind: 'bundle',
      path: join(dir, 'built', WORKFLOW_BUNDLE_FILE),
    });
  });

  it('falls back to the workflow sources in dev', async () => {
    const base = await layout('dev', ['workflows/index.ts']);
    expect(resolveWorkflowSource(locateWorkflows(base, './workflows/index.ts'))).toEqual({
      kind: 'workflowsPath',
      path: join(dir, 'dev', 'workflows', 'index.ts'),
    });
  });

  it('fails clearly when there is neither a bundle nor sources', async () => {
    const base = await layout('empty', []);
    expect(() => resolveWorkflowSource(locateWorkflows(base, './workflows/index.ts'))).toThrow(
      /run the build or set WORKER_WORKFLOW_BUNDLE/,
    );
    expect(() => resolveWorkflowSource({})).toThrow(/pass workflowsPath or workflowBundle/);
    expect(() => resolveWorkflowSource({ workflowBundle: { codePath: join(dir, 'none.js') } })).toThrow(
      WorkerConfigError,
    );
  });

  it('uses an explicitly configured bundle, and refuses a missing one instead of falling back', async () => {
    const base = await layout('explicit', ['custom.js', 'workflows/index.ts']);
    const located = locateWorkflows(base, './workflows/index.ts');
    expect(resolveWorkflowSource(located, join(dir, 'explicit', 'custom.js'))).toEqual({
      kind: 'bundle',
      path: join(dir, 'explicit', 'custom.js'),
    });
    expect(() => resolveWorkflowSource(located, join(dir, 'explicit', 'missing.js'))).toThrow(
      WorkerConfigError,
    );
  });

  it('takes in-memory code as given', () => {
    expect(resolveWorkflowSource({ workflowBundle: { code: 'x' }, workflowsPath: '/nowhere' })).toEqual({
      kind: 'code',
      code: 'x',
    });
  });
});
