/**
 * Issue 30's done-when for the local events page, in a real browser: Debian's Chromium driven by
 * playwright-core (no browser download) against the local gateway (recording into a directory event
 * log) and the Temporal dev server. The page lists a delivered Stripe event, its detail links the
 * workflow into the Temporal UI, and its Replay buttons replay it through the gateway's trusted
 * path: same id — the run holds it, a duplicate; as new — applied again.
 *
 * EVENTS_PAGE_SCREENSHOT=docs/images/events-page.png also saves the detail page's screenshot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../functions/adapters/logger';
import { GATEWAY_ENV } from '../../functions/core/env-names';
import { startGatewayServer, type GatewayServer } from '../../local/gateway-server';
import { CHROMIUM_PATH } from '../../local/test-tools';
import { eventLogGatewayEnv, NO_WORKER_QUEUE, sendStripe } from '../cli/events-fixture';
import { countSignals, uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';

let env: TestWorkflowEnvironment;
let logDir: string;
let gateway: GatewayServer;
let browser: Browser;

beforeAll(async () => {
  [env, logDir] = await Promise.all([sharedTemporal(), mkdtemp(join(tmpdir(), 'events-page-'))]);
  gateway = await startGatewayServer({
    logger: silentLogger,
    env: eventLogGatewayEnv(env.address, logDir, { [GATEWAY_ENV.temporalDeadlineMs]: '5000' }),
  });
  // Root in a container: Chromium's sandbox needs user namespaces it may not have.
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await stopSharedTemporal();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

describe('the local events page', () => {
  it('shows a delivered event with its workflow link, and its replay buttons replay it', async () => {
    const key = uniqueName('page');
    const workflowId = `note-${key}`;
    const run = await env.client.workflow.start('notesWorkflow', { workflowId, taskQueue: NO_WORKER_QUEUE });
    const sent = await sendStripe(gateway.url, key, { text: 'from the events page test' });
    expect(sent.status).toBe(202);
    const { eventId } = sent;

    const page = await browser.newPage();
    await page.goto(`${gateway.url}/_events`);
    const row = page.locator(`tr[data-event-id="${eventId}"]`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('td.status').textContent()).toBe('delivered');
    expect(await row.textContent()).toContain('note.added');
    expect(await row.textContent()).toContain('verified (stripe)');

    await row.locator('a').click();
    await page.waitForURL(/\/_events\/event\?id=/);
    const link = page.locator('a.workflow');
    expect(await link.textContent()).toBe(workflowId);
    expect(await link.getAttribute('href')).toBe(
      `http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
    );
    expect(await page.locator('a.trace').getAttribute('href')).toMatch(
      /^http:\/\/127\.0\.0\.1:9411\/zipkin\/traces\/[0-9a-f]{32}$/,
    );
    expect(await page.locator('pre').nth(1).textContent()).toContain('from the events page test');
    const screenshot = process.env.EVENTS_PAGE_SCREENSHOT;
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });

    // Same id: the run already holds the event — a duplicate, nothing applied twice.
    await page.locator('button.replay').first().click();
    await expect.poll(() => page.locator('#replay-result').textContent()).toContain('"status":"duplicate"');
    expect(await countSignals(env, workflowId, 'note')).toBe(1);
    // As new: delivered under a new id, applied again.
    await page.locator('button.replay[data-as-new="true"]').click();
    await expect.poll(() => page.locator('#replay-result').textContent()).toContain('"status":"delivered"');
    expect(await countSignals(env, workflowId, 'note')).toBe(2);

    await page.reload();
    expect(await page.locator('pre').last().textContent()).toMatch(/replay: duplicate/);
    expect(run.workflowId).toBe(workflowId);
  });
});
