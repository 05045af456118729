/**
 * Wire names of the handshake demo (`handshakeWorkflow`): a workflow hands a partner a callback URL
 * and waits for its POST, then waits on a warehouse that completes an activity through another.
 * Never rename them: they are in workflow histories.
 */

export const HANDSHAKE = {
  workflowType: 'handshakeWorkflow',
  /** The signal the partner's callback delivers. */
  acknowledgedSignal: 'partnerAcknowledged',
  /** What the workflow is waiting for, and the URLs it handed out. */
  statusQuery: 'handshakeStatus',
  /** Workflow IDs the local gateway declares for the demo. */
  workflowIdPattern: '^handshake-[A-Za-z0-9._:-]{1,120}$',
} as const;

/** Start argument of `handshakeWorkflow`. */
export interface HandshakeInput {
  /** Seconds the partner's URL works. @default 3600 */
  expiresInSeconds?: number;
  /** Skip the warehouse step (the activity-completion callback). @default false */
  skipWarehouse?: boolean;
}

/** Result of the `handshakeStatus` query. */
export interface HandshakeStatus {
  waitingFor: 'callback-url' | 'partner' | 'warehouse' | 'nothing';
  /** The URL handed to the partner, once minted. */
  partnerCallbackUrl?: string;
  acknowledgement?: unknown;
}

/** What `handshakeWorkflow` returns. */
export interface HandshakeResult {
  acknowledgement: unknown;
  /** The body the warehouse POSTed to complete its activity; absent when skipped. */
  warehouseReceipt?: unknown;
}
