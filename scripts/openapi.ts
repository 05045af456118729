/**
 * Writes the OpenAPI 3.1 documents of the HTTP API (`npm run openapi`): docs/openapi.json, and
 * docs/openapi-event-log.json for a gateway with an event log (its replay route), generated from the
 * route descriptions (functions/handlers/openapi/), whose request schemas are the ones the routes'
 * generated checks are made from. The gateway serves these files; a test compares them with what
 * the descriptions generate, so the documents cannot drift from the code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenApiDocument, openApiText } from '../functions/handlers/openapi/document';
import { isProcessEntry } from '../local/process-entry';

export { generateOpenApiDocument, openApiText };

/** Each document's file, by whether the gateway keeps an event log. */
export const OPENAPI_FILES = [
  { path: fileURLToPath(new URL('../docs/openapi.json', import.meta.url)), eventLog: false },
  { path: fileURLToPath(new URL('../docs/openapi-event-log.json', import.meta.url)), eventLog: true },
] as const;

export const OPENAPI_PATH = OPENAPI_FILES[0].path;

if (isProcessEntry(import.meta.url)) {
  for (const { path, eventLog } of OPENAPI_FILES) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, openApiText(generateOpenApiDocument({ eventLog })));
    console.log(`wrote ${path}`);
  }
}
