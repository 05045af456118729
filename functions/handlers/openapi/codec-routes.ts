/**
 * The codec server's routes as OpenAPI declares them (build only; http-codec-routes.ts serves them): Temporal's
 * codec server protocol — `/encode`, `/decode` (with `?preserveStorageRefs`) and `/download` —
 * under {@link CODEC_PATH}, each taking and answering `{"payloads":[…]}` in proto3 JSON.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CODEC_PATH } from '../http-codec-routes';
import { jsonResponse, problemResponses } from './schemas';

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

/** The Temporal UI's forwarded access token, a scheme of the codec server's alone. */
export const CODEC_SECURITY_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    'Codec server only: the access token the Temporal UI forwards, verified against GATEWAY_CODEC_JWKS_URL (Temporal Cloud: https://login.tmprl.cloud/.well-known/jwks.json).',
} as const;

/** API key (the CLI's `--codec-auth "Bearer <key>"`), the UI's forwarded access token, or IAM at API Gateway. */
const CODEC_SECURITY: Record<string, string[]>[] = [
  { apiKey: [] },
  { bearerApiKey: [] },
  { codecAccessToken: [] },
];

const preserveStorageRefs = {
  name: 'preserveStorageRefs',
  in: 'query' as const,
  required: false,
  schema: { type: 'string' as const, enum: ['true', 'false'] },
  description:
    '`true`: stored references are answered as they are, not fetched (the UI fetches them with /download).',
};

const codecRoute = (operation: 'encode' | 'decode' | 'download', summary: string, description: string) =>
  createRoute({
    method: 'post',
    path: `${CODEC_PATH}/${operation}`,
    summary,
    description,
    security: CODEC_SECURITY,
    parameters: [...codecHeaders.parameters, ...(operation === 'decode' ? [preserveStorageRefs] : [])],
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

export const codecDownloadRoute = codecRoute(
  'download',
  'Codec server: fetch and decode externally stored payloads (Temporal codec server protocol)',
  'Every payload must be a stored reference (Temporal external storage, driver aws.s3driver): each is fetched from the large payload bucket ' +
    '(its SHA-256 checked), then run through the codecs in reverse. A payload that is not a reference, or a gateway without a large payload bucket, answers 400; ' +
    'undecodable 422 `payload-undecodable` naming its index, KMS or S3 unavailable 503 `codec-unavailable`. Never open: API key, access token (GATEWAY_CODEC_JWKS_URL) or IAM.',
);
