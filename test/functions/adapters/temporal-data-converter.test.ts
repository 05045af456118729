/**
 * The lean client's data converter, as unit decisions with fake codecs and a fake store: the SDK's
 * order (codecs in turn then storage outbound, references then codecs in reverse inbound), which
 * failures are the event's (permanent) and which the codec's (transient, with the codec's verdict),
 * and what the environment configures. The real codec, KMS, S3 and Temporal are in
 * test/functions/handlers/http-payload-encryption.test.ts and http-large-payloads.test.ts.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import {
  createDataConverter,
  loadPayloadSettings,
  PayloadCodecError,
  PayloadSettingsError,
  type LargePayloadStore,
} from '../../../functions/adapters/temporal-data-converter';
import { PayloadConversionError } from '../../../functions/adapters/temporal-wire/payloads';
import { KmsUnavailableError, PayloadKeyRejectedError } from '../../../payloads';

const utf8 = new TextEncoder();
const text = new TextDecoder();
const tag = (payload: Payload) => text.decode(payload.metadata?.tag ?? new Uint8Array());

/** A codec that wraps each payload's data in its name (and unwraps it), recording what it did. */
function namedCodec(name: string, log: string[]): PayloadCodec {
  return {
    encode: (payloads) => {
      log.push(`encode ${name}`);
      return Promise.resolve(
        payloads.map((p) => ({
          metadata: { ...p.metadata, tag: utf8.encode(`${tag(p)}${name}`) },
          data: p.data,
        })),
      );
    },
    decode: (payloads) => {
      log.push(`decode ${name}`);
      return Promise.resolve(
        payloads.map((p) => ({
          metadata: { ...p.metadata, tag: utf8.encode(tag(p).slice(0, -name.length)) },
          data: p.data,
        })),
      );
    },
  };
}

function recordingStore(log: string[]): LargePayloadStore & { targets: unknown[] } {
  const targets: unknown[] = [];
  return {
    targets,
    offload: (payloads, target) => {
      log.push(`offload after ${payloads.map(tag).join(',')}`);
      targets.push(target);
      return Promise.resolve([...payloads]);
    },
    resolve: (payloads) => {
      log.push(`resolve before ${payloads.map(tag).join(',')}`);
      return Promise.resolve([...payloads]);
    },
  };
}

const failing = (error: Error): PayloadCodec => ({
  encode: () => Promise.reject(error),
  decode: () => Promise.reject(error),
});

describe('the lean data converter', () => {
  it("runs codecs in order then the store outbound, and the store then the codecs in reverse inbound (the SDK's order)", async () => {
    const log: string[] = [];
    const store = recordingStore(log);
    const converter = createDataConverter('ns', [namedCodec('A', log), namedCodec('B', log)], store);
    const encoded = await converter.toPayloads([{ email: 'a@example.com' }], 'wf-1', 'orderWorkflow');
    expect(encoded.payloads?.map(tag)).toEqual(['AB']);
    expect(store.targets).toEqual([{ namespace: 'ns', workflowId: 'wf-1', workflowType: 'orderWorkflow' }]);
    expect(await converter.fromPayloads(encoded, 'wf-1')).toEqual({ email: 'a@example.com' });
    expect(log).toEqual([
      'encode A',
      'encode B',
      'offload after AB',
      'resolve before AB',
      'decode B',
      'decode A',
    ]);
    expect(converter).toMatchObject({ encodes: true, offloads: true });
  });

  it('without codecs or store writes what the default payload converter writes', async () => {
    const converter = createDataConverter('ns');
    const { payloads } = await converter.toPayloads([{ stage: 1 }]);
    expect(text.decode(payloads?.[0]?.metadata?.encoding)).toBe('json/plain');
    expect(converter).toMatchObject({ encodes: false, offloads: false });
    expect(await converter.fromPayloads({ payloads: [] })).toBeNull();
  });

  it("wraps a codec's failure with its verdict (retryable or not); a value the converter refuses stays the event's error", async () => {
    const unavailable = new KmsUnavailableError('KMS is unavailable', { keyId: 'k' });
    const rejected = new PayloadKeyRejectedError('KMS rejected key k', { keyId: 'k' });
    await expect(createDataConverter('ns', [failing(unavailable)]).toPayloads([1])).rejects.toMatchObject({
      name: 'PayloadCodecError',
      retryable: true,
      cause: unavailable,
    });
    const refused = createDataConverter('ns', [failing(rejected)]).fromPayloads({ payloads: [{}] });
    await expect(refused).rejects.toBeInstanceOf(PayloadCodecError);
    await expect(refused).rejects.toMatchObject({ retryable: false, cause: rejected });
    await expect(createDataConverter('ns', [failing(unavailable)]).toPayloads([10n])).rejects.toBeInstanceOf(
      PayloadConversionError,
    );
  });
});

describe('loadPayloadSettings', () => {
  it('configures nothing without the variables (no codec, no store)', async () => {
    expect(await loadPayloadSettings({})).toEqual({ codecs: [], store: undefined });
  });

  it('builds the KMS codec and the S3 store from PAYLOAD_ENV without calling either', async () => {
    const settings = await loadPayloadSettings({
      [PAYLOAD_ENV.kmsKeyId]: 'alias/payloads',
      [PAYLOAD_ENV.kmsEndpoint]: 'http://127.0.0.1:1',
      [PAYLOAD_ENV.largePayloadBucket]: 'payloads',
      [PAYLOAD_ENV.s3Endpoint]: 'http://127.0.0.1:1',
    });
    expect(settings.codecs.map((codec) => codec.constructor.name)).toEqual(['KmsEncryptionCodec']);
    expect(settings.store?.constructor.name).toBe('S3PayloadStore');
  });

  it('refuses a threshold that is not a whole number of bytes', async () => {
    await expect(
      loadPayloadSettings({
        [PAYLOAD_ENV.largePayloadBucket]: 'payloads',
        [PAYLOAD_ENV.largePayloadThresholdBytes]: '256k',
      }),
    ).rejects.toBeInstanceOf(PayloadSettingsError);
  });
});
