import { FINAL_STAGE, QUERIES, SIGNALS, UPDATES, WORKFLOW_TYPES, DEFAULT_TASK_QUEUE } from '../../contract';
import { HANDSHAKE } from '../../contract/demo-handshake';
import { DEMO_SOURCE_SECRET_ENV } from './env-names';
import type { GatewayConfigInput } from './gateway-config';
import type { SourceConfigInput } from './webhook-sources';

const stageCommandSchema = {
  type: 'object',
  properties: { stage: { type: 'integer', minimum: 0, maximum: FINAL_STAGE } },
  required: ['stage'],
  additionalProperties: false,
};

const demoSecret = (name: keyof typeof DEMO_SOURCE_SECRET_ENV) => ({
  env: DEMO_SOURCE_SECRET_ENV[name],
  optional: true,
});
const stage = (value: number) => ({ stage: { value } });

/**
 * Demo webhook sources, one per preset, each advancing a staged workflow named by the provider's
 * own business key (docs/webhooks.md has a recipe for each).
 */
export const DEMO_SOURCES = [
  {
    name: 'stripe',
    verifier: { preset: 'stripe' },
    secret: demoSecret('stripe'),
    routes: [
      {
        // The PaymentIntent carries the order's key in its metadata, set when it was created.
        name: 'payment-succeeded',
        match: { type: 'payment_intent.succeeded' },
        workflowId: 'staged-{data.object.metadata.workflowKey}',
        signal: SIGNALS.advanceStage,
        payload: stage(1),
      },
    ],
  },
  {
    name: 'github',
    verifier: { preset: 'github' },
    secret: demoSecret('github'),
    routes: [
      {
        // X-GitHub-Event is not signed: the route also matches what the signed body says.
        name: 'pr-opened',
        match: {
          type: 'pull_request.opened',
          fields: { action: 'opened', 'pull_request.number': { exists: true }, 'pull_request.merged': false },
        },
        workflowId: 'staged-{repository.name}-pr-{pull_request.number}',
        signal: SIGNALS.advanceStage,
        payload: stage(1),
      },
      {
        name: 'pr-merged',
        match: {
          type: 'pull_request.closed',
          fields: { action: 'closed', 'pull_request.number': { exists: true }, 'pull_request.merged': true },
        },
        workflowId: 'staged-{repository.name}-pr-{pull_request.number}',
        signal: SIGNALS.advanceStage,
        payload: stage(2),
      },
    ],
  },
  {
    name: 'standard-webhooks',
    verifier: { preset: 'standard-webhooks' },
    secret: demoSecret('standard-webhooks'),
    routes: [
      {
        name: 'stage-advanced',
        match: { type: 'stage.advanced' },
        workflowId: 'staged-{data.workflowKey}',
        signal: SIGNALS.advanceStage,
        payload: { stage: 'data.stage' },
      },
    ],
  },
  {
    name: 'slack',
    verifier: { preset: 'slack' },
    secret: demoSecret('slack'),
    routes: [
      {
        name: 'app-mention',
        match: { type: 'app_mention' },
        workflowId: 'staged-slack-{event.channel}',
        signal: SIGNALS.advanceStage,
        payload: stage(1),
      },
    ],
  },
  {
    name: 'shopify',
    verifier: { preset: 'shopify' },
    secret: demoSecret('shopify'),
    routes: [
      {
        // X-Shopify-Topic is not signed: a captured orders/create body re-sent as orders/paid must not
        // pass for a payment, so the route also needs the signed body to say the order is paid.
        name: 'order-paid',
        match: { type: 'orders/paid', fields: { financial_status: 'paid' } },
        workflowId: 'staged-shopify-{id}',
        signal: SIGNALS.advanceStage,
        payload: stage(1),
      },
    ],
  },
  {
    // A partner's own scheme: hex HMAC-SHA256 over "{timestamp}.{body}", the id in a header.
    name: 'partner',
    verifier: {
      preset: 'hmac',
      header: 'x-partner-signature',
      prefix: 'sha256=',
      timestampHeader: 'x-partner-timestamp',
    },
    secret: demoSecret('partner'),
    eventId: { field: 'id' },
    routes: [
      {
        name: 'shipment',
        match: { typePrefix: 'shipment.', fields: { 'shipment.status': { in: ['shipped', 'delivered'] } } },
        workflowId: 'staged-{shipment.orderKey}',
        signal: SIGNALS.advanceStage,
        payload: stage(3),
      },
    ],
  },
] satisfies SourceConfigInput[];

type TargetInput = GatewayConfigInput['targets'][number];

/** The seed's staged workflow, reachable for IDs like `staged-order-42`. */
const stagedTarget = {
  name: 'staged',
  workflowIdPattern: '^staged-[A-Za-z0-9._:-]{1,120}$',
  workflowType: WORKFLOW_TYPES.staged,
  taskQueue: DEFAULT_TASK_QUEUE,
  signals: { [SIGNALS.advanceStage]: { schema: stageCommandSchema } },
  updates: { [UPDATES.setStage]: { schema: stageCommandSchema } },
  queries: [QUERIES.progress],
  startIfMissing: true,
  // `POST /v1/workflows/staged-…` starts one with no input, as the SDK's client would.
  start: {},
} satisfies TargetInput;

/**
 * The callback demo: a partner's POST to a minted URL arrives as this signal. A callback never
 * starts a workflow, so the target does not need start-if-missing.
 */
const handshakeTarget = {
  name: 'handshake',
  workflowIdPattern: HANDSHAKE.workflowIdPattern,
  workflowType: HANDSHAKE.workflowType,
  taskQueue: DEFAULT_TASK_QUEUE,
  // The partner's acknowledgement, whatever JSON it posts (`{}`: any value).
  signals: { [HANDSHAKE.acknowledgedSignal]: { schema: {} } },
  queries: [HANDSHAKE.statusQuery],
} satisfies TargetInput;

/** The local default: the staged workflow (first) and the handshake demo. */
export const DEFAULT_GATEWAY_CONFIG = {
  targets: [stagedTarget, handshakeTarget] as [typeof stagedTarget, typeof handshakeTarget],
  routes: [
    {
      // Senders know their business key, not the workflow ID: the route builds it.
      name: 'stage-advanced',
      match: { type: 'com.example.stage.advanced' },
      workflowId: 'staged-{data.workflowKey}',
      signal: SIGNALS.advanceStage,
      payload: { stage: 'data.stage' },
      startIfMissing: true,
    },
  ],
  sources: DEMO_SOURCES,
} satisfies GatewayConfigInput;
