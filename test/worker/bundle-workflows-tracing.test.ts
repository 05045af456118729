/**
 * prebundleWorkflows({ tracing: true }) puts @temporalio/interceptors-opentelemetry's workflow
 * interceptors into the bundle beside the dedupe module (runWorker adds them only when it bundles
 * from sources); without it the bundle holds none of OpenTelemetry.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prebundleWorkflows } from '../../worker/bundle-workflows';
import { workflowsPath } from './helpers';

const dir = await mkdtemp(join(tmpdir(), 'bundle-tracing-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The workflow interceptor class the package's module exports: present only when bundled. */
const OTEL_WORKFLOW_INTERCEPTOR = 'OpenTelemetryInboundInterceptor';

describe('prebundleWorkflows tracing', () => {
  it(
    'bundles the OpenTelemetry workflow interceptors when asked, and leaves them out by default',
    { timeout: 120_000 },
    async () => {
      const [traced, plain] = await Promise.all([
        prebundleWorkflows({ workflowsPath, outFile: join(dir, 'traced.js'), tracing: true }),
        prebundleWorkflows({ workflowsPath, outFile: join(dir, 'plain.js') }),
      ]);
      const [tracedCode, plainCode] = await Promise.all([readFile(traced, 'utf8'), readFile(plain, 'utf8')]);
      expect(tracedCode).toContain(OTEL_WORKFLOW_INTERCEPTOR);
      expect(tracedCode).toContain('interceptors-opentelemetry/lib/workflow-interceptors');
      expect(plainCode).not.toContain(OTEL_WORKFLOW_INTERCEPTOR);
      // The dedupe module stays in both.
      for (const code of [tracedCode, plainCode]) expect(code).toContain('dedupe');
    },
  );
});
