import { FINAL_STAGE, QUERIES, SIGNALS, UPDATES, WORKFLOW_TYPES, DEFAULT_TASK_QUEUE } from '../../contract';
import { HANDSHAKE } from '../../contract/demo-handshake';
import type { GatewayConfigInput } from './gateway-config';

const stageCommandSchema = {
  type: 'object',
  properties: { stage: { type: 'integer', minimum: 0, maximum: FINAL_STAGE } },
  required: ['stage'],
  additionalProperties: false,
};

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
  signals: { [HANDSHAKE.acknowledgedSignal]: {} },
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
} satisfies GatewayConfigInput;
