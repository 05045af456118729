/** The order's one side effect: confirming it once payment and shipment are known. */
import { log } from '@temporalio/activity';

export interface ConfirmOrderInput {
  orderId: string;
  amount: number;
  trackingId: string;
}

export function createActivities() {
  return {
    async confirmOrder(input: ConfirmOrderInput): Promise<string> {
      log.info('order confirmed', { ...input });
      return `confirmed ${input.orderId}: ${input.amount.toFixed(2)} paid, tracking ${input.trackingId}`;
    },
  };
}
