/**
 * Reads what Temporal says about a refused call beyond its gRPC code: the `grpc-status-details-bin`
 * trailer, a `google.rpc.Status` whose `details` are `Any`s of Temporal's errordetails messages.
 * The classification needs two of them: a `QueryFailedFailure` (a query handler threw), and the
 * `cause` of a `ResourceExhaustedFailure`, which tells
 * "this workflow has too many updates in flight" (CONCURRENT_LIMIT) or "this workflow is closing"
 * (BUSY_WORKFLOW) from a throttled namespace. Decoded with the wire codecs' own reader
 * (temporal-wire/protobuf-wire.ts) over the three small messages involved, so nothing more is loaded.
 */
import { Reader } from './temporal-wire/protobuf-wire';
import {
  classifyTemporalError,
  type Classification,
  type TemporalStatusDetails,
} from '../core/error-classification';

const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const RESOURCE_EXHAUSTED_FAILURE =
  'type.googleapis.com/temporal.api.errordetails.v1.ResourceExhaustedFailure';
/** What the server attaches when a workflow's query handler threw (or none was registered). */
const QUERY_FAILED_FAILURE = 'type.googleapis.com/temporal.api.errordetails.v1.QueryFailedFailure';

type MetadataLike = { get(key: string): (string | Buffer | Uint8Array)[] };

function statusDetailsBytes(error: unknown): Uint8Array | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const metadata = (current as { metadata?: Partial<MetadataLike> }).metadata;
    if (typeof metadata?.get === 'function') {
      const [value] = metadata.get(STATUS_DETAILS_KEY);
      if (value instanceof Uint8Array) return value;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Calls `onField(fieldNumber, reader)` for each field; the callback reads it or returns false to skip. */
function readFields(bytes: Uint8Array, onField: (field: number, reader: Reader) => boolean): void {
  const reader = Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (!onField(tag >>> 3, reader)) reader.skipType(tag & 7);
  }
}

/** The `(type_url, value)` of each `Any` in a `google.rpc.Status`'s `details` (field 3). */
function statusDetails(bytes: Uint8Array): { typeUrl: string; value: Uint8Array }[] {
  const details: { typeUrl: string; value: Uint8Array }[] = [];
  readFields(bytes, (field, reader) => {
    if (field !== 3) return false;
    const any: { typeUrl: string; value: Uint8Array } = { typeUrl: '', value: new Uint8Array(0) };
    readFields(reader.bytes(), (anyField, anyReader) => {
      if (anyField === 1) any.typeUrl = anyReader.string();
      else if (anyField === 2) any.value = anyReader.bytes();
      else return false;
      return true;
    });
    details.push(any);
    return true;
  });
  return details;
}

/**
 * The status details of a failed lean-client call (its `GrpcCallError`'s trailing metadata, the
 * shape grpc-js's `ServiceError` had), as the classification takes them;
 * empty when the server sent none or they cannot be read (a classification then falls back to the
 * gRPC code alone).
 */
export function temporalStatusDetails(error: unknown): TemporalStatusDetails {
  const bytes = statusDetailsBytes(error);
  if (!bytes) return {};
  try {
    for (const { typeUrl, value } of statusDetails(bytes)) {
      if (typeUrl === QUERY_FAILED_FAILURE) return { queryFailed: true };
      if (typeUrl !== RESOURCE_EXHAUSTED_FAILURE) continue;
      let cause = 0;
      readFields(value, (field, reader) => {
        if (field !== 1) return false;
        cause = reader.int32();
        return true;
      });
      return { resourceExhaustedCause: cause };
    }
  } catch {
    // Unreadable details say nothing; the gRPC code still classifies the error.
  }
  return {};
}

/**
 * What a failed lean-client call means: the core's classification, given the status details the
 * call carried. Every Temporal adapter classifies through here, so none can forget the details.
 */
export function classifyTemporalCall(error: unknown, workflowId?: string): Classification {
  return classifyTemporalError(error, workflowId, temporalStatusDetails(error));
}
