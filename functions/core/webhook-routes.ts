/**
 * Webhook routes as configured: which of a source's events (by type, exactly, by prefix or by glob,
 * and by field conditions) go to which workflow, as which signal, update or start, with which
 * argument. Compiled once at start-up with the source that declares them (webhook-sources.ts).
 */
import * as z from 'zod';
import type { FieldCondition, WebhookRoute } from './gateway-config-model';
import { OperationNameSchema } from './identifiers';
import { compileMapping, PayloadDefaultSchema } from './payload-mapping';
import { parseTemplate } from './route-expressions';
import { routeKind } from './route-compiler';
import { parseWebhookPath } from './webhook-fields';

const scalar = () => z.union([z.string(), z.number(), z.boolean()]);

/** A field condition: equal to a value, one of several, or present/absent. */
const conditionSchema = () =>
  z.union([
    scalar(),
    z.strictObject({ in: z.array(scalar()).min(1) }),
    z.strictObject({ exists: z.boolean() }),
  ]);

// Built at the first validation (z.lazy): a cold start compiling a validated configuration never builds it.
export const WebhookRouteSchema = z.lazy(() =>
  z.strictObject({
    /** Names the route in responses, logs and DLQ reasons. */
    name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits, _ . : -'),
    match: z
      .strictObject({
        /** The event type, exactly (e.g. `payment_intent.succeeded`). */
        type: z.string().min(1).optional(),
        /** Or a prefix of it (e.g. `payment_intent.`). */
        typePrefix: z.string().min(1).optional(),
        /** Or a glob: `*` matches within one dot-separated part, `**` across parts (`pull_request.*`). */
        typeGlob: z.string().min(1).optional(),
        /** Field conditions that must all hold, e.g. `{ "data.object.currency": "eur" }`. */
        fields: z.record(z.string().min(1), conditionSchema()).optional(),
      })
      .default({}),
    /** Workflow-ID template over body fields and headers, e.g. `order-{data.object.metadata.orderId}`. */
    workflowId: z.string().min(1),
    signal: OperationNameSchema.optional(),
    update: OperationNameSchema.optional(),
    /** `true`: start the workflow with the mapped input (its target must declare `start`). */
    start: z.literal(true).optional(),
    /**
     * The argument: `body` (default, the whole body), one field path, or an object whose values are
     * field paths or constants, e.g. `{ "stage": { "value": 1 }, "pr": "pull_request.number" }`.
     */
    payload: z
      .union([
        z.string(),
        z.record(
          z.string().min(1),
          z.union([z.string(), z.strictObject({ value: z.json() }), PayloadDefaultSchema]),
        ),
      ])
      .default('body'),
    /** Overrides the target's `startIfMissing` for events on this route. */
    startIfMissing: z.boolean().optional(),
  }),
);

/** `*` within one dot-separated part, `**` across parts; everything else literal. */
export function compileGlob(glob: string): RegExp {
  const body = glob
    .split(/(\*\*|\*)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^.]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`, 'u');
}

function compileCondition(condition: z.output<ReturnType<typeof conditionSchema>>): FieldCondition {
  if (typeof condition !== 'object') return (value, found) => found && value === condition;
  if ('in' in condition) return (value, found) => found && condition.in.some((option) => option === value);
  return (_value, found) => found === condition.exists;
}

function compileTypeMatch(
  match: z.output<typeof WebhookRouteSchema>['match'],
  where: string,
  problems: string[],
) {
  const given = [match.type, match.typePrefix, match.typeGlob].filter((value) => value !== undefined);
  if (given.length > 1) problems.push(`${where}.match: set at most one of "type", "typePrefix", "typeGlob"`);
  if (match.type !== undefined) return (type: string | undefined) => type === match.type;
  if (match.typePrefix !== undefined) {
    const prefix = match.typePrefix;
    return (type: string | undefined) => type !== undefined && type.startsWith(prefix);
  }
  if (match.typeGlob !== undefined) {
    const glob = compileGlob(match.typeGlob);
    return (type: string | undefined) => type !== undefined && glob.test(type);
  }
  return () => true;
}

export function compileWebhookRoute(
  route: z.output<typeof WebhookRouteSchema>,
  where: string,
  problems: string[],
): WebhookRoute {
  const { kind, operation } = routeKind(route, where, problems);
  const template = parseTemplate(route.workflowId, parseWebhookPath);
  if (!template.ok) problems.push(`${where}.workflowId: ${template.error}`);
  const conditions = Object.entries(route.match.fields ?? {}).flatMap(([text, condition]) => {
    const path = parseWebhookPath(text);
    if (!path.ok) {
      problems.push(`${where}.match.fields: ${path.error}`);
      return [];
    }
    return [{ path: path.path, holds: compileCondition(condition) }];
  });
  return {
    name: route.name,
    kind,
    operation,
    matchesType: compileTypeMatch(route.match, where, problems),
    conditions,
    workflowId: template.ok ? template.template : { source: route.workflowId, parts: [], fields: [] },
    payload: compileMapping(route.payload, `${where}.payload`, problems, parseWebhookPath),
    ...(route.startIfMissing === undefined ? {} : { startIfMissing: route.startIfMissing }),
  };
}
