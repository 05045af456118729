/**
 * An order: waits (minutes or weeks) for the payment, then asks the warehouse to ship — handing it
 * a callback URL — and waits for the dispatch, and returns what it received. The first of each
 * event is kept. Events come in through the gateway as signals: the payment as a CloudEvent, the
 * dispatch as the warehouse's POST to its callback URL (or a CloudEvent or queue message).
 *
 * A provider that retries hard can send one order many signals while it waits; before Temporal's
 * per-run signal limit the order continues as new with what it has (the library's helper; the
 * dedupe interceptor carries the applied event ids), so it never stops taking events.
 */
import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { continueAsNewDue, continueAsNewWhenReady } from 'temporal-event-gateway/workflow';
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

/** What a run hands the next when it continues as new. */
export interface OrderInput {
  payment?: PaymentReceived;
  shipment?: ShipmentDispatched;
  shipmentRequested?: boolean;
}

export async function orderWorkflow(input: OrderInput = {}): Promise<OrderResult> {
  let payment: PaymentReceived | undefined = input.payment;
  let shipment: ShipmentDispatched | undefined = input.shipment;
  let shipmentRequested = input.shipmentRequested ?? false;
  const continueAsNew = () =>
    continueAsNewWhenReady<typeof orderWorkflow>(() => [{ payment, shipment, shipmentRequested }]);
  // The first of each event counts; a repeat is ignored (the gateway also dedupes by event id).
  setHandler(paymentReceived, (event) => void (payment ??= event));
  setHandler(shipmentDispatched, (event) => void (shipment ??= event));
  setHandler(statusQuery, () => ({ paid: payment !== undefined, shipped: shipment !== undefined }));

  const orderId = workflowInfo().workflowId;
  await condition(() => payment !== undefined || continueAsNewDue());
  if (payment === undefined) return continueAsNew();
  if (shipment === undefined && !shipmentRequested) {
    await requestShipment({ orderId });
    shipmentRequested = true;
  }
  await condition(() => shipment !== undefined || continueAsNewDue());
  if (shipment === undefined) return continueAsNew();
  const confirmation = await confirmOrder({
    orderId,
    amount: payment!.amount,
    trackingId: shipment!.trackingId,
  });
  return { orderId, payment: payment!, shipment: shipment!, confirmation };
}
