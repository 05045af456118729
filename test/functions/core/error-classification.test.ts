import { describe, expect, it } from 'vitest';
import { classifyTemporalError, GRPC_STATUS } from '../../../functions/core/error-classification';

const grpcError = (code: number, message: string) =>
  Object.assign(new Error(`${code} X: ${message}`), { code });

describe('classifying Temporal errors', () => {
  it.each([
    [GRPC_STATUS.UNAVAILABLE, 'temporal-unavailable'],
    [GRPC_STATUS.RESOURCE_EXHAUSTED, 'temporal-unavailable'],
    [GRPC_STATUS.UNAUTHENTICATED, 'temporal-unavailable'],
    [GRPC_STATUS.DEADLINE_EXCEEDED, 'deadline-exceeded'],
    [GRPC_STATUS.CANCELLED, 'deadline-exceeded'],
  ])('treats gRPC code %i as transient (%s)', (code, expected) => {
    expect(classifyTemporalError(grpcError(code, 'x'))).toMatchObject({
      transient: true,
      problem: { code: expected },
    });
  });

  it.each([
    [GRPC_STATUS.NOT_FOUND, 'workflow not found for ID: x', 'workflow-not-found'],
    [GRPC_STATUS.NOT_FOUND, 'workflow execution already completed', 'workflow-closed'],
    [GRPC_STATUS.ALREADY_EXISTS, 'Workflow execution already finished', 'workflow-closed'],
    [GRPC_STATUS.INVALID_ARGUMENT, 'bad', 'temporal-rejected'],
  ])('treats gRPC code %i (%s) as permanent %s', (code, message, expected) => {
    expect(classifyTemporalError(grpcError(code, message))).toMatchObject({
      transient: false,
      problem: { code: expected },
    });
  });

  it('finds the gRPC code on a wrapped cause', () => {
    const wrapped = new Error('outer', { cause: grpcError(GRPC_STATUS.NOT_FOUND, 'gone') });
    expect(classifyTemporalError(wrapped).problem.code).toBe('workflow-not-found');
  });

  it('treats an error without a code (connect failure) as transient, so the event is kept', () => {
    expect(classifyTemporalError(new Error('Failed to connect before the deadline'))).toMatchObject({
      transient: true,
    });
  });
});
