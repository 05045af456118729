import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKms, type LocalKms } from '../../local/kms-server';
import { KmsEncryptionCodec, type KmsEncryptionCodecOptions } from '../../payloads';
import { encodePayloadProto } from '../../payloads/payload-proto';
import { countingKmsClient, tally } from './support';

let kms: LocalKms;
beforeAll(async () => {
  kms = await startLocalKms();
});
afterAll(() => kms?.stop());

/** A codec with a call-counting client of its own: one codec is one process's cache. */
function codecOf(options: Partial<KmsEncryptionCodecOptions> = {}) {
  const { client, calls } = countingKmsClient(kms);
  return { codec: new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: client, ...options }), calls };
}

const utf8 = new TextDecoder();
const metadataText = (payload: Payload, key: string) =>
  utf8.decode(payload.metadata?.[key] ?? new Uint8Array());
const SECRET = 'customer-email=ada@example.com';

describe('KmsEncryptionCodec against local-kms', () => {
  it('makes no KMS call when constructed, nor for payloads it did not encrypt', async () => {
    const { codec, calls } = codecOf();
    const plain = defaultPayloadConverter.toPayload({ hello: 'world' });
    const othersEncrypted: Payload = {
      metadata: { encoding: new TextEncoder().encode('binary/encrypted') },
      data: new Uint8Array([1, 2, 3]),
    };
    const decoded = await codec.decode([plain, othersEncrypted]);
    expect(decoded[0]).toBe(plain);
    expect(decoded[1]).toBe(othersEncrypted);
    expect(calls).toEqual([]);
  });

  it.each([
    ['an empty object', {}],
    ['a short string', SECRET],
    ['1 KiB', { note: SECRET, filler: 'x'.repeat(1024) }],
    ['300 KiB', { note: SECRET, filler: 'y'.repeat(300 * 1024) }],
    ['2 MiB', { note: SECRET, filler: 'z'.repeat(2 * 1024 * 1024) }],
  ])('round-trips a json/plain payload of %s, metadata included', async (_size, value) => {
    const { codec } = codecOf();
    const original = defaultPayloadConverter.toPayload(value);
    original.metadata = { ...original.metadata, 'x-team': new TextEncoder().encode('ours') };
    const [encrypted] = await codec.encode([original]);
    const [decoded] = await codecOf().codec.decode([encrypted!]);
    // Buffers compare at memcmp speed; a deep equality of 2 MiB typed arrays takes seconds.
    expect(Buffer.from(decoded!.data!).equals(Buffer.from(original.data!))).toBe(true);
    expect(decoded!.metadata).toEqual(original.metadata);
    expect(Object.keys(decoded!)).toEqual(['metadata', 'data']);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(value);
  });

  it('round-trips binary/plain and binary/null payloads', async () => {
    const { codec } = codecOf();
    const originals = [
      defaultPayloadConverter.toPayload(new Uint8Array([0, 255, 7])),
      defaultPayloadConverter.toPayload(undefined),
    ];
    const decoded = await codecOf().codec.decode(await codec.encode(originals));
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([
      new Uint8Array([0, 255, 7]),
      undefined,
    ]);
  });

  it('stores no plaintext: neither the value, nor its encoding or metadata', async () => {
    const { codec } = codecOf();
    const original = defaultPayloadConverter.toPayload({ email: SECRET });
    const [encrypted] = await codec.encode([original]);
    const stored = Buffer.from(encodePayloadProto(encrypted!));
    expect(stored.includes(SECRET)).toBe(false);
    expect(stored.includes('ada@example.com')).toBe(false);
    expect(stored.includes('json/plain')).toBe(false);
    expect(Object.keys(encrypted!.metadata ?? {}).sort()).toEqual([
      'encoding',
      'encryption-data-key',
      'encryption-format',
      'encryption-key-id',
    ]);
    expect(metadataText(encrypted!, 'encoding')).toBe('binary/encrypted');
    expect(metadataText(encrypted!, 'encryption-format')).toBe('kms-aes256gcm/v1');
    expect(metadataText(encrypted!, 'encryption-key-id')).toBe(kms.keyId);
    // nonce (12) + ciphertext (as long as the serialized original) + tag (16)
    expect(encrypted!.data!.length).toBe(12 + encodePayloadProto(original).length + 16);
  });

  it('encrypts the same value differently each time (a fresh nonce per payload)', async () => {
    const { codec } = codecOf();
    const original = defaultPayloadConverter.toPayload(SECRET);
    const [first, second] = await codec.encode([original, original]);
    expect(Buffer.from(first!.data!).equals(Buffer.from(second!.data!))).toBe(false);
  });

  it('gives every payload a nonce of its own, across the batches of ciphers set up ahead', async () => {
    const { codec } = codecOf();
    const payload = defaultPayloadConverter.toPayload(SECRET);
    const encrypted = [
      ...(await codec.encode(Array.from({ length: 20 }, () => payload))),
      ...(await Promise.all(Array.from({ length: 30 }, () => codec.encode([payload])))).flat(),
    ];
    const nonces = encrypted.map((p) => Buffer.from(p.data!.subarray(0, 12)).toString('hex'));
    expect(new Set(nonces).size).toBe(50);
    const decoded = await codecOf().codec.decode(encrypted);
    expect(decoded.every((p) => defaultPayloadConverter.fromPayload(p) === SECRET)).toBe(true);
  });

  it('reuses one data key up to its use count, then asks KMS for the next', async () => {
    const { codec, calls } = codecOf({ dataKeyMaxUses: 3 });
    const payload = defaultPayloadConverter.toPayload(1);
    // Concurrent payloads of a cold codec share one GenerateDataKey.
    const firstThree = await codec.encode([payload, payload, payload]);
    expect(tally(calls)).toEqual({ GenerateDataKeyCommand: 1 });
    const [fourth] = await codec.encode([payload]);
    expect(tally(calls)).toEqual({ GenerateDataKeyCommand: 2 });
    const dataKeys = [...firstThree, fourth!].map((p) => Buffer.from(p.metadata!['encryption-data-key']!));
    expect(new Set(dataKeys.map((key) => key.toString('base64'))).size).toBe(2);
    // This process decodes its own payloads without asking KMS.
    await codec.decode([...firstThree, fourth!]);
    expect(tally(calls)).toEqual({ GenerateDataKeyCommand: 2 });
  });

  it('renews the data key in the middle of one encode call, each payload under a key within its limits', async () => {
    const { codec, calls } = codecOf({ dataKeyMaxUses: 2 });
    const payload = defaultPayloadConverter.toPayload(SECRET);
    const [first] = await codec.encode([payload]);
    const rest = await codec.encode([payload, payload, payload]);
    expect(tally(calls)).toEqual({ GenerateDataKeyCommand: 2 });
    const keyOf = (p: Payload) => Buffer.from(p.metadata!['encryption-data-key']!).toString('base64');
    const keys = [first!, ...rest].map(keyOf);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[3]).toBe(keys[2]);
    const decoded = await codecOf().codec.decode([first!, ...rest]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      SECRET,
      SECRET,
      SECRET,
      SECRET,
    ]);
  });

  it('rejects, never throws, when a payload cannot be encoded with the data key at hand', async () => {
    const { codec } = codecOf();
    await codec.encode([defaultPayloadConverter.toPayload(1)]);
    // A size that is not a number: the inner Payload cannot be protobuf-encoded.
    const unencodable = { metadata: {}, externalPayloads: [{ sizeBytes: 'many' }] } as unknown as Payload;
    const encoding = codec.encode([unencodable]);
    expect(encoding).toBeInstanceOf(Promise);
    await expect(encoding).rejects.toThrow(SyntaxError);
  });

  it('reuses one data key for its lifetime, then asks KMS for the next', async () => {
    let now = 1_000_000;
    const { codec, calls } = codecOf({ dataKeyMaxAgeMs: 60_000, now: () => now });
    const payload = defaultPayloadConverter.toPayload(1);
    await codec.encode([payload]);
    now += 59_999;
    await codec.encode([payload]);
    expect(tally(calls)).toEqual({ GenerateDataKeyCommand: 1 });
    now += 1;
    await codec.encode([payload]);
    expect(tally(calls)).toEqual({ GenerateDataKeyCommand: 2 });
  });

  it('decrypts each data key once per process, however many payloads it encrypted', async () => {
    const writer = codecOf().codec;
    const encrypted = await writer.encode(
      Array.from({ length: 50 }, (_, i) => defaultPayloadConverter.toPayload(i)),
    );
    const reader = codecOf();
    const decoded = await reader.codec.decode(encrypted);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    await reader.codec.decode(encrypted);
    expect(tally(reader.calls)).toEqual({ DecryptCommand: 1 });
  });

  it('keeps a bounded number of decrypted keys, dropping the least recently used', async () => {
    const writer = codecOf({ dataKeyMaxUses: 1 }).codec;
    const [a, b] = await writer.encode([
      defaultPayloadConverter.toPayload('a'),
      defaultPayloadConverter.toPayload('b'),
    ]);
    const reader = codecOf({ decryptedKeyCacheSize: 1 });
    await reader.codec.decode([a!]);
    await reader.codec.decode([b!]);
    await reader.codec.decode([a!]);
    expect(tally(reader.calls)).toEqual({ DecryptCommand: 3 });
  });

  it('decodes histories from before a data key renewal and a KMS key rotation', async () => {
    const before = await codecOf().codec.encode([defaultPayloadConverter.toPayload('under the first key')]);
    const created = await kms.client().send(new CreateKeyCommand({ Description: 'rotated payload key' }));
    const newKeyArn = created.KeyMetadata!.Arn!;
    const rotated = codecOf({ keyId: newKeyArn, dataKeyMaxUses: 1 });
    const after = await rotated.codec.encode([
      defaultPayloadConverter.toPayload('under the second key'),
      defaultPayloadConverter.toPayload('under its next data key'),
    ]);
    expect(metadataText(after[0]!, 'encryption-key-id')).toBe(newKeyArn);
    expect(metadataText(before[0]!, 'encryption-key-id')).toBe(kms.keyId);
    // A fresh process configured with the new key only still reads every old payload.
    const reader = codecOf({ keyId: newKeyArn });
    const decoded = await reader.codec.decode([...before, ...after]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      'under the first key',
      'under the second key',
      'under its next data key',
    ]);
    expect(tally(reader.calls)).toEqual({ DecryptCommand: 3 });
  });
});
