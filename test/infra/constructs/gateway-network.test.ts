import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { GatewayNetwork } from '../../../infra/index';

describe('GatewayNetwork', () => {
  it('creates a VPC over 2 AZs with public and private subnets, one NAT, and a flow log of rejected traffic', () => {
    const stack = new Stack();
    const network = new GatewayNetwork(stack, 'Network');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    // The flow log writes through a role of its own, to its own log group.
    template.resourceCountIs('AWS::IAM::Role', 1);
    expect(network.workloadSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(network.vpc.selectSubnets(network.workloadSubnets).subnetIds).toHaveLength(2);
  });

  it('takes its zones, NAT count and flow-log retention', () => {
    // An environment-agnostic stack knows two zones; one in a region may use three.
    const stack = new Stack(undefined, 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    new GatewayNetwork(stack, 'Network', {
      maxAzs: 3,
      natGateways: 2,
      flowLogRetention: logs.RetentionDays.ONE_WEEK,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('imports an existing VPC from its attributes, without lookups, and creates nothing', () => {
    const stack = new Stack();
    const network = new GatewayNetwork(stack, 'Network', {
      importVpc: {
        vpcId: 'vpc-0123456789abcdef0',
        privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      },
    });
    const { Resources } = Template.fromStack(stack).toJSON() as { Resources?: Record<string, unknown> };
    expect(Object.keys(Resources ?? {})).toEqual([]);
    expect(network.vpc.vpcId).toBe('vpc-0123456789abcdef0');
    expect(network.vpc.selectSubnets(network.workloadSubnets).subnetIds).toEqual([
      'subnet-0aaaaaaaaaaaaaaa1',
      'subnet-0aaaaaaaaaaaaaaa2',
    ]);
  });
});
