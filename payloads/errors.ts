/**
 * What can go wrong encoding or decoding an encrypted payload, one class per thing a caller does
 * about it: retry later ({@link KmsUnavailableError}), fix the key or its grants
 * ({@link PayloadKeyRejectedError}), or give up on the bytes ({@link PayloadCorruptedError},
 * {@link UnsupportedPayloadFormatError}). Each names the payload and the KMS key.
 */
import type { SerializationContext } from '@temporalio/common';
import { EventGatewayError, type EventGatewayErrorOptions } from '../contract/errors';

/** The base of every encoding or decoding failure of the encryption codec. */
export class PayloadEncryptionError extends EventGatewayError {
  override readonly name: string = 'PayloadEncryptionError';

  /** The KMS key involved, when known (a payload's `encryption-key-id`, or the codec's own key). */
  readonly keyId: string | undefined;
  /**
   * Whether the same call may succeed later unchanged (KMS throttled or unreachable): the gateway
   * queues or answers 503 with Retry-After; the worker fails the workflow task, which Temporal retries.
   */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: EventGatewayErrorOptions & { readonly keyId?: string; readonly retryable?: boolean } = {},
  ) {
    super(message, options);
    this.keyId = options.keyId;
    this.retryable = options.retryable ?? false;
  }
}

/** KMS refused the key or the data key: unknown, disabled, not granted, or a data key from another key. */
export class PayloadKeyRejectedError extends PayloadEncryptionError {
  override readonly name = 'PayloadKeyRejectedError';
}

/** KMS was throttled, unreachable or failing: the same payload can be encoded or decoded later. */
export class KmsUnavailableError extends PayloadEncryptionError {
  override readonly name = 'KmsUnavailableError';

  constructor(message: string, options: EventGatewayErrorOptions & { readonly keyId?: string } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/**
 * The payload's bytes are not what the codec wrote: its authentication tag does not verify, its
 * metadata or layout is damaged. Nothing of it is decoded.
 */
export class PayloadCorruptedError extends PayloadEncryptionError {
  override readonly name = 'PayloadCorruptedError';
}

/** The payload names an encryption format this codec does not know (a newer writer's, say). */
export class UnsupportedPayloadFormatError extends PayloadEncryptionError {
  override readonly name = 'UnsupportedPayloadFormatError';
}

/** The codec's options are unusable; every problem is listed at once. */
export class PayloadEncryptionConfigError extends EventGatewayError {
  override readonly name = 'PayloadEncryptionConfigError';
}

/** "payload 2 of 3 of workflow order-42" — which payload a message is about. */
export function describePayload(index: number, count: number, context?: SerializationContext): string {
  const position = `payload ${index + 1} of ${count}`;
  if (!context) return position;
  if (context.type === 'workflow') return `${position} of workflow ${context.workflowId}`;
  const activity = context.activityId ? `activity ${context.activityId}` : 'an activity';
  return context.workflowId
    ? `${position} of ${activity} of workflow ${context.workflowId}`
    : `${position} of ${activity}`;
}
