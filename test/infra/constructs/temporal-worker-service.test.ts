/** The worker service on its own, with a team's image: template and props validation. */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import { WORKER_ENV } from '../../../contract';
import {
  TemporalConnection,
  TemporalWorkerService,
  type TemporalWorkerServiceProps,
} from '../../../infra/index';
import { propsProblemsOf } from '../support/template';

function build(props: Partial<TemporalWorkerServiceProps> = {}) {
  const stack = new Stack(new App(), 'Orders');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const temporal = new TemporalConnection(stack, 'Temporal', {
    address: 'orders.a1b2c.tmprl.cloud:7233',
    taskQueue: 'orders',
    auth: 'api-key',
  });
  const worker = new TemporalWorkerService(stack, 'Worker', {
    vpc,
    temporal,
    image: ecs.ContainerImage.fromRegistry('registry.example.com/orders-worker:1.4.2'),
    ...props,
  });
  return { stack, worker, template: Template.fromStack(stack) };
}

function problemsOf(props: Partial<TemporalWorkerServiceProps>): readonly string[] {
  return propsProblemsOf(() => build(props));
}

describe('TemporalWorkerService', () => {
  it("runs the team's image on its task queue with the drain time and credentials as ECS secrets", () => {
    const { template } = build({ shutdownGrace: Duration.seconds(40) });
    const container = template.findResources('AWS::ECS::TaskDefinition') as Record<
      string,
      { Properties: { ContainerDefinitions: Array<Record<string, unknown>> } }
    >;
    const [definition] = Object.values(container).map(
      (resource) => resource.Properties.ContainerDefinitions[0],
    );
    expect(definition).toMatchObject({
      Image: 'registry.example.com/orders-worker:1.4.2',
      StopTimeout: 45,
    });
    expect(definition?.Environment).toEqual(
      expect.arrayContaining([
        { Name: 'TEMPORAL_TASK_QUEUE', Value: 'orders' },
        { Name: WORKER_ENV.shutdownGraceMs, Value: '40000' },
      ]),
    );
    expect(JSON.stringify(definition?.Secrets)).toContain('TEMPORAL_API_KEY');
  });

  it('names every bad prop in one error', () => {
    expect(problemsOf({ cpu: 1024, memoryLimitMiB: 1024, minCapacity: 5, maxCapacity: 2 })).toEqual([
      'memoryLimitMiB: 1024 is not a Fargate memory size for cpu 1024',
      'minCapacity: (5) must not exceed maxCapacity (2)',
    ]);
    expect(problemsOf({ cpu: 300 })).toEqual([expect.stringMatching(/^cpu: must be a Fargate CPU size/)]);
    expect(problemsOf({ desiredCount: 6 })).toEqual([
      'desiredCount: (6) must lie between minCapacity and maxCapacity',
    ]);
    expect(problemsOf({ shutdownGrace: Duration.seconds(116) })).toEqual([
      "stopTimeout: exceeds Fargate's 120 s",
    ]);
    expect(problemsOf({ shutdownGrace: Duration.seconds(30), stopTimeout: Duration.seconds(30) })).toEqual([
      expect.stringMatching(/^stopTimeout: \(30 s\) must exceed shutdownGrace \(30 s\)/),
    ]);
  });
});
