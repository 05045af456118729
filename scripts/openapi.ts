/**
 * Writes docs/openapi.json (`npm run openapi`): the OpenAPI 3.1 document of the HTTP API, generated
 * from the very app and zod schemas that serve and validate requests. A test compares the checked-in
 * file with what the app generates, so the document cannot drift from the code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../functions/core/default-config';
import { parseGatewayConfig } from '../functions/core/gateway-config';
import { createHttpApp, openApiDocument } from '../functions/handlers/http-app';
import { isProcessEntry } from '../local/process-entry';

export const OPENAPI_PATH = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/** Generating the document talks to nothing; these stand in for Temporal and refuse to be used. */
const unused = (): never => {
  throw new Error('The OpenAPI generator does not serve requests.');
};

/** The document of the app as configured by default (the API does not depend on the config). */
export function generateOpenApiDocument() {
  const app = createHttpApp({
    config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
    deliverer: { deliver: unused },
    reader: { describe: unused, query: unused, health: unused },
    logger: silentLogger,
  });
  return openApiDocument(app);
}

/** The file's exact text: stable key order as generated, two-space indent, trailing newline. */
export const openApiText = (): string => `${JSON.stringify(generateOpenApiDocument(), null, 2)}\n`;

if (isProcessEntry(import.meta.url)) {
  await mkdir(dirname(OPENAPI_PATH), { recursive: true });
  await writeFile(OPENAPI_PATH, openApiText());
  console.log(`wrote ${OPENAPI_PATH}`);
}
