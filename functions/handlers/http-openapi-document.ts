/**
 * `GET /openapi.json`: the OpenAPI 3.1 document generated at build from the route descriptions
 * (handlers/openapi/, written by `npm run openapi` to docs/), not built by the function. It is
 * imported at the first request: the Lambda bundle carries it as a file of its own beside
 * index.mjs, which the init phase does not read.
 */
import type { Context } from 'hono';

/** The document a gateway serves: with the replay route when it keeps an event log. */
const load = (eventLog: boolean) =>
  eventLog
    ? import('../../docs/openapi-event-log.json', { with: { type: 'json' } })
    : import('../../docs/openapi.json', { with: { type: 'json' } });

/** The handler of `GET /openapi.json`: the document's JSON, read once. */
export function serveOpenApiDocument(options: { eventLog: boolean }) {
  let text: Promise<string> | undefined;
  return async (c: Context) => {
    text ??= load(options.eventLog).then((document) => JSON.stringify(document.default));
    return c.body(await text, 200, { 'content-type': 'application/json' });
  };
}
