/**
 * The built-in payload encryption: a Temporal `PayloadCodec` doing AES-256-GCM with `node:crypto`
 * under KMS envelope keys. The same class runs in the gateway's Lambdas, the worker, the CLI and
 * the codec server, so a payload one writes the others read. docs/payload-encryption.md gives the
 * format byte by byte for workers in other languages.
 */
import { createDecipheriv } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import {
  describePayload,
  KmsUnavailableError,
  PayloadCorruptedError,
  PayloadKeyRejectedError,
  PayloadEncryptionConfigError,
  UnsupportedPayloadFormatError,
} from './errors';
import { GCM_ALGORITHM, GCM_OPTIONS, GcmReadyCiphers } from './gcm-ready-ciphers';
import { kmsClientOf } from './kms-client';
import type { KmsDataKeyClient } from './kms-operations';
import { KmsDataKeys, type DataKey } from './kms-data-keys';
import { decodePayloadProto, encodePayloadProto } from './payload-proto';
import {
  ENCRYPTED_ENCODING,
  ENCRYPTED_PAYLOAD_METADATA as META,
  KMS_AES_256_GCM_V1,
  NONCE_BYTES,
  TAG_BYTES,
  V1_ADDITIONAL_DATA,
} from './wire-format';
import { problemList } from '../contract/errors';

export interface KmsEncryptionCodecOptions {
  /** The KMS key that encrypts new data keys: a key id, key ARN, alias name or alias ARN. */
  readonly keyId: string;
  /**
   * The KMS client: the SDK's `KMSClient`, or a {@link KmsDataKeyClient} such as `LeanKmsClient`.
   * Constructing the codec makes no KMS call, so a cold start pays for none until the first payload.
   * @default in a Lambda function (credentials and region in the environment) the lean JSON client
   * (kms-json-client.ts), which loads no SDK; elsewhere `new KMSClient({})`, imported on the first call
   */
  readonly kms?: KMSClient | KmsDataKeyClient;
  /** How long one data key encrypts new payloads. @default 300_000 (5 minutes) */
  readonly dataKeyMaxAgeMs?: number;
  /** How many payloads one data key encrypts (at most 2^32, GCM's bound for random nonces). @default 10_000 */
  readonly dataKeyMaxUses?: number;
  /** How many decrypted data keys to keep, least recently used dropped first. @default 1_000 */
  readonly decryptedKeyCacheSize?: number;
  /** The clock of the data key's lifetime, in milliseconds. @default Date.now */
  readonly now?: () => number;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * Encrypts every payload with AES-256-GCM under a KMS data key; decrypts the ones it (or a worker
 * in another language following the same format) wrote, under whichever KMS key and data key wrote
 * them, and passes every other payload through unchanged.
 *
 * @example
 * ```ts
 * const codec = new KmsEncryptionCodec({ keyId: 'alias/temporal-payloads' });
 * const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
 * ```
 */
export class KmsEncryptionCodec implements PayloadCodec {
  private readonly keys: KmsDataKeys;
  /** Ciphers set up ahead for the current data key, a nonce each (gcm-ready-ciphers.ts). */
  private readonly ciphers = new GcmReadyCiphers(V1_ADDITIONAL_DATA);

  constructor(options: KmsEncryptionCodecOptions) {
    const limits = {
      maxAgeMs: options.dataKeyMaxAgeMs ?? 300_000,
      maxUses: options.dataKeyMaxUses ?? 10_000,
      decryptedKeyCacheSize: options.decryptedKeyCacheSize ?? 1_000,
      now: options.now ?? Date.now,
    };
    const problems = [
      ...(options.keyId.trim() ? [] : ['keyId is empty: name the KMS key that encrypts payloads']),
      ...positiveInteger('dataKeyMaxAgeMs', limits.maxAgeMs, Number.MAX_SAFE_INTEGER),
      ...positiveInteger('dataKeyMaxUses', limits.maxUses, 2 ** 32),
      ...positiveInteger('decryptedKeyCacheSize', limits.decryptedKeyCacheSize, Number.MAX_SAFE_INTEGER),
    ];
    if (problems.length > 0) {
      throw new PayloadEncryptionConfigError(
        problemList('The payload encryption codec cannot start', problems),
        {
          problems,
        },
      );
    }
    this.keys = new KmsDataKeys(kmsClientOf(options.kms), options.keyId, limits);
  }

  /** Encrypts each payload whole (metadata included) into a `binary/encrypted` payload. */
  encode(payloads: Payload[], _context?: SerializationContext): Promise<Payload[]> {
    // Not an async function: while the data key is within its limits (every payload but the first
    // and those at a renewal) the work is synchronous and the answer one resolved promise, with no
    // async function's frame and turns on a path every signal takes.
    const encrypted: Payload[] = [];
    try {
      for (const payload of payloads) {
        const key = this.keys.reserve();
        if (key === undefined) return this.encodeWaitingForKeys(payloads, encrypted);
        encrypted.push(this.encrypt(payload, key));
      }
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what encrypt threw, as the async function rejected with it
      return Promise.reject(error);
    }
    return Promise.resolve(encrypted);
  }

  /** The rest of {@link encode} from the first payload that needs a new data key (KMS). */
  private async encodeWaitingForKeys(payloads: Payload[], encrypted: Payload[]): Promise<Payload[]> {
    for (const payload of payloads.slice(encrypted.length))
      encrypted.push(this.encrypt(payload, this.keys.reserve() ?? (await this.keys.forEncryption())));
    return encrypted;
  }

