/** Small readers over synthesized templates, so assertions name what they check. */
import { PropsValidationError } from '../../../infra/index';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

export function resource(template: Template, id: string): Resource {
  const found = (template.toJSON() as { Resources: Record<string, Resource> }).Resources[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

export function resourcesOfType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** Every policy statement attached to a role (inline policies attached to it by Ref). */
export function roleStatements(template: Template, roleId: string): unknown[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties?.Roles as unknown[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: unknown[] }).Statement);
}

/** The environment variables of a Lambda function. */
export function functionEnvironment(template: Template, functionId: string): Record<string, unknown> {
  const env = resource(template, functionId).Properties?.Environment as {
    Variables?: Record<string, unknown>;
  };
  return env?.Variables ?? {};
}

export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
export const ref = (id: string) => ({ Ref: id });

/** How a consuming stack refers to a resource of the producing stack: the export of its Ref. */
export function importOfRef(producer: Template, id: string): { 'Fn::ImportValue': string } {
  const outputs = producer.toJSON() as {
    Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
  };
  const output = Object.values(outputs.Outputs ?? {}).find(
    (candidate) => JSON.stringify(candidate.Value) === JSON.stringify(ref(id)) && candidate.Export,
  );
  if (!output?.Export) throw new Error(`no export of ${id}`);
  return { 'Fn::ImportValue': output.Export.Name };
}

/** The properties of the one resource of a type, typed by the caller. */
export function onlyResourceProperties<T>(template: Template, type: string): T {
  const all = resourcesOfType(template, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]?.[1].Properties as T;
}

/** The problems of the PropsValidationError that `build` throws (fails the test if it does not). */
export function propsProblemsOf(build: () => unknown): readonly string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof PropsValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a PropsValidationError');
}
