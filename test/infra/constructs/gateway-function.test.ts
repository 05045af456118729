/**
 * GatewayFunction's runtime with the installed aws-cdk-lib: the default, a team's choice, what the
 * handlers cannot run on; and the decision when to acknowledge cdk-nag's latest-runtime rules,
 * tested on runtime lists (the preview case with a real template is gateway-function.preview-runtime.test.ts).
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  LATEST_RUNTIME_RULES,
  newestNodeRuntime,
  previewRuntimeReason,
} from '../../../infra/constructs/lambda-node-runtime';
import { propsProblemsOf } from '../support/template';
import { acknowledgementsOn, synthGatewayWithNag } from './gateway-function-support';

/** A runtime as the decision sees it; a real `new lambda.Runtime` would join `Runtime.ALL` for the whole file. */
const node = (name: string) => ({ name, family: lambda.RuntimeFamily.NODEJS }) as lambda.Runtime;
const node20 = node('nodejs20.x');
const node22 = node('nodejs22.x');
const node24 = node('nodejs24.x');
const node26 = node('nodejs26.x');

// The first synth bundles the handlers (esbuild): minutes on a busy machine, not a timing under test.
describe('GatewayFunction runtime', { timeout: 600_000 }, () => {
  it('runs every function on the newest generally available Node.js runtime by default, cdk-nag clean', () => {
    const { runtimes } = synthGatewayWithNag();
    expect(runtimes).toHaveLength(3);
    for (const runtime of runtimes) expect(runtime).toBe(lambda.Runtime.NODEJS_LATEST.name);
    expect(lambda.Runtime.NODEJS_LATEST.name).toBe('nodejs24.x');
  });

  it("puts the team's runtime on every function", () => {
    const { runtimes } = synthGatewayWithNag({ runtime: lambda.Runtime.NODEJS_24_X });
    expect(runtimes).toEqual(['nodejs24.x', 'nodejs24.x', 'nodejs24.x']);
  });

  it('refuses a runtime the prebuilt handlers cannot run on, naming the prop', () => {
    for (const runtime of [lambda.Runtime.NODEJS_22_X, lambda.Runtime.PYTHON_3_13]) {
      expect(propsProblemsOf(() => synthGatewayWithNag({ runtime }))).toEqual([
        `runtime: ${runtime.name} cannot run the gateway's handlers; they are built for Node.js 24 or later ` +
          '(e.g. lambda.Runtime.NODEJS_24_X)',
      ]);
    }
  });

  it('acknowledges nothing while the runtime is the newest aws-cdk-lib knows', () => {
    const { functions } = synthGatewayWithNag({ runtime: newestNodeRuntime() });
    for (const fn of functions) {
      for (const rule of LATEST_RUNTIME_RULES) expect(acknowledgementsOn(fn)[rule]).toBeUndefined();
    }
  });
});

describe('previewRuntimeReason: when the latest-runtime findings are acknowledged', () => {
  it('takes the highest Node.js version aws-cdk-lib knows as cdk-nag does, numerically, other families aside', () => {
    const known = [node('nodejs4.3'), node24, node('nodejs'), lambda.Runtime.PYTHON_3_13, node20];
    expect(newestNodeRuntime(known).name).toBe('nodejs24.x');
  });

  it('acknowledges for the generally available runtime while a newer one is known', () => {
    const reason = previewRuntimeReason(node24, [node22, node24, node26], node24);
    expect(reason).toMatch(/^nodejs24\.x is the newest Node\.js runtime generally available/);
    expect(reason).toContain('nodejs26.x, which aws-cdk-lib also knows, is not generally available yet');
  });

  it('acknowledges nothing when the generally available runtime is the newest known', () => {
    expect(previewRuntimeReason(node24, [node22, node24], node24)).toBeUndefined();
  });

  it('acknowledges nothing for a team that chose the newer runtime, nor for an older one', () => {
    expect(previewRuntimeReason(node26, [node24, node26], node24)).toBeUndefined();
    expect(previewRuntimeReason(node22, [node22, node24, node26], node24)).toBeUndefined();
  });
});
