import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import {
  compileValidatedGatewayConfig,
  GatewayConfigError,
  parseGatewayConfig,
  parseGatewayConfigJson,
  validateGatewayConfig,
  type ValidatedGatewayConfig,
} from '../../../functions/core/gateway-config';
import type { GatewayConfig } from '../../../functions/core/gateway-config-model';

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

/** What a compiled configuration decides, in data: which IDs each target takes, which arguments pass. */
function decisions(config: GatewayConfig, ids: readonly string[], samples: readonly unknown[]) {
  return {
    targets: config.targets.map((t) => ({
      name: t.name,
      startIfMissing: t.startIfMissing,
      idReusePolicy: t.idReusePolicy,
      takes: ids.filter((id) => t.matches(id)),
      signals: [...t.signals].map(([name, { arity, schema }]) => [
        name,
        arity,
        samples.map((v) => schema()(v).ok),
      ]),
      updates: [...t.updates].map(([name, { arity, schema }]) => [
        name,
        arity,
        samples.map((v) => schema()(v).ok),
      ]),
    })),
    routes: config.routes.map((r) => r.name),
    sources: config.sources.map((s) => [s.name, s.verifier, s.secret, s.routes.length]),
  };
}

describe('a configuration the synth validated', () => {
  const ids = ['staged-order-42', 'staged-', 'order-1', 'handshake-7', 'x'];
  const samples = [{ stage: 1 }, { stage: 'one' }, 'text', 3, null, {}];

  it('comes back from validation with every default filled in, and validating it again changes nothing', () => {
    const validated = validateGatewayConfig({ targets: [target] });
    expect(validated.targets[0]).toMatchObject({
      signals: {},
      updates: {},
      queries: {},
      startIfMissing: false,
      idReusePolicy: 'REJECT_DUPLICATE',
    });
    expect(validated).toMatchObject({ routes: [], sources: [] });
    const demo = validateGatewayConfig(DEFAULT_GATEWAY_CONFIG);
    expect(validateGatewayConfig(JSON.parse(JSON.stringify(demo)))).toEqual(demo);
  });

  it('compiles without validation into the same decisions as a full parse', () => {
    const validated = JSON.parse(
      JSON.stringify(validateGatewayConfig(DEFAULT_GATEWAY_CONFIG)),
    ) as ValidatedGatewayConfig;
    const trusted = decisions(compileValidatedGatewayConfig(validated), ids, samples);
    expect(trusted).toEqual(decisions(parseGatewayConfig(DEFAULT_GATEWAY_CONFIG), ids, samples));
    // The comparison is not vacuous: the demo takes IDs and its schemas reject some arguments.
    expect(trusted.targets.some((t) => t.takes.length > 0)).toBe(true);
    expect(
      trusted.targets.flatMap((t) => t.signals.flatMap(([, , passed]) => passed as boolean[])),
    ).toContain(false);
  });

  it('skips validation and builds an argument schema only when it is first used', () => {
    const unchecked = {
      targets: [
        {
          ...validateGatewayConfig({ targets: [target] }).targets[0],
          name: '',
          signals: { go: { schema: { type: 'no-such-type' } } },
        },
      ],
      routes: [],
      sources: [],
    } as unknown as ValidatedGatewayConfig;
    // A full parse reports both: the empty name (zod) and the unusable JSON Schema (building it).
    expect(() => parseGatewayConfig(unchecked)).toThrow(/targets\.0\.name/);
    expect(() =>
      validateGatewayConfig({ targets: [{ ...target, signals: unchecked.targets[0]!.signals }] }),
    ).toThrow(/targets\[0\]\.signals\.go\.schema: not a usable JSON Schema/);
    const compiled = compileValidatedGatewayConfig(unchecked);
    const go = compiled.targets[0]!.signals.get('go')!;
    expect(() => go.schema()).toThrow(/Unsupported type: no-such-type/);
  });

  it('still reports what compiling finds: a bad pattern, a route to an undeclared target', () => {
    const validated = validateGatewayConfig({ targets: [target] });
    expect(() =>
      compileValidatedGatewayConfig({
        ...validated,
        targets: [{ ...validated.targets[0]!, workflowIdPattern: '(' }],
      }),
    ).toThrow(/targets\[0\]\.workflowIdPattern: invalid regular expression/);
  });

  it('builds each argument schema once', () => {
    const validated = validateGatewayConfig(DEFAULT_GATEWAY_CONFIG);
    const { schema } = compileValidatedGatewayConfig(validated).targets[0]!.signals.get('advanceStage')!;
    expect(schema()).toBe(schema());
  });
});
