/**
 * The names and sizes of the encrypted payload format, defined once: they are written into workflow
 * histories and read by workers in other languages (docs/payload-encryption.md describes the format
 * byte by byte). Never rename or resize one: old histories would stop decoding.
 */

/** Metadata keys of an encrypted payload (their values are UTF-8, except the encrypted data key). */
export const ENCRYPTED_PAYLOAD_METADATA = {
  /** Temporal's own key: which converter or codec reads the payload. */
  encoding: 'encoding',
  /** Which cipher and layout `data` uses, with its version. */
  format: 'encryption-format',
  /** The KMS key (its ARN, as KMS names it) that encrypted the data key. */
  keyId: 'encryption-key-id',
  /** The data key as KMS encrypted it (`CiphertextBlob`), raw bytes. */
  dataKey: 'encryption-data-key',
} as const;

/** The `encoding` of every encrypted payload, as Temporal's samples in every SDK name it. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';

/** Version 1: AES-256-GCM with a KMS data key; `data` = nonce ‖ ciphertext ‖ tag. */
export const KMS_AES_256_GCM_V1 = 'kms-aes256gcm/v1';

/**
 * The additional authenticated data of version 1: the format name itself, so a ciphertext cannot be
 * passed off under another format.
 */
export const V1_ADDITIONAL_DATA: Uint8Array = new TextEncoder().encode(KMS_AES_256_GCM_V1);

/**
 * The KMS encryption context of every data key: Decrypt must repeat it, and a key policy can
 * require it (`kms:EncryptionContext:temporal-payload-format`), so the key serves this format only.
 */
export const KMS_ENCRYPTION_CONTEXT: Readonly<Record<string, string>> = {
  'temporal-payload-format': KMS_AES_256_GCM_V1,
};

/** GCM's recommended 96-bit nonce, random per payload. */
export const NONCE_BYTES = 12;
/** The full 128-bit GCM authentication tag. */
export const TAG_BYTES = 16;
/** AES-256. */
export const DATA_KEY_BYTES = 32;
