/**
 * Typed routing props say an operation's arguments as a workflow's handler takes them: zod's
 * `z.void()` / `z.undefined()` (which JSON Schema cannot state) mean no argument, `z.tuple` several
 * positional ones; queries and starts take schemas too.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { argumentCheckName } from '../../functions/adapters/gateway-config-file';
import { routingChecksModule, routingToConfigJson } from '../../infra/props/routing';

const base = {
  name: 'greeting',
  workflowIdPattern: '^greeting-.+$',
  workflowType: 'greetingWorkflow',
  taskQueue: 'q',
};

describe('routingToConfigJson', () => {
  it('writes z.void() as no schema, a tuple as prefixItems, and converts query and start schemas', () => {
    const json = routingToConfigJson({
      targets: [
        {
          ...base,
          signals: { unblock: { schema: z.void() }, approve: { schema: z.object({ approver: z.string() }) } },
          updates: { reset: { schema: z.undefined() } },
          queries: { isBlocked: {}, getLanguages: { schema: z.object({ includeUnsupported: z.boolean() }) } },
          start: { schema: z.tuple([z.string(), z.number()]), conflictPolicy: 'use-existing' },
        },
      ],
    });
    const [target] = (JSON.parse(json) as { targets: Record<string, Record<string, unknown>>[] }).targets;
    expect(target?.signals).toMatchObject({ unblock: {}, approve: { schema: { type: 'object' } } });
    expect(target?.signals?.unblock).toEqual({});
    expect(target?.updates).toEqual({ reset: {} });
    expect(target?.queries).toMatchObject({
      isBlocked: {},
      getLanguages: { schema: { required: ['includeUnsupported'] } },
    });
    expect(target?.start).toMatchObject({
      conflictPolicy: 'use-existing',
      schema: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
    });
  });

  it('keeps queries given as a list of names', () => {
    const json = routingToConfigJson({ targets: [{ ...base, queries: ['isBlocked'] }] });
    expect((JSON.parse(json) as { targets: { queries: unknown }[] }).targets[0]?.queries).toEqual({
      isBlocked: {},
    });
  });
});

describe('routingChecksModule', () => {
  const load = async (code: string) =>
    (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<
      string,
      (value: unknown) => { ok: boolean; issue?: { path: string; message: string } }
    >;

  it('generates one check per distinct argument schema, named by its digest, deciding as the schema says', async () => {
    const point = z.object({ x: z.number(), label: z.string().default('origin') });
    const json = routingToConfigJson({
      targets: [
        {
          ...base,
          signals: { moved: { schema: point }, nudged: { schema: point }, stop: {} },
          updates: { pair: { schema: z.tuple([z.string(), z.number()]) } },
        },
      ],
    });
    const [target] = (JSON.parse(json) as { targets: { signals: Record<string, { schema: object }> }[] })
      .targets;
    const checks = await load(routingChecksModule(json));
    expect(Object.keys(checks)).toHaveLength(2);
    const moved = checks[argumentCheckName(target!.signals.moved!.schema as Record<string, unknown>)]!;
    expect(moved({ x: 1 })).toEqual({ ok: true, value: { x: 1, label: 'origin' } });
    expect(moved({ x: '1' })).toEqual({ ok: false, issue: { path: 'x', message: 'must be number' } });
  });

  it('stops the synth on a schema it cannot compile, naming the operation', () => {
    const json = routingToConfigJson({ targets: [{ ...base, signals: { go: { schema: {} } } }] });
    const broken = json.replace('"schema":{}', '"schema":{"type":"no-such-type"}');
    expect(() => routingChecksModule(broken)).toThrow(/routing\.targets\.0\.signals\.go\.schema/);
  });
});
