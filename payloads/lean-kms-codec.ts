/**
 * The built-in codec and the lean KMS client it uses in the gateway's functions, as one module: the
 * functions load it with one `import()` (adapters/temporal-data-converter.ts), so their bundle puts
 * both in one chunk instead of three — every file a cold start loads costs its read, its source map
 * (`--enable-source-maps`) and its own module record.
 */
export { KmsEncryptionCodec } from './kms-encryption-codec';
export { LeanKmsClient } from './kms-json-client';
