/**
 * How a gRPC call over `node:http2` ends, in the terms `@grpc/grpc-js` reported it before the lean
 * client framed its calls itself: the error carries `code`, `details` and the trailing `metadata`
 * (so `grpc-status-details-bin` reaches temporal-status-details.ts), its message reads
 * `"<code> <NAME>: <details>"`, and a call that ends without a gRPC status is mapped from its HTTP
 * status or RST_STREAM code as grpc-js's `subchannel-call` maps it — the retry rules (retry.ts) and
 * the error classification read exactly these codes and texts.
 */
import { constants, type IncomingHttpHeaders } from 'node:http2';
import { EventGatewayError } from '../../../contract/errors';

/** gRPC status code → its name, as in grpc-js's `Status` enum. */
const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export const Status = Object.fromEntries(STATUS_NAMES.map((name, code) => [name, code])) as {
  readonly [N in (typeof STATUS_NAMES)[number]]: number;
};

/** Response metadata by lowercase key; `-bin` values base64-decoded, as grpc-js's `Metadata` reads them. */
export class WireMetadata {
  readonly #entries = new Map<string, (string | Buffer)[]>();

  /** Every value received under `key` (none: an empty list). */
  get(key: string): (string | Buffer)[] {
    return this.#entries.get(key.toLowerCase()) ?? [];
  }

  /** The metadata of response headers or trailers, without HTTP/2 pseudo-headers or the gRPC status. */
  static fromHttp2Headers(headers: IncomingHttpHeaders): WireMetadata {
    const metadata = new WireMetadata();
    for (const [key, raw] of Object.entries(headers)) {
      if (key.startsWith(':') || key === 'grpc-status' || key === 'grpc-message' || raw === undefined)
        continue;
      const values = Array.isArray(raw) ? raw : key.endsWith('-bin') ? raw.split(',') : [raw];
      metadata.#entries.set(
        key,
        values.map((value) => (key.endsWith('-bin') ? Buffer.from(value.trim(), 'base64') : value)),
      );
    }
    return metadata;
  }
}

/** The metadata of an OK status: nothing reads it, so one empty instance serves every call. */
const NO_METADATA = new WireMetadata();

/** A call that did not end with status OK: what grpc-js called a `ServiceError`. */
export class GrpcCallError extends EventGatewayError {
  override readonly name = 'GrpcCallError';

  constructor(
    readonly code: number,
    readonly details: string,
    readonly metadata: WireMetadata = new WireMetadata(),
  ) {
    super(`${code} ${STATUS_NAMES[code] ?? 'UNKNOWN'}: ${details}`);
  }
}

/** The error a call ends with when the server answered without a gRPC status, by HTTP status. */
export function errorFromHttpStatus(httpStatus: number, metadata?: WireMetadata): GrpcCallError {
  const code =
    {
      400: Status.INTERNAL,
      401: Status.UNAUTHENTICATED,
      403: Status.PERMISSION_DENIED,
      404: Status.UNIMPLEMENTED,
      429: Status.UNAVAILABLE,
      502: Status.UNAVAILABLE,
      503: Status.UNAVAILABLE,
      504: Status.UNAVAILABLE,
    }[httpStatus] ?? Status.UNKNOWN;
  return new GrpcCallError(code, `Received HTTP status code ${httpStatus}`, metadata);
}

/**
 * The status in trailers (or a trailers-only response): `grpc-status`, the percent-encoded
 * `grpc-message`, and the rest as metadata; undefined when the headers carry no status. Only a
 * failed call's metadata is read (temporal-status-details.ts): an OK status carries none, so a
 * delivered signal does not copy its trailers.
 */
export function statusFromTrailers(
  headers: IncomingHttpHeaders,
): { code: number; details: string; metadata: WireMetadata } | undefined {
  const status = headers['grpc-status'];
  if (typeof status !== 'string') return undefined;
  const message = headers['grpc-message'];
  let details = '';
  if (typeof message === 'string') {
    try {
      details = decodeURI(message);
    } catch {
      details = message;
    }
  }
  const code = Number(status);
  return {
    code,
    details,
    metadata: code === Status.OK ? NO_METADATA : WireMetadata.fromHttp2Headers(headers),
  };
}

/**
 * The error of a stream that closed without a status: by its RST_STREAM code, or UNAVAILABLE when
 * the connection under it dropped (a reset socket, a GOAWAY, a keepalive ping unanswered).
 */
export function errorFromReset(
  rstCode: number,
  connectionDropped: string | undefined,
  httpStatus: number | undefined,
): GrpcCallError {
  if (connectionDropped !== undefined) return new GrpcCallError(Status.UNAVAILABLE, connectionDropped);
  switch (rstCode) {
    case constants.NGHTTP2_NO_ERROR:
      return httpStatus !== undefined && httpStatus !== 200
        ? errorFromHttpStatus(httpStatus)
        : new GrpcCallError(
            Status.INTERNAL,
            `Received RST_STREAM with code ${rstCode} (Call ended without gRPC status)`,
          );
    case constants.NGHTTP2_REFUSED_STREAM:
      return new GrpcCallError(Status.UNAVAILABLE, 'Stream refused by server');
    case constants.NGHTTP2_CANCEL:
      return new GrpcCallError(Status.CANCELLED, 'Call cancelled');
    case constants.NGHTTP2_ENHANCE_YOUR_CALM:
      return new GrpcCallError(Status.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded');
    case constants.NGHTTP2_INADEQUATE_SECURITY:
      return new GrpcCallError(Status.PERMISSION_DENIED, 'Protocol not secure enough');
    case constants.NGHTTP2_INTERNAL_ERROR:
      return new GrpcCallError(
        Status.INTERNAL,
        `Received RST_STREAM with code ${rstCode} (Internal server error)`,
      );
    default:
      return new GrpcCallError(Status.INTERNAL, `Received RST_STREAM with code ${rstCode}`);
  }
}
