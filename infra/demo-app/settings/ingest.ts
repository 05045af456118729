/** Settings: how events come in (ingest mode, sender auth, the API in front, the routing file). */
import { GATEWAY_AUTH_MODES } from '../../index';
import { flag, list, oneOf, SECRET_ARN, text, wholeNumber } from './source';

export const INGEST_MODES = ['sync', 'queue'] as const;
export const API_AUTHORIZERS = ['none', 'iam', 'jwt'] as const;

export const ingestShape = {
  ingestMode: oneOf(INGEST_MODES),
  gatewayAuth: oneOf(GATEWAY_AUTH_MODES),
  gatewayAuthSecretArn: text(SECRET_ARN, 'must be a Secrets Manager secret ARN'),
  gatewayConfigFile: text(),
  temporalDeadlineMs: wholeNumber(),
  apiAuthorizer: oneOf(API_AUTHORIZERS),
  jwtIssuer: text(),
  jwtAudience: list(),
  allowUnauthenticatedApi: flag(),
  apiThrottleRate: wholeNumber(),
  apiThrottleBurst: wholeNumber(),
};
