/**
 * The schemas of routes as configured — CloudEvent routes (core/route-compiler.ts) and a webhook
 * source's routes (core/webhook-routes.ts) — and of their payload mappings. zod, so loaded only
 * where a configuration is validated in full, never by a function running a sealed configuration.
 */
import * as z from 'zod';
import { OperationNameSchema } from './identifiers';

/** A mapped field with the value to pass when the event lacks it: `{ "path": "data.currency", "default": "EUR" }`. */
export const PayloadDefaultSchema = z.lazy(() =>
  z.strictObject({ path: z.string().min(1), default: z.json() }),
);

// Built at the first validation (z.lazy): a cold start compiling a validated configuration never builds it.
export const RouteSchema = z.lazy(() =>
  z.strictObject({
    /** Names the route in responses and logs. */
    name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits, _ . : -'),
    match: z.strictObject({
      /** The event `type`, exactly. */
      type: z.string().min(1).optional(),
      /** Or a prefix of the event `type`, e.g. `com.example.payment.`. */
      typePrefix: z.string().min(1).optional(),
      /** The event `source`, exactly; absent = any source. */
      source: z.string().min(1).optional(),
    }),
    /** Workflow-ID template, e.g. `staged-{data.workflowKey}`. */
    workflowId: z.string().min(1),
    /** The signal to send; set this or `update`. */
    signal: OperationNameSchema.optional(),
    /** The update to run; set this or `signal`. */
    update: OperationNameSchema.optional(),
    /** `true`: start the workflow with the mapped input (its target must declare `start`). */
    start: z.literal(true).optional(),
    /**
     * The argument: a field path (`data`, the default, passes the whole data) or an object whose
     * values are field paths, e.g. `{ "stage": "data.stage" }`, or a path with a default for an event
     * without it, e.g. `{ "currency": { "path": "data.currency", "default": "EUR" } }`. A field the
     * event lacks (and no default) is left out when the operation's schema makes it optional.
     */
    payload: z
      .union([z.string(), z.record(z.string().min(1), z.union([z.string(), PayloadDefaultSchema]))])
      .default('data'),
    /** Overrides the target's `startIfMissing` for events on this route. */
    startIfMissing: z.boolean().optional(),
  }),
);

export type RouteConfig = z.output<typeof RouteSchema>;

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

/** A webhook route as configured, its defaults filled in. */
export type WebhookRouteConfig = z.output<typeof WebhookRouteSchema>;

/** A field condition as configured. */
export type ConditionConfig = z.output<ReturnType<typeof conditionSchema>>;
