/**
 * The identifiers a request names — workflow IDs, operation names, event ids — and what makes one
 * usable: Temporal accepts it and it logs safely. Shared by the configuration's schemas, every
 * ingress path's checks and the API document.
 */
import * as z from 'zod';

/**
 * No control or invisible format characters. Exported so the API document can state it as plain
 * pattern text (`.source`): the document generator would otherwise print the RegExp with its flags.
 */
export const WORKFLOW_ID_PATTERN = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

/** IDs Temporal accepts and logs safely: no control characters, at most 255 characters. */
export const WorkflowIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(WORKFLOW_ID_PATTERN, 'must not contain control or invisible format characters');

export const OperationNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/, 'must be a plain identifier (letters, digits, _ . : -)');

/** Client-chosen event ids (Idempotency-Key, webhook-id, CloudEvent id). */
export const EventIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/**
 * The id a delivery carries: a supplied id (at most 255 characters) under its namespace
 * (core/event-ids.ts) is longer than the id itself.
 */
export const DeliveryEventIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(512, 'must be at most 512 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
