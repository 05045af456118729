/**
 * The local stacks' payload encryption: local-kms keeps its keys in the stack's state directory, so a
 * payload encrypted before a restart decodes after it; the recorded PAYLOAD_ENV is read back only by
 * a tool of the same stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { readLocalPayloadEnv, startLocalPayloadKms, writeLocalPayloadEnv } from '../../local/payload-kms';
import { ENCRYPTED_ENCODING, KmsEncryptionCodec } from '../../payloads';

const stateDir = mkdtempSync(join(tmpdir(), 'payload-kms-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('the local stack’s KMS', () => {
  it('keeps its keys in the state directory: a payload encrypted before a restart decodes after it', async () => {
    const dataDir = join(stateDir, 'kms');
    const first = await startLocalPayloadKms({ dataDir });
    let encrypted: Payload | undefined;
    try {
      expect(first.env).toEqual({
        [PAYLOAD_ENV.kmsKeyId]: first.kms.keyAlias,
        [PAYLOAD_ENV.kmsEndpoint]: first.kms.endpoint,
      });
      expect(first.description).toContain(first.kms.keyId);
      const client = first.kms.client();
      [encrypted] = await new KmsEncryptionCodec({ keyId: first.kms.keyAlias, kms: client }).encode([
        defaultPayloadConverter.toPayload('written before the restart'),
      ]);
      client.destroy();
    } finally {
      await first.stop();
    }
    expect(new TextDecoder().decode(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);

    const second = await startLocalPayloadKms({ dataDir });
    try {
      const client = second.kms.client();
      const [decoded] = await new KmsEncryptionCodec({ keyId: second.kms.keyAlias, kms: client }).decode([
        encrypted!,
      ]);
      client.destroy();
      expect(defaultPayloadConverter.fromPayload(decoded!)).toBe('written before the restart');
    } finally {
      await second.stop();
    }
  });

  it('records its PAYLOAD_ENV for tools of the same stack only', () => {
    const file = join(stateDir, 'payload-env.json');
    const env = { [PAYLOAD_ENV.kmsKeyId]: 'alias/k', [PAYLOAD_ENV.kmsEndpoint]: 'http://127.0.0.1:1' };
    expect(readLocalPayloadEnv(file, '127.0.0.1:7233')).toEqual({});
    writeLocalPayloadEnv(file, '127.0.0.1:7233', env);
    expect(readLocalPayloadEnv(file, '127.0.0.1:7233')).toEqual(env);
    expect(readLocalPayloadEnv(file, '127.0.0.1:7234')).toEqual({});
  });
});
