/**
 * The gateway as a team synthesizes it with an aws-cdk-lib that knows a Node.js runtime newer than
 * `Runtime.NODEJS_LATEST` — as 2.278 knows nodejs26.x, a public preview, beside NODEJS_LATEST =
 * nodejs24.x. Registering `nodejs98.x` here (a Runtime joins `Runtime.ALL` when constructed; this
 * file's process only) makes that true with any aws-cdk-lib, now and after the next release.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { LATEST_RUNTIME_RULES } from '../../../infra/constructs/lambda-node-runtime';
import { acknowledgementsOn, synthGatewayWithNag } from './gateway-function-support';

const PREVIEW = new lambda.Runtime('nodejs98.x', lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });

// The first synth bundles the handlers (esbuild): minutes on a busy machine, not a timing under test.
describe(
  'GatewayFunction while aws-cdk-lib knows a runtime newer than the generally available one',
  { timeout: 600_000 },
  () => {
    it('stays on the generally available runtime and acknowledges both latest-runtime rules with the reason, cdk-nag clean', () => {
      // synth throws if AwsSolutions-L1 or Serverless-LambdaLatestVersion reported an unacknowledged finding.
      const { functions, runtimes } = synthGatewayWithNag();
      expect(runtimes).toEqual(Array(3).fill(lambda.Runtime.NODEJS_LATEST.name));
      for (const fn of functions) {
        const acknowledged = acknowledgementsOn(fn);
        for (const rule of LATEST_RUNTIME_RULES) {
          expect(acknowledged[rule]).toMatch(
            new RegExp(
              `^${lambda.Runtime.NODEJS_LATEST.name} is the newest Node\\.js runtime generally available`,
            ),
          );
          expect(acknowledged[rule]).toContain(
            'nodejs98.x, which aws-cdk-lib also knows, is not generally available',
          );
        }
      }
    });

    it('acknowledges nothing for a team that chose the newer runtime, and it is cdk-nag clean', () => {
      const { functions, runtimes } = synthGatewayWithNag({ runtime: PREVIEW });
      expect(runtimes).toEqual(['nodejs98.x', 'nodejs98.x', 'nodejs98.x']);
      for (const fn of functions) {
        for (const rule of LATEST_RUNTIME_RULES) expect(acknowledgementsOn(fn)[rule]).toBeUndefined();
      }
    });
  },
);
