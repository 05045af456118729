/**
 * The payload data converter shared by the gateway, the worker and the CLI: the built-in KMS
 * encryption codec, its errors and its wire format. Imports only `node:*`, `@temporalio/common`
 * (types), `@aws-sdk/client-kms` and the contract.
 */
export { KmsEncryptionCodec, type KmsEncryptionCodecOptions } from './kms-encryption-codec';
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
