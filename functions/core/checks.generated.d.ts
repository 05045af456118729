/** Types of the generated `checks.generated.js` (scripts/generate-validators.ts). */
import type * as z from 'zod';
import type { Check } from './check.js';
import type { CORE_CHECKED_SCHEMAS } from './checked-schemas.js';

type Schemas = typeof CORE_CHECKED_SCHEMAS;
export declare const callbackClaims: Check<z.output<Schemas['callbackClaims']>>;
export declare const callbackFailureBody: Check<z.output<Schemas['callbackFailureBody']>>;
export declare const cloudEvent: Check<z.output<Schemas['cloudEvent']>>;
export declare const deliveryEventId: Check<z.output<Schemas['deliveryEventId']>>;
export declare const eventId: Check<z.output<Schemas['eventId']>>;
export declare const operationName: Check<z.output<Schemas['operationName']>>;
export declare const sqsSignalMessage: Check<z.output<Schemas['sqsSignalMessage']>>;
export declare const webhookEnvelope: Check<z.output<Schemas['webhookEnvelope']>>;
export declare const workflowId: Check<z.output<Schemas['workflowId']>>;
