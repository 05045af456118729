import { describe, expect, it } from 'vitest';
import { DEFAULT_CODEC_ORIGINS, parseCodecSettings } from '../../../functions/core/codec-settings';

describe('the codec server settings', () => {
  it("defaults to Temporal Cloud's UI and the dev server's, with no JWT", () => {
    expect(parseCodecSettings({})).toEqual({
      ok: true,
      settings: { allowedOrigins: [...DEFAULT_CODEC_ORIGINS] },
    });
  });

  it('takes listed origins (a trailing slash dropped), `none`, and a JWKS URL with issuer and audience', () => {
    const parsed = parseCodecSettings({
      GATEWAY_CODEC_ALLOWED_ORIGINS: 'https://ui.example.com/, http://localhost:8080',
      GATEWAY_CODEC_JWKS_URL: 'https://login.tmprl.cloud/.well-known/jwks.json',
      GATEWAY_CODEC_JWT_ISSUER: 'https://issuer.example',
      GATEWAY_CODEC_JWT_AUDIENCE: 'codec',
    });
    expect(parsed).toEqual({
      ok: true,
      settings: {
        allowedOrigins: ['https://ui.example.com', 'http://localhost:8080'],
        jwt: {
          jwksUrl: 'https://login.tmprl.cloud/.well-known/jwks.json',
          issuer: 'https://issuer.example',
          audience: 'codec',
        },
      },
    });
    expect(parseCodecSettings({ GATEWAY_CODEC_ALLOWED_ORIGINS: 'none' })).toEqual({
      ok: true,
      settings: { allowedOrigins: [] },
    });
  });

  it('refuses a wildcard, an origin with a path, a JWKS over plain http off the loopback, and a JWKS without an audience', () => {
    const parsed = parseCodecSettings({
      GATEWAY_CODEC_ALLOWED_ORIGINS: '*,https://ui.example.com/app',
      GATEWAY_CODEC_JWKS_URL: 'http://keys.example.com/jwks.json',
    });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems).toHaveLength(4);
    expect(parsed.ok ? [] : parsed.problems).toContainEqual(
      expect.stringMatching(/^GATEWAY_CODEC_JWT_AUDIENCE: required/),
    );
  });
});
