/**
 * The lean client's data converter: values ↔ payloads as `@temporalio/common`'s default payload
 * converter writes them (temporal-wire/payloads.ts), then the team's payload codecs, then large
 * payloads to S3, in the SDK's order — outbound every codec in turn and then external storage,
 * inbound references resolved first and then the codecs in reverse (docs/large-payloads.md) — so a
 * worker configured with the same codecs and Temporal's S3 driver reads what the gateway sends and
 * the reverse. The SDK's `ExternalStorage` cannot run on this client (it walks `@temporalio/proto`
 * requests); `S3PayloadStore` writes the same objects and references.
 *
 * Like the SDK's client, the codecs run on arguments and results, not on the Temporal header: the
 * SDK passes `header.fields` as the interceptors made them and its worker decodes activations with
 * `skipHeaders: true` (@temporalio/client workflow-client.ts, @temporalio/worker
 * workflow-codec-runner.ts), so the event-id header stays readable to the dedupe interceptor.
 */
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { EventGatewayError } from '../../contract/errors';
import { localEmulatorAccess } from '../../contract/local-emulators';
import { isReferencePayload } from '../../payloads/external-storage-reference';
import { fromPayload, toPayload } from './temporal-wire/payloads';
import type { WirePayload, WirePayloads } from './temporal-wire/types';

/**
 * A payload codec or the large payload store failed (KMS or S3 unavailable, the key refused, a
 * payload it cannot decode). `retryable` is their own verdict (`KmsUnavailableError`, S3 busy); the
 * gateway treats every such failure as transient all the same — it never acknowledges an event it
 * could not encode, and a refused key is a misconfiguration the sender's retry outlives once fixed —
 * and logs the others as errors. The original error is the `cause`.
 */
export class PayloadCodecError extends EventGatewayError {
  override readonly name = 'PayloadCodecError';
  readonly retryable: boolean;

