/**
 * Wire names of the handshake demo (`handshakeWorkflow`): a workflow hands a partner a callback URL
 * and waits for its POST, then waits on a warehouse that completes an activity through another.
 * Never rename them: they are in workflow histories.
 */

export const HANDSHAKE = {
  workflowType: 'handshakeWorkflow',
  /** The signal the partner's callback delivers. */
  acknowledgedSignal: 'partnerAcknowledged',
  /** What the workflow is waiting for, and the id (never the URL) of the callback it handed out. */
  statusQuery: 'handshakeStatus',
  /**
   * The demo's stand-in for e-mail: the directory the worker writes each callback URL to (one file
   * per workflow and recipient, readable by the owner only), where `npm run demo:handshake` reads
   * it. A callback URL is a bearer capability: it goes to its recipient, never to a log or a query.
   */
  outboxEnv: 'HANDSHAKE_OUTBOX_DIR',
  /** The outbox when the variable is unset: under the OS temp directory. */
  defaultOutboxName: 'event-gateway-handshake-outbox',
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
  /**
   * The id of the callback handed to the partner, once minted (its token id, the event id of its
   * POST). Never the URL: the URL is the partner's credential, and a query answers any caller the
   * gateway lets query.
   */
  partnerCallbackId?: string;
  acknowledgement?: unknown;
}

/** What `handshakeWorkflow` returns. */
export interface HandshakeResult {
  acknowledgement: unknown;
  /** The body the warehouse POSTed to complete its activity; absent when skipped. */
  warehouseReceipt?: unknown;
}

/** The outbox file a callback URL for `recipient` of `workflowId` is written to. */
export const handshakeOutboxFile = (dir: string, workflowId: string, recipient: 'partner' | 'warehouse') =>
  `${dir}/${workflowId}.${recipient}.json`;

/** What an outbox file holds. */
export interface HandshakeOutboxEntry {
  callbackId: string;
  url: string;
  failUrl?: string;
  expiresAt: string;
}
