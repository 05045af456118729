/**
 * The lean Temporal client's connection options, against a real gRPC server over a real TLS
 * handshake (certificates made by openssl): plain, TLS with a server CA and a server name override,
 * mTLS, an API key (`authorization: Bearer` and `temporal-namespace`), envconfig's variables and
 * profile file, the per-call deadline, the SDK's retry of UNAVAILABLE, a new channel after a failed
 * connect and after a call found the channel dead, and the error classification on top.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPORAL_HEADERS } from '../../../contract/temporal-headers';
import { loadGatewayConfig } from '../../../functions/adapters/gateway-config-file';
import {
  createTemporalClientProvider,
  loadTemporalClientProvider,
  type TemporalClientProvider,
} from '../../../functions/adapters/temporal-connection';
import { createReader } from '../../../functions/adapters/temporal-reader';
import { createSignaler } from '../../../functions/adapters/temporal-signaler';
import { createUpdater } from '../../../functions/adapters/temporal-updater';
import { TemporalConnectError } from '../../../functions/adapters/temporal-wire/connection';
import {
  makeCertificates,
  startFakeWorkflowService,
  type Certificates,
  type FakeWorkflowService,
} from './support/tls-workflow-service';

let certs: Certificates;
let plain: FakeWorkflowService;
let tls: FakeWorkflowService;
let mtls: FakeWorkflowService;
const providers: TemporalClientProvider[] = [];

beforeAll(async () => {
  certs = await makeCertificates();
  plain = await startFakeWorkflowService({ kind: 'plain' });
  tls = await startFakeWorkflowService({ kind: 'tls', certs });
  mtls = await startFakeWorkflowService({ kind: 'tls', certs, requireClientCert: true });
});

afterAll(async () => {
  await Promise.all(providers.map((provider) => provider.close()));
  await Promise.all([plain?.stop(), tls?.stop(), mtls?.stop()]);
  await certs?.cleanup();
});

function provider(env: Record<string, string>, connectTimeoutMs = 2_000): TemporalClientProvider {
  const created = createTemporalClientProvider({ env, connectTimeoutMs });
  providers.push(created);
  return created;
}

/** A provider whose environment may name a profile file (read by envconfig, loaded on demand). */
async function loadedProvider(env: Record<string, string>): Promise<TemporalClientProvider> {
  const created = await loadTemporalClientProvider({ env, connectTimeoutMs: 2_000 });
  providers.push(created);
  return created;
}

const caEnv = () => ({
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: certs.ca.toString(),
  TEMPORAL_TLS_SERVER_NAME: certs.serverName,
});

const defaultConfig = await loadGatewayConfig({});

const target = () => {
  const [staged] = defaultConfig.targets;
  if (!staged) throw new Error('no default target');
  return staged;
};

const lastCall = (server: FakeWorkflowService, rpc: string) =>
  server.calls.filter((call) => call.rpc === rpc).at(-1);

