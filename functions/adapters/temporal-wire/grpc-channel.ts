/**
 * The HTTP/2 connection under the lean client, kept as `@temporalio/client`'s grpc-js channel kept
 * it: `node:http2` over TCP or TLS (a custom CA, a client certificate for mTLS, a server name
 * override that is both the TLS name checked and the `:authority` sent), a keepalive PING every
 * 30 s that must be answered within 15 s, and a new session when the last one is gone — dropped,
 * refused by a GOAWAY, or its pings unanswered. The socket holds the process open only while a
 * call is on it, as grpc-js's does.
 */
import {
  connect,
  type ClientHttp2Session,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
} from 'node:http2';
import { GrpcCallError, Status } from './grpc-status';
import { callUnary } from './unary-call';

export interface ChannelTarget {
  /** `host:port`, an IPv6 host in brackets. */
  address: string;
  /** TLS on with these settings; plain HTTP/2 (h2c) without. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string };
}

/** `@temporalio/client`'s channel settings (`grpc.keepalive_*`, `grpc.max_receive_message_length`). */
const KEEPALIVE_TIME_MS = 30_000;
const KEEPALIVE_TIMEOUT_MS = 15_000;
export const MAX_RECEIVE_MESSAGE_BYTES = 128 * 1024 * 1024;

/** One HTTP/2 session and why it can no longer carry calls, once it cannot. */
class Link {
  lost: string | undefined;
  active = 0;
  readonly #keepalive: NodeJS.Timeout;

  constructor(readonly session: ClientHttp2Session) {
    session.on('error', (error: Error) => (this.lost ??= error.message));
    session.on('goaway', () => (this.lost ??= 'GOAWAY received'));
    session.on('close', () => {
      this.lost ??= 'Connection dropped';
      clearInterval(this.#keepalive);
    });
    this.#keepalive = setInterval(() => this.#ping(), KEEPALIVE_TIME_MS).unref();
  }

  get usable(): boolean {
    return this.lost === undefined && !this.session.closed && !this.session.destroyed;
  }

  /** Why a stream that closed without a status was cut: the connection, if it is gone. */
  connectionLost(): string | undefined {
    return this.lost ?? (this.session.closed || this.session.destroyed ? 'Connection dropped' : undefined);
  }

  #ping(): void {
    if (!this.usable) return;
    const timeout = setTimeout(() => {
      this.lost ??= 'Keepalive ping timed out';
      this.session.destroy();
    }, KEEPALIVE_TIMEOUT_MS).unref();
    try {
      this.session.ping(() => clearTimeout(timeout));
    } catch {
      clearTimeout(timeout); // the session closed meanwhile; its 'close' says so
    }
  }
}

/** Opens one session; resolves once connected (after the TLS handshake), rejects by `deadline`. */
function openLink(target: ChannelTarget, deadline: number): Promise<Link> {
  const { tls } = target;
  const options: SecureClientSessionOptions = {
    // grpc-js lifts Node's 10 MB cap on a session's buffered frames: a history page can be large.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
    ...(tls && {
      ...(tls.ca && { ca: tls.ca }),
      ...(tls.cert && { cert: tls.cert }),
      ...(tls.key && { key: tls.key }),
      ...(tls.serverName && { servername: tls.serverName }),
    }),
  };
  const session = connect(`${tls ? 'https' : 'http'}://${target.address}`, options);
  return new Promise<Link>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error('Connect timed out')), Math.max(deadline - Date.now(), 0));
    session.on('error', fail);
    session.once('close', () => fail(new Error('Connection closed before it was established')));
    session.once('connect', () => {
      clearTimeout(timer);
      session.removeListener('error', fail);
      session.removeAllListeners('close');
      session.unref();
      resolve(new Link(session));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls over one target, on a session opened when needed; see the module comment. */
export class GrpcChannel {
  #link: Promise<Link> | undefined;
  /** `#link` once connected: a call on a usable session starts without awaiting anything. */
  #ready: Link | undefined;
  #closed = false;

  /** No extra headers to merge into each call's (no `:authority` override). */
  readonly #plainAuthority: boolean;

  constructor(
    private readonly target: ChannelTarget,
    /** Extra request headers: `:authority` when overridden. */
    private readonly baseHeaders: OutgoingHttpHeaders = {},
  ) {
    this.#plainAuthority = Object.keys(baseHeaders).length === 0;
  }

  /**
   * Connects, trying again (100 ms, growing 1.6× to 1 s) until `deadline` as grpc-js's
   * `waitForReady` does; rejects with the last connect error.
   */
  async waitForReady(deadline: number): Promise<void> {
    for (let backoff = 100; ; backoff = Math.min(backoff * 1.6, 1_000)) {
      try {
        await this.#session(deadline);
        return;
      } catch (error) {
        if (Date.now() + backoff >= deadline) throw error;
        await sleep(backoff);
      }
    }
  }

  /** The usable session, or a new one; the one attempt is bounded by the caller's deadline. */
  async #session(deadline: number): Promise<Link> {
    if (this.#closed) throw new Error('Channel closed');
    const current = this.#link && (await this.#link.catch(() => undefined));
    if (current?.usable) return current;
    if (current && current.active === 0) current.session.close();
    const attempt = (this.#link = openLink(this.target, deadline));
    attempt.then(
      (link) => {
        if (this.#link === attempt) this.#ready = link;
      },
      () => {
        if (this.#link === attempt) this.#link = undefined;
      },
    );
    return attempt;
  }

  /** One unary call; rejects with a {@link GrpcCallError} (UNAVAILABLE when no session could be opened). */
  async unary(
    path: string,
    headers: OutgoingHttpHeaders,
    request: Uint8Array,
    deadline: number,
  ): Promise<Buffer> {
    let link: Link;
    try {
      const ready = this.#ready;
      link = !this.#closed && ready?.usable ? ready : await this.#session(deadline);
    } catch (error) {
      throw new GrpcCallError(
        Status.UNAVAILABLE,
        `No connection established. Last error: ${(error as Error).message}`,
      );
    }
    if (link.active++ === 0) link.session.ref();
    try {
      return await callUnary({
        session: link.session,
        path,
        headers: this.#plainAuthority ? headers : { ...this.baseHeaders, ...headers },
        request,
        deadline,
        maxMessageBytes: MAX_RECEIVE_MESSAGE_BYTES,
        connectionLost: () => link.connectionLost(),
      });
    } finally {
      if (--link.active === 0 && !link.session.destroyed) {
        link.session.unref();
        if (this.#closed || !link.usable) link.session.close();
      }
    }
  }

  /** Closes the session now if idle, else once its calls end; no call starts after this. */
  close(): void {
    this.#closed = true;
    void this.#link?.then(
      (link) => link.active === 0 && link.session.close(),
      () => undefined,
    );
  }
}
