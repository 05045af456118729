/**
 * Values ↔ Temporal payloads, byte for byte as `@temporalio/common`'s `defaultPayloadConverter`
 * writes and reads them (`binary/null`, `binary/plain`, `json/plain`) without loading that package;
 * the drift test holds the two to the same bytes.
 */
import { EventGatewayError } from '../../../contract/errors';
import type { WirePayload } from './types';

export class PayloadConversionError extends EventGatewayError {
  override readonly name = 'PayloadConversionError';
}

const ENCODING = 'encoding';
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const encodingOf = (name: string) => ({ [ENCODING]: utf8.encode(name) });

export function toPayload(value: unknown): WirePayload {
  if (value === undefined) return { metadata: encodingOf('binary/null') };
  if (value instanceof Uint8Array) return { metadata: encodingOf('binary/plain'), data: value };
  let json: string | undefined;
  let cause: unknown;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    cause = error;
  }
  if (json === undefined) {
    // The SDK's words (it names the value; the type is enough and leaks nothing).
    throw new PayloadConversionError(`Unable to convert a ${typeof value} to payload`, { cause });
  }
  return { metadata: encodingOf('json/plain'), data: utf8.encode(json) };
}

export function fromPayload(payload: WirePayload): unknown {
  const encoding = payload.metadata?.[ENCODING];
  const name = encoding ? fromUtf8.decode(encoding) : undefined;
  switch (name) {
    case 'binary/null':
      return undefined;
    case 'binary/plain':
      return payload.data ?? new Uint8Array();
    case 'json/plain':
      if (!payload.data) throw new PayloadConversionError('Got payload with no data');
      return JSON.parse(fromUtf8.decode(payload.data)) as unknown;
    default:
      throw new PayloadConversionError(`Unknown payload encoding: ${name ?? '(none)'}.`);
  }
}
