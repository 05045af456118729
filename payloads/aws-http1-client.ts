/**
 * The project's lean AWS requests' HTTP/1.1 transport: kept-alive sockets to one origin, one exchange
 * at a time on each — a request written whole, a response read whole. Used by the event log's record
 * `PUT` (functions/adapters/event-log-s3-put.ts: `200` and no body, or an error and a little XML) and
 * the codec's KMS calls (kms-json-client.ts: a small JSON answer). Written over node:net and node:tls
 * rather than node:http: measured one request at a time (as the paced benchmark sends them)
 * node:http's client costs ~300 µs more CPU per request than the same exchange on a socket — its
 * agent, its request and response streams, its parser's async resources (docs/event-log.md, "Cost");
 * undici costs no less. What it does not do it refuses: no pipelining (one exchange a socket at a
 * time), no `Expect`, no upgrade; a response it cannot read fails the exchange and drops the socket.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';

/** A response read whole. */
export interface S3HttpResponse {
  readonly status: number;
  /** The body as text (S3's error XML, KMS's JSON); empty for a stored record. */
  readonly body: string;
}

/** The exchange failed before a whole response: the request may not have reached the server (try again). */
export interface ExchangeFailure extends Error {
  readonly code: string;
}

const failure = (message: string, code: string): ExchangeFailure =>
  Object.assign(new Error(message), { code });

const HEAD_END = Buffer.from('\r\n\r\n');
const LINE_END = Buffer.from('\r\n');

interface Parsed {
  readonly response: S3HttpResponse;
  /** The server closes the connection after this response. */
  readonly close: boolean;
}

/** The chunked body from `start`, or undefined until its last chunk is in. */
function chunkedBody(data: Buffer, start: number, peer: string): { body: Buffer; end: number } | undefined {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf(LINE_END, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.toString('latin1', at, lineEnd).split(';')[0]!, 16);
    if (!Number.isInteger(size) || size < 0) throw failure(`${peer} sent a malformed chunk`, 'EPROTO');
    if (size === 0) {
      // No trailers from S3: the last chunk is followed by an empty line.
      const end = data.indexOf(LINE_END, lineEnd + 2);
      return end < 0 ? undefined : { body: Buffer.concat(parts), end: end + 2 };
    }
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * The response at the start of `data`, or undefined while it is incomplete. `ended`: the server
 * closed the connection (a body without a length ends there). `peer` names the server in errors.
 */
export function parseResponse(data: Buffer, ended = false, peer = 'S3'): Parsed | undefined {
  const headEnd = data.indexOf(HEAD_END);
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = data.toString('latin1', 0, headEnd).split('\r\n');
  const statusMatch = /^HTTP\/1\.([01]) (\d{3})/.exec(statusLine ?? '');
  if (!statusMatch) throw failure(`${peer} sent no HTTP/1.1 status line`, 'EPROTO');
  const status = Number(statusMatch[2]);
  const bodyStart = headEnd + 4;
  // An interim answer (100 Continue) is skipped: the final one follows.
  if (status >= 100 && status < 200) return parseResponse(data.subarray(bodyStart), ended, peer);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const connection = headers.get('connection')?.toLowerCase() ?? '';
  const close =
    connection.includes('close') || (statusMatch[1] === '0' && !connection.includes('keep-alive'));
  let body: Buffer;
  if (status === 204 || status === 304) body = Buffer.alloc(0);
  else if (headers.get('transfer-encoding')?.toLowerCase().includes('chunked')) {
    const chunked = chunkedBody(data, bodyStart, peer);
    if (!chunked) return undefined;
    body = chunked.body;
  } else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (!Number.isInteger(length) || length < 0) throw failure(`${peer} sent a malformed length`, 'EPROTO');
    if (data.length < bodyStart + length) return undefined;
    body = data.subarray(bodyStart, bodyStart + length);
  } else {
    // Delimited by the end of the connection.
    if (!ended) return undefined;
    return { response: { status, body: data.toString('utf8', bodyStart) }, close: true };
  }
  return { response: { status, body: body.toString('utf8') }, close };
}

/**
 * A request as {@link S3Connections.exchange} sends it, head and body in one string: the request line,
 * `headers` as given (the signed ones, `host` among them), the body's length, the body.
 */
