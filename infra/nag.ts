/**
 * cdk-nag wiring. cdk-nag 3 runs as a CDK policy-validation plugin (not an Aspect): violations end
 * up in the cloud assembly's validation report and fail synthesis; acknowledgements are CDK's own
 * `Validations.of(construct).acknowledge`, one finding id at a time (`Rule[Finding]`).
 */
import { Validations, type Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Registers the AWS Solutions and Serverless packs on an app (or stage). */
export function applyNagPacks(stage: Stage): void {
  Validations.of(stage).addPlugins(
    new AwsSolutionsChecks(stage, { verbose: true }),
    new ServerlessChecks(stage, { verbose: true }),
  );
}

/**
 * Acknowledges one cdk-nag finding on a construct and everything below it. `reason` must say why
 * the finding is right for this system, not restate the rule.
 */
export function acknowledgeNag(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
