/**
 * An order: waits (minutes or weeks) for the payment, then asks the warehouse to ship — handing it
 * a callback URL — and waits for the dispatch, and returns what it received. The first of each
 * event is kept. Events come in through the gateway as signals: the payment as a CloudEvent, the
 * dispatch as the warehouse's POST to its callback URL (or a CloudEvent or queue message).
 */
import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import {
  ORDER_QUERIES,
  ORDER_SIGNALS,
  type OrderResult,
  type PaymentReceived,
  type ShipmentDispatched,
} from './order-contract';

export const paymentReceived = defineSignal<[PaymentReceived]>(ORDER_SIGNALS.paymentReceived);
export const shipmentDispatched = defineSignal<[ShipmentDispatched]>(ORDER_SIGNALS.shipmentDispatched);
export const statusQuery = defineQuery<{ paid: boolean; shipped: boolean }>(ORDER_QUERIES.status);

const { confirmOrder, requestShipment } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
});

export async function orderWorkflow(): Promise<OrderResult> {
  let payment: PaymentReceived | undefined;
  let shipment: ShipmentDispatched | undefined;
  // The first of each event counts; a repeat is ignored (the gateway also dedupes by event id).
  setHandler(paymentReceived, (event) => void (payment ??= event));
  setHandler(shipmentDispatched, (event) => void (shipment ??= event));
  setHandler(statusQuery, () => ({ paid: payment !== undefined, shipped: shipment !== undefined }));

  const orderId = workflowInfo().workflowId;
  await condition(() => payment !== undefined);
  if (shipment === undefined) await requestShipment({ orderId });
  await condition(() => shipment !== undefined);
  const confirmation = await confirmOrder({
    orderId,
    amount: payment!.amount,
    trackingId: shipment!.trackingId,
  });
  return { orderId, payment: payment!, shipment: shipment!, confirmation };
}
