import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG } from '../../../functions/core/default-config';
import { parseGatewayConfig } from '../../../functions/core/gateway-config';
import { checkInputText, MAX_INPUT_BYTES, MAX_INPUT_DEPTH } from '../../../functions/core/input-limits';
import { parseSqsRecord } from '../../../functions/core/sqs-message';
import { parseJsonText } from '../../../functions/adapters/http-body';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const config = parseGatewayConfig(DEFAULT_GATEWAY_CONFIG);

describe('the one input limit', () => {
  it('takes nesting up to the argument depth and refuses one level more', () => {
    expect(checkInputText(nested(MAX_INPUT_DEPTH)).ok).toBe(true);
    expect(checkInputText(nested(MAX_INPUT_DEPTH + 1))).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request', field: 'body' },
    });
    // Brackets inside strings (escaped quotes too) are text, not nesting.
    expect(checkInputText(JSON.stringify({ s: `\\"${'['.repeat(500)}` })).ok).toBe(true);
  });

  it('refuses a body over the size limit and a lone surrogate', () => {
    expect(checkInputText(`"${'é'.repeat(MAX_INPUT_BYTES / 2)}"`)).toMatchObject({
      ok: false,
      problem: { code: 'payload-too-large' },
    });
    expect(checkInputText('"\ud800"')).toMatchObject({ ok: false, problem: { code: 'invalid-json' } });
  });

  it('applies on the HTTP parse and on the queue alike: a 100,000-deep CloudEvent data is refused on both', () => {
    const event = `{"specversion":"1.0","id":"deep-1","source":"/x","type":"com.example.stage.advanced","data":{"workflowKey":"k","stage":1,"deep":${nested(100_000)}}}`;
    expect(parseJsonText(event)).toMatchObject({ ok: false, problem: { code: 'invalid-request' } });
    expect(parseSqsRecord(config, { messageId: 'm', body: event })).toMatchObject({
      ok: false,
      problem: { code: 'invalid-request', field: 'body' },
    });
  });
});
