/** The order workflow's wire names and shapes, shared by the workflow and the routing. */
export const ORDER_TASK_QUEUE = 'orders';
export const ORDER_WORKFLOW = 'orderWorkflow';
export const ORDER_SIGNALS = {
  paymentReceived: 'paymentReceived',
  shipmentDispatched: 'shipmentDispatched',
} as const;
export const ORDER_QUERIES = { status: 'status' } as const;

export interface PaymentReceived {
  amount: number;
  currency: string;
}

export interface ShipmentDispatched {
  carrier: string;
  trackingId: string;
}

/** What an order returns once it was paid and shipped. */
export interface OrderResult {
  orderId: string;
  payment: PaymentReceived;
  shipment: ShipmentDispatched;
  confirmation: string;
}
