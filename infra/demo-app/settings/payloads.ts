/**
 * Settings: payload encryption, large payloads and the customer-managed key (issue 28). The large
 * payload variables say `LARGE_PAYLOADS`, not `LARGE_PAYLOAD` like the runtime's PAYLOAD_ENV, so a
 * developer's local-stack environment never changes what `cdk synth` builds.
 */
import type { z } from 'zod';
import { flag, wholeNumber } from './source';

export const payloadsShape = {
  payloadEncryption: flag(),
  largePayloadRetentionDays: wholeNumber(),
  largePayloadThresholdBytes: wholeNumber(),
  customerManagedKey: flag(),
};

type Payloads = z.output<z.ZodObject<typeof payloadsShape>>;

/** A threshold alone would configure large payloads without the retention their bucket expires by. */
export function checkPayloads(settings: Payloads, ctx: z.RefinementCtx): void {
  if (settings.largePayloadThresholdBytes !== undefined && settings.largePayloadRetentionDays === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['largePayloadThresholdBytes'],
      message:
        'only applies together with largePayloadRetentionDays (the longest workflow run plus the namespace ' +
        'retention, in days), which turns large payloads on',
    });
  }
}
