/**
 * The event log in S3 (deployed stacks): one object per record under a per-day prefix, encrypted
 * by the bucket's default key (the construct's KMS key when it has one), expired by the bucket's
 * lifecycle rule (the `eventLog.retention` prop). Records are written by the lean signed `PUT`
 * (event-log-s3-put.ts) where the environment allows it, else by the SDK; the S3 SDK is imported on
 * the first read (or SDK write), so a function that never reads pays nothing for it.
 */
import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { createLeanS3Put, type LeanS3PutOptions } from './event-log-s3-put';
import { createEventLogStore, type EventLogObjects, type EventLogStoreOptions } from './event-log-store';
import type { EventLog } from './ports';

export interface S3EventLogOptions extends EventLogStoreOptions {
  readonly bucket: string;
  /** @default a client from `s3Config`, created on first use */
  readonly s3?: S3Client;
  /** The client's configuration (an emulator's endpoint, path-style). @default {} */
  readonly s3Config?: S3ClientConfig;
  /** Write records with the lean signed `PUT` (`leanS3PutSettings`). @default the SDK's `PutObject` */
  readonly leanPut?: LeanS3PutOptions;
}

const isMissing = (error: unknown): boolean => {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

/** The bucket as a store of objects. */
export function s3Objects(options: S3EventLogOptions): EventLogObjects {
  const { bucket } = options;
  let sdk: Promise<{ s3: S3Client; module: typeof S3Sdk }> | undefined;
  const load = () =>
    (sdk ??= import('@aws-sdk/client-s3').then((module) => ({
      module,
      s3: options.s3 ?? new module.S3Client(options.s3Config ?? {}),
    })));
  const leanPut = options.leanPut ? createLeanS3Put(options.leanPut) : undefined;
  return {
    async put(key, body) {
      if (leanPut) return leanPut(key, body);
      const { s3, module } = await load();
      await s3.send(
        new module.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
        }),
      );
    },
    async list(prefix) {
      const { s3, module } = await load();
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new module.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async get(key) {
      const { s3, module } = await load();
      try {
        const object = await s3.send(new module.GetObjectCommand({ Bucket: bucket, Key: key }));
        return await object.Body?.transformToString('utf-8');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}

/** The event log in an S3 bucket. */
export const createS3EventLog = (options: S3EventLogOptions): EventLog =>
  createEventLogStore(s3Objects(options), options);
