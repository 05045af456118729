/**
 * Bad input on the queue: the SQS corpus and fast-check fuzzing of message bodies, sent through a
 * real ElasticMQ, received as real messages and handed to the real batch handler as Lambda-shaped
 * events, in front of a real Temporal dev server. What must hold: nothing throws out of the handler,
 * no poison message is left for redelivery (a permanent failure is never retried), and every poison
 * message is in the DLQ with its reason.
 */
import { SendMessageBatchCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import fc from 'fast-check';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayRuntime, type GatewayRuntime } from '../../functions/runtime/gateway-runtime';
import { DLQ_ATTRIBUTES, createDeadLetters } from '../../functions/adapters/sqs-dead-letters';
import { GATEWAY_ENV, TEMPORAL_ENV } from '../../functions/core/env-names';
import { createSqsBatchHandler } from '../../functions/handlers/sqs-batch';
import { toSqsEvent } from '../../local/sqs-event';
import type { GatewayQueue } from '../../local/sqs-queues';
import { OPEN_ID_PREFIX, badInputGatewayConfig } from '../fixtures/bad-input/deployments';
import { sqsBadInputs } from '../fixtures/bad-input/sqs-cases';
import { startSqsStack, type SqsStack } from '../support/sqs-stack';
import { uniqueName } from '../support/staged-worker';
import { sharedTemporal, stopSharedTemporal } from '../support/temporal';
import { CountingLogger } from './support/deployments';
import { SQS_REFUSED_CHARACTERS, explainSqsRetention } from './support/known-defects';
import { consumeExactly, drainQueue } from './support/sqs';
import { FUZZ_SEED, fuzzParameters } from './support/fuzz-settings';
import { writeSection } from './support/results';

let env: TestWorkflowEnvironment;
let stack: SqsStack;
let runtime: GatewayRuntime;
let handler: ReturnType<typeof createSqsBatchHandler>;
const logger = new CountingLogger();

beforeAll(async () => {
  [env, stack] = await Promise.all([
    sharedTemporal(),
    startSqsStack({ visibilityTimeoutSeconds: 30, maxReceiveCount: 50 }),
  ]);
  runtime = await createGatewayRuntime(
    {
      [TEMPORAL_ENV.address]: env.address,
      [GATEWAY_ENV.config]: JSON.stringify(badInputGatewayConfig(uniqueName('bad-input-sqs'))),
      // Slow is not down: a busy machine must not turn a healthy Temporal into a transient failure.
      [GATEWAY_ENV.temporalDeadlineMs]: '30000',
    },
    logger,
  );
  handler = createSqsBatchHandler({
    ...runtime,
    deadLetters: createDeadLetters(stack.client, {
      standard: stack.queues.eventsDlq.url,
      fifo: stack.queues.eventsDlqFifo.url,
    }),
  });
});

afterAll(async () => {
  await runtime?.clients.close();
  await stack?.stop();
  await stopSharedTemporal();
});

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;

interface Handled {
  messages: Message[];
  response: SQSBatchResponse | undefined;
  thrown: unknown;
}

/** Hands one batch (at most ten) to the handler as Lambda would: a real-shaped event. */
async function handle(queue: GatewayQueue, batch: Message[]): Promise<Handled> {
  try {
    return {
      messages: batch,
      response: await handler(toSqsEvent(batch, { queueArn: queue.arn })),
      thrown: undefined,
    };
  } catch (thrown) {
    return { messages: batch, response: undefined, thrown };
  }
}

/** Everything the queue holds, in batches as the event source mapping would deliver them. */
async function consume(queue: GatewayQueue, count: number): Promise<Handled[]> {
  const results: Handled[] = [];
  await consumeExactly(stack.client, queue.url, count, async (batch) => {
    results.push(await handle(queue, batch));
  });
  return results;
}

/** sourceMessageId → the DLQ copy, for every message the DLQ holds (it is emptied). */
async function deadLetters(queue: GatewayQueue): Promise<Map<string, Message>> {
  const byId = new Map<string, Message>();
  for (const message of await drainQueue(stack.client, queue.url)) {
    const source = attribute(message, DLQ_ATTRIBUTES.sourceMessageId);
    if (source) byId.set(source, message);
  }
  return byId;
}

const tally = {
  corpusMessages: 0,
  corpusRefusedBySqs: 0,
  corpusDeadLettered: 0,
  corpusKnownDefects: 0,
  handlerThrows: 0,
  retriedPermanentFailures: 0,
  fuzzMessages: 0,
  fuzzDelivered: 0,
  fuzzDeadLettered: 0,
  fuzzRefusedBySqs: 0,
  fuzzKnownDefects: 0,
};
const errorTypes: Record<string, number> = {};
const knownDefectsSeen: Record<string, string[]> = {};

