import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';

/** The repository root: entry points, package-lock.json and worker/Dockerfile are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Powertools reads these standard names itself; they are Powertools' names, not the gateway's,
 * so they live here once rather than in functions/core/env-names.ts.
 */
const POWERTOOLS_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
} as const;

/**
 * ESM output still meets CommonJS dependencies (grpc-js, protobufjs) that call `require`; this
 * banner gives the bundle a real one.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __gatewayCreateRequire } from 'node:module';" +
  'const require = __gatewayCreateRequire(import.meta.url);';

export class EsbuildNotFoundError extends Error {
  constructor(options?: ErrorOptions) {
    super(
      'esbuild is not installed: Lambda bundling runs the local esbuild and never falls back to Docker. ' +
        'Run `npm ci` (esbuild is a devDependency).',
      options,
    );
    this.name = 'EsbuildNotFoundError';
  }
}

/**
 * aws-cdk-lib silently switches to Docker bundling when it cannot find esbuild; there is no Docker
 * engine where this synthesizes, so fail with the real cause instead.
 */
function assertEsbuildInstalled(): void {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch (error) {
    throw new EsbuildNotFoundError({ cause: error });
  }
}

export interface GatewayFunctionProps {
  /** Entry file, relative to the repository root (e.g. `functions/handlers/http.ts`). */
  readonly entry: string;
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
}

/**
 * A gateway Lambda function: Node.js 24 on ARM64, bundled by the local esbuild to minified ESM with
 * source maps, X-Ray tracing, JSON logs in its own log group with a retention, and a role that holds
 * nothing but log writing until callers add `grant*`s — so each function's policy is exactly what
 * the stack grants it.
 */
export class GatewayFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    assertEsbuildInstalled();

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
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

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
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
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // Source maps carry file names and lines, not the sources: smaller zips, faster cold starts.
        sourcesContent: false,
        // Bundle the pinned AWS SDK clients too: the code runs with the versions it was tested with,
        // not whatever the Node.js 24 runtime ships this month.
        bundleAwsSDK: true,
      },
    });
  }
}
