/**
 * The load's bookkeeping, checked on its own: a counting bug would hide exactly the loss and
 * duplication the reliability suite exists to find.
 */
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../functions/core/gateway-config';
import { prepareSignal } from '../../functions/core/commands';
import {
  POISON_KINDS,
  countEffects,
  countOutcomes,
  finalEvents,
  loadEvents,
  loadTarget,
  signalBody,
  sqsBatches,
  sqsMessageBody,
} from './support/load-model';
import { parseSqsRecord } from '../../functions/core/sqs-message';

const config = parseGatewayConfig({ targets: [loadTarget('tq')] });

describe('the load model', () => {
  it('gives every workflow its events over both channels, each with its own id and sequence number', () => {
    const events = loadEvents('t', 20, 10);
    expect(events).toHaveLength(200);
    expect(new Set(events.map((e) => e.id)).size).toBe(200);
    const first = events.filter((e) => e.workflowId === 'load-t-0');
    expect(first.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(first.filter((e) => e.channel === 'http')).toHaveLength(5);
    // Stage 3 never comes from the load: the final events bring it. The last load event raises
    // stage 2, so the long (heartbeating) step runs while the faults do.
    expect(first.map((e) => e.stage)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 2]);
    expect(finalEvents('t', 20, 10).every((e) => e.stage === 3 && e.seq === 10)).toBe(true);
  });

  it('builds events the load target accepts, over HTTP and as SQS messages', () => {
    for (const event of [...loadEvents('t', 2, 4), ...finalEvents('t', 2, 4)]) {
      const http = prepareSignal(config, {
        workflowId: event.workflowId,
        signal: 'advanceStage',
        payload: signalBody(event),
        eventId: event.id,
      });
      expect(http.ok).toBe(true);
      const sqs = parseSqsRecord(config, { messageId: 'm', body: sqsMessageBody(event) });
      expect(sqs.ok && sqs.value[0]?.command.eventId).toBe(`@sqs:queue:${event.id}`);
    }
  });

  it('puts one poison message, of a kind the gateway refuses, in every tenth SQS batch', () => {
    const batches = sqsBatches(
      loadEvents('t', 100, 10).filter((e) => e.channel === 'sqs'),
      't',
    );
    // Full batches of ten; only the last may be shorter.
    expect(batches.slice(0, -1).every((batch) => batch.length === 10)).toBe(true);
    expect(batches.at(-1)!.length).toBeLessThanOrEqual(10);
    batches.forEach((batch, index) => {
      const poison = batch.filter((entry) => entry.poison);
      expect(poison).toHaveLength((index + 1) % 10 === 0 ? 1 : 0);
    });
    const poison = batches.flatMap((batch) => batch.flatMap((entry) => (entry.poison ? [entry.poison] : [])));
    expect(new Set(poison.map((p) => p.kind)).size).toBe(POISON_KINDS.length);
    // Markers find poison messages in the DLQ by substring: none may contain another.
    for (const a of poison)
      for (const b of poison) if (a !== b) expect(a.body.includes(b.marker)).toBe(false);
    for (const p of poison) {
      const parsed = parseSqsRecord(config, { messageId: 'm', body: p.body });
      expect(parsed.ok ? 'accepted' : parsed.problem.code).toBe(p.errorType);
    }
    // Every event is in exactly one batch.
    const sent = batches.flatMap((batch) => batch.flatMap((entry) => (entry.event ? [entry.event.id] : [])));
    expect(new Set(sent).size).toBe(500);
  });

  it('counts lost, duplicated and unexplained signals from what the histories recorded', () => {
    const events = loadEvents('t', 2, 3);
    for (const event of events) event.ackedAt = 1;
    const unacked = events.find((e) => e.workflowId === 'load-t-1' && e.seq === 2)!;
    delete unacked.ackedAt;
    const recorded = new Map<string, unknown[]>([
      ['load-t-0', [0, 1, 1, 7]],
      ['load-t-1', [0, 1]],
    ]);
    const result = countOutcomes(events, recorded);
    expect(result).toEqual({
      acknowledged: 5,
      lost: ['load-t-0.2'],
      duplicated: ['load-t-0.1 ×2'],
      unexplained: ['load-t-0#7'],
      exactlyOnce: 3,
    });
  });

  it('counts duplicates by effect: events a workflow applied beyond the distinct acknowledged ones', () => {
    const events = loadEvents('t', 3, 2);
    for (const event of events) event.ackedAt = 1;
    delete events.find((e) => e.workflowId === 'load-t-2' && e.seq === 1)!.ackedAt;
    const applied = new Map([
      ['load-t-0', 2],
      ['load-t-1', 3],
      ['load-t-2', 0],
    ]);
    expect(countEffects(events, applied)).toEqual({
      duplicated: ['load-t-1 +1'],
      missing: ['load-t-2 -1'],
      applied: 5,
    });
  });
});
