/**
 * One unary gRPC call on an HTTP/2 session, framed by hand (the gRPC over HTTP/2 protocol,
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): a POST with
 * `content-type: application/grpc`, `te: trailers` and the deadline as `grpc-timeout`, the request
 * as one length-prefixed message (a 0 byte — not compressed — and the length as 4 big-endian
 * bytes), and the answer's status from its trailers, or from its headers when the server answered
 * trailers-only. What the call ends with is reported as grpc-js reported it (grpc-status.ts).
 */
import {
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import {
  errorFromHttpStatus,
  errorFromReset,
  GrpcCallError,
  Status,
  statusFromTrailers,
  type WireMetadata,
} from './grpc-status';

const PREFIX_BYTES = 5;

/** The request as one gRPC message: the 5-byte prefix, then the protobuf bytes. */
export function frameMessage(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + message.byteLength);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, PREFIX_BYTES);
  return frame;
}

const TIMEOUT_UNITS = [
  ['m', 1],
  ['S', 1_000],
  ['M', 60_000],
] as const;

/** `grpc-timeout`: the time left in the largest unit that keeps it under 10⁸ (as grpc-js writes it). */
export function grpcTimeout(deadline: number, now = Date.now()): string {
  const left = Math.max(deadline - now, 0);
  for (const [unit, factor] of TIMEOUT_UNITS) {
    if (left / factor < 1e8) return `${Math.ceil(left / factor)}${unit}`;
  }
  return `${Math.ceil(left / 3_600_000)}H`;
}

/** The messages of a response body, or the error that ends the call (too large, compressed, cut short). */
export function unframeMessages(body: Buffer, maxMessageBytes: number): Buffer[] | GrpcCallError {
  const messages: Buffer[] = [];
  for (let offset = 0; offset < body.length;) {
    if (body.length - offset < PREFIX_BYTES)
      return new GrpcCallError(Status.INTERNAL, 'Truncated gRPC message');
    const length = body.readUInt32BE(offset + 1);
    if (length > maxMessageBytes) {
      return new GrpcCallError(
        Status.RESOURCE_EXHAUSTED,
        `Received message larger than max (${length} vs ${maxMessageBytes})`,
      );
    }
    if (body[offset] !== 0) {
      // The request advertises only `identity`, so a compressed answer is a protocol error.
      return new GrpcCallError(
        Status.INTERNAL,
        'Received compressed message but no grpc-encoding was negotiated',
      );
    }
    const end = offset + PREFIX_BYTES + length;
    if (end > body.length) return new GrpcCallError(Status.INTERNAL, 'Truncated gRPC message');
    messages.push(body.subarray(offset + PREFIX_BYTES, end));
    offset = end;
  }
  return messages;
}

export interface UnaryCall {
  session: ClientHttp2Session;
  /** `/package.Service/Method`. */
  path: string;
  /** The metadata headers (authorization, temporal-namespace, …) and, if overridden, `:authority`. */
  headers: OutgoingHttpHeaders;
  request: Uint8Array;
  /** Absolute deadline, ms since the epoch. */
  deadline: number;
  maxMessageBytes: number;
  /** Why the connection under the call is gone, if it is (then the call ends UNAVAILABLE). */
  connectionLost: () => string | undefined;
}

/** Sends one request; resolves with the one response message, rejects with a {@link GrpcCallError}. */
export function callUnary(call: UnaryCall): Promise<Buffer> {
  const start = Date.now();
  if (call.deadline <= start) {
    return Promise.reject(
      new GrpcCallError(Status.DEADLINE_EXCEEDED, 'Deadline exceeded before the call started'),
    );
  }
  return new Promise<Buffer>((resolve, reject) => {
    let stream: ClientHttp2Stream;
    try {
      stream = call.session.request({
        ...call.headers,
        ':method': 'POST',
        ':path': call.path,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': grpcTimeout(call.deadline, start),
        'grpc-accept-encoding': 'identity',
      });
    } catch (error) {
      // The session closed (or got a GOAWAY) since the channel's check: try again elsewhere. Else
      // Node refused the headers themselves (a metadata key HTTP/2 forbids): no retry mends that.
      const dropped = call.session.closed || call.session.destroyed;
      const reason = (error as Error).message;
      reject(
        dropped
          ? new GrpcCallError(Status.UNAVAILABLE, `Connection dropped: ${reason}`)
          : new GrpcCallError(Status.INTERNAL, `The call could not be started: ${reason}`),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let httpStatus: number | undefined;
    let status: { code: number; details: string; metadata: WireMetadata } | GrpcCallError | undefined;
    let settled = false;
    const settle = (outcome: Buffer | GrpcCallError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof GrpcCallError) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => {
      settle(
        new GrpcCallError(
          Status.DEADLINE_EXCEEDED,
          `Deadline exceeded after ${(Date.now() - start) / 1000}s`,
        ),
      );
      stream.close(constants.NGHTTP2_CANCEL);
    }, call.deadline - start);

    const onHeaders = (headers: IncomingHttpHeaders, trailers: boolean) => {
      const fromTrailers = statusFromTrailers(headers);
      if (fromTrailers) status = fromTrailers;
      else if (trailers) {
        status =
          httpStatus !== undefined && httpStatus !== 200
            ? errorFromHttpStatus(httpStatus)
            : new GrpcCallError(Status.UNKNOWN, 'No status information received');
      }
    };
    stream.on('response', (headers) => {
      httpStatus = headers[':status'];
      onHeaders(headers, false);
    });
    stream.on('trailers', (headers: IncomingHttpHeaders) => onHeaders(headers, true));
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      // Stop reading a body bigger than any message we accept, before buffering all of it.
      if (received > call.maxMessageBytes + PREFIX_BYTES) {
        const messages = unframeMessages(Buffer.concat(chunks), call.maxMessageBytes);
        if (messages instanceof GrpcCallError) {
          settle(messages);
          stream.close(constants.NGHTTP2_CANCEL);
        }
      }
    });
    // Every failure also closes the stream; 'close' reports it.
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (settled) return;
      if (status === undefined) {
        settle(
          errorFromReset(stream.rstCode ?? constants.NGHTTP2_NO_ERROR, call.connectionLost(), httpStatus),
        );
      } else if (status instanceof GrpcCallError) {
        settle(status);
      } else if (status.code !== Status.OK) {
        settle(new GrpcCallError(status.code, status.details, status.metadata));
      } else {
        const messages = unframeMessages(Buffer.concat(chunks), call.maxMessageBytes);
        if (messages instanceof GrpcCallError) settle(messages);
        else if (messages.length === 1) settle(messages[0]!);
        else {
          settle(
            new GrpcCallError(
              Status.UNIMPLEMENTED,
              messages.length ? 'Too many responses received' : 'No message received',
            ),
          );
        }
      }
    });
    stream.end(frameMessage(call.request));
  });
}
