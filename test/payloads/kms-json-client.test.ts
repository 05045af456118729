import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_KMS_CREDENTIALS, startLocalKms, type LocalKms } from '../../local/kms-server';
import {
  KmsEncryptionCodec,
  KmsServiceError,
  KmsTimeoutError,
  KmsUnavailableError,
  LeanKmsClient,
  PayloadKeyRejectedError,
} from '../../payloads';
import { leanKmsSettings } from '../../payloads/kms-json-client';
import { sdkAuthorization, signedHeaderNames } from '../support/sigv4-oracle';

let kms: LocalKms;
beforeAll(async () => {
  kms = await startLocalKms();
});
afterAll(() => kms?.stop());

const lean = (server: LocalKms, maxAttempts = 3) =>
  new LeanKmsClient({
    endpoint: server.endpoint,
    region: server.region,
    credentials: LOCAL_KMS_CREDENTIALS,
    maxAttempts,
  });

const CONTEXT = { 'temporal-payload-format': 'kms-aes256gcm/v1' };

/**
 * A stand-in for KMS that records each request and gives the next of its canned answers (`silent`:
 * none, ever), counting the connections it accepts.
 */
async function kmsStandIn(answers: ({ status: number; body: object } | 'silent')[]) {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  let connections = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
      if (answer === 'silent') return;
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answer.body));
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    requests,
    connections: () => connections,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('LeanKmsClient against local-kms', () => {
  it('round-trips payloads, and each client decodes what the other encrypted', async () => {
    const values = [{ email: 'ada@example.com' }, 'x'.repeat(10_000)];
    const payloads = values.map((value) => defaultPayloadConverter.toPayload(value));
    const viaLean = new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: lean(kms) });
    const viaSdk = new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: kms.client() });
    for (const [writer, reader] of [
      [viaLean, viaSdk],
      [viaSdk, viaLean],
      [viaLean, new KmsEncryptionCodec({ keyId: kms.keyAlias, kms: lean(kms) })],
    ] as const) {
      const decoded = await reader.decode(await writer.encode(payloads));
      expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual(values);
    }
  });

  it('reports an unknown key and a damaged data key as rejected, in KMS words', async () => {
    const unknown = await new KmsEncryptionCodec({ keyId: 'alias/no-such-key', kms: lean(kms) })
      .encode([defaultPayloadConverter.toPayload(1)])
      .catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(PayloadKeyRejectedError);
    expect((unknown as Error).message).toContain('NotFoundException');
    expect((unknown as Error).cause).toBeInstanceOf(KmsServiceError);

    const error = await lean(kms)
      .decrypt({ KeyId: kms.keyId, CiphertextBlob: new Uint8Array(64).fill(7), EncryptionContext: CONTEXT })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsServiceError);
    expect(error).toMatchObject({ name: 'InvalidCiphertextException', $fault: 'client' });
  });

  it('reports KMS unreachable as unavailable (retryable)', async () => {
    const doomed = await startLocalKms();
    const client = lean(doomed, 1);
    await doomed.stop();
    const error = await new KmsEncryptionCodec({ keyId: doomed.keyAlias, kms: client })
      .encode([defaultPayloadConverter.toPayload(1)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsUnavailableError);
    expect(error).toMatchObject({ retryable: true, keyId: doomed.keyAlias });
  });
});

