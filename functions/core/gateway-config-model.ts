/**
 * The gateway configuration as the functions use it, compiled: targets, CloudEvent routes and
 * webhook sources, ready to match and check events. Only the model lives here — the schemas and
 * compilers that build it (targets.ts, routes.ts, webhook-sources.ts, gateway-config.ts) import it,
 * and so does every step that reads a configuration, without importing the parser.
 */
import type { Check } from './check';
import type { CloudEventJson } from './cloud-event';
import type { FieldPath, Template } from './route-expressions';
import type { SecretRef, VerifierConfig } from './webhook-source-schema';

/** What a start may do when a closed run with the same workflow ID exists (Temporal's names). */
export const ID_REUSE_POLICIES = [
  'REJECT_DUPLICATE',
  'ALLOW_DUPLICATE',
  'ALLOW_DUPLICATE_FAILED_ONLY',
] as const;
export type IdReusePolicy = (typeof ID_REUSE_POLICIES)[number];

/**
 * What a start does when a run of the workflow ID is already running, started by another event:
 * `fail` (409), `use-existing` (200, the event's input is not applied) or `terminate-existing`
 * (the running run is terminated and a new one started).
 */
export const START_CONFLICT_POLICIES = ['fail', 'use-existing', 'terminate-existing'] as const;
export type StartConflictPolicy = (typeof START_CONFLICT_POLICIES)[number];

/** The check of a declared operation's argument (its JSON Schema's), ready or built on first use. */
export type ArgumentSchema = () => Check<unknown>;

/** How an operation's argument reaches the workflow: none, one, or a tuple spread into several. */
export type Arity = 'none' | 'one' | 'positional';

/** A declared operation: how many arguments it takes and what they must satisfy. */
export interface Operation {
  arity: Arity;
  /** The argument's schema (`none`: only "no argument"); for `positional`, the whole tuple's. */
  schema: ArgumentSchema;
}

/** What a request does to a workflow. */
export type OperationKind = 'signal' | 'update' | 'query' | 'start';

/** A target ready to use: its pattern compiled and its argument schemas ready to build. */
export interface Target {
  name: string;
  /** Regular expression a workflow ID must match in full, as configured. */
  workflowIdPattern: string;
  workflowType: string;
  taskQueue: string;
  /** Start the workflow when a signal or update finds none (signal-with-start). */
  startIfMissing: boolean;
  /** Arguments of a workflow the gateway starts. */
  startArgs: unknown[];
  /**
   * What a start may do when a closed run with the same ID exists. REJECT_DUPLICATE keeps a
   * redelivered event from starting a second run after the first completed.
   */
  idReusePolicy: IdReusePolicy;
  matches: (workflowId: string) => boolean;
  signals: ReadonlyMap<string, Operation>;
  updates: ReadonlyMap<string, Operation>;
  queries: ReadonlyMap<string, Operation>;
  /** Present when the target's workflows may be started from events. */
  start?: Operation & { conflictPolicy: StartConflictPolicy };
}

/** What a route does with an event: signal, update or start a workflow. */
export type RouteKind = Extract<OperationKind, 'signal' | 'update' | 'start'>;

/** A fixed value in a payload mapping (webhook routes), e.g. `{ "stage": { "value": 1 } }`. */
export interface PayloadConstant {
  value: unknown;
}

/** A mapped field and the value passed when the event lacks it. */
export interface PayloadDefault {
  path: FieldPath;
  default: unknown;
}

/** The argument a route passes: one field (maybe the whole document) or an object of fields. */
export type PayloadMapping =
  { whole: FieldPath } | { fields: ReadonlyMap<string, FieldPath | PayloadConstant | PayloadDefault> };

/** A CloudEvent route ready to use: its match, template and mapping compiled. */
export interface Route {
  name: string;
  kind: RouteKind;
  operation: string;
  matches: (event: CloudEventJson) => boolean;
  workflowId: Template;
  payload: PayloadMapping;
  startIfMissing?: boolean;
}

/** What turns a matched event into a command; CloudEvent and webhook routes share it. */
export type RouteDelivery = Omit<Route, 'matches'>;

/** Where a webhook event's id or type is read. `digest`: the SHA-256 of the signed body. */
export type ValueSource =
  | { kind: 'header'; name: string; actionField?: FieldPath }
  | { kind: 'field'; path: FieldPath }
  | { kind: 'digest' };

/** A field condition of a webhook route, given the field's value and whether the event has it. */
export type FieldCondition = (value: unknown, found: boolean) => boolean;

/** A webhook route ready to use. */
export interface WebhookRoute {
  name: string;
  kind: RouteKind;
  operation: string;
  matchesType: (type: string | undefined) => boolean;
  conditions: readonly { path: FieldPath; holds: FieldCondition }[];
  workflowId: Template;
  payload: PayloadMapping;
  startIfMissing?: boolean;
}

/** A webhook source ready to use. */
export interface Source {
  name: string;
  verifier: VerifierConfig;
  secret?: SecretRef;
  eventId: readonly ValueSource[];
  eventType: readonly ValueSource[];
  routes: readonly WebhookRoute[];
  answerWithinMs: number;
}

/** A compiled gateway configuration: what every request is checked and routed against. */
export interface GatewayConfig {
  targets: readonly Target[];
  routes: readonly Route[];
  sources: readonly Source[];
}
