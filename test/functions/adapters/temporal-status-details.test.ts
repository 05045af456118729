/**
 * The status-details reader against bytes made by Temporal's own protobuf definitions
 * (`@temporalio/proto`), as a server puts them in `grpc-status-details-bin`.
 */
import { Metadata } from '@grpc/grpc-js';
import { google, temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { temporalStatusDetails } from '../../../functions/adapters/temporal-status-details';
import { RESOURCE_EXHAUSTED_CAUSE } from '../../../functions/core/error-classification';

const { ResourceExhaustedCause, ResourceExhaustedScope } = temporal.api.enums.v1;

function serviceError(details: { type_url: string; value: Uint8Array }[]) {
  const status = google.rpc.Status.encode({ code: 8, message: 'limit', details }).finish();
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(status));
  return Object.assign(new Error('8 RESOURCE_EXHAUSTED: limit'), { code: 8, details: 'limit', metadata });
}

const resourceExhausted = (cause: number) => ({
  type_url: 'type.googleapis.com/temporal.api.errordetails.v1.ResourceExhaustedFailure',
  value: temporal.api.errordetails.v1.ResourceExhaustedFailure.encode({
    cause,
    scope: ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
  }).finish(),
});

describe('temporalStatusDetails', () => {
  it('reads the cause of a ResourceExhaustedFailure, after any other detail', () => {
    const other = {
      type_url: 'type.googleapis.com/temporal.api.errordetails.v1.NotFoundFailure',
      value: temporal.api.errordetails.v1.NotFoundFailure.encode({ currentCluster: 'a' }).finish(),
    };
    const error = serviceError([
      other,
      resourceExhausted(ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT),
    ]);
    expect(temporalStatusDetails(error)).toEqual({
      resourceExhaustedCause: RESOURCE_EXHAUSTED_CAUSE.CONCURRENT_LIMIT,
    });
  });

  it('finds the details on a wrapped cause', () => {
    const inner = serviceError([
      resourceExhausted(ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW),
    ]);
    expect(temporalStatusDetails(new Error('outer', { cause: inner }))).toEqual({
      resourceExhaustedCause: RESOURCE_EXHAUSTED_CAUSE.BUSY_WORKFLOW,
    });
  });

  it('says a query failed when the server attaches a QueryFailedFailure (a query handler threw)', () => {
    const error = serviceError([
      {
        type_url: 'type.googleapis.com/temporal.api.errordetails.v1.QueryFailedFailure',
        value: temporal.api.errordetails.v1.QueryFailedFailure.encode({}).finish(),
      },
    ]);
    expect(temporalStatusDetails(error)).toEqual({ queryFailed: true });
  });

  it('says nothing when there are no details, or they cannot be read', () => {
    expect(temporalStatusDetails(new Error('plain'))).toEqual({});
    const garbled = new Metadata();
    garbled.set('grpc-status-details-bin', Buffer.from([0x1a, 0xff, 0xff]));
    expect(temporalStatusDetails(Object.assign(new Error('x'), { code: 8, metadata: garbled }))).toEqual({});
  });
});
