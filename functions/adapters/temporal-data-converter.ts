/**
 * The lean client's data converter: values ↔ payloads as `@temporalio/common`'s default payload
 * converter writes them (temporal-wire/payloads.ts), then the team's payload codecs, in the SDK's
 * order — outbound every codec in turn, inbound the codecs in reverse — so a worker configured with
 * the same codecs (`dataConverter: { payloadCodecs }`) reads what the gateway sends and the reverse.
 *
 * Like the SDK's client, the codecs run on arguments and results, not on the Temporal header: the
 * SDK passes `header.fields` as the interceptors made them and its worker decodes activations with
 * `skipHeaders: true` (@temporalio/client workflow-client.ts, @temporalio/worker
 * workflow-codec-runner.ts), so the event-id header stays readable to the dedupe interceptor.
 */
import type { PayloadCodec, SerializationContext } from '@temporalio/common';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { EventGatewayError } from '../../contract/errors';
import { fromPayload, toPayload } from './temporal-wire/payloads';
import type { WirePayload, WirePayloads } from './temporal-wire/types';

/**
 * A payload codec failed (KMS unavailable, the key refused, a payload it cannot decode). `retryable`
 * is the codec's own verdict (the built-in codec's `KmsUnavailableError`); the gateway treats every
 * codec failure as transient all the same — it never acknowledges an event it could not encode, and
 * a refused key is a misconfiguration the sender's retry outlives once fixed — and logs the others
 * as errors. The codec's error is the `cause`.
 */
export class PayloadCodecError extends EventGatewayError {
  override readonly name = 'PayloadCodecError';
  readonly retryable: boolean;

  constructor(direction: 'encode' | 'decode', cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`The payload codec could not ${direction} the payloads: ${reason}`, { cause });
    this.retryable = (cause as { retryable?: unknown } | null)?.retryable === true;
  }
}

export interface TemporalDataConverter {
  /** Whether any codec runs (a payload may then need KMS or the like, and can fail transiently). */
  readonly encodes: boolean;
  /** Values → payloads: the payload converter, then every codec in order. */
  toPayloads(values: readonly unknown[], workflowId?: string): Promise<WirePayloads>;
  /** The first payload's value (null when none): every codec in reverse, then the converter. */
  fromPayloads(payloads: WirePayloads | null | undefined, workflowId?: string): Promise<unknown>;
}

/**
 * A data converter running `codecs` for `namespace` (the serialization context the SDK passes to
 * codecs names the namespace and the workflow: the built-in codec names them in its errors).
 */
export function createDataConverter(
  namespace: string,
  codecs: readonly PayloadCodec[] = [],
): TemporalDataConverter {
  const context = (workflowId: string | undefined): SerializationContext | undefined =>
    workflowId === undefined ? undefined : { type: 'workflow', namespace, workflowId };
  return {
    encodes: codecs.length > 0,
    async toPayloads(values, workflowId) {
      // A value the converter refuses throws PayloadConversionError: the event's fault, not the codec's.
      let payloads: WirePayload[] = values.map(toPayload);
      try {
        for (const codec of codecs) payloads = await codec.encode(payloads, context(workflowId));
      } catch (error) {
        throw new PayloadCodecError('encode', error);
      }
      return { payloads };
    },
    async fromPayloads(wire, workflowId) {
      const first = wire?.payloads?.[0];
      if (!first) return null;
      let payloads: WirePayload[] = [first];
      try {
        for (const codec of [...codecs].reverse())
          payloads = await codec.decode(payloads, context(workflowId));
      } catch (error) {
        throw new PayloadCodecError('decode', error);
      }
      return fromPayload(payloads[0]!);
    },
  };
}

/**
 * The payload codecs the environment configures, built once per process at cold start without a
 * KMS call: the built-in {@link KmsEncryptionCodec} when `EVENT_GATEWAY_PAYLOAD_KMS_KEY_ID` is set
 * (against `EVENT_GATEWAY_KMS_ENDPOINT` when set: the local emulator), none otherwise. The codec and
 * the KMS client are imported only then: a gateway without encryption never loads them.
 */
export async function loadPayloadCodecs(env: Record<string, string | undefined>): Promise<PayloadCodec[]> {
  const keyId = env[PAYLOAD_ENV.kmsKeyId]?.trim();
  if (!keyId) return [];
  const endpoint = env[PAYLOAD_ENV.kmsEndpoint]?.trim();
  const [{ KmsEncryptionCodec }, { KMSClient }] = await Promise.all([
    import('../../payloads/kms-encryption-codec'),
    import('@aws-sdk/client-kms'),
  ]);
  return [new KmsEncryptionCodec({ keyId, ...(endpoint ? { kms: new KMSClient({ endpoint }) } : {}) })];
}
