/**
 * The payload data converter shared by the gateway, the worker and the CLI: the built-in KMS
 * encryption codec, its errors and its wire format; Temporal's external storage reference and the
 * S3 store that writes it where the SDK's `ExternalStorage` cannot run (docs/large-payloads.md).
 * Imports only `node:*`, `@temporalio/common` (types), `@aws-sdk/client-kms` and `@aws-sdk/client-s3`
 * (both on first use) and the contract.
 */
export { KmsEncryptionCodec, type KmsEncryptionCodecOptions } from './kms-encryption-codec';
export { type GeneratedDataKey, type KmsDataKeyClient } from './kms-operations';
export {
  KmsServiceError,
  KmsTimeoutError,
  LeanKmsClient,
  type KmsCredentials,
  type LeanKmsClientOptions,
} from './kms-json-client';
export {
  KmsUnavailableError,
  PayloadCorruptedError,
  PayloadEncryptionConfigError,
  PayloadEncryptionError,
  PayloadKeyRejectedError,
  UnsupportedPayloadFormatError,
} from './errors';
export {
  ENCRYPTED_ENCODING,
  ENCRYPTED_PAYLOAD_METADATA,
  KMS_AES_256_GCM_V1,
  KMS_ENCRYPTION_CONTEXT,
} from './wire-format';
export {
  decodeReferencePayload,
  encodeReferencePayload,
  isReferencePayload,
  REFERENCE_ENCODING,
  REFERENCE_MESSAGE_TYPE,
  StorageReferenceError,
  type StorageReference,
} from './external-storage-reference';
export {
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_THRESHOLD_BYTES,
  LargePayloadStoreError,
  S3_DRIVER_NAME,
  S3PayloadStore,
  s3PayloadKey,
  type PayloadStoreTarget,
  type S3PayloadStoreOptions,
} from './s3-payload-store';
