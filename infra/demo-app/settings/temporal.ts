/** Settings: how the gateway and the worker reach Temporal. */
import type { z } from 'zod';
import { flag, oneOf, SECRET_ARN, text } from './source';

export const TEMPORAL_AUTH_MODES = ['none', 'api-key', 'mtls'] as const;

export const temporalShape = {
  temporalAddress: text(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port'),
  temporalNamespace: text(/^[A-Za-z0-9._-]{1,255}$/, 'must be a Temporal namespace name'),
  temporalAuth: oneOf(TEMPORAL_AUTH_MODES),
  temporalTls: flag(),
  temporalApiKeySecretArn: text(SECRET_ARN, 'must be a Secrets Manager secret ARN'),
  temporalMtlsSecretArn: text(SECRET_ARN, 'must be a Secrets Manager secret ARN'),
  taskQueue: text(/^[A-Za-z0-9._:/-]{1,200}$/, 'must be a task queue name (letters, digits, . _ : / -)'),
};

type Temporal = z.output<z.ZodObject<typeof temporalShape>>;

/** Secrets must match the auth mode, and credentials only travel over TLS. */
export function checkTemporal(settings: Temporal, ctx: z.RefinementCtx): void {
  const auth = settings.temporalAuth ?? 'none';
  if (settings.temporalApiKeySecretArn && auth !== 'api-key') {
    ctx.addIssue({
      code: 'custom',
      path: ['temporalApiKeySecretArn'],
      message: `is only used with temporalAuth=api-key (temporalAuth is ${auth})`,
    });
  }
  if (settings.temporalMtlsSecretArn && auth !== 'mtls') {
    ctx.addIssue({
      code: 'custom',
      path: ['temporalMtlsSecretArn'],
      message: `is only used with temporalAuth=mtls (temporalAuth is ${auth})`,
    });
  }
  if (auth !== 'none' && settings.temporalTls === false) {
    ctx.addIssue({
      code: 'custom',
      path: ['temporalTls'],
      message: `cannot be false with temporalAuth=${auth}: credentials only travel over TLS`,
    });
  }
}
