/**
 * The codec server, as Temporal's codec server protocol defines it: `POST /v1/codec/encode` and
 * `POST /v1/codec/decode` take `{"payloads":[…]}` (proto3 JSON: metadata values and data base64) and
 * answer the same shape through the gateway's own data converter — the codecs and the large payload
 * store every other path uses — so the Temporal UI (`Codec Server endpoint`) and the CLI
 * (`--codec-endpoint …/v1/codec`) show what the gateway and the worker encrypted.
 *
 * It hands out plaintext, so it is never open (adapters/codec-auth.ts), and browsers may call it
 * from the configured UI origins only (CORS; a request from any other origin is refused outright).
 * Its middleware is registered before the app's own, which therefore never sees these routes.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Payload } from '@temporalio/common';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { MAX_OFFLOADED_INPUT_BYTES } from '../core/input-limits';
import { problem } from '../core/problems';
import type { CodecAuthenticator, CodecServerDeps } from '../adapters/codec-auth';
import { payloadsFromJson, payloadToJson } from '../adapters/codec-payload-json';
import { bodyBytes, parseJsonBytes } from '../adapters/http-body';
import { problemResponse } from '../adapters/http-problem';
import type { GatewayLogger } from '../adapters/logger';
import type { AppEnv } from './http-operation-routes';
import { jsonResponse, problemResponses } from './http-schemas';

/** Where the codec server lives: the UI's and CLI's codec endpoint is this path. */
export const CODEC_PATH = '/v1/codec';

/**
 * Largest codec request: what API Gateway carries to Lambda. A history's payloads reach 2 MiB each
 * (Temporal's limit), 2.7 MB as base64: more than the workflow routes' default takes.
 */
export const MAX_CODEC_BODY_BYTES = MAX_OFFLOADED_INPUT_BYTES;

export type CodecDeps = CodecServerDeps;

const base64String = { type: 'string' as const, contentEncoding: 'base64' };
const PayloadsJsonSchema = {
  type: 'object' as const,
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array' as const,
      items: {
        type: 'object' as const,
        description: 'A Temporal Payload in proto3 JSON: metadata values and data are base64.',
        properties: {
          metadata: { type: 'object' as const, additionalProperties: base64String },
          data: base64String,
        },
      },
    },
  },
  example: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJzdGFnZSI6MX0=' }] },
};

/** The answer's shape, as zod (typed handlers; the request is checked by payloadsFromJson). */
const PayloadsAnswer = z
  .object({
    payloads: z.array(
      z.object({
        metadata: z.record(z.string(), z.string()),
        data: z.string(),
        externalPayloads: z
          .array(z.object({ sizeBytes: z.union([z.string(), z.number()]).optional() }))
          .optional(),
      }),
    ),
  })
  .openapi({ example: PayloadsJsonSchema.example });

const codecHeaders = {
  parameters: [
    {
      name: 'X-Namespace',
      in: 'header' as const,
      required: false,
      schema: { type: 'string' as const },
      description: 'The namespace the payloads belong to (sent by the Temporal UI and CLI).',
    },
  ],
};

/** API key (the CLI's `--codec-auth "Bearer <key>"`), the UI's forwarded access token, or IAM at API Gateway. */
const CODEC_SECURITY: Record<string, string[]>[] = [
  { apiKey: [] },
  { bearerApiKey: [] },
  { codecAccessToken: [] },
];

const codecRoute = (operation: 'encode' | 'decode', summary: string, description: string) =>
  createRoute({
    method: 'post',
    path: `${CODEC_PATH}/${operation}`,
    summary,
    description,
    security: CODEC_SECURITY,
    ...codecHeaders,
    request: {
      body: { content: { 'application/json': { schema: PayloadsJsonSchema } }, required: true },
    },
    responses: {
      200: jsonResponse('The payloads, in order', PayloadsAnswer),
      ...problemResponses(400, 401, 403, 413, 415, 422, 503),
    },
  });

export const codecEncodeRoute = codecRoute(
  'encode',
  'Codec server: encode payloads with the gateway’s codecs (Temporal codec server protocol)',
  'Runs the payloads through every configured codec in order (the built-in KMS encryption). Never open: API key, access token (GATEWAY_CODEC_JWKS_URL) or IAM.',
);

export const codecDecodeRoute = codecRoute(
  'decode',
  'Codec server: decode payloads (Temporal codec server protocol)',
  'Resolves payloads stored in the large payload bucket, then runs the codecs in reverse. A payload no codec wrote passes through unchanged; ' +
    'one that cannot be decoded (unknown key, corrupted) answers 422 `payload-undecodable` naming its index, and KMS or S3 unavailable 503 `codec-unavailable`. ' +
    'Never open: API key, access token (GATEWAY_CODEC_JWKS_URL) or IAM.',
);

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
): Promise<{ ok: true; payloads: Payload[] } | { ok: false; index: number; error: unknown }> {
  try {
    return { ok: true, payloads: await converter.decodePayloads(payloads) };
  } catch (batchError) {
    for (const [index, payload] of payloads.entries()) {
      try {
        await converter.decodePayloads([payload]);
      } catch (error) {
        return { ok: false, index, error };
      }
    }
    return { ok: false, index: 0, error: batchError };
  }
}

export function registerCodecRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: { codec?: CodecDeps | undefined; logger: GatewayLogger },
): void {
  const { logger } = deps;
  const allowed = new Set(deps.codec?.allowedOrigins ?? []);
  const authenticator = deps.codec?.authenticator ?? closed;
  const converter = deps.codec?.dataConverter ?? identity;
  app.openAPIRegistry.registerComponent('securitySchemes', 'codecAccessToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'Codec server only: the access token the Temporal UI forwards, verified against GATEWAY_CODEC_JWKS_URL (Temporal Cloud: https://login.tmprl.cloud/.well-known/jwks.json).',
  });

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

  app.openapi(codecEncodeRoute, async (c) => {
    const payloads = await payloadsOf(c);
    if (!payloads.ok) return problemResponse(payloads.problem, c.req.path) as never;
    try {
      const encoded = await converter.encodePayloads(payloads.value);
      return c.json({ payloads: encoded.map(payloadToJson) }, 200);
    } catch (error) {
      logger.error('codec server could not encode', { error: String(error) });
      return problemResponse(problem('codec-unavailable', (error as Error).message), c.req.path) as never;
    }
  });

  app.openapi(codecDecodeRoute, async (c) => {
    const payloads = await payloadsOf(c);
    if (!payloads.ok) return problemResponse(payloads.problem, c.req.path) as never;
    const decoded = await decodeNamingFailure(converter, payloads.value);
    if (!decoded.ok) {
      const { index, error } = decoded;
      const retryable = (error as { retryable?: unknown }).retryable === true;
      const detail = `Payload ${index} of ${payloads.value.length}: ${(error as Error).message}`;
      logger[retryable ? 'warn' : 'info']('codec server could not decode', { index, error: String(error) });
      return problemResponse(
        problem(retryable ? 'codec-unavailable' : 'payload-undecodable', detail, `body.payloads[${index}]`),
        c.req.path,
      ) as never;
    }
    return c.json({ payloads: decoded.payloads.map(payloadToJson) }, 200);
  });
}
