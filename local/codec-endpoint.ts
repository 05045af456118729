/**
 * The local stacks' codec server for the Temporal UI and CLI: the dev server's UI is started with
 * `--ui-codec-endpoint <gateway>/v1/codec`, and the local gateway lets the UI's browser (and the CLI)
 * call it without a credential — on the loopback interface only.
 *
 * Why no credential locally: the dev server's UI has no login, so it has no access token to forward
 * (and the Temporal UI forwards one only to an https endpoint, "Pass the user access token"); a key
 * pasted into the UI's settings would protect nothing either, since local-kms answers `Decrypt` to any
 * process on the machine with placeholder credentials. What stays closed: any caller that is not on
 * loopback, a browser page from any origin other than a loopback one (the CORS allow-list already
 * refuses those with 403), and a request whose Host is not a loopback name (a DNS-rebinding page
 * cannot pass). A deployed gateway never runs this: only the local gateway process builds it.
 */
import type { IncomingMessage } from 'node:http';
import type { CodecAuthenticator } from '../functions/adapters/codec-auth';
import { GATEWAY_ENV } from '../functions/core/env-names';
import { CODEC_PATH } from '../functions/handlers/http-codec-routes';

/** Variables only local/gateway-main.ts reads (never a Lambda function). */
export const LOCAL_CODEC_ENV = {
  /** `1`: the codec server answers loopback callers without a credential (loopbackCodecAuthenticator). */
  loopback: 'EVENT_GATEWAY_LOCAL_CODEC_LOOPBACK',
} as const;

/** The codec endpoint the UI and the CLI are given for a gateway at `gatewayUrl`. */
export const localCodecEndpoint = (gatewayUrl: string): string => `${gatewayUrl}${CODEC_PATH}`;

/** The origins a browser shows for the dev server's UI on `uiPort` (it listens on 127.0.0.1). */
export const localUiOrigins = (uiPort: number): string[] => [
  `http://localhost:${uiPort}`,
  `http://127.0.0.1:${uiPort}`,
];

/**
 * GATEWAY_CODEC_ALLOWED_ORIGINS for a local gateway: the local UI's origins, plus those the app or
 * the developer declared (`declared`, as the variable spells them; `none` adds nothing).
 */
export function localCodecOrigins(uiPort: number, declared: string | undefined): string {
  const extra = declared?.trim() === 'none' ? [] : (declared ?? '').split(',').map((o) => o.trim());
  return [...new Set([...localUiOrigins(uiPort), ...extra.filter((o) => o !== '')])].join(',');
}

/** The settings for a local gateway's codec server, on top of the app's own GATEWAY_CODEC_* ones. */
export function localCodecEnv(
  uiPort: number,
  declared: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  return {
    [GATEWAY_ENV.codecAllowedOrigins]: localCodecOrigins(uiPort, declared[GATEWAY_ENV.codecAllowedOrigins]),
    [LOCAL_CODEC_ENV.loopback]: '1',
  };
}

const LOOPBACK_PEERS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_AUTHORITY = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;
const LOOPBACK_ORIGIN = /^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

/** The peer address of a request served by @hono/node-server (its `env` holds the Node request). */
function peerAddress(serverEnv: unknown): string | undefined {
  return (serverEnv as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
}

/**
 * `inner`, except that a request from the loopback interface, addressed to a loopback name, with no
 * Origin (the CLI) or a loopback one (the local UI), needs no credential.
 */
export function loopbackCodecAuthenticator(inner: CodecAuthenticator): CodecAuthenticator {
  return {
    configured: true,
    verify(headers, serverEnv) {
      const peer = peerAddress(serverEnv);
      const origin = headers.get('origin');
      const local =
        peer !== undefined &&
        LOOPBACK_PEERS.has(peer) &&
        LOOPBACK_AUTHORITY.test(headers.get('host') ?? '') &&
        (origin === null || LOOPBACK_ORIGIN.test(origin));
      return local
        ? Promise.resolve({ ok: true, caller: 'local-loopback' })
        : inner.verify(headers, serverEnv);
    },
  };
}
