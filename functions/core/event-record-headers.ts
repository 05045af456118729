/**
 * Which request headers the event log keeps: an ALLOW-list, not the queues' deny-list
 * (webhook-envelope.ts CREDENTIAL_HEADERS). A deny-list misses whatever a provider, a proxy or a
 * team's own `hmac`/`api-key` source invents next; the log is read by people, kept for weeks and
 * copied into tickets, so it keeps only headers known to say what the event is and where it came
 * from — never a signature, a token, a cookie or a client address. The deny-list still applies on
 * top, so a credential never slips in through the `ce-` prefix.
 */
import { CREDENTIAL_HEADERS } from './webhook-envelope';

/** Headers kept by name (lower case). */
export const RECORDED_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'user-agent',
  // Trace context (issue 29) and request ids.
  'traceparent',
  'tracestate',
  'x-request-id',
  'x-amzn-trace-id',
  'idempotency-key',
  // GitHub
  'x-github-event',
  'x-github-delivery',
  'x-github-hook-id',
  'x-github-hook-installation-target-id',
  'x-github-hook-installation-target-type',
  // Shopify
  'x-shopify-topic',
  'x-shopify-webhook-id',
  'x-shopify-event-id',
  'x-shopify-shop-domain',
  'x-shopify-api-version',
  'x-shopify-triggered-at',
  // Standard Webhooks / Svix (ids and timestamps; their signatures are not kept)
  'webhook-id',
  'webhook-timestamp',
  'svix-id',
  'svix-timestamp',
  // Slack (the timestamp and retries; the signature is not kept)
  'x-slack-request-timestamp',
  'x-slack-retry-num',
  'x-slack-retry-reason',
]);

/** Header prefixes kept: CloudEvents' binary-mode attributes (`ce-id`, `ce-type`, …). */
export const RECORDED_HEADER_PREFIXES: readonly string[] = ['ce-'];

/** Words that mark a credential in a header's name: such a header is never kept, even by prefix. */
const CREDENTIAL_NAME = /auth|sig|token|secret|key|cookie|password|session/;

/**
 * The headers the log keeps of a request: allow-listed names only (lower-cased), never a credential
 * or signature header — nor `signatureHeader`, a source's own configured one — whatever its name.
 */
export function recordedHeaders(
  headers: Iterable<[string, string]>,
  signatureHeader?: string,
): Record<string, string> {
  const kept: Record<string, string> = {};
  const own = signatureHeader?.toLowerCase();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (CREDENTIAL_HEADERS.has(lower) || lower === own) continue;
    // An extension attribute (`ce-authorization`) may carry what a header of that name would.
    if (!RECORDED_HEADERS.has(lower) && CREDENTIAL_NAME.test(lower)) continue;
    if (RECORDED_HEADERS.has(lower) || RECORDED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
      kept[lower] = value;
    }
  }
  return kept;
}
