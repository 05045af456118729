/**
 * AES-256-GCM ciphers set up ahead for one data key, a batch at a time, each with a fresh random
 * nonce of its own and the format's AAD already given. Why: `createCipheriv` (OpenSSL fetching the
 * cipher from its provider, allocating the context, scheduling the key) costs ~1.5 µs in a tight
 * loop but ~10 µs when a busy gateway does it once per signal, its code and tables evicted from the
 * CPU's caches by everything else a signal runs (docs/benchmarks.md, payload encryption). Set up in
 * one pass, a batch pays the warm price. Nothing else changes: one cipher and its nonce encrypt
 * exactly one payload, and a batch never outlives its data key.
 */
import { createCipheriv, randomFillSync, type CipherGCM, type KeyObject } from 'node:crypto';
import { NONCE_BYTES, TAG_BYTES } from './wire-format';

/** A cipher that has encrypted nothing yet, and the nonce it was set up with. */
export interface ReadyCipher {
  readonly cipher: CipherGCM;
  readonly nonce: Uint8Array;
}

/** node:crypto's name of the format's cipher, and its options (the full 128-bit tag): for deciphers too. */
export const GCM_ALGORITHM = 'aes-256-gcm';
export const GCM_OPTIONS = { authTagLength: TAG_BYTES } as const;

/** The ready ciphers of the data key in use; those of a previous key are dropped unused. */
export class GcmReadyCiphers {
  private key: KeyObject | undefined;
  private ready: ReadyCipher[] = [];

  /**
   * @param additionalData the AAD every cipher authenticates (the format's)
   * @param batchSize how many ciphers one set-up pass makes: memory (~1 KiB of OpenSSL context
   *   each) against how often the cold pass recurs
   */
  constructor(
    private readonly additionalData: Uint8Array,
    private readonly batchSize = 16,
  ) {}

  /** A cipher under `key` that no payload has used, with its nonce; it must encrypt one payload only. */
  take(key: KeyObject): ReadyCipher {
    if (key !== this.key) {
      this.key = key;
      this.ready = [];
      // A new key's first payload sets up its own cipher only: on a cold start it is the first
      // signal's, which would otherwise pay for the whole batch (~0.5 ms of CPU in a fresh process).
      return this.setUp(key, 1);
    }
    return this.ready.pop() ?? this.setUp(key, this.batchSize);
  }

  /** `count` ciphers under `key`, nonces drawn from OpenSSL's CSPRNG in one call; the first of them taken. */
  private setUp(key: KeyObject, count: number): ReadyCipher {
    const nonces = randomFillSync(Buffer.allocUnsafe(NONCE_BYTES * count));
    for (let at = 0; at < nonces.length; at += NONCE_BYTES) {
      const nonce = nonces.subarray(at, at + NONCE_BYTES);
      const cipher = createCipheriv(GCM_ALGORITHM, key, nonce, GCM_OPTIONS);
      cipher.setAAD(this.additionalData);
      this.ready.push({ cipher, nonce });
    }
    return this.ready.pop()!;
  }
}
