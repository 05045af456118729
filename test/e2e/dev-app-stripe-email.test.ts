/**
 * Issue 28's done-when, on `event-gateway dev` with a team's app (test/local/fixtures/customer-app):
 * a Stripe event containing an email, signed with the `stripe` package's own signer, reaches the
 * team's workflow (its query answers the email through the gateway); the history holds it only as
 * `binary/encrypted`, `temporal workflow show` without the codec shows no plaintext of it and with
 * `--codec-endpoint` it does; the dev server's UI names the codec endpoint and the app's own UI
 * origin may call it.
 *
 * And the stack follows the app's props: the same app's gateway without payloadEncryption or
 * largePayloads runs without local-kms, gofakes3 and the UI's codec endpoint, and its history holds
 * the email as the JSON it is, as it would in AWS.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevApp, type DevApp } from '../../local/dev-app/main';
import { SHOP_UI_ORIGIN, synthCustomerApp } from '../local/fixtures/customer-app/app';
import { freePort } from '../support/free-port';
import { workflowShow } from './workflow-show';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'teg-dev-stripe-email-'));
const assembly = join(work, 'cdk.out');
const workerEntry = join(repo, 'test', 'local', 'fixtures', 'customer-app', 'worker.ts');
const API_KEY = 'dev-app-stripe-email-key-0123456789';
const STRIPE_SECRET = `whsec_${'5e'.repeat(24)}`;
const running: DevApp[] = [];

beforeAll(() => synthCustomerApp(assembly), 300_000);

afterAll(async () => {
  for (const app of running) await app.stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** An app directory of its own (its state in .event-gateway/), whose tsx runs the team's worker. */
function appDir(name: string): string {
  const made = mkdtempSync(join(work, `${name}-`));
  symlinkSync(join(repo, 'node_modules'), join(made, 'node_modules'));
  return made;
}

async function startApp(gateway: string) {
  const ports = {
    gateway: await freePort(),
    temporal: await freePort(),
    temporalUi: await freePort(),
    sqs: await freePort(),
  };
  const lines: string[] = [];
  const { TEMPORAL_ADDRESS: _a, ...inherited } = process.env;
  const app = await startDevApp({
    appDir: appDir(gateway.split('/')[0]!.toLowerCase()),
    app: assembly,
    gateway,
    ports,
    worker: workerEntry,
    env: { ...inherited, GATEWAY_API_KEYS: API_KEY, GATEWAY_SOURCE_STRIPE_SECRET: STRIPE_SECRET },
    log: (line) => lines.push(line),
  });
  running.push(app);
  return { app, ports, banner: () => lines.join('\n') };
}

/** A real PaymentIntent event (test/package/fixtures), for this customer and with this email. */
function paymentEvent(customerKey: string, email: string): string {
  const event = JSON.parse(
    readFileSync(join(repo, 'test', 'package', 'fixtures', 'stripe-payment-intent-succeeded.json'), 'utf8'),
  ) as { id: string; data: { object: Record<string, unknown> } };
  event.id = `evt_${customerKey.replace(/-/g, '')}`;
  Object.assign(event.data.object, { receipt_email: email, metadata: { customerKey } });
  return JSON.stringify(event);
}

async function sendStripe(gatewayUrl: string, body: string): Promise<number> {
  const response = await fetch(`${gatewayUrl}/v1/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }),
    },
    body,
  });
  await response.body?.cancel();
  return response.status;
}

/** The workflow's `lastPayment` query through the gateway, once the team's worker answers it. */
async function lastPayment(gatewayUrl: string, workflowId: string): Promise<unknown> {
  for (let i = 0; i < 300; i++) {
    const answer = await fetch(`${gatewayUrl}/v1/workflows/${workflowId}/queries/lastPayment`, {
      headers: { 'x-api-key': API_KEY },
    });
    const body = (await answer.json()) as { result?: unknown };
    if (answer.ok && body.result) return body.result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${workflowId} never answered lastPayment`);
}

