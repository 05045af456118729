/**
 * `KmsEncryptionCodec.prepare()` asks KMS for the next data key ahead of the encode (the gateway
 * calls it as a process's first delivery request arrives). Against local-kms: the encode uses the
 * prefetched key or joins the GenerateDataKey in flight (one call, never two), and when KMS refuses,
 * is unreachable or is slow, the encode fails or waits exactly as it does without `prepare()`.
 * KMS is made slow by holding each call at a gate the test opens (no timing involved).
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_KMS_CREDENTIALS, startLocalKms, type LocalKms } from '../../local/kms-server';
import {
  KmsEncryptionCodec,
  KmsUnavailableError,
  LeanKmsClient,
  PayloadKeyRejectedError,
  type KmsDataKeyClient,
} from '../../payloads';

let kms: LocalKms;
beforeAll(async () => {
  kms = await startLocalKms();
});
afterAll(() => kms?.stop());

/**
 * The lean client against `server` (one attempt: a fault shows at once), counting GenerateDataKey
 * calls; with `gated`, each call waits until the test calls `open()`.
 */
function kmsCalls(server: LocalKms, options: { gated?: boolean } = {}) {
  const lean = new LeanKmsClient({
    endpoint: server.endpoint,
    region: server.region,
    credentials: LOCAL_KMS_CREDENTIALS,
    maxAttempts: 1,
  });
  let open: () => void = () => undefined;
  const gate = options.gated ? new Promise<void>((resolve) => (open = resolve)) : Promise.resolve();
  const counted = { generated: 0 };
  /** Each GenerateDataKey's outcome, whichever it is. */
  const settled: Promise<unknown>[] = [];
  const client: KmsDataKeyClient = {
    generateDataKey(input) {
      counted.generated += 1;
      const answer = gate.then(() => lean.generateDataKey(input));
      settled.push(answer.catch(() => undefined));
      return answer;
    },
    decrypt: (input) => lean.decrypt(input),
  };
  return { client, counted, settled, open: () => open() };
}

const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (payload: Payload | undefined): unknown => defaultPayloadConverter.fromPayload(payload!);
const dataKeyOf = (payload: Payload | undefined) =>
  Buffer.from(payload!.metadata!['encryption-data-key']!).toString('base64');

describe('KmsEncryptionCodec.prepare against local-kms', () => {
  it('fetches the data key the next encode uses: one GenerateDataKey for both', async () => {
    const calls = kmsCalls(kms);
    const codec = new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: calls.client });
    expect(calls.counted.generated).toBe(0); // constructing calls nothing
    codec.prepare();
    expect(calls.counted.generated).toBe(1);
    const [encrypted] = await codec.encode([payloadOf({ email: 'ada@example.com' })]);
    expect(calls.counted.generated).toBe(1);
    const [decoded] = await codec.decode([encrypted!]);
    expect(valueOf(decoded)).toEqual({ email: 'ada@example.com' });
  });

  it('lets an encode that starts while KMS is still answering join that call', async () => {
    const calls = kmsCalls(kms, { gated: true });
    const codec = new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: calls.client });
    codec.prepare();
    const encoding = codec.encode([payloadOf('first'), payloadOf('second')]);
    codec.prepare(); // a second request's prepare while the first call is in flight: no new call
    expect(calls.counted.generated).toBe(1);
    calls.open();
    const encrypted = await encoding;
    expect(calls.counted.generated).toBe(1);
    expect(dataKeyOf(encrypted[0])).toBe(dataKeyOf(encrypted[1]));
    expect((await codec.decode(encrypted)).map(valueOf)).toEqual(['first', 'second']);
  });

  it('asks nothing while the current key is within its limits, and for the next key once it is spent', async () => {
    const calls = kmsCalls(kms);
    const codec = new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: calls.client, dataKeyMaxUses: 2 });
    const [first] = await codec.encode([payloadOf(1)]);
    codec.prepare();
    expect(calls.counted.generated).toBe(1);
    const [second] = await codec.encode([payloadOf(2)]); // the key's second and last use
    expect(dataKeyOf(second)).toBe(dataKeyOf(first));
    codec.prepare(); // spent: fetch the next one now
    expect(calls.counted.generated).toBe(2);
    const [third] = await codec.encode([payloadOf(3)]);
    expect(calls.counted.generated).toBe(2);
    expect(dataKeyOf(third)).not.toBe(dataKeyOf(first));
    expect((await codec.decode([first!, second!, third!])).map(valueOf)).toEqual([1, 2, 3]);
  });

  it('leaves a key KMS refuses to the encode, which fails as without prepare (joined or after)', async () => {
    const withoutPrepare = await new KmsEncryptionCodec({
      keyId: 'alias/no-such-key',
      kms: kmsCalls(kms).client,
    })
      .encode([payloadOf(1)])
      .catch((error: unknown) => error);
    expect(withoutPrepare).toBeInstanceOf(PayloadKeyRejectedError);

    // The encode joins the refused call in flight.
    const gated = kmsCalls(kms, { gated: true });
    const joined = new KmsEncryptionCodec({ keyId: 'alias/no-such-key', kms: gated.client });
    joined.prepare();
    const joining = joined.encode([payloadOf(1)]).catch((error: unknown) => error);
    gated.open();
    const joinedError = await joining;
    expect(gated.counted.generated).toBe(1);

    // The refusal came before the encode: the encode asks KMS again, as it would have.
    const calls = kmsCalls(kms);
    const after = new KmsEncryptionCodec({ keyId: 'alias/no-such-key', kms: calls.client });
    after.prepare();
    expect(calls.counted.generated).toBe(1);
    await Promise.all(calls.settled);
    await new Promise((resolve) => setImmediate(resolve)); // the codec has seen the refusal
    const afterError = await after.encode([payloadOf(1)]).catch((error: unknown) => error);
    expect(calls.counted.generated).toBe(2);

    for (const error of [joinedError, afterError]) {
      expect(error).toBeInstanceOf(PayloadKeyRejectedError);
      expect(error).toMatchObject({
        name: (withoutPrepare as Error).name,
        keyId: 'alias/no-such-key',
        retryable: false,
        message: (withoutPrepare as Error).message,
      });
    }
  });

  it('with KMS unreachable, fails the encode retryable, then encodes once KMS answers again', async () => {
    const doomed = await startLocalKms();
    await doomed.stop();
    const unreachable = kmsCalls(doomed);
    const working = kmsCalls(kms);
    let target = unreachable;
    const client: KmsDataKeyClient = {
      generateDataKey: (input) => target.client.generateDataKey(input),
      decrypt: (input) => target.client.decrypt(input),
    };
    const codec = new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: client });
    codec.prepare(); // fails unseen: no throw, no unhandled rejection
    const error = await codec.encode([payloadOf('during the outage')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsUnavailableError);
    expect(error).toMatchObject({ keyId: kms.keyAlias, retryable: true });
    expect(unreachable.counted.generated).toBe(1);

    target = working;
    codec.prepare();
    const [encrypted] = await codec.encode([payloadOf('after the outage')]);
    expect(working.counted.generated).toBe(1);
    expect(valueOf((await codec.decode([encrypted!]))[0])).toBe('after the outage');
  });
});
