/**
 * The event log's lean `PUT`: signed as the AWS SDK signs an S3 `PutObject` (held to
 * `@smithy/signature-v4` with S3's settings), retried as the SDK retries (a 5xx, never a 4xx), and
 * chosen only where the environment gives it what it needs. Its round trip through a real S3
 * emulator, read back by the SDK, is in event-log-store.test.ts.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createLeanS3Put,
  leanS3PutSettings,
  S3PutError,
  s3KeyPath,
} from '../../../functions/adapters/event-log-s3-put';
import { sdkAuthorization, signedHeaderNames } from '../../support/sigv4-oracle';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A stand-in for S3 that records each request and gives the next of its canned answers. */
async function s3StandIn(answers: { status: number; body?: string }[]) {
  const requests: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers[requests.length - 1] ?? { status: 200 };
      response.writeHead(answer.status, { 'content-type': 'application/xml' });
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const KEY = 'events/2026/12/07/@http:anonymous:k1/2026-12-07T12-00-00.000Z-received-ab(1).json';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token/+=' };

describe('the event log’s lean S3 PUT', () => {
  it('signs as the AWS SDK signs a PutObject, with the key encoded as S3 reads it', async () => {
    const standIn = await s3StandIn([{ status: 200 }]);
    try {
      const put = createLeanS3Put({
        bucket: 'event-log',
        region: 'eu-west-1',
        endpoint: standIn.endpoint,
        credentials: () => credentials,
      });
      await put(KEY, '{"eventId":"@http:anonymous:k1"}');

      const [sent] = standIn.requests;
      expect(sent?.method).toBe('PUT');
      expect(sent?.body).toBe('{"eventId":"@http:anonymous:k1"}');
      expect(decodeURIComponent(sent!.url)).toBe(`/event-log/${KEY}`);
      expect(sent?.url).toContain('%40http%3Aanonymous%3Ak1');
      expect(sent?.url).toContain('ab%281%29.json');
      const request = { method: 'PUT', path: sent!.url, headers: sent!.headers, body: sent!.body };
      expect(signedHeaderNames(request)).toEqual([
        'content-type',
        'host',
        'x-amz-content-sha256',
        'x-amz-date',
        'x-amz-security-token',
      ]);
      // S3's client signs the path as sent (no second encoding) and sends the body's hash.
      expect(sent!.headers.authorization).toBe(
        await sdkAuthorization(request, {
          service: 's3',
          region: 'eu-west-1',
          credentials,
          uriEscapePath: false,
        }),
      );
    } finally {
      await standIn.close();
    }
  });

  it('tries a server fault again, and never a client fault', async () => {
    const slowDown = { status: 503, body: '<Error><Code>SlowDown</Code></Error>' };
    const denied = { status: 403, body: '<Error><Code>AccessDenied</Code></Error>' };
    const retried = await s3StandIn([slowDown, { status: 200 }]);
    const refused = await s3StandIn([denied, { status: 200 }]);
    try {
      const options = { bucket: 'b', region: 'us-east-1', credentials: () => credentials };
      await expect(
        createLeanS3Put({ ...options, endpoint: retried.endpoint })('k', '{}'),
      ).resolves.toBeUndefined();
      expect(retried.requests).toHaveLength(2);

      const rejection = createLeanS3Put({ ...options, endpoint: refused.endpoint })('k', '{}');
      await expect(rejection).rejects.toBeInstanceOf(S3PutError);
      await expect(rejection).rejects.toThrow('403 AccessDenied');
      expect(refused.requests).toHaveLength(1);
    } finally {
      await Promise.all([retried.close(), refused.close()]);
    }
  });

  it('is chosen with a Lambda function’s credentials or an emulator’s endpoint, else the SDK writes', () => {
    const lambda = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    };
    const settings = leanS3PutSettings('event-log', lambda);
    expect(settings).toMatchObject({ bucket: 'event-log', region: 'eu-west-1' });
    expect(settings?.endpoint).toBeUndefined();
    expect(settings?.credentials()).toEqual({
      accessKeyId: 'AKID',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
    expect(leanS3PutSettings('event-log', {}, 'http://127.0.0.1:9000')).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
    });
    expect(leanS3PutSettings('event-log', { AWS_REGION: 'eu-west-1' })).toBeUndefined();
    expect(leanS3PutSettings('event-log', { ...lambda, AWS_USE_FIPS_ENDPOINT: 'true' })).toBeUndefined();
    expect(leanS3PutSettings('event-log', { ...lambda, AWS_ENDPOINT_URL: 'https://proxy' })).toBeUndefined();
    expect(leanS3PutSettings('event-log', { ...lambda, AWS_REGION: 'cn-north-1' })).toBeUndefined();
  });

  it('encodes each byte of a key but the unreserved ones and the slashes', () => {
    expect(s3KeyPath("a b/c:d@e/f!'()*~._-")).toBe('a%20b/c%3Ad%40e/f%21%27%28%29%2A~._-');
  });
});
