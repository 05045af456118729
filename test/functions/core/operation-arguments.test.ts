/**
 * How a declared operation takes its arguments, as the SDK's handlers do: none (no schema), one,
 * or several (a tuple schema); queries as a list or by name; starts only where a target declares
 * `start`.
 */
import { describe, expect, it } from 'vitest';
import { checkOperation, prepareStart } from '../../../functions/core/commands';
import { parseGatewayConfig, validateGatewayConfig } from '../../../functions/core/gateway-config';
import { wireArguments } from '../../../functions/core/operation-arguments';

const base = { workflowIdPattern: '^w-.+$', workflowType: 'wf', taskQueue: 'q' };
const tuple = {
  type: 'array',
  prefixItems: [{ type: 'string' }, { type: 'number' }],
  minItems: 2,
  maxItems: 2,
};
const config = parseGatewayConfig({
  targets: [
    {
      ...base,
      name: 't',
      start: { schema: tuple },
      signals: { unblock: {}, anything: { schema: {} }, adjust: { schema: tuple } },
      queries: { isBlocked: {}, languages: { schema: { type: 'object', required: ['all'] } } },
    },
    { ...base, name: 'listed', workflowIdPattern: '^l-.+$', queries: ['isBlocked'] },
  ],
});
const [target, listed] = config.targets as [(typeof config.targets)[0], (typeof config.targets)[0]];

describe('an operation declared without a schema', () => {
  it('takes no argument: none reaches the workflow, and a body (even null) is refused', () => {
    expect(checkOperation(target, 'signal', 'unblock', undefined)).toEqual({ ok: true, value: undefined });
    expect(wireArguments(target, 'signal', 'unblock', undefined)).toEqual([]);
    expect(checkOperation(target, 'signal', 'unblock', null)).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request', field: 'body' },
    });
  });

  it('is told from `schema: {}`, which takes any one JSON value (null included) but not none', () => {
    expect(checkOperation(target, 'signal', 'anything', null)).toEqual({ ok: true, value: null });
    expect(wireArguments(target, 'signal', 'anything', null)).toEqual([null]);
    expect(checkOperation(target, 'signal', 'anything', undefined)).toMatchObject({
      ok: false,
      problem: { detail: expect.stringMatching(/takes a JSON argument/) as unknown },
    });
  });
});

describe('a tuple schema', () => {
  it('spreads a JSON array into positional arguments, after checking it', () => {
    expect(checkOperation(target, 'signal', 'adjust', ['fee', -3])).toEqual({ ok: true, value: ['fee', -3] });
    expect(wireArguments(target, 'signal', 'adjust', ['fee', -3])).toEqual(['fee', -3]);
    expect(checkOperation(target, 'signal', 'adjust', ['fee', 'three'])).toMatchObject({
      ok: false,
      problem: { field: 'body.1' },
    });
  });
});

describe('queries', () => {
  it('as a list of names take no argument; by name, each takes what its schema says', () => {
    const validated = validateGatewayConfig({ targets: [{ ...base, name: 'l', queries: ['a', 'b'] }] });
    expect(validated.targets[0]?.queries).toEqual({
      a: {},
      b: {},
    });
    expect(checkOperation(listed, 'query', 'isBlocked', undefined)).toMatchObject({ ok: true });
    expect(checkOperation(listed, 'query', 'isBlocked', {})).toMatchObject({ ok: false });
    expect(checkOperation(target, 'query', 'languages', { all: true })).toMatchObject({ ok: true });
    expect(wireArguments(target, 'query', 'languages', { all: true })).toEqual([{ all: true }]);
    expect(checkOperation(target, 'query', 'languages', undefined)).toMatchObject({ ok: false });
    expect(checkOperation(target, 'query', 'undeclared', undefined)).toMatchObject({
      ok: false,
      problem: { code: 'operation-not-allowed', field: 'query' },
    });
  });
});

describe('starts', () => {
  it('are allowed only where the target declares start (default conflict policy: fail)', () => {
    expect(target.start).toMatchObject({ arity: 'positional', conflictPolicy: 'fail' });
    expect(prepareStart(config, { workflowId: 'w-1', payload: ['a', 1], eventId: 'e' })).toMatchObject({
      ok: true,
      value: { command: { workflowId: 'w-1', payload: ['a', 1], eventId: 'e' } },
    });
    expect(prepareStart(config, { workflowId: 'l-1', payload: undefined, eventId: 'e' })).toMatchObject({
      ok: false,
      problem: { code: 'operation-not-allowed', field: 'workflowId' },
    });
  });

  it('can be a route: start routes need a target that declares start', () => {
    const problems = (() => {
      try {
        parseGatewayConfig({
          targets: [{ ...base, name: 'no-start' }],
          routes: [{ name: 'r', match: { type: 't' }, workflowId: 'w-{data.id}', start: true }],
        });
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    })();
    expect(problems).toEqual([
      expect.stringMatching(/^routes\[0\]\.start: target "no-start".*declares no "start"/),
    ]);
  });
});
