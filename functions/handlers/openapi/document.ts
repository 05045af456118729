/**
 * The OpenAPI 3.1 document of the HTTP API, generated at build from the route descriptions
 * (`npm run openapi` writes docs/openapi.json and docs/openapi-event-log.json; the Lambda bundle
 * carries them as files it reads at the first `GET /openapi.json`). Build only: the functions serve
 * the written document and never load @hono/zod-openapi or zod-to-openapi.
 *
 * The document does not depend on the deployment's configuration (sources, auth mode, targets) —
 * the routes and their schemas are the same everywhere — except for the event log's replay route,
 * which a gateway serves only with an event log: hence two documents.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { pageRoute, failRoute, redeemRoute } from './callback-routes';
import {
  CODEC_SECURITY_SCHEME,
  codecDecodeRoute,
  codecDownloadRoute,
  codecEncodeRoute,
} from './codec-routes';
import { replayRoute } from './event-log-routes';
import {
  describeRoute,
  eventsRoute,
  healthRoute,
  queryRoute,
  queryWithArgumentRoute,
  signalRoute,
  startRoute,
  updateRoute,
} from './operation-routes';
import { OPENAPI_INFO, SECURITY_SCHEMES } from './schemas';
import { webhookRoute } from './webhook-route';

/** Which document: a gateway with an event log also serves `POST /v1/event-log/replay`. */
export interface OpenApiDocumentOptions {
  /** @default false */
  readonly eventLog?: boolean;
}

/** The document, with paths and components in the order the app registers its routes. */
export function generateOpenApiDocument(options: OpenApiDocumentOptions = {}) {
  const app = new OpenAPIHono();
  const registry = app.openAPIRegistry;
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
    registry.registerComponent('securitySchemes', name, scheme);
  registry.registerComponent('securitySchemes', 'codecAccessToken', CODEC_SECURITY_SCHEME);
  const routes = [
    codecEncodeRoute,
    codecDecodeRoute,
    codecDownloadRoute,
    signalRoute,
    eventsRoute,
    updateRoute,
    describeRoute,
    startRoute,
    queryRoute,
    queryWithArgumentRoute,
    redeemRoute,
    failRoute,
    pageRoute,
    ...(options.eventLog ? [replayRoute] : []),
    webhookRoute,
    healthRoute,
  ];
  for (const route of routes) registry.registerPath(route);
  return app.getOpenAPI31Document(OPENAPI_INFO);
}

/** A document's exact text as committed: key order as generated, two-space indent, trailing newline. */
export const openApiText = (document: object = generateOpenApiDocument()): string =>
  `${JSON.stringify(document, null, 2)}\n`;