  constructor(what: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${what}: ${reason}`, { cause });
    this.retryable = (cause as { retryable?: unknown } | null)?.retryable === true;
  }
}

/** Where payloads at or above a threshold go (S3PayloadStore): offloaded after the codecs, resolved before. */
export interface LargePayloadStore {
  offload(
    payloads: readonly Payload[],
    target: { namespace: string; workflowId?: string; workflowType?: string },
    options?: { thresholdBytes?: number },
  ): Promise<Payload[]>;
  resolve(payloads: readonly Payload[]): Promise<Payload[]>;
}

export interface TemporalDataConverter {
  /** Whether any codec runs (a payload may then need KMS or the like, and can fail transiently). */
  readonly encodes: boolean;
  /** Whether large payloads go to a bucket (the HTTP paths then take bodies up to Lambda's limit). */
  readonly offloads: boolean;
  /**
   * Values → payloads: the payload converter, every codec in order, then the large ones to the store.
   * `workflowType` only when the call starts the workflow (it names the stored object, as the SDK's).
   */
  toPayloads(values: readonly unknown[], workflowId?: string, workflowType?: string): Promise<WirePayloads>;
  /** The first payload's value (null when none): references resolved, codecs in reverse, the converter. */
  fromPayloads(payloads: WirePayloads | null | undefined, workflowId?: string): Promise<unknown>;
  /**
   * One value as a stored reference whatever its size — converted, every codec, then written to the
   * store — for a queue message that must carry a reference, never the body (the SQS fallback, the
   * DLQ). Throws {@link PayloadCodecError} when no store is configured or it fails.
   */
  toStoredReference(value: unknown, workflowId?: string): Promise<WirePayload>;
  /** Payloads through every codec in order, not offloaded (the codec server's `/encode`). */
  encodePayloads(payloads: readonly WirePayload[]): Promise<WirePayload[]>;
  /**
   * Stored references resolved, then the codecs in reverse (the codec server's `/decode`). With
   * `resolveReferences: false` (its `?preserveStorageRefs=true`) a reference is answered as it is,
   * neither fetched nor given to a codec, as the SDK's payload handler does.
   */
  decodePayloads(
    payloads: readonly WirePayload[],
    options?: { resolveReferences?: boolean },
  ): Promise<WirePayload[]>;
}

/**
 * A data converter running `codecs` for `namespace` (the serialization context the SDK passes to
 * codecs names the namespace and the workflow: the built-in codec names them in its errors).
 */
export function createDataConverter(
  namespace: string,
  codecs: readonly PayloadCodec[] = [],
  store?: LargePayloadStore,
): TemporalDataConverter {
  const context = (workflowId: string | undefined): SerializationContext | undefined =>
    workflowId === undefined ? undefined : { type: 'workflow', namespace, workflowId };
  const decodeOrder = [...codecs].reverse();
  const converter: TemporalDataConverter = {
    encodes: codecs.length > 0,
    offloads: store !== undefined,
    async toPayloads(values, workflowId, workflowType) {
      // A value the converter refuses throws PayloadConversionError: the event's fault, not the codec's.
      let payloads: WirePayload[] = values.map(toPayload);
      // No values, no codec call (a signal-with-start's empty start arguments), as the SDK's
      // encodeToPayloads: a codec maps payloads one to one, so it has nothing to add.
      if (payloads.length === 0) return { payloads };
      try {
        for (const codec of codecs) payloads = await codec.encode(payloads, context(workflowId));
      } catch (error) {
        throw new PayloadCodecError('The payload codec could not encode the payloads', error);
      }
      if (!store) return { payloads };
      try {
        const target = {
          namespace,
          ...(workflowId ? { workflowId } : {}),
          ...(workflowType ? { workflowType } : {}),
        };
        return { payloads: await store.offload(payloads, target) };
      } catch (error) {
        throw new PayloadCodecError('The large payload store could not take the payloads', error);
      }
    },
    async fromPayloads(wire, workflowId) {
      const first = wire?.payloads?.[0];
      if (!first) return null;
      let payloads: WirePayload[] = [first];
      try {
        if (store) payloads = await store.resolve(payloads);
        for (const codec of decodeOrder) payloads = await codec.decode(payloads, context(workflowId));
      } catch (error) {
        throw new PayloadCodecError('The payload codec could not decode the payloads', error);
      }
      return fromPayload(payloads[0]!);
    },
    async toStoredReference(value, workflowId) {
      if (!store) {
        throw new PayloadCodecError(
          'The payload cannot be stored',
          new Error('no large payload store is configured (EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET)'),
        );
      }
      const { payloads } = await converter.toPayloads([value], workflowId);
      const [first] = payloads ?? [];
      if (first && isReferencePayload(first)) return first;
      // Under the threshold: stored all the same, the payload already through the codecs.
      try {
        const target = { namespace, ...(workflowId ? { workflowId } : {}) };
        const [stored] = await store.offload([first!], target, { thresholdBytes: 0 });
        return stored!;
      } catch (error) {
        throw new PayloadCodecError('The large payload store could not take the payloads', error);
      }
    },
    async encodePayloads(given) {
      let payloads = [...given];
      try {
        for (const codec of codecs) payloads = await codec.encode(payloads);
      } catch (error) {
        throw new PayloadCodecError('The payload codec could not encode the payloads', error);
      }
      return payloads;
    },
    async decodePayloads(given, options = {}) {
      const resolve = options.resolveReferences ?? true;
      const result = [...given];
      // References left as they are skip the codecs too: they are not bytes a codec wrote.
      const indexes = result.flatMap((payload, index) =>
        resolve || !isReferencePayload(payload) ? [index] : [],
      );
      let payloads = indexes.map((index) => result[index]!);
      try {
        if (store && resolve) payloads = await store.resolve(payloads);
        for (const codec of decodeOrder) payloads = await codec.decode(payloads);
      } catch (error) {
        throw new PayloadCodecError('The payload codec could not decode the payloads', error);
      }
      indexes.forEach((index, at) => (result[index] = payloads[at]!));
      return result;
    },
  };
  return converter;
}

/**
 * The payload codecs the environment configures, built once per process at cold start without a
 * KMS call, in encode order: the team's own module when `EVENT_GATEWAY_PAYLOAD_CODEC_MODULE` names
 * one (relative to the Lambda task root, where the construct bundles it), then the built-in
 * {@link KmsEncryptionCodec} when `EVENT_GATEWAY_PAYLOAD_KMS_KEY_ID` is set (against
 * `EVENT_GATEWAY_KMS_ENDPOINT` when set: the local emulator) — the worker's order, so each side
 * decodes the other's payloads. The codec is imported only then: a gateway without encryption
 * never loads it.
 */
export async function loadPayloadCodecs(env: Record<string, string | undefined>): Promise<PayloadCodec[]> {
  const teamModule = env[PAYLOAD_ENV.codecModule]?.trim();
  const [team, builtIn] = await Promise.all([
    teamModule
      ? import('../../payloads/codec-module').then(({ importPayloadCodecModule }) =>
          importPayloadCodecModule(teamModule, env.LAMBDA_TASK_ROOT ?? process.cwd()),
        )
      : [],
    loadBuiltInCodec(env),
  ]);
  return [...team, ...builtIn];
}

/**
 * The built-in codec. In Lambda (and against the local emulator) it calls KMS with its lean JSON
 * client (payloads/kms-json-client.ts), not the AWS SDK's, whose modules cost a cold start about
 * 40 ms (docs/benchmarks.md, payload encryption). Imported from payloads/gateway-payloads.ts, as the
 * large payload store is: one chunk of the bundle for both, and the payload proto they share.
 */
async function loadBuiltInCodec(env: Record<string, string | undefined>): Promise<PayloadCodec[]> {
  const keyId = env[PAYLOAD_ENV.kmsKeyId]?.trim();
  if (!keyId) return [];
  const endpoint = env[PAYLOAD_ENV.kmsEndpoint]?.trim();
  const { KmsEncryptionCodec, LeanKmsClient } = await import('../../payloads/gateway-payloads');
  return [
    new KmsEncryptionCodec({
      keyId,
      ...(endpoint ? { kms: new LeanKmsClient({ endpoint, ...localEmulatorAccess(env) }) } : {}),
    }),
  ];
}

/** A payload setting of the environment the gateway cannot use. */
export class PayloadSettingsError extends EventGatewayError {
  override readonly name = 'PayloadSettingsError';
}

/**
 * The large payload store the environment configures: `EVENT_GATEWAY_LARGE_PAYLOAD_BUCKET` (with
 * `EVENT_GATEWAY_LARGE_PAYLOAD_THRESHOLD_BYTES`, default 256 KiB as the SDK's, and
 * `EVENT_GATEWAY_S3_ENDPOINT` for the local emulator, path-style), none when unset. The S3 SDK is
 * imported on the first large payload only.
 */
export async function loadLargePayloadStore(
  env: Record<string, string | undefined>,
): Promise<LargePayloadStore | undefined> {
  const bucket = env[PAYLOAD_ENV.largePayloadBucket]?.trim();
  if (!bucket) return undefined;
  const rawThreshold = env[PAYLOAD_ENV.largePayloadThresholdBytes]?.trim();
  const thresholdBytes = rawThreshold ? Number(rawThreshold) : undefined;
  if (thresholdBytes !== undefined && !(Number.isInteger(thresholdBytes) && thresholdBytes >= 0)) {
    throw new PayloadSettingsError(
      `${PAYLOAD_ENV.largePayloadThresholdBytes} must be a whole number of bytes (got "${rawThreshold}").`,
    );
  }
  const endpoint = env[PAYLOAD_ENV.s3Endpoint]?.trim();
  const { S3PayloadStore } = await import('../../payloads/gateway-payloads');
  return new S3PayloadStore({
    bucket,
    ...(thresholdBytes !== undefined ? { thresholdBytes } : {}),
    ...(endpoint ? { s3Config: { endpoint, forcePathStyle: true, ...localEmulatorAccess(env) } } : {}),
  });
}

/** What the data converter is built from: the codecs and the large payload store, from the environment. */
export interface PayloadSettings {
  readonly codecs: readonly PayloadCodec[];
  readonly store?: LargePayloadStore | undefined;
}

/** {@link loadPayloadCodecs} and {@link loadLargePayloadStore} at once, at cold start (no KMS or S3 call). */
export async function loadPayloadSettings(env: Record<string, string | undefined>): Promise<PayloadSettings> {
  const [codecs, store] = await Promise.all([loadPayloadCodecs(env), loadLargePayloadStore(env)]);
  return { codecs, store };
}
