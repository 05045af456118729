import { describe, expect, it } from 'vitest';
import { checkOperation, prepareSignal, resolveTarget } from '../../../functions/core/commands';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { exceedsDepth, MAX_ARGUMENT_DEPTH } from '../../../functions/core/input-limits';

const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);
const signal = (overrides: Partial<Parameters<typeof prepareSignal>[1]>) =>
  prepareSignal(config, {
    workflowId: 'staged-1',
    signal: 'advanceStage',
    payload: { stage: 1 },
    eventId: 'e-1',
    ...overrides,
  });

describe('preparing a signal', () => {
  it('accepts a declared signal with a valid payload', () => {
    const result = signal({});
    expect(result).toMatchObject({
      ok: true,
      value: { command: { workflowId: 'staged-1', payload: { stage: 1 } } },
    });
  });

  it('refuses a workflow ID no target declares with 403 target-not-declared', () => {
    expect(signal({ workflowId: 'payments-1' })).toMatchObject({
      ok: false,
      problem: { code: 'target-not-declared', field: 'workflowId' },
    });
  });

  it('refuses control characters in a workflow ID as a bad request before matching targets', () => {
    expect(signal({ workflowId: 'staged-1\n' })).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request' },
    });
    expect(signal({ workflowId: 'staged-\u200b1' })).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request' },
    });
  });

  it('takes the target its caller already resolved, and checks the command against it as before', () => {
    const resolved = resolveTarget(config, 'staged-1');
    if (!resolved.ok) throw new Error('the default target declares staged-1');
    const input = { workflowId: 'staged-1', signal: 'advanceStage', payload: { stage: 1 }, eventId: 'e-1' };
    expect(prepareSignal(config, input, resolved.value)).toEqual(prepareSignal(config, input));
    expect(prepareSignal(config, { ...input, payload: { stage: 'two' } }, resolved.value)).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request', field: 'body.stage' },
    });
  });

  it('refuses a signal the target does not declare with 403 operation-not-allowed', () => {
    expect(signal({ signal: 'cancelEverything' })).toMatchObject({
      ok: false,
      problem: { code: 'operation-not-allowed', field: 'signal' },
    });
  });

  it('names the offending body field when the payload breaks the schema', () => {
    const result = signal({ payload: { stage: 'two' } });
    expect(result).toMatchObject({ ok: false, problem: { code: 'invalid-request', field: 'body.stage' } });
    expect(signal({ payload: { stage: 9 } })).toMatchObject({ ok: false, problem: { field: 'body.stage' } });
    expect(signal({ payload: { stage: 1, extra: true } })).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request' },
    });
    expect(signal({ payload: [] })).toMatchObject({ ok: false, problem: { field: 'body' } });
  });

  it('refuses event ids with spaces or control characters', () => {
    expect(signal({ eventId: 'a b' })).toMatchObject({ ok: false, problem: { field: 'eventId' } });
    // A namespaced supplied id is longer than the 255 characters a caller may send, up to 512.
    expect(signal({ eventId: 'x'.repeat(513) })).toMatchObject({ ok: false, problem: { field: 'eventId' } });
  });
});

describe('queries', () => {
  it('allows only declared queries', () => {
    const target = resolveTarget(config, 'staged-1');
    if (!target.ok) throw new Error('expected a target');
    expect(checkOperation(target.value, 'query', 'progress').ok).toBe(true);
    expect(checkOperation(target.value, 'query', 'secrets')).toMatchObject({
      ok: false,
      problem: { code: 'operation-not-allowed' },
    });
  });
});

describe('argument depth', () => {
  it('refuses arguments nested deeper than the limit with a 400 naming the body', () => {
    const deep = JSON.parse(
      `${'['.repeat(MAX_ARGUMENT_DEPTH + 1)}${']'.repeat(MAX_ARGUMENT_DEPTH + 1)}`,
    ) as unknown;
    const shallow = JSON.parse(
      `${'['.repeat(MAX_ARGUMENT_DEPTH)}${']'.repeat(MAX_ARGUMENT_DEPTH)}`,
    ) as unknown;
    const open = parseGatewayConfig({
      targets: [
        {
          name: 'open',
          workflowIdPattern: '^open-.+$',
          workflowType: 'w',
          taskQueue: 'q',
          signals: { any: { schema: {} } },
        },
      ],
    });
    const prepare = (payload: unknown) =>
      prepareSignal(open, { workflowId: 'open-1', signal: 'any', payload, eventId: 'e' });
    expect(prepare(deep)).toMatchObject({ ok: false, problem: { code: 'invalid-request', field: 'body' } });
    expect(prepare(shallow).ok).toBe(true);
    expect(
      exceedsDepth(JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`), MAX_ARGUMENT_DEPTH),
    ).toBe(true);
  });
});