describe('LeanKmsClient on the wire', () => {
  it('signs as the AWS SDK signs (SigV4, session token included) and speaks JSON 1.1', async () => {
    const standIn = await kmsStandIn([
      {
        status: 200,
        body: { KeyId: 'arn:k', Plaintext: 'AAAA', CiphertextBlob: Buffer.from('blob').toString('base64') },
      },
    ]);
    try {
      const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/+=' };
      const client = new LeanKmsClient({ endpoint: standIn.endpoint, region: 'eu-west-1', credentials });
      const answer = await client.generateDataKey({ KeyId: 'alias/k', EncryptionContext: CONTEXT });
      expect(answer).toEqual({
        KeyId: 'arn:k',
        Plaintext: Buffer.from([0, 0, 0]),
        CiphertextBlob: Buffer.from('blob'),
      });

      const [sent] = standIn.requests;
      expect(JSON.parse(sent!.body)).toEqual({
        KeyId: 'alias/k',
        KeySpec: 'AES_256',
        EncryptionContext: CONTEXT,
      });
      expect(sent!.headers).toMatchObject({
        'x-amz-target': 'TrentService.GenerateDataKey',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-security-token': 'token/+=',
      });
      const request = { method: 'POST', path: '/', headers: sent!.headers, body: sent!.body };
      expect(signedHeaderNames(request)).toEqual([
        'content-type',
        'host',
        'x-amz-date',
        'x-amz-security-token',
        'x-amz-target',
      ]);
      // The SDK's clients add x-amz-content-sha256 (optional outside S3); compare like with like.
      expect(sent!.headers.authorization).toBe(
        await sdkAuthorization(request, {
          service: 'kms',
          region: 'eu-west-1',
          credentials,
          applyChecksum: false,
        }),
      );
    } finally {
      await standIn.close();
    }
  });

  it('retries throttling and server faults as the SDK does, never a client fault', async () => {
    const throttled = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
    const internal = { status: 500, body: { __type: 'KMSInternalException', message: 'oops' } };
    const notFound = {
      status: 400,
      body: { __type: 'com.amazonaws.kms#NotFoundException', message: 'no key' },
    };
    const ok = { status: 200, body: { Plaintext: Buffer.alloc(32).toString('base64') } };
    const input = { KeyId: 'k', CiphertextBlob: new Uint8Array([1]), EncryptionContext: CONTEXT };

    for (const [answers, attempts, outcome] of [
      [[throttled, internal, ok], 3, 'ok'],
      [[throttled], 3, 'ThrottlingException'],
      [[notFound, ok], 1, 'NotFoundException'],
    ] as const) {
      const standIn = await kmsStandIn([...answers]);
      try {
        const client = new LeanKmsClient({
          endpoint: standIn.endpoint,
          region: 'us-east-1',
          credentials: LOCAL_KMS_CREDENTIALS,
        });
        const result = await client.decrypt(input).then(
          () => 'ok',
          (error: unknown) => (error as Error).name,
        );
        expect({ result, attempts: standIn.requests.length }).toEqual({ result: outcome, attempts });
      } finally {
        await standIn.close();
      }
    }
  });
});

describe('LeanKmsClient connections', () => {
  const ok = { status: 200, body: { Plaintext: Buffer.alloc(32).toString('base64') } };
  const input = { KeyId: 'k', CiphertextBlob: new Uint8Array([1]), EncryptionContext: CONTEXT };

  it('keeps its connection to KMS between calls', async () => {
    const standIn = await kmsStandIn([ok]);
    try {
      const client = new LeanKmsClient({
        endpoint: standIn.endpoint,
        region: 'us-east-1',
        credentials: LOCAL_KMS_CREDENTIALS,
      });
      for (let call = 0; call < 3; call += 1) await client.decrypt(input);
      expect({ requests: standIn.requests.length, connections: standIn.connections() }).toEqual({
        requests: 3,
        connections: 1,
      });
    } finally {
      await standIn.close();
    }
  });

  it('gives up an attempt KMS does not answer in time, and tries again', async () => {
    const standIn = await kmsStandIn(['silent']);
    try {
      const client = new LeanKmsClient({
        endpoint: standIn.endpoint,
        region: 'us-east-1',
        credentials: LOCAL_KMS_CREDENTIALS,
        maxAttempts: 2,
        attemptTimeoutMs: 100,
      });
      const error = await client.decrypt(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KmsTimeoutError);
      expect((error as Error).message).toBe('KMS Decrypt took more than 100 ms to answer.');
      expect((error as Error).cause).toMatchObject({ message: 'KMS did not answer in 100 ms' });
      expect(standIn.requests).toHaveLength(2);
    } finally {
      await standIn.close();
    }
  });
});

describe('leanKmsSettings: the lean client where Lambda gives credentials in the environment', () => {
  const lambda = {
    AWS_LAMBDA_FUNCTION_NAME: 'ingest',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'token',
  };

  it('reads the region and, on every call, the credentials of the environment', () => {
    const settings = leanKmsSettings(lambda);
    expect(settings?.region).toBe('eu-west-1');
    expect(typeof settings?.credentials === 'function' && settings.credentials()).toEqual({
      accessKeyId: 'AKID',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
    expect(leanKmsSettings({ ...lambda, AWS_REGION: 'cn-north-1' })?.region).toBe('cn-north-1');
    expect(leanKmsSettings({ ...lambda, AWS_REGION: 'us-gov-west-1' })?.region).toBe('us-gov-west-1');
  });

  it.each([
    ['outside Lambda', { AWS_LAMBDA_FUNCTION_NAME: undefined }],
    ['without credentials in the environment (an ECS task role)', { AWS_ACCESS_KEY_ID: undefined }],
    ['with an endpoint of its own', { AWS_ENDPOINT_URL_KMS: 'https://kms.example' }],
    ['with FIPS endpoints', { AWS_USE_FIPS_ENDPOINT: 'true' }],
    ['in a partition it does not know', { AWS_REGION: 'us-isob-east-1' }],
  ])('leaves KMS to the SDK %s', (_case, change) => {
    expect(leanKmsSettings({ ...lambda, ...change })).toBeUndefined();
  });
});
