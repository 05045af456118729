/**
 * Shared by the large payload tests: one local Temporal, KMS and S3; a worker running the digest
 * workflow with a given data converter; reading the raw history (the client's own history reader
 * resolves references, so these read it through the bare gRPC service).
 */
import { createHash, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type { DataConverter, Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { LocalS3 } from '../../local/s3-server';
import type { DigestActivities } from './fixtures/large-payload-workflow';

export const digestWorkflowsPath = fileURLToPath(
  new URL('./fixtures/large-payload-workflow.ts', import.meta.url),
);

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const activities: DigestActivities = { digestOf: (bytes) => Promise.resolve(sha256(bytes)) };

/** Runs `fn` while a worker with this data converter serves the digest workflow on a fresh queue. */
export async function withDigestWorker<T>(
  env: TestWorkflowEnvironment,
  dataConverter: DataConverter,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `large-payloads-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowsPath: digestWorkflowsPath,
    activities,
    dataConverter,
  });
  return worker.runUntil(fn(taskQueue));
}

/** The history as the server stores it: no data converter, no external storage resolved. */
export async function rawHistory(
  client: Client,
  namespace: string,
  workflowId: string,
): Promise<temporal.api.history.v1.IHistory> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace,
    execution: { workflowId },
  });
  return response.history ?? {};
}

/** Every payload of the history's events that carry an input (signals, activities, the start). */
export function eventInputs(history: temporal.api.history.v1.IHistory) {
  const events = history.events ?? [];
  return {
    signal: events.flatMap((event) => event.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []),
    activity: events.flatMap((event) => event.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
  };
}

/** Size of the whole history in protobuf bytes: what Temporal stores and counts against its limits. */
export const historyBytes = (history: temporal.api.history.v1.IHistory): number =>
  temporal.api.history.v1.History.encode(history).finish().length;

const utf8 = new TextDecoder();
export const metadataText = (payload: Payload, key: string): string | undefined => {
  const value = payload.metadata?.[key];
  return value ? utf8.decode(value) : undefined;
};

/** The object's bytes, read back from the emulator. */
export async function objectBytes(s3: LocalS3, bucket: string, key: string): Promise<Uint8Array> {
  const client = s3.client();
  try {
    const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await Body!.transformToByteArray();
  } finally {
    client.destroy();
  }
}
