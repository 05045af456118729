/**
 * The local events page (issue 30), `http://localhost:3000/_events`: what arrived, what it triggered,
 * its trace — and a replay button and a "send a test event" form per source. Served by the LOCAL
 * gateway only (local/gateway-server.ts): the deployed functions never mount it. Server-rendered
 * with Hono's html helper (every interpolation escaped) plus a little vanilla JS; no front-end build.
 */
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { randomUUID } from 'node:crypto';
import type { EventView } from '../functions/core/event-record-view';
import type { RouteOutcome } from '../functions/core/event-record';
import type { Source } from '../functions/core/gateway-config-model';
import type { EventLogReader } from '../functions/adapters/ports';
import type { ReplayAnswer } from '../functions/handlers/http-event-routes';
import { providerHeaders, sourceSecret } from './cli/webhook-signing';

/** Where the page's links go. */
export interface EventsPageLinks {
  /** The Temporal UI. @default http://localhost:8233 */
  readonly temporalUi?: string;
  readonly namespace?: string;
  /** Zipkin's UI; no trace links without it. @default http://127.0.0.1:9411 */
  readonly zipkin?: string | undefined;
}

export interface EventsPageDeps {
  readonly log: EventLogReader;
  /** The gateway's configured webhook sources (the send form offers each). */
  readonly sources: readonly Source[];
  /** The environment the gateway reads its sources' local secrets from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replays through the gateway's trusted path (http-event-routes.ts replayEvent). */
  replay(eventId: string, asNew: boolean): Promise<ReplayAnswer>;
  /** The gateway app itself: a test event is posted to it, signed as its provider signs. */
  gateway(request: Request): Response | Promise<Response>;
  readonly links?: EventsPageLinks;
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1d2330}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #dde;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f4f8}
.status{font-weight:600}.delivered{color:#1a7f37}.duplicate{color:#6b7280}.ignored{color:#6b7280}.queued{color:#9a6700}
.dead-lettered,.refused,.failed{color:#cf222e}pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:24rem}
form{margin:.4rem 0}textarea{width:100%;font-family:monospace}button{cursor:pointer}code{font-size:12px}`;

const page = (title: string, body: ReturnType<typeof html>) =>
  html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title} — Temporal Event Gateway</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html>`;

const detailHref = (event: EventView) => `/_events/event?id=${encodeURIComponent(event.eventId)}`;

const row = (event: EventView) =>
  html`<tr data-event-id="${event.eventId}">
    <td>${event.receivedAt.replace('T', ' ').slice(0, 19)}</td>
    <td>${event.source}</td>
    <td>${event.eventType ?? '-'}</td>
    <td>
      ${event.verification ? `${event.verification.result}${event.verification.method ? ` (${event.verification.method})` : ''}` : '-'}
    </td>
    <td class="status ${event.status}">${event.status}</td>
    <td>
      <a href="${detailHref(event)}"><code>${event.eventId}</code></a>
    </td>
  </tr>`;

/** The list page's live refresh: re-renders the rows from /_events/rows every two seconds. */
const LIVE_SCRIPT = `setInterval(async()=>{const r=await fetch('/_events/rows');if(r.ok)document.getElementById('rows').innerHTML=await r.text()},2000);
for(const f of document.querySelectorAll('form.send'))f.addEventListener('submit',async e=>{e.preventDefault();
const out=f.querySelector('output');out.textContent='sending…';const r=await fetch('/_events/send',{method:'POST',body:new FormData(f)});
out.textContent=await r.text()})`;

const REPLAY_SCRIPT = `for(const b of document.querySelectorAll('button.replay'))b.addEventListener('click',async()=>{
const out=document.getElementById('replay-result');out.textContent='replaying…';
const r=await fetch('/_events/replay',{method:'POST',headers:{'content-type':'application/json'},
body:JSON.stringify({eventId:b.dataset.eventId,asNew:b.dataset.asNew==='true'})});out.textContent=await r.text()})`;

/** Renders the body as kept: text as is, base64 or a codec-encoded payload as such (decode with the codec server). */
function bodyText(event: EventView): string {
  const body = event.body;
  if (!body) return '(no body recorded)';
  if ('text' in body) {
    try {
      return JSON.stringify(JSON.parse(body.text), null, 2);
    } catch {
      return body.text;
    }
  }
  if ('base64' in body) return `(binary, base64) ${body.base64}`;
  return `(encoded by the payload codec: decode with the codec server)\n${JSON.stringify(body.payload, null, 2)}`;
}

export function createEventsPage(deps: EventsPageDeps): Hono {
  const temporalUi = (deps.links?.temporalUi ?? 'http://localhost:8233').replace(/\/$/, '');
  const namespace = encodeURIComponent(deps.links?.namespace ?? 'default');
  const zipkin = deps.links && 'zipkin' in deps.links ? deps.links.zipkin : 'http://127.0.0.1:9411';
  const workflowHref = (route: RouteOutcome) =>
    `${temporalUi}/namespaces/${namespace}/workflows/${encodeURIComponent(route.workflowId ?? '')}` +
    (route.runId ? `/${encodeURIComponent(route.runId)}/history` : '');
  const rows = async () => (await deps.log.list({ limit: 200 })).map(row);

  const app = new Hono();
  app.get('/_events', async (c) =>
    c.html(
      page(
        'Events',
        html`<h1>Events</h1>
          <p>What the local gateway received, newest first (the last day; refreshed live).</p>
          <table>
            <thead>
              <tr>
                <th>received (UTC)</th>
                <th>source</th>
                <th>type</th>
                <th>verification</th>
                <th>status</th>
                <th>event id</th>
              </tr>
            </thead>
            <tbody id="rows">
              ${await rows()}
            </tbody>
          </table>
          <h2>Send a test event</h2>
          ${deps.sources.map(
            (source) =>
              html`<form class="send" data-source="${source.name}">
                <input type="hidden" name="source" value="${source.name}" />
                <strong>${source.name}</strong> (${source.verifier.preset}) type
                <input name="type" placeholder="for GitHub/Shopify" />
                <textarea name="payload" rows="4">{"id":"evt_test","type":"test.event","data":{}}</textarea>
                <button type="submit">Send to ${source.name}</button> <output></output>
              </form>`,
          )}
          <script>
            ${raw(LIVE_SCRIPT)};
          </script>`,
      ),
    ),
  );

  app.get('/_events/rows', async (c) => c.html(html`${await rows()}`));

  app.get('/_events/event', async (c) => {
    const id = c.req.query('id') ?? '';
    const event = await deps.log.get(id);
    if (!event) return c.html(page('Not found', html`<p>No event <code>${id}</code> in the log.</p>`), 404);
    return c.html(
      page(
        event.eventId,
        html`<p><a href="/_events">← all events</a></p>
          <h1><code>${event.eventId}</code> <span class="status ${event.status}">${event.status}</span></h1>
          <p>
            ${event.source}${event.eventType ? ` · ${event.eventType}` : ''} · received ${event.receivedAt}
            ${event.verification ? ` · ${event.verification.result} ${event.verification.method ?? ''}` : ''}
            ${
              event.traceId && zipkin
                ? html` ·
                    <a class="trace" href="${zipkin}/zipkin/traces/${event.traceId}"
                      >trace ${event.traceId}</a
                    >`
                : ''
            }
          </p>
          ${event.problem ? html`<p class="failed">${event.problem.code}: ${event.problem.detail}</p>` : ''}
          <button class="replay" data-event-id="${event.eventId}">Replay</button>
          <button class="replay" data-event-id="${event.eventId}" data-as-new="true">Replay as new</button>
          <pre id="replay-result"></pre>
          <h2>Routes</h2>
          <table>
            <thead>
              <tr>
                <th>route</th>
                <th>kind</th>
                <th>workflow</th>
                <th>status</th>
                <th>problem</th>
              </tr>
            </thead>
            <tbody>
              ${event.routes.map(
                (route) =>
                  html`<tr>
                    <td>${route.route}</td>
                    <td>${route.kind} ${route.operation ?? ''}</td>
                    <td>
                      ${
                        route.workflowId
                          ? html`<a class="workflow" href="${workflowHref(route)}">${route.workflowId}</a>`
                          : '-'
                      }
                    </td>
                    <td class="status ${route.status}">${route.status}</td>
                    <td>${route.problem ? `${route.problem.code}: ${route.problem.detail}` : ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <h2>Body</h2>
          <pre>${bodyText(event)}</pre>
          <h2>Headers</h2>
          <pre>
${Object.entries(event.headers ?? {})
              .map(([name, value]) => `${name}: ${value}`)
              .join('\n')}</pre>
          <h2>Records</h2>
          <pre>
${event.history.map((step) => `${step.recordedAt} ${step.stage}: ${step.status}`).join('\n')}</pre>
          <script>
            ${raw(REPLAY_SCRIPT)};
          </script>`,
      ),
    );
  });

  app.post('/_events/replay', async (c) => {
    const { eventId, asNew } = await c.req.json<{ eventId?: unknown; asNew?: unknown }>();
    if (typeof eventId !== 'string') return c.json({ error: 'eventId required' }, 400);
    return c.json(await deps.replay(eventId, asNew === true));
  });

  app.post('/_events/send', async (c) => {
    const form = await c.req.formData();
    const field = (key: string) => {
      const value = form.get(key);
      return typeof value === 'string' ? value : '';
    };
    const name = field('source');
    const source = deps.sources.find((candidate) => candidate.name === name);
    if (!source) return c.text(`no source "${name}"`, 400);
    const body = field('payload');
    const type = field('type') || undefined;
    let headers: Record<string, string>;
    try {
      headers = providerHeaders(source, sourceSecret(source, deps.env, undefined), body, {
        eventId: randomUUID(),
        type,
      });
    } catch (error) {
      return c.text(error instanceof Error ? error.message : String(error), 400);
    }
    const answer = await deps.gateway(
      new Request(`http://localhost/v1/webhooks/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      }),
    );
    return c.text(`HTTP ${answer.status} ${await answer.text()}`);
  });

  return app;
}