export function requestText(
  method: string,
  path: string,
  headers: Readonly<Record<string, string>>,
  body: string,
): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  return `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** One socket and the exchange on it, if any. */
class Connection {
  private received: Buffer = Buffer.alloc(0);
  private exchange:
    { resolve: (response: S3HttpResponse) => void; reject: (error: Error) => void } | undefined;
  /** False once the socket is closed, errored or unusable. */
  usable = true;
  /** When its last exchange ended (performance.now()), while it waits for the next. */
  idleSince = 0;

  constructor(
    readonly socket: Socket,
    private readonly release: (connection: Connection) => void,
    private readonly peer: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk, false));
    socket.on('end', () => this.read(Buffer.alloc(0), true));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.fail(failure(`${peer} connection failed: ${error.message}`, error.code ?? 'ECONNRESET')),
    );
    socket.on('close', () =>
      this.fail(failure(`${peer} closed the connection before its answer`, 'ECONNRESET')),
    );
  }

  /** Writes the request; resolves with the whole response. */
  send(request: string): Promise<S3HttpResponse> {
    return new Promise((resolve, reject) => {
      this.exchange = { resolve, reject };
      this.socket.ref();
      this.socket.write(request);
    });
  }

  /** Ends the connection, failing its exchange (a timeout). */
  destroy(error: Error): void {
    this.fail(error);
  }

  private read(chunk: Buffer, ended: boolean): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    if (!this.exchange) {
      // Bytes nobody asked for, or the server closing an idle connection: drop the socket.
      if (this.received.length > 0 || ended)
        this.fail(failure(`${this.peer} sent an unasked answer`, 'EPROTO'));
      return;
    }
    let parsed: Parsed | undefined;
    try {
      parsed = parseResponse(this.received, ended, this.peer);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (!parsed) {
      if (ended) this.fail(failure(`${this.peer} closed the connection mid-answer`, 'ECONNRESET'));
      return;
    }
    const { resolve } = this.exchange;
    this.exchange = undefined;
    this.received = Buffer.alloc(0);
    if (parsed.close || ended) this.end();
    else {
      this.socket.unref();
      this.idleSince = performance.now();
      this.release(this);
    }
    resolve(parsed.response);
  }

  private fail(error: Error): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.end();
    exchange?.reject(error);
  }

  private end(): void {
    this.usable = false;
    this.socket.destroy();
  }
}

/** Kept connections to one origin (`http:` or `https:`), one exchange each at a time. */
export interface S3Connections {
  /** Sends `request` (head and body, whole) and reads the answer; fails after `timeoutMs`. */
  exchange(request: string, timeoutMs: number): Promise<S3HttpResponse>;
}

/** What an `https:` origin's connections trust besides its name, and what errors call the server. */
export interface S3TlsOptions {
  /**
   * The CAs trusted instead of the default — the system's and NODE_EXTRA_CA_CERTS (what AWS needs);
   * for a server whose certificate a test made.
   */
  readonly ca?: ConnectionOptions['ca'];
  /** The server's name in error messages (`KMS did not answer in 5000 ms`). @default 'S3' (the event log's) */
  readonly peer?: string;
  /**
   * How long a connection may idle and still be reused; an older one is closed and a new one opened.
   * For a client that calls seldom (KMS, every few minutes): a server closes idle connections, and
   * in a Lambda frozen meanwhile the close is seen only after the next request was written on it —
   * a reset to retry. @default no limit (the event log writes a record per event)
   */
  readonly maxIdleMs?: number;
}

/**
 * Connections to `origin`, kept between exchanges. An `https:` origin's certificate is checked
 * against its host name and the default CAs, or `tls.ca` when given.
 */
export function keptConnections(origin: URL, tls: S3TlsOptions = {}): S3Connections {
  const secure = origin.protocol === 'https:';
  const port = Number(origin.port) || (secure ? 443 : 80);
  const host = origin.hostname.replace(/^\[|\]$/g, '');
  const peer = tls.peer ?? 'S3';
  const idle: Connection[] = [];
  const release = (connection: Connection) => idle.push(connection);
  const open = (): Connection =>
    new Connection(
      secure
        ? connectTls({
            host,
            port,
            // The name for SNI (S3's virtual-hosted buckets need it); none for an address (RFC 6066).
            servername: isIP(host) ? undefined : host,
            ALPNProtocols: ['http/1.1'],
            ...(tls.ca && { ca: tls.ca }),
          })
        : connectTcp({ host, port }),
      release,
      peer,
    );
  const maxIdleMs = tls.maxIdleMs ?? Number.POSITIVE_INFINITY;
  /** The most recently used idle connection that is still open and not idle too long, else a new one. */
  const take = (): Connection => {
    for (let connection = idle.pop(); connection; connection = idle.pop()) {
      if (!connection.usable || connection.socket.destroyed) continue;
      if (performance.now() - connection.idleSince <= maxIdleMs) return connection;
      connection.socket.destroy();
    }
    return open();
  };
  return {
    async exchange(request, timeoutMs) {
      const connection = take();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(failure(`${peer} did not answer in ${timeoutMs} ms`, 'ETIMEDOUT')),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([connection.send(request), late]);
      } catch (error) {
        connection.destroy(error as Error);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
