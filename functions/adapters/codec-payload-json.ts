/**
 * Temporal payloads in their proto3 JSON form, as the codec server protocol carries them:
 * `{"payloads":[{"metadata":{"encoding":"<base64>"},"data":"<base64>"}]}`. Every `bytes` field — the
 * data and each metadata value — is base64 (proto3 JSON accepts the standard and the URL-safe
 * alphabet, padded or not; we answer in standard padded base64). Strict: a value that is not base64
 * is refused with the field that holds it, never decoded into something else.
 */
import type { Payload } from '@temporalio/common';
import { problem } from '../core/problems';
import { fail, ok, type Result } from '../core/result';

/** One payload as JSON. */
export interface PayloadJson {
  metadata: Record<string, string>;
  data: string;
  externalPayloads?: { sizeBytes?: string | number }[];
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function bytesOf(value: unknown, field: string): Result<Uint8Array> {
  const invalid = () => fail(problem('invalid-request', `${field}: not base64.`, field));
  if (typeof value !== 'string' || !BASE64.test(value)) return invalid();
  const unpadded = value.replace(/=+$/, '');
  if (unpadded.length % 4 === 1 || (value.length !== unpadded.length && value.length % 4 !== 0)) {
    return invalid();
  }
  return ok(new Uint8Array(Buffer.from(value, 'base64')));
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function payloadOf(value: unknown, field: string): Result<Payload> {
  if (!isRecord(value)) return fail(problem('invalid-request', `${field}: must be an object.`, field));
  const metadata: Record<string, Uint8Array> = {};
  if (value.metadata !== undefined && value.metadata !== null) {
    if (!isRecord(value.metadata)) {
      return fail(problem('invalid-request', `${field}.metadata: must be an object.`, `${field}.metadata`));
    }
    for (const [key, raw] of Object.entries(value.metadata)) {
      const bytes = bytesOf(raw, `${field}.metadata.${key}`);
      if (!bytes.ok) return bytes;
      metadata[key] = bytes.value;
    }
  }
  const data =
    value.data === undefined || value.data === null
      ? ok(new Uint8Array(0))
      : bytesOf(value.data, `${field}.data`);
  if (!data.ok) return data;
  const external = value.externalPayloads;
  if (external !== undefined && !Array.isArray(external)) {
    return fail(
      problem('invalid-request', `${field}.externalPayloads: must be an array.`, `${field}.externalPayloads`),
    );
  }
  return ok({
    metadata,
    data: data.value,
    ...(external && external.length > 0 ? { externalPayloads: external as Payload['externalPayloads'] } : {}),
  });
}

/** The payloads of a codec request body (`{payloads: [...]}`), or the problem naming the bad field. */
export function payloadsFromJson(body: unknown): Result<Payload[]> {
  // proto3 JSON omits an empty repeated field: the CLI sends `{}` for an event without payloads.
  if (isRecord(body) && (body.payloads === undefined || body.payloads === null)) return ok([]);
  if (!isRecord(body) || !Array.isArray(body.payloads)) {
    return fail(problem('invalid-request', 'The body must be {"payloads": [...]}.', 'body.payloads'));
  }
  const payloads: Payload[] = [];
  for (const [index, value] of body.payloads.entries()) {
    const payload = payloadOf(value, `body.payloads[${index}]`);
    if (!payload.ok) return payload;
    payloads.push(payload.value);
  }
  return ok(payloads);
}

const base64 = (bytes: Uint8Array | null | undefined) =>
  bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') : '';

/** A payload as JSON: metadata values and data in standard base64. */
export function payloadToJson(payload: Payload): PayloadJson {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, base64(value)]),
  );
  const external = payload.externalPayloads;
  return {
    metadata,
    data: base64(payload.data),
    ...(external && external.length > 0
      ? { externalPayloads: external as PayloadJson['externalPayloads'] }
      : {}),
  };
}
