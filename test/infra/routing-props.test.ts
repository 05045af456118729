/**
 * Typed routing props say an operation's arguments as a workflow's handler takes them: zod's
 * `z.void()` / `z.undefined()` (which JSON Schema cannot state) mean no argument, `z.tuple` several
 * positional ones; queries and starts take schemas too.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { routingToConfigJson } from '../../infra/props/routing';

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
