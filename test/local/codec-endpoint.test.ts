/**
 * The local stacks' codec server access (local/codec-endpoint.ts): a loopback caller addressed by a
 * loopback name, with no Origin (the CLI) or a loopback one (the local UI), needs no credential;
 * anything else — another peer, a foreign Host (DNS rebinding), another origin — goes to the
 * deployed authenticator, which here refuses. And the origins a local gateway allows.
 */
import { describe, expect, it } from 'vitest';
import type { CodecAuthenticator } from '../../functions/adapters/codec-auth';
import { problem } from '../../functions/core/problems';
import { localCodecOrigins, loopbackCodecAuthenticator } from '../../local/codec-endpoint';

const refusing: CodecAuthenticator = {
  configured: false,
  verify: () =>
    Promise.resolve({
      ok: false,
      problem: problem('unauthenticated', 'no credential', 'header.authorization'),
    }),
};

/** What @hono/node-server passes as the app's env: the Node request, with its socket's peer. */
const served = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

const verdict = (headers: Record<string, string>, peer = '127.0.0.1') =>
  loopbackCodecAuthenticator(refusing)
    .verify(new Headers({ host: '127.0.0.1:3000', ...headers }), served(peer))
    .then((answer) => answer.ok);

describe('the local codec server on loopback', () => {
  it('answers the CLI and the local UI on loopback without a credential', async () => {
    expect(await verdict({})).toBe(true);
    expect(await verdict({ origin: 'http://localhost:8233' })).toBe(true);
    expect(await verdict({ origin: 'http://127.0.0.1:8233', host: 'localhost:3000' }, '::1')).toBe(true);
    expect(await verdict({}, '::ffff:127.0.0.1')).toBe(true);
  });

  it('leaves every other request to the deployed authenticator', async () => {
    expect(await verdict({}, '192.168.1.20')).toBe(false);
    expect(await verdict({ host: 'rebound.example.com:3000' })).toBe(false);
    expect(await verdict({ origin: 'https://cloud.temporal.io' })).toBe(false);
    expect(await verdict({ origin: 'http://localhost.example.com:8233' })).toBe(false);
    // Not served by the local Node server (e.g. a Lambda event): never open.
    expect(
      await loopbackCodecAuthenticator(refusing)
        .verify(new Headers({ host: '127.0.0.1:3000' }), { requestContext: {} })
        .then((answer) => answer.ok),
    ).toBe(false);
  });

  it("allows the local UI's origins plus those declared, none for `none`", () => {
    expect(localCodecOrigins(8233, undefined)).toBe('http://localhost:8233,http://127.0.0.1:8233');
    expect(localCodecOrigins(9000, 'https://ui.example.com, http://localhost:9000')).toBe(
      'http://localhost:9000,http://127.0.0.1:9000,https://ui.example.com',
    );
    expect(localCodecOrigins(9000, 'none')).toBe('http://localhost:9000,http://127.0.0.1:9000');
  });
});
