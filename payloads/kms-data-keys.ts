/**
 * The data keys of the encryption codec, and every KMS call it makes. Encoding uses one data key
 * from GenerateDataKey until it is too old or too used, then the next; decoding asks KMS to decrypt
 * each data key it meets once and remembers the answer in a bounded LRU, so a key rotated away
 * long ago still decodes its old histories and a hot one costs no KMS call per payload.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { KmsDataKeyClient } from './kms-operations';
import type { PayloadEncryptionError } from './errors';
import { KmsUnavailableError, PayloadKeyRejectedError } from './errors';
import { DATA_KEY_BYTES, KMS_ENCRYPTION_CONTEXT } from './wire-format';

/** A data key in both forms: plaintext for AES, encrypted for the payload's metadata. */
export interface DataKey {
  /** The KMS key that encrypted it: its ARN, as KMS answered. */
  readonly keyId: string;
  /** The plaintext as a KeyObject, made once per data key rather than once per payload. */
  readonly secret: KeyObject;
  readonly encrypted: Uint8Array;
}

export interface DataKeyLimits {
  readonly maxAgeMs: number;
  readonly maxUses: number;
  readonly decryptedKeyCacheSize: number;
  readonly now: () => number;
}

/** Errors KMS answers when the call may succeed unchanged later (its own `$retryable` aside). */
const THROTTLED = new Set(['ThrottlingException', 'LimitExceededException', 'TooManyRequestsException']);

/** What a KMS client's error says about its answer: the SDK's `KMSServiceException` and the lean client's `KmsServiceError` alike. */
interface KmsAnswerError {
  readonly name: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number | undefined };
  readonly $retryable?: { readonly throttling?: boolean | undefined } | undefined;
}

const isKmsAnswer = (error: unknown): error is KmsAnswerError =>
  error instanceof Error &&
  ((error as Partial<KmsAnswerError>).$fault === 'client' ||
    (error as Partial<KmsAnswerError>).$fault === 'server');

/**
 * A failed KMS call as the codec reports it. A client fault (unknown key, disabled, access denied,
 * a data key KMS cannot decrypt) is the key's problem; throttling, a server fault or no answer at
 * all (network, timeout) is KMS being unavailable. The client has already retried what it retries.
 */
export function kmsFailure(error: unknown, keyId: string, attempted: string): PayloadEncryptionError {
  const rejected =
    isKmsAnswer(error) &&
    error.$fault === 'client' &&
    !THROTTLED.has(error.name) &&
    error.$metadata?.httpStatusCode !== 429 &&
    !error.$retryable?.throttling;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return rejected
    ? new PayloadKeyRejectedError(`KMS rejected key ${keyId} when asked to ${attempted} (${reason}).`, {
        cause: error,
        keyId,
      })
    : new KmsUnavailableError(
        `KMS is unavailable to ${attempted} with key ${keyId} (${reason}); retry later.`,
        {
          cause: error,
          keyId,
        },
      );
}

/**
 * A decrypted key's cache entry: the KMS key and the encrypted data key itself (a few hundred bytes
 * of base64: cheaper per payload than hashing it, and a thousand of them are a few hundred KiB).
 */
const cacheKeyOf = (keyId: string, encrypted: Uint8Array): string =>
  `${keyId}\n${Buffer.from(encrypted.buffer, encrypted.byteOffset, encrypted.byteLength).toString('base64')}`;

/** The data keys of one process: the current encryption key and the decrypted keys it has seen. */
export class KmsDataKeys {
  private current: { readonly key: DataKey; readonly expiresAt: number; uses: number } | undefined;
  private generating: Promise<void> | undefined;
  /** Plaintext keys by key id and digest of the encrypted key; a Map iterates oldest first. */
  private readonly decrypted = new Map<string, KeyObject>();
  private readonly decrypting = new Map<string, Promise<KeyObject>>();

