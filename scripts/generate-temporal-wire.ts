/**
 * Regenerates functions/adapters/temporal-wire/descriptor.json from the installed
 * `@temporalio/proto` (run after a Temporal SDK upgrade; the drift test says when it is needed).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateWireDescriptor } from '../functions/adapters/temporal-wire/generate';

const target = fileURLToPath(new URL('../functions/adapters/temporal-wire/descriptor.json', import.meta.url));
await writeFile(target, await generateWireDescriptor());
console.log(`wrote ${target}`);
