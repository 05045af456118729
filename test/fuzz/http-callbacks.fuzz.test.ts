/**
 * Property-based tests of the callback endpoints, in process: arbitrary tokens, mutations of real
 * tokens, bodies and content types never get a 5xx, every refusal is a problem document, and only
 * a token exactly as minted ever reaches Temporal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCallbackSigningKeys } from '../../contract/callback-keys';
import { HANDSHAKE } from '../../contract/demo-handshake';
import { createCallbackVerifier } from '../../functions/adapters/callback-tokens';
import { createDeliverer } from '../../functions/adapters/deliverer';
import type { GatewayLogger } from '../../functions/adapters/logger';
import { DEFAULT_GATEWAY_CONFIG } from '../../functions/core/default-config';
import { parseGatewayConfig } from '../../functions/core/gateway-config';
import { createHttpApp } from '../../functions/handlers/http-app';
import { createCallbackMinter } from '../../worker/callbacks/minter';

const KEYS = parseCallbackSigningKeys(`k1:${'s'.repeat(48)}`);
const minter = createCallbackMinter({ baseUrl: 'http://gateway.test', keys: KEYS });

const strictLogger: GatewayLogger = {
  info() {},
  warn() {},
  error(message, ...extra) {
    throw new Error(`logged an error: ${message} ${JSON.stringify(extra)}`);
  },
};

/** Workflow IDs of tokens that reached Temporal. */
const delivered: string[] = [];

const app = createHttpApp({
  config: parseGatewayConfig(DEFAULT_GATEWAY_CONFIG),
  deliverer: createDeliverer({
    signaler: {
      signal: (command) => {
        delivered.push(command.workflowId);
        return Promise.resolve({ status: 'delivered', started: false });
      },
    },
    updater: { update: () => Promise.resolve({ status: 'delivered', result: 1, started: false }) },
    completer: { complete: () => Promise.resolve({ status: 'delivered' }) },
    logger: strictLogger,
  }),
  reader: {
    describe: (workflowId) =>
      Promise.resolve({
        ok: true,
        value: {
          workflowId,
          runId: 'r',
          workflowType: HANDSHAKE.workflowType,
          status: 'RUNNING',
          startTime: null,
          closeTime: null,
          taskQueue: null,
          historyLength: 1,
        },
      }),
    query: () => Promise.resolve({ ok: true, value: null }),
    health: () => Promise.resolve({ ok: true, value: { namespace: 'default' } }),
  },
  callbacks: createCallbackVerifier(KEYS),
  logger: strictLogger,
  maxBodyBytes: 4096,
});

const minted = await Promise.all(
  ['handshake-a', 'handshake-b'].map((workflowId) =>
    minter.mint({ workflowId, signal: HANDSHAKE.acknowledgedSignal }),
  ),
);
const tokens = minted.map((m) => m.url.split('/').pop()!);

/** A real token, changed a little: one character, a cut, a swapped segment, an appended tail. */
const mutatedToken = fc
  .tuple(
    fc.constantFrom(...tokens),
    fc.nat(),
    fc.constantFrom('flip', 'cut', 'swap', 'append'),
    fc.string({ maxLength: 8 }),
  )
  .map(([token, at, how, tail]) => {
    const i = at % token.length;
    if (how === 'flip') return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    if (how === 'cut') return token.slice(0, i);
    if (how === 'swap') {
      const other = tokens.find((t) => t !== token)!;
      const [h, p, s] = token.split('.');
      const [, p2] = other.split('.');
      return [h, i % 2 ? p2 : p, s].join('.');
    }
    return token + encodeURIComponent(tail);
  });

const token = fc.oneof(
  mutatedToken,
  fc.string({ maxLength: 200 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{1,60}$/),
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 100 }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
);

describe('callback endpoints under fuzzing', () => {
  it('never answer 5xx and deliver only tokens exactly as minted', async () => {
    await fc.assert(
      fc.asyncProperty(
        token,
        fc.constantFrom('POST', 'GET', 'PUT'),
        fc.constantFrom('', '/fail', '/x'),
        body,
        contentType,
        async (candidate, method, suffix, payload, type) => {
          delivered.length = 0;
          const response = await app.request(`/v1/callbacks/${candidate}${suffix}`, {
            method,
            ...(type ? { headers: { 'content-type': type } } : {}),
            ...(payload === undefined || method === 'GET' ? {} : { body: payload }),
          });
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get('content-type')).toContain('application/problem+json');
            const text = await response.text();
            // Refusals never echo the capability back.
            if (candidate.length > 20) expect(text).not.toContain(candidate);
          }
          if (delivered.length > 0) expect(tokens).toContain(candidate);
        },
      ),
      { numRuns: 300 },
    );
  });
});
