/**
 * `event-gateway send --source NAME`: what it signs is checked by each provider's own verifier
 * (stripe, @octokit/webhooks-methods, svix, @slack/bolt, @shopify/shopify-api's HMAC helper), and —
 * end to end — a Stripe and a GitHub event sent this way advance their workflows through the real
 * gateway and a real Temporal dev server and worker, as docs/webhooks.md says.
 */
import { verify as githubVerify } from '@octokit/webhooks-methods';
import githubExamples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { getHmac as shopifyHmac } from '@shopify/shopify-api/test-helpers';
import { verifySlackRequest } from '@slack/bolt';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../functions/adapters/logger';
import { DEMO_SOURCE_SECRET_ENV } from '../../functions/core/env-names';
import { startGatewayServer, type GatewayServer } from '../../local/gateway-server';
import { waitFor } from '../local/support';
import { signalPayloads, startStagedWorker, uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { cli, startCaptureServer } from './support';

const SECRETS = {
  [DEMO_SOURCE_SECRET_ENV.stripe]: 'whsec_cli_stripe_secret_01',
  [DEMO_SOURCE_SECRET_ENV.github]: 'cli-github-secret-01',
  [DEMO_SOURCE_SECRET_ENV['standard-webhooks']]:
    `whsec_${Buffer.from('cli-standard-webhooks-secret-32b').toString('base64')}`,
  [DEMO_SOURCE_SECRET_ENV.slack]: 'cli0slack0signing0secret0000000a',
  [DEMO_SOURCE_SECRET_ENV.shopify]: 'shpss_cli_shopify_secret',
  [DEMO_SOURCE_SECRET_ENV.partner]: 'cli-partner-secret',
};

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof startStagedWorker>>;
let gateway: GatewayServer;
let capture: Awaited<ReturnType<typeof startCaptureServer>>;

beforeAll(async () => {
  env = await sharedTemporal();
  const taskQueue = uniqueName('cli-source');
  worker = await startStagedWorker(env, taskQueue);
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: { TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, ...SECRETS },
  });
  capture = await startCaptureServer();
});

afterAll(async () => {
  await capture?.close();
  await gateway?.close();
  await worker?.stop();
  await stopSharedTemporal();
});

const last = () => capture.requests.at(-1)!;
const header = (name: string) => {
  const value = last().headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
};

const send = (source: string, payload: string, ...extra: string[]) =>
  cli(['send', '--source', source, '--payload', payload, ...extra], SECRETS);

