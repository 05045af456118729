/** Types of the generated `checks.generated.js` (scripts/generate-validators.ts). */
import type * as z from 'zod';
import type { Check } from '../core/check.js';
import type { HTTP_CHECKED_SCHEMAS } from './http-checked-schemas.js';

type Schemas = typeof HTTP_CHECKED_SCHEMAS;
export declare const callbackTokenParams: Check<z.output<Schemas['callbackTokenParams']>>;
export declare const idempotencyHeaders: Check<z.output<Schemas['idempotencyHeaders']>>;
export declare const queryParams: Check<z.output<Schemas['queryParams']>>;
export declare const replayRequest: Check<z.output<Schemas['replayRequest']>>;
export declare const signalParams: Check<z.output<Schemas['signalParams']>>;
export declare const updateParams: Check<z.output<Schemas['updateParams']>>;
export declare const workflowParams: Check<z.output<Schemas['workflowParams']>>;
