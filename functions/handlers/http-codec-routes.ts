/**
 * The codec server, as Temporal's codec server protocol defines it: `POST /v1/codec/encode`,
 * `POST /v1/codec/decode` (`?preserveStorageRefs=true` leaves stored references as they are) and
 * `POST /v1/codec/download` (stored references only: fetched, then decoded — what the UI calls when
 * a user opens an externally stored payload; the SDKs' payload HTTP handler defines it, e.g.
 * sdk-go `converter.NewPayloadHTTPHandler`) take `{"payloads":[…]}` (proto3 JSON: metadata values and data base64) and
 * answer the same shape through the gateway's own data converter — the codecs and the large payload
 * store every other path uses — so the Temporal UI (`Codec Server endpoint`) and the CLI
 * (`--codec-endpoint …/v1/codec`) show what the gateway and the worker encrypted.
 *
 * It hands out plaintext, so it is never open (adapters/codec-auth.ts), and browsers may call it
 * from the configured UI origins only (CORS; a request from any other origin is refused outright).
 * Its middleware is registered before the app's own, which therefore never sees these routes.
 */
import type { Payload } from '@temporalio/common';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { MAX_OFFLOADED_INPUT_BYTES } from '../core/input-limits';
import { problem } from '../core/problems';
import type { CodecAuthenticator, CodecServerDeps } from '../adapters/codec-auth';
import { payloadsFromJson, payloadToJson } from '../adapters/codec-payload-json';
import { isReferencePayload } from '../../payloads/external-storage-reference';
import { bodyBytes, parseJsonBytes } from '../adapters/http-body';
import { problemResponse } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { AppEnv } from './http-app-env';

/** Where the codec server lives: the UI's and CLI's codec endpoint is this path. */
export const CODEC_PATH = '/v1/codec';

/**
 * Largest codec request: what API Gateway carries to Lambda. A history's payloads reach 2 MiB each
 * (Temporal's limit), 2.7 MB as base64: more than the workflow routes' default takes.
 */
export const MAX_CODEC_BODY_BYTES = MAX_OFFLOADED_INPUT_BYTES;

export type CodecDeps = CodecServerDeps;

/** The refusal of a codec server with nothing to authenticate with (tests, the OpenAPI generator). */
const closed: CodecAuthenticator = {
  configured: false,
  verify: () =>
    Promise.resolve({
      ok: false,
      problem: problem(
        'unauthenticated',
        'The codec server is not configured on this gateway.',
        'header.authorization',
      ),
    }),
};

/** What the routes decode with when the gateway passes no codec: unreachable, `closed` refuses first. */
const identity: CodecDeps['dataConverter'] = {
  offloads: false,
  encodePayloads: (payloads) => Promise.resolve([...payloads]),
  decodePayloads: (payloads) => Promise.resolve([...payloads]),
};

/**
 * The payloads decoded, or the index and error of the first that cannot be: the whole batch at once
 * (one KMS Decrypt per data key), and only when that fails one by one, to name the payload.
 */
async function decodeNamingFailure(
  converter: CodecDeps['dataConverter'],
  payloads: readonly Payload[],
  options: { resolveReferences: boolean },
): Promise<{ ok: true; payloads: Payload[] } | { ok: false; index: number; error: unknown }> {
  try {
    return { ok: true, payloads: await converter.decodePayloads(payloads, options) };
  } catch (batchError) {
    for (const [index, payload] of payloads.entries()) {
      try {
        await converter.decodePayloads([payload], options);
      } catch (error) {
        return { ok: false, index, error };
      }
    }
    return { ok: false, index: 0, error: batchError };
  }
}

