/**
 * Who sent a request, as the caller segment of its namespaced event ids (core/event-ids.ts). Never
 * a credential: an API key is named by a digest of it (`key-<16 hex>`), and the principal API
 * Gateway authorised is read from its request context.
 */
import { createHash } from 'node:crypto';
import { ANONYMOUS_CALLER, CALLER_SEGMENT_PATTERN } from '../core/event-ids';

const digest16 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** A caller segment from a kind and a name: the name as is when short and plain, else its digest. */
export function callerSegment(kind: string, name: string): string {
  const plain = `${kind}-${name}`;
  return CALLER_SEGMENT_PATTERN.test(plain) ? plain : `${kind}-sha256-${digest16(name)}`;
}

/**
 * The API key's id: a digest, so an id in a history, a log or a DLQ never reveals the key. A client
 * that retries with a rotated key is a new caller (its retry a new event): rotate between retries.
 */
export const apiKeyCaller = (key: string): string => `key-${digest16(`event-gateway-api-key\n${key}`)}`;

interface LambdaAuthorizer {
  iam?: { userId?: unknown; userArn?: unknown } | null;
  jwt?: { claims?: Record<string, unknown> | null } | null;
}

/**
 * The caller of a request: what the authenticator said (an API key's id, a signature mode), else
 * the IAM principal or JWT subject API Gateway authorised (payload v2 request context), else
 * `anonymous`.
 *
 * An IAM caller is its principal's unique id without the session name (`AROA…` for a role), so a
 * role's retries from different sessions stay one caller. A JWT caller is its `sub`, with its
 * issuer digested in when the token names one, so two issuers' subjects never merge.
 */
export function callerOf(lambdaEnv: unknown, authenticated: string | undefined): string {
  if (authenticated) return authenticated;
  const context = (lambdaEnv as { requestContext?: { authorizer?: LambdaAuthorizer } } | undefined)
    ?.requestContext;
  const authorizer = context?.authorizer;
  const userId = authorizer?.iam?.userId;
  if (typeof userId === 'string' && userId.length > 0) return callerSegment('iam', userId.split(':')[0]!);
  const claims = authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub === 'string' && sub.length > 0) {
    const iss = claims?.iss;
    return typeof iss === 'string' && iss.length > 0
      ? callerSegment('jwt', `${digest16(iss).slice(0, 8)}.${sub}`)
      : callerSegment('jwt', sub);
  }
  return ANONYMOUS_CALLER;
}
