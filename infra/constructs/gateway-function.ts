import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allowCloudWatchLogs } from './logs-key-policy';
import { HANDLER, type GatewayHandlerName } from '../lambda-handlers';
import { acknowledgeNag } from '../nag';
import { PropsValidationError } from '../props/props-error';
import { handlerAssetDir } from './handler-code';
import { LATEST_RUNTIME_RULES, previewRuntimeReason, unsupportedRuntimeProblem } from './lambda-node-runtime';

/**
 * Powertools reads these standard names itself; they are Powertools' names, not the gateway's,
 * so they live here once rather than in functions/core/env-names.ts.
 */
const POWERTOOLS_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
} as const;

export interface GatewayFunctionProps {
  /** Which of the gateway's handlers runs (prebuilt in the package). */
  readonly handler: GatewayHandlerName;
  /**
   * Files placed beside the handler in the function's code (name → content), e.g. the routing
   * configuration: the code asset has no 4 KB limit, unlike the environment.
   * @default - none
   */
  readonly files?: Readonly<Record<string, string>>;
  /** Powertools service name (logs, metrics, traces). */
  readonly serviceName: string;
  /** @default - no description */
  readonly description?: string;
  /** @default 512 MiB — grpc and TLS set-up at cold start are CPU-bound; memory buys CPU. */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** Extra environment; never put secrets here, pass secret ARNs. @default - Powertools settings only */
  readonly environment?: Record<string, string>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Powertools metrics namespace. @default 'EventGateway' */
  readonly metricsNamespace?: string;
  /** Run inside this VPC (self-hosted Temporal reachable only privately). @default - not in a VPC */
  readonly vpc?: ec2.IVpc;
  /** @default - the VPC's private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /**
   * The Node.js runtime (24 or later: the handlers are built for Node.js 24). While the newest
   * runtime the installed aws-cdk-lib knows is newer than the newest generally available one
   * (`lambda.Runtime.NODEJS_LATEST`), the function acknowledges cdk-nag's AwsSolutions-L1 and
   * Serverless-LambdaLatestVersion on itself, saying so — when it runs that generally available
   * runtime. Choosing the newer runtime needs no acknowledgement; an older one gets the findings.
   * @default lambda.Runtime.NODEJS_LATEST — Node.js 24 with aws-cdk-lib 2.276–2.278; it moves with
   * aws-cdk-lib when AWS makes a newer runtime available in all regions
   */
  readonly runtime?: lambda.Runtime;
  /**
   * Customer-managed key of the log group (its policy must let CloudWatch Logs use it) and of the
   * function's environment variables at rest (Lambda creates a grant on it for the execution role
   * when the function is deployed, so the role needs no statement of its own).
   * @default - CloudWatch Logs' own encryption and Lambda's `aws/lambda` key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A gateway Lambda function: Node.js (24 by default) on ARM64, one of the package's prebuilt minified ESM
 * handlers with source maps, X-Ray tracing, JSON logs in its own log group with a retention, and a role that holds
 * nothing but log writing until callers add `grant*`s — so each function's policy is exactly what
 * the stack grants it.
 */
export class GatewayFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const runtime = props.runtime ?? lambda.Runtime.NODEJS_LATEST;
    const runtimeProblem = unsupportedRuntimeProblem(runtime);
    if (runtimeProblem) throw new PropsValidationError(this.node.path, [runtimeProblem]);

    if (props.encryptionKey) allowCloudWatchLogs(props.encryptionKey);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An explicit role keeps the AWS managed AWSLambdaBasicExecutionRole (logs on `*`) out; the
    // function gets write access to its own log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    this.logGroup.grantWrite(this.role);
    acknowledgeNag(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level ' +
        'permissions. Any other `*` a caller adds must be acknowledged again with its own reason.',
    );
    if (props.vpc) {
      // ENI management for VPC functions; AWS keeps this managed policy minimal and current.
      this.role.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      );
      acknowledgeNag(
        this.role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        'functionsInVpc=true: AWSLambdaVPCAccessExecutionRole grants only the ENI actions Lambda needs to reach ' +
          'a self-hosted Temporal inside the VPC, and AWS keeps it current.',
      );
    }

    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(handlerAssetDir(props.handler, props.files)),
      handler: HANDLER,
      runtime,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environmentEncryption: props.encryptionKey,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc,
      vpcSubnets: props.vpc
        ? (props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })
        : undefined,
      environment: {
        [POWERTOOLS_ENV.serviceName]: props.serviceName,
        [POWERTOOLS_ENV.metricsNamespace]: props.metricsNamespace ?? 'EventGateway',
        [POWERTOOLS_ENV.logLevel]: 'INFO',
        // Stack traces point at the TypeScript sources through the bundled source maps.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
    // cdk-nag calls the newest runtime aws-cdk-lib knows "latest", preview or not.
    const previewReason = previewRuntimeReason(runtime);
    if (previewReason) {
      for (const rule of LATEST_RUNTIME_RULES) acknowledgeNag(this.function, rule, previewReason);
    }
  }
}
