/**
 * What the gateway lets through for orders: signals to `order-<digits>` workflows, their argument
 * schemas (zod here; JSON Schema works too), and CloudEvent routes from the payment provider and
 * the warehouse.
 */
import type { GatewayRouting } from 'temporal-event-gateway';
import { z } from 'zod';
import {
  ORDER_QUERIES,
  ORDER_SIGNALS,
  ORDER_TASK_QUEUE,
  ORDER_WORKFLOW,
} from '../worker/workflows/order-contract';

export const orderRouting: GatewayRouting = {
  targets: [
    {
      name: 'order',
      workflowIdPattern: '^order-[0-9]{1,12}$',
      workflowType: ORDER_WORKFLOW,
      taskQueue: ORDER_TASK_QUEUE,
      signals: {
        [ORDER_SIGNALS.paymentReceived]: {
          schema: z.object({ amount: z.number().positive(), currency: z.string().length(3) }),
        },
        [ORDER_SIGNALS.shipmentDispatched]: {
          schema: z.object({ carrier: z.string().min(1), trackingId: z.string().min(1) }),
        },
      },
      queries: [ORDER_QUERIES.status],
      // An event may arrive before anyone started the order: it starts it.
      startIfMissing: true,
    },
  ],
  routes: [
    {
      name: 'payment-received',
      match: { type: 'com.example.payment.received' },
      workflowId: 'order-{data.orderId}',
      signal: ORDER_SIGNALS.paymentReceived,
      payload: { amount: 'data.amount', currency: 'data.currency' },
      startIfMissing: true,
    },
    {
      name: 'shipment-dispatched',
      match: { type: 'com.example.shipment.dispatched' },
      workflowId: 'order-{data.orderId}',
      signal: ORDER_SIGNALS.shipmentDispatched,
      payload: { carrier: 'data.carrier', trackingId: 'data.trackingId' },
      startIfMissing: true,
    },
  ],
};
