/**
 * The deployment variants of this repository's CDK app: one CDK context per configuration shape.
 * The whole-app tests assert on each; cfn-lint (`npm run test:cfn-lint`) lints each one's templates.
 */
import { SECRET_ARN } from './synth';

export const PARTIAL_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:temporal/mtls';
const CLOUD = { temporalAddress: 'ns.acct.tmprl.cloud:7233', temporalNamespace: 'ns.acct' };
const IMPORTED_VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  vpcPrivateSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0aaaaaaaaaaaaaaa2',
  vpcAvailabilityZones: 'eu-west-1a,eu-west-1b',
};

/** Every configuration shape this repository's app promises, by name: its CDK context. */
export const DEPLOYMENT_VARIANTS = {
  'api-key (imported secret), sync': {
    ...CLOUD,
    temporalAuth: 'api-key',
    temporalApiKeySecretArn: SECRET_ARN('temporal-api-key'),
  },
  'mtls (secret by partial ARN), sync': {
    ...CLOUD,
    temporalAuth: 'mtls',
    temporalMtlsSecretArn: PARTIAL_ARN,
  },
  'none (self-hosted, open API by choice), sync': {
    temporalAddress: 'temporal.internal:7233',
    gatewayAuth: 'none',
    allowUnauthenticatedApi: true,
  },
  'github webhooks (secret imported), sync': {
    ...CLOUD,
    temporalAuth: 'api-key',
    gatewayAuth: 'github',
    gatewayAuthSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:github-webhook',
  },
  'queue ingest with IAM': { ...CLOUD, temporalAuth: 'api-key', ingestMode: 'queue' },
  'queue ingest with JWT, FIFO': {
    ...CLOUD,
    temporalAuth: 'api-key',
    ingestMode: 'queue',
    apiAuthorizer: 'jwt',
    jwtIssuer: 'https://issuer.example.com/',
    jwtAudience: 'event-gateway',
    fifo: true,
  },
  'FIFO, sync': { ...CLOUD, temporalAuth: 'api-key', fifo: true },
  // The codec server's CORS preflight gets a route of its own past the authorizer.
  'JWT authorizer, sync': {
    ...CLOUD,
    temporalAuth: 'api-key',
    apiAuthorizer: 'jwt',
    jwtIssuer: 'https://issuer.example.com/',
    jwtAudience: 'event-gateway',
  },
  'imported VPC, functions in VPC': {
    temporalAddress: 'temporal.internal:7233',
    ...IMPORTED_VPC,
    functionsInVpc: true,
  },
  'encrypted payloads, large payloads, customer-managed key, sync': {
    ...CLOUD,
    temporalAuth: 'api-key',
    temporalApiKeySecretArn: SECRET_ARN('temporal-api-key'),
    payloadEncryption: true,
    largePayloadRetentionDays: 120,
    customerManagedKey: true,
  },
  // The event log's bucket (issue 30) under the customer-managed key; its grants name that one bucket.
  'event log, customer-managed key, sync': {
    ...CLOUD,
    temporalAuth: 'api-key',
    temporalApiKeySecretArn: SECRET_ARN('temporal-api-key'),
    payloadEncryption: true,
    eventLogRetentionDays: 14,
    customerManagedKey: true,
  },
  'encrypted payloads, customer-managed key, queue ingest with FIFO': {
    ...CLOUD,
    temporalAuth: 'api-key',
    ingestMode: 'queue',
    fifo: true,
    payloadEncryption: true,
    largePayloadRetentionDays: 30,
    largePayloadThresholdBytes: 65536,
    customerManagedKey: true,
  },
  // Spans to X-Ray: the functions' OTLP endpoint and grant, the worker's collector sidecar.
  'traces to X-Ray, sync': {
    ...CLOUD,
    temporalAuth: 'api-key',
    tracesTo: 'xray',
  },
  'workers scale from zero': {
    ...CLOUD,
    temporalAuth: 'api-key',
    workerMinCount: 0,
    workerDesiredCount: 0,
  },
} as const satisfies Record<string, Record<string, unknown>>;
