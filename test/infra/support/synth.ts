/**
 * Synthesizes the real app (both stacks, cdk-nag registered) for one configuration, the way
 * `cdk synth` does, but in memory: no account, credentials or Docker engine. Lambda bundling is
 * skipped unless asked for (esbuild per function per variant would dominate test time); one test
 * bundles for real.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { loadAppSettings, type AppSettings } from '../../../infra/demo-app/settings';
import { buildEventGatewayApp, type EventGatewayStacks } from '../../../infra/demo-app/event-gateway-app';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Synthesized {
  app: App;
  settings: AppSettings;
  stacks: EventGatewayStacks;
  assembly: CloudAssembly;
  gateway: Template;
  worker: Template;
}

/** The feature flags of cdk.json, so tests build what `cdk synth` builds. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export function synthesize(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean } = {},
): Synthesized {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      ...context,
      'aws:cdk:bundling-stacks': options.bundle ? ['**'] : [],
    },
  });
  // The environment is empty on purpose: a developer's EVENT_GATEWAY_* must not change test results.
  const settings = loadAppSettings({ context: (key): unknown => app.node.tryGetContext(key), env: {} });
  const stacks = buildEventGatewayApp(app, settings);
  // Throws when a validation plugin (cdk-nag, CloudFormation validation) reports a violation.
  const assembly = app.synth();
  return {
    app,
    settings,
    stacks,
    assembly,
    gateway: Template.fromStack(stacks.gateway),
    worker: Template.fromStack(stacks.worker),
  };
}

/** Synthesizes on first use and shares the result across a file's tests. */
export function lazySynth(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}) {
  let cached: Synthesized | undefined;
  return (): Synthesized => (cached ??= synthesize(context, options));
}

/** A complete secret ARN (with the 6-character suffix). */
export const SECRET_ARN = (name: string) =>
  `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbC123`;