  constructor(
    private readonly kms: KmsDataKeyClient,
    private readonly keyId: string,
    private readonly limits: DataKeyLimits,
  ) {}

  /**
   * The current data key for one more payload while it is within its limits (the use counted), else
   * undefined: synchronous, so the usual encode costs no promise of its own.
   */
  reserve(): DataKey | undefined {
    const current = this.current;
    if (current && current.uses < this.limits.maxUses && this.limits.now() < current.expiresAt) {
      current.uses += 1;
      return current.key;
    }
    return undefined;
  }

  /** A data key for one more payload: the current one while within its limits, else a fresh one. */
  async forEncryption(): Promise<DataKey> {
    for (;;) {
      const reserved = this.reserve();
      if (reserved) return reserved;
      // Concurrent payloads wait for one GenerateDataKey rather than each asking for its own.
      this.generating ??= this.generate().finally(() => {
        this.generating = undefined;
      });
      await this.generating;
    }
  }

  /** The plaintext of a payload's data key: from the cache, else from KMS Decrypt (once per key). */
  async forDecryption(keyId: string, encrypted: Uint8Array): Promise<KeyObject> {
    const cacheKey = cacheKeyOf(keyId, encrypted);
    const cached = this.decrypted.get(cacheKey);
    if (cached) {
      this.remember(cacheKey, cached); // most recently used again
      return cached;
    }
    const inFlight = this.decrypting.get(cacheKey);
    if (inFlight) return inFlight;
    const decrypting = this.decrypt(keyId, encrypted)
      .then((plaintext) => {
        this.remember(cacheKey, plaintext);
        return plaintext;
      })
      .finally(() => this.decrypting.delete(cacheKey));
    this.decrypting.set(cacheKey, decrypting);
    return decrypting;
  }

  private async generate(): Promise<void> {
    let answer;
    try {
      answer = await this.kms.generateDataKey({
        KeyId: this.keyId,
        EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT },
      });
    } catch (error) {
      throw kmsFailure(error, this.keyId, 'generate a data key');
    }
    const { KeyId, Plaintext, CiphertextBlob } = answer;
    if (!KeyId || Plaintext?.length !== DATA_KEY_BYTES || !CiphertextBlob?.length) {
      throw new KmsUnavailableError(
        `KMS answered GenerateDataKey for key ${this.keyId} without a 256-bit key.`,
        {
          keyId: this.keyId,
        },
      );
    }
    const key: DataKey = { keyId: KeyId, secret: createSecretKey(Plaintext), encrypted: CiphertextBlob };
    this.current = { key, expiresAt: this.limits.now() + this.limits.maxAgeMs, uses: 0 };
    // Our own payloads then decode in this process without asking KMS.
    this.remember(cacheKeyOf(KeyId, CiphertextBlob), key.secret);
  }

  private async decrypt(keyId: string, encrypted: Uint8Array): Promise<KeyObject> {
    let answer;
    try {
      answer = await this.kms.decrypt({
        // Naming the key makes KMS refuse a data key that some other key encrypted.
        KeyId: keyId,
        CiphertextBlob: encrypted,
        EncryptionContext: { ...KMS_ENCRYPTION_CONTEXT },
      });
    } catch (error) {
      throw kmsFailure(error, keyId, 'decrypt a data key');
    }
    if (answer.Plaintext?.length !== DATA_KEY_BYTES) {
      throw new PayloadKeyRejectedError(
        `KMS decrypted a data key of key ${keyId} that is not a 256-bit key.`,
        {
          keyId,
        },
      );
    }
    return createSecretKey(answer.Plaintext);
  }

  private remember(cacheKey: string, plaintext: KeyObject): void {
    this.decrypted.delete(cacheKey);
    this.decrypted.set(cacheKey, plaintext);
    for (const oldest of this.decrypted.keys()) {
      if (this.decrypted.size <= this.limits.decryptedKeyCacheSize) break;
      this.decrypted.delete(oldest);
    }
  }
}
