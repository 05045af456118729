/**
 * The load's senders, behaving like well-written producers: an HTTP client that retries a 503 or a
 * dropped connection with the SAME Idempotency-Key until it gets a 2xx, and an SQS producer that
 * resends the entries SendMessageBatch did not take. Only a 2xx or a SendMessage success counts as
 * acknowledged — that is the promise under test.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIGNALS } from '../../../contract';
import { signalBody, sqsMessageBody, type LoadEvent, type SqsBatchEntry } from './load-model';

export interface HttpLog {
  /** ms since the load started, status (0 = no answer), and how the gateway took it. */
  at: number;
  status: number;
  taken?: string;
}

export class LoadStats {
  readonly http: HttpLog[] = [];
  httpNoAnswer = 0;
  unexpected: string[] = [];
  sqsBatchesSent = 0;
  sqsSendFailures = 0;
  sqsEntriesRetried = 0;

  /** When the load began; acknowledgement times are relative to it. */
  startedAt = Date.now();

  now(): number {
    return Date.now() - this.startedAt;
  }
}

export interface HttpSenderOptions {
  baseUrl: string;
  stats: LoadStats;
  /** Give up (and fail the run) after this long without a 2xx. */
  giveUpMs?: number;
}

/** Posts one event until the gateway acknowledges it; returns how it was taken. */
export async function postUntilAcknowledged(event: LoadEvent, options: HttpSenderOptions): Promise<void> {
  const { stats } = options;
  const deadline = Date.now() + (options.giveUpMs ?? 300_000);
  const url = `${options.baseUrl}/v1/workflows/${event.workflowId}/signals/${SIGNALS.advanceStage}`;
  for (;;) {
    event.attempts += 1;
    let status = 0;
    let taken: string | undefined;
    let retryAfterMs = 500;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': event.id },
        body: JSON.stringify(signalBody(event)),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      event.posts += 1;
      const text = await response.text();
      if (status === 202) {
        taken = (JSON.parse(text) as { status?: string }).status;
      } else if (status === 503) {
        retryAfterMs = Math.min(Number(response.headers.get('retry-after') ?? 1) * 1000, 1_000);
      } else {
        stats.unexpected.push(`${event.id}: HTTP ${status} ${text.slice(0, 300)}`);
      }
    } catch {
      stats.httpNoAnswer += 1;
    }
    stats.http.push({ at: stats.now(), status, ...(taken ? { taken } : {}) });
    if (status === 202) {
      if (event.ackedAt === undefined) {
        event.ackedAt = stats.now();
        event.ackedAs = taken === 'queued' ? 'queued' : 'delivered';
      }
      return;
    }
    if (status !== 503 && status !== 0) return;
    if (Date.now() > deadline) {
      stats.unexpected.push(`${event.id}: no 2xx within ${options.giveUpMs ?? 300_000} ms`);
      return;
    }
    await sleep(retryAfterMs);
  }
}

/** Sends one batch until SQS has taken every entry; acknowledges events as SQS takes them. */
export async function sendBatchUntilTaken(
  client: SQSClient,
  queueUrl: string,
  batch: readonly SqsBatchEntry[],
  stats: LoadStats,
  onPoisonTaken: (marker: string) => void,
): Promise<void> {
  let pending = batch.map((entry, index) => ({ entry, id: String(index) }));
  stats.sqsBatchesSent += 1;
  const deadline = Date.now() + 300_000;
  while (pending.length > 0) {
    for (const { entry } of pending) if (entry.event) entry.event.attempts += 1;
    let failed = new Set(pending.map((p) => p.id));
    try {
      const { Successful = [], Failed = [] } = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map(({ entry, id }) => ({
            Id: id,
            MessageBody: entry.event ? sqsMessageBody(entry.event) : entry.poison.body,
          })),
        }),
      );
      failed = new Set(Failed.map((f) => f.Id!));
      for (const success of Successful) {
        const entry = pending.find((p) => p.id === success.Id)?.entry;
        if (entry?.event && entry.event.ackedAt === undefined) {
          entry.event.ackedAt = stats.now();
          entry.event.ackedAs = 'sqs';
        }
        if (entry?.poison) onPoisonTaken(entry.poison.marker);
      }
    } catch {
      // SQS down (the crash fault) or the connection dropped: nothing in this call is acknowledged.
      stats.sqsSendFailures += 1;
    }
    pending = pending.filter((p) => failed.has(p.id));
    if (pending.length === 0) return;
    stats.sqsEntriesRetried += pending.length;
    if (Date.now() > deadline) {
      stats.unexpected.push(`SQS did not take ${pending.length} entries within 300 s`);
      return;
    }
    await sleep(1_000);
  }
}
