import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { CallbackKeyError, parseCallbackSigningKeys } from '../../../contract/callback-keys';
import { createCallbackVerifier } from '../../../functions/adapters/callback-tokens';
import { createCallbackMinter } from '../../../worker/callbacks/minter';

const OLD = 'k1:' + 'o'.repeat(40);
const NEW = 'k2:' + 'n'.repeat(40);
const BASE = 'https://gateway.example.com/';

function tokenOf(url: string): string {
  return new URL(url).pathname.split('/').pop()!;
}

async function mintSignal(keys: string, now: () => number = Date.now, expiresInSeconds = 60) {
  const minter = createCallbackMinter({ baseUrl: BASE, keys: parseCallbackSigningKeys(keys), now });
  return minter.mint({ workflowId: 'order-42', signal: 'shipmentDispatched', expiresInSeconds });
}

describe('callback tokens', () => {
  it('mints a URL under the base URL whose claims the gateway verifies', async () => {
    const minted = await mintSignal(NEW);
    expect(minted.url.startsWith('https://gateway.example.com/v1/callbacks/')).toBe(true);
    expect(minted.failUrl).toBe(`${minted.url}/fail`);
    const verified = await createCallbackVerifier(parseCallbackSigningKeys(NEW)).verify(tokenOf(minted.url));
    expect(verified).toMatchObject({
      ok: true,
      value: { jti: minted.id, wid: 'order-42', act: { kind: 'signal', name: 'shipmentDispatched' } },
    });
  });

  it('refuses an expired URL with callback-expired (410) and a forged one with callback-invalid (401)', async () => {
    const verifier = createCallbackVerifier(parseCallbackSigningKeys(NEW));
    const expired = await mintSignal(NEW, () => Date.now() - 120_000, 60);
    expect(await verifier.verify(tokenOf(expired.url))).toMatchObject({
      ok: false,
      problem: { code: 'callback-expired' },
    });

    const token = tokenOf((await mintSignal(NEW)).url);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // Another workflow in the same signature: the signature no longer matches.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, wid: 'order-43' })).toString('base64url');
    for (const forged of [
      `${header}.${tampered}.${signature}`,
      token.slice(0, -3),
      `${header}.${payload}`,
      `${header}.${payload}.${signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
    ]) {
      expect(await verifier.verify(forged)).toMatchObject({
        ok: false,
        problem: { code: 'callback-invalid' },
      });
    }
  });

  it('refuses a token signed with another key, an unknown key id, or another algorithm', async () => {
    const verifier = createCallbackVerifier(parseCallbackSigningKeys(NEW));
    const otherSecret = await mintSignal('k2:' + 'x'.repeat(40));
    const unknownKid = await mintSignal(OLD);
    const claims = { wid: 'order-42', act: { kind: 'signal', name: 's' } };
    const unsecured = new UnsecuredJWT(claims).setJti('j').setIssuedAt().setExpirationTime('1h').encode();
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS512', kid: 'k2' })
      .setJti('j')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('n'.repeat(40)));
    for (const url of [otherSecret.url, unknownKid.url]) {
      expect(await verifier.verify(tokenOf(url))).toMatchObject({
        ok: false,
        problem: { code: 'callback-invalid' },
      });
    }
    for (const token of [unsecured, hs512]) {
      expect(await verifier.verify(token)).toMatchObject({
        ok: false,
        problem: { code: 'callback-invalid' },
      });
    }
  });

  it('keeps URLs minted with the previous key working while it is listed (rotation)', async () => {
    const beforeRotation = await mintSignal(OLD);
    const rotated = createCallbackVerifier(parseCallbackSigningKeys(`${NEW},${OLD}`));
    expect((await rotated.verify(tokenOf(beforeRotation.url))).ok).toBe(true);
    const afterRotation = await mintSignal(`${NEW},${OLD}`);
    expect((await rotated.verify(tokenOf(afterRotation.url))).ok).toBe(true);
    // The new key signs: once the old key is removed, only old URLs stop working.
    const retired = createCallbackVerifier(parseCallbackSigningKeys(NEW));
    expect((await retired.verify(tokenOf(afterRotation.url))).ok).toBe(true);
    expect((await retired.verify(tokenOf(beforeRotation.url))).ok).toBe(false);
  });

  it('reports every key problem at once, without echoing a secret', () => {
    const secret = 'short-secret';
    let error: unknown;
    try {
      parseCallbackSigningKeys(`bad id:${'a'.repeat(40)},k1:${secret},k1:${'b'.repeat(40)}`);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CallbackKeyError);
    const message = (error as Error).message;
    expect(message).toContain('key 1');
    expect(message).toContain('at least 32 bytes');
    expect(message).toContain('listed twice');
    expect(message).not.toContain(secret);
    expect(() => parseCallbackSigningKeys(' , ')).toThrow(/lists no key/);
    expect(parseCallbackSigningKeys('z'.repeat(32))[0]?.id).toBe('k0');
  });

  it('refuses to mint without exactly one operation or with an expiry out of range', async () => {
    const minter = createCallbackMinter({ baseUrl: BASE, keys: parseCallbackSigningKeys(NEW) });
    await expect(minter.mint({ workflowId: 'w' })).rejects.toThrow(/exactly one/);
    await expect(minter.mint({ workflowId: 'w', signal: 's', update: 'u' })).rejects.toThrow(/exactly one/);
    await expect(minter.mint({ workflowId: 'w', signal: 's', expiresInSeconds: 0 })).rejects.toThrow(
      /expiresInSeconds/,
    );
    expect(() => createCallbackMinter({ baseUrl: 'not a url', keys: parseCallbackSigningKeys(NEW) })).toThrow(
      /not a URL/,
    );
  });
});