describe('send --source signs as the provider does', () => {
  it('stripe: Stripe-Signature that stripe.webhooks.constructEvent accepts', async () => {
    const body = JSON.stringify({ id: 'evt_cli_1', type: 'payment_intent.succeeded', data: { object: {} } });
    expect((await send('stripe', body, '--url', capture.url)).code).toBe(0);
    expect(last().url).toBe('/v1/webhooks/stripe');
    expect(last().body).toBe(body);
    const event = Stripe.webhooks.constructEvent(
      last().body,
      header('stripe-signature'),
      SECRETS.STRIPE_WEBHOOK_SECRET,
    );
    expect(event.id).toBe('evt_cli_1');
    expect(() =>
      Stripe.webhooks.constructEvent(last().body, header('stripe-signature'), 'whsec_other'),
    ).toThrow();
  });

  it('github: X-Hub-Signature-256 that @octokit/webhooks-methods verifies, with the event header', async () => {
    const body = '{"action":"opened","number":1}';
    expect((await send('github', body, '--type', 'pull_request', '--url', capture.url)).code).toBe(0);
    expect(header('x-github-event')).toBe('pull_request');
    expect(header('x-github-delivery')).not.toBe('');
    expect(
      await githubVerify(SECRETS.GITHUB_WEBHOOK_SECRET, last().body, header('x-hub-signature-256')),
    ).toBe(true);
    expect(await githubVerify('other', last().body, header('x-hub-signature-256'))).toBe(false);
  });

  it('standard-webhooks: headers svix verifies, the --event-id as webhook-id', async () => {
    const body = '{"type":"stage.advanced","data":{"workflowKey":"k","stage":1}}';
    expect(
      (await send('standard-webhooks', body, '--event-id', 'msg_cli_1', '--url', capture.url)).code,
    ).toBe(0);
    const headers = {
      'webhook-id': header('webhook-id'),
      'webhook-timestamp': header('webhook-timestamp'),
      'webhook-signature': header('webhook-signature'),
    };
    expect(headers['webhook-id']).toBe('msg_cli_1');
    expect(new SvixWebhook(SECRETS.STANDARD_WEBHOOKS_SECRET).verify(last().body, headers)).toMatchObject({
      type: 'stage.advanced',
    });
  });

  it("slack: X-Slack-Signature that @slack/bolt's verifier accepts", async () => {
    const body = '{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","channel":"C1"}}';
    expect((await send('slack', body, '--url', capture.url)).code).toBe(0);
    const verification = (signingSecret: string) => () =>
      verifySlackRequest({
        signingSecret,
        body: last().body,
        headers: {
          'x-slack-signature': header('x-slack-signature'),
          'x-slack-request-timestamp': Number(header('x-slack-request-timestamp')),
        },
      });
    expect(verification(SECRETS.SLACK_SIGNING_SECRET)).not.toThrow();
    expect(verification('other')).toThrow();
  });

  it("shopify: X-Shopify-Hmac-Sha256 equal to @shopify/shopify-api's HMAC, with the topic", async () => {
    const body = '{"id":820982911946154508,"email":"jon@example.com"}';
    expect((await send('shopify', body, '--type', 'orders/paid', '--url', capture.url)).code).toBe(0);
    expect(header('x-shopify-topic')).toBe('orders/paid');
    expect(header('x-shopify-hmac-sha256')).toBe(shopifyHmac(last().body, SECRETS.SHOPIFY_WEBHOOK_SECRET));
  });

  it('exits 2 naming the variable when the secret is missing, and for an undeclared source', async () => {
    const missing = await cli(['send', '--source', 'stripe', '--payload', '{}', '--url', capture.url], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr.join('\n')).toContain(DEMO_SOURCE_SECRET_ENV.stripe);
    const unknown = await send('nope', '{}', '--url', capture.url);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.join('\n')).toContain('declared: stripe, github');
  });
});

describe('send --source against the running gateway (the docs/webhooks.md recipes)', () => {
  it('a Stripe payment_intent.succeeded advances the workflow its metadata names', async () => {
    const key = uniqueName('order');
    const event = {
      id: `evt_${key.replace(/-/g, '')}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      data: {
        object: { id: 'pi_1', object: 'payment_intent', status: 'succeeded', metadata: { workflowKey: key } },
      },
    };
    const run = await send('stripe', JSON.stringify(event), '--url', gateway.url);
    expect(run.stdout[0]).toBe('HTTP 202 Accepted');
    expect(await signalPayloads(env, `staged-${key}`, 'advanceStage')).toEqual([{ stage: 1 }]);
  });

  it('a GitHub pull_request (opened, then closed merged) advances the pull request’s workflow twice', async () => {
    const examples = (githubExamples as { name: string; examples: Record<string, unknown>[] }[]).find(
      (entry) => entry.name === 'pull_request',
    )!.examples;
    const number = Number(String(Date.now()).slice(-8));
    const pr = (action: string, merged: boolean) => {
      const example = structuredClone(examples.find((candidate) => candidate.action === action)!) as {
        number: number;
        pull_request: { number: number; merged: boolean };
        repository: { name: string };
      };
      example.number = number;
      example.pull_request.number = number;
      example.pull_request.merged = merged;
      return example;
    };
    const opened = pr('opened', false);
    for (const body of [opened, pr('closed', true)]) {
      const run = await send('github', JSON.stringify(body), '--type', 'pull_request', '--url', gateway.url);
      expect(run.stdout[0]).toBe('HTTP 202 Accepted');
    }
    const workflowId = `staged-${opened.repository.name}-pr-${number}`;
    expect(await signalPayloads(env, workflowId, 'advanceStage')).toEqual([{ stage: 1 }, { stage: 2 }]);
    // The workflow applied both: its progress reaches stage 2 (polled: the worker runs on its own).
    const handle = env.client.workflow.getHandle(workflowId);
    await waitFor(
      async () => ((await handle.query<{ stage: number }>('progress')).stage === 2 ? true : undefined),
      {
        what: 'stage 2',
      },
    );
  });
});
