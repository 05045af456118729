/**
 * Recognises failures that an open, already reported defect explains (see KNOWN_DEFECTS), so the
 * fuzzers keep looking for new ones instead of stopping at the first old one. A recognised failure
 * is not excused: it is counted in the report's serverErrorsOnBadInput like any other.
 */
import type { GatewayConfig } from '../../../functions/core/gateway-config-model';
import { parseSqsRecord } from '../../../functions/core/sqs-message';
import { KNOWN_DEFECTS, type KnownDefect } from '../../fixtures/bad-input/deployments';

/** A defect explains a failure only while it is open: a fixed one that comes back must fail the tests. */
const open = (defect: KnownDefect): KnownDefect | undefined => (defect in KNOWN_DEFECTS ? defect : undefined);

/** Characters SQS refuses in bodies and attribute values (anything outside #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF). */
export const SQS_REFUSED_CHARACTERS =
  // Surrogates pass the class and are judged by the pair checks: a pair is an allowed astral character.
  // eslint-disable-next-line no-control-regex
  /[^\x09\x0a\x0d\x20-\ud7ff\ud800-\udfff\ue000-\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function sqsRefuses(text: string): boolean {
  return new RegExp(SQS_REFUSED_CHARACTERS.source).test(text);
}

/** Deepest bracket nesting in a JSON text (strings skipped), without parsing it. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

/** Nesting from which Temporal's JSON payload converter runs out of stack (about 4,000-5,000 here). */
const DEEP = 3_000;

/** Why the SQS handler left a permanent failure for redelivery, if an open defect explains it. */
export function explainSqsRetention(
  config: GatewayConfig,
  record: { messageId: string; body: string },
): KnownDefect | undefined {
  const parsed = parseSqsRecord(config, record);
  // The DLQ reason is cut at 1,000 characters; a cut through a surrogate pair is refused too.
  if (!parsed.ok && sqsRefuses(parsed.problem.detail.slice(0, 1_000))) return open('dlqReasonCharacters');
  if (nestingDepth(record.body) >= DEEP) return open('deepPayload');
  return undefined;
}

/** Why the HTTP app answered 5xx to a request, if an open defect explains it. */
export function explainHttpServerError(
  status: number,
  responseBody: string,
  requestBody: string,
): KnownDefect | undefined {
  if (status === 503 && nestingDepth(requestBody) >= DEEP && /convert|call stack/i.test(responseBody))
    return open('deepPayload');
  return undefined;
}
