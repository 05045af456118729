import { describe, expect, it } from 'vitest';
import { summarizeDeliveries, type DeliveryReport } from '../../../functions/core/event-outcome';
import { problem } from '../../../functions/core/problems';

const report = (status: DeliveryReport['status'], extra: Partial<DeliveryReport> = {}): DeliveryReport => ({
  route: 'r',
  kind: 'signal',
  workflowId: 'w',
  operation: 'go',
  status,
  ...extra,
});
const gone = problem('workflow-not-found', 'gone', 'workflowId');
const down = problem('temporal-unavailable', 'down');

describe('the answer to a fanned-out event', () => {
  it('is delivered when every delivery was delivered, queued when some were queued', () => {
    expect(summarizeDeliveries([report('delivered'), report('delivered')])).toEqual({
      ok: true,
      value: 'delivered',
    });
    expect(summarizeDeliveries([report('delivered'), report('queued')])).toEqual({
      ok: true,
      value: 'queued',
    });
  });

  it('is partial when some deliveries failed permanently and others got through', () => {
    const reports = [report('delivered'), report('failed', { problem: gone, transient: false })];
    expect(summarizeDeliveries(reports)).toEqual({ ok: true, value: 'partial' });
  });

  it('fails with the transient problem when any delivery may succeed later, so the sender retries', () => {
    const reports = [
      report('delivered'),
      report('failed', { problem: gone, transient: false }),
      report('failed', { problem: down, transient: true }),
    ];
    expect(summarizeDeliveries(reports)).toEqual({ ok: false, problem: down });
  });

  it('fails with the first problem when every delivery failed permanently, counting the others', () => {
    const result = summarizeDeliveries([
      report('failed', { problem: gone, transient: false }),
      report('failed', { problem: problem('workflow-closed', 'closed'), transient: false }),
    ]);
    expect(result).toMatchObject({ ok: false, problem: { code: 'workflow-not-found' } });
    expect(!result.ok && result.problem.detail).toContain('1 other delivery failed too');
  });
});
