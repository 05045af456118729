/** How `npm run test:latest` names what broke: only packages a failure names for certain. */
import { describe, expect, it } from 'vitest';
import { describeBreakage, upgradesBetween } from '../../scripts/test-latest';

const upgrades = [
  { name: 'aws-cdk-lib', from: '2.276.0', to: '2.278.0' },
  { name: 'stripe', from: '23.1.0', to: '23.2.0' },
  { name: '@types/node', from: '20.19.0', to: '20.19.9' },
];

describe('describeBreakage', () => {
  it('names aws-cdk-lib for the cdk-nag finding the issue quotes (its jsii type)', () => {
    const output =
      'ERROR The Lambda function does not use the latest runtime version.\n' +
      '   OrderFulfilment/Gateway/HttpIngest/Function/Resource aws-cdk-lib.aws_lambda.CfnFunction\n';
    expect(
      describeBreakage([{ step: 'example: cdk synth with cdk-nag', ok: false, output }], upgrades),
    ).toEqual(['BROKE example: cdk synth with cdk-nag: aws-cdk-lib 2.276.0 → 2.278.0 (named in its output)']);
  });

  it('names a package by its node_modules path or module specifier, one line each', () => {
    const output =
      'node_modules/@types/node/fs.d.ts(3,4): error TS2300: Duplicate identifier\n' +
      "src/pay.ts(1,20): error TS2307: Cannot find module 'stripe/lib/x' or its type declarations.";
    expect(describeBreakage([{ step: 'typecheck', ok: false, output }], upgrades)).toEqual([
      'BROKE typecheck: @types/node 20.19.0 → 20.19.9 (named in its output)',
      'BROKE typecheck: stripe 23.1.0 → 23.2.0 (named in its output)',
    ]);
  });

  it('says it cannot tell when the output names a package only as a word, and skips steps that passed', () => {
    const output = `functions/core/default-config.ts(176,3): error TS2322: Type '{ preset: "stripe"; }' is not assignable`;
    expect(
      describeBreakage(
        [
          { step: 'typecheck', ok: false, output },
          { step: 'unit tests', ok: true, output: 'node_modules/stripe/index.js' },
        ],
        upgrades,
      ),
    ).toEqual([`BROKE typecheck: cannot tell which package (3 upgraded): ${output}`]);
  });
});

describe('upgradesBetween', () => {
  it('lists the direct packages whose locked version changed', () => {
    const lock = (versions: Record<string, string>) => ({
      packages: Object.fromEntries(
        Object.entries(versions).map(([n, version]) => [`node_modules/${n}`, { version }]),
      ),
    });
    expect(
      upgradesBetween(lock({ a: '1.0.0', b: '2.0.0' }), lock({ a: '1.1.0', b: '2.0.0', c: '1.0.0' }), [
        'a',
        'b',
        'c',
      ]),
    ).toEqual([
      { name: 'a', from: '1.0.0', to: '1.1.0' },
      { name: 'c', from: '(none)', to: '1.0.0' },
    ]);
  });
});
