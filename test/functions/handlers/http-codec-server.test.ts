/**
 * The codec server (`/v1/codec`, Temporal's codec server protocol) on the gateway's app, served on a
 * loopback port, against real components: local-kms, the Temporal dev server, the worker-side
 * KmsEncryptionCodec and the Temporal CLI. Encode → decode round trips over HTTP; a payload the
 * worker's codec wrote decodes; callers without credentials, or from an origin not allowed, are
 * refused; `temporal workflow show --codec-endpoint` shows a signal's plaintext, without it none.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PAYLOAD_ENV } from '../../../contract/env-names';
import { silentLogger } from '../../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { GATEWAY_ENV } from '../../../functions/core/env-names';
import { MAX_CODEC_BODY_BYTES } from '../../../functions/handlers/http-codec-routes';
import { startGatewayServer, type GatewayServer } from '../../../local/gateway-server';
import { LOCAL_KMS_CREDENTIALS, startLocalKms, type LocalKms } from '../../../local/kms-server';
import { ensureTemporalCli } from '../../../local/temporal-cli';
import { KmsEncryptionCodec } from '../../../payloads';
import { uniqueName } from '../../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../../support/temporal';

const run = promisify(execFile);
const staged = DEFAULT_GATEWAY_CONFIG.targets[0];
const API_KEY = 'codec-test-key-0123456789abcdef';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const text = (value: string) => Buffer.from(value, 'base64').toString('utf8');

let env: TestWorkflowEnvironment;
let kms: LocalKms;
let gateway: GatewayServer;
let open: GatewayServer;
let jwks: Server;
let signer: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

function gatewayEnv(extra: Record<string, string> = {}): Record<string, string> {
  const sealed = {
    ...staged,
    name: 'sealed',
    workflowIdPattern: '^sealed-.+$',
    taskQueue: 'codec-server-no-worker',
    signals: { [Object.keys(staged.signals)[0]!]: { schema: {} } },
  };
  return {
    TEMPORAL_ADDRESS: env.address,
    GATEWAY_CONFIG: JSON.stringify({ targets: [sealed] }),
    [PAYLOAD_ENV.kmsKeyId]: kms.keyId,
    [PAYLOAD_ENV.kmsEndpoint]: kms.endpoint,
    ...extra,
  };
}

beforeAll(async () => {
  [env, kms] = await Promise.all([sharedTemporal(), startLocalKms()]);
  vi.stubEnv('AWS_REGION', kms.region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_KMS_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_KMS_CREDENTIALS.secretAccessKey);
  // A JWKS like Temporal Cloud's, served locally: the UI's forwarded access tokens verify against it.
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  signer = privateKey;
  const keys = { keys: [{ ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' }] };
  jwks = createServer((_, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify(keys)),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  [gateway, open] = await Promise.all([
    startGatewayServer({
      logger: silentLogger,
      env: gatewayEnv({
        [GATEWAY_ENV.auth]: 'api-key',
        [GATEWAY_ENV.apiKeys]: API_KEY,
        [GATEWAY_ENV.codecJwksUrl]: jwksUrl,
        [GATEWAY_ENV.codecJwtAudience]: 'event-gateway-codec',
      }),
    }),
    // GATEWAY_AUTH=none, no JWKS: the workflow routes are open, the codec server is not.
    startGatewayServer({ logger: silentLogger, env: gatewayEnv() }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([gateway?.close(), open?.close()]);
  await new Promise((resolve) => jwks?.close(resolve));
  await kms?.stop();
  vi.unstubAllEnvs();
  await stopSharedTemporal();
});

type PayloadJson = { metadata: Record<string, string>; data: string };

const codec = (
  server: GatewayServer,
  operation: string,
  body: unknown,
  headers: Record<string, string> = {},
) =>
  fetch(`${server.url}/v1/codec/${operation}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-namespace': 'default',
      authorization: `Bearer ${API_KEY}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });

const jsonPayload = (value: unknown): PayloadJson => ({
  metadata: { encoding: b64('json/plain') },
  data: b64(JSON.stringify(value)),
});

describe('the codec server (/v1/codec)', () => {
  it('encodes payloads to binary/encrypted and decodes them back, over HTTP', async () => {
    const original = [jsonPayload({ email: 'jane@example.com' }), jsonPayload([1, 2, 3])];
    const encoded = await codec(gateway, 'encode', { payloads: original });
    expect(encoded.status).toBe(200);
    const { payloads } = (await encoded.json()) as { payloads: PayloadJson[] };
    expect(payloads.map((p) => text(p.metadata.encoding!))).toEqual(['binary/encrypted', 'binary/encrypted']);
    expect(text(payloads[0]!.data)).not.toContain('jane@example.com');

    const decoded = await codec(gateway, 'decode', { payloads });
    expect(decoded.status).toBe(200);
    expect(await decoded.json()).toEqual({ payloads: original });
  });

  it("decodes what the worker's KmsEncryptionCodec wrote; a payload not encrypted passes through", async () => {
    const worker = new KmsEncryptionCodec({ keyId: kms.keyId, kms: kms.client() });
    const [sealed] = await worker.encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"stage":7}') },
    ]);
    const wire: PayloadJson = {
      metadata: Object.fromEntries(
        Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(sealed!.data!).toString('base64'),
    };
    const plain = jsonPayload('left alone');
    const response = await codec(gateway, 'decode', { payloads: [wire, plain] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ payloads: [jsonPayload({ stage: 7 }), plain] });
  });

  it('answers problem documents: 400 for bad base64 or shape, 422 naming a corrupted payload', async () => {
    const badBase64 = await codec(gateway, 'decode', { payloads: [{ metadata: {}, data: 'not base64!' }] });
    expect(badBase64.status).toBe(400);
    expect(badBase64.headers.get('content-type')).toContain('application/problem+json');
    expect(await badBase64.json()).toMatchObject({ field: 'body.payloads[0].data' });
    expect((await codec(gateway, 'decode', { payloads: 'x' })).status).toBe(400);
    expect((await codec(gateway, 'decode', [])).status).toBe(400);
    const huge = { payloads: [{ metadata: {}, data: 'A'.repeat(MAX_CODEC_BODY_BYTES) }] };
    const tooLarge = await codec(gateway, 'decode', huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toContain('application/problem+json');
    // proto3 JSON omits an empty list: `{}` is no payloads (the CLI sends it for events without any).
    const empty = await codec(gateway, 'decode', {});
    expect(await empty.json()).toEqual({ payloads: [] });

    const encoded = (await (
      await codec(gateway, 'encode', { payloads: [jsonPayload({ secret: 'x' })] })
    ).json()) as { payloads: PayloadJson[] };
    const bytes = Buffer.from(encoded.payloads[0]!.data, 'base64');
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1); // the GCM tag no longer verifies
    const corrupted = { ...encoded.payloads[0]!, data: bytes.toString('base64') };
    const response = await codec(gateway, 'decode', { payloads: [jsonPayload(1), corrupted] });
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { type: string; detail: string; field: string };
    expect(problem.type).toMatch(/payload-undecodable$/);
    expect(problem.field).toBe('body.payloads[1]');
    expect(problem.detail).toMatch(/^Payload 1 of 2: /);
  });

  it('is never open: 401 without credentials, with a wrong key, and on a gateway with no auth at all', async () => {
    const none = await codec(gateway, 'decode', { payloads: [] }, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(
      (await codec(gateway, 'decode', { payloads: [] }, { authorization: 'Bearer wrong-key-0123456789' }))
        .status,
    ).toBe(401);
    const unconfigured = await codec(open, 'decode', { payloads: [jsonPayload(1)] }, { authorization: '' });
    expect(unconfigured.status).toBe(401);
    expect(((await unconfigured.json()) as { detail: string }).detail).toMatch(/configures no way/);
  });

  it("accepts the UI's forwarded access token when it verifies against the JWKS, and refuses a forged one", async () => {
    const tokenFor = (audience: string) =>
      new SignJWT({ sub: 'jane@example.com' })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(signer);
    const token = await tokenFor('event-gateway-codec');
    const ok = await codec(
      gateway,
      'decode',
      { payloads: [jsonPayload(1)] },
      { authorization: `Bearer ${token}` },
    );
    expect(ok.status).toBe(200);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(
      (await codec(gateway, 'decode', { payloads: [] }, { authorization: `Bearer ${forged}` })).status,
    ).toBe(401);
    // Signed by the same keys, but for another deployment (a shared JWKS like Temporal Cloud's).
    const elsewhere = await tokenFor('another-deployment');
    expect(
      (await codec(gateway, 'decode', { payloads: [] }, { authorization: `Bearer ${elsewhere}` })).status,
    ).toBe(401);
  });

  it('answers a CORS preflight for an allowed UI origin, and refuses another origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/v1/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace,authorization',
        },
      });
    const allowed = await preflight('http://localhost:8233');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');

    const other = await preflight('https://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const post = await codec(gateway, 'decode', { payloads: [] }, { origin: 'https://evil.example' });
    expect(post.status).toBe(403);
  });

  it('lets `temporal workflow show --codec-endpoint` show a signal’s plaintext; without it there is none', async () => {
    const id = uniqueName('sealed-codec-cli');
    const email = `jane.doe+${id}@example.com`;
    const sent = await fetch(`${gateway.url}/v1/workflows/${id}/signals/advanceStage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ stage: 1, email }),
    });
    expect(sent.status).toBe(202);

    const cli = await ensureTemporalCli();
    // --detailed prints each payload's fields (input[0].email: …) when it can decode it.
    const show = (...flags: string[]) =>
      run(cli, ['workflow', 'show', '--workflow-id', id, '--address', env.address, '--detailed', ...flags]);
    const withoutCodec = await show();
    expect(withoutCodec.stdout).toContain('Signaled');
    expect(withoutCodec.stdout).toContain(Buffer.from('binary/encrypted').toString('base64'));
    expect(withoutCodec.stdout).not.toContain(email);
    expect(withoutCodec.stdout).not.toContain('input[0].email');

    const withCodec = await show(
      '--codec-endpoint',
      `${gateway.url}/v1/codec`,
      '--codec-auth',
      `Bearer ${API_KEY}`,
    );
    expect(withCodec.stdout).toContain(`input[0].email: ${email}`);

    // The same endpoint without credentials decodes nothing: the CLI fails rather than show plaintext.
    const refused = await show('--codec-endpoint', `${gateway.url}/v1/codec`).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );
    expect(`${refused.stdout ?? ''}`).not.toContain(email);
  });
});
