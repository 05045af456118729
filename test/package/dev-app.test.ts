/**
 * The done-when of `event-gateway dev`, as a team meets it: the packed package installed with the
 * team's own app (examples/order-fulfilment plus a Stripe source) in an empty directory, then
 * `npx event-gateway dev --worker worker/main.ts` there — no clone of this repository, no config
 * written by hand — and a Stripe event sent with `npx event-gateway send --source stripe --payload
 * event.json` (signed with the secret the dev command generated, found without flags) reaches the
 * team's order workflow, which a query through the local gateway shows. Ctrl-C stops it all, exit 0.
 * The time from `npm install` to the first delivered signal is printed (measured, not asserted).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, devPorts, eventGateway, startDev, type DevProcess } from './dev-process';
import { packTarball } from './packed-tarball';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'teg-dev-app-'));
const appDir = join(work, 'orders-app');
let dev: DevProcess | undefined;
let installStarted = 0;

/** The team's app: the example's, with a Stripe source whose route signals the order workflow. */
const STRIPE_SOURCE = `
  sources: [
    {
      name: 'stripe',
      verifier: { preset: 'stripe' },
      routes: [
        {
          name: 'payment-succeeded',
          match: { type: 'payment_intent.succeeded' },
          workflowId: 'order-{data.object.metadata.orderId}',
          signal: 'paymentReceived',
          payload: { amount: 'data.object.amount_received', currency: 'data.object.currency' },
          startIfMissing: true,
        },
      ],
    },
  ],`;

beforeAll(async () => {
  const tarball = await packTarball(work);
  cpSync(join(repoRoot, 'examples', 'order-fulfilment'), appDir, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|cdk\.out|\.event-gateway|workflow-bundle\.js)$/.test(source),
  });
  const appTs = join(appDir, 'infra', 'app.ts');
  const app = readFileSync(appTs, 'utf8');
  expect(app).toContain('  routing: orderRouting,\n');
  writeFileSync(
    appTs,
    app.replace('  routing: orderRouting,\n', `  routing: orderRouting,${STRIPE_SOURCE}\n`),
  );
  const pkgPath = join(appDir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { dependencies: Record<string, string> };
  pkg.dependencies['temporal-event-gateway'] = `file:${tarball}`;
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));
  cpSync(
    join(repoRoot, 'test', 'package', 'fixtures', 'stripe-payment-intent-succeeded.json'),
    join(appDir, 'event.json'),
  );
  installStarted = Date.now();
  // The app's lock file pins everything but the tarball; packages come from npm's cache when they can.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: appDir,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}, 900_000);

afterAll(async () => {
  dev?.kill();
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(work, { recursive: true, force: true });
});

describe('npx event-gateway dev in a team app installed from the tarball', () => {
  it('runs the app gateway with its worker; a Stripe event sent without flags reaches the workflow', async () => {
    const ports = await devPorts();
    dev = startDev(appDir, ['--worker', 'worker/main.ts'], ports);
    const waitFor = (pattern: RegExp, timeoutMs?: number) => dev!.waitFor(pattern, timeoutMs);
    const output = () => dev!.output();
    await waitFor(/\[dev\] ready/);
    await waitFor(/worker polling task queue=orders/);

    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    expect(output()).toContain('OrderFulfilment/Gateway');
    expect(output()).toContain(`${gatewayUrl}/v1/webhooks/stripe`);
    expect(output()).toContain(`http://localhost:${ports.ui}`);
    expect(output()).toContain('npx event-gateway send --source stripe --payload event.json');
    expect(output()).toContain(`stripe listen --forward-to localhost:${ports.gateway}/v1/webhooks/stripe`);

    const secrets = parseEnv(readFileSync(join(appDir, '.event-gateway', 'secrets.env'), 'utf8'));
    const stripeSecret = secrets.GATEWAY_SOURCE_STRIPE_SECRET ?? '';
    const apiKey = secrets.GATEWAY_API_KEYS ?? '';
    expect(stripeSecret).toMatch(/^whsec_/);
    expect(apiKey).not.toBe('');
    // Printed once, as stripe listen prints its whsec_; never in the synthesized assembly.
    expect(output().split(stripeSecret).length - 1).toBe(1);
    const assembly = join(appDir, '.event-gateway', 'cdk.out');
    for (const file of readdirSync(assembly, { recursive: true }).map(String)) {
      const path = join(assembly, file);
      if (existsSync(path) && !file.includes('node_modules') && /\.(json|mjs|js)$/.test(file))
        expect(readFileSync(path, 'utf8').includes(stripeSecret)).toBe(false);
    }

    const sent = eventGateway(appDir, ['send', '--source', 'stripe', '--payload', 'event.json']);
    const firstSignalSeconds = (Date.now() - installStarted) / 1000;
    expect({ status: sent.status, stderr: sent.stderr }).toEqual({ status: 0, stderr: '' });
    expect(sent.stdout).toContain('HTTP 202');
    expect(sent.stdout).toContain('"status": "delivered"');
    console.log(
      `npm install → first signal delivered with event-gateway dev: ${firstSignalSeconds.toFixed(1)} s`,
    );

    const query = await fetch(`${gatewayUrl}/v1/workflows/order-4711/queries/status`, {
      headers: { 'x-api-key': apiKey },
    });
    expect({ status: query.status, body: await query.json() }).toEqual({
      status: 200,
      body: { result: { paid: true, shipped: false } },
    });

    // An edit to the worker's code restarts it, and it polls again.
    const polls = () => output().match(/worker polling task queue=orders/g)?.length ?? 0;
    const activities = join(appDir, 'worker', 'activities', 'index.ts');
    writeFileSync(
      activities,
      `${readFileSync(activities, 'utf8')}\n// edited while event-gateway dev runs\n`,
    );
    await waitFor(/activities[/\\]index\.ts changed: restarting the worker/, 120_000);
    const deadline = Date.now() + 300_000;
    while (polls() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(polls()).toBe(2);

    // Ctrl-C: npx passes it on; the stack drains and every process of the group is gone.
    await dev.interrupt();
    expect(output()).toContain('[dev] stopped');
    expect(dev.groupAlive()).toBe(false);
  }, 900_000);
});
