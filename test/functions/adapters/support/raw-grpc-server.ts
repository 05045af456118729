/**
 * A bare `node:http2` server (h2c) whose streams a test answers by hand, frame by frame: what a gRPC
 * library's server would never send on purpose — a trailers-only error, an HTTP 503 from a proxy, a
 * GOAWAY or a reset connection in the middle of a call, no answer at all — so the lean client's
 * handling of each is checked on real HTTP/2 framing.
 */
import {
  createServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

/** What a call carried: its headers and the one request message (without the 5-byte prefix). */
export interface RawCall {
  headers: IncomingHttpHeaders;
  message: Buffer;
  session: Http2Session;
}

export type RawHandler = (stream: ServerHttp2Stream, call: RawCall) => void;

export interface RawGrpcServer {
  address: string;
  port: number;
  calls: RawCall[];
  /** Every HTTP/2 session a client opened. */
  sessions: ServerHttp2Session[];
  /** Handlers in order, one per call; the last one repeats. */
  handle(...handlers: RawHandler[]): void;
  stop(): Promise<void>;
}

/** The answer `OK` with one (empty) message, in headers, a DATA frame and trailers. */
export function answerOk(stream: ServerHttp2Stream): void {
  const message = new Uint8Array(0);
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  stream.end(frame);
}

export async function startRawGrpcServer(port = 0): Promise<RawGrpcServer> {
  const server: Http2Server = createServer();
  const calls: RawCall[] = [];
  const sessions: ServerHttp2Session[] = [];
  let handlers: RawHandler[] = [answerOk];
  server.on('session', (session) => sessions.push(session));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.on('end', () => {
      const call = { headers, message: Buffer.concat(chunks).subarray(5), session: stream.session! };
      calls.push(call);
      const handler = (handlers.length > 1 ? handlers.shift() : handlers[0])!;
      handler(stream, call);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    address: `127.0.0.1:${bound}`,
    port: bound,
    calls,
    sessions,
    handle(...next) {
      handlers = next;
    },
    async stop() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