/** The signal payloads of the history, and the whole history's bytes, read with no codec at all. */
async function storedHistory(temporalPort: number, workflowId: string) {
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const { history } = await connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId },
    });
    const signals = (history?.events ?? []).flatMap(
      (e) => e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? [],
    );
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
    const encodings = signals.map((p) => Buffer.from(p.metadata?.encoding ?? []).toString('utf8'));
    return { encodings, raw };
  } finally {
    await connection.close();
  }
}

const uiSettings = async (uiPort: number) =>
  (
    (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    }
  ).Codec?.Endpoint;

describe('event-gateway dev with a Stripe source and payload encryption', () => {
  it(
    'delivers the email to the workflow, stores it encrypted, and shows it only through the codec endpoint',
    { timeout: 600_000 },
    async () => {
      const { app, ports, banner } = await startApp('Shop/Gateway');
      const codecEndpoint = `${app.gatewayUrl}/v1/codec`;
      expect(banner()).toMatch(/kms +http:\/\/127\.0\.0\.1:\d+ +payloads encrypted under alias\//);
      expect(banner()).toMatch(/s3 +http:\/\/127\.0\.0\.1:\d+ +payloads of 64 KiB and more go to bucket /);
      expect(banner()).toContain(`codec         ${codecEndpoint}`);

      const email = 'jane.customer@example.com';
      const workflowId = 'customer-jane-1';
      expect(await sendStripe(app.gatewayUrl, paymentEvent('jane-1', email))).toBe(202);
      expect(await lastPayment(app.gatewayUrl, workflowId)).toEqual({ email, amount: 9950 });

      const stored = await storedHistory(ports.temporal, workflowId);
      expect(stored.encodings).toEqual(['binary/encrypted']);
      expect(stored.raw.includes(Buffer.from(email))).toBe(false);

      const withoutCodec = await workflowShow(ports.temporal, workflowId);
      expect(withoutCodec).toContain('Signaled');
      expect(withoutCodec).not.toContain(email);
      const withCodec = await workflowShow(ports.temporal, workflowId, '--codec-endpoint', codecEndpoint);
      expect(withCodec).toContain(`input[0].email: ${email}`);

      // The UI decodes with the same endpoint; the app's own UI origin is allowed beside the local one.
      expect(await uiSettings(ports.temporalUi)).toBe(codecEndpoint);
      const preflight = await fetch(`${codecEndpoint}/decode`, {
        method: 'OPTIONS',
        headers: { origin: SHOP_UI_ORIGIN, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP_UI_ORIGIN);
    },
  );

  it(
    'runs a gateway without payload props as it is: no emulators, no codec endpoint, the email stored as JSON',
    { timeout: 600_000 },
    async () => {
      const { app, ports, banner } = await startApp('Plain/Gateway');
      expect(banner()).toContain('kms           off (your gateway has no payloadEncryption');
      expect(banner()).toContain('s3            off (your gateway has no largePayloads');
      expect(banner()).toContain('codec         off');

      const email = 'joe.customer@example.com';
      const workflowId = 'customer-joe-2';
      expect(await sendStripe(app.gatewayUrl, paymentEvent('joe-2', email))).toBe(202);
      expect(await lastPayment(app.gatewayUrl, workflowId)).toEqual({ email, amount: 9950 });
      const stored = await storedHistory(ports.temporal, workflowId);
      expect(stored.encodings).toEqual(['json/plain']);
      expect(stored.raw.includes(Buffer.from(email))).toBe(true);

      expect(await uiSettings(ports.temporalUi)).toBeFalsy();
      // Nothing to decode, so the codec server stays as deployed: closed without a credential.
      const codec = await fetch(`${app.gatewayUrl}/v1/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [] }),
      });
      expect(codec.status).toBe(401);
    },
  );
});
