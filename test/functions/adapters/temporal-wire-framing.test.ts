/**
 * The lean client's gRPC framing over `node:http2`, against a bare HTTP/2 server that answers frame
 * by frame (support/raw-grpc-server.ts): the request's headers and length prefix, a trailers-only
 * error with its percent-encoded message and status details, an HTTP error from a proxy, the
 * deadline (sent as `grpc-timeout`, enforced by cancelling the stream), a GOAWAY or a reset socket in
 * the middle of a call (UNAVAILABLE, retried on a new session), and a server restart (UNAVAILABLE,
 * the connection marked stale, a fresh one once the server is back).
 */
import { constants } from 'node:http2';
import { google, temporal } from '@temporalio/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTemporalClientProvider } from '../../../functions/adapters/temporal-connection';
import { classifyTemporalCall } from '../../../functions/adapters/temporal-status-details';
import { WireConnection } from '../../../functions/adapters/temporal-wire/connection';
import { GrpcCallError, Status } from '../../../functions/adapters/temporal-wire/grpc-status';
import { grpcTimeout, unframeMessages } from '../../../functions/adapters/temporal-wire/unary-call';
import {
  answerOk,
  startRawGrpcServer,
  type RawCall,
  type RawGrpcServer,
  type RawHandler,
} from './support/raw-grpc-server';

const servers: RawGrpcServer[] = [];
const connections: WireConnection[] = [];

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function server(port?: number): Promise<RawGrpcServer> {
  const started = await startRawGrpcServer(port);
  servers.push(started);
  return started;
}

async function connectTo(target: RawGrpcServer): Promise<WireConnection> {
  const connection = await WireConnection.connect({ address: target.address, connectTimeoutMs: 2_000 });
  connections.push(connection);
  return connection;
}

const describeNamespace = (connection: WireConnection, timeoutMs: number) =>
  connection.workflowService.describeNamespace({ namespace: 'ns-frames' }, Date.now() + timeoutMs);

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => error as GrpcCallError,
  );

