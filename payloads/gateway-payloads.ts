/**
 * What the gateway's functions load of payloads/, as one module: the built-in codec with the lean KMS
 * client it uses there, and the large payload store. The functions import it with `import()`
 * (adapters/temporal-data-converter.ts), so their bundle puts all of it in one chunk — with the
 * payload proto both use — instead of one chunk each and a shared one: every file a cold start loads
 * costs its read, its source map (`--enable-source-maps`) and its own module record, ~1.5–2 ms of
 * CPU on the bench machine, against a few KiB more to parse for a function that uses only one of them.
 */
export { KmsEncryptionCodec } from './kms-encryption-codec';
export { LeanKmsClient } from './kms-json-client';
export { S3PayloadStore } from './s3-payload-store';
