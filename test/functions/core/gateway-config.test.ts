import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import {
  GatewayConfigError,
  parseGatewayConfig,
  parseGatewayConfigJson,
} from '../../../functions/core/gateway-config';

const target = {
  name: 't',
  workflowIdPattern: '^order-[0-9]+$',
  workflowType: 'orderWorkflow',
  taskQueue: 'orders',
};

describe('gateway configuration', () => {
  it('accepts the local default and matches staged IDs in full', () => {
    const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
    const staged = config.targets[0]!;
    expect(staged.matches('staged-order-42')).toBe(true);
    expect(staged.matches('staged-')).toBe(false);
    expect(staged.matches('other-staged-1')).toBe(false);
    expect(staged.startIfMissing).toBe(true);
    expect([...staged.signals.keys()]).toEqual(['advanceStage']);
  });

  it('anchors a pattern written without ^ and $ so a prefix match is not enough', () => {
    const config = parseGatewayConfig({ targets: [{ ...target, workflowIdPattern: 'order-[0-9]+' }] });
    expect(config.targets[0]!.matches('order-12')).toBe(true);
    expect(config.targets[0]!.matches('order-12-and-more')).toBe(false);
  });

  it('reports every problem at once, naming each key', () => {
    const attempt = () =>
      parseGatewayConfig({
        targets: [
          { ...target, workflowIdPattern: '(' },
          { ...target, signals: { go: { schema: { type: 'no-such-type' } } } },
        ],
      });
    expect(attempt).toThrow(GatewayConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as GatewayConfigError).problems;
      expect(problems.some((p) => p.startsWith('targets[0].workflowIdPattern'))).toBe(true);
      expect(problems.some((p) => p.includes('declared twice'))).toBe(true);
    }
  });

  it('lists schema violations with their paths', () => {
    try {
      parseGatewayConfig({ targets: [{ name: '', workflowType: 'x', extra: 1 }] });
      expect.unreachable();
    } catch (error) {
      const text = (error as Error).message;
      expect(text).toContain('targets.0.name');
      expect(text).toContain('targets.0.workflowIdPattern');
      expect(text).toContain('targets.0.taskQueue');
      expect(text).toContain('extra');
    }
  });

  it('rejects configuration text that is not JSON with a clear message', () => {
    expect(() => parseGatewayConfigJson('{targets:')).toThrow(/not valid JSON/);
  });
});