describe('gRPC framing over node:http2', () => {
  it('sends one length-prefixed message with the gRPC headers and the deadline as grpc-timeout', async () => {
    const raw = await server();
    await describeNamespace(await connectTo(raw), 2_000);
    const [call] = raw.calls;
    expect(call?.headers).toMatchObject({
      ':method': 'POST',
      ':path': '/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace',
      'content-type': 'application/grpc',
      te: 'trailers',
      'temporal-namespace': 'ns-frames',
    });
    const timeout = /^(\d+)m$/.exec(String(call?.headers['grpc-timeout']));
    expect(Number(timeout?.[1])).toBeGreaterThan(0);
    expect(Number(timeout?.[1])).toBeLessThanOrEqual(2_000);
    const request = temporal.api.workflowservice.v1.DescribeNamespaceRequest.decode(call!.message);
    expect(request.namespace).toBe('ns-frames');
  });

  it('reads a trailers-only error: its code, percent-decoded message and status details', async () => {
    const raw = await server();
    const details = google.rpc.Status.encode({
      code: 8,
      message: 'limit',
      details: [
        {
          type_url: 'type.googleapis.com/temporal.api.errordetails.v1.ResourceExhaustedFailure',
          value: temporal.api.errordetails.v1.ResourceExhaustedFailure.encode({
            cause: temporal.api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT,
          }).finish(),
        },
      ],
    }).finish();
    raw.handle((stream) =>
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': String(Status.RESOURCE_EXHAUSTED),
          'grpc-message': encodeURI('100% of the updates in flight'),
          'grpc-status-details-bin': Buffer.from(details).toString('base64'),
        },
        { endStream: true },
      ),
    );
    // Shorter than the first retry of RESOURCE_EXHAUSTED (≥ 1.36 s): one attempt.
    const error = await failureOf(describeNamespace(await connectTo(raw), 1_200));
    expect(error).toBeInstanceOf(GrpcCallError);
    expect(error).toMatchObject({ code: 8, details: '100% of the updates in flight' });
    expect(error.message).toBe('8 RESOURCE_EXHAUSTED: 100% of the updates in flight');
    expect(classifyTemporalCall(error, 'wf-1').problem.code).toBe('workflow-busy');
  });

  it('maps an HTTP error without a gRPC status (a proxy) as grpc-js does: 503 retried as UNAVAILABLE, 400 INTERNAL', async () => {
    const raw = await server();
    const fromProxy =
      (status: number): RawHandler =>
      (stream) => {
        stream.respond({ ':status': status, 'content-type': 'text/html' });
        stream.end('<html>from the proxy</html>');
      };
    raw.handle(fromProxy(503), answerOk);
    const connection = await connectTo(raw);
    await describeNamespace(connection, 2_000);
    expect(raw.calls).toHaveLength(2);
    raw.handle(fromProxy(400));
    const error = await failureOf(describeNamespace(connection, 2_000));
    expect(error).toMatchObject({ code: Status.INTERNAL, details: 'Received HTTP status code 400' });
    expect(raw.calls).toHaveLength(3);
  });

  it('ends a call the server does not answer at its deadline, cancelling the stream', async () => {
    const raw = await server();
    const cancelled = new Promise<number>((resolve) =>
      raw.handle((stream) => stream.on('close', () => resolve(stream.rstCode))),
    );
    const connection = await connectTo(raw);
    const error = await failureOf(describeNamespace(connection, 300));
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(classifyTemporalCall(error).problem.code).toBe('deadline-exceeded');
    expect(await cancelled).toBe(constants.NGHTTP2_CANCEL);
    expect(connection.stale).toBe(true);
  });

  const cuts: [string, (call: RawCall) => void][] = [
    ['a GOAWAY with an error code', (call) => call.session.goaway(constants.NGHTTP2_INTERNAL_ERROR)],
    ['a dropped connection', (call) => call.session.destroy()],
  ];
  it.each(cuts)('retries a call cut by %s on a new session', async (_name, cut) => {
    const raw = await server();
    raw.handle((_stream, call) => cut(call), answerOk);
    const connection = await connectTo(raw);
    await describeNamespace(connection, 3_000);
    expect(raw.calls).toHaveLength(2);
    expect(raw.sessions).toHaveLength(2);
    expect(connection.stale).toBe(false);
  });

  it('finishes a call under a graceful GOAWAY, and sends the next one on a new session', async () => {
    const raw = await server();
    raw.handle((stream, call) => {
      call.session.goaway(constants.NGHTTP2_NO_ERROR);
      answerOk(stream);
    }, answerOk);
    const connection = await connectTo(raw);
    await describeNamespace(connection, 2_000);
    await describeNamespace(connection, 2_000);
    expect(raw.calls).toHaveLength(2);
    expect(raw.sessions).toHaveLength(2);
    expect(connection.stale).toBe(false);
  });

  it('answers UNAVAILABLE while the server is down, and reconnects once it is back', async () => {
    const first = await server();
    const provider = createTemporalClientProvider({
      env: { TEMPORAL_ADDRESS: first.address, TEMPORAL_NAMESPACE: 'ns-frames' },
      connectTimeoutMs: 1_000,
    });
    try {
      const before = await provider.get();
      await describeNamespace(before, 2_000);
      await first.stop();
      servers.splice(servers.indexOf(first), 1);
      const error = await failureOf(describeNamespace(before, 500));
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(classifyTemporalCall(error).transient).toBe(true);
      expect(before.stale).toBe(true);
      const revived = await server(first.port);
      const after = await provider.get();
      expect(after).not.toBe(before);
      await describeNamespace(after, 2_000);
      expect(revived.calls).toHaveLength(1);
    } finally {
      await provider.close();
    }
  });
});

describe('gRPC message framing', () => {
  const frame = (flag: number, message: Buffer) =>
    Buffer.concat([Buffer.from([flag, 0, 0, 0, message.length]), message]);

  it('writes grpc-timeout in the largest unit under 10⁸, as grpc-js does', () => {
    expect(grpcTimeout(1_300, 1_000)).toBe('300m');
    expect(grpcTimeout(1_000 + 2e8, 1_000)).toBe('200000S');
    expect(grpcTimeout(500, 1_000)).toBe('0m');
  });

  it('reads length-prefixed messages, and refuses oversized, compressed or truncated ones', () => {
    const body = Buffer.concat([frame(0, Buffer.from('ab')), frame(0, Buffer.alloc(0))]);
    expect(unframeMessages(body, 10)).toEqual([Buffer.from('ab'), Buffer.alloc(0)]);
    expect(unframeMessages(frame(0, Buffer.from('abc')), 2)).toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: 'Received message larger than max (3 vs 2)',
    });
    expect(unframeMessages(frame(1, Buffer.from('ab')), 10)).toMatchObject({ code: Status.INTERNAL });
    expect(unframeMessages(frame(0, Buffer.from('ab')).subarray(0, 6), 10)).toMatchObject({
      code: Status.INTERNAL,
    });
  });
});
