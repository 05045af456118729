/** The codec server's caller checks that need no network: API keys, API Gateway's authorizer, none. */
import { describe, expect, it } from 'vitest';
import { createCodecAuthenticator } from '../../../functions/adapters/codec-auth';
import { createAuthenticator } from '../../../functions/adapters/http-auth';

const KEY = 'codec-unit-key-0123456789abcdef';
const headers = (init: Record<string, string> = {}) => new Headers(init);
const iamEvent = { requestContext: { authorizer: { iam: { userId: 'AROAEXAMPLE:session-1' } } } };

describe('the codec authenticator', () => {
  it('accepts the deployment API key and refuses a wrong one or none', async () => {
    const codec = createCodecAuthenticator({
      authenticator: createAuthenticator({ mode: 'api-key', apiKeys: [KEY] }),
    });
    expect(await codec.verify(headers({ authorization: `Bearer ${KEY}` }), undefined)).toMatchObject({
      ok: true,
    });
    expect(await codec.verify(headers({ 'x-api-key': KEY }), undefined)).toMatchObject({ ok: true });
    expect(
      await codec.verify(headers({ authorization: 'Bearer not-the-key-0123456789' }), undefined),
    ).toMatchObject({
      ok: false,
      problem: { code: 'unauthenticated' },
    });
    expect(await codec.verify(headers(), undefined)).toMatchObject({ ok: false });
  });

  it("accepts the principal API Gateway's IAM authorizer names, also with GATEWAY_AUTH=none", async () => {
    const codec = createCodecAuthenticator({ authenticator: createAuthenticator({ mode: 'none' }) });
    expect(codec.configured).toBe(false);
    expect(await codec.verify(headers(), iamEvent)).toEqual({ ok: true, caller: 'iam-AROAEXAMPLE' });
  });

  it('is closed with GATEWAY_AUTH=none and no JWKS: a request without an authorizer is refused', async () => {
    for (const mode of ['none', 'stripe'] as const) {
      const authenticator =
        mode === 'none' ? createAuthenticator({ mode }) : createAuthenticator({ mode, secret: 'whsec_x' });
      const verdict = await createCodecAuthenticator({ authenticator }).verify(
        headers({ authorization: 'Bearer anything' }),
        undefined,
      );
      expect(verdict).toMatchObject({ ok: false, problem: { code: 'unauthenticated' } });
    }
  });
});
