/**
 * cdk-nag wiring. cdk-nag 3 runs as a CDK policy-validation plugin (not an Aspect): violations end
 * up in the cloud assembly's validation report and fail synthesis; acknowledgements are CDK's own
 * `Validations.of(construct).acknowledge`, one finding id at a time (`Rule[Finding]`).
 */
import { Stack, Validations, type Stage } from 'aws-cdk-lib';
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

/**
 * The text cdk-nag puts in a `Resource::…` finding for a resource ARN, as seen from `scope`'s stack:
 * a reference flattened the way cdk-nag flattens it (`<Logical.Arn>`, `<AWS::Partition>`, an import's
 * export name), so a construct can acknowledge the one wildcard it grants and no other.
 */
export function nagResourceFinding(scope: IConstruct, arn: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const intrinsic = node as Record<string, unknown>;
    if (Array.isArray(intrinsic['Fn::Join'])) {
      const [delimiter, items] = intrinsic['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (Array.isArray(intrinsic['Fn::GetAtt'])) {
      const [resource, attribute] = intrinsic['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Fn::ImportValue' in intrinsic) return flatten(intrinsic['Fn::ImportValue']);
    if ('Ref' in intrinsic) return `<${flatten(intrinsic.Ref)}>`;
    return JSON.stringify(node);
  };
  return `Resource::${flatten(Stack.of(scope).resolve(arn))}`;
}
