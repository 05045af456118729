import { v5 as uuidv5 } from 'uuid';

/**
 * Namespace of the gateway's request ids (a fixed random UUID). Changing it would make every
 * in-flight redelivery look new to Temporal: never change it.
 */
const GATEWAY_NAMESPACE = 'a3c1f0d6-5b7e-4c29-9f64-2d8e3b1a7c55';

/**
 * The gRPC `request_id` of a delivery: the same (workflow, operation, event) always yields the same
 * id, so Temporal records a redelivered event once per run.
 */
export function deliveryRequestId(workflowId: string, operation: string, eventId: string): string {
  // JSON array encoding keeps ("a-b","c") and ("a","b-c") apart.
  return uuidv5(JSON.stringify([workflowId, operation, eventId]), GATEWAY_NAMESPACE);
}
