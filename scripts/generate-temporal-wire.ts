/**
 * Regenerates the lean Temporal client's descriptor and codecs from the installed
 * `@temporalio/proto` (run after a Temporal SDK upgrade; the drift test says when it is needed).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateWireCodecs, generateWireDescriptor } from '../functions/adapters/temporal-wire/generate';

const dir = new URL('../functions/adapters/temporal-wire/', import.meta.url);
const descriptor = await generateWireDescriptor();
await writeFile(new URL('descriptor.json', dir), descriptor);
await writeFile(new URL('codecs.generated.js', dir), await generateWireCodecs(descriptor));
console.log(`wrote descriptor.json and codecs.generated.js in ${fileURLToPath(dir)}`);