  /** Decrypts the payloads of this format; passes every other payload through unchanged. */
  decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload, index) =>
        this.isOurs(payload)
          ? this.decrypt(payload, describePayload(index, payloads.length, context))
          : payload,
      ),
    );
  }

  private encrypt(payload: Payload, key: DataKey): Payload {
    const plaintext = encodePayloadProto(payload);
    // nonce ‖ ciphertext ‖ tag written into one buffer (GCM's ciphertext is as long as the plaintext).
    const data = Buffer.allocUnsafe(NONCE_BYTES + plaintext.length + TAG_BYTES);
    const { cipher, nonce } = this.ciphers.take(key.secret);
    data.set(nonce, 0);
    // TypedArray#set, not Buffer#copy: a V8 builtin rather than a call through Node's copy helpers.
    const ciphertext = cipher.update(plaintext);
    data.set(ciphertext, NONCE_BYTES);
    const rest = cipher.final(); // GCM: empty, as the ciphertext is as long as the plaintext
    if (rest.length > 0) data.set(rest, NONCE_BYTES + ciphertext.length);
    data.set(cipher.getAuthTag(), data.length - TAG_BYTES);
    return { metadata: { ...encryptedMetadataOf(key) }, data };
  }

  /**
   * `binary/encrypted` with an `encryption-format`: this codec's family. Another codec's
   * `binary/encrypted` (no format key) is left to that codec, later in the chain.
   */
  private isOurs(payload: Payload): boolean {
    const metadata = payload.metadata ?? {};
    const encoding = metadata[META.encoding];
    return (
      encoding !== undefined &&
      encoding !== null &&
      fromUtf8.decode(encoding) === ENCRYPTED_ENCODING &&
      metadata[META.format] != null
    );
  }

  private async decrypt(payload: Payload, which: string): Promise<Payload> {
    const metadata = payload.metadata ?? {};
    const keyIdBytes = metadata[META.keyId];
    const keyId = keyIdBytes ? fromUtf8.decode(keyIdBytes) : undefined;
    const format = fromUtf8.decode(metadata[META.format] ?? new Uint8Array());
    if (format !== KMS_AES_256_GCM_V1) {
      throw new UnsupportedPayloadFormatError(
        `${which} is encrypted in format ${JSON.stringify(format)}${keyId ? ` under key ${keyId}` : ''}; ` +
          `this codec reads ${KMS_AES_256_GCM_V1} only (a newer writer? upgrade this reader).`,
        keyId ? { keyId } : {},
      );
    }
    const dataKey = metadata[META.dataKey];
    const data = payload.data ?? new Uint8Array();
    if (!keyId || !dataKey?.length || data.length < NONCE_BYTES + TAG_BYTES) {
      const missing = !keyId ? META.keyId : !dataKey?.length ? META.dataKey : `data (${data.length} bytes)`;
      throw new PayloadCorruptedError(
        `${which} is damaged: its ${missing} is missing or too short${keyId ? ` (key ${keyId})` : ''}.`,
        keyId ? { keyId } : {},
      );
    }
    const key = await this.keys.forDecryption(keyId, dataKey).catch((error: unknown) => {
      throw namingPayload(error, which);
    });
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv(GCM_ALGORITHM, key, data.subarray(0, NONCE_BYTES), GCM_OPTIONS);
      decipher.setAAD(V1_ADDITIONAL_DATA);
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      plaintext = Buffer.concat([
        decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (cause) {
      throw new PayloadCorruptedError(
        `${which} does not authenticate under its data key of key ${keyId}: its ciphertext or tag is corrupted.`,
        { cause, keyId },
      );
    }
    try {
      return decodePayloadProto(plaintext);
    } catch (cause) {
      throw new PayloadCorruptedError(
        `${which} decrypted under key ${keyId} to bytes that are not a Payload.`,
        {
          cause,
          keyId,
        },
      );
    }
  }
}

const ENCODING_BYTES = utf8.encode(ENCRYPTED_ENCODING);
const FORMAT_BYTES = utf8.encode(KMS_AES_256_GCM_V1);
/** Each data key's metadata, encoded once for every payload it encrypts (its key id's bytes above all). */
const metadataByKey = new WeakMap<DataKey, Readonly<Record<string, Uint8Array>>>();

function encryptedMetadataOf(key: DataKey): Readonly<Record<string, Uint8Array>> {
  let metadata = metadataByKey.get(key);
  if (!metadata) {
    metadata = {
      [META.encoding]: ENCODING_BYTES,
      [META.format]: FORMAT_BYTES,
      [META.keyId]: utf8.encode(key.keyId),
      [META.dataKey]: key.encrypted,
    };
    metadataByKey.set(key, metadata);
  }
  return metadata;
}

function positiveInteger(name: string, value: number, max: number): string[] {
  return Number.isInteger(value) && value > 0 && value <= max
    ? []
    : [`${name} must be a whole number from 1 to ${max}; got ${value}`];
}

/**
 * KMS's verdict on a data key, said of the payload that needed it: a worker's failed workflow task
 * (or the codec server's problem) then names the payload and workflow as well as the key.
 */
function namingPayload(error: unknown, which: string): unknown {
  const options = (keyed: { keyId: string | undefined }) => ({
    cause: keyed,
    ...(keyed.keyId ? { keyId: keyed.keyId } : {}),
  });
  if (error instanceof KmsUnavailableError)
    return new KmsUnavailableError(`${which}: ${error.message}`, options(error));
  if (error instanceof PayloadKeyRejectedError)
    return new PayloadKeyRejectedError(`${which}: ${error.message}`, options(error));
  return error;
}
