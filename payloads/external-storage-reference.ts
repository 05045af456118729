/**
 * Temporal's external storage reference (`temporal.api.sdk.v1.ExternalStorageReference`), written
 * and read byte for byte as `@temporalio/common` 1.24 does (`internal-non-workflow/extstore-helpers`)
 * but without loading `@temporalio/proto` or protobufjs: the gateway's Lambdas write references that
 * a worker's `ExternalStorage` resolves, and a Lambda cold start should not pay for reflection.
 * docs/large-payloads.md describes the format; the tests hold it to the SDK's own reader.
 */
import type { Payload } from '@temporalio/common';
import { EventGatewayError } from '../contract/errors';

/** `encoding` of a reference: Temporal's protobuf-JSON payload encoding. */
export const REFERENCE_ENCODING = 'json/protobuf';
/** `messageType` of a reference. */
export const REFERENCE_MESSAGE_TYPE = 'temporal.api.sdk.v1.ExternalStorageReference';

/** What a reference says: which driver stored the payload, where, and how large it was. */
export interface StorageReference {
  /** The driver's per-instance name (`aws.s3driver` for Temporal's S3 driver). */
  readonly driverName: string;
  /** The driver's claim: for S3, `bucket`, `key`, `hashAlgorithm` and `hashValue`. */
  readonly claimData: Readonly<Record<string, string>>;
  /** Size of the stored payload's protobuf bytes (`Payload.external_payloads[0].size_bytes`). */
  readonly sizeBytes: number;
}

/** A payload that claims to be a reference but cannot be read as one. */
export class StorageReferenceError extends EventGatewayError {
  override readonly name = 'StorageReferenceError';
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

const metadataText = (payload: Payload, key: string): string | undefined => {
  const value = payload.metadata?.[key];
  return value ? fromUtf8.decode(value) : undefined;
};

/** Whether the payload is a reference (both metadata keys, as the SDK's `isReferencePayload` checks). */
export function isReferencePayload(payload: Payload): boolean {
  return (
    metadataText(payload, 'encoding') === REFERENCE_ENCODING &&
    metadataText(payload, 'messageType') === REFERENCE_MESSAGE_TYPE
  );
}

/**
 * The reference payload: metadata `encoding` and `messageType`, `data` the message in proto3 JSON
 * (`{"driverName":…,"claimData":{…}}`, the order and spelling protobufjs's `toJson` writes), and
 * `externalPayloads: [{ sizeBytes }]`.
 */
export function encodeReferencePayload(reference: StorageReference): Payload {
  const json = JSON.stringify({ driverName: reference.driverName, claimData: { ...reference.claimData } });
  return {
    metadata: {
      encoding: utf8.encode(REFERENCE_ENCODING),
      messageType: utf8.encode(REFERENCE_MESSAGE_TYPE),
    },
    data: utf8.encode(json),
    // The SDK types sizes as Long; a number reads the same to its `readSizeBytes` and to protobufjs.
    externalPayloads: [{ sizeBytes: reference.sizeBytes as never }],
  };
}

/** The reference a reference payload holds; throws {@link StorageReferenceError} when it is malformed. */
export function decodeReferencePayload(payload: Payload): StorageReference {
  if (!isReferencePayload(payload))
    throw new StorageReferenceError('The payload is not an external storage reference.');
  let message: unknown;
  try {
    message = JSON.parse(fromUtf8.decode(payload.data ?? new Uint8Array()));
  } catch (cause) {
    throw new StorageReferenceError('The external storage reference is not JSON.', { cause });
  }
  // proto3 JSON readers accept the field's original name too (driver_name, claim_data).
  const fields = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
  const driverName = fields.driverName ?? fields.driver_name;
  const claimData = fields.claimData ?? fields.claim_data ?? {};
  if (typeof driverName !== 'string' || driverName === '') {
    throw new StorageReferenceError(
      "The external storage reference's 'driverName' must be a non-empty string.",
    );
  }
  if (typeof claimData !== 'object' || claimData === null || Array.isArray(claimData)) {
    throw new StorageReferenceError("The external storage reference's 'claimData' must be a map of strings.");
  }
  const claims = Object.entries(claimData as Record<string, unknown>);
  if (claims.some(([, value]) => typeof value !== 'string')) {
    throw new StorageReferenceError("The external storage reference's 'claimData' must be a map of strings.");
  }
  const size = payload.externalPayloads?.[0]?.sizeBytes;
  return {
    driverName,
    claimData: Object.fromEntries(claims) as Record<string, string>,
    sizeBytes: size == null ? 0 : Number(size.toString()),
  };
}
