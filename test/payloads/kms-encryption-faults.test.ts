import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKms } from '../../local/kms-server';
import {
  KmsEncryptionCodec,
  KmsUnavailableError,
  PayloadCorruptedError,
  PayloadEncryptionConfigError,
  PayloadKeyRejectedError,
  UnsupportedPayloadFormatError,
  type KmsEncryptionCodecOptions,
} from '../../payloads';
import { EventGatewayError } from '../../contract/errors';
import { countingKmsClient } from './support';

let kms: LocalKms;
beforeAll(async () => {
  kms = await startLocalKms();
});
afterAll(() => kms?.stop());

const codecOf = (options: Partial<KmsEncryptionCodecOptions> = {}, server = kms) =>
  new KmsEncryptionCodec({ keyId: server.keyAlias, kms: countingKmsClient(server).client, ...options });

const utf8 = new TextEncoder();
const UNKNOWN_KEY = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000';
const workflow = { type: 'workflow', namespace: 'default', workflowId: 'order-42' } as const;

async function encryptedPayload(value: unknown = { email: 'ada@example.com' }): Promise<Payload> {
  const [payload] = await codecOf().encode([defaultPayloadConverter.toPayload(value)]);
  return payload!;
}

/** The payload with one metadata value or its data replaced. */
const tampered = (
  payload: Payload,
  change: { metadata?: Record<string, Uint8Array>; data?: Uint8Array },
) => ({
  metadata: { ...payload.metadata, ...change.metadata },
  data: change.data ?? payload.data,
});

async function decodeError(payloads: Payload[], codec = codecOf()): Promise<unknown> {
  return codec.decode(payloads, workflow).then(
    () => expect.fail('decoded a payload it should have refused'),
    (error: unknown) => error,
  );
}

describe('KmsEncryptionCodec faults against local-kms', () => {
  it('refuses to encode under a key KMS does not know, naming the key', async () => {
    const error = await codecOf({ keyId: 'alias/no-such-key' })
      .encode([defaultPayloadConverter.toPayload(1)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadKeyRejectedError);
    expect(error).toBeInstanceOf(EventGatewayError);
    expect(error).toMatchObject({
      keyId: 'alias/no-such-key',
      retryable: false,
      name: 'PayloadKeyRejectedError',
    });
    expect((error as Error).message).toContain('KMS rejected key alias/no-such-key');
    expect((error as Error).message).toContain('NotFoundException');
  });

  it('refuses a payload whose key KMS does not know, naming the payload and the key', async () => {
    const payload = tampered(await encryptedPayload(), {
      metadata: { 'encryption-key-id': utf8.encode(UNKNOWN_KEY) },
    });
    const error = await decodeError([defaultPayloadConverter.toPayload('fine'), payload]);
    expect(error).toBeInstanceOf(PayloadKeyRejectedError);
    expect(error).toMatchObject({ keyId: UNKNOWN_KEY, retryable: false });
    expect((error as Error).message).toContain(`key ${UNKNOWN_KEY}`);
    expect((error as Error).cause).toBeDefined();
  });

  it('refuses a data key KMS cannot decrypt (a damaged encrypted data key)', async () => {
    const payload = await encryptedPayload();
    const dataKey = Uint8Array.from(payload.metadata!['encryption-data-key']!);
    dataKey[dataKey.length - 5]! ^= 0x01;
    const error = await decodeError([tampered(payload, { metadata: { 'encryption-data-key': dataKey } })]);
    expect(error).toBeInstanceOf(PayloadKeyRejectedError);
    expect((error as Error).message).toContain('InvalidCiphertextException');
  });

  it('refuses a corrupted ciphertext or tag, decoding nothing of it', async () => {
    const payload = await encryptedPayload();
    for (const position of [12, payload.data!.length - 1]) {
      const data = Uint8Array.from(payload.data!);
      data[position]! ^= 0x80;
      const error = await decodeError([tampered(payload, { data })]);
      expect(error).toBeInstanceOf(PayloadCorruptedError);
      expect((error as Error).message).toBe(
        `payload 1 of 1 of workflow order-42 does not authenticate under its data key of key ${kms.keyId}: ` +
          'its ciphertext or tag is corrupted.',
      );
    }
  });

  it('refuses truncated data and missing metadata as corrupted', async () => {
    const payload = await encryptedPayload();
    const truncated = await decodeError([tampered(payload, { data: payload.data!.subarray(0, 27) })]);
    expect(truncated).toBeInstanceOf(PayloadCorruptedError);
    expect((truncated as Error).message).toContain('data (27 bytes)');
    const noKeyId = { ...payload, metadata: { ...payload.metadata } };
    delete noKeyId.metadata['encryption-key-id'];
    const missing = await decodeError([noKeyId]);
    expect(missing).toBeInstanceOf(PayloadCorruptedError);
    expect((missing as Error).message).toContain('encryption-key-id is missing');
  });

  it('refuses a format it does not know rather than guessing', async () => {
    const payload = tampered(await encryptedPayload(), {
      metadata: { 'encryption-format': utf8.encode('kms-aes256gcm/v2') },
    });
    const error = await decodeError([payload]);
    expect(error).toBeInstanceOf(UnsupportedPayloadFormatError);
    expect((error as Error).message).toContain('"kms-aes256gcm/v2"');
  });

  it('reports KMS unreachable as retryable, keeping the cause, on encode and decode', async () => {
    const doomed = await startLocalKms();
    const [payload] = await codecOf({}, doomed).encode([
      defaultPayloadConverter.toPayload('before the outage'),
    ]);
    await doomed.stop();

    const decodeFailure = await decodeError([payload!], codecOf({}, doomed));
    expect(decodeFailure).toBeInstanceOf(KmsUnavailableError);
    expect(decodeFailure).toMatchObject({ keyId: doomed.keyId, retryable: true });
    expect((decodeFailure as Error).message).toContain(
      `KMS is unavailable to decrypt a data key with key ${doomed.keyId}`,
    );
    expect((decodeFailure as Error).cause).toBeInstanceOf(Error);

    const encodeFailure = await codecOf({}, doomed)
      .encode([defaultPayloadConverter.toPayload(1)])
      .catch((e: unknown) => e);
    expect(encodeFailure).toBeInstanceOf(KmsUnavailableError);
    expect(encodeFailure).toMatchObject({ keyId: doomed.keyAlias, retryable: true });
  });

  it('lists every unusable option at once', () => {
    const construct = () =>
      new KmsEncryptionCodec({
        keyId: ' ',
        dataKeyMaxUses: 2 ** 33,
        dataKeyMaxAgeMs: 0,
        decryptedKeyCacheSize: 1.5,
      });
    expect(construct).toThrow(PayloadEncryptionConfigError);
    expect(construct).toThrow(
      expect.objectContaining({
        problems: [
          'keyId is empty: name the KMS key that encrypts payloads',
          'dataKeyMaxAgeMs must be a whole number from 1 to 9007199254740991; got 0',
          'dataKeyMaxUses must be a whole number from 1 to 4294967296; got 8589934592',
          'decryptedKeyCacheSize must be a whole number from 1 to 9007199254740991; got 1.5',
        ],
      }),
    );
  });
});
