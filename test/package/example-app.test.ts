/**
 * The package as a team gets it: `npm pack`, the tarball installed with examples/order-fulfilment in
 * a fresh directory outside this repository (`npm ci`: every other package at the versions of the
 * app's lock file, so neither npm's cache nor today's registry changes what is tested; drift is
 * `npm run test:latest`'s job), then
 * - `cdk synth` there with no AWS credentials and no Docker engine: the template has the app's task
 *   queue, its routes and its worker image — so a file missing from the package fails this test;
 * - the app's own worker as its image runs it (TemporalWorkerImage.fromEntry's bundle of runWorker and
 *   the app's activities, the prebundled workflows, the packages its package.json installs) on a
 *   real Temporal dev server, its order workflow driven through the gateway by a CloudEvent over HTTP
 *   and a message on SQS, with the routing file the synth produced;
 * - the package's `event-gateway` CLI as `npx event-gateway` runs it there (no sources, no tsx):
 *   help and version, the dispatch event enqueued with it, the dead-letter queue listed with it.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../functions/core/env-names';
import { CALLBACK_ENV } from '../../contract/callbacks';
import { freePort } from '../support/free-port';
import { startSqsStack, type SqsStack } from '../support/sqs-stack';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'teg-package-'));
const CALLBACK_KEYS = `k1:${randomBytes(32).toString('base64url')}`;
const appDir = join(work, 'order-fulfilment');
const children = new Set<ChildProcess>();

/** No AWS credentials, no Docker: what a fresh machine has. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return env;
}

function run(command: string, args: string[], cwd: string, env = cleanEnv()): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  // prepack builds dist/lib and dist/lambda first.
  const packed = run('npm', ['pack', '--silent', '--pack-destination', work], repoRoot, {
    ...process.env,
  }).trim();
  const tarball = join(work, packed.split('\n').pop() ?? '');
  cpSync(join(repoRoot, 'examples', 'order-fulfilment'), appDir, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|cdk\.out)$/.test(source),
  });
  useLibraryTarball(tarball);
  // Exactly the locked versions, whatever npm's cache holds or the registry published since.
  run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], appDir);
}, 900_000);

/**
 * The app's package.json and its lock (kept current by `npm run lock:example`) take the library
 * from the tarball instead of the repository; every other package stays pinned by the lock.
 */
function useLibraryTarball(tarball: string): void {
  const spec = `file:${tarball}`;
  const pkgPath = join(appDir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { dependencies: Record<string, string> };
  pkg.dependencies['temporal-event-gateway'] = spec;
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));

  const lockPath = join(appDir, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as {
    packages: Record<
      string,
      { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
    >;
  };
  const library = lock.packages['node_modules/temporal-event-gateway'] as Record<string, unknown> | undefined;
  const ours = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  const current =
    library &&
    JSON.stringify([library.dependencies, library.peerDependencies]) ===
      JSON.stringify([ours.dependencies, ours.peerDependencies]);
  if (!current) {
    throw new Error(
      "examples/order-fulfilment/package-lock.json does not match the library's dependencies: run `npm run lock:example`",
    );
  }
  lock.packages['']!.dependencies!['temporal-event-gateway'] = spec;
  library.resolved = spec;
  delete library.integrity;
  writeFileSync(lockPath, JSON.stringify(lock, null, 2));
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await stopSharedTemporal();
  rmSync(work, { recursive: true, force: true });
});

