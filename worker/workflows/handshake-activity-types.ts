/** The activities the handshake demo calls (types only: workflow code never imports implementations). */

/** A callback URL handed to someone outside: the partner (a signal) or the warehouse (an activity). */
export interface PartnerNotice {
  workflowId: string;
  /** Who gets the URL. */
  recipient: 'partner' | 'warehouse';
  /** The callback's id (its token id): what may be logged. */
  callbackId: string;
  /** The callback URL itself: a bearer capability for its recipient only. */
  url: string;
  /** For an activity callback: POST `{ "reason": … }` here to fail the step. */
  failUrl?: string;
  expiresAt: string;
}

export interface HandshakeActivities {
  /** Hands the partner its URL (the demo logs it; a real one would e-mail or call the partner's API). */
  notifyPartner(notice: { url: string; callbackId: string; expiresAt: string }): Promise<void>;
  /** Asks the warehouse to dispatch and completes when the warehouse POSTs its callback URL. */
  awaitWarehouse(): Promise<unknown>;
}
