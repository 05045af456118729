import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  QueueAttributeName,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLocalSqsClient,
  resolveSqsEndpoint,
  startElasticMq,
  type ElasticMq,
} from '../../local/elasticmq';
import { portAcceptsConnections } from '../../local/java-process';
import { receiveAll } from './support';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: Parameters<typeof startElasticMq>[0] = {}): Promise<ElasticMq> {
  const server = await startElasticMq({ port: 0, ...options });
  cleanups.push(() => server.stop());
  return server;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'elasticmq-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startElasticMq', () => {
  it('serves SQS on 127.0.0.1 with ARNs in the given region, and leaves no process or port behind when stopped', async () => {
    const server = await start({ region: 'eu-west-1' });
    const client = createLocalSqsClient(server.endpoint, server.region);
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'arn-check' }));
    expect(QueueUrl).toBe(`${server.endpoint}/000000000000/arn-check`);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: [QueueAttributeName.QueueArn] }),
    );
    // Like the deployed queue's, so eventSourceARN in local events looks real.
    expect(Attributes?.QueueArn).toBe('arn:aws:sqs:eu-west-1:000000000000:arn-check');
    const pid = server.pid!;
    expect(processExists(pid)).toBe(true);

    await server.stop();
    client.destroy();
    expect(server.running).toBe(false);
    expect(processExists(pid)).toBe(false);
    expect(await portAcceptsConnections(server.port)).toBe(false);
  });

  it('keeps queues and unacknowledged messages across a crash when persistDir is set', async () => {
    const server = await start({ persistDir: await tempDir() });
    const client = createLocalSqsClient(server.endpoint, server.region);
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'durable' }));
    const sent = await Promise.all(
      ['a', 'b', 'c'].map((body) => client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }))),
    );

    // SIGKILL right after SQS acknowledged the sends: nothing may depend on a clean shutdown.
    await server.restart({ crash: true });

    const received = await receiveAll(client, QueueUrl!);
    expect(received.map((m) => m.MessageId).sort()).toEqual(sent.map((s) => s.MessageId).sort());
    client.destroy();
  });

  it('starts empty after a restart without persistDir', async () => {
    const server = await start();
    const client = createLocalSqsClient(server.endpoint, server.region);
    await client.send(new CreateQueueCommand({ QueueName: 'ephemeral' }));
    await server.restart();
    const { QueueUrls = [] } = await client.send(new ListQueuesCommand({}));
    expect(QueueUrls).toEqual([]);
    client.destroy();
  });

  it('starts again after stop() is followed by restart(), on the same port', async () => {
    const server = await start({ persistDir: await tempDir() });
    const client = createLocalSqsClient(server.endpoint, server.region, { maxAttempts: 1 });
    await client.send(new CreateQueueCommand({ QueueName: 'outage' }));
    // ElasticMQ writes queue metadata just after answering CreateQueue (SQS asks for a 1 s wait too).
    await sleep(1_000);
    await server.stop();
    await expect(client.send(new ListQueuesCommand({}))).rejects.toThrow();
    await server.restart();
    const { QueueUrls = [] } = await client.send(new ListQueuesCommand({}));
    expect(QueueUrls).toEqual([`${server.endpoint}/000000000000/outage`]);
    client.destroy();
  });

  it('refuses a port that is already taken, naming the way out', async () => {
    const first = await start();
    await expect(startElasticMq({ port: first.port })).rejects.toThrow(
      /Port \d+ is taken.*SQS_PORT.*SQS_ENDPOINT/s,
    );
  });
});

describe('resolveSqsEndpoint', () => {
  it('uses SQS_ENDPOINT when it is set, without starting a server', async () => {
    const previous = process.env.SQS_ENDPOINT;
    process.env.SQS_ENDPOINT = 'http://127.0.0.1:1';
    try {
      const resolved = await resolveSqsEndpoint();
      expect(resolved.endpoint).toBe('http://127.0.0.1:1');
      expect(resolved.elasticMq).toBeUndefined();
      await resolved.stop();
    } finally {
      if (previous === undefined) delete process.env.SQS_ENDPOINT;
      else process.env.SQS_ENDPOINT = previous;
    }
  });

  it('starts ElasticMQ when SQS_ENDPOINT is not set', async () => {
    const previous = process.env.SQS_ENDPOINT;
    delete process.env.SQS_ENDPOINT;
    try {
      const resolved = await resolveSqsEndpoint({ port: 0 });
      cleanups.push(() => resolved.stop());
      expect(resolved.elasticMq?.endpoint).toBe(resolved.endpoint);
    } finally {
      if (previous !== undefined) process.env.SQS_ENDPOINT = previous;
    }
  });
});
