/**
 * The local stacks encrypt payloads by default, as a deployed gateway with `payloadEncryption`
 * does: local-kms with its keys in the stack's state directory (so workflows encrypted before a
 * restart still decode), and the PAYLOAD_ENV both the gateway and the worker read.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PAYLOAD_ENV } from '../contract/env-names';
import { startLocalKms, type LocalKms } from './kms-server';
import type { BuildLog } from './tool-build';

/** Where `npm run dev` records its PAYLOAD_ENV, relative to the repository root. */
export const LOCAL_PAYLOAD_ENV_FILE = '.dev-data/payload-env.json';

export interface LocalPayloadKms {
  readonly kms: LocalKms;
  /** PAYLOAD_ENV for the gateway and the worker: the key's alias and the emulator's endpoint. */
  readonly env: Readonly<Record<string, string>>;
  /** The ready banner's line. */
  readonly description: string;
  stop(): Promise<void>;
}

/** Starts local-kms (built once into the tool cache by `npm run tools` or on first use). */
export async function startLocalPayloadKms(options: {
  readonly dataDir: string;
  readonly log?: BuildLog;
}): Promise<LocalPayloadKms> {
  const kms = await startLocalKms({ dataDir: options.dataDir, ...(options.log ? { log: options.log } : {}) });
  return {
    kms,
    env: { [PAYLOAD_ENV.kmsKeyId]: kms.keyAlias, [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint },
    description: `${kms.endpoint}   payloads encrypted under ${kms.keyAlias} (${kms.keyId})`,
    stop: () => kms.stop(),
  };
}

/**
 * Records which PAYLOAD_ENV the stack on `temporalAddress` uses, so a tool run beside it (the
 * handshake demo's Temporal client) reads and writes the same payloads. Nothing secret: the
 * emulator's endpoint and a key alias.
 */
export function writeLocalPayloadEnv(
  file: string,
  temporalAddress: string,
  env: Readonly<Record<string, string>>,
): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ temporalAddress, env }, null, 2)}\n`);
}

/** The PAYLOAD_ENV the stack on `temporalAddress` recorded; none when another stack (or none) wrote it. */
export function readLocalPayloadEnv(file: string, temporalAddress: string): Record<string, string> {
  try {
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as {
      temporalAddress?: string;
      env?: Record<string, string>;
    };
    return recorded.temporalAddress === temporalAddress && recorded.env ? recorded.env : {};
  } catch {
    return {};
  }
}
