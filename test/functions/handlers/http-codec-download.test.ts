/**
 * The codec server and externally stored payloads, as Temporal's codec server protocol defines them
 * for external storage (the SDKs' payload HTTP handler, e.g. sdk-go `converter.NewPayloadHTTPHandler`):
 * `POST /v1/codec/download` fetches stored references and decodes them, `/decode` resolves them
 * too unless `?preserveStorageRefs=true`. Against local-kms and gofakes3; same auth as the others.
 */
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import { payloadToJson, type PayloadJson } from '../../../functions/adapters/codec-payload-json';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { LOCAL_KMS_CREDENTIALS, startLocalKms, type LocalKms } from '../../../local/kms-server';
import { startLocalS3, type LocalS3 } from '../../../local/s3-server';
import { ENCRYPTED_ENCODING, REFERENCE_ENCODING } from '../../../payloads';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

const API_KEY = 'codec-download-key-0123456789abcdef';
const text = (value: string) => Buffer.from(value, 'base64').toString('utf8');

let env: TestWorkflowEnvironment;
let kms: LocalKms;
let s3: LocalS3;
let gateway: GatewayServer;
let bucketless: GatewayServer;
/** A stored reference the gateway's converter wrote, and a small encrypted payload beside it. */
let stored: PayloadJson;
let small: PayloadJson;
const large = { text: 'x'.repeat(300 * 1024) };

beforeAll(async () => {
  [env, kms, s3] = await Promise.all([sharedTemporal(), startLocalKms(), startLocalS3()]);
  vi.stubEnv('AWS_REGION', kms.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_KMS_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_KMS_CREDENTIALS.secretAccessKey);
  const base = {
    TEMPORAL_ADDRESS: env.address,
    GATEWAY_CONFIG: JSON.stringify({ targets: DEFAULT_GATEWAY_CONFIG.targets }),
    [GATEWAY_ENV.auth]: 'api-key',
    [GATEWAY_ENV.apiKeys]: API_KEY,
    [PAYLOAD_ENV.kmsKeyId]: kms.keyId,
    [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
  };
  [gateway, bucketless] = await Promise.all([
    startGatewayServer({
      logger: silentLogger,
      env: { ...base, [PAYLOAD_ENV.largePayloadBucket]: s3.bucket, [PAYLOAD_ENV.s3Endpoint]: s3.endpoint },
    }),
    startGatewayServer({ logger: silentLogger, env: base }),
  ]);
  const converter = gateway.runtime.clients.dataConverter;
  const { payloads } = await converter.toPayloads([large, { stage: 1 }], 'staged-download');
  [stored, small] = (payloads as Payload[]).map(payloadToJson) as [PayloadJson, PayloadJson];
}, 120_000);

afterAll(async () => {
  await Promise.all([gateway?.close(), bucketless?.close()]);
  await Promise.all([kms?.stop(), s3?.stop()]);
  vi.unstubAllEnvs();
  await stopSharedTemporal();
});

const codec = (server: GatewayServer, path: string, payloads: unknown[], key: string | null = API_KEY) =>
  fetch(`${server.url}/v1/codec${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-namespace': 'default',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ payloads }),
  });

describe('the codec server and stored payloads', () => {
  it('wrote a reference and an encrypted payload to start from', () => {
    expect(text(stored.metadata.encoding!)).toBe(REFERENCE_ENCODING);
    expect(text(small.metadata.encoding!)).toBe(ENCRYPTED_ENCODING);
  });

  it('/download fetches a stored reference and decodes it', async () => {
    const response = await codec(gateway, '/download', [stored]);
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as { payloads: PayloadJson[] };
    expect(payloads).toHaveLength(1);
    expect(text(payloads[0]!.metadata.encoding!)).toBe('json/plain');
    expect(JSON.parse(text(payloads[0]!.data))).toEqual(large);
  });

  it('/decode resolves references by default, and leaves them as they are with preserveStorageRefs=true', async () => {
    const resolved = (await (await codec(gateway, '/decode', [stored, small])).json()) as {
      payloads: PayloadJson[];
    };
    expect(resolved.payloads.map((payload) => JSON.parse(text(payload.data)) as unknown)).toEqual([
      large,
      { stage: 1 },
    ]);
    const preserved = await codec(gateway, '/decode?preserveStorageRefs=true', [stored, small]);
    expect(preserved.status).toBe(200);
    const { payloads } = (await preserved.json()) as { payloads: PayloadJson[] };
    expect(payloads[0]).toEqual(stored);
    expect(JSON.parse(text(payloads[1]!.data))).toEqual({ stage: 1 });
  });

  it('/download refuses a payload that is not a reference, naming it', async () => {
    const response = await codec(gateway, '/download', [stored, small]);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'body.payloads[1]' });
  });

  it('/download refuses on a gateway without a large payload bucket', async () => {
    const response = await codec(bucketless, '/download', [stored]);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toContain('no large payload bucket');
  });

  it('/download is never open: no credential, 401', async () => {
    expect((await codec(gateway, '/download', [stored], null)).status).toBe(401);
    expect((await codec(gateway, '/download', [stored], 'not-the-key')).status).toBe(401);
  });
});
