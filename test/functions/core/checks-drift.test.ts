/**
 * The committed generated checks are what scripts/generate-validators.ts writes from the registries
 * (run `npm run generate:validators` after changing a checked schema), and they answer as zod does:
 * the same verdict on samples, the same field, zod's custom messages kept.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as checks from '../../../functions/core/checks.generated.js';
import { CORE_CHECKED_SCHEMAS } from '../../../functions/core/checked-schemas';
import {
  CHECK_RUNTIME_PATH,
  checkRuntimeFile,
  DEFAULT_CHECKS_PATH,
  defaultConfigChecks,
  generatedCheckFiles,
  presentRegistries,
} from '../../../scripts/generate-validators';

const repoRoot = new URL('../../../', import.meta.url).pathname;

describe('the generated checks', () => {
  it.each(presentRegistries().map((registry) => [registry.module, registry] as const))(
    'of %s are what the script generates (run npm run generate:validators)',
    async (_, registry) => {
      const files = await generatedCheckFiles(registry);
      expect(Object.keys(files).length).toBe(2);
      for (const [path, text] of Object.entries(files))
        expect(await readFile(join(repoRoot, path), 'utf8'), path).toBe(text);
    },
  );

  it('share the run-time module the script generates', async () => {
    expect(await readFile(join(repoRoot, CHECK_RUNTIME_PATH), 'utf8')).toBe(await checkRuntimeFile());
  });

  it("of the default configuration's arguments are what the script generates", async () => {
    expect(await readFile(join(repoRoot, DEFAULT_CHECKS_PATH), 'utf8')).toBe(await defaultConfigChecks());
  });

  const samples: Record<keyof typeof CORE_CHECKED_SCHEMAS, unknown[]> = {
    workflowId: ['order-1', '', 'a'.repeat(256), 'bad\u0000id', 7],
    operationName: ['advanceStage', '1abc', 'a b'],
    eventId: ['evt-1', '', 'with space', 'ü'],
    deliveryEventId: ['@sqs:queue:1', 'x'.repeat(513)],
    cloudEvent: [
      { specversion: '1.0', id: '1', source: 's', type: 't' },
      { specversion: '0.3', id: '1', source: 's', type: 't' },
      { specversion: '1.0', id: '', source: 's', type: 't' },
      { specversion: '1.0', id: '1', source: 's', type: 't', time: 'yesterday' },
      { specversion: '1.0', id: '1', source: 's', type: 't', time: '2026-01-01T00:00:00Z', ext: 1 },
    ],
    webhookEnvelope: [
      {
        webhook: {
          source: 's',
          verifiedBy: 'stripe',
          eventId: 'e',
          headers: { a: 'b' },
          body: '{}',
          receivedAt: 'now',
        },
      },
      { webhook: { source: 's' } },
      { webhook: {}, extra: 1 },
    ],
    sqsSignalMessage: [
      { workflowId: 'w', signal: 's', payload: 1 },
      { workflowId: 'w', signal: 's' },
      { workflowId: 1, signal: 's' },
      { signal: 's', payload: {} },
    ],
    callbackClaims: [
      { jti: 'j', exp: 1, iat: 1, wid: 'w', act: { kind: 'signal', name: 'go' } },
      { jti: 'j', exp: 1.5, iat: 1, wid: 'w', act: { kind: 'signal', name: 'go' } },
      { jti: 'j', exp: 1, iat: 1, wid: 'w', act: { kind: 'activity', taskToken: 'a b' } },
    ],
    callbackFailureBody: [{ reason: 'no stock' }, { reason: '' }, {}],
  };

  it.each(Object.keys(samples) as (keyof typeof samples)[])(
    '%s decides as its zod schema does, naming the same field',
    (name) => {
      const schema = CORE_CHECKED_SCHEMAS[name];
      for (const sample of samples[name]) {
        const zod = schema.safeParse(sample);
        const generated = checks[name](sample);
        expect(generated.ok, JSON.stringify(sample)).toBe(zod.success);
        if (zod.success && generated.ok) expect(generated.value).toMatchObject(zod.data as object);
        if (!zod.success && !generated.ok && zod.error.issues.length === 1) {
          expect(generated.issue.path, JSON.stringify(sample)).toBe(zod.error.issues[0]?.path.join('.'));
        }
      }
    },
  );

  it("reports zod's custom messages", () => {
    expect(checks.workflowId('')).toEqual({ ok: false, issue: { path: '', message: 'must not be empty' } });
    expect(checks.eventId('a b')).toEqual({
      ok: false,
      issue: { path: '', message: 'must be printable ASCII without spaces' },
    });
    expect(checks.cloudEvent({ specversion: '2', id: '1', source: 's', type: 't' })).toEqual({
      ok: false,
      issue: { path: 'specversion', message: 'must be "1.0"' },
    });
  });
});