describe('the lean client connection', () => {
  it('talks plain gRPC and sends the namespace in the request and the temporal-namespace header', async () => {
    const health = await createReader(
      provider({ TEMPORAL_ADDRESS: plain.address, TEMPORAL_NAMESPACE: 'ns-plain' }),
      2_000,
    ).health();
    expect(health).toEqual({ ok: true, value: { namespace: 'ns-plain' } });
    const call = lastCall(plain, 'DescribeNamespace');
    expect(call?.request.namespace).toBe('ns-plain');
    expect(call?.metadata['temporal-namespace']).toBe('ns-plain');
    expect(call?.metadata.authorization).toBeUndefined();
  });

  it('verifies the server over TLS with the configured CA and server name override', async () => {
    const health = await createReader(
      provider({ TEMPORAL_ADDRESS: tls.address, ...caEnv() }),
      2_000,
    ).health();
    expect(health.ok).toBe(true);
    expect(lastCall(tls, 'DescribeNamespace')?.metadata['temporal-namespace']).toBe('default');
  });

  it('refuses a server whose certificate does not match: no override, or no trusted CA', async () => {
    const withoutName = provider(
      { TEMPORAL_ADDRESS: tls.address, TEMPORAL_TLS_SERVER_CA_CERT_DATA: certs.ca.toString() },
      1_000,
    );
    await expect(withoutName.get()).rejects.toBeInstanceOf(TemporalConnectError);
    const withoutCa = provider(
      { TEMPORAL_ADDRESS: tls.address, TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_NAME: certs.serverName },
      1_000,
    );
    await expect(withoutCa.get()).rejects.toThrow(/Failed to connect to Temporal/);
  });

  it('presents the client certificate for mTLS, and cannot connect without it', async () => {
    const withCert = provider({
      TEMPORAL_ADDRESS: mtls.address,
      ...caEnv(),
      TEMPORAL_TLS_CLIENT_CERT_DATA: certs.clientCert.toString(),
      TEMPORAL_TLS_CLIENT_KEY_DATA: certs.clientKey.toString(),
    });
    expect((await createReader(withCert, 2_000).health()).ok).toBe(true);
    const withoutCert = provider({ TEMPORAL_ADDRESS: mtls.address, ...caEnv() }, 1_000);
    const health = await createReader(withoutCert, 1_000).health();
    expect(health).toMatchObject({ ok: false, transient: true });
  });

  it('sends an API key as authorization: Bearer, and turns TLS on for it as the SDK does', async () => {
    const keyed = provider({
      TEMPORAL_ADDRESS: tls.address,
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_API_KEY: 'key-123',
      ...caEnv(),
    });
    expect((await createReader(keyed, 2_000).health()).ok).toBe(true);
    const call = lastCall(tls, 'DescribeNamespace');
    expect(call?.metadata.authorization).toBe('Bearer key-123');
    expect(call?.metadata['temporal-namespace']).toBe('ns.acct');
    // The same key against a plaintext server: the client insists on TLS, so the handshake fails.
    const overPlain = provider({ TEMPORAL_ADDRESS: plain.address, TEMPORAL_API_KEY: 'key-123' }, 1_000);
    await expect(overPlain.get()).rejects.toBeInstanceOf(TemporalConnectError);
  });

  it('reads a profile from the envconfig TOML file', async () => {
    const file = join(certs.dir, 'temporal.toml');
    await writeFile(
      file,
      [
        '[profile.prod]',
        `address = "${tls.address}"`,
        'namespace = "from-profile"',
        'api_key = "profile-key"',
        '[profile.prod.tls]',
        `server_ca_cert_path = "${join(certs.dir, 'ca.pem')}"`,
        `server_name = "${certs.serverName}"`,
        '[profile.prod.grpc_meta]',
        'x-team = "payments"',
        '',
      ].join('\n'),
    );
    const fromFile = await loadedProvider({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(fromFile.namespace).toBe('from-profile');
    expect(await createReader(fromFile, 2_000).health()).toEqual({
      ok: true,
      value: { namespace: 'from-profile' },
    });
    const call = lastCall(tls, 'DescribeNamespace');
    expect(call?.metadata).toMatchObject({
      authorization: 'Bearer profile-key',
      'temporal-namespace': 'from-profile',
      'x-team': 'payments',
    });
  });
});

describe('calls over the lean client', () => {
  it('encodes the signal with its request id and the event header, and retries UNAVAILABLE inside the deadline', async () => {
    const clients = provider({ TEMPORAL_ADDRESS: plain.address });
    const unavailable = { error: { code: status.UNAVAILABLE, details: 'try again' } };
    plain.script('SignalWorkflowExecution', unavailable, unavailable, { response: {} });
    const before = plain.calls.length;
    const outcome = await createSignaler(clients, 5_000).signal(
      {
        workflowId: 'staged-wire-1',
        signal: 'advanceStage',
        payload: { stage: 1 },
        eventId: 'evt-wire-1',
        source: 'http',
      },
      { ...target(), startIfMissing: false },
    );
    expect(outcome).toMatchObject({ status: 'delivered', started: false });
    const attempts = plain.calls.slice(before).filter((call) => call.rpc === 'SignalWorkflowExecution');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((call) => call.request.requestId)).size).toBe(1);
    const request = attempts[0]!.request as {
      signalName: string;
      input: { payloads: { metadata: Record<string, Uint8Array>; data: Uint8Array }[] };
      header: { fields: Record<string, { metadata: Record<string, Uint8Array>; data: Uint8Array }> };
    };
    expect(request.signalName).toBe('advanceStage');
    expect(defaultPayloadConverter.fromPayload(request.input.payloads[0]!)).toEqual({ stage: 1 });
    const eventId = request.header.fields[TEMPORAL_HEADERS.eventId];
    expect(eventId && defaultPayloadConverter.fromPayload(eventId)).toBe('evt-wire-1');
  });

  it('classifies what Temporal answers as the SDK-based client did', async () => {
    const clients = provider({ TEMPORAL_ADDRESS: plain.address });
    plain.script('SignalWorkflowExecution', {
      error: { code: status.NOT_FOUND, details: 'workflow not found for ID: staged-gone' },
    });
    const missing = await createSignaler(clients, 2_000).signal(
      { workflowId: 'staged-gone', signal: 'advanceStage', payload: { stage: 1 }, eventId: 'evt-gone' },
      { ...target(), startIfMissing: false },
    );
    expect(missing).toMatchObject({
      status: 'failed',
      transient: false,
      problem: { code: 'workflow-not-found' },
    });

    plain.script('UpdateWorkflowExecution', {
      response: { outcome: { failure: { message: 'Stage 1 is not above 2', source: 'TypeScriptSDK' } } },
    });
    const rejected = await createUpdater(clients, 2_000).update(
      { workflowId: 'staged-u', update: 'setStage', payload: { stage: 1 }, eventId: 'evt-u' },
      { ...target(), startIfMissing: false },
    );
    expect(rejected).toMatchObject({
      status: 'failed',
      transient: false,
      problem: { detail: 'Stage 1 is not above 2' },
    });

    plain.script('QueryWorkflow', {
      error: { code: status.INVALID_ARGUMENT, details: 'unknown queryType nope' },
    });
    const refused = await createReader(clients, 2_000).query('staged-q', 'nope');
    expect(refused).toMatchObject({ ok: false, transient: false, problem: { code: 'temporal-rejected' } });
    expect(refused.ok ? '' : refused.problem.detail).toContain('unknown queryType nope');
  });

  it('answers a hung call at its deadline and opens a fresh channel for the next call', async () => {
    const clients = provider({ TEMPORAL_ADDRESS: plain.address });
    const reader = createReader(clients, 300);
    plain.script('DescribeNamespace', 'hang', { response: {} });
    const first = await clients.get();
    const hung = await reader.health();
    expect(hung).toMatchObject({
      ok: false,
      transient: true,
      problem: { code: 'deadline-exceeded' },
    });
    expect(first.stale).toBe(true);
    const second = await clients.get();
    expect(second).not.toBe(first);
    expect(await reader.health()).toEqual({ ok: true, value: { namespace: 'default' } });
    expect(await clients.get()).toBe(second);
  });

  it('connects again after a failed connect once Temporal is reachable', async () => {
    const probe = await startFakeWorkflowService({ kind: 'plain' });
    const { port } = probe;
    await probe.stop();
    const clients = provider({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` }, 500);
    await expect(clients.get()).rejects.toBeInstanceOf(TemporalConnectError);
    const revived = await startFakeWorkflowService({ kind: 'plain' }, port);
    try {
      expect((await createReader(clients, 2_000).health()).ok).toBe(true);
    } finally {
      await clients.close();
      await revived.stop();
    }
  });
});