export function registerCodecRoutes(
  app: Hono<AppEnv>,
  deps: { codec?: CodecDeps | undefined; logger: GatewayLogger },
): void {
  const { logger } = deps;
  const allowed = new Set(deps.codec?.allowedOrigins ?? []);
  const authenticator = deps.codec?.authenticator ?? closed;
  const converter = deps.codec?.dataConverter ?? identity;
  const refuseOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || allowed.has(origin)) return next();
    logger.info('codec request from an origin not allowed', { origin: origin.slice(0, 200) });
    return problemResponse(
      problem(
        'origin-not-allowed',
        `The origin ${origin.slice(0, 200)} may not call the codec server.`,
        'header.origin',
      ),
      c.req.path,
    );
  };
  const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
    const verdict = await authenticator.verify(c.req.raw.headers, c.env);
    if (!verdict.ok) {
      logger.info('codec request not authenticated', { field: verdict.problem.field });
      const res = problemResponse(verdict.problem, c.req.path);
      if (verdict.challenge) res.headers.set('www-authenticate', verdict.challenge);
      return res;
    }
    c.set('authEventId', undefined);
    c.set('caller', verdict.caller ?? 'anonymous');
    await next();
  };
  app.use(`${CODEC_PATH}/*`, refuseOrigin);
  app.use(
    `${CODEC_PATH}/*`,
    cors({
      origin: (origin) => (allowed.has(origin) ? origin : null),
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['content-type', 'x-namespace', 'authorization'],
      credentials: true,
      maxAge: 600,
    }),
  );
  app.use(
    `${CODEC_PATH}/*`,
    bodyLimit({
      maxSize: MAX_CODEC_BODY_BYTES,
      onError: (c) =>
        problemResponse(
          problem('payload-too-large', `The body exceeds ${MAX_CODEC_BODY_BYTES} bytes.`, 'body'),
          c.req.path,
        ),
    }),
  );
  app.use(`${CODEC_PATH}/*`, authenticate);

  const payloadsOf = async (c: Context<AppEnv>) => {
    const body = parseJsonBytes(await bodyBytes(c), c.req.header('content-type'), MAX_CODEC_BODY_BYTES);
    return body.ok ? payloadsFromJson(body.value) : body;
  };

  app.post(`${CODEC_PATH}/encode`, async (c) => {
    const payloads = await payloadsOf(c);
    if (!payloads.ok) return problemResponse(payloads.problem, c.req.path);
    try {
      const encoded = await converter.encodePayloads(payloads.value);
      return c.json({ payloads: encoded.map(payloadToJson) }, 200);
    } catch (error) {
      logger.error('codec server could not encode', { error: String(error) });
      return problemResponse(problem('codec-unavailable', (error as Error).message), c.req.path);
    }
  });

  /** The decoded payloads as the answer, or the problem naming the first that cannot be decoded. */
  const decodeAnswer = async (
    c: Context<AppEnv>,
    payloads: readonly Payload[],
    options: { resolveReferences: boolean },
  ) => {
    const decoded = await decodeNamingFailure(converter, payloads, options);
    if (!decoded.ok) {
      const { index, error } = decoded;
      const retryable = (error as { retryable?: unknown }).retryable === true;
      const detail = `Payload ${index} of ${payloads.length}: ${(error as Error).message}`;
      logger[retryable ? 'warn' : 'info']('codec server could not decode', { index, error: String(error) });
      return problemResponse(
        problem(retryable ? 'codec-unavailable' : 'payload-undecodable', detail, `body.payloads[${index}]`),
        c.req.path,
      );
    }
    return c.json({ payloads: decoded.payloads.map(payloadToJson) }, 200);
  };

  app.post(`${CODEC_PATH}/decode`, async (c) => {
    const payloads = await payloadsOf(c);
    if (!payloads.ok) return problemResponse(payloads.problem, c.req.path);
    // The UI asks for the references as they are, and fetches one with /download when a user opens it.
    const preserve = c.req.query('preserveStorageRefs')?.toLowerCase() === 'true';
    return await decodeAnswer(c, payloads.value, { resolveReferences: !preserve });
  });

  app.post(`${CODEC_PATH}/download`, async (c) => {
    const payloads = await payloadsOf(c);
    if (!payloads.ok) return problemResponse(payloads.problem, c.req.path);
    if (!converter.offloads) {
      const detail =
        'This gateway has no large payload bucket (EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET): nothing to download.';
      return problemResponse(problem('invalid-request', detail), c.req.path);
    }
    // As the SDKs' handler: /download is for stored references only (the UI's "download" of one).
    const index = payloads.value.findIndex((payload) => !isReferencePayload(payload));
    if (index >= 0) {
      const field = `body.payloads[${index}]`;
      const detail = `${field}: all payloads must be storage references (Temporal external storage); decode the others with /decode.`;
      return problemResponse(problem('invalid-request', detail, field), c.req.path);
    }
    return await decodeAnswer(c, payloads.value, { resolveReferences: true });
  });
}
