/**
 * Build-time only: the text of `descriptor.json`, pruned from the installed `@temporalio/proto`'s
 * full descriptor and formatted as the repository formats JSON, so regenerating an unchanged API
 * gives the same bytes (the drift test compares them).
 */
import { createRequire } from 'node:module';
import type { Root } from 'protobufjs';
import { format, resolveConfig } from 'prettier';
import { pruneDescriptor } from './prune';

/** `@temporalio/proto`'s unpatched root: the reflection the full client builds at import. */
export function fullTemporalRoot(): Root {
  return createRequire(import.meta.url)('@temporalio/proto/protos/json-module.js') as Root;
}

export async function generateWireDescriptor(root: Root = fullTemporalRoot()): Promise<string> {
  const path = new URL('./descriptor.json', import.meta.url).pathname;
  const options = (await resolveConfig(path)) ?? {};
  return format(JSON.stringify(pruneDescriptor(root)), { ...options, filepath: path });
}
