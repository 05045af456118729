import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allowCloudWatchLogs } from './logs-key-policy';

export interface ImportedVpcAttributes {
  readonly vpcId: string;
  /** Private subnets with a route to the internet (NAT), where the worker and VPC functions run. */
  readonly privateSubnetIds: readonly string[];
  /** One per private subnet, same order. */
  readonly availabilityZones: readonly string[];
}

export interface GatewayNetworkProps {
  /**
   * Use an existing VPC. Imported from attributes, not looked up: synthesis needs no AWS account,
   * credentials or context cache.
   * @default - a new VPC is created
   */
  readonly importVpc?: ImportedVpcAttributes;
  /** New VPC only. @default 2 */
  readonly maxAzs?: number;
  /** New VPC only. One is cheapest; one per AZ survives an AZ outage. @default 1 */
  readonly natGateways?: number;
  /** New VPC only: retention of the rejected-traffic flow log. @default logs.RetentionDays.ONE_MONTH */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Customer-managed key of the flow log group (new VPC only) (its policy must let CloudWatch Logs use it).
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The network the worker (and optionally the functions) run in: private subnets whose egress goes
 * through NAT to Temporal, ECR, Secrets Manager and CloudWatch.
 */
export class GatewayNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  /** Where workloads go: the private subnets with egress. */
  readonly workloadSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

  constructor(scope: Construct, id: string, props: GatewayNetworkProps = {}) {
    super(scope, id);
    if (props.importVpc) {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: props.importVpc.vpcId,
        availabilityZones: [...props.importVpc.availabilityZones],
        privateSubnetIds: [...props.importVpc.privateSubnetIds],
      });
      Validations.of(this.vpc).acknowledge({
        id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason:
          'Nothing in this app reads or adds routes to the imported subnets; the VPC owner manages routing.',
      });
      return;
    }
    if (props.encryptionKey) allowCloudWatchLogs(props.encryptionKey);
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs ?? 2,
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // Nothing here uses the default security group; restricting it would add a custom-resource
      // Lambda (and its managed policy) for no gain.
      restrictDefaultSecurityGroup: false,
      // Rejected traffic is what explains "the worker cannot reach Temporal"; accepted flows cost more.
      flowLogs: {
        rejected: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
  }
}
