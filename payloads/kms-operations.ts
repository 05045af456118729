/**
 * The two KMS operations the encryption codec needs, as one small interface that both KMS clients
 * serve: the AWS SDK's `KMSClient` (through kms-client.ts) and the lean JSON client
 * (kms-json-client.ts).
 */

/** What `GenerateDataKey` answers, the fields the codec reads. */
export interface GeneratedDataKey {
  readonly KeyId?: string | undefined;
  readonly Plaintext?: Uint8Array | undefined;
  readonly CiphertextBlob?: Uint8Array | undefined;
}

/**
 * KMS as the codec calls it: `GenerateDataKey` (AES_256) and `Decrypt`, both under an encryption
 * context. A failure is thrown as the client throws it; `kmsFailure` (kms-data-keys.ts) reads the
 * SDK's `$fault`, `$metadata` and `$retryable`, which the lean client's errors carry too.
 */
export interface KmsDataKeyClient {
  generateDataKey(input: {
    readonly KeyId: string;
    readonly EncryptionContext: Record<string, string>;
  }): Promise<GeneratedDataKey>;
  decrypt(input: {
    readonly KeyId: string;
    readonly CiphertextBlob: Uint8Array;
    readonly EncryptionContext: Record<string, string>;
  }): Promise<{ readonly Plaintext?: Uint8Array | undefined }>;
}