/** `npx event-gateway …` in the app: the bin of the installed package, without the network. */
function eventGateway(args: string[]) {
  const result = spawnSync('npx', ['--no-install', 'event-gateway', ...args], {
    cwd: appDir,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface TemplateJson {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, string> }
  >;
}

let cdkOut: string;
let template: TemplateJson;
/** The worker image's build context that the synth staged. */
let imageDir: string;

function resourcesOf(type: string) {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

describe('the packed library in a fresh app', () => {
  it('ships compiled JS, declarations and the prebuilt handlers, not our sources', () => {
    const installed = join(appDir, 'node_modules', 'temporal-event-gateway');
    const files = readdirSync(installed, { recursive: true }).map(String);
    expect(files).toEqual(expect.arrayContaining(['dist/lib/infra/index.js', 'dist/lib/infra/index.d.ts']));
    for (const handler of ['http', 'sqs', 'backlog-metric'])
      expect(files).toContain(`dist/lambda/${handler}/index.mjs`);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('runs the event-gateway CLI from the package: help, version, and a usage error exits 2', () => {
    const installed = join(appDir, 'node_modules', 'temporal-event-gateway');
    // No sources beside the bin: it runs the compiled CLI, so tsx (our devDependency) is not needed.
    expect(existsSync(join(installed, 'local'))).toBe(false);
    const help = eventGateway(['--help']);
    expect(help).toMatchObject({ status: 0, stderr: '' });
    for (const command of ['send', 'enqueue', 'dlq list', 'dlq redrive'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const version = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string };
    expect(eventGateway(['--version'])).toMatchObject({ status: 0, stdout: `${version.version}\n` });
    expect(eventGateway(['send', '--workflow-id', 'order-1'])).toMatchObject({ status: 2 });
  }, 300_000);

  it('synthesizes with cdk synth, without credentials or Docker: task queue, routes and worker image', () => {
    cdkOut = join(appDir, 'cdk.out');
    run(join(appDir, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', cdkOut], appDir);
    template = JSON.parse(
      readFileSync(join(cdkOut, 'OrderFulfilment.template.json'), 'utf8'),
    ) as TemplateJson;

    const [[, taskDefinition] = []] = resourcesOf('AWS::ECS::TaskDefinition');
    const container = (taskDefinition?.Properties?.ContainerDefinitions as Array<Record<string, unknown>>)[0];
    expect(container?.Environment).toContainEqual({ Name: TEMPORAL_ENV.taskQueue, Value: 'orders' });
    expect(JSON.stringify(container?.Image)).toContain('container-assets');

    const assets = JSON.parse(readFileSync(join(cdkOut, 'OrderFulfilment.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile?: string } }>;
    };
    const images = Object.values(assets.dockerImages);
    expect(images).toHaveLength(1);
    // TemporalWorkerImage.fromEntry: the entry bundled with the app's esbuild, the workflows
    // prebundled, a generated Dockerfile and the packages the bundle loads at the app's locked versions.
    imageDir = join(cdkOut, images[0]!.source.directory);
    expect(readdirSync(imageDir).sort()).toEqual([
      'Dockerfile',
      'main.js',
      'main.js.map',
      'package-lock.json',
      'package.json',
      'workflow-bundle.js',
    ]);
    const imagePkg = JSON.parse(readFileSync(join(imageDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const appLock = JSON.parse(readFileSync(join(appDir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    expect(Object.keys(imagePkg.dependencies)).toEqual(
      expect.arrayContaining(['@temporalio/activity', '@temporalio/worker']),
    );
    for (const [name, version] of Object.entries(imagePkg.dependencies))
      expect({ name, version }).toEqual({ name, version: appLock.packages[`node_modules/${name}`]?.version });
    // The library is inlined (a file: dependency could not be installed in the image); the CDK is not loaded.
    for (const absent of ['temporal-event-gateway', 'aws-cdk-lib', 'constructs', 'zod'])
      expect(imagePkg.dependencies[absent]).toBeUndefined();

    const ingest = resourcesOf('AWS::Lambda::Function').find(
      ([, fn]) =>
        (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables[GATEWAY_ENV.auth],
    );
    const codeDir = join(cdkOut, ingest?.[1].Metadata?.['aws:asset:path'] ?? 'missing');
    const routing = JSON.parse(readFileSync(join(codeDir, 'gateway-config.json'), 'utf8')) as {
      targets: Array<{ workflowIdPattern: string; taskQueue: string }>;
      routes: Array<{ name: string }>;
    };
    expect(routing.targets[0]).toMatchObject({
      workflowIdPattern: '^order-[0-9]{1,12}$',
      taskQueue: 'orders',
    });
    expect(routing.routes.map((route) => route.name)).toEqual(['payment-received', 'shipment-dispatched']);
    expect(readdirSync(codeDir)).toContain('index.mjs');
  }, 300_000);
});

describe("the app's order workflow, end to end through the gateway", () => {
  let temporal: TestWorkflowEnvironment;
  let sqs: SqsStack;
  let gatewayUrl: string;

  function start(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    const append = (chunk: Buffer) => (output += chunk.toString());
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const waitFor = async (pattern: RegExp, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${output}`);
        if (Date.now() > deadline) throw new Error(`${name} did not log ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    return { child, waitFor, output: () => output };
  }

  beforeAll(async () => {
    [temporal, sqs] = await Promise.all([sharedTemporal(), startSqsStack()]);
  }, 300_000);

  afterAll(async () => {
    await sqs?.stop();
  });

  it('waits for the payment (HTTP CloudEvent) and the dispatch (SQS message) and returns both', async () => {
    // The app's build step: its workflows prebundled by the package's helper, beside worker/main.ts.
    run(join(appDir, 'node_modules', '.bin', 'tsx'), ['scripts/build-worker.ts'], appDir);
    expect(existsSync(join(appDir, 'worker', 'workflow-bundle.js'))).toBe(true);

    const temporalEnv = {
      [TEMPORAL_ENV.address]: temporal.address,
      [TEMPORAL_ENV.namespace]: temporal.namespace ?? 'default',
      TEMPORAL_CONFIG_FILE: join(work, 'no-such-temporal.toml'),
      // The worker mints the warehouse's callback URLs with the key the gateway verifies with.
      [CALLBACK_ENV.signingKeys]: CALLBACK_KEYS,
    };
    // The worker as its image runs it: the bundle the synth staged, with the packages the image's
    // deps stage installs (the same `npm install --omit=dev` of its package.json and lock file).
    const image = join(work, 'worker-image');
    cpSync(imageDir, image, { recursive: true });
    run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], image);
    expect(existsSync(join(image, 'node_modules', 'temporal-event-gateway'))).toBe(false);
    const dockerfile = readFileSync(join(image, 'Dockerfile'), 'utf8');
    const bundleEnv = /^ENV (WORKER_WORKFLOW_BUNDLE)=\/app\/(\S+)$/m.exec(dockerfile);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    const worker = start(
      'worker',
      cmd.slice(1),
      image,
      cleanEnv({
        ...temporalEnv,
        [CALLBACK_ENV.baseUrl]: gatewayUrl,
        [bundleEnv?.[1] ?? 'missing']: join(image, bundleEnv?.[2] ?? 'missing'),
      }),
    );
    await worker.waitFor(/worker polling task queue=orders/);
    expect(worker.output()).toMatch(/worker using prebundled workflows/);

    const ingestDir = readdirSync(cdkOut)
      .map((dir) => join(cdkOut, dir))
      .find((dir) => existsSync(join(dir, 'gateway-config.json')) && existsSync(join(dir, 'index.mjs')));
    const gateway = start(
      'gateway',
      ['--import', 'tsx', join(repoRoot, 'local', 'gateway-main.ts')],
      repoRoot,
      {
        ...process.env,
        ...temporalEnv,
        [GATEWAY_ENV.port]: String(port),
        // The very routing file the synth put beside the deployed handlers (the local server takes it inline).
        [GATEWAY_ENV.config]: readFileSync(join(ingestDir ?? 'missing', 'gateway-config.json'), 'utf8'),
        [GATEWAY_ENV.auth]: 'none',
        [CALLBACK_ENV.signingKeys]: CALLBACK_KEYS,
        [GATEWAY_ENV.sqsEndpoint]: sqs.sqs.endpoint,
        AWS_REGION: sqs.sqs.region,
        [GATEWAY_ENV.queueUrl]: sqs.queues.events.url,
        [GATEWAY_ENV.dlqUrl]: sqs.queues.eventsDlq.url,
        [GATEWAY_ENV.fifoDlqUrl]: sqs.queues.eventsDlqFifo.url,
      },
    );
    await gateway.waitFor(/consuming SQS queues/);

    const payment = await fetch(`${gatewayUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id: 'payment-4711',
        source: '/payments',
        type: 'com.example.payment.received',
        data: { orderId: '4711', amount: 99.5, currency: 'EUR' },
      }),
    });
    expect({ status: payment.status, body: await payment.json() }).toMatchObject({
      status: 202,
      body: { deliveries: [{ workflowId: 'order-4711', status: 'delivered' }] },
    });

    // The dispatch goes on SQS through the installed package's CLI (compiled JS, no tsx).
    const enqueued = eventGateway([
      'enqueue',
      '--workflow-id',
      'order-4711',
      '--signal',
      'shipmentDispatched',
      '--payload',
      JSON.stringify({ carrier: 'DHL', trackingId: 'JD0001' }),
      '--event-id',
      'dispatch-4711',
      '--queue-url',
      sqs.queues.events.url,
      '--endpoint',
      sqs.sqs.endpoint,
    ]);
    expect(enqueued).toMatchObject({ status: 0 });

    const result: unknown = await temporal.client.workflow.getHandle('order-4711').result();
    expect(result).toEqual({
      orderId: 'order-4711',
      payment: { amount: 99.5, currency: 'EUR' },
      shipment: { carrier: 'DHL', trackingId: 'JD0001' },
      confirmation: 'confirmed order-4711: 99.50 paid, tracking JD0001',
    });

    // A second order: the warehouse POSTs the callback URL the workflow handed it once paid.
    const paid = await fetch(`${gatewayUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        specversion: '1.0',
        id: 'payment-4712',
        source: '/payments',
        type: 'com.example.payment.received',
        data: { orderId: '4712', amount: 12, currency: 'EUR' },
      }),
    });
    expect(paid.status).toBe(202);
    const callbackLine = /warehouse callback URL for order-4712: (\S+)/;
    await worker.waitFor(callbackLine);
    const callbackUrl = callbackLine.exec(worker.output())![1]!;
    expect(callbackUrl.startsWith(`${gatewayUrl}/v1/callbacks/`)).toBe(true);
    const dispatched = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ carrier: 'UPS', trackingId: '1Z999' }),
    });
    expect(dispatched.status).toBe(202);
    expect(await temporal.client.workflow.getHandle('order-4712').result()).toMatchObject({
      shipment: { carrier: 'UPS', trackingId: '1Z999' },
      confirmation: 'confirmed order-4712: 12.00 paid, tracking 1Z999',
    });

    // Nothing was dead-lettered, as the installed CLI sees it.
    const dlq = eventGateway([
      'dlq',
      'list',
      '--json',
      '--dlq-url',
      sqs.queues.eventsDlq.url,
      '--endpoint',
      sqs.sqs.endpoint,
    ]);
    expect({ status: dlq.status, messages: JSON.parse(dlq.stdout) as unknown }).toEqual({
      status: 0,
      messages: [],
    });

    worker.child.kill('SIGTERM');
    gateway.child.kill('SIGTERM');
    const exit = await new Promise<number | null>((resolve) =>
      worker.child.exitCode !== null ? resolve(worker.child.exitCode) : worker.child.once('exit', resolve),
    );
    expect(exit).toBe(0);
  }, 300_000);
});
