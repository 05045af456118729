import { FINAL_STAGE, QUERIES, SIGNALS, UPDATES, WORKFLOW_TYPES, DEFAULT_TASK_QUEUE } from '../../contract';
import type { GatewayConfigInput } from './gateway-config';

const stageCommandSchema = {
  type: 'object',
  properties: { stage: { type: 'integer', minimum: 0, maximum: FINAL_STAGE } },
  required: ['stage'],
  additionalProperties: false,
};

/** The local default: the seed's staged workflow, reachable for IDs like `staged-order-42`. */
export const DEFAULT_GATEWAY_CONFIG = {
  targets: [
    {
      name: 'staged',
      workflowIdPattern: '^staged-[A-Za-z0-9._:-]{1,120}$',
      workflowType: WORKFLOW_TYPES.staged,
      taskQueue: DEFAULT_TASK_QUEUE,
      signals: { [SIGNALS.advanceStage]: { schema: stageCommandSchema } },
      updates: { [UPDATES.setStage]: { schema: stageCommandSchema } },
      queries: [QUERIES.progress],
      startIfMissing: true,
    },
  ],
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
