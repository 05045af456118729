/**
 * The order's side effects: asking the warehouse to ship (handing it a callback URL to POST when the
 * parcel leaves) and confirming the order once payment and shipment are known.
 */
import { Context, log } from '@temporalio/activity';
import { callbackMinterFromEnv, type CallbackMinter } from 'temporal-event-gateway/worker';
import { ORDER_SIGNALS } from '../workflows/order-contract';

export interface ConfirmOrderInput {
  orderId: string;
  amount: number;
  trackingId: string;
}

export interface ActivityDeps {
  /** @default from CALLBACK_BASE_URL and CALLBACK_SIGNING_KEYS (the CDK worker service sets both) */
  minter?: CallbackMinter;
}

export function createActivities(deps: ActivityDeps = {}) {
  const minter = deps.minter ?? callbackMinterFromEnv();
  return {
    /**
     * Hands the warehouse a URL that delivers `shipmentDispatched` to this order when POSTed with
     * `{ "carrier", "trackingId" }` — the warehouse needs no credentials. A real app e-mails it or
     * calls the warehouse's API; this one logs it.
     */
    async requestShipment(input: { orderId: string }): Promise<string | undefined> {
      if (!minter) {
        log.warn('callbacks not configured: the warehouse sends a shipment-dispatched event instead', input);
        return undefined;
      }
      const { url, expiresAt } = await minter.mint({
        workflowId: Context.current().info.workflowExecution?.workflowId ?? input.orderId,
        signal: ORDER_SIGNALS.shipmentDispatched,
        expiresInSeconds: 14 * 24 * 3600,
      });
      log.info(`warehouse callback URL for ${input.orderId}: ${url}`, { expiresAt });
      return url;
    },
    async confirmOrder(input: ConfirmOrderInput): Promise<string> {
      log.info('order confirmed', { ...input });
      return `confirmed ${input.orderId}: ${input.amount.toFixed(2)} paid, tracking ${input.trackingId}`;
    },
  };
}
