/**
 * One team codec module, both sides (issue 28): the gateway's data converter loads the module
 * EVENT_GATEWAY_PAYLOAD_CODEC_MODULE names (as the construct's functions do), runWorker's takes the
 * same module's default export, each with the built-in KMS codec against the real local-kms, and
 * each decodes what the other encoded — the SDK's own decoding on the worker's side. The team codec
 * runs first on encode on both sides: what either writes is `binary/encrypted` outside, gzip inside.
 */
import { fileURLToPath } from 'node:url';
import type { Payload } from '@temporalio/common';
import {
  decodeFromPayloadsAtIndex,
  encodeToPayloads,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_ENV } from '../../contract/env-names';
import {
  createDataConverter,
  loadPayloadCodecs,
  type TemporalDataConverter,
} from '../../functions/adapters/temporal-data-converter';
import { startLocalKms, type LocalKms } from '../../local/kms-server';
import { ENCRYPTED_ENCODING, KmsEncryptionCodec } from '../../payloads';
import { PayloadCodecModuleError, workerDataConverter } from '../../worker/index';
import teamCodecs from '../fixtures/team-codec/index';
import { TEAM_GZIP_ENCODING } from '../fixtures/team-codec/gzip-codec';

const TEAM_CODEC_MODULE = fileURLToPath(new URL('../fixtures/team-codec/index.ts', import.meta.url));
const NAMESPACE = 'orders';
const WORKFLOW_ID = 'order-42';
const encodingOf = (payload: Payload) => new TextDecoder().decode(payload.metadata?.encoding);

let kms: LocalKms;
let gateway: TemporalDataConverter;
let worker: ReturnType<typeof loadDataConverter>;
beforeAll(async () => {
  kms = await startLocalKms();
  const gatewayCodecs = await loadPayloadCodecs({
    [PAYLOAD_ENV.codecModule]: TEAM_CODEC_MODULE,
    [PAYLOAD_ENV.kmsKeyId]: kms.keyAlias,
    [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
    AWS_REGION: kms.region,
  });
  gateway = createDataConverter(NAMESPACE, gatewayCodecs);
  const { dataConverter } = await workerDataConverter(
    { payloadCodecs: teamCodecs, payloadEncryption: { keyId: kms.keyAlias, kms: kms.client() } },
    {},
  );
  worker = loadDataConverter(dataConverter);
});
afterAll(async () => {
  await kms?.stop();
});

const order = { orderId: 'order-42', email: 'jane@example.com', lines: Array(50).fill('sku-123') };

describe('a team codec module on the gateway and in runWorker', () => {
  it('a payload the gateway encodes decodes in the worker', async () => {
    const { payloads } = await gateway.toPayloads([order], WORKFLOW_ID);
    const [payload] = payloads as Payload[];
    expect(encodingOf(payload!)).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(payload!.data!).includes('jane@example.com')).toBe(false);
    // The built-in codec is the outer layer: under it is the team codec's gzip, not JSON.
    const [inner] = await new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: kms.client() }).decode([
      payload!,
    ]);
    expect(encodingOf(inner!)).toBe(TEAM_GZIP_ENCODING);

    await expect(decodeFromPayloadsAtIndex(worker, 0, payloads as Payload[])).resolves.toEqual(order);
  });

  it('a payload the worker encodes decodes in the gateway', async () => {
    const payloads = (await encodeToPayloads(worker, order))!;
    expect(encodingOf(payloads[0]!)).toBe(ENCRYPTED_ENCODING);
    await expect(gateway.fromPayloads({ payloads }, WORKFLOW_ID)).resolves.toEqual(order);
    // The codec server's path: the same converter, payloads in and out.
    const [decoded] = await gateway.decodePayloads(payloads);
    expect(encodingOf(decoded!)).toBe('json/plain');
  });

  it('refuses a module without a default export at load, naming what it exports', async () => {
    const named = fileURLToPath(new URL('../fixtures/team-codec/gzip-codec.ts', import.meta.url));
    const loading = loadPayloadCodecs({ [PAYLOAD_ENV.codecModule]: named });
    await expect(loading).rejects.toThrow(PayloadCodecModuleError);
    await expect(loading).rejects.toThrow(/has no default export \(it exports .*TeamGzipCodec/);
  });

  it('refuses an export that is not a codec', async () => {
    await expect(workerDataConverter({ payloadCodecs: [{ encode: 1 }] as never }, {})).rejects.toThrow(
      /payloadCodecs is not a PayloadCodec.*\[0\] has no encode and decode methods/,
    );
  });
});
