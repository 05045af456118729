import { KMSInternalException, KMSServiceException, NotFoundException } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KmsUnavailableError, PayloadKeyRejectedError } from '../../payloads';
import { kmsFailure } from '../../payloads/kms-data-keys';

// local-kms never throttles nor fails on its own, so these answers of KMS are built here.
const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('kmsFailure: what a failed KMS call means to the codec', () => {
  it('is the key being rejected for a client fault', () => {
    const error = kmsFailure(
      new NotFoundException({ message: 'Key does not exist', ...metadata(400) }),
      'alias/k',
      'decrypt a data key',
    );
    expect(error).toBeInstanceOf(PayloadKeyRejectedError);
    expect(error.retryable).toBe(false);
  });

  it.each([
    [
      'throttled',
      new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', ...metadata(400) }),
    ],
    [
      'over its request quota',
      new KMSServiceException({ name: 'LimitExceededException', $fault: 'client', ...metadata(400) }),
    ],
    ['answering 429', new KMSServiceException({ name: 'SomethingNew', $fault: 'client', ...metadata(429) })],
    ['failing inside', new KMSInternalException({ message: 'internal', ...metadata(500) })],
    ['unreachable', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
  ])('is KMS unavailable (retryable) when it is %s', (_what, cause) => {
    const error = kmsFailure(cause, 'alias/k', 'generate a data key');
    expect(error).toBeInstanceOf(KmsUnavailableError);
    expect(error).toMatchObject({ retryable: true, keyId: 'alias/k', cause });
    expect(error.message).toContain('KMS is unavailable to generate a data key with key alias/k');
  });
});
