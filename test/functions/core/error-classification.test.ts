import { describe, expect, it } from 'vitest';
import {
  classifyTemporalError,
  GRPC_STATUS,
  RESOURCE_EXHAUSTED_CAUSE,
} from '../../../functions/core/error-classification';

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

  it("names a failed query handler as the workflow's refusal (query-failed), not Temporal's", () => {
    const message = "Cannot destructure property 'includeUnsupported' of 'undefined'";
    const error = grpcError(GRPC_STATUS.INVALID_ARGUMENT, message);
    expect(classifyTemporalError(error, 'g-1', { queryFailed: true })).toEqual({
      transient: false,
      problem: expect.objectContaining({
        code: 'query-failed',
        field: 'query',
        detail: expect.stringContaining(message) as unknown,
      }) as unknown,
    });
    // The same code without the detail stays what it was.
    expect(classifyTemporalError(error).problem.code).toBe('temporal-rejected');
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

  describe("a workflow at Temporal's per-run limits is transient for that workflow (workflow-busy, 503)", () => {
    // The words and codes of Temporal server v1.29 (the dev server) to v1.32 (service/history/consts,
    // workflow/update/registry.go); the two limits without status details are told by their text.
    it.each([
      [
        'the signal limit',
        GRPC_STATUS.INVALID_ARGUMENT,
        'exceeded workflow execution limit for signal events',
        {},
      ],
      [
        'the total update limit',
        GRPC_STATUS.FAILED_PRECONDITION,
        'The limit on the total number of distinct updates in this workflow has been reached (2000). Make sure…',
        {},
      ],
      [
        'the in-flight update limit',
        GRPC_STATUS.RESOURCE_EXHAUSTED,
        'limit on number of concurrent in-flight updates has been reached (10)',
        { resourceExhaustedCause: RESOURCE_EXHAUSTED_CAUSE.CONCURRENT_LIMIT },
      ],
      [
        'a run closing into its continue-as-new',
        GRPC_STATUS.RESOURCE_EXHAUSTED,
        'workflow operation can not be applied because workflow is closing',
        { resourceExhaustedCause: RESOURCE_EXHAUSTED_CAUSE.BUSY_WORKFLOW },
      ],
    ])('%s', (_, code, message, details) => {
      const classified = classifyTemporalError(grpcError(code, message), 'hot-1', details);
      expect(classified).toMatchObject({ transient: true, problem: { code: 'workflow-busy' } });
      expect(classified.problem.detail).toContain('Workflow "hot-1"');
    });

    it('keeps other refusals with the same codes what they were', () => {
      const badArgument = classifyTemporalError(
        grpcError(GRPC_STATUS.INVALID_ARGUMENT, 'Blob data size exceeds limit.'),
      );
      expect(badArgument).toMatchObject({ transient: false, problem: { code: 'temporal-rejected' } });
      const otherPrecondition = classifyTemporalError(grpcError(GRPC_STATUS.FAILED_PRECONDITION, 'x'));
      expect(otherPrecondition).toMatchObject({ transient: false, problem: { code: 'temporal-rejected' } });
      // A throttled namespace is transient too, but not this workflow's own limit: not paced per workflow.
      const throttled = classifyTemporalError(grpcError(GRPC_STATUS.RESOURCE_EXHAUSTED, 'rps'), 'w', {
        resourceExhaustedCause: RESOURCE_EXHAUSTED_CAUSE.RPS_LIMIT,
      });
      expect(throttled).toMatchObject({ transient: true, problem: { code: 'temporal-unavailable' } });
    });
  });
});
