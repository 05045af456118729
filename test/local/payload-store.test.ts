/**
 * The local stacks' large payload store: gofakes3 keeps its objects in the stack's state directory,
 * so a payload stored before a restart resolves after it (a replay needs it as long as the history).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { PAYLOAD_ENV } from '../../contract/env-names';
import { startLocalPayloadStore } from '../../local/payload-store';

const stateDir = mkdtempSync(join(tmpdir(), 'payload-store-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('the local stack’s S3', () => {
  it('keeps its objects in the state directory across a restart, and names its bucket in PAYLOAD_ENV', async () => {
    const dataDir = join(stateDir, 's3');
    const first = await startLocalPayloadStore({ dataDir });
    try {
      expect(first.env).toEqual({
        [PAYLOAD_ENV.largePayloadBucket]: first.s3.bucket,
        [PAYLOAD_ENV.s3Endpoint]: first.s3.endpoint,
      });
      const client = first.s3.client();
      await client.send(
        new PutObjectCommand({ Bucket: first.s3.bucket, Key: 'v0/kept', Body: 'stored before the restart' }),
      );
      client.destroy();
    } finally {
      await first.stop();
    }

    const second = await startLocalPayloadStore({ dataDir });
    try {
      const client = second.s3.client();
      const { Body } = await client.send(new GetObjectCommand({ Bucket: second.s3.bucket, Key: 'v0/kept' }));
      expect(await Body!.transformToString()).toBe('stored before the restart');
      client.destroy();
    } finally {
      await second.stop();
    }
  });
});