describe('the SQS bad-input corpus', () => {
  const cases = sqsBadInputs();

  it('holds poison messages of every kind', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  for (const fifo of [false, true]) {
    it(`dead-letters every poison message with its reason on the ${fifo ? 'FIFO' : 'standard'} queue, never throwing or retrying`, async () => {
      const queue = fifo ? stack.queues.eventsFifo : stack.queues.events;
      const dlq = fifo ? stack.queues.eventsDlqFifo : stack.queues.eventsDlq;
      const errorsBefore = logger.errors.length;
      const sent = new Map<string, (typeof cases)[number]>();
      const refused = new Set<string>();
      for (const [index, c] of cases.entries()) {
        try {
          const { MessageId } = await stack.client.send(
            new SendMessageCommand({
              QueueUrl: queue.url,
              MessageBody: c.body,
              // One group per case: a case's failure must not hold back the others (FIFO skips the rest of a group).
              ...(fifo ? { MessageGroupId: `case-${index}`, MessageDeduplicationId: `corpus-${index}` } : {}),
            }),
          );
          sent.set(MessageId!, c);
        } catch {
          // SQS refuses raw characters outside its allowed set: such a body never reaches the handler.
          refused.add(c.name);
        }
      }
      const results = await consume(queue, sent.size);
      tally.corpusMessages += cases.length;
      tally.corpusRefusedBySqs += refused.size;

      const problems = new Map<string, string[]>(cases.map((c) => [c.name, []]));
      const note = (name: string, text: string) => problems.get(name)?.push(text);
      for (const result of results) {
        if (result.thrown) {
          tally.handlerThrows += 1;
          for (const m of result.messages)
            note(sent.get(m.MessageId!)?.name ?? '?', `handler threw: ${describeError(result.thrown)}`);
        }
        for (const item of result.response?.batchItemFailures ?? []) {
          tally.retriedPermanentFailures += 1;
          note(sent.get(item.itemIdentifier)?.name ?? '?', 'left for redelivery');
        }
      }
      const dead = await deadLetters(dlq);
      for (const [messageId, c] of sent) {
        const copy = dead.get(messageId);
        if (!copy) {
          note(c.name, 'not in the DLQ');
          continue;
        }
        tally.corpusDeadLettered += 1;
        const type = attribute(copy, DLQ_ATTRIBUTES.errorType) ?? 'none';
        errorTypes[type] = (errorTypes[type] ?? 0) + 1;
        if (!c.expectErrorType.includes(type))
          note(c.name, `errorType ${type}, expected ${c.expectErrorType.join(' or ')}`);
        if ((attribute(copy, DLQ_ATTRIBUTES.errorMessage) ?? '').length < 5) note(c.name, 'no errorMessage');
        if (copy.Body !== c.body) note(c.name, 'the DLQ copy changed the body');
      }

      const failures: string[] = [];
      for (const c of cases) {
        const found = problems.get(c.name) ?? [];
        if (c.knownDefect) {
          tally.corpusKnownDefects += 1;
          (knownDefectsSeen[c.knownDefect] ??= []).push(
            `${fifo ? 'FIFO' : 'standard'}: ${c.name}: ${found.join('; ') || 'held'}`,
          );
          if (found.length === 0)
            failures.push(
              `${c.name}: holds now — the known defect "${c.knownDefect}" is fixed; remove the mark`,
            );
        } else if (found.length > 0) {
          failures.push(`${c.name}: ${found.join('; ')}`);
        }
      }
      expect(failures).toEqual([]);
      expect(logger.errors.slice(errorsBefore)).toEqual([]);
    }, 300_000);
  }
});

const sqsSafe = (text: string) => text.replace(SQS_REFUSED_CHARACTERS, '?');

const workflowId = fc.oneof(
  fc.constantFrom(
    'staged-sqs-fuzz-1',
    'staged-sqs-fuzz-2',
    `${OPEN_ID_PREFIX}sqs-fuzz`,
    'payments-1',
    '',
    '../x',
  ),
  fc.stringMatching(/^staged-[A-Za-z0-9._:-]{1,20}$/),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const messageShaped = fc
  .record(
    {
      workflowId: fc.oneof(workflowId, fc.jsonValue()),
      signal: fc.oneof(
        fc.constantFrom('advanceStage', 'anything', 'terminate', '__proto__'),
        fc.string({ maxLength: 20 }),
        fc.jsonValue(),
      ),
      payload: fc.oneof(
        fc.record({ stage: fc.integer({ min: -2, max: 5 }) }),
        fc.record({ stage: fc.jsonValue() }, { requiredKeys: [] }),
        fc.jsonValue({ maxDepth: 5 }),
      ),
      eventId: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.stringMatching(/^[!-~]{1,40}$/),
        fc.integer(),
        fc.constant(null),
      ),
    },
    { requiredKeys: [] },
  )
  .map((message) => JSON.stringify(message));
const body = fc
  .oneof(
    messageShaped,
    messageShaped,
    fc.json({ maxDepth: 5 }),
    fc.string({ minLength: 1, maxLength: 200 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
    fc
      .tuple(
        fc.constantFrom(['staged-deep', 'advanceStage'], [`${OPEN_ID_PREFIX}deep`, 'anything']),
        fc.integer({ min: 1, max: 6000 }),
      )
      .map(
        ([[id, signal], depth]) =>
          `{"workflowId":"${id}","signal":"${signal}","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      ),
  )
  .map(sqsSafe);

describe('fuzzing SQS message bodies through the real batch handler', () => {
  it('dead-letters or delivers every record, never throws, and leaves nothing permanent for redelivery', async () => {
    const queue = stack.queues.events;
    const failures: string[] = [];
    /** Records the handler did not leave for redelivery: each is checked against the DLQ at the end. */
    const handled = new Map<string, string>();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 10 }), async (bodies) => {
        run += 1;
        const { Successful = [], Failed = [] } = await stack.client.send(
          new SendMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: bodies.map((text, i) => ({ Id: String(i), MessageBody: text })),
          }),
        );
        tally.fuzzRefusedBySqs += Failed.length;
        const sent = new Map(Successful.map((entry) => [entry.MessageId!, bodies[Number(entry.Id)]!]));
        const [result] = await consume(queue, sent.size);
        tally.fuzzMessages += sent.size;
        if (result?.thrown) {
          tally.handlerThrows += 1;
          failures.push(`run ${run}: handler threw ${describeError(result.thrown)}`);
          return false;
        }
        const retained = new Set((result?.response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        for (const [messageId, text] of sent) {
          if (!retained.has(messageId)) {
            handled.set(messageId, text);
            continue;
          }
          // Temporal is up and patient here: nothing has a reason to be transient.
          tally.retriedPermanentFailures += 1;
          const known = explainSqsRetention(runtime.config, { messageId, body: text });
          if (known) {
            tally.fuzzKnownDefects += 1;
            const seen = (knownDefectsSeen[known] ??= []);
            if (seen.length < 12) seen.push(`fuzz: ${JSON.stringify(text.slice(0, 120))}`);
          } else failures.push(`run ${run}: left for redelivery: ${text.slice(0, 200)}`);
        }
        return failures.length === 0;
      }),
      fuzzParameters(),
    );

    // Everything not left for redelivery is either in the DLQ with a reason or was deliverable.
    const dead = await deadLetters(stack.queues.eventsDlq);
    for (const [messageId, text] of handled) {
      const copy = dead.get(messageId);
      if (copy) {
        tally.fuzzDeadLettered += 1;
        const type = attribute(copy, DLQ_ATTRIBUTES.errorType) ?? 'none';
        errorTypes[type] = (errorTypes[type] ?? 0) + 1;
        if (type === 'none' || (attribute(copy, DLQ_ATTRIBUTES.errorMessage) ?? '').length < 5) {
          failures.push(`dead-lettered without a reason: ${text.slice(0, 200)}`);
        }
        continue;
      }
      // Neither retried nor dead-lettered: it must have been a deliverable signal, now in a history.
      tally.fuzzDelivered += 1;
      const parsed = JSON.parse(text) as { workflowId: string };
      const exists = await env.client.workflow
        .getHandle(parsed.workflowId)
        .describe()
        .then(
          () => true,
          () => false,
        );
      if (!exists) failures.push(`neither delivered nor dead-lettered: ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(logger.errors).toEqual([]);
  }, 300_000);
});

afterAll(() => {
  writeSection({
    name: 'bad-input-sqs',
    title:
      'Bad input on the queue (corpus and fuzzing, real ElasticMQ + batch handler + Temporal dev server)',
    summary: [
      `${tally.corpusMessages} corpus messages (the corpus on the standard and on the FIFO queue); ${tally.corpusRefusedBySqs} refused by SQS itself at SendMessage; ${tally.corpusDeadLettered} ended in the DLQ with a reason; ${tally.corpusKnownDefects} hit a known open defect (see details).`,
      `${tally.fuzzMessages} fuzzed message bodies (fast-check: message-shaped JSON with hostile fields, arbitrary JSON, text, deep nesting); ${tally.fuzzDeadLettered} dead-lettered with a reason, ${tally.fuzzDelivered} valid ones delivered, ${tally.fuzzKnownDefects} left for redelivery by a known open defect.`,
      `The handler threw ${tally.handlerThrows} times and left ${tally.retriedPermanentFailures} permanent failures for redelivery.`,
    ],
    figures: { fuzzSeed: FUZZ_SEED, ...tally },
    totals: { serverErrorsOnBadInput: tally.handlerThrows + tally.retriedPermanentFailures },
    details: { dlqErrorTypes: errorTypes, knownDefects: knownDefectsSeen, gatewayLogCounts: logger.counts },
  });
});
