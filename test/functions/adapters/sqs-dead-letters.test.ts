import { describe, expect, it } from 'vitest';
import { sqsSafeText } from '../../../functions/adapters/sqs-dead-letters';

describe('DLQ reasons', () => {
  it('replace characters SQS refuses in attribute values, keeping everything else', () => {
    expect(sqsSafeText('workflow "staged-\ud800" \u0001 ok ✓ 𝄞')).toBe(
      'workflow "staged-\ufffd" \ufffd ok ✓ 𝄞',
    );
    expect(sqsSafeText('a\uffffb\ufffe')).toBe('a\ufffdb\ufffd');
  });

  it('cut long reasons between characters, never inside a surrogate pair', () => {
    const cut = sqsSafeText('𝄞'.repeat(10), 3);
    expect(cut).toBe('𝄞𝄞𝄞');
    expect(sqsSafeText('x'.repeat(5000)).length).toBe(1000);
  });
});
