/**
 * The payload data converter's props (issue 28), shared by `TemporalEventGateway` and
 * `TemporalWorkerService`: both sides must encrypt with the same KMS key and offload to the same
 * bucket, so each construct takes the same declarations — and the same validation.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Temporal's own default threshold (the SDK's `ExternalStorage` offloads from 256 KiB). */
export const DEFAULT_LARGE_PAYLOAD_THRESHOLD_BYTES = 256 * 1024;
/** A threshold below 1 KiB would send nearly every payload to S3 (one PUT per signal). */
export const MIN_LARGE_PAYLOAD_THRESHOLD_BYTES = 1024;
/** Temporal rejects a payload above 2 MiB by default: a higher threshold would never offload in time. */
export const MAX_LARGE_PAYLOAD_THRESHOLD_BYTES = 2 * 1024 * 1024;

/** The built-in AES-256-GCM codec's KMS key (docs/payload-encryption.md). */
export interface PayloadEncryptionProps {
  /**
   * A symmetric KMS key. Give the worker and the gateway the same key: each side decrypts what the
   * other encrypted (signals in, query and update results out).
   * @default - a key with automatic rotation, kept when the stack is deleted (histories outlive it)
   */
  readonly key?: kms.IKey;
}

/**
 * A team's own payload codec module (payloads/codec-module.ts): its default export is a Temporal
 * `PayloadCodec`, an array of them, a codec class or a factory of them. The gateway runs it before
 * the built-in encryption on encode, as `runWorker({ payloadCodecs })` does with the same export.
 */
export interface PayloadCodecProps {
  /**
   * The module's file (TypeScript or JavaScript), e.g. `codec/index.ts`; relative paths against the
   * current directory, as `cdk synth` runs in the app's. Bundled at synth with the project's esbuild
   * (`npm i -D esbuild`, never Docker) into `team-codec.mjs` beside each function's handler, which
   * imports it at cold start. Everything it imports is bundled in.
   */
  readonly entry: string;
}

/** Temporal's external storage for payloads above a threshold (docs/large-payloads.md). */
export interface LargePayloadsProps {
  /**
   * The bucket; give the worker and the gateway the same one.
   * @default - a bucket: KMS-encrypted, TLS only, public access blocked, objects expiring after `retention`
   */
  readonly bucket?: s3.IBucket;
  /**
   * Payloads of at least this protobuf size go to the bucket (1 KiB to 2 MiB).
   * @default 262144 (256 KiB, the SDK's default)
   */
  readonly thresholdBytes?: number;
  /**
   * How long an offloaded payload must stay readable: **the longest workflow run plus the
   * namespace's retention period**, in whole days. Temporal never deletes the objects it
   * references; a created bucket's lifecycle rule expires them after this long, and an object
   * expiring earlier breaks the replay and the history view of a workflow still referencing it.
   */
  readonly retention: Duration;
}

/** The payload props as the validations read them. */
export interface PayloadPropsToValidate {
  readonly largePayloads?: LargePayloadsProps;
  readonly payloadCodec?: PayloadCodecProps;
}

/** The problem of `payloadCodec`, if any: the entry must be a file that exists. */
export function payloadCodecProblems(props: PayloadPropsToValidate): string[] {
  if (props.payloadCodec === undefined) return [];
  // Untyped callers (JavaScript, JSON-built props) can leave it out or give something else.
  const entry = props.payloadCodec.entry as unknown;
  if (typeof entry !== 'string' || entry.trim() === '') {
    return ['payloadCodec.entry: must name the codec module file, e.g. codec/index.ts'];
  }
  return existsSync(resolve(entry)) ? [] : [`payloadCodec.entry: ${resolve(entry)} does not exist`];
}

/** Every problem of `largePayloads`, as `largePayloads.<prop>: <message>` lines (none: valid). */
export function largePayloadsProblems(props: PayloadPropsToValidate): string[] {
  const large = props.largePayloads;
  if (large === undefined) return [];
  const problems: string[] = [];
  const threshold = large.thresholdBytes;
  if (
    threshold !== undefined &&
    (!Number.isInteger(threshold) ||
      threshold < MIN_LARGE_PAYLOAD_THRESHOLD_BYTES ||
      threshold > MAX_LARGE_PAYLOAD_THRESHOLD_BYTES)
  ) {
    problems.push(
      `largePayloads.thresholdBytes: must be a whole number from ${MIN_LARGE_PAYLOAD_THRESHOLD_BYTES} ` +
        `to ${MAX_LARGE_PAYLOAD_THRESHOLD_BYTES} (got ${threshold})`,
    );
  }
  // Untyped callers (JavaScript, JSON-built props) can leave it out; the bucket would then keep
  // objects forever or lose them early, so it is never guessed.
  if ((large.retention as Duration | undefined) === undefined) {
    problems.push(
      'largePayloads.retention: is required: the longest workflow run plus the namespace retention ' +
        '(Temporal never deletes offloaded payloads; the bucket expires them after this)',
    );
  } else {
    const days = large.retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1) {
      problems.push(`largePayloads.retention: must be a whole number of days, at least 1 (got ${days})`);
    }
  }
  return problems;
}
